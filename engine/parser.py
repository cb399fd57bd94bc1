"""Reading a report file into the model. This is where the score is parsed.

Every layout seen in published LII sections is accepted: ``Score: 4``, ``## Score 3``,
``Indicative score: 3`` (2023 pilot), markdown or plain-line headings (with or without a
trailing colon), ``3 - Evidence shows…`` with a hyphen or an en dash, ``---`` separators,
CRLF line endings, a UTF-8 BOM, leading blank lines and optional YAML front matter.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from .model import Paragraph, Report, Section, Sentence

DESCRIPTORS = {
    4: "an exceptional standard",
    3: "a good standard",
    2: "some shortfalls",
    1: "significant shortfalls",
}

# Structural headings of an LII section. A plain line is a heading only when it is one of these
# exactly: "Learning from complaints was analysed…" (seed 002) is a paragraph, not a heading.
KNOWN_HEADINGS = (
    "the local authority commitment",
    "key findings for this quality statement",
    "continuous learning, improvement and professional development",
    "learning from feedback",
    "what people expect",
)
COMMITMENT_HEADING = KNOWN_HEADINGS[0]
COMMITMENT_OPENING = "we focus on continuous learning, innovation and improvement"

SCORE_RE = re.compile(
    r"^\s*(?:#{1,6}\s*)?(?:\*\*)?(?P<indicative>indicative\s+)?score\b\s*(?:\*\*)?\s*[:\-–—]?\s*(?P<value>.*?)\s*(?:\*\*)?\s*$",
    re.IGNORECASE,
)
LABEL_RE = re.compile(
    r"^\s*(?:#{1,6}\s*)?(?P<n>\d+)\s*[-–—]\s*(?P<text>evidence shows\b.*?)\s*$", re.IGNORECASE
)
HEADING_RE = re.compile(r"^\s*(#{1,6})\s+(?P<text>.+?)\s*#*\s*$")
SEPARATOR_RE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
SUPPRESSION_RE = re.compile(
    r"<!--\s*lii-check-disable\s+(?P<rule>[\w.\-]+)\s*(?::\s*(?P<reason>.*?))?\s*-->", re.IGNORECASE
)
COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)

# Abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = {"e.g", "i.e", "etc", "dr", "mr", "mrs", "ms", "no", "st", "vs", "cf", "approx", "incl"}
_SPLIT_RE = re.compile(r"[.!?][\"'’”)\]]*\s+(?=[\"'‘“(]?[A-Z0-9£])")


class ReportError(Exception):
    """A report that cannot be read; the message is for a QA lead, not a programmer."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


def decode_report(data: bytes) -> str:
    """Bytes to text, refusing what is not a UTF-8 text report."""
    if not data.strip():
        raise ReportError("the file is empty: a report needs a score line and findings text")
    if b"\x00" in data:
        raise ReportError("this looks like a binary file, not a text report (it contains NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ReportError(
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02X} cannot be decoded); "
            "re-save it as UTF-8",
            line,
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_report(path: Path, display_path: str | None = None) -> Report:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReportError(f"cannot read the file: {exc.strerror or exc}") from None
    return parse_report(decode_report(data), display_path or str(path))


def _front_matter(lines: list[str]) -> tuple[dict, int]:
    """Return (front matter, index of the first line after it). Only a mapping counts."""
    if not lines or lines[0].strip() != "---":
        return {}, 0
    for end in range(1, min(len(lines), 80)):
        if lines[end].strip() in ("---", "..."):
            try:
                data = yaml.safe_load("\n".join(lines[1:end]))
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                line = mark.line + 2 if mark is not None else 1
                raise ReportError(
                    f"the front matter (lines 1-{end + 1}) is not valid YAML: "
                    f"{getattr(exc, 'problem', None) or exc}",
                    line,
                ) from None
            if isinstance(data, dict):
                return {str(k): v for k, v in data.items()}, end + 1
            return {}, 0
    return {}, 0


def _heading_text(line: str) -> tuple[str, bool] | None:
    """(heading text, is markdown) if the line is a heading, else None."""
    m = HEADING_RE.match(line)
    if m:
        return m.group("text").strip().rstrip(":").strip(), True
    plain = line.strip().rstrip(":").strip()
    if plain.casefold() in KNOWN_HEADINGS:
        return plain, False
    return None


def split_sentences(lines: list[tuple[int, str]]) -> list[Sentence]:
    """Split a paragraph (its lines with line numbers) into sentences, each with its first line."""
    text = ""
    starts: list[tuple[int, int]] = []  # (offset in text, line number)
    for number, content in lines:
        if text:
            text += " "
        starts.append((len(text), number))
        text += content.strip()

    def line_at(offset: int) -> int:
        current = starts[0][1]
        for start, number in starts:
            if start <= offset:
                current = number
        return current

    sentences: list[Sentence] = []
    begin = 0
    for m in _SPLIT_RE.finditer(text):
        before = text[begin : m.start()].rsplit(None, 1)
        last_word = before[-1].lower().rstrip(".") if before else ""
        if last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()):
            continue
        end = m.end()
        chunk = text[begin:end].strip()
        if chunk:
            sentences.append(Sentence(chunk, line_at(begin)))
        begin = end
    tail = text[begin:].strip()
    if tail:
        sentences.append(Sentence(tail, line_at(begin)))
    return sentences


def parse_report(text: str, path: str) -> Report:
    """Parse the text of one LII section. Raises ReportError for what cannot be read."""
    if text.startswith("\ufeff"):
        text = text[1:]
    suppressions = [
        (text[: m.start()].count("\n") + 1, m.group("rule"), (m.group("reason") or "").strip())
        for m in SUPPRESSION_RE.finditer(text)
    ]
    # Blank out comments but keep their newlines so every line number stays true.
    text = COMMENT_RE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    lines = text.split("\n")
    if not any(line.strip() for line in lines):
        raise ReportError("the file has no text: a report needs a score line and findings text")
    front, first = _front_matter(lines)

    title = ""
    score: int | None = None
    score_line = 0
    label: tuple[int, str, int] | None = None
    sections: list[Section] = [Section(None, None)]
    para_lines: list[tuple[int, str]] = []

    def flush() -> None:
        if para_lines:
            sentences = split_sentences(para_lines)
            current = sections[-1]
            boilerplate = (current.heading or "").casefold() == COMMITMENT_HEADING or sentences[
                0
            ].text.casefold().startswith(COMMITMENT_OPENING)
            current.paragraphs.append(Paragraph(para_lines[0][0], sentences, boilerplate))
            para_lines.clear()

    for index in range(first, len(lines)):
        number, raw = index + 1, lines[index]
        stripped = raw.strip()
        if not stripped or SEPARATOR_RE.match(raw):
            flush()
            continue
        if score is None or score_line == number:
            m = SCORE_RE.match(raw)
            if m and score is None and len(stripped) < 60:
                flush()
                score = _score_value(m.group("value"), number)
                score_line = number
                continue
        if label is None and score is not None:
            m = LABEL_RE.match(raw)
            if m:
                flush()
                label = (int(m.group("n")), m.group("text"), number)
                continue
        heading = _heading_text(raw)
        if heading is not None and len(stripped) < 120:
            flush()
            if score is None and not title:
                title = heading[0]
                continue
            if heading[0].casefold() == title.casefold() and not any(s.paragraphs for s in sections):
                continue  # published pages repeat the title line
            sections.append(Section(heading[0], number))
            continue
        if score is None and not title and len(stripped) < 120:
            title = stripped.rstrip(":")
            continue
        para_lines.append((number, raw))
    flush()

    if score is None:
        raise ReportError(
            "no score line found: expected a line such as 'Score: 3' or 'Indicative score: 3' "
            "before the findings"
        )
    if label is not None and not 1 <= label[0] <= 4:
        raise ReportError(f"the score label gives {label[0]}, which is outside 1-4", label[2])
    sections = [s for s in sections if s.paragraphs or s.heading]
    if not any(not p.boilerplate for s in sections for p in s.paragraphs):
        raise ReportError("the report has a score but no findings text to check", score_line)
    return Report(
        path=path,
        title=title or "(untitled)",
        awarded_score=score,
        score_line=score_line,
        label_score=label[0] if label else None,
        label_text=label[1] if label else None,
        label_line=label[2] if label else None,
        sections=sections,
        front_matter=front,
        suppressions=suppressions,
    )


def _score_value(value: str, line: int) -> int:
    value = value.strip().strip("*").strip()
    if not value:
        raise ReportError("the score line has no score: write it as 'Score: 3'", line)
    m = re.fullmatch(r"(\d+)(?:\s*(?:/|out of)\s*4)?", value, re.IGNORECASE)
    if not m:
        raise ReportError(f"the score '{value}' is not a whole number from 1 to 4", line)
    score = int(m.group(1))
    if not 1 <= score <= 4:
        raise ReportError(f"the score {score} is outside 1-4: CQC scores run from 1 to 4", line)
    return score
