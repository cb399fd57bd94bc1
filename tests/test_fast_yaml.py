"""YAML read through libyaml (safe_yaml._FastLoader) gives exactly what PyYAML's own loader gives.

load_yaml reads a document with libyaml's C scanner and parser when PyYAML has it, and with PyYAML's
pure-Python loader (the reference) whenever libyaml complains about anything. A document the fast path
accepts must give the same data and the same nodes (tags, values, lines and columns: rule messages point
at them) as the reference; a document the reference refuses must never be accepted by the fast path.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from lii_check import safe_yaml
from lii_check.safe_yaml import YamlProblem, load_yaml

REPO = Path(__file__).resolve().parents[1]
YAML_FILES = sorted(p for folder in ("rules", "fixtures", "examples", "tests") if (REPO / folder).is_dir()
                    for p in (REPO / folder).rglob("*.y*ml"))

pytestmark = pytest.mark.skipif(safe_yaml._FastLoader is None, reason="PyYAML was built without libyaml here")


def _shape(node: yaml.Node | None) -> list:
    """Everything about a node tree that lii-check reads: kind, tag, value and where it starts. (Not where it
    ends: nothing reads end marks, and libyaml ends a collection at the stream's end differently.)"""
    out: list = []
    stack = [node] if node is not None else []
    while stack:
        n = stack.pop()
        out.append((type(n).__name__, n.tag, n.start_mark.line, n.start_mark.column,
                    n.value if isinstance(n, yaml.ScalarNode) else len(n.value)))
        if isinstance(n, yaml.SequenceNode):
            stack.extend(reversed(n.value))
        elif isinstance(n, yaml.MappingNode):
            stack.extend(reversed([x for pair in n.value for x in pair]))
    return out


def _reference(text: str):
    """load_yaml's answer with the fast path switched off: ("data", data, shape) or ("problem", message)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(safe_yaml, "_FastLoader", None)
        try:
            data, node = load_yaml(text)
        except YamlProblem as exc:
            return ("problem", str(exc))
    return ("data", data, _shape(node))


def _fast(text: str):
    got = safe_yaml._fast_load(text)
    return None if got is None else ("data", got[0], _shape(got[1]))


def test_the_repositorys_yaml_files_are_found():
    names = {p.name for p in YAML_FILES}
    assert {"language.yaml", "scoring.yaml", "co-production.yaml"} <= names, names
    assert len(YAML_FILES) > 30


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_yaml_file_here_reads_the_same_both_ways(path):
    text = path.read_text("utf-8")
    fast = _fast(text)
    assert fast is not None, f"{path}: libyaml did not read a file PyYAML reads"
    assert fast == _reference(text)


def test_the_fast_path_is_what_load_yaml_uses(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("the reference loader was used for a plain document")

    monkeypatch.setattr(safe_yaml, "_BoundedLoader", refuse)
    data, node = load_yaml((REPO / "rules" / "scoring.yaml").read_text("utf-8"))
    assert data["kind"] == "scoring" and node is not None


@pytest.mark.parametrize("text", [
    "a: b: c\n",                 # libyaml words this "mapping values are not allowed in this context"
    "a: [1, 2\nb: 3\n",          # a flow sequence left open
    "a: 1\n---\nb: 2\n",         # two documents
    "a: &x [*x]\n",              # a recursive alias
    "a: \x07\n",                 # a control character
    "a: !!python/object:os.system x\n",  # an unsafe tag
    "when: 2024-02-30\n",        # a timestamp that is not a date
    "note: |#\n",                # a block scalar's header with a comment and no space: libyaml reads "" here
    "note: >-2#\n",
])
def test_a_bad_document_gets_the_reference_loaders_message(text):
    assert safe_yaml._fast_load(text) is None
    with pytest.raises(YamlProblem) as got:
        load_yaml(text)
    assert ("problem", str(got.value)) == _reference(text)


def test_the_alias_bound_holds_on_the_fast_path(monkeypatch):
    monkeypatch.setattr(safe_yaml, "MAX_EXPANDED_NODES", 50)
    laughs = "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b]\n"
    assert safe_yaml._fast_load(laughs) is None
    with pytest.raises(YamlProblem, match="billion laughs"):
        load_yaml(laughs)


# Rule-file-like lines built from the characters YAML gives meaning to, and some it does not.
PIECES = st.sampled_from(["a", "kind", "id", "cue", "é", "’", "😀", "1", "0x1F", "2024-01-05", "yes", "~", "null",
                          ":", ": ", "- ", "#", " #", "'", '"', "[", "]", "{", "}", ",", "&a", "*a", "!", "!!str ",
                          "|", ">-", "%", "@", "`", "\t", " ", "  ", "\\", "\x85", "\u2028", "\ufeff", "\r",
                          "?", "---", "...", "\\n"])
LINE = st.tuples(st.sampled_from(["", "  ", "    ", "- ", "  - "]), st.lists(PIECES, max_size=8).map("".join))


@settings(max_examples=400, deadline=None)
@given(st.lists(LINE.map("".join), min_size=1, max_size=6).map("\n".join))
def test_whatever_the_fast_path_accepts_reads_as_the_reference_reads_it(text):
    fast = _fast(text)
    if fast is None:
        return  # read by the reference loader, as before
    assert fast == _reference(text), repr(text)
