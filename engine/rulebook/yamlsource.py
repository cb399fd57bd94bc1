"""Reading a rule file's YAML so that every problem can be pointed at: file, line and column."""
from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import yaml

from .model import RuleProblem


class Located:
    """The composed YAML tree of one file, for turning a data path into a line and column."""

    def __init__(self, root: yaml.Node):
        self.root = root

    def node(self, path: list, key: bool = False) -> yaml.Node:
        node = self.root
        for step in path:
            if isinstance(node, yaml.MappingNode):
                found = None
                for k, v in node.value:
                    if k.value == step:
                        found = (k, v)
                if found is None:
                    return node
                node = found[0] if key and step == path[-1] else found[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
                node = node.value[step]
            else:
                return node
        return node

    def where(self, path: list, key: bool = False) -> tuple[int, int]:
        mark = self.node(path, key).start_mark
        return mark.line + 1, mark.column + 1


def duplicate_keys(node: yaml.Node, problems: list[tuple[int, int, str]]) -> None:
    """Append (line, col, message) for every key written twice in one block, at any depth."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode):
                if k.value in seen:
                    problems.append(
                        (k.start_mark.line + 1, k.start_mark.column + 1,
                         f"the key '{k.value}' appears twice in this block (first on line {seen[k.value]}); "
                         "keep one of them")
                    )
                seen.setdefault(k.value, k.start_mark.line + 1)
            duplicate_keys(v, problems)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            duplicate_keys(item, problems)


def not_a_number(node: yaml.Node, problems: list[tuple[int, int, str]]) -> None:
    """Append (line, col, message) for every `.nan` (YAML's not-a-number): every comparison with it is false, so
    it passes each minimum and maximum of the schema and then turns every score it touches into nan (every
    report "band 1", or an internal error in the rule engine)."""
    if isinstance(node, yaml.ScalarNode):
        if node.tag == "tag:yaml.org,2002:float" and node.value.lstrip("+-").lower() == ".nan":
            problems.append((node.start_mark.line + 1, node.start_mark.column + 1,
                             f"'{node.value}' is YAML for 'not a number', which no score, weight or mark can be: "
                             "write a number such as 1.5"))
    elif isinstance(node, yaml.MappingNode):
        for _k, v in node.value:
            not_a_number(v, problems)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            not_a_number(item, problems)


def read_yaml(path: Path, display: str) -> tuple[Any, Located | None, list[RuleProblem]]:
    from ..safe_yaml import YamlProblem
    from ..textfile import NotUtf8, read_text

    try:
        text = read_text(path)
    except NotUtf8 as exc:
        return None, None, [RuleProblem(display, exc.line, exc.column, exc.message)]
    except OSError as exc:
        return None, None, [RuleProblem(display, 1, 1, f"cannot read the file: {exc.strerror or exc}")]
    parsed = _parse(text)
    if isinstance(parsed, YamlProblem):
        exc = parsed
        if not exc.syntax:
            return None, None, [RuleProblem(display, exc.line, exc.col, f"unusable YAML: {exc.message}")]
        hint = " (check the indentation and that every 'key: value' has a space after the colon)"
        if "tab" in exc.message or "'\\t'" in exc.message or "\t" in exc.message:
            hint = " (indent with spaces, not tabs: replace the tab with spaces)"
        elif "left open" in exc.message:
            hint = ""  # the message says what to close already
        return None, None, [RuleProblem(display, exc.line, exc.col, f"YAML syntax error: {exc.message}{hint}")]
    data, node, problems = parsed
    if node is None:
        return None, None, [RuleProblem(display, 1, 1, "the file is empty: a rule file needs 'kind:' and its keys")]
    # The caller gets its own copy of the data; the composed nodes are only ever read.
    return copy.deepcopy(data), Located(node), [RuleProblem(display, ln, col, msg) for ln, col, msg in problems]


@functools.lru_cache(maxsize=64)
def _parse(text: str) -> tuple[Any, yaml.Node | None, tuple[tuple[int, int, str], ...]] | Exception:
    """A rule file's text composed and built once per process: rules diff reads both sides, an overlay
    its base, `rules overlay --from` the copy and the bundled files, mostly the same texts (PyYAML's
    pure-Python composer is most of the cost of loading a rulebook that is not in the cache)."""
    from ..safe_yaml import YamlProblem, load_yaml

    try:
        data, node = load_yaml(text)
    except YamlProblem as exc:
        return exc
    problems: list[tuple[int, int, str]] = []
    if node is not None:
        duplicate_keys(node, problems)
        not_a_number(node, problems)
    return data, node, tuple(problems)
