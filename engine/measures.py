"""The one registry of measures: everything an expectation's `when:` may test, declared once.

The JSON Schema's measure lists, the compiler's facts, the findings' citations and the table in
rules/README.md all come from (or are tested against) MEASURES, so a measure that validates but that
nothing computes cannot exist.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Union

from .model import Assessment, Report, ThemeFacts
from .names import NEGATIVE_LEVELS, POSITIVE_LEVELS
from .parser import DESCRIPTORS, RATING_BANDS

Value = Union[int, float, None]  # None: the measure is undefined here, so no test on it holds

# A test's type: the words a rule file may write after the measure's name.
TYPES = {
    "count": "none, any, at least N, more than N, fewer than N, at most N, exactly N",
    "number": "at least X, more than X, fewer than X, at most X, between X and Y",
    "flag": "true or false",
}


@dataclass(frozen=True)
class ReportInputs:
    report: Report
    assessment: Assessment
    themes: tuple[str, ...]  # the rulebook's theme ids, in rulebook order


@dataclass(frozen=True)
class Measure:
    name: str
    scope: str  # "report": one value per report; "theme": one value per theme of a report
    type: str  # a key of TYPES
    doc: str  # one line, shown in the schema and in rules/README.md
    compute: Callable[..., Value]  # (ReportInputs) for report scope, (ThemeFacts) for theme scope
    cites: tuple[str, ...] = ()  # evidence levels a finding shows when the rule counts this measure


def _label_wording_wrong(r: Report) -> int:
    if r.label_score in DESCRIPTORS and r.label_text:
        text = " ".join(r.label_text.lower().split())
        if text in RATING_BANDS:  # the rating word alone ("3 - Good"): right when it is this band's word
            return int(RATING_BANDS[text] != r.label_score)
        return int(DESCRIPTORS[r.label_score] not in text)
    return 0


def _themes_with(x: ReportInputs, level: str) -> int:
    return sum(1 for t in x.themes if x.assessment.themes[t].counts[level])


MEASURES: tuple[Measure, ...] = (
    # Report scope: the report as a whole.
    Measure("above_evidence_by", "report", "number", "Awarded score minus evidence index.",
            lambda x: round(x.report.awarded_score - x.assessment.index, 2)),
    Measure("below_evidence_by", "report", "number", "Evidence index minus awarded score.",
            lambda x: round(x.assessment.index - x.report.awarded_score, 2)),
    Measure("evidence_score_differs", "report", "flag", "The band the text reads as differs from the awarded score.",
            lambda x: int(x.assessment.evidence_score != x.report.awarded_score)),
    Measure("on_band_mark", "report", "flag",
            "The awarded score is one band from the band the text reads as, and the evidence index sits within "
            "scoring.yaml's borderline_margin of the mark between the two: too close to call.",
            lambda x: int(x.assessment.on_mark is not None
                          and set(x.assessment.on_mark) == {x.report.awarded_score, x.assessment.evidence_score})),
    Measure("label_disagrees", "report", "flag", "The label line's number differs from the score line.",
            lambda x: int(bool(x.report.label_score) and x.report.label_score != x.report.awarded_score)),
    Measure("label_wording_wrong", "report", "flag", "The label's words are not CQC's descriptor for its number.",
            lambda x: _label_wording_wrong(x.report)),
    Measure("significant", "report", "count", "Significant-shortfall clauses in the whole report.",
            lambda x: sum(f.counts["significant"] for f in x.assessment.themes.values()), ("significant",)),
    Measure("themes_with_significant", "report", "count", "Themes with at least one significant shortfall.",
            lambda x: _themes_with(x, "significant")),
    Measure("themes_with_strong", "report", "count", "Themes with at least one strong clause.",
            lambda x: _themes_with(x, "strong")),
    Measure("themes_covered", "report", "count", "Themes the text mentions at all.",
            lambda x: sum(1 for t in x.themes if x.assessment.themes[t].mentions)),
    Measure("graded_clauses", "report", "count",
            "Clauses the text holds that are read as evidence with weight, on any theme: none means the "
            "evidence index is only scoring.yaml's neutral prior, and says nothing about the text.",
            lambda x: len({(e.line, e.clause) for e in x.assessment.evidence if e.weight > 0})),
    # Theme scope: the theme the expectation belongs to.
    Measure("strong", "theme", "count", "Strong clauses of this theme.", lambda f: f.counts["strong"], ("strong",)),
    Measure("good", "theme", "count", "Good clauses of this theme.", lambda f: f.counts["good"], ("good",)),
    Measure("intention", "theme", "count", "Intention clauses (planned, not delivered) of this theme.",
            lambda f: f.counts["intention"], ("intention",)),
    Measure("shortfall", "theme", "count", "Shortfall clauses of this theme.",
            lambda f: f.counts["shortfall"], ("shortfall",)),
    Measure("significant", "theme", "count", "Significant-shortfall clauses of this theme.",
            lambda f: f.counts["significant"], ("significant",)),
    Measure("positive", "theme", "count", "Strong plus good clauses of this theme.",
            lambda f: sum(f.counts[lv] for lv in POSITIVE_LEVELS), POSITIVE_LEVELS),
    Measure("negative", "theme", "count", "Intention, shortfall and significant clauses of this theme.",
            lambda f: sum(f.counts[lv] for lv in NEGATIVE_LEVELS), NEGATIVE_LEVELS),
    Measure("mentions", "theme", "count", "Sentences about this theme, graded or not.", lambda f: f.mentions),
    Measure("impact", "theme", "count", "Clauses of this theme that show delivered impact.", lambda f: f.impact),
    Measure("theme_score", "theme", "number",
            "This theme's score on the 1-4 scale; a theme with no graded evidence has none, so no test on it holds.",
            lambda f: f.score),
)


def measures(scope: str) -> dict[str, Measure]:
    return {m.name: m for m in MEASURES if m.scope == scope}


def field_name(measure: str, theme: str | None) -> str:
    """The fact field of a measure: report measures by name, theme measures as <theme>__<measure>.
    Theme ids are lower-case words joined by single hyphens, so '__' cannot be ambiguous."""
    return measure if theme is None else f"{theme}__{measure}"


def report_values(x: ReportInputs) -> dict[str, Value]:
    return {m.name: m.compute(x) for m in MEASURES if m.scope == "report"}


def theme_values(f: ThemeFacts) -> dict[str, Value]:
    return {m.name: m.compute(f) for m in MEASURES if m.scope == "theme"}


def schema_properties(scope: str) -> dict[str, dict]:
    """The `when:` properties of the rule-file JSON Schema for one scope (tests hold the schema to this)."""
    refs = {"count": {"$ref": "#/$defs/count_test"}, "number": {"$ref": "#/$defs/number_test"},
            "flag": {"type": "boolean"}}
    return {m.name: {**refs[m.type], "description": m.doc} for m in MEASURES if m.scope == scope}


def markdown_table() -> str:
    """The measure table of rules/README.md (a test holds the README to this)."""
    rows = ["| measure | scope | test | meaning |", "| --- | --- | --- | --- |"]
    for m in sorted(MEASURES, key=lambda m: (m.scope != "theme", m.name)):
        rows.append(f"| `{m.name}` | {m.scope} | {m.type} | {m.doc} |")
    return "\n".join(rows)


README_START = "<!-- measures: generated from engine/measures.py by `python -m lii_check.measures`; do not edit -->"
README_END = "<!-- end of measures -->"


def _regenerate(root: str) -> None:
    """Rewrite the schema's measure lists and the README's measure table from the registry (a checkout only)."""
    import json
    from pathlib import Path

    schema_path = Path(root) / "engine" / "schema" / "rulebook.schema.json"
    schema = json.loads(schema_path.read_text("utf-8"))
    for scope in ("theme", "report"):
        schema["$defs"][f"{scope}_measures"]["properties"] = schema_properties(scope)
    schema_path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", "utf-8")
    readme_path = Path(root) / "rules" / "README.md"
    text = readme_path.read_text("utf-8")
    head, rest = text.split(README_START, 1)
    tail = rest.split(README_END, 1)[1]
    readme_path.write_text(f"{head}{README_START}\n{markdown_table()}\n{README_END}{tail}", "utf-8")


if __name__ == "__main__":
    import sys
    from pathlib import Path

    _regenerate(sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).resolve().parents[1]))
