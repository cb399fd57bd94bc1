"""Rule pages written from the rulebook itself: `lii-check rules docs OUT/`, and the help text SARIF
viewers show beside a finding.

One Markdown page per theme (what it looks for, each signal with its examples, each expectation with
the scores it applies to, its test, severity and message), one for the language signals every theme
shares, one for the report-wide consistency rules and lii-check's own, and an index. Pure functions of
the loaded rulebook, so the same rules always give the same bytes; nothing here reads the clock or
prints absolute paths.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .builtin_rules import BUILTIN_RULES, builtin_severity
from .measures import measures
from .parser import DESCRIPTORS
from .rulebook import BUNDLED, Expectation, Rulebook, Signal, Theme

INDEX = "index.md"
LANGUAGE_PAGE = "language.md"
CONSISTENCY_PAGE = "consistency.md"
REGENERATE = "lii-check rules docs docs/rules/"
_LEVEL_WORDS = {"strong": "strong evidence", "good": "good evidence", "intention": "intention (planned, not delivered)",
                "shortfall": "a shortfall", "significant": "a significant shortfall"}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


class DocsProblem(Exception):
    """Why the pages cannot be written (exit 2)."""


def md(text: object) -> str:
    """Text from a rule file, on one line, with what Markdown would read as markup escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def code(text: str) -> str:
    """An inline code span that survives backticks in the text."""
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _scores(applies_to: tuple[int, ...]) -> str:
    return ", ".join(f"{s} ({DESCRIPTORS.get(s, '?')})" for s in applies_to)


def _tests(exp: Expectation) -> list[tuple[str, str, str]]:
    """(measure, test as written, what the measure counts) for each line of the expectation's `when:`."""
    registry = measures(exp.scope)
    return [(name, str(test).lower() if isinstance(test, bool) else str(test),
             registry[name].doc if name in registry else "")
            for name, test in exp.when.items()]


def _examples_md(examples: dict[str, list], expectation: bool) -> list[str]:
    out = []
    for kind, heading in (("fires", "Fires on"), ("quiet", "Stays quiet on")):
        items = examples.get(kind) or []
        if not items:
            continue
        out.append(f"{heading}:")
        out.append("")
        for item in items:
            if expectation and isinstance(item, dict):
                out.append(f"- awarded {item.get('awarded', '?')}: {md(item.get('text', ''))}")
            else:
                out.append(f"- {md(item)}")
        out.append("")
    return out


def expectation_markdown(exp: Expectation, heading: str = "###") -> list[str]:
    lines = [f"{heading} {code(exp.id)}", "", md(exp.description), "",
             f"- Applies to reports awarded: {_scores(exp.applies_to)}",
             f"- Severity: {exp.severity}"]
    tests = _tests(exp)
    if tests:
        lines.append("- Fires when " + ("all of these hold:" if len(tests) > 1 else "this holds:"))
        lines += [f"  - {code(name)} is {md(test)}" + (f" ({md(doc)})" if doc else "") for name, test, doc in tests]
    lines += ["- Message:", "", f"  > {md(exp.message)}", ""]
    lines += _examples_md(exp.examples, expectation=True)
    return lines


def _cues_md(signal: Signal) -> str:
    phrases = [code(c.text) for c in signal.cues if c.kind == "phrase"]
    regexes = len(signal.cues) - len(phrases)
    parts = [", ".join(phrases)] if phrases else []
    if regexes:
        parts.append(f"{regexes} regular expression{'s' if regexes != 1 else ''}")
    text = " and ".join(parts) or "none"
    if signal.cues.unless:
        text += f" (unless {', '.join(code(c.text) for c in signal.cues.unless)})"
    return text


def signal_markdown(signal: Signal, heading: str = "###") -> list[str]:
    lines = [f"{heading} {code(signal.key)}", "", md(signal.description), "",
             f"- Reads a sentence as {_LEVEL_WORDS.get(signal.level, signal.level)}"
             + (", with delivered impact" if signal.impact else ""),
             "- Cues: " + _cues_md(signal), ""]
    lines += _examples_md(signal.examples, expectation=False)
    return lines


def theme_page(theme: Theme) -> str:
    phrases = [c.text for c in theme.topic if c.kind == "phrase"]
    lines = [f"# {md(theme.title)}", "",
             f"Theme {code(theme.id)}, from {code(theme.file)}; weight {theme.weight:g} in the report's evidence "
             "score.", "", "## What it looks for", "", md(theme.description), ""]
    if phrases:
        lines += ["A sentence is about this theme when it mentions: " + ", ".join(code(p) for p in phrases)
                  + (f" (and {len(theme.topic) - len(phrases)} regular expressions)."
                     if len(theme.topic) > len(phrases) else "."), ""]
    lines += ["## Signals", ""]
    if theme.signals:
        lines += ["What makes a sentence about this theme count as evidence at a level, on top of the shared "
                  f"language signals ([{LANGUAGE_PAGE}]({LANGUAGE_PAGE})).", ""]
        for signal in theme.signals:
            lines += signal_markdown(signal)
    else:
        lines += [f"None of its own: the shared language signals ([{LANGUAGE_PAGE}]({LANGUAGE_PAGE})) read it.", ""]
    lines += ["## Expectations", ""]
    if theme.expectations:
        for exp in theme.expectations:
            lines += expectation_markdown(exp)
    else:
        lines += ["None.", ""]
    return _page(lines)


def language_page(rulebook: Rulebook) -> str:
    lang = rulebook.language
    lines = ["# Language signals", "",
             f"Signals every theme shares, from {code(lang.file)}: a sentence about any theme that matches one "
             "counts as evidence at its level. Negation, hedging and intention cues change how a match is read.",
             "", "## Signals", ""]
    for signal in lang.signals:
        lines += signal_markdown(signal)
    lines += ["## Modifiers", ""]
    for name, heading in (("negation", "Negation"), ("intention", "Intention"), ("hedging", "Hedging")):
        lines += [f"### {heading}", "", f"- Cues: {len(getattr(lang, name))}", ""]
        lines += _examples_md(lang.examples.get(name, {}), expectation=False)
    return _page(lines)


def consistency_page(rulebook: Rulebook) -> str:
    lines = ["# Report-wide rules", "",
             f"Rules about the report as a whole, from {code(rulebook.scoring.file)}: whether the awarded "
             "score agrees with the evidence score the text reads as, and with the report's own label.", "",
             "## Expectations", ""]
    for exp in rulebook.scoring.expectations:
        lines += expectation_markdown(exp)
    lines += ["## Built-in rules", "",
              "Raised by lii-check itself about inline suppression comments; no rule file defines them. The "
              "configuration may disable them or change their severity. An unreadable report is not one of "
              "them: it always fails the run.", ""]
    for rid, rule in sorted(BUILTIN_RULES.items()):
        level = builtin_severity(rulebook, rid) or "off (disabled in the configuration)"
        lines += [f"### {code(rid)}", "", md(rule.description), "", f"- Severity: {level}",
                  "", rule.explanation, ""]  # lii-check's own Markdown, not rule-file text
    return _page(lines)


def index_page(rulebook: Rulebook) -> str:
    source = "the bundled rulebook" if rulebook.path == BUNDLED else f"the rulebook in {code(rulebook.path)}"
    lines = ["# Rules", "",
             f"Generated from {source} {GENERATED}.", "",
             "| theme | id | weight | signals | expectations |", "| --- | --- | --- | --- | --- |"]
    for t in rulebook.themes:
        lines.append(f"| [{md(t.title)}]({t.id}.md) | {code(t.id)} | {t.weight:g} | {len(t.signals)} | "
                     f"{len(t.expectations)} |")
    lines += ["", f"- [Language signals]({LANGUAGE_PAGE}): {len(rulebook.language.signals)} signals every theme "
              "shares, and the negation, intention and hedging cues.",
              f"- [Report-wide rules]({CONSISTENCY_PAGE}): {len(rulebook.scoring.expectations)} expectations about "
              f"the report as a whole, and lii-check's {len(BUILTIN_RULES)} built-in rules.", ""]
    return _page(lines)


def _page(lines: list[str]) -> str:
    text = "\n".join(line.rstrip() for line in lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"


def pages(rulebook: Rulebook) -> dict[str, str]:
    """File name -> Markdown, every page of the rulebook."""
    out = {INDEX: index_page(rulebook), LANGUAGE_PAGE: language_page(rulebook),
           CONSISTENCY_PAGE: consistency_page(rulebook)}
    for theme in rulebook.themes:
        name = f"{theme.id}.md"
        if name in out:  # a theme called "index" or "language": its page must not replace those
            raise DocsProblem(f"the theme '{theme.id}' would overwrite the page {name}; rename the theme")
        out[name] = theme_page(theme)
    return dict(sorted(out.items()))


def source_folders(rulebook: Rulebook, rules_dir: Path) -> list[Path]:
    """Every folder the rulebook was read from: the rules folder and any other file a rule names."""
    folders = {Path(os.path.realpath(rules_dir))}
    files = [t.file for t in rulebook.themes] + [rulebook.language.file, rulebook.scoring.file]
    files += [s.file for s in rulebook.signals()] + [e.file for e in rulebook.expectations()]
    for file in files:
        path = Path(file)
        if path.parent != Path("."):
            folders.add(Path(os.path.realpath(path)).parent)
    return sorted(folders)


GENERATED = "by `lii-check rules docs`; do not edit by hand"  # on every index page this writes


def _refuse_a_folder_of_other_files(out: Path, target: Path) -> None:
    """Pages go only into a new or empty folder, or over an earlier `rules docs` run: among reports they
    would be checked as reports, among rule files taken for part of the rulebook."""
    entries = sorted(p.name for p in target.iterdir())
    if not entries:
        return
    index = target / "index.md"
    try:
        earlier = index.is_file() and GENERATED in index.read_text("utf-8", errors="replace")[:1000]
    except OSError:
        earlier = False
    if not earlier:
        raise DocsProblem(f"{out}: refusing to write rule pages into a folder that holds other files "
                          f"({entries[0]}{' …' if len(entries) > 1 else ''}); give a new or empty folder, "
                          "such as docs/rules/, or one an earlier `lii-check rules docs` wrote")


def write_pages(rulebook: Rulebook, rules_dir: Path, out: Path) -> list[Path]:
    """Write every page into ``out`` (created if missing); refuse a folder the rules are read from."""
    target = Path(os.path.realpath(out))
    for folder in source_folders(rulebook, rules_dir):
        if target == folder or folder in target.parents:
            raise DocsProblem(f"{out}: refusing to write rule pages into {folder}, which holds the rules they "
                              "are read from; choose another folder such as docs/rules/")
    if target.exists() and not target.is_dir():
        raise DocsProblem(f"{out}: exists and is not a folder")
    if target.is_dir():
        _refuse_a_folder_of_other_files(out, target)
    written = []
    try:
        target.mkdir(parents=True, exist_ok=True)
        for name, text in pages(rulebook).items():
            path = target / name
            tmp = target / f".{name}.tmp"
            tmp.write_text(text, "utf-8", newline="\n")
            tmp.replace(path)
            written.append(out / name)
    except OSError as exc:
        raise DocsProblem(f"{out}: cannot write the pages ({exc.strerror or exc})") from None
    return written


# --- the same text for SARIF -------------------------------------------------------------------------

@dataclass(frozen=True)
class RuleHelp:
    full_description: str
    text: str
    markdown: str


def expectation_help(exp: Expectation, page: str) -> RuleHelp:
    tests = " and ".join(f"{name} is {test}" for name, test, _ in _tests(exp))
    full = (f"{' '.join(exp.description.split())} Applies to reports awarded {_scores(exp.applies_to)}; fires when "
            f"{tests or 'always'}.")
    text = f"{full} Message: {' '.join(exp.message.split())} See {page} in the rule pages (lii-check rules docs)."
    markdown = "\n".join(expectation_markdown(exp, heading="####")).strip() + \
        f"\n\nRule page: `{page}` (written by `lii-check rules docs`).\n"
    return RuleHelp(full, text, markdown)


def rule_help(rulebook: Rulebook) -> dict[str, RuleHelp]:
    """Rule id -> the help a SARIF viewer shows, for every expectation and built-in rule."""
    out = {}
    for theme in rulebook.themes:
        for exp in theme.expectations:
            out[exp.id] = expectation_help(exp, f"{theme.id}.md")
    for exp in rulebook.scoring.expectations:
        out[exp.id] = expectation_help(exp, CONSISTENCY_PAGE)
    for rid, rule in BUILTIN_RULES.items():
        if builtin_severity(rulebook, rid) is not None:
            out[rid] = RuleHelp(f"{rule.description} {rule.explanation}", rule.explanation,
                                f"{md(rule.description)}\n\n{rule.explanation}\n")
    return out
