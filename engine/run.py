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
