"""`lii-check check` as a stream: results are tallied, written and dropped as they arrive.

Each report's entry of the result document is spooled to a temporary file (never into the corpus),
the summary is tallied on the way, and at the end every output is assembled from the spool. The JSON
document is assembled byte for byte as `json.dumps(doc, indent=2)` would print it, without the whole
document ever being in memory; the table prints each report as soon as it is checked.
"""
from __future__ import annotations

import json
import json.encoder
import tempfile
from collections.abc import Callable, Iterator



def _indented(value: object, depth: int) -> str:
    """json.dumps(value, indent=2) as it appears nested `depth` levels deep in a larger dump."""
    try:
        return _dump(value, "\n" + "  " * depth)
    except _Unusual:
        return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * depth)


class _Unusual(Exception):
    """A value _dump leaves to json.dumps (a non-string key, a subclass, an unknown type)."""


_STRING = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) writes a string with (in C)
_INFINITY = float("inf")


def _dump(value: object, indent: str) -> str:
    """The bytes json.dumps(value, indent=2, ensure_ascii=False) gives, nested at `indent` ("\n" and the
    spaces before a closing bracket). json.dumps runs its pure-Python encoder whenever `indent` is set,
    a generator per container: for a national round's report entries that was most of the parent's work."""
    kind = type(value)
    if kind is str:
        return _STRING(value)
    if kind is dict:
        if not value:
            return "{}"
        inner = indent + "  "
        items = []
        for key, item in value.items():
            if type(key) is not str:
                raise _Unusual
            items.append(_STRING(key) + ": " + _dump(item, inner))
        return "{" + inner + ("," + inner).join(items) + indent + "}"
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        inner = indent + "  "
        return "[" + inner + ("," + inner).join([_dump(item, inner) for item in value]) + indent + "]"
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return int.__repr__(value)
    if kind is float:
        if value != value:
            return "NaN"
        if value in (_INFINITY, -_INFINITY):
            return "Infinity" if value > 0 else "-Infinity"
        return float.__repr__(value)
    raise _Unusual


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
