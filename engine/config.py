"""Project configuration: `[tool.lii-check]` in pyproject.toml, or `.lii-check.yaml`.

Found by walking up from the current folder, the nearest folder holding either file wins (in one
folder, `.lii-check.yaml` wins, and the run says the other is ignored). `--config FILE` names one:
YAML, or TOML when its name ends in .toml (a `[tool.lii-check]` table, or the keys at its top).
Command-line flags override what is loaded here.
"""
from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

from .textfile import NotUtf8, read_text
from .names import ENGINES, FAIL_ON, FORMATS, MAX_TIMEOUT, MIN_TIMEOUT, SEVERITIES, TIMEOUT_RANGE
from .parser import DEFAULT_MAX_BYTES
from .safe_yaml import YamlProblem, load_yaml, value_problem

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

YAML_NAME = ".lii-check.yaml"
CHOICES = {"format": FORMATS, "fail-on": FAIL_ON, "engine": ENGINES}
KEYS = ("rules", "format", "fail-on", "strict", "engine", "disable", "severity", "exclude", "extend-exclude",
        "max-bytes", "jobs", "timeout")


class ConfigError(Exception):
    """One plain line naming the file (and line where known) and what to change."""


@dataclass
class Config:
    source: Path | None
    rules: Path | None = None
    format: str | None = None
    fail_on: str | None = None
    strict: bool | None = None
    engine: str | None = None
    disable: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)
    exclude: tuple[str, ...] | None = None  # None: discovery's DEFAULT_EXCLUDES
    extend_exclude: tuple[str, ...] = ()
    max_bytes: int | None = None
    jobs: int | None = None
    timeout: float | None = None
    # pyproject.toml's [tool.lii-check] in the folder whose .lii-check.yaml was used: read by no one.
    ignored: Path | None = None
    key_lines: dict[str, int] = field(default_factory=dict, compare=False)  # where each key is set in `source`

    def where(self, key: str, value: str | None = None) -> str:
        """'file:line' of a key, or of the first line from the key on that holds `value` (a rule id under
        `disable`, a severity under `severity`); the file alone when its lines are not known."""
        line = self.key_lines.get(key)
        if self.source is None or line is None:
            return str(self.source)
        if value is not None:
            try:
                lines = read_text(self.source).splitlines()
            except (OSError, NotUtf8):
                lines = []
            token = re.compile(r"(?<![\w.-])" + re.escape(value) + r"(?![\w.-])")
            line = next((n for n in range(line, len(lines) + 1) if token.search(lines[n - 1])), line)
        return f"{self.source}:{line}"


def _table_in_pyproject(path: Path) -> dict | None:
    try:
        data = tomllib.loads(read_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_toml_problem(path, exc)) from None
    except NotUtf8 as exc:
        raise ConfigError(f"{path}:{exc.line}: {exc.message}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    except ValueError as exc:  # a value TOML allows but Python will not build, e.g. an integer of 5,000 digits
        raise ConfigError(f"{path}: a value cannot be read ({value_problem(exc)})") from None
    tools = data.get("tools")
    near = _meant_for_lii_check(tools)
    if near is not None:
        raise ConfigError(f"{path}:{_toml_table_line(path, near, 'tools')}: the table [tools.{near}] is not read: "
                          "lii-check reads [tool.lii-check] ('tool', not 'tools'); rename the table")
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        # `tool = "x"` is not a valid pyproject.toml, and it is ours to refuse: we were asked to read it.
        raise ConfigError(f"{path}:{_toml_key_line(path, 'tool')}: 'tool' must be a table such as "
                          "[tool.lii-check], not a single value")
    table = tool.get("lii-check")
    if table is None:
        # [tool.lii_check] (the import name), [tool.liicheck]: a table meant for lii-check that it would not read,
        # leaving CI on the defaults without a word
        near = _meant_for_lii_check(tool)
        if near is not None:
            raise ConfigError(f"{path}:{_toml_table_line(path, near)}: the table [tool.{near}] is not read: lii-check "
                              "reads [tool.lii-check] (with a hyphen); rename the table")
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{path}:{_toml_key_line(path, 'lii-check')}: 'lii-check' must be the table "
                          "[tool.lii-check] of 'key = value' lines")
    return table


def _toml_problem(path: Path, exc: Exception) -> str:
    """tomllib's complaint, located: at its line, or at the last line when the file ended first (an array,
    table or string left open), with what to close."""
    said = str(exc)
    m = re.search(r"\(at line (\d+), column \d+\)", said)
    if m:
        return f"{path}:{m.group(1)}: this is not valid TOML ({said.split(' (at line')[0]})"
    if "(at end of document)" in said:
        try:
            last = max(1, len(read_text(path).splitlines()))
        except (OSError, NotUtf8):
            last = 1
        return (f"{path}:{last}: this is not valid TOML ({said.split(' (at end of document)')[0]}): the file "
                "ends inside a value; close the '[', '{' or quote left open on or before this line")
    return f"{path}: this is not valid TOML ({said})"


def _meant_for_lii_check(tables: object) -> str | None:
    """The key of a table that spells lii-check another way ("lii_check", "liicheck", "LII-CHECK"), if any."""
    if not isinstance(tables, dict):
        return None
    return next((k for k in tables if isinstance(k, str) and re.sub(r"[\s_.-]", "", k.lower()) == "liicheck"), None)


def _toml_table_line(path: Path, key: str, parent: str = "tool") -> int:
    """The line of a [PARENT.KEY] header (or of a dotted `PARENT.KEY.x =` key), for pointing at a misnamed table."""
    text = read_text(path)
    m = re.search(rf'^[ \t]*\[[ \t]*{parent}[ \t]*\.[ \t]*"?{re.escape(key)}"?[ \t]*[\].]', text, re.MULTILINE) \
        or re.search(rf'^[ \t]*{parent}\."?{re.escape(key)}"?\.', text, re.MULTILINE)
    return text[: m.start()].count("\n") + 1 if m else 1


def _toml_key_line(path: Path, key: str) -> int:
    """The line where a key is first assigned (good enough to point at, TOML has no marks)."""
    text = read_text(path)
    pattern = re.compile(rf'^[ \t]*(?:[\w."-]+\.)?"?{re.escape(key)}"?\s*=', re.MULTILINE)
    m = pattern.search(text)
    return text[: m.start()].count("\n") + 1 if m else 1


def ignored_beside(found: Path) -> Path | None:
    """The pyproject.toml with a [tool.lii-check] table next to the .lii-check.yaml that wins over it: a
    user editing it would see nothing change, so the run says so. A pyproject.toml that cannot be read
    is not ours to complain about here: it is not used."""
    pyproject = found.parent / "pyproject.toml"
    if found.name != YAML_NAME or not pyproject.is_file():
        return None
    try:
        return pyproject if _table_in_pyproject(pyproject) is not None else None
    except ConfigError:
        return None


def _present(path: Path) -> bool:
    """Is there anything by this name (a broken link, a folder and a FIFO count: a configuration that is
    there but cannot be read must stop the run, not be passed over for a parent's or the defaults)?"""
    return path.is_symlink() or path.exists()


def _refuse_untrusted(path: Path) -> None:
    """A configuration found by searching upwards that another account could have written (it belongs to someone
    else, or anyone may write it: a shared /tmp, a parent folder outside the checkout) could turn rules off or set
    `fail-on: never` unseen: it is refused, as the cache refuses entries it cannot trust. A file named with
    --config is the user's own choice and is read as it is."""
    if not hasattr(os, "getuid"):
        return
    try:
        info = os.stat(path)
    except OSError:
        return  # reading it says why
    if info.st_uid not in (os.getuid(), 0) or info.st_mode & 0o002:
        whose = "anyone may write it" if info.st_mode & 0o002 else "it belongs to another account"
        raise ConfigError(f"{path}: found while searching for a configuration, but {whose}, so lii-check does not "
                          "take settings from it: fix its owner or permissions (chmod o-w), remove it, or name your "
                          "configuration with --config")


# Names a QA lead might give the configuration file that lii-check would not read: found where the real name is
# not, each stops the run with the name to use (CI would otherwise run on the defaults without a word).
# Dotted names only: "lii-check.yml" without the dot is as likely a CI template for running lii-check.
NEAR_YAML_NAMES = (".lii-check.yml", ".lii_check.yaml", ".lii_check.yml", ".liicheck.yaml", ".liicheck.yml",
                   ".lii-check.yaml.yml", ".lii-check.toml", ".lii-check.json", ".lii-check.yaml")  # any case


def _near_miss(folder: Path) -> None:
    try:
        names = sorted(os.listdir(folder))  # compared in any case: ".LII-CHECK.yaml", ".lii-check.YML"
    except OSError:
        return
    near = {n.lower() for n in NEAR_YAML_NAMES}
    for name in names:
        if name.lower() in near and name != YAML_NAME:
            raise ConfigError(f"{folder / name}: lii-check does not read a configuration by this name, so its settings "
                              f"would be ignored: rename it to {YAML_NAME} (or move its settings into [tool.lii-check] "
                              "in pyproject.toml)")


def find_config(start: Path) -> Path | None:
    start = Path(os.path.realpath(start))  # never raises: a loop of links resolves as far as it goes
    for folder in [start, *start.parents]:
        if _present(folder / YAML_NAME):
            return folder / YAML_NAME
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            if _table_in_pyproject(pyproject) is not None:
                return pyproject
        elif _present(pyproject):
            raise ConfigError(f"{pyproject}: not a regular file, so lii-check cannot tell whether it holds a "
                              "[tool.lii-check] table: make it a file (or remove it)")
        _near_miss(folder)  # only where no configuration is found: a real one beside a look-alike is used
    return None


def _yaml_lines(node: yaml.Node | None) -> dict[str, int]:
    """Top-level key -> line, so a bad value can be pointed at."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode)}


def _toml_lines(text: str, top_level: bool = False) -> dict[str, int]:
    """Key -> line of the keys in [tool.lii-check] (or, `top_level`, before any table)."""
    lines: dict[str, int] = {}
    inside = top_level
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            inside = not top_level and stripped.replace(" ", "") in ("[tool.lii-check]", '[tool."lii-check"]')
            continue
        m = re.match(r'^"?([\w-]+)"?\s*=', stripped)
        if inside and m:
            lines.setdefault(m.group(1), number)
    return lines


def _load_raw(path: Path) -> tuple[dict, dict[str, int]]:
    if path.name == "pyproject.toml":
        table = _table_in_pyproject(path)
        if table is None:
            raise ConfigError(f"{path}: has no [tool.lii-check] table")
        return table, _toml_lines(read_text(path))
    if path.suffix.lower() == ".toml":
        # Another TOML file (`--config lii-check.toml`): a [tool.lii-check] table as in pyproject.toml,
        # else the keys at its top level.
        table = _table_in_pyproject(path)
        if table is not None:
            return table, _toml_lines(read_text(path))
        data = tomllib.loads(read_text(path))  # valid: _table_in_pyproject read it
        return data, _toml_lines(read_text(path), top_level=True)
    try:
        text = read_text(path)
    except NotUtf8 as exc:
        raise ConfigError(f"{path}:{exc.line}: {exc.message}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    try:
        data, node = load_yaml(text.lstrip("\ufeff"))
    except YamlProblem as exc:
        raise ConfigError(f"{path}:{exc.line}: this is not valid YAML ({exc.message}){_formats_hint(path)}") from None
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: the configuration must be a block of 'key: value' lines{_formats_hint(path)}")
    # YAML keeps the last of two equal keys; `fail-on: error` then `fail-on: never` must not pass quietly
    # (TOML and the rule files refuse them too).
    from .rulebook.yamlsource import duplicate_keys

    duplicates: list[tuple[int, int, str]] = []
    duplicate_keys(node, duplicates)
    if duplicates:
        line, _col, message = duplicates[0]
        raise ConfigError(f"{path}:{line}: {message}")
    return data, _yaml_lines(node)


def _formats_hint(path: Path) -> str:
    if path.suffix.lower() in (".yaml", ".yml"):
        return ""
    return " (a configuration file is YAML, or TOML when its name ends in .toml)"


def load_config(path: Path | None = None, start: Path | None = None) -> Config:
    ignored = None
    if path is None:
        path = find_config(start or Path.cwd())
        if path is None:
            return Config(source=None)
        if not path.is_file():
            raise ConfigError(f"{path}: not a regular file (a broken link, a folder or a pipe): lii-check reads its "
                              "configuration from here, so make it a file or remove it")
        _refuse_untrusted(path)
        ignored = ignored_beside(path)
    elif not path.is_file():
        if path.exists() or path.is_symlink():
            raise ConfigError(f"{path}: not a regular file: give the path of a YAML or TOML configuration file")
        raise ConfigError(f"{path}: no such configuration file")
    raw, lines = _load_raw(path)

    def where(key: str) -> str:
        return f"{path}:{lines[key]}" if key in lines else str(path)

    config = Config(source=path, ignored=ignored, key_lines=dict(lines))
    for key, value in raw.items():
        if key not in KEYS:
            guess = difflib.get_close_matches(str(key), KEYS, n=1)
            hint = f"did you mean '{guess[0]}'?" if guess else f"allowed keys: {', '.join(KEYS)}"
            raise ConfigError(f"{where(key)}: unknown key '{key}': {hint}")
        config_value = _check(key, value, where(key), lambda needle, key=key: config.where(key, needle))
        if key == "rules":
            config.rules = (path.parent / config_value).resolve()
        else:
            setattr(config, key.replace("-", "_"), config_value)
    return config


def _shown(value: Any, words: bool = False) -> str:
    """A value as the file wrote it, not as Python prints it: YAML reads `off`, `no` and `false` as false and an
    empty value or `~` as null, so "not 'False'" or "not 'None'" named something nobody wrote. `words`: the key
    takes a word, which YAML took for true or false unless quoted."""
    if isinstance(value, bool):
        hint = " (YAML reads on/off, yes/no and true/false as true or false: quote the word)" if words else ""
        return str(value).lower() + hint
    if value is None:
        return "an empty value"
    return repr(value) if not isinstance(value, str) else f"'{value}'"


def _check(key: str, value: Any, where: str, locate: Callable[[str], str] | None = None) -> Any:
    if key in CHOICES:
        if value not in CHOICES[key]:
            guess = difflib.get_close_matches(str(value), CHOICES[key], n=1)
            hint = f" — did you mean '{guess[0]}'?" if guess else ""
            raise ConfigError(f"{where}: '{key}' must be one of {', '.join(CHOICES[key])}, not {_shown(value, words=True)}{hint}")
        return value
    if key == "strict":
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: 'strict' must be true or false, not {_shown(value)}")
        return value
    if key == "rules":
        if not isinstance(value, str) or not value or "\x00" in value:
            raise ConfigError(f"{where}: 'rules' must be the path of a rulebook folder")
        return value
    if key in ("exclude", "extend-exclude"):
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise ConfigError(f"{where}: '{key}' must be a list of file patterns such as ['README.md', 'drafts/**']")
        return tuple(value)
    if key == "max-bytes":
        # bool is an int in Python: `max-bytes: true` must not read as a limit of 1 byte.
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"{where}: 'max-bytes' must be a whole number of bytes above 0, not {_shown(value)}")
        return value
    if key == "jobs":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"{where}: 'jobs' must be a whole number of worker processes, 1 or more, not {_shown(value)}")
        return value
    if key == "timeout":
        # bool is an int, and nan/inf are floats: none of them is a time budget.
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not MIN_TIMEOUT <= value <= MAX_TIMEOUT:
            raise ConfigError(f"{where}: 'timeout' must be {TIMEOUT_RANGE}, not {_shown(value)}")
        return float(value)
    if key == "disable":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: 'disable' must be a list of rule ids")
        return tuple(value)
    # severity
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise ConfigError(f"{where}: 'severity' must map rule ids to error, warning or info")
    for rule, level in value.items():
        if level not in SEVERITIES:
            at = locate(str(level)) if locate else where
            raise ConfigError(f"{at}: the severity of '{rule}' must be error, warning or info, not '{level}'")
    return dict(value)


def check_rule_ids(config: Config, known: list[str]) -> list[str]:
    from .builtin_rules import no_such_rule, refused_rule_ids

    configured = [*config.disable, *config.severity]
    key_of = {**{rule: "severity" for rule in config.severity}, **{rule: "disable" for rule in config.disable}}
    problems = [f"{config.source}: {reason}" for reason in refused_rule_ids(configured)]
    for rule in configured:
        if rule not in known and not refused_rule_ids([rule]):
            problems.append(f"{config.where(key_of[rule], rule)}: {no_such_rule(rule, known)}")
    return problems


def describe(config: Config) -> str:
    source = str(config.source) if config.source else "none found (defaults; searched from the current folder up)"
    rows = [
        ("rules", str(config.rules) if config.rules else None, "the bundled rulebook"),
        ("format", config.format, "table"),
        ("fail-on", config.fail_on, "error"),
        ("strict", None if config.strict is None else str(config.strict).lower(), "false"),
        ("engine", config.engine, "auto"),
        ("disable", ", ".join(config.disable) or None, "nothing"),
        ("severity", ", ".join(f"{k}={v}" for k, v in sorted(config.severity.items())) or None, "as in the rules"),
        ("exclude", None if config.exclude is None else ", ".join(config.exclude) or "nothing",
         "the default non-report files (see README)"),
        ("extend-exclude", ", ".join(config.extend_exclude) or None, "nothing"),
        ("max-bytes", None if config.max_bytes is None else str(config.max_bytes), str(DEFAULT_MAX_BYTES)),
        ("jobs", None if config.jobs is None else str(config.jobs), "the machine's cores"),
        ("timeout", None if config.timeout is None else f"{config.timeout:g} s", "30 s per report"),
    ]
    width = max(len(k) for k, _, _ in rows)
    lines = [f"configuration file: {source}"]
    if config.ignored:
        lines.append(f"ignored: {config.ignored} ([tool.lii-check]; {YAML_NAME} in the same folder wins)")
    lines += [f"  {k:<{width}}  {v if v is not None else d + ' (default)'}" for k, v, d in rows]
    return "\n".join(lines) + "\n"
