"""Rulebooks that extend: a team's rules folder names one base and holds only its changes.

An overlay folder holds files with ``kind: overlay`` (exactly one of them says ``extends: bundled``
or ``extends: ../other-rules``) and, if it likes, new theme files. The base is built first (it may be
an overlay itself), then each overlay file's changes are applied in file-name order. Changing what
the base does not have is a located problem with a did-you-mean, like every other rules mistake.
"""
from __future__ import annotations

import difflib
import json
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable


from .load import (_cue_problems, _cues, _duplicate_ids, _reserved_ids, _placeholder_problems, assemble, bundled_rules_dir,
                   load_overlay_schema_text, load_rulebook, load_schema, read_folder, rule_files,
                   stray_problems)
from .messages import deepest, plain
from .model import BUNDLED, BUNDLED_NAME, CueList, Expectation, RuleProblem, Rulebook, RulebookInvalid
from .yamlsource import Located

# Read straight from the bytes, only to know which folders the cache key must cover; the full load
# below re-reads every file properly and the cache is written only if both agree.
_KIND_OVERLAY = re.compile(rb"(?m)^kind:[ \t]*['\"]?overlay['\"]?[ \t]*(?:#.*)?\r?$")
_EXTENDS = re.compile(rb"(?m)^extends:[ \t]*['\"]?([^'\"#\r\n]*?)['\"]?[ \t]*(?:#.*)?\r?$")
LANGUAGE_LISTS = {"clause_breaks": "clause_breaks", "negation": "negation", "counter_cues": "counter",
                  "intention": "intention", "hedging": "hedging"}


def overlay_schema() -> dict:
    return json.loads(load_overlay_schema_text())


def base_folder(folder_label: str, extends: str) -> tuple[Path, str]:
    """The folder an overlay extends and its display label: 'bundled', or relative to the overlay."""
    if extends == BUNDLED_NAME:
        return bundled_rules_dir(), BUNDLED
    label = os.path.normpath(os.path.join(folder_label, extends))
    return Path(label), label


def chain_folders(root: Path, label: str) -> list[tuple[Path, str]] | None:
    """The folders a load will read, the given one first; None when only the full load can tell."""
    out: list[tuple[Path, str]] = []
    seen: set[str] = set()
    folder, name = root, label
    while True:
        real = os.path.realpath(folder)
        if real in seen:
            return None
        seen.add(real)
        out.append((folder, name))
        if name == BUNDLED:
            return out
        overlay, extends = False, None
        for path in rule_files(folder):
            data = path.read_bytes()
            if _KIND_OVERLAY.search(data):
                overlay = True
                found = _EXTENDS.search(data)
                if found and extends is None:
                    extends = found.group(1).decode("utf-8", "replace").strip()
        if not overlay:
            return out
        if not extends:
            return None
        folder, name = base_folder(name, extends)
        if not folder.is_dir():
            return None


def _real(path: Path) -> str:
    try:
        return os.path.realpath(path)
    except (OSError, ValueError):  # a NUL in 'extends:': the check of the base below says what is wrong
        return ""


def build(root: Path, label: str, trail: tuple[tuple[str, str], ...] = ()) -> tuple[Rulebook, list[str]]:
    """The rulebook in root (full, or an overlay applied to its base) and the labels of the folders read."""
    files = rule_files(root)
    folder = read_folder(label, files)
    # An overlay's base may sit in a subfolder of it: those files are read, as the base.
    bases = tuple(_real(base_folder(label, data["extends"].strip())[0]) for _, data, _ in folder.overlays
                  if isinstance(data.get("extends"), str) and data["extends"].strip() != BUNDLED_NAME)
    folder.problems.extend(stray_problems(root, label, bases))
    if not folder.overlays:
        return assemble(label, files, folder), [label]
    problems = list(folder.problems)
    import jsonschema  # only when there is an overlay to validate (a cached rulebook skips all this)

    schema = overlay_schema()
    validator = jsonschema.Draft202012Validator(schema)
    for display, data, located in folder.overlays:
        problems.extend(_schema_problems(validator, schema, data, located, display))
    for item in folder.languages + folder.scorings:
        kind = "language" if item in folder.languages else "scoring"
        problems.append(RuleProblem(item.file, 1, 1, f"an overlay folder holds 'kind: overlay' files and new theme "
                                                     f"files only: change the {kind} file of the base through "
                                                     f"'{kind}:' in an overlay file instead"))
    extending = [(d, data, loc) for d, data, loc in folder.overlays if isinstance(data.get("extends"), str)]
    if not extending:
        display = folder.overlays[0][0]
        problems.append(RuleProblem(display, 1, 1, "no overlay file of this folder says what it extends: add "
                                                   "'extends: bundled' (or a rules folder relative to this one) "
                                                   "to one of them"))
    for display, _data, located in extending[1:]:
        line, col = located.where(["extends"])
        first = extending[0]
        problems.append(RuleProblem(display, line, col, "only one overlay file of a folder says what it extends; "
                                                        f"{first[0]}:{first[2].where(['extends'])[0]} already does: "
                                                        "remove this line"))
    if problems:
        raise RulebookInvalid(problems)
    display, data, located = extending[0]
    line, col = located.where(["extends"])
    base_root, base_label = base_folder(label, data["extends"].strip())
    here = trail + ((os.path.realpath(root), label),)
    if base_label != BUNDLED and not base_root.is_dir():
        raise RulebookInvalid([RuleProblem(display, line, col, f"the base folder '{data['extends']}' does not exist "
                                                               f"(looked for {base_label}): write 'extends: bundled' "
                                                               "or a rules folder relative to this one")])
    if base_label != BUNDLED and not rule_files(base_root):
        # "extends: /etc": problems located in the base ("/etc:1:1: a rulebook needs …") would point away from the
        # line to fix
        raise RulebookInvalid([RuleProblem(display, line, col, f"the base folder '{data['extends']}' holds no rule "
                                                               "files (.yaml or .yml): write 'extends: bundled' or "
                                                               "the rules folder this overlay changes")])
    if base_label != BUNDLED and os.path.realpath(base_root) in {real for real, _ in here}:
        loop = " → ".join([lbl for _, lbl in here] + [base_label])
        raise RulebookInvalid([RuleProblem(display, line, col, f"the overlays extend each other in a circle ({loop}): "
                                                               "one of them must extend 'bundled' or a full rulebook")])
    if base_label == BUNDLED:
        base, used = load_rulebook(None), [BUNDLED]
    else:
        base, used = build(base_root, base_label, here)
    rulebook = apply_overlay(base, label, [p.name for p in files], folder.themes, folder.overlays)
    return rulebook, [label] + used


def _schema_problems(validator, schema: dict, data: Any, located: Located, display: str) -> list[RuleProblem]:
    problems = _cue_problems(data, located, display)
    seen = set()
    for error in validator.iter_errors(data):
        for cause in deepest(error):
            where, at_key, message = plain(cause, schema)
            if "propertyNames" in cause.relative_schema_path:  # a badly formed name, not a bad value
                message = f"'{cause.instance}' is not a name lii-check uses here{_in(where)}: " + (
                    "a signal is named theme:signal-id (or a language signal's bare id)" if "signals" in where
                    else "an expectation is named theme.id or consistency.id, as `lii-check rules list` shows"
                    if "expectations" in where else "use a theme id, as `lii-check rules list` shows")
                where, at_key = where + [cause.instance], True
            elif cause.validator == "const" and cause.validator_value is True:
                message = f"'{cause.instance}' is not allowed{_in(where)}: write 'disable: true', or leave the line out"
            line, col = located.where(where, key=at_key)
            if (line, col, message) not in seen:
                seen.add((line, col, message))
                problems.append(RuleProblem(display, line, col, message))
    return problems


def _in(path: list) -> str:
    return " in " + " > ".join(f"'{p}'" if isinstance(p, str) else f"item {p + 1}" for p in path) if path else ""


@lru_cache(maxsize=2)
def _measure_validator(scope: str):
    import jsonschema

    defs = load_schema()["$defs"]
    name = "theme_measures" if scope == "theme" else "report_measures"
    return jsonschema.Draft202012Validator({"$ref": f"#/$defs/{name}", "$defs": defs}), {"$defs": defs}


class _Applier:
    """Applies overlay files, in order, to a copy of the base; collects every problem before raising."""

    def __init__(self, base: Rulebook):
        # Changed in place, not copied: every base comes from load_rulebook or build for this overlay alone
        # (a stored rulebook decodes to new objects each time), and a deep copy cost as much as the load.
        self.rb = base
        self.problems: list[RuleProblem] = []
        self.settings: dict[str, str] = {}  # what was already set, and where: a second setting is a mistake
        self.disabled: list[tuple[str, str]] = list(base.disabled)
        self.removed: list[tuple[str, str, str, str]] = list(base.removed_cues)

    # --- where, and what went wrong ---------------------------------------------------------------
    def problem(self, display: str, located: Located, path: list, message: str, key: bool = False) -> None:
        line, col = located.where(path, key=key)
        self.problems.append(RuleProblem(display, line, col, message))

    def unknown(self, display, located, path, what: str, name: str, known: list[str], extra: str = "") -> None:
        guess = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        hint = f"did you mean '{guess[0]}'?" if guess else extra or "see `lii-check rules list`"
        self.problem(display, located, path, f"the base has no {what} '{name}': {hint}", key=True)

    def once(self, setting: str, display: str, located: Located, path: list) -> bool:
        line = located.where(path)[0]
        if setting in self.settings:
            self.problem(display, located, path, f"{setting} is already changed at {self.settings[setting]}; "
                                                 "change it in one place")
            return False
        self.settings[setting] = f"{display}:{line}"
        return True

    # --- cues ----------------------------------------------------------------------------------------
    def cues(self, cues: CueList, change: dict, display: str, located: Located, path: list, what: str,
             owner: str) -> CueList:
        kept, unless = list(cues.cues), list(cues.unless)
        for i, text in enumerate(change.get("remove") or []):
            for pool in (kept, unless):
                found = next((c for c in pool if c.text == text), None)
                if found is not None:
                    pool.remove(found)
                    if pool is kept:  # remembered so `explain` can name the overlay behind a cue no longer read
                        self.removed.append((owner, found.text, found.regex,
                                             f"{display}:{located.where(path + ['remove', i])[0]}"))
                    break
            else:
                known = [c.text for c in cues.cues + cues.unless]
                guess = difflib.get_close_matches(text, known, n=1, cutoff=0.6)
                hint = f"did you mean '{guess[0]}'?" if guess else "write it exactly as the base does (`lii-check rules list --cues` lists them)"
                self.problem(display, located, path + ["remove", i], f"{what} has no cue '{text}' to remove: {hint}")
        added = _cues(change.get("add"), located, display, path + ["add"])
        add = change.get("add") or {}
        for new, pool, at in ((added.cues, kept, path + ["add"]), (added.unless, unless, path + ["add", "unless"])):
            for cue in new:
                twin = next((c for c in pool if c.text == cue.text and c.kind == cue.kind), None)
                if twin is not None:
                    block = add if at[-1] == "add" else add.get("unless", {})
                    key = "phrases" if cue.kind == "phrase" else "regex"
                    self.problem(display, located, at + [key, block[key].index(cue.text)],
                                 f"'{cue.text}' is already a cue of {what} ({self.rb.origin(twin.file, twin.line)}): "
                                 "leave it out")
                else:
                    pool.append(cue)
        return CueList(tuple(kept), tuple(unless))

    # --- each block of an overlay file ------------------------------------------------------------------
    def signals(self, block: dict, display: str, located: Located) -> None:
        by_key = {s.key: s for s in self.rb.signals()}
        for name, change in block.items():
            path = ["signals", name]
            signal = by_key.get(name)
            if signal is None and f"signal '{name}'" in self.settings:  # disabled by an earlier file of this folder
                self.once(f"signal '{name}'", display, located, path)
                continue
            if signal is None:
                themed = sorted(k for k in by_key if k.split(":")[-1] == name)
                extra = f"a theme's signal is named theme:id, here '{themed[0]}'" if themed else ""
                self.unknown(display, located, path, "signal", name, sorted(by_key), extra)
                continue
            where = f"{display}:{located.where(path, key=True)[0]}"
            if change.get("disable"):
                if self.once(f"signal '{name}'", display, located, path):
                    owner = self.rb.language.signals if signal.theme is None else self.rb.theme(signal.theme).signals
                    owner.remove(signal)
                    self.disabled.append((name, where))
                continue
            if "add" in change or "remove" in change:
                signal.cues = self.cues(signal.cues, change, display, located, path, f"the signal '{name}'", name)
            if "description" in change and self.once(f"the description of signal '{name}'", display, located, path + ["description"]):
                signal.description = " ".join(change["description"].split())
            for kind, items in (change.get("examples") or {}).items():
                signal.examples[kind] = signal.examples.get(kind, []) + list(items)
                signal.overlay_examples.setdefault(kind, []).extend(items)
            signal.changes = signal.changes + (where,)

    def expectations(self, block: dict, display: str, located: Located) -> None:
        by_id = {e.id: e for e in self.rb.expectations()}
        for name, change in block.items():
            path = ["expectations", name]
            exp = by_id.get(name)
            if exp is None and f"expectation '{name}'" in self.settings:  # disabled by an earlier file of this folder
                self.once(f"expectation '{name}'", display, located, path)
                continue
            if exp is None:
                self.unknown(display, located, path, "expectation", name, sorted(by_id))
                continue
            where = f"{display}:{located.where(path, key=True)[0]}"
            if change.get("disable"):
                if self.once(f"expectation '{name}'", display, located, path):
                    owner = self.rb.scoring.expectations if exp.scope == "report" else self.rb.theme(exp.theme).expectations
                    owner.remove(exp)
                    self.disabled.append((name, where))
                continue
            for key in ("severity", "applies_to", "message", "description"):
                if key in change and self.once(f"the {key.replace('_', ' ')} of '{name}'", display, located, path + [key]):
                    value = change[key]
                    if key == "applies_to":
                        value = tuple(sorted(value))
                    elif key in ("message", "description"):
                        value = " ".join(value.split())
                    setattr(exp, key, value)
            if "message" in change:
                self.problems.extend(_placeholder_problems([change], located, display, path))
            for measure, test in (change.get("when") or {}).items():
                self.when(exp, measure, test, display, located, path + ["when", measure])
            for kind, items in (change.get("examples") or {}).items():
                exp.examples[kind] = exp.examples.get(kind, []) + list(items)
                exp.overlay_examples.setdefault(kind, []).extend(items)
            exp.changes = exp.changes + (where,)

    def when(self, exp: Expectation, measure: str, test: object, display: str, located: Located, path: list) -> None:
        if measure not in exp.when:
            tested = ", ".join(sorted(exp.when))
            guess = difflib.get_close_matches(measure, list(exp.when), n=1, cutoff=0.6)
            hint = f"did you mean '{guess[0]}'?" if guess else f"it tests {tested}"
            self.problem(display, located, path, f"the expectation '{exp.id}' has no 'when:' test of '{measure}': "
                                                 f"{hint}", key=True)
            return
        validator, schema = _measure_validator(exp.scope)
        errors = [cause for error in validator.iter_errors({measure: test}) for cause in deepest(error)]
        if errors:
            _, _, message = plain(errors[0], schema)
            self.problem(display, located, path, message)
            return
        if self.once(f"the '{measure}' test of '{exp.id}'", display, located, path):
            exp.when = {**exp.when, measure: test}

    def themes(self, block: dict, display: str, located: Located) -> None:
        for name, change in block.items():
            path = ["themes", name]
            theme = self.rb.theme(name)
            if theme is None:
                self.unknown(display, located, path, "theme", name, [t.id for t in self.rb.themes],
                             "a new theme is a theme file of its own in this folder")
                continue
            if "weight" in change and self.once(f"the weight of theme '{name}'", display, located, path + ["weight"]):
                theme.weight = float(change["weight"])
            if "topic" in change:
                theme.topic = self.cues(theme.topic, change["topic"], display, located, path + ["topic"],
                                        f"the topic of '{name}'", f"topic:{name}")
            theme.changes = theme.changes + (f"{display}:{located.where(path, key=True)[0]}",)

    def language(self, block: dict, display: str, located: Located) -> None:
        lang = self.rb.language
        for key, attr in LANGUAGE_LISTS.items():
            if key in block:
                setattr(lang, attr, self.cues(getattr(lang, attr), block[key], display, located, ["language", key],
                                              f"the {key.replace('_', ' ')} list", f"language:{key}"))
        for name, change in (block.get("attribution") or {}).items():
            lang.attribution[name] = self.cues(lang.attribution[name], change, display, located,
                                               ["language", "attribution", name], f"the '{name}' attribution list",
                                               f"language:attribution:{name}")
        if "negation_window" in block and self.once("the negation window", display, located, ["language", "negation_window"]):
            lang.negation_window = int(block["negation_window"])
        if "hedging_window" in block and self.once("the hedging window", display, located, ["language", "hedging_window"]):
            lang.hedging_window = int(block["hedging_window"])
        counter = block.get("counter_window") or {}
        for index, side in enumerate(("before", "after")):
            if side in counter and self.once(f"the counter window's '{side}'", display, located,
                                             ["language", "counter_window", side]):
                window = list(lang.counter_window)
                window[index] = int(counter[side])
                lang.counter_window = (window[0], window[1])

    def scoring(self, block: dict, display: str, located: Located) -> None:
        sc = self.rb.scoring
        for group, target in (("values", sc.values), ("bands", sc.bands), ("clear", sc.clear)):
            for key, value in (block.get(group) or {}).items():
                if self.once(f"scoring {group} '{key}'", display, located, ["scoring", group, key]):
                    target[key if group == "values" else int(key)] = float(value)
        for key, attr in (("value", "prior_value"), ("weight", "prior_weight")):
            if key in (block.get("prior") or {}) and self.once(f"the prior's {key}", display, located, ["scoring", "prior", key]):
                setattr(sc, attr, float(block["prior"][key]))
        for key in ("leaders_only_discount", "affirmation_weight", "absence_weight", "strong_share_bonus",
                    "general_weight", "borderline_margin"):
            if key in block and self.once(f"scoring '{key}'", display, located, ["scoring", key]):
                setattr(sc, key, float(block[key]))
        for key, attr in (("strong_theme", "reasoning_strong"), ("weak_theme", "reasoning_weak")):
            if key in (block.get("reasoning") or {}) and self.once(f"the reasoning's {key}", display, located,
                                                                   ["scoring", "reasoning", key]):
                setattr(sc, attr, float(block["reasoning"][key]))
        if {"bands", "clear"} & set(block):
            b, c = sc.bands, sc.clear
            if not c[4] > b[4] > b[3] > b[2] > c[1]:
                path = ["scoring", "bands" if "bands" in block else "clear"]
                self.problem(display, located, path, "with this change the marks no longer rise: clear 1 below the "
                                                     f"mark for 2, then 3, then 4, then clear 4 (now {c[1]}, {b[2]}, "
                                                     f"{b[3]}, {b[4]}, {c[4]})")


def apply_overlay(base: Rulebook, label: str, files: list[str], new_themes: list,
                  overlays: list[tuple[str, Any, Located]]) -> Rulebook:
    """The base with the overlay folder's new themes and changes applied; RulebookInvalid if any is wrong.
    The base is changed in place: pass one nobody else holds."""
    base_path, base_overlay_files = base.path, base.overlay_files  # before the base becomes the overlaid rulebook
    applier = _Applier(base)
    rb = applier.rb
    for theme in new_themes:
        if rb.theme(theme.id) is not None:
            applier.problems.append(RuleProblem(theme.file, 1, 1, f"the base already has the theme '{theme.id}': an "
                                                                  "overlay changes it with 'themes:', 'signals:' and "
                                                                  "'expectations:' in an overlay file"))
        else:
            rb.themes.append(theme)
    rb.themes.sort(key=lambda t: t.id)
    steps: list[tuple[str, Callable]] = [("themes", applier.themes), ("language", applier.language),
                                         ("scoring", applier.scoring), ("signals", applier.signals),
                                         ("expectations", applier.expectations)]
    for display, data, located in overlays:
        for key, step in steps:
            if isinstance(data.get(key), dict):
                step(data[key], display, located)
    applier.problems.extend(p for p in _duplicate_ids(rb.themes, [rb.language], [rb.scoring])
                            if any(p.file == t.file for t in new_themes))
    applier.problems.extend(_reserved_ids(rb.themes, [rb.language]))  # the base has none: validated already
    if applier.problems:
        raise RulebookInvalid(applier.problems)
    rb.path = label
    rb.files = files
    rb.base = base_path
    rb.overlay_files = base_overlay_files + tuple(d for d, _, _ in overlays) + tuple(t.file for t in new_themes)
    rb.disabled = tuple(applier.disabled)
    rb.removed_cues = tuple(applier.removed)
    return rb

