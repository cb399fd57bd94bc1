"""`lii-check rules overlay --from COPY OUT/`: a team's full copy of the bundled rulebook as the minimal
overlay over bundled — the cues, numbers and expectations it changed, and the themes it added.

What an overlay cannot say (a signal's level, a new signal in a bundled theme, a theme removed …) is
refused, located in the copy, and nothing is written: the overlay must build what the copy builds.
What does not change any result (a theme's title, an example the copy dropped) is listed as a note.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

from .load import load_rulebook, rule_files
from .model import BUNDLED, BUNDLED_NAME, Cue, CueList, Expectation, RuleProblem, Rulebook, RulebookInvalid, Signal


class MigrationProblem(Exception):
    """Why no overlay was written: plain lines, located where there is a place to point at."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


@dataclass
class Migration:
    overlay: dict  # the overlay file's content, in the order it is written
    new_theme_files: list[Path]
    notes: list[str] = field(default_factory=list)  # differences that change no result and are not carried


def _cue_change(base: CueList, copy: CueList, name: str = "", notes: list[str] | None = None) -> dict:
    """add/remove that turn the base's list into the copy's (cues and 'unless' cues, by text and kind)."""
    def texts(cues: tuple[Cue, ...]) -> list[tuple[str, str]]:
        return [(c.text, c.kind) for c in cues]

    kept = [t for t in texts(base.cues) if t in texts(copy.cues)]
    if notes is not None and texts(copy.cues) != kept + [t for t in texts(copy.cues) if t not in kept]:
        # Added cues come after the base's; order only decides which of two cues matching the same words is quoted.
        notes.append(f"{name}: the copy lists its cues in another order; the overlay adds its cues after the "
                     "bundled ones (only the cue quoted when two of them match the same words can differ)")

    change: dict = {}
    removed = [t for t, k in texts(base.cues) if (t, k) not in texts(copy.cues)]
    removed += [t for t, k in texts(base.unless) if (t, k) not in texts(copy.unless)]
    add: dict = {}
    for (text, kind) in texts(copy.cues):
        if (text, kind) not in texts(base.cues):
            add.setdefault("phrases" if kind == "phrase" else "regex", []).append(text)
    for (text, kind) in texts(copy.unless):
        if (text, kind) not in texts(base.unless):
            add.setdefault("unless", {}).setdefault("phrases" if kind == "phrase" else "regex", []).append(text)
    if add:
        change["add"] = add
    if removed:
        change["remove"] = removed
    return change


def _added(base: dict, copy: dict) -> dict:
    out = {}
    for kind in ("fires", "quiet", "todo"):
        extra = [x for x in copy.get(kind, []) if x not in base.get(kind, [])]
        if extra:
            out[kind] = extra
    return out


def _dropped(base: dict, copy: dict) -> bool:
    return any(x not in copy.get(kind, []) for kind in ("fires", "quiet", "todo") for x in base.get(kind, []))


def diff_rulebooks(base: Rulebook, copy: Rulebook, copy_root: Path) -> Migration:
    """The overlay that turns base into copy; MigrationProblem listing what an overlay cannot say."""
    problems: list[RuleProblem] = []
    notes: list[str] = []
    overlay: dict = {"kind": "overlay", "extends": BUNDLED_NAME}
    themes: dict = {}
    signals: dict = {}
    expectations: dict = {}
    language: dict = {}
    scoring: dict = {}
    new_files: list[Path] = []

    base_themes = {t.id: t for t in base.themes}
    for theme in copy.themes:
        old = base_themes.get(theme.id)
        if old is None:
            new_files.append(copy_root / Path(theme.file).name)
            continue
        change: dict = {}
        if theme.weight != old.weight:
            change["weight"] = theme.weight
        topic = _cue_change(old.topic, theme.topic, f"{theme.file}: topic", notes)
        if topic:
            change["topic"] = topic
        if change:
            themes[theme.id] = change
        if (theme.title, theme.description) != (old.title, old.description):
            notes.append(f"{theme.file}: the theme's title or description differs from the bundled one; an overlay "
                         "keeps the bundled text (it changes no result)")
    for theme_id, old in base_themes.items():
        if copy.theme(theme_id) is None:
            problems.append(RuleProblem(str(copy_root), 1, 1, f"the copy has no theme '{theme_id}': an overlay cannot "
                                                              "remove a bundled theme; put its file back, or switch "
                                                              "its signals and expectations off in the overlay"))

    base_signals = {s.key: s for s in base.signals()}
    copy_signals = {s.key: s for s in copy.signals()}
    for key, sig in copy_signals.items():
        old = base_signals.get(key)
        if old is None:
            if sig.theme is None or sig.theme in base_themes:
                problems.append(RuleProblem(sig.file, sig.line, 1, f"the signal '{sig.id}' is new in a bundled file: "
                                                                   "an overlay adds signals only in new theme files; "
                                                                   "move it to a theme file of its own"))
            continue
        problems.extend(_signal_change(old, sig, signals, notes))
    for key, old in base_signals.items():
        if key not in copy_signals and (old.theme is None or copy.theme(old.theme) is not None):
            signals[key] = {"disable": True}

    base_exps = {e.id: e for e in base.expectations()}
    copy_exps = {e.id: e for e in copy.expectations()}
    for rule_id, exp in copy_exps.items():
        old = base_exps.get(rule_id)
        if old is None:
            if exp.theme in base_themes or exp.scope == "report":
                problems.append(RuleProblem(exp.file, exp.line, 1, f"the expectation '{rule_id}' is new in a bundled "
                                                                   "file: an overlay adds expectations only in new "
                                                                   "theme files; move it to a theme file of its own"))
            continue
        problems.extend(_expectation_change(old, exp, expectations, notes))
    for rule_id, old in base_exps.items():
        if rule_id not in copy_exps and (old.scope == "report" or copy.theme(old.theme) is not None):
            expectations[rule_id] = {"disable": True}

    bl, cl = base.language, copy.language
    for key, attr in (("clause_breaks", "clause_breaks"), ("negation", "negation"), ("counter_cues", "counter"),
                      ("intention", "intention"), ("hedging", "hedging")):
        change = _cue_change(getattr(bl, attr), getattr(cl, attr), f"{cl.file}: {key}", notes)
        if change:
            language[key] = change
    if cl.negation_window != bl.negation_window:
        language["negation_window"] = cl.negation_window
    if cl.hedging_window != bl.hedging_window:
        language["hedging_window"] = cl.hedging_window
    counter = {side: c for side, c, b in zip(("before", "after"), cl.counter_window, bl.counter_window) if c != b}
    if counter:
        language["counter_window"] = counter
    attribution = {name: _cue_change(bl.attribution[name], cl.attribution[name], f"{cl.file}: attribution {name}", notes)
                   for name in sorted(bl.attribution)}
    attribution = {k: v for k, v in attribution.items() if v}
    if attribution:
        language["attribution"] = attribution
    if any(bl.examples[k] != cl.examples[k] for k in bl.examples):
        notes.append(f"{cl.file}: the negation, intention or hedging examples differ from the bundled ones; an "
                     "overlay runs the bundled ones (they change no result)")

    bs, cs = base.scoring, copy.scoring
    for group, old, new in (("values", bs.values, cs.values), ("bands", bs.bands, cs.bands),
                            ("clear", bs.clear, cs.clear)):
        changed = {str(k): v for k, v in new.items() if old.get(k) != v}
        if changed:
            scoring[group] = changed
    prior = {k: v for k, v, o in (("value", cs.prior_value, bs.prior_value), ("weight", cs.prior_weight, bs.prior_weight))
             if v != o}
    if prior:
        scoring["prior"] = prior
    for key in ("leaders_only_discount", "affirmation_weight", "absence_weight", "strong_share_bonus",
                "general_weight", "borderline_margin"):
        if getattr(cs, key) != getattr(bs, key):
            scoring[key] = getattr(cs, key)
    reasoning = {k: v for k, v, o in (("strong_theme", cs.reasoning_strong, bs.reasoning_strong),
                                      ("weak_theme", cs.reasoning_weak, bs.reasoning_weak)) if v != o}
    if reasoning:
        scoring["reasoning"] = reasoning

    if problems:
        raise MigrationProblem([str(p) for p in sorted(problems, key=lambda p: (p.file, p.line, p.message))])
    for key, block in (("themes", themes), ("language", language), ("scoring", scoring), ("signals", signals),
                       ("expectations", expectations)):
        if block:
            overlay[key] = block
    return Migration(overlay, new_files, notes)


def _signal_change(old: Signal, sig: Signal, out: dict, notes: list[str]) -> list[RuleProblem]:
    if (sig.level, sig.impact) != (old.level, old.impact):
        return [RuleProblem(sig.file, sig.line, 1, f"the signal '{sig.key}' has another level or impact than the "
                                                   "bundled one: an overlay cannot change them; give the new meaning "
                                                   "its own signal in a new theme file, and switch this one off")]
    change = _cue_change(old.cues, sig.cues, f"{sig.file}:{sig.line}: signal '{sig.key}'", notes)
    if sig.description != old.description:
        change["description"] = sig.description
    _record(change, old.examples, sig.examples, f"{sig.file}:{sig.line}", sig.key, out, notes)
    return []


def _expectation_change(old: Expectation, exp: Expectation, out: dict, notes: list[str]) -> list[RuleProblem]:
    if set(exp.when) != set(old.when) or exp.cite != old.cite:
        return [RuleProblem(exp.file, exp.line, 1, f"the expectation '{exp.id}' tests other measures (or cites other "
                                                   "levels) than the bundled one: an overlay changes a measure's test "
                                                   "but cannot add or drop one; write the new rule in a new theme "
                                                   "file and switch this one off")]
    change: dict = {}
    if exp.applies_to != old.applies_to:
        change["applies_to"] = list(exp.applies_to)
    when = {m: t for m, t in exp.when.items() if old.when[m] != t}
    if when:
        change["when"] = when
    for key in ("severity", "message", "description"):
        if getattr(exp, key) != getattr(old, key):
            change[key] = getattr(exp, key)
    _record(change, old.examples, exp.examples, f"{exp.file}:{exp.line}", exp.id, out, notes)
    return []


def _record(change: dict, old_examples: dict, examples: dict, where: str, name: str, out: dict,
            notes: list[str]) -> None:
    """Add the copy's new examples to a signal's or expectation's change, note dropped ones (an overlay
    cannot drop bundled examples), and keep the change if there is one."""
    added = _added(old_examples, examples)
    if added:
        change["examples"] = added
    if _dropped(old_examples, examples):
        notes.append(f"{where}: the copy dropped some of the bundled examples of '{name}'; `rules test` still runs them")
    if change:
        out[name] = change


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)  # list items indented under their key


def _short_lists(dumper: yaml.SafeDumper, data: list):
    # Short lists of numbers on one line ("applies_to: [3, 4]"), cue lists one per line, as QA leads write them.
    flow = all(isinstance(x, (int, float)) for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _short_lists)


def overlay_text(migration: Migration, out_dir: Path, source: Path) -> str:
    schema = resources.files("lii_check") / "schema" / "overlay.schema.json"
    try:
        where = os.path.relpath(str(schema), str(out_dir.resolve()))
    except ValueError:  # another drive (Windows)
        where = str(schema)
    body = yaml.dump(migration.overlay, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100_000)
    if "site-packages" in Path(str(schema)).parts or "dist-packages" in Path(str(schema)).parts:
        # An installed copy's path is this machine's venv: committed, it would point nowhere for colleagues.
        schema_line = ("# For editors: `lii-check schema overlay > overlay.schema.json`, then point "
                       "`# yaml-language-server: $schema=` at that file.")
    else:
        schema_line = f"# yaml-language-server: $schema={Path(where).as_posix()}"
    head = [schema_line,
            f"# Written by `lii-check rules overlay --from {source.as_posix()}`: what that copy changed in the",
            "# bundled rulebook. Everything else comes from the bundled rulebook, fixes included."]
    return "\n".join(head) + "\n" + body


def write_overlay(copy_dir: Path, out_dir: Path) -> Migration:
    """Read the copy, check it, and write out_dir/overlay.yaml plus any new theme files."""
    if not copy_dir.is_dir():
        raise MigrationProblem([f"{copy_dir}: not a folder; give the folder holding your copy of the rulebook"])
    files = rule_files(copy_dir)
    if not files:
        raise MigrationProblem([f"{copy_dir}: not a rulebook: it holds no .yaml rule files"])
    real_copy, real_out = os.path.realpath(copy_dir), os.path.realpath(out_dir)
    if real_out == real_copy or real_out.startswith(real_copy + os.sep):
        raise MigrationProblem([f"{out_dir}: the overlay must not be written into the folder it reads ({copy_dir}); "
                                "give another OUT folder"])
    if out_dir.exists() and not out_dir.is_dir():
        raise MigrationProblem([f"{out_dir}: is a file, not a folder; give an empty or new folder for the overlay"])
    if out_dir.exists() and rule_files(out_dir):
        raise MigrationProblem([f"{out_dir}: already holds .yaml files ({rule_files(out_dir)[0].name}); give an empty "
                                "or new folder, so nothing is overwritten"])
    try:
        copy = load_rulebook(copy_dir)
    except RulebookInvalid as exc:
        raise MigrationProblem([str(p) for p in exc.problems]
                               + [f"{copy_dir}: fix these first: the copy must load as a rulebook"]) from None
    if copy.base is not None:
        raise MigrationProblem([f"{copy_dir}: this is already an overlay (it extends {'bundled' if copy.base == BUNDLED else copy.base}); "
                                "nothing to do"])
    migration = diff_rulebooks(load_rulebook(None), copy, copy_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "overlay.yaml").write_text(overlay_text(migration, out_dir, copy_dir), "utf-8")
    for path in migration.new_theme_files:
        shutil.copyfile(path, out_dir / path.name)
    return migration
