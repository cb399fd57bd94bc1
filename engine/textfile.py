"""Reading the files lii-check is configured by (rule files, configuration, baselines) as UTF-8 text, and saying
where and why when one is not: the line of the first byte that is not UTF-8, and what the file probably is."""
from __future__ import annotations

from pathlib import Path

_UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")


class NotUtf8(Exception):
    """A file that is not UTF-8 text: `line` and `column` of the first byte that is not (1, 1 for UTF-16)."""

    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.line, self.column, self.message = line, column, message


def decode(data: bytes) -> str:
    """UTF-8 text (a UTF-8 byte-order mark dropped); NotUtf8 saying where and what it may be otherwise."""
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        if body.startswith(_UTF16_MARKS) or _looks_utf16(body[:200]):
            raise NotUtf8(1, 1, "the file is UTF-16 text (as some Windows editors save it), not UTF-8: "
                                "re-save it as UTF-8") from None
        line_start = body.rfind(b"\n", 0, exc.start) + 1
        line = body[:exc.start].count(b"\n") + 1
        column = len(body[line_start:exc.start].decode("utf-8", "replace")) + 1  # characters, as editors count
        raise NotUtf8(line, column, f"the file is not UTF-8 text (byte 0x{body[exc.start]:02X} cannot be "
                                    "decoded; it may be Windows-1252 or Latin-1): re-save it as UTF-8") from None


def _looks_utf16(head: bytes) -> bool:
    """UTF-16 without a byte-order mark: every other byte of Latin text is zero. (A stray NUL in UTF-8 is not.)"""
    if len(head) < 4:
        return False
    return max(head[0::2].count(0), head[1::2].count(0)) * 2 >= len(head) * 0.6


def read_text(path: Path) -> str:
    """The file as UTF-8 text (OSError and NotUtf8 as they come)."""
    return decode(path.read_bytes())
