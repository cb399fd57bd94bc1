"""Loading and validating a rulebook: a folder of YAML files, one theme per file.

Every problem in every file is collected before anything is reported, each located as
``file:line:col`` and phrased as a fix, because the people who edit these files are QA leads.
"""
from __future__ import annotations

import dataclasses
import difflib
import functools
import json
import os
import pickle
import re
import string
from importlib import resources
from pathlib import Path
from typing import Any


from .. import cache
from . import stored
from .cues import cue_regex, regex_problem
from .messages import deepest, kind_problem, plain, rule_file_kinds, sibling_kind_schemas
from .model import (BUNDLED, PLACEHOLDERS, Cue, CueList, Expectation, Language, RuleProblem, Rulebook,
                    RulebookInvalid, Scoring, Signal, Theme)
from .yamlsource import Located, read_yaml


def bundled_rules_dir() -> Path:
    return Path(str(resources.files("lii_check.rules")))


def load_schema_text() -> str:
    return (resources.files("lii_check") / "schema" / "rulebook.schema.json").read_text("utf-8")


def load_schema() -> dict:
    return json.loads(load_schema_text())


def _cues(block: dict | None, located: Located, display: str, path: list) -> CueList:
    """A cue block ({phrases, regex, unless}) as cues that remember their file and line.

    Cues with problems were already reported by _cue_problems and are left out here."""
    block = block if isinstance(block, dict) else {}

    def collect(data: dict, base: list) -> tuple[Cue, ...]:
        out = []
        for key, kind in (("phrases", "phrase"), ("regex", "regex")):
            for i, text in enumerate(data.get(key) or []):
                if not isinstance(text, str):
                    continue
                regex = cue_regex(text, kind)
                if regex_problem(regex, text, kind):
                    continue
                out.append(Cue(text, kind, regex, display, located.where(base + [key, i])[0]))
        return tuple(out)

    unless = block.get("unless") if isinstance(block.get("unless"), dict) else {}
    return CueList(collect(block, path), collect(unless, path + ["unless"]))


def _cue_problems(data: Any, located: Located, display: str, path: list | None = None) -> list[RuleProblem]:
    """Every invalid, match-everything or non-linear pattern anywhere in a file, whatever else is wrong with it."""
    path = path or []
    problems: list[RuleProblem] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("phrases", "regex") and isinstance(value, list):
                for i, text in enumerate(value):
                    if not isinstance(text, str):
                        continue
                    kind = "phrase" if key == "phrases" else "regex"
                    problem = regex_problem(cue_regex(text, kind), text, kind)
                    if problem:
                        line, col = located.where(path + [key, i])
                        problems.append(RuleProblem(display, line, col, problem))
            else:
                problems.extend(_cue_problems(value, located, display, path + [key]))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            problems.extend(_cue_problems(item, located, display, path + [i]))
    return problems


def _signals(items: list, theme: str | None, framework: str, located: Located, display: str,
             base: list) -> list[Signal]:
    out = []
    for i, item in enumerate(items or []):
        where = base + [i]
        out.append(Signal(
            id=item["id"], theme=theme, level=item["level"], description=item["description"],
            framework=item.get("framework", framework), impact=bool(item.get("impact", False)),
            cues=_cues(item, located, display, where),
            examples={k: list(item["examples"].get(k, [])) for k in ("fires", "quiet", "todo")},
            file=display, line=located.where(where)[0],
            example_lines={k: [located.where(where + ["examples", k, j])[0]
                               for j in range(len(item["examples"].get(k, [])))] for k in ("fires", "quiet", "todo")},
        ))
    return out


def _placeholder_problems(items: list, located: Located, display: str, base: list) -> list[RuleProblem]:
    problems = []
    for i, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict) or not isinstance(item.get("message"), str):
            continue
        try:
            fields = [(n, spec, conv) for _, n, spec, conv in string.Formatter().parse(item["message"]) if n is not None]
        except ValueError as exc:
            line, col = located.where(base + [i, "message"])
            problems.append(RuleProblem(display, line, col, f"the message has a stray brace ({exc}); write {{{{ or }}}} "
                                                            "for a literal brace"))
            continue
        names = [n for n, _spec, _conv in fields]
        for name, spec, conv in fields:
            if spec or conv:
                # "{index:.1f}" or "{awarded!r}": every placeholder is filled with ready-made text, so a format
                # would end the run ("Unknown format code 'f'"), and "{awarded:>999999999}" builds a gigabyte.
                line, col = located.where(base + [i, "message"])
                written = "{" + name + (f"!{conv}" if conv else "") + (f":{spec}" if spec else "") + "}"
                problems.append(RuleProblem(display, line, col, f"the message formats a placeholder ('{written}'), but "
                                                                f"placeholders are filled with text as it is: write "
                                                                f"{{{name}}}"))
        for name in names:
            if name not in PLACEHOLDERS:
                line, col = located.where(base + [i, "message"])
                guess = difflib.get_close_matches(name, PLACEHOLDERS, n=1)
                hint = f"did you mean '{{{guess[0]}}}'?" if guess else "use one of " + ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
                problems.append(RuleProblem(display, line, col, f"the message quotes '{{{name}}}', which lii-check does not "
                                                                f"know: {hint}"))
    return problems


def _expectations(items: list, owner: str, scope: str, framework: str, located: Located, display: str,
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


RULE_SUFFIXES = (".yaml", ".yml")


def rule_files(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.suffix in RULE_SUFFIXES and p.is_file())


# A rules folder holds a few dozen files; one with more below it than this was given by mistake (`--rules /`),
# and walking it all for stray rule files would take minutes.
MAX_ENTRIES_BELOW = 5_000


def stray_rule_files(root: Path, allowed: tuple[str, ...] = ()) -> list[Path]:
    """YAML files a rules folder holds but lii-check does not read: in a subfolder (a rules folder is
    flat), ending in an upper-case '.YAML'/'.YML', or named like a rule file but not a regular
    file (a broken link, a folder, a pipe). Each is an author's mistake (a rule that silently does nothing),
    so the load reports it. Hidden folders and the folders in `allowed` (an overlay's base kept below it, as
    real paths) are left alone. After MAX_ENTRIES_BELOW entries the walk stops and the folder itself is
    returned last, as the sign that it is too big to be a rules folder."""
    found = [p for p in root.iterdir() if p.suffix.lower() in RULE_SUFFIXES
             and (p.suffix not in RULE_SUFFIXES or not p.is_file())]
    seen = 0
    for sub in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for folder, dirs, names in os.walk(sub):
            seen += len(dirs) + len(names)
            if seen > MAX_ENTRIES_BELOW:
                return sorted(found) + [root]
            if os.path.realpath(folder) in allowed:
                dirs.clear()
                continue
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            found.extend(Path(folder) / n for n in sorted(names) if Path(n).suffix.lower() in RULE_SUFFIXES)
    return sorted(found)


def stray_problems(root: Path, label: str, allowed: tuple[str, ...] = ()) -> list[RuleProblem]:
    problems = []
    strays = stray_rule_files(root, allowed)
    if strays and strays[-1] == root:  # too big to be a rules folder: that is the one problem worth saying
        return [RuleProblem(str(root) if label != BUNDLED else label, 1, 1, f"this folder holds more than "
                            f"{MAX_ENTRIES_BELOW:,} files and folders below it, so it is not a rules folder: give "
                            "the folder that holds the rule files")]
    for path in strays:
        display = path.relative_to(root).as_posix() if label == BUNDLED else str(path)
        if path.parent == root and not path.is_file():
            problems.append(RuleProblem(display, 1, 1, "this is named like a rule file but is not a file (a broken "
                                                       "link, a folder or a pipe), so no rules are read from it: put "
                                                       "the rule file here, or remove it"))
        elif path.parent == root:
            problems.append(RuleProblem(display, 1, 1, f"lii-check reads only files ending '.yaml' or '.yml' in "
                                                       f"lower case, so this file is not read: rename it to "
                                                       f"'{path.stem}{path.suffix.lower()}'"))
        else:
            problems.append(RuleProblem(display, 1, 1, f"rule files in a subfolder are not read (a rules folder is "
                                                       f"flat): move it into {label} or out of the rules folder"))
    return problems


def load_rulebook(directory: Path | str | None = None) -> Rulebook:
    """Load and validate a rulebook folder, a full one or an overlay over a base (overlay.py); raise
    RulebookInvalid listing all problems.

    A rulebook that loaded cleanly before, every file of its chain byte for byte the same, comes from
    the cache (cache.py)."""
    from .overlay import build, chain_folders

    if directory is None:
        root, label = bundled_rules_dir(), BUNDLED
    else:
        root, label = Path(directory), str(directory)
    if not root.is_dir():
        raise RulebookInvalid([RuleProblem(str(root), 1, 1, "the rules folder does not exist or is not a folder")])
    key, chain = None, None
    try:
        # The key covers every folder an overlay chain reaches, so a change to a base invalidates it.
        chain = chain_folders(root, label)
        if chain is not None:
            # The loader's source is part of the key too (every module of this package, the model, the
            # overlay builder and the stored form among them, and the YAML reader): a rulebook loaded by
            # older code, or stored from an older Rulebook class, must not come back.
            parts = [load_schema_text(), load_overlay_schema_text(), _loader_source()]
            for folder, folder_label in chain:
                parts.append(folder_label)
                parts.extend(x for p in rule_files(folder) for x in (p.name, p.read_bytes()))
                parts.extend(str(p) for p in stray_rule_files(folder))  # any of them fails the load
            key = "rulebook-" + cache.key(*parts)
    except OSError:
        key = None  # an unreadable file: the full load below says which
    if key is not None:
        held = _HELD.get(key)
        if held is not None and held[0] == cache.signature(key):
            return pickle.loads(held[1])
        blob = cache.read(key)
        if blob is not None:
            try:
                rulebook = stored.loads(blob)  # JSON of the rulebook's dataclasses only: reading it runs no code
            except ValueError:  # a stale, damaged or foreign entry is simply rebuilt (and overwritten)
                pass
            else:
                _hold(key, cache.signature(key), rulebook)  # after the read, which marks the entry used
                return rulebook
    rulebook, used = build(root, label)
    # Written only when the chain the build followed is the one the key was made of.
    if key is not None and [lbl for _, lbl in chain] == used:
        cache.write(key, stored.dumps(rulebook))
        _hold(key, cache.signature(key), rulebook)
    return rulebook


# key -> (the cache entry's signature when this process read or wrote it, the rulebook as this process pickled it).
# A long-lived process loads the same rulebook many times (`rules diff`'s two sides, an overlay and its base,
# the test suite's ~1,000 in-process runs): decoding the cache's JSON costs ~7 ms, unpickling ~2 ms. The pickle
# never touches the disk (the cache holds JSON because a pickle found there could run code); each load gets its
# own copy, so no caller can change another's rulebook; and it is used only while the cache entry is the one
# read, so a damaged or replaced entry is read (and rebuilt) as before.
_HELD: dict[str, tuple[tuple, bytes]] = {}
_HELD_KEPT = 8


def _hold(key: str, signature: tuple | None, rulebook: Rulebook) -> None:
    if signature is not None:
        cache.remember(_HELD, key, (signature, pickle.dumps(rulebook, protocol=pickle.HIGHEST_PROTOCOL)), _HELD_KEPT)


@functools.lru_cache(maxsize=1)
def _loader_source() -> bytes:
    here = Path(__file__).parent
    sources = [*sorted(here.glob("*.py")), here.parent / "safe_yaml.py"]
    return b"".join(p.name.encode() + b"\0" + p.read_bytes() for p in sources)


def load_overlay_schema_text() -> str:
    return (resources.files("lii_check") / "schema" / "overlay.schema.json").read_text("utf-8")


@dataclasses.dataclass
class Folder:
    """What one rules folder holds, read and checked file by file, before it becomes a rulebook."""

    themes: list[Theme]
    languages: list[Language]
    scorings: list[Scoring]
    overlays: list[tuple[str, Any, Located]]  # (display name, data, located) of each 'kind: overlay' file
    problems: list[RuleProblem]


@functools.lru_cache(maxsize=1)
def _schema_and_validator(text: str) -> tuple[dict, Any]:
    """Keyed by the schema's text, so a changed schema file is a new validator (and new memo keys below)."""
    import jsonschema  # here, not at the top: a run whose rulebook comes from the cache never validates (~30 ms)

    schema = json.loads(text)
    return schema, jsonschema.Draft202012Validator(schema)


# Schema messages per composed file: validating one file costs ~4 ms, most of an uncached load once its YAML is
# composed (memoised per text in yamlsource, so the same text gives the same root node). `rules diff`, an overlay
# and its base, and an edited copy of the bundled folder reread mostly the same texts.
_VALIDATED: dict[tuple[int, int], tuple[object, object, list[tuple[list, bool, str]]]] = {}
_VALIDATED_KEPT = 128


def _schema_messages(validator, schema: dict, data: Any, located: Located) -> list[tuple[list, bool, str]]:
    key = (id(located.root), id(schema))
    held = _VALIDATED.get(key)
    if held is not None and held[0] is located.root and held[1] is schema:  # the same objects, not reused ids
        return held[2]
    errors = [cause for error in validator.iter_errors(data) for cause in deepest(error)]
    messages = [plain(error, schema) for error in errors]
    if len(_VALIDATED) >= _VALIDATED_KEPT:
        del _VALIDATED[next(iter(_VALIDATED))]
    _VALIDATED[key] = (located.root, schema, messages)
    return messages


def read_folder(label: str, files: list[Path]) -> Folder:
    """Every file of a folder checked and built; 'kind: overlay' files are set aside for overlay.py."""
    schema, validator = _schema_and_validator(load_schema_text())
    kinds = rule_file_kinds(schema, sibling_kind_schemas())
    problems: list[RuleProblem] = []
    themes: list[Theme] = []
    languages: list[Language] = []
    scorings: list[Scoring] = []
    overlays: list[tuple[str, Any, Located]] = []
    for path in files:
        display = path.name if label == BUNDLED else str(path)
        data, located, file_problems = read_yaml(path, display)
        problems.extend(file_problems)
        if located is None:
            continue
        if not isinstance(data, dict):
            problems.append(RuleProblem(display, 1, 1, "a rule file must be a block of 'key: value' lines starting with 'kind:'"))
            continue
        if data.get("kind") == "overlay":
            overlays.append((display, data, located))
            continue
        problems.extend(_cue_problems(data, located, display))
        problems.extend(_placeholder_problems(data.get("expectations", []), located, display, ["expectations"]))
        unknown = kind_problem(data, kinds)  # one message, not one per kind the schema tries
        if unknown:
            problems.append(RuleProblem(display, *located.where(unknown[0]), unknown[1]))
            continue
        plainly = _schema_messages(validator, schema, data, located)
        seen = set()
        # "unknown key 'severty' … did you mean 'severity'?" already says what "missing key 'severity'" would.
        guessed = {re.sub(r"^unknown key '[^']*'(.*): did you mean '([^']*)'\?$", r"\2\1", m)
                   for _, _, m in plainly if "did you mean" in m}
        for where, at_key, message in plainly:
            missing = re.match(r"^missing key '([^']*)'(.*): add it", message)
            if missing and missing.group(1) + missing.group(2) in guessed:
                continue
            line, col = located.where(where, key=at_key)
            if (line, col, message) not in seen:
                seen.add((line, col, message))
                problems.append(RuleProblem(display, line, col, message))
        if plainly:
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
                topic=_cues(data["topic"], located, display, ["topic"]),
                signals=_signals(data.get("signals", []), data["theme"], framework, located, display, ["signals"]),
                expectations=_expectations(data.get("expectations", []), data["theme"], "theme", framework,
                                           located, display, ["expectations"]),
                file=display,
            )
            themes.append(theme)
        elif data["kind"] == "language":
            languages.append(Language(
                framework=framework,
                clause_breaks=_cues(data["clause_breaks"], located, display, ["clause_breaks"]),
                negation_window=int(data["negation"]["window"]),
                negation=_cues(data["negation"]["cues"], located, display, ["negation", "cues"]),
                counter=_cues(data["negation"].get("counter_cues", {}), located, display, ["negation", "counter_cues"]),
                intention=_cues(data["intention"]["cues"], located, display, ["intention", "cues"]),
                hedging=_cues(data["hedging"]["cues"], located, display, ["hedging", "cues"]),
                counter_window=(int(data["negation"]["counter_window"]["before"]),
                                int(data["negation"]["counter_window"]["after"])),
                hedging_window=int(data["hedging"]["window"]),
                attribution={k: _cues(v, located, display, ["attribution", k])
                             for k, v in data["attribution"].items()},
                signals=_signals(data["signals"], None, framework, located, display, ["signals"]),
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
                absence_weight=float(data["absence_weight"]),
                strong_share_bonus=float(data.get("strong_share_bonus", 0.0)),
                bands=bands, clear=clear, general_weight=float(data["general_weight"]),
                reasoning_strong=float(data["reasoning"]["strong_theme"]),
                reasoning_weak=float(data["reasoning"]["weak_theme"]),
                borderline_margin=float(data["borderline_margin"]),
                expectations=_expectations(data["expectations"], "consistency", "report", framework,
                                           located, display, ["expectations"]),
                file=display,
            ))
    return Folder(themes, languages, scorings, overlays, problems)


def assemble(label: str, files: list[Path], folder: Folder) -> Rulebook:
    """A full rulebook from one folder's files: exactly one language and one scoring file, some themes."""
    themes, languages, scorings, problems = folder.themes, folder.languages, folder.scorings, list(folder.problems)
    for kind, found in (("language", languages), ("scoring", scorings)):
        # A file that could not be read may be the missing one (or an overlay): its own problem says
        # what to fix, and "add a language file" would send an overlay author the wrong way.
        if not found and folder.problems:
            continue
        if len(found) != 1:
            what = "no file" if not found else f"{len(found)} files"
            problems.append(RuleProblem(label, 1, 1, f"a rulebook needs exactly one file with 'kind: {kind}'; found {what}"))
    if not themes and not problems:
        problems.append(RuleProblem(label, 1, 1, "the rulebook has no theme files: add at least one file with 'kind: theme'"))
    problems.extend(_duplicate_ids(themes, languages, scorings))
    problems.extend(_reserved_ids(themes, languages))
    if problems:
        raise RulebookInvalid(problems)
    return Rulebook(path=label, themes=sorted(themes, key=lambda t: t.id), language=languages[0],
                    scoring=scorings[0], files=[p.name for p in files],
                    bundled_files=frozenset(p.name for p in files) if label == BUNDLED else frozenset())


# The names lii-check gives its own readings (reading.py): a signal with one of them would be taken for that
# reading ("affirmation" is never praise that outweighs a concession, "intention" is a plan).
RESERVED_SIGNAL_IDS = ("affirmation", "intention", "negated-statement", "figure-against-comparator")


def _reserved_ids(themes: list[Theme], languages: list[Language]) -> list[RuleProblem]:
    signals = [s for lang in languages for s in lang.signals] + [s for t in themes for s in t.signals]
    return [RuleProblem(s.file, s.line, 1, f"the id '{s.id}' is reserved: lii-check uses it for its own readings "
                                           f"({', '.join(RESERVED_SIGNAL_IDS)}), and a signal of that name would be "
                                           "taken for one of them: rename the signal")
            for s in signals if s.id in RESERVED_SIGNAL_IDS]


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
    return dataclasses.replace(rulebook, themes=themes, scoring=scoring)
