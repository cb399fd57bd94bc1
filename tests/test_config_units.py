"""The configuration loader (engine/config.py) on small files: each malformed value is refused with the
file, the line of its key and what to write instead; good values load exactly; `config show` lists
what was set and the defaults for the rest. Fast: no rulebook, no CLI.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from lii_check.config import Config, ConfigError, describe, find_config, load_config
from lii_check.parser import DEFAULT_MAX_BYTES


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, "utf-8")
    return path


def refused(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return str(caught.value)


# --- max-bytes ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [1, 2, 5_000_000])
def test_max_bytes_of_one_and_above_is_the_limit(tmp_path, value):
    config = load_config(write(tmp_path, ".lii-check.yaml", f"format: json\nmax-bytes: {value}\n"))
    assert config.max_bytes == value and config.format == "json"


@pytest.mark.parametrize("text, shown", [("0", "0"), ("-5", "-5"), ("true", "true"), ('"1MB"', "'1MB'"),
                                         ("2.5", "2.5"), ("[1]", "[1]")])
def test_max_bytes_that_is_not_a_whole_number_above_zero_is_refused(tmp_path, text, shown):
    path = write(tmp_path, ".lii-check.yaml", f"# limits\nmax-bytes: {text}\n")
    assert refused(path) == f"{path}:2: 'max-bytes' must be a whole number of bytes above 0, not {shown}"


# --- the other values --------------------------------------------------------------------------------

@pytest.mark.parametrize("text, message", [
    ("rules: 3", "'rules' must be the path of a rulebook folder"),
    ('rules: ""', "'rules' must be the path of a rulebook folder"),
    ('rules: "my\\0rules"', "'rules' must be the path of a rulebook folder"),
    ('exclude: ["*.md", ""]', "'exclude' must be a list of file patterns such as ['README.md', 'drafts/**']"),
    ("extend-exclude: [3]", "'extend-exclude' must be a list of file patterns such as ['README.md', 'drafts/**']"),
    ("exclude: drafts/**", "'exclude' must be a list of file patterns such as ['README.md', 'drafts/**']"),
    ("disable: [3]", "'disable' must be a list of rule ids"),
    ("severity: [complaints.high-band-significant]", "'severity' must map rule ids to error, warning or info"),
    ("severity: {1: error}", "'severity' must map rule ids to error, warning or info"),
    ("severity: {complaints.high-band-significant: loud}",
     "the severity of 'complaints.high-band-significant' must be error, warning or info, not 'loud'"),
    ("strict: yes please", "'strict' must be true or false, not 'yes please'"),
    ("engine: durable-rules", "'engine' must be one of auto, durable, pure, not 'durable-rules' — did you mean 'durable'?"),
    ("fail-on: sometimes", "'fail-on' must be one of error, warning, info, never, not 'sometimes'"),
    # named as written, not as Python prints what YAML read ("not 'False'", "not 'None'": hostile16 13a)
    ("fail-on: off", "'fail-on' must be one of error, warning, info, never, not false (YAML reads on/off, yes/no "
                     "and true/false as true or false: quote the word)"),
    ("fail-on: ~", "'fail-on' must be one of error, warning, info, never, not an empty value"),
])
def test_each_malformed_value_is_refused_at_its_line(tmp_path, text, message):
    path = write(tmp_path, ".lii-check.yaml", f"# team settings\n\n{text}\n")
    assert refused(path) == f"{path}:3: {message}"


def test_good_values_load_exactly(tmp_path):
    path = write(tmp_path, ".lii-check.yaml",
                 "rules: team-rules\nformat: markdown\nfail-on: warning\nstrict: false\nengine: pure\n"
                 "disable: [consistency.label-wording]\nseverity: {complaints.high-band-significant: info}\n"
                 "exclude: ['*.md']\nextend-exclude: [drafts/**]\nmax-bytes: 4096\n")
    assert load_config(path) == Config(
        source=path, rules=(tmp_path / "team-rules").resolve(), format="markdown", fail_on="warning", strict=False,
        engine="pure", disable=("consistency.label-wording",), severity={"complaints.high-band-significant": "info"},
        exclude=("*.md",), extend_exclude=("drafts/**",), max_bytes=4096)


def test_a_configuration_named_on_the_command_line_may_have_any_name(tmp_path):
    # Only a file called pyproject.toml is read as TOML; any other name is YAML.
    path = write(tmp_path, "team-settings.yaml", "format: json\nstrict: true\n")
    config = load_config(path)
    assert (config.source, config.format, config.strict) == (path, "json", True)


def test_a_missing_configuration_file_is_named(tmp_path):
    assert refused(tmp_path / "nowhere.yaml") == f"{tmp_path / 'nowhere.yaml'}: no such configuration file"


def test_an_unknown_key_gets_a_did_you_mean_or_the_list(tmp_path):
    path = write(tmp_path, ".lii-check.yaml", "format: json\nfail_on: error\n")
    assert refused(path) == f"{path}:2: unknown key 'fail_on': did you mean 'fail-on'?"
    path = write(tmp_path, ".lii-check.yaml", "colour: blue\n")
    assert refused(path) == (f"{path}:1: unknown key 'colour': allowed keys: rules, format, fail-on, strict, engine, "
                             "disable, severity, exclude, extend-exclude, max-bytes, jobs, timeout")


@pytest.mark.skipif(not Path("/proc/self/mem").is_file(), reason="needs Linux's /proc/self/mem, a file that cannot be read")
def test_a_configuration_that_cannot_be_read_is_named(tmp_path):
    # /proc/self/mem is a file whose read fails (EIO): the loader says so instead of a traceback.
    message = refused(Path("/proc/self/mem"))
    assert message.startswith("/proc/self/mem: cannot read it (") and "Input/output error" in message
    os.symlink("/proc/self/mem", tmp_path / "pyproject.toml")
    message = refused(tmp_path / "pyproject.toml")
    assert message.startswith(f"{tmp_path / 'pyproject.toml'}: cannot read it (") and "Input/output error" in message


def test_configurations_not_in_utf8_are_named(tmp_path):
    yaml_path = tmp_path / ".lii-check.yaml"
    yaml_path.write_bytes("format: json # caf\u00e9\n".encode("latin-1"))
    assert refused(yaml_path) == f"{yaml_path}:1: the file is not UTF-8 text (byte 0xE9 cannot be decoded; it may " \
                                 "be Windows-1252 or Latin-1): re-save it as UTF-8"
    toml_path = tmp_path / "pyproject.toml"
    toml_path.write_bytes('[tool.lii-check]\nformat = "json" # caf\u00e9\n'.encode("latin-1"))
    assert refused(toml_path).startswith(f"{toml_path}:2: the file is not UTF-8 text (byte 0xE9")


# --- pyproject.toml: the line of a key --------------------------------------------------------------------

def test_a_bad_value_in_pyproject_names_the_line_inside_the_lii_check_table(tmp_path):
    # fail-on also appears above the table (top level, and in another tool's table): only the line in
    # [tool.lii-check] is the one to change.
    path = write(tmp_path, "pyproject.toml",
                 'fail-on = "x"\n'
                 '[project]\nname = "demo"\n\n'
                 '[tool.other]\nfail-on = "y"\n\n'
                 '[ tool . "lii-check" ]\n'
                 'format = "json"\n\n'
                 '"fail-on" = "sometimes"\n'
                 '[tool.after]\nstrict = 3\n')
    assert refused(path) == f"{path}:11: 'fail-on' must be one of error, warning, info, never, not 'sometimes'"


def test_pyproject_keys_are_located_from_line_one(tmp_path):
    path = write(tmp_path, "pyproject.toml", '[tool.lii-check]\nstrict = "no"\n')
    assert refused(path) == f"{path}:2: 'strict' must be true or false, not 'no'"
    path = write(tmp_path, "pyproject.toml", '[tool.lii-check]\n\n\nmax-bytes = 0\n')
    assert refused(path) == f"{path}:4: 'max-bytes' must be a whole number of bytes above 0, not 0"


@pytest.mark.parametrize("toml, line", [
    ('tool = "x"\n', 1),
    ('# a project\ntool = "x"\n', 2),
    ('# a project\n\ntool = "x"\n', 3),
    ("'tool' = \"x\"\n", 1),  # a literal-string key the locator does not spell: the first line, not a guess past it
])
def test_a_scalar_tool_names_its_line(tmp_path, toml, line):
    path = write(tmp_path, "pyproject.toml", toml)
    assert refused(path) == f"{path}:{line}: 'tool' must be a table such as [tool.lii-check], not a single value"


def test_a_scalar_lii_check_names_its_line(tmp_path):
    path = write(tmp_path, "pyproject.toml", '[project]\nname = "x"\n\n[tool]\nblack = {}\nlii-check = 3\n')
    assert refused(path) == f"{path}:6: 'lii-check' must be the table [tool.lii-check] of 'key = value' lines"


def test_invalid_toml_names_the_line_and_the_parser_s_reason(tmp_path):
    path = write(tmp_path, "pyproject.toml", '[tool.lii-check]\nformat = \n')
    assert refused(path) == f"{path}:2: this is not valid TOML (Invalid value)"


@pytest.mark.parametrize("toml, line", [('[tool.lii-check]\njobs = [1,\n', 2), ('[tool.lii-check]\nexclude = [\n\n', 3),
                                         ('[tool.lii-check]\nformat = {a = 1\n', 2)])
def test_a_toml_file_ending_inside_a_value_names_its_last_line_and_what_to_close(tmp_path, toml, line):
    path = write(tmp_path, "pyproject.toml", toml)
    said = refused(path)
    assert said.startswith(f"{path}:{line}: this is not valid TOML (") and "(at end of document)" not in said
    if "{" not in toml:
        assert said.endswith("the file ends inside a value; close the '[', '{' or quote left open on or before "
                             "this line")


def test_a_pyproject_without_the_table_is_skipped_when_searching_and_refused_when_named(tmp_path):
    write(tmp_path, "pyproject.toml", '[project]\nname = "x"\n')
    inner = tmp_path / "a" / "b"
    inner.mkdir(parents=True)
    assert find_config(inner) is None and load_config(start=inner) == Config(source=None)
    assert refused(tmp_path / "pyproject.toml") == f"{tmp_path / 'pyproject.toml'}: has no [tool.lii-check] table"
    write(tmp_path / "a", "pyproject.toml", '[tool.lii-check]\nformat = "sarif"\n')
    assert find_config(inner) == tmp_path / "a" / "pyproject.toml"
    assert load_config(start=inner).format == "sarif"


# --- config show ------------------------------------------------------------------------------------------

def test_describe_lists_every_key_set_and_the_defaults_for_the_rest(tmp_path):
    defaults = describe(Config(source=None))
    assert defaults == (
        "configuration file: none found (defaults; searched from the current folder up)\n"
        "  rules           the bundled rulebook (default)\n"
        "  format          table (default)\n"
        "  fail-on         error (default)\n"
        "  strict          false (default)\n"
        "  engine          auto (default)\n"
        "  disable         nothing (default)\n"
        "  severity        as in the rules (default)\n"
        "  exclude         the default non-report files (see README) (default)\n"
        "  extend-exclude  nothing (default)\n"
        f"  max-bytes       {DEFAULT_MAX_BYTES} (default)\n"
        "  jobs            the machine's cores (default)\n"
        "  timeout         30 s per report (default)\n")
    path = tmp_path / ".lii-check.yaml"
    set_all = describe(Config(source=path, rules=tmp_path / "r", format="json", fail_on="never", strict=False,
                              engine="pure", disable=("a.b", "c.d"), severity={"z.y": "info", "a.b": "error"},
                              exclude=(), extend_exclude=("x/**", "*.txt"), max_bytes=10, jobs=3, timeout=2.5))
    assert set_all == (
        f"configuration file: {path}\n"
        f"  rules           {tmp_path / 'r'}\n"
        "  format          json\n"
        "  fail-on         never\n"
        "  strict          false\n"
        "  engine          pure\n"
        "  disable         a.b, c.d\n"
        "  severity        a.b=error, z.y=info\n"
        "  exclude         nothing\n"
        "  extend-exclude  x/**, *.txt\n"
        "  max-bytes       10\n"
        "  jobs            3\n"
        "  timeout         2.5 s\n")
    assert "  strict          true\n" in describe(Config(source=path, strict=True))
    assert "  exclude         a.md, b/**\n" in describe(Config(source=path, exclude=("a.md", "b/**")))


# --- which file, and in which language -------------------------------------------------------------------

def test_a_toml_file_named_with_config_is_read_as_toml_with_lines(tmp_path):
    path = write(tmp_path, "lii-check.toml", '# team settings\nformat = "json"\nstrict = true\nfail-on = "warnin"\n')
    assert refused(path) == (f"{path}:4: 'fail-on' must be one of error, warning, info, never, not 'warnin'"
                             " — did you mean 'warning'?")
    path.write_text('format = "json"\nstrict = true\n', "utf-8")
    config = load_config(path)
    assert (config.format, config.strict, config.source) == ("json", True, path)


def test_a_toml_file_with_a_tool_table_reads_that_table(tmp_path):
    path = write(tmp_path, "shared.toml", '[tool.other]\nformat = "x"\n\n[tool.lii-check]\nformat = "sarif"\nmax-bytes = 0\n')
    assert refused(path) == f"{path}:6: 'max-bytes' must be a whole number of bytes above 0, not 0"


def test_a_file_in_neither_language_says_which_languages_are_read(tmp_path):
    path = write(tmp_path, "settings.ini", "[lii-check]\nformat=json\n")
    message = refused(path)
    assert message.startswith(f"{path}:") and message.endswith(
        "(a configuration file is YAML, or TOML when its name ends in .toml)")
    # A .yaml file is YAML by its name: no hint about the languages.
    assert "TOML" not in refused(write(tmp_path, "c.yaml", "- format\n"))


def test_a_path_that_is_not_a_regular_file_is_not_called_missing(tmp_path):
    assert refused(Path(os.devnull)) == f"{os.devnull}: not a regular file: give the path of a YAML or TOML configuration file"
    assert refused(tmp_path) == f"{tmp_path}: not a regular file: give the path of a YAML or TOML configuration file"
    assert refused(tmp_path / "none.yaml") == f"{tmp_path / 'none.yaml'}: no such configuration file"


def test_a_pyproject_table_beside_the_yaml_file_that_wins_is_named_as_ignored(tmp_path):
    write(tmp_path, "pyproject.toml", '[tool.lii-check]\nformat = "json"\n')
    yaml_file = write(tmp_path, ".lii-check.yaml", "format: markdown\n")
    config = load_config(start=tmp_path)
    assert (config.source, config.format, config.ignored) == (yaml_file, "markdown", tmp_path / "pyproject.toml")
    assert f"ignored: {tmp_path / 'pyproject.toml'} ([tool.lii-check]; .lii-check.yaml in the same folder wins)" \
        in describe(config).splitlines()
    # A pyproject.toml without the table, or one that is not valid TOML, is not ours: nothing is ignored.
    for text in ("[tool.black]\nline-length = 100\n", "[tool.lii-check\n"):
        (tmp_path / "pyproject.toml").write_text(text, "utf-8")
        assert load_config(start=tmp_path).ignored is None
    # Named with --config, the file is what the user chose: nothing is reported as ignored.
    (tmp_path / "pyproject.toml").write_text('[tool.lii-check]\nformat = "json"\n', "utf-8")
    assert load_config(yaml_file).ignored is None


def test_a_bad_severity_is_located_at_its_own_line_not_the_key(tmp_path):
    path = write(tmp_path, ".lii-check.yaml", "format: json\nseverity:\n  consistency.score-below-evidence: warning\n"
                                              "  consistency.label-wording: eror\n")
    assert refused(path) == (f"{path}:4: the severity of 'consistency.label-wording' must be error, warning or info, "
                             "not 'eror'")


@pytest.mark.parametrize("text, jobs, timeout", [("jobs: 2\ntimeout: 5", 2, 5.0), ("timeout: 0.5", None, 0.5),
                                                  ("jobs: 1\ntimeout: 86400", 1, 86400.0)])
def test_jobs_and_timeout_load(tmp_path, text, jobs, timeout):
    config = load_config(write(tmp_path, ".lii-check.yaml", text + "\n"))
    assert (config.jobs, config.timeout) == (jobs, timeout)


@pytest.mark.parametrize("text, message", [
    ("jobs: 0", "'jobs' must be a whole number of worker processes, 1 or more, not 0"),
    ("jobs: true", "'jobs' must be a whole number of worker processes, 1 or more, not true"),
    ("jobs: 1.5", "'jobs' must be a whole number of worker processes, 1 or more, not 1.5"),
    ("timeout: 0", "'timeout' must be a number of seconds from 0.1 to 86400 (one day), not 0"),
    ("timeout: 0.05", "'timeout' must be a number of seconds from 0.1 to 86400 (one day), not 0.05"),
    ("timeout: .nan", "'timeout' must be a number of seconds from 0.1 to 86400 (one day), not nan"),
    ("timeout: 90000", "'timeout' must be a number of seconds from 0.1 to 86400 (one day), not 90000"),
    ("timeout: '30s'", "'timeout' must be a number of seconds from 0.1 to 86400 (one day), not '30s'"),
])
def test_bad_jobs_and_timeout_are_refused_at_their_line(tmp_path, text, message):
    path = write(tmp_path, ".lii-check.yaml", "format: json\n" + text + "\n")
    assert refused(path) == f"{path}:2: {message}"



def test_a_toml_configuration_saved_with_a_byte_order_mark_reads_and_places_its_keys(tmp_path):
    # --config lii-check.toml with a BOM ended in "internal error (TOMLDecodeError)"; a pyproject.toml with one lost
    # the line numbers of its keys (review9 06).
    path = tmp_path / "lii-check.toml"
    path.write_bytes(b"\xef\xbb\xbf# team settings\nformat = \"jsn\"\n")
    assert refused(path).startswith(f"{path}:2: 'format' must be one of")
    path.write_bytes(b"\xef\xbb\xbf[tool.lii-check]\nformat = \"json\"\n")
    assert load_config(path).format == "json"
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_bytes(b"\xef\xbb\xbf[tool.lii-check]\nformat = \"jsn\"\n")
    assert refused(pyproject).startswith(f"{pyproject}:2: 'format' must be one of")
