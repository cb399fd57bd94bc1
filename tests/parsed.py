"""What the parser's output holds for the reader, in the terms the parser tests assert on."""
from __future__ import annotations

from lii_check.model import Report, Sentence


def counted_sentences(report: Report) -> list[Sentence]:
    """The sentences the reader weighs, in order: every paragraph's but the boilerplate's (the local
    authority commitment), as engine/reading.py takes them."""
    return [s for section in report.sections for para in section.paragraphs if not para.boilerplate
            for s in para.sentences]
