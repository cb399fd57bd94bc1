"""Bytes that should be UTF-8 text (reports, rule files, configuration, baselines), and saying where and why when
they are not: the line and character of the first byte that is not UTF-8, and what the file probably is."""
from __future__ import annotations

from pathlib import Path

_UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")


class NotUtf8(Exception):
    """A file that is not UTF-8 text: `line` and `column` of the first byte that is not (1, 1 for UTF-16)."""

    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.line, self.column, self.message = line, column, message


def utf16_problem(data: bytes) -> str | None:
    """What to say of bytes that look like UTF-16 without a byte-order mark (a NUL in every other byte of Latin
    text, which a stray NUL in UTF-8 is not); None when they do not."""
    head = data[:400]
    even, odd = head[0::2], head[1::2]
    for order, zeros, others in (("little-endian", odd, even), ("big-endian", even, odd)):
        if zeros and zeros.count(0) > 0.6 * len(zeros) and others.count(0) < 0.1 * len(others):
            return f"the file looks like UTF-16 ({order}) without a byte-order mark; re-save it as UTF-8"
    return None


def undecodable(body: bytes, exc: UnicodeDecodeError) -> NotUtf8:
    """Why `body` is not UTF-8 (exc: its decoding error), placed as an editor places it: line, then character."""
    if body.startswith(_UTF16_MARKS):
        return NotUtf8(1, 1, "the file is UTF-16 text (as some Windows editors save it), not UTF-8: re-save it as UTF-8")
    said = utf16_problem(body)
    if said:
        return NotUtf8(1, 1, said)
    line_start = body.rfind(b"\n", 0, exc.start) + 1
    line = body[:exc.start].count(b"\n") + 1
    column = len(body[line_start:exc.start].decode("utf-8", "replace")) + 1  # characters, as editors count
    return NotUtf8(line, column, f"the file is not UTF-8 text (byte 0x{body[exc.start]:02X} cannot be decoded; it "
                                 "may be Windows-1252 or Latin-1): re-save it as UTF-8")


def decode(data: bytes) -> str:
    """UTF-8 text (a UTF-8 byte-order mark dropped); NotUtf8 saying where and what it may be otherwise."""
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise undecodable(body, exc) from None


def read_text(path: Path) -> str:
    """The file as UTF-8 text (OSError and NotUtf8 as they come)."""
    return decode(path.read_bytes())
