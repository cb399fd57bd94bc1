"""Property-based proof for issue 8: arbitrary text, bytes and YAML never produce a traceback or exit 3.

Each loader is driven directly (its own error type, or a value) and through the command line with
click's CliRunner (exit 0, 1 or 2, never an escaped exception). Example counts are modest and the
examples derandomized so the suite stays fast and gives the same run every time; the generated
report texts are synthetic.
"""
import json
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lii_check.baseline import BaselineError, load_baseline
from lii_check.cli import main
from lii_check.config import Config, ConfigError, load_config
from lii_check.model import Report
from lii_check.parser import ReportError, decode_report, parse_report, read_report
from lii_check.rulebook import Rulebook, RulebookInvalid, load_rulebook
from lii_check.safe_yaml import YamlProblem, load_yaml

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "fixtures" / "seeds" / "001_be58087aa61b4f94.txt"

FAST = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
CLI = settings(FAST, max_examples=20)

# Lines a report is made of, and lines that trip parsers: mixed so that generated texts reach past
# "no score line" into labels, headings, front matter and the findings.
REPORT_LINES = [
    "---", "...", "Score: 3", "Score: 1", "## Score 2", "Indicative score: 4", "**Score:** 3/4", "Score: ४", "Score:",
    "Score: 9", "3 - Evidence shows a good standard", "1 -Inadequate: Evidence shows significant shortfalls",
    "7 – Evidence shows", "# Learning, improvement and innovation", "Learning from feedback:",
    "The local authority commitment", "We focus on continuous learning, innovation and improvement.",
    "synthetic: true", "a: &a [*a]", "date: 2024-13-45", "x: !!python/object:os.system", "<!-- lii-check-disable x: y -->",
    "<!--", "-->", "Staff told us supervision was regular.", "Complaints were not always acted on.", "\ufeff", "\r",
    "\t", "", "e.g. Mr. St. No. 1. A", "\x1b[31m", "\u202e", "*" * 80,
]
report_texts = st.one_of(
    st.text(),
    st.lists(st.one_of(st.sampled_from(REPORT_LINES), st.text(max_size=40)), max_size=30).map("\n".join),
)


def _is_report(value) -> bool:
    return isinstance(value, Report) and 1 <= value.awarded_score <= 4


# ---- the report parser ---------------------------------------------------------------------------

@FAST
@given(report_texts)
def test_parse_report_reads_or_refuses_any_text(text):
    try:
        report = parse_report(text, "generated.md")
    except ReportError as exc:
        assert exc.message and (exc.line is None or exc.line >= 1)
        return
    assert _is_report(report)


@FAST
@given(st.one_of(st.binary(), report_texts.map(lambda t: t.encode("utf-8", "surrogatepass")),
                 report_texts.map(lambda t: t.encode("utf-16", "surrogatepass"))))
def test_decode_and_parse_any_bytes(data):
    try:
        report = parse_report(decode_report(data), "generated.md")
    except ReportError as exc:
        assert exc.message
        return
    assert _is_report(report)


@FAST
@given(st.binary(max_size=3000))
def test_read_report_on_any_file(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "r.txt"
        path.write_bytes(data)
        try:
            report = read_report(path, max_bytes=2000)
        except ReportError as exc:
            assert exc.message
            return
    assert _is_report(report) and len(data) <= 2000


# ---- YAML: the one loader, the rulebook, the configuration ---------------------------------------

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20))
RULE_KEYS = ["kind", "theme", "title", "framework", "weight", "description", "topic", "phrases", "regex", "signals",
             "expectations", "id", "level", "cues", "examples", "fires", "quiet", "todo", "when", "severity",
             "message", "applies_to", "awarded", "text", "cite", "scope", "impact"]
yaml_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.one_of(st.sampled_from(RULE_KEYS), st.text(max_size=8)), inner, max_size=5)),
    max_leaves=25,
)
YAML_SNIPPETS = ["&a [*a]", "*nope", "&x {k: *x}", "!!python/object:os.system x", "2024-02-30", "- a\n b: c",
                 "key: value: other", "\t- tab", "? [1]\n: 2", "[[[[[[", "!!binary ###", "---\n---", "'unterminated"]
yaml_texts = st.one_of(
    st.text(),
    yaml_values.map(lambda v: yaml.safe_dump(v, allow_unicode=True)),
    st.lists(st.one_of(st.sampled_from(YAML_SNIPPETS), st.text(max_size=20)), max_size=8).map("\n".join),
)


@FAST
@given(yaml_texts)
def test_load_yaml_gives_data_or_a_located_problem(text):
    try:
        data, node = load_yaml(text)
    except YamlProblem as exc:
        assert exc.line >= 1 and exc.col >= 1 and exc.message
        return
    assert (node is None) == (data is None) or node is not None


@pytest.fixture(scope="module")
def mini_rules(tmp_path_factory):
    """A small valid rulebook (language, scoring, one theme) copied from the bundled one."""
    folder = tmp_path_factory.mktemp("rules")
    for name in ("language.yaml", "scoring.yaml", "supervision.yaml"):
        shutil.copy(REPO / "rules" / name, folder / name)
    assert isinstance(load_rulebook(folder), Rulebook)
    return folder


def _load_rule_file(folder: Path, name: str, data: bytes):
    (folder / name).write_bytes(data)
    try:
        return load_rulebook(folder)
    except RulebookInvalid as exc:
        assert exc.problems and all(p.line >= 1 and p.col >= 1 and p.message for p in exc.problems)
        return exc


@FAST
@given(st.one_of(yaml_texts.map(lambda t: t.encode("utf-8", "surrogatepass")), st.binary()))
def test_rulebook_loader_on_any_single_file(data):
    with tempfile.TemporaryDirectory() as folder:
        _load_rule_file(Path(folder), "generated.yaml", data)


def _replace(tree, path: list, value):
    """A copy of tree with the value at path (indices taken modulo the sizes met) replaced."""
    if not path or not isinstance(tree, (dict, list)) or not tree:
        return value
    if isinstance(tree, dict):
        key = sorted(tree, key=str)[path[0] % len(tree)]
        return {**tree, key: _replace(tree[key], path[1:], value)}
    i = path[0] % len(tree)
    return tree[:i] + [_replace(tree[i], path[1:], value)] + tree[i + 1:]


THEME = yaml.safe_load((REPO / "rules" / "supervision.yaml").read_text("utf-8"))


@settings(FAST, max_examples=50)
@given(st.lists(st.integers(min_value=0, max_value=50), max_size=6), yaml_values)
def test_rulebook_loader_on_a_real_theme_with_one_value_changed(mini_rules, path, value):
    mutated = _replace(THEME, path, value)
    text = yaml.safe_dump(mutated, allow_unicode=True, sort_keys=False)
    try:
        _load_rule_file(mini_rules, "supervision.yaml", text.encode("utf-8", "surrogatepass"))
    finally:
        shutil.copy(REPO / "rules" / "supervision.yaml", mini_rules / "supervision.yaml")


CONFIG_KEYS = ["rules", "format", "fail-on", "strict", "engine", "disable", "severity", "exclude", "extend-exclude",
               "max-bytes", "tool", "lii-check"]
config_values = st.dictionaries(st.sampled_from(CONFIG_KEYS), yaml_values, max_size=4)
TOML_VALUES = ['"x"', "3", "true", "[1, 2]", '["a", "b"]', "{a = 1}", "1979-05-27", "nan", "-0", '"\\u0000"',
               '"table"', '"never"', "0", "99999999999999999999"]
toml_texts = st.one_of(
    st.text(),
    st.lists(st.tuples(st.sampled_from(["", "[tool.lii-check]", "[tool]", "[[tool]]", "[tool.lii-check.x]"]),
                       st.sampled_from(CONFIG_KEYS), st.sampled_from(TOML_VALUES)), max_size=5)
    .map(lambda rows: "\n".join(f"{head}\n{key} = {value}" for head, key, value in rows)),
)


@FAST
@given(st.one_of(yaml_texts, config_values.map(lambda v: yaml.safe_dump(v, allow_unicode=True))))
def test_yaml_configuration_loads_or_is_a_config_error(text):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ".lii-check.yaml"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        try:
            assert isinstance(load_config(path), Config)
        except ConfigError as exc:
            assert str(exc).startswith(str(path))


@FAST
@given(toml_texts)
def test_pyproject_configuration_loads_or_is_a_config_error(text):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pyproject.toml"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        try:
            assert isinstance(load_config(start=Path(folder)), Config)
        except ConfigError as exc:
            assert str(exc).startswith(str(path))


# ---- the baseline --------------------------------------------------------------------------------

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=10)),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(["tool", "name", "reports", "path", "findings", "suppressed",
                                                             "rule", "evidence", "text", "schema_version", "x"]),
                                            inner, max_size=5)),
    max_leaves=25,
)
baseline_docs = st.one_of(
    json_values.map(json.dumps),
    json_values.map(lambda v: json.dumps({"schema_version": 1, "tool": {"name": "lii-check"}, "reports": v})),
    json_values.map(lambda v: json.dumps({"schema_version": 1, "tool": {"name": "lii-check"},
                                          "reports": [{"path": "a.txt", "findings": v}]})),
    st.text(),
)


@FAST
@given(st.one_of(baseline_docs.map(lambda t: t.encode("utf-8", "surrogatepass")), st.binary()))
def test_baseline_loads_or_is_a_baseline_error(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "b.json"
        path.write_bytes(data)
        try:
            load_baseline(path)
        except BaselineError as exc:
            assert str(exc).startswith(str(path))


# ---- the command line ----------------------------------------------------------------------------

def _cli(args: list[str], cwd: Path, allowed: set[int]):
    import os

    here = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, args)
    finally:
        os.chdir(here)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in allowed, (result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr
    return result


@CLI
@given(st.one_of(report_texts.map(lambda t: t.encode("utf-8", "surrogatepass")), st.binary()))
def test_cli_on_any_report_exits_0_or_1(mini_rules, data):
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "r.md").write_bytes(data)
        result = _cli(["r.md", "--rules", str(mini_rules), "--engine", "pure", "--format", "json"], Path(folder), {0, 1})
        assert json.loads(result.stdout)["reports"][0]["path"] == "r.md"


@CLI
@given(st.one_of(yaml_texts, config_values.map(lambda v: yaml.safe_dump(v, allow_unicode=True))), toml_texts)
def test_cli_with_any_configuration_exits_0_1_or_2(mini_rules, yaml_text, toml_text):
    with tempfile.TemporaryDirectory() as folder:
        shutil.copy(SEED, Path(folder) / "r.txt")
        (Path(folder) / "pyproject.toml").write_bytes(toml_text.encode("utf-8", "surrogatepass"))
        _cli(["r.txt", "--rules", str(mini_rules), "--engine", "pure"], Path(folder), {0, 1, 2})
        (Path(folder) / ".lii-check.yaml").write_bytes(yaml_text.encode("utf-8", "surrogatepass"))
        _cli(["r.txt", "--rules", str(mini_rules), "--engine", "pure"], Path(folder), {0, 1, 2})


@CLI
@given(baseline_docs)
def test_cli_with_any_baseline_exits_0_1_or_2(mini_rules, text):
    with tempfile.TemporaryDirectory() as folder:
        shutil.copy(SEED, Path(folder) / "r.txt")
        (Path(folder) / "b.json").write_bytes(text.encode("utf-8", "surrogatepass"))
        _cli(["r.txt", "--rules", str(mini_rules), "--engine", "pure", "--baseline", "b.json"], Path(folder), {0, 1, 2})


@CLI
@given(yaml_texts)
def test_cli_rules_validate_on_any_rule_file_exits_0_or_2(text):
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "generated.yaml").write_bytes(text.encode("utf-8", "surrogatepass"))
        _cli(["rules", "validate", folder], Path(folder), {0, 2})
