"""Where each rule, signal and cue of a rulebook comes from: bundled, a base folder, or an overlay's file:line.

Used by `rules list` (every rule, signal and cue with its origin; formats/tables.py lays them out) and
`explain` (the overlay entry behind a reading the overlay changed).
"""
from __future__ import annotations

import re

from .model import Cue, CueList, Rulebook


def rule_listing(rulebook: Rulebook) -> list[dict]:
    """Every expectation, with its origin and the overlay entries that changed or disabled it, sorted by id."""
    rows = [{"id": e.id, "theme": e.theme, "severity": e.severity, "description": e.description,
             "framework": e.framework, "origin": rulebook.origin(e.file, e.line), "changed_at": list(e.changes)}
            for e in rulebook.expectations()]
    known = {e.id for e in rulebook.expectations()}
    signals = {s.key for s in rulebook.signals()}
    rows += [{"id": name, "theme": name.split(".")[0], "severity": "off", "description": "disabled by the overlay",
              "framework": rulebook.framework, "origin": where, "changed_at": [where]}
             for name, where in rulebook.disabled if name not in known and name not in signals and "." in name]
    # lii-check's own rules (suppression warnings) are listed too, so the configuration's ids can be found.
    from ..builtin_rules import builtin_meta

    rows += [{**m, "origin": "built-in", "changed_at": []} for m in builtin_meta(rulebook)]
    return sorted(rows, key=lambda r: r["id"])


def _cues(rulebook: Rulebook, cues: CueList) -> list[dict]:
    return [{"text": c.text, "kind": c.kind, "unless": unless, "origin": rulebook.origin(c.file, c.line)}
            for unless, group in ((False, cues.cues), (True, cues.unless)) for c in group]


def cue_listing(rulebook: Rulebook) -> list[dict]:
    """Every cue list (signals, topics, the language lists) with each cue's origin."""
    lang = rulebook.language
    out = []
    for name, attr in (("clause_breaks", "clause_breaks"), ("negation", "negation"), ("counter_cues", "counter"),
                       ("intention", "intention"), ("hedging", "hedging")):
        out.append({"list": f"language:{name}", "level": "", "origin": rulebook.origin(lang.file, 1),
                    "changed_at": [], "cues": _cues(rulebook, getattr(lang, attr))})
    for name in sorted(lang.attribution):
        out.append({"list": f"language:attribution:{name}", "level": "", "origin": rulebook.origin(lang.file, 1),
                    "changed_at": [], "cues": _cues(rulebook, lang.attribution[name])})
    for theme in rulebook.themes:
        out.append({"list": f"topic:{theme.id}", "level": "", "origin": rulebook.origin(theme.file, 1),
                    "changed_at": list(theme.changes), "cues": _cues(rulebook, theme.topic)})
    for signal in rulebook.signals():
        out.append({"list": signal.key, "level": signal.level, "origin": rulebook.origin(signal.file, signal.line),
                    "changed_at": list(signal.changes), "cues": _cues(rulebook, signal.cues)})
    out += [{"list": name, "level": "off", "origin": where, "changed_at": [where], "cues": []}
            for name, where in rulebook.disabled if "." not in name]
    return out


# --- explain: the overlay behind a reading -----------------------------------------------------------

def _from_overlay(rulebook: Rulebook, cues, text: str) -> list[str]:
    """The overlay file:line of each cue among these, added by an overlay, that matches the text."""
    found = []
    for cue in cues:
        if isinstance(cue, Cue) and cue.file in rulebook.overlay_files and text and \
                re.search(cue.regex, text, re.IGNORECASE):
            found.append(f"{cue.file}:{cue.line}")
    return found


def reading_overlay(rulebook: Rulebook, theme: str, signal_id: str, cue: str, clause: str) -> str | None:
    """The overlay entries behind one piece of evidence: its cue, its negation, its theme's topic word."""
    if not rulebook.overlay_files:
        return None
    lang = rulebook.language
    parts = cue.split(" … ")
    found: list[str] = []
    if signal_id == "negated-statement":
        found += _from_overlay(rulebook, lang.negation.cues, cue.replace(" (a plain statement of absence)", ""))
    elif signal_id == "intention":
        found += _from_overlay(rulebook, lang.intention.cues, cue)
    else:
        for signal in rulebook.signals():
            if signal.id == signal_id and signal.theme in (None, theme):
                found += _from_overlay(rulebook, signal.cues.cues, parts[-1])
        if len(parts) > 1:
            found += _from_overlay(rulebook, lang.negation.cues + lang.counter.cues, parts[0])
    owner = rulebook.theme(theme)
    if owner is not None:
        found += _from_overlay(rulebook, owner.topic.cues, clause)
    found += removed_here(rulebook, theme, clause, still_read=parts[-1])
    return ", ".join(dict.fromkeys(found)) or None


def removed_here(rulebook: Rulebook, theme: str, clause: str, still_read: str = "") -> list[str]:
    """The overlay lines that removed a cue the base would have read in this clause (for this theme).

    A removal whose cue would match the words still read (``still_read``: another cue of the list, such
    as "long-standing" for a removed "longstanding") changed nothing here, so it is not named."""
    found = []
    for owner, _text, regex, where in rulebook.removed_cues:
        applies = (owner.startswith("language:") or owner == f"topic:{theme}" or owner.startswith(f"{theme}:")
                   or ":" not in owner)  # a bare id: a language signal, read for every theme
        if still_read and re.search(regex, still_read, re.IGNORECASE):
            continue
        if applies and clause and re.search(regex, clause, re.IGNORECASE):
            found.append(where)
    return found


def set_aside_overlay(rulebook: Rulebook, theme: str, cue: str, reason: str) -> str | None:
    """The overlay entries behind a clause set aside: the hedge or intention cue, or the cue set aside."""
    if not rulebook.overlay_files:
        return None
    lang = rulebook.language
    found: list[str] = []
    quoted = re.search(r"'(.*)'$", reason)
    if quoted and reason.startswith("hedged"):
        found += _from_overlay(rulebook, lang.hedging.cues, quoted.group(1))
    elif quoted and reason.startswith("intention"):
        found += _from_overlay(rulebook, lang.intention.cues, quoted.group(1))
    for signal in rulebook.signals():
        if signal.theme in (None, theme):
            found += _from_overlay(rulebook, signal.cues.cues, cue)
    return ", ".join(dict.fromkeys(found)) or None


def rule_overlay(rulebook: Rulebook, rule_id: str) -> str | None:
    """The overlay entries that changed an expectation (its severity, applies_to, a test or its message)."""
    exp = next((e for e in rulebook.expectations() if e.id == rule_id), None)
    if exp is None:
        return None
    changed = [w for w in exp.changes]
    if exp.file in rulebook.overlay_files:
        changed.insert(0, f"{exp.file}:{exp.line}")
    return ", ".join(changed) or None
