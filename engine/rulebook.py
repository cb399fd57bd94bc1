"""Loading and validating a rulebook: a folder of YAML files, one theme per file.

Every problem in every file is collected before anything is reported, each located as
``file:line:col`` and phrased as a fix, because the people who edit these files are QA leads.
"""
from __future__ import annotations

import dataclasses
import difflib
import json
import re
import string
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

BUNDLED = "(bundled)"
# What an expectation's message may quote, e.g. "The text reads as band {evidence}".
PLACEHOLDERS = ("awarded", "evidence", "index", "label", "descriptor", "theme", "count")


@dataclass(frozen=True)
class RuleProblem:
    file: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


class RulebookInvalid(Exception):
    def __init__(self, problems: list[RuleProblem]):
        super().__init__(f"{len(problems)} problem(s) in the rules")
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.col, p.message))


@dataclass
class Signal:
    id: str
    theme: str | None  # None: a language-wide signal that applies to every theme
    level: str
    description: str
    framework: str
    impact: bool
    patterns: list[re.Pattern]
    examples: dict[str, list[str]]
    file: str
    line: int


@dataclass
class Expectation:
    id: str  # "<theme or consistency>.<id>"
    theme: str
    scope: str  # "theme" or "report"
    applies_to: tuple[int, ...]
    when: dict[str, Any]
    severity: str
    message: str
    description: str
    framework: str
    cite: tuple[str, ...]
    examples: dict[str, list[dict]]
    file: str
    line: int


@dataclass
class Theme:
    id: str
    title: str
    framework: str
    weight: float
    description: str
    topic: list[re.Pattern]
    signals: list[Signal]
    expectations: list[Expectation]
    file: str


@dataclass
class Language:
    framework: str
    clause_breaks: list[re.Pattern]
    negation_window: int
    negation: list[re.Pattern]
    counter: list[re.Pattern]
    intention: list[re.Pattern]
    hedging: list[re.Pattern]
    attribution: dict[str, list[re.Pattern]]
    signals: list[Signal]
    examples: dict[str, dict[str, list[str]]]  # negation / intention / hedging -> fires/quiet/todo
    file: str


@dataclass
class Scoring:
    framework: str
    values: dict[str, float]
    prior_value: float
    prior_weight: float
    leaders_only_discount: float
    affirmation_weight: float
    strong_share_bonus: float
    bands: dict[int, float]
    clear: dict[int, float]
    expectations: list[Expectation]
    file: str


@dataclass
class Rulebook:
    path: str
    themes: list[Theme]
    language: Language
    scoring: Scoring
    files: list[str] = field(default_factory=list)
    # Derived, rebuildable data (combined patterns, per-clause hits); never part of the rules.
    cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def framework(self) -> str:
        return self.scoring.framework

    def theme(self, theme_id: str) -> Theme | None:
        return next((t for t in self.themes if t.id == theme_id), None)

    def expectations(self) -> list[Expectation]:
        return [e for t in self.themes for e in t.expectations] + list(self.scoring.expectations)

    def signals(self) -> list[Signal]:
        return list(self.language.signals) + [s for t in self.themes for s in t.signals]


def bundled_rules_dir() -> Path:
    return Path(str(resources.files("lii_check.rules")))


def load_schema() -> dict:
    return json.loads((resources.files("lii_check") / "schema" / "rulebook.schema.json").read_text("utf-8"))


def phrase_pattern(phrase: str) -> str:
    """A plain phrase as a regex: any case, whole words, flexible spaces and hyphens, word* wildcard."""
    words = []
    for word in phrase.strip().split():
        star = word.endswith("*")
        body = re.escape(word.rstrip("*")).replace("'", "['’]").replace("\\-", "[\\s-]?")
        words.append(body + (r"\w*" if star else ""))
    start = r"\b" if re.match(r"\w", phrase.strip()) else ""
    end = r"\b" if re.search(r"\w$", phrase.strip()) else ""
    return start + r"[\s-]+".join(words) + end


# ---------------------------------------------------------------------------------------------
# Locating problems in the YAML source


class _Located:
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


def _duplicate_keys(node: yaml.Node, problems: list[tuple[int, int, str]]) -> None:
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
            _duplicate_keys(v, problems)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _duplicate_keys(item, problems)


def _where_in_path(path: list) -> str:
    parts = []
    for step in path:
        parts.append(f"item {step + 1}" if isinstance(step, int) else f"'{step}'")
    return " in " + " > ".join(parts) if parts else ""


def _allowed_keys(schema: dict, validator_schema: dict) -> list[str]:
    props = validator_schema.get("properties", {})
    return sorted(k for k in props if k != "kind") if props else []


def _plain(error: jsonschema.ValidationError, schema: dict) -> tuple[list, bool, str]:
    """(data path to point at, point at the key?, plain-English message with the fix)."""
    path = list(error.absolute_path)
    v = error.validator
    inside = _where_in_path(path)
    if v == "additionalProperties":
        allowed = _allowed_keys(schema, error.schema)
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        key = extra[0] if extra else "?"
        guess = difflib.get_close_matches(key, allowed, n=1)
        hint = f"did you mean '{guess[0]}'?" if guess else f"allowed keys here: {', '.join(allowed)}"
        return path + [key], True, f"unknown key '{key}'{inside}: {hint}"
    if v == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        name = missing[0] if missing else error.message
        return path, False, f"missing key '{name}'{inside}: add it (see rules/README.md)"
    if v == "enum":
        options = [str(o) for o in error.validator_value]
        guess = difflib.get_close_matches(str(error.instance), options, n=1)
        hint = f" — did you mean '{guess[0]}'?" if guess else ""
        return path, False, f"'{error.instance}' is not allowed{inside}; use one of: {', '.join(options)}{hint}"
    if v == "const":
        return path, False, f"'{error.instance}' is not allowed{inside}; it must be '{error.validator_value}'"
    if v == "type":
        wanted = error.validator_value
        names = {"array": "a list", "object": "a block of keys", "string": "text", "integer": "a whole number",
                 "number": "a number", "boolean": "true or false"}
        wanted_text = " or ".join(names.get(w, w) for w in (wanted if isinstance(wanted, list) else [wanted]))
        return path, False, f"this should be {wanted_text}{inside}, not {type(error.instance).__name__}"
    if v == "pattern":
        desc = error.schema.get("description", f"text matching {error.validator_value}")
        return path, False, f"'{error.instance}' is not in the expected form{inside}: {desc}"
    if v in ("minItems", "minLength", "minProperties"):
        return path, False, f"this is empty{inside}: give at least one entry"
    if v in ("minimum", "maximum", "exclusiveMinimum"):
        return path, False, f"{error.instance} is out of range{inside} ({v.replace('exclusiveM', 'above m')} {error.validator_value})"
    if v == "uniqueItems":
        return path, False, f"this list repeats an entry{inside}: list each once"
    if v == "anyOf" and "phrases" in json.dumps(error.validator_value):
        return path, False, f"this signal has no cues{inside}: add 'phrases' (or 'regex')"
    return path, False, f"{error.message}{inside}"


def _deepest(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
    """The specific causes behind an if/then or allOf failure, not the wrapper."""
    if error.context:
        out = []
        for sub in error.context:
            out.extend(_deepest(sub))
        return out
    return [error]


# ---------------------------------------------------------------------------------------------
# Loading


def _read_yaml(path: Path, display: str) -> tuple[Any, _Located | None, list[RuleProblem]]:
    from .safe_yaml import YamlProblem, load_yaml

    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, None, [RuleProblem(display, 1, 1, "the file is not UTF-8 text: re-save it as UTF-8")]
    except OSError as exc:
        return None, None, [RuleProblem(display, 1, 1, f"cannot read the file: {exc.strerror or exc}")]
    try:
        data, node = load_yaml(text)
    except YamlProblem as exc:
        if not exc.syntax:
            return None, None, [RuleProblem(display, exc.line, exc.col, f"unusable YAML: {exc.message}")]
        hint = " (check the indentation and that every 'key: value' has a space after the colon)"
        if "tab" in exc.message:
            hint = " (indent with spaces, not tabs)"
        return None, None, [RuleProblem(display, exc.line, exc.col, f"YAML syntax error: {exc.message}{hint}")]
    if node is None:
        return None, None, [RuleProblem(display, 1, 1, "the file is empty: a rule file needs 'kind:' and its keys")]
    problems: list[tuple[int, int, str]] = []
    _duplicate_keys(node, problems)
    return data, _Located(node), [RuleProblem(display, ln, col, msg) for ln, col, msg in problems]


def _compile(cues: dict) -> list[re.Pattern]:
    """Compile a cue block; invalid patterns were already reported by _cue_problems."""
    patterns = []
    for kind in ("phrases", "regex"):
        for text in cues.get(kind, []) or []:
            try:
                pattern = re.compile(phrase_pattern(text) if kind == "phrases" else text, re.IGNORECASE)
            except (re.error, TypeError):
                continue
            patterns.append(pattern)
    return patterns


def _cue_problems(data: Any, located: _Located, display: str, path: list | None = None) -> list[RuleProblem]:
    """Every invalid or match-everything pattern anywhere in a file, whatever else is wrong with it."""
    path = path or []
    problems: list[RuleProblem] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("phrases", "regex") and isinstance(value, list):
                for i, text in enumerate(value):
                    if not isinstance(text, str):
                        continue
                    line, col = located.where(path + [key, i])
                    try:
                        pattern = re.compile(phrase_pattern(text) if key == "phrases" else text, re.IGNORECASE)
                    except re.error as exc:
                        problems.append(RuleProblem(display, line, col, f"the regular expression '{text}' is invalid "
                                                                        f"({exc.msg}); fix it or write it as a plain phrase"))
                        continue
                    if pattern.search("") is not None:
                        problems.append(RuleProblem(display, line, col, f"'{text}' matches empty text, so it would "
                                                                        "match every sentence; make it more specific"))
            else:
                problems.extend(_cue_problems(value, located, display, path + [key]))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            problems.extend(_cue_problems(item, located, display, path + [i]))
    return problems


def _signals(items: list, theme: str | None, framework: str, located: _Located, display: str,
             problems: list[RuleProblem], base: list) -> list[Signal]:
    out = []
    for i, item in enumerate(items or []):
        where = base + [i]
        out.append(Signal(
            id=item["id"], theme=theme, level=item["level"], description=item["description"],
            framework=item.get("framework", framework), impact=bool(item.get("impact", False)),
            patterns=_compile(item),
            examples={k: list(item["examples"].get(k, [])) for k in ("fires", "quiet", "todo")},
            file=display, line=located.where(where)[0],
        ))
    return out


def _placeholder_problems(items: list, located: _Located, display: str, base: list) -> list[RuleProblem]:
    problems = []
    for i, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict) or not isinstance(item.get("message"), str):
            continue
        try:
            names = [n for _, n, _, _ in string.Formatter().parse(item["message"]) if n is not None]
        except ValueError as exc:
            line, col = located.where(base + [i, "message"])
            problems.append(RuleProblem(display, line, col, f"the message has a stray brace ({exc}); write {{{{ or }}}} "
                                                            "for a literal brace"))
            continue
        for name in names:
            if name not in PLACEHOLDERS:
                line, col = located.where(base + [i, "message"])
                guess = difflib.get_close_matches(name, PLACEHOLDERS, n=1)
                hint = f"did you mean '{{{guess[0]}}}'?" if guess else "use one of " + ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
                problems.append(RuleProblem(display, line, col, f"the message quotes '{{{name}}}', which lii-check does not "
                                                                f"know: {hint}"))
    return problems


def _expectations(items: list, owner: str, scope: str, framework: str, located: _Located, display: str,
                  base: list) -> list[Expectation]:
    return [
        Expectation(
            id=f"{owner}.{item['id']}", theme=owner, scope=scope, applies_to=tuple(sorted(item["applies_to"])),
            when=dict(item["when"]), severity=item["severity"], message=" ".join(item["message"].split()),
            description=" ".join(item["description"].split()), framework=item.get("framework", framework),
            cite=tuple(item.get("cite", ())),
            examples={k: list(item["examples"].get(k, [])) for k in ("fires", "quiet", "todo")},
            file=display, line=located.where(base + [i])[0],
        )
        for i, item in enumerate(items or [])
    ]


def load_rulebook(directory: Path | str | None = None) -> Rulebook:
    """Load and validate every *.yaml file in a rulebook folder; raise RulebookInvalid listing all problems."""
    if directory is None:
        root, label = bundled_rules_dir(), BUNDLED
    else:
        root, label = Path(directory), str(directory)
    if not root.is_dir():
        raise RulebookInvalid([RuleProblem(str(root), 1, 1, "the rules folder does not exist or is not a folder")])
    schema = load_schema()
    validator = jsonschema.Draft202012Validator(schema)
    problems: list[RuleProblem] = []
    themes: list[Theme] = []
    languages: list[Language] = []
    scorings: list[Scoring] = []
    files = sorted(p for p in root.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    for path in files:
        display = path.name if label == BUNDLED else str(path)
        data, located, file_problems = _read_yaml(path, display)
        problems.extend(file_problems)
        if located is None:
            continue
        if not isinstance(data, dict):
            problems.append(RuleProblem(display, 1, 1, "a rule file must be a block of 'key: value' lines starting with 'kind:'"))
            continue
        problems.extend(_cue_problems(data, located, display))
        problems.extend(_placeholder_problems(data.get("expectations", []), located, display, ["expectations"]))
        errors = []
        for error in validator.iter_errors(data):
            errors.extend(_deepest(error))
        seen = set()
        plain = [(_plain(error, schema)) for error in errors]
        # "unknown key 'severty' … did you mean 'severity'?" already says what "missing key 'severity'" would.
        guessed = {re.sub(r"^unknown key '[^']*'(.*): did you mean '([^']*)'\?$", r"\2\1", m)
                   for _, _, m in plain if "did you mean" in m}
        for where, at_key, message in plain:
            missing = re.match(r"^missing key '([^']*)'(.*): add it", message)
            if missing and missing.group(1) + missing.group(2) in guessed:
                continue
            line, col = located.where(where, key=at_key)
            if (line, col, message) not in seen:
                seen.add((line, col, message))
                problems.append(RuleProblem(display, line, col, message))
        if errors:
            continue
        framework = data["framework"]
        if data["kind"] == "theme":
            if data["theme"] != path.stem:
                line, col = located.where(["theme"])
                problems.append(RuleProblem(display, line, col,
                                            f"the theme is called '{data['theme']}' but the file is '{path.name}': "
                                            f"rename one so they match (one theme, one file)"))
            theme = Theme(
                id=data["theme"], title=data["title"], framework=framework, weight=float(data["weight"]),
                description=" ".join(data["description"].split()),
                topic=_compile(data["topic"]),
                signals=_signals(data.get("signals", []), data["theme"], framework, located, display, problems, ["signals"]),
                expectations=_expectations(data.get("expectations", []), data["theme"], "theme", framework,
                                           located, display, ["expectations"]),
                file=display,
            )
            themes.append(theme)
        elif data["kind"] == "language":
            languages.append(Language(
                framework=framework,
                clause_breaks=_compile(data["clause_breaks"]),
                negation_window=int(data["negation"]["window"]),
                negation=_compile(data["negation"]["cues"]),
                counter=_compile(data["negation"].get("counter_cues", {})),
                intention=_compile(data["intention"]["cues"]),
                hedging=_compile(data["hedging"]["cues"]),
                attribution={k: _compile(v)
                             for k, v in data["attribution"].items()},
                signals=_signals(data["signals"], None, framework, located, display, problems, ["signals"]),
                examples={k: {e: list(data[k]["examples"].get(e, [])) for e in ("fires", "quiet", "todo")}
                          for k in ("negation", "intention", "hedging")},
                file=display,
            ))
        else:
            bands = {int(k): float(v) for k, v in data["bands"].items()}
            clear = {int(k): float(v) for k, v in data["clear"].items()}
            if not clear[4] > bands[4] > bands[3] > bands[2] > clear[1]:
                line, col = located.where(["bands"])
                problems.append(RuleProblem(display, line, col,
                                            "the marks must rise: clear 1 below the mark for 2, then 3, then 4, then clear 4"))
            scorings.append(Scoring(
                framework=framework, values={k: float(v) for k, v in data["values"].items()},
                prior_value=float(data["prior"]["value"]), prior_weight=float(data["prior"]["weight"]),
                leaders_only_discount=float(data.get("leaders_only_discount", 1.0)),
                affirmation_weight=float(data.get("affirmation_weight", 0.0)),
                strong_share_bonus=float(data.get("strong_share_bonus", 0.0)),
                bands=bands, clear=clear,
                expectations=_expectations(data["expectations"], "consistency", "report", framework,
                                           located, display, ["expectations"]),
                file=display,
            ))
    for kind, found in (("language", languages), ("scoring", scorings)):
        if len(found) != 1:
            what = "no file" if not found else f"{len(found)} files"
            problems.append(RuleProblem(label, 1, 1, f"a rulebook needs exactly one file with 'kind: {kind}'; found {what}"))
    if not themes and not problems:
        problems.append(RuleProblem(label, 1, 1, "the rulebook has no theme files: add at least one file with 'kind: theme'"))
    problems.extend(_duplicate_ids(themes, languages, scorings))
    if problems:
        raise RulebookInvalid(problems)
    return Rulebook(path=label, themes=sorted(themes, key=lambda t: t.id), language=languages[0],
                    scoring=scorings[0], files=[p.name for p in files])


def _duplicate_ids(themes: list[Theme], languages: list[Language], scorings: list[Scoring]) -> list[RuleProblem]:
    problems = []
    seen: dict[str, tuple[str, int]] = {}
    items = [(s.id, s.file, s.line, "signal") for lang in languages for s in lang.signals]
    items += [(f"{t.id}:{s.id}", s.file, s.line, "signal") for t in themes for s in t.signals]
    items += [(e.id, e.file, e.line, "expectation") for t in themes for e in t.expectations]
    items += [(e.id, e.file, e.line, "expectation") for s in scorings for e in s.expectations]
    for ident, file, line, what in items:
        if ident in seen:
            first = seen[ident]
            problems.append(RuleProblem(file, line, 1, f"the {what} id '{ident.split(':')[-1]}' is already used at "
                                                       f"{first[0]}:{first[1]}; give it a different id"))
        else:
            seen[ident] = (file, line)
    return problems


def with_overrides(rulebook: Rulebook, disable: tuple[str, ...] | list[str] = (),
                   severity: dict[str, str] | None = None) -> Rulebook:
    """The rulebook with some expectations switched off and some severities changed (from configuration)."""
    severity = severity or {}
    if not disable and not severity:
        return rulebook

    def adjust(items: list[Expectation]) -> list[Expectation]:
        return [dataclasses.replace(e, severity=severity.get(e.id, e.severity)) for e in items if e.id not in disable]

    themes = [dataclasses.replace(t, expectations=adjust(t.expectations)) for t in rulebook.themes]
    scoring = dataclasses.replace(rulebook.scoring, expectations=adjust(rulebook.scoring.expectations))
    return dataclasses.replace(rulebook, themes=themes, scoring=scoring, cache={})
