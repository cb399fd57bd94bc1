"""What the parser's output holds for the reader, in the terms the parser tests assert on."""
from __future__ import annotations

from lii_check.model import Report, Sentence


def counted_sentences(report: Report) -> list[Sentence]:
    """The sentences the reader weighs, in order: every paragraph's but the boilerplate's (the local
    authority commitment), as engine/reading.py takes them."""
    return [s for section in report.sections for para in section.paragraphs if not para.boilerplate
            for s in para.sentences]


def front_matter_of(source: "Path | str") -> dict:
    """What a test file's own YAML front matter says (e.g. that it is synthetic): the mapping between
    its opening `---` and the next `---`, or {} without one. Test data only: lii-check validates front
    matter but keeps none of it, so what the parser made of a file is asserted on the Report instead."""
    from pathlib import Path

    import yaml

    text = source.read_bytes().decode("utf-8-sig") if isinstance(source, Path) else source.lstrip("\ufeff")
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != "---":
        return {}
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    data = yaml.safe_load("\n".join(lines[1:end])) if end else None
    return data if isinstance(data, dict) else {}
