"""The plain data model: what a report is, what evidence was found in it, what was concluded."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Sentence:
    text: str
    line: int


@dataclass
class Paragraph:
    line: int
    sentences: list[Sentence]
    # The "local authority commitment" is CQC boilerplate: kept, never counted as evidence.
    boilerplate: bool = False


@dataclass
class Section:
    heading: str | None
    line: int | None
    paragraphs: list[Paragraph] = field(default_factory=list)


@dataclass
class Report:
    path: str
    title: str
    awarded_score: int
    score_line: int
    label_score: int | None
    label_text: str | None
    label_line: int | None
    sections: list[Section]
    # Inline suppressions found in the text: (line, rule id, reason or "").
    suppressions: list[tuple[int, str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Evidence:
    """One clause of a report that the rulebook reads as evidence for a theme."""

    theme: str
    level: str  # one of names.LEVELS
    line: int
    text: str  # the whole sentence, so a QA lead can find it
    clause: str
    cue: str  # the phrase that decided the level
    signal: str  # id of the signal (cue list entry) that matched
    source: str  # people | staff | leaders | partners | processes | unattributed
    impact: bool = False
    # Plain affirmative statements (no cue at all) count, but for less than a graded cue.
    weight: float = 1.0


@dataclass(frozen=True)
class SetAside:
    """A clause that looked like evidence but was discounted, and why."""

    theme: str
    line: int
    text: str
    cue: str
    reason: str


@dataclass
class ThemeFacts:
    theme: str
    counts: dict[str, int]
    mentions: int
    impact: int
    score: float | None  # 1.0-4.0, None where the theme has no graded evidence


@dataclass
class Assessment:
    """What the text supports as a whole, before any rule is applied."""

    raw: float  # weighted mean of theme scores on the 1-4 scale
    evidence: list[Evidence]
    set_aside: list[SetAside]
    themes: dict[str, ThemeFacts]
    index: float  # continuous 1.0-4.99; round-half-down into a band
    evidence_score: int
    reasoning: list[str]
    # The two bands whose mark the index sits on (within the rulebook's borderline_margin), else None.
    on_mark: tuple[int, int] | None = None


@dataclass(frozen=True)
class CitedSentence:
    """A sentence a finding cites (the output's "evidence" list of each finding)."""

    line: int
    text: str


@dataclass
class Finding:
    rule: str
    theme: str
    severity: str
    message: str
    line: int | None
    cited: list[CitedSentence] = field(default_factory=list)
    # Set when the finding is moved to `suppressed`: "inline" (a comment in the report) or "baseline".
    suppressed_by: str | None = None


@dataclass
class ReportResult:
    path: str
    report: Report | None
    assessment: Assessment | None
    findings: list[Finding]
    error: tuple[int | None, str] | None = None
    suppressed: list[Finding] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        if self.error is not None:
            return "unreadable"
        if any(f.severity == "error" for f in self.findings):
            return "inconsistent"
        return "consistent"
