"""`lii-check check` as a stream: results are tallied, written and dropped as they arrive.

Each report's entry of the result document is spooled to a temporary file (never into the corpus),
the summary is tallied on the way, and at the end every output is assembled from the spool. The JSON
document is assembled byte for byte as `json.dumps(doc, indent=2)` would print it, without the whole
document ever being in memory; the table prints each report as soon as it is checked.
"""
from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from . import __version__
from .document import FAIL_ON, SCHEMA_VERSION, fails, report_dict  # noqa: F401 - FAIL_ON re-exported
from .model import SEVERITIES, ReportResult
from .rulebook import Rulebook


@dataclass
class Tally:
    """What the summary needs, counted report by report."""

    fail_on: str = "error"
    reports: int = 0
    verdicts: dict[str, int] = field(default_factory=lambda: {"consistent": 0, "inconsistent": 0, "unreadable": 0})
    findings: dict[str, int] = field(default_factory=lambda: {s: 0 for s in SEVERITIES})
    fired: set[str] = field(default_factory=set)
    themes_seen: set[str] = field(default_factory=set)
    failing: bool = False

    def add(self, result: ReportResult) -> None:
        self.reports += 1
        self.verdicts[result.verdict] += 1
        for f in result.findings:
            self.findings[f.severity] += 1
        self.fired.update(f.rule for f in result.findings + result.suppressed)
        if result.assessment is not None:
            self.themes_seen.update(t for t, facts in result.assessment.themes.items() if facts.mentions)
        self.failing = self.failing or fails(result, self.fail_on)

    def summary(self, rulebook: Rulebook, strict: bool) -> dict:
        never = sorted(e.id for e in rulebook.expectations() if e.id not in self.fired)
        absent = sorted(t.id for t in rulebook.themes if t.id not in self.themes_seen)
        failing = self.failing or (strict and bool(never or absent))
        return {
            "reports": self.reports,
            "consistent": self.verdicts["consistent"],
            "inconsistent": self.verdicts["inconsistent"],
            "unreadable": self.verdicts["unreadable"],
            "findings": dict(self.findings),
            "rules_never_fired": never,
            "themes_never_mentioned": absent,
            "fail_on": self.fail_on,
            "strict": strict,
            "exit_code": 1 if failing else 0,
        }


def header(rulebook: Rulebook, engine: str) -> dict:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "lii-check", "version": __version__},
        "rulebook": {"path": rulebook.path, "framework": rulebook.framework},
        "engine": engine,
    }


def _indented(value: object, depth: int) -> str:
    """json.dumps(value, indent=2) as it appears nested `depth` levels deep in a larger dump."""
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * depth)


class Spool:
    """Report entries on disk, one JSON line each, in order."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile("w+", encoding="utf-8", prefix="lii-check-")
        self.count = 0

    def add(self, entry: dict) -> None:
        self._file.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self.count += 1

    def entries(self) -> Iterator[dict]:
        self._file.flush()
        self._file.seek(0)
        for line in self._file:
            yield json.loads(line)
        self._file.seek(0, 2)

    def close(self) -> None:
        self._file.close()


def write_json(write: Callable[[str], object], head: dict, entries: Iterator[dict], summary: dict) -> None:
    """The whole document, streamed: identical bytes to json.dumps(document, indent=2) plus a newline."""
    write("{\n")
    for key, value in head.items():
        write(f'  {json.dumps(key)}: {_indented(value, 1)},\n')
    first = True
    for entry in entries:
        write(("  \"reports\": [\n    " if first else ",\n    ") + _indented(entry, 2))
        first = False
    write("  \"reports\": [],\n" if first else "\n  ],\n")
    write(f'  "summary": {_indented(summary, 1)}\n}}\n')


def document(head: dict, entries: Iterator[dict], summary: dict) -> dict:
    """The whole document in memory, for the formats that need all of it at once."""
    return {**head, "reports": list(entries), "summary": summary}


def entry_of(result: ReportResult) -> dict:
    return report_dict(result)
