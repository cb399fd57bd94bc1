"""Reading a report file into the model. This is where the score is parsed.

Every layout seen in published LII sections is accepted: ``Score: 4``, ``## Score 3``,
``Indicative score: 3`` (2023 pilot), markdown or plain-line headings (with or without a
trailing colon), ``3 - Evidence shows…`` with a hyphen or an en dash (or the descriptor alone, without its number), ``---`` separators,
CRLF line endings, a UTF-8, UTF-16 or UTF-32 BOM, leading blank lines and optional YAML front matter.

What cannot be read with certainty is refused with a located ReportError rather than guessed at:
two score lines (or a score line and a label line) that disagree, digits other than ASCII 1-4,
files that are not regular files or are larger than the size limit.
"""
from __future__ import annotations

import codecs
import functools
import os
import re
import stat
import unicodedata
from bisect import bisect_right
from pathlib import Path

from .model import Paragraph, Report, Section, Sentence
from .safe_yaml import YamlProblem, load_flat_mapping, load_yaml
from .textfile import undecodable, utf16_problem

# The longest published LII section seen is about 14 KB; a whole CQC assessment report as text is a few
# hundred KB. 1 MiB leaves room for both and bounds memory and regex time on anything that is not a report.
DEFAULT_MAX_BYTES = 1_048_576

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
# CQC's other eight quality statements for local authorities: a section titled with one of them is not an
# LII section, and LII's rules would give it a verdict it does not deserve.
OTHER_STATEMENTS = (
    "assessing needs", "supporting people to live healthier lives", "equity in experience and outcomes",
    "care provision, integration and continuity", "partnerships and communities",
    "safe pathways, systems and transitions", "safeguarding", "governance, management and sustainability",
)
LII_STATEMENT = "learning, improvement and innovation"
STATEMENT_NAMES = frozenset((LII_STATEMENT, *OTHER_STATEMENTS))
COMMITMENT_HEADING = KNOWN_HEADINGS[0]
# The stock paragraph in full, as CQC prints it under that heading: only this text is never evidence.
COMMITMENT_TEXT = ("We focus on continuous learning, innovation and improvement across our organisation and the local "
                   "system. We encourage creative ways of delivering equality of experience, outcome and quality of "
                   "life for people. We actively contribute to safe, effective practice and research.")

SCORE_RE = re.compile(
    r"^\s*(?:#{1,6}\s*)?(?:\*\*|__|\*|_)?(?P<indicative>indicative\s+)?score\b\s*(?:\*\*|__|\*|_)?\s*[:：\-–—]?"
    r"\s*(?:\*\*|__|\*|_)?\s*(?P<value>.*?)\s*(?:\*\*|__|\*|_)?\s*$",
    re.IGNORECASE,
)
# CQC's rating word may precede the descriptor, with or without spaces around the dash:
# "1 -Inadequate: Evidence shows significant shortfalls" is a label line, not findings text.
RATING_WORDS = r"(?:outstanding|good|requires\s+improvement|inadequate)"
# The number and the descriptor may be joined by a dash, a colon or a bracket ("1: Evidence shows…",
# "1 (Evidence shows…)"), and the rating word may stand alone ("1 - Inadequate"): each is the label, so a
# number that disagrees with the score line is caught, never read as findings text.
LABEL_RE = re.compile(
    r"^\s*(?:#{1,6}\s*)?(?:\*\*)?(?P<n>\d+)\s*(?:[-–—:]\s*|\(\s*)"
    rf"(?P<text>(?:{RATING_WORDS}\s*[:\-–—]?\s*)?evidence shows\b.*?|{RATING_WORDS})\s*\)?\s*\.?\s*(?:\*\*)?\s*$",
    re.IGNORECASE,
)
RATING_BANDS = {"outstanding": 4, "good": 3, "requires improvement": 2, "inadequate": 1}
# The label without its number ("Evidence shows a good standard" alone on the line under the score, as
# some copies of the published page have it): one of the four descriptors exactly, so a findings
# sentence that merely starts with "Evidence shows" is never taken for it.
UNNUMBERED_LABEL_RE = re.compile(
    r"^\s*(?:#{1,6}\s*)?(?:\*\*)?(?P<text>(?:" + RATING_WORDS + r"\s*[:\-–—]?\s*)?evidence shows\s+"
    r"(?P<descriptor>an\s+exceptional\s+standard|a\s+good\s+standard|some\s+shortfalls|significant\s+shortfalls))"
    r"\s*\.?\s*(?:\*\*)?\s*$",
    re.IGNORECASE,
)
_BAND_OF_DESCRIPTOR = {text: band for band, text in DESCRIPTORS.items()}
# Invisible format characters (Unicode category Cf: the soft hyphen, zero-width spaces and joiners, the word
# joiner, bidirectional controls, byte-order marks). Text copied from web pages carries them inside words,
# where they would hide a cue ("embed\u00added" is not "embedded" to a pattern) and let a weak report
# pass; a right-to-left override could make a line display unlike what it says. They are removed before
# anything is read; line numbers do not change. (A superset of Cf as of Unicode 15; a test checks that
# every Cf character of the running Python is in it.)
FORMAT_CHARACTERS = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
    # invisible but not format characters (a reader sees "not" where "n\u034fot" is written): the combining grapheme
    # joiner, variation selectors, Mongolian free variation selectors and the Hangul fillers
    "\u034f\ufe00-\ufe0f\U000e0100-\U000e01ef\u180b-\u180d\u180f\u115f\u1160\u3164\uffa0]")
# A value that is meant as a score, in any script: used to tell a second score line from a sentence.
_NUMBER_LIKE_RE = re.compile(r"\d+(?:\s*(?:/|out of)\s*\d+)?", re.IGNORECASE)
HEADING_RE = re.compile(r"^\s*(#{1,6})\s+(?P<text>.+?)\s*#*\s*$")
SEPARATOR_RE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
# What a copied page carries that is not findings text: page numbers, a web page's controls and links. (A running
# header or footer, the council's name on every page, is found by repetition: see _furniture.)
_PAGE_NUMBER = re.compile(r"(?:page )?\d{1,4}(?: of \d{1,4})?", re.IGNORECASE)
FURNITURE_RE = re.compile(
    _PAGE_NUMBER.pattern + r"|(?:back to top|top of page|was this page helpful\??|yes|no|"
    r"skip to (?:main )?content|show all sections|hide all sections|show|hide|print(?: this page)?|"
    r"share(?: this page)?|home|(?:previous|next)(?: section| page)?: [^.!?]{1,100}|"
    r"[\w'’-]+(?: [\w'’-]+){0,4}(?: > [\w'’-]+(?: [\w'’-]+){0,5}){2,})",
    re.IGNORECASE)
# "(opens in a new tab)" after a link's text; footnote markers glued to the text: "11%.1 Staff", "[^2]", "²".
WEB_NOTE_RE = re.compile(r" ?\((?:link )?opens in (?:a )?new (?:tab|window)\)| ?\(external (?:link|site|website)\)",
                         re.IGNORECASE)
FOOTNOTE_MARK_RE = re.compile(r"(?:(?<=[a-z]{2}[.!?])|(?<=[%)][.!?]))\d{1,2}(?=\s|$)|\[\^\w{1,8}\](?!:)|[¹²³⁴⁵⁶⁷⁸⁹⁰]+")
# What every footnote mark holds, found far faster than the mark itself (whose look-behind is tried at every
# character): most lines have none, and are left alone without running FOOTNOTE_MARK_RE.
_FOOTNOTE_HINT = re.compile(r"[.!?]\d|\[\^|[¹²³⁴⁵⁶⁷⁸⁹⁰]")
# A notes block is sources, not findings: its lines are kept (and numbered) but never read as evidence.
NOTES_HEADINGS = ("notes", "footnotes", "endnotes", "references", "sources")
# A line of a notes block: a footnote's number or mark first ("1 Council workforce return", "[^2]: …", "² …",
# "* Source: …"). Only such paragraphs under a notes heading are set aside; findings placed there still count.
NOTE_LINE_RE = re.compile(r"\s*(?:\[\^\w{1,8}\]:|\d{1,2}[.)]?\s|[¹²³⁴⁵⁶⁷⁸⁹⁰]+|\*+\s?|†|‡|(?:source|sources|note)s?:)",
                          re.IGNORECASE)
FOOTNOTE_LINE_RE = re.compile(r"\s*\[\^\w{1,8}\]:")
# Letters a PDF copy joins into one character: "Staﬀ", "ﬁrst".
LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
                           "\ufb05": "st", "\ufb06": "st"})
_LIGATURE_RE = re.compile("[\ufb00-\ufb06]")
# A list item's marker: a bullet as Markdown, word processors and PDF copies write it ("-", "*", "•", "o", "▪"),
# or a number or letter ("1.", "2)", "(a)", "iv.").
BULLET_RE = re.compile(r"^\s*(?:[-*+•◦▪▫‣⁃●○■□–o]|\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})[.)])\s+(?=\S)")
SUPPRESSION_RE = re.compile(
    # Any rule id as written, '*' and all: one that names no rule gets the unused-suppression warning
    # rather than being taken for an ordinary comment and ignored without a word.
    r"<!--\s*lii-check-disable\s+(?P<rule>[^\s:]+?)\s*(?::\s*(?P<reason>.*?))?\s*-->", re.IGNORECASE
)

# Any comment that opens with "lii-check": one SUPPRESSION_RE does not read ("lii-check-disable" with no rule,
# "lii-check-disabled", two rules in one comment, no closing "-->") would otherwise be ignored without a word
# while the author believes the rule silenced. Such a comment is kept as a suppression of the rule "" (no rule),
# which the check reports with what to write instead.
ATTEMPTED_SUPPRESSION_RE = re.compile(r"<!--\s*lii-check[^\n]*", re.IGNORECASE)

# Abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = {"e.g", "i.e", "etc", "dr", "mr", "mrs", "ms", "no", "st", "vs", "cf", "approx", "incl"}
_SPLIT_RE = re.compile(r"[.!?][\"'’”)\]]*\s+(?=[\"'‘“(]?[A-Z0-9£])")


class ReportError(Exception):
    """A report that cannot be read; the message is for a QA lead, not a programmer."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


_BOMS = (  # longest first: the UTF-32-LE mark begins with the UTF-16-LE one
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"), (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"), (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)


# Documents that are not text, by their first bytes: named, so the message says what to do with them.
_DOCUMENT_SIGNATURES = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (a Word .docx or OpenDocument file is one)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-style Word or Excel document"),
    (b"{\\rtf", "an RTF document"),
)
_HTML_START = re.compile(r"\s*(?:<!doctype\s+html|<html[\s>])", re.IGNORECASE)


def decode_report(data: bytes) -> str:
    """Bytes to text: UTF-8, or UTF-16/UTF-32 announced by a byte-order mark; anything else is refused."""
    for signature, kind in _DOCUMENT_SIGNATURES:
        if data.startswith(signature):
            raise ReportError(f"this is {kind}, not a text report: save the section's text as a .txt or .md "
                              "file (UTF-8) and check that")
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(codec)
            except UnicodeDecodeError as exc:
                raise ReportError(f"the file starts with a {name} byte-order mark but is not valid {name} "
                                  f"(byte {exc.start + len(bom)} cannot be decoded); re-save it as UTF-8") from None
            break
    else:
        if data.strip() and b"\x00" in data:
            raise ReportError(utf16_problem(data) or "this looks like a binary file, not a text report (it contains "
                                                     "NUL bytes)")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            problem = undecodable(data, exc)
            raise ReportError(problem.message, problem.line) from None
    if not text.strip():
        raise ReportError("the file is empty: a report needs a score line and findings text")
    if _HTML_START.match(text.lstrip("\ufeff")):
        raise ReportError("this is a web page (HTML), not a text report: copy the section's text into a .txt "
                          "or .md file and check that")
    if "\x00" in text:
        raise ReportError("this looks like a binary file, not a text report (it contains NUL characters)")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x85" in text or "\u2028" in text or "\u2029" in text:
        # NEL and the Unicode line and paragraph separators end the lines of a file that has no other line ends (a
        # mainframe or Word export: read as one line, the report had "no score line"); in a file that has "\n" they
        # are spaces, so every line number stays the one an editor counting "\n" shows.
        if "\n" in text:
            text = text.replace("\x85", " ").replace("\u2028", " ").replace("\u2029", " ")
        else:
            text = text.replace("\x85", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    return text


_FILE_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
               (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
               (stat.S_ISSOCK, "a socket"))


def _not_regular(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _FILE_KINDS if test(mode)), "not a regular file")
    return f"this is {kind}, not a regular file: only regular files are read"


def _too_big(size: int, max_bytes: int) -> str:
    return (f"the file is larger than the limit of {max_bytes:,} bytes ({size:,} bytes or more): "
            "a report section is a few KB; raise the limit with --max-bytes or 'max-bytes' in the configuration")


def read_limited(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most max_bytes; never blocks and never reads more than max_bytes + 1.

    The type is checked before opening (opening a FIFO for reading waits for a writer), and again on the
    open descriptor, opened non-blocking, in case the path was swapped in between.
    """
    try:
        info = os.stat(path)  # follows symlinks: `z.txt -> /dev/zero` is judged as the device it names
        problem = _not_regular(info.st_mode)
        if problem:
            raise ReportError(problem)
        if info.st_size > max_bytes:
            raise ReportError(_too_big(info.st_size, max_bytes))
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
        fd = os.open(path, flags)
        try:
            problem = _not_regular(os.fstat(fd).st_mode)
            if problem:
                raise ReportError(problem)
            chunks, size = [], 0
            while size <= max_bytes:
                chunk = os.read(fd, min(65536, max_bytes + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        finally:
            os.close(fd)
    except OSError as exc:
        raise ReportError(f"cannot read the file: {exc.strerror or exc}") from None
    except ValueError as exc:  # a NUL in the path
        raise ReportError(f"cannot read the file: {exc}") from None
    if size > max_bytes:  # it grew after the stat, or its size is not known in advance (/proc)
        raise ReportError(_too_big(size, max_bytes))
    return b"".join(chunks)


def read_report(path: Path, display_path: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Report:
    return parse_report(decode_report(read_limited(path, max_bytes)), display_path or str(path))


def _looks_like_report_line(line: str) -> bool:
    m = SCORE_RE.match(line)
    return bool(m and _NUMBER_LIKE_RE.fullmatch(m.group("value").strip("* "))) or bool(LABEL_RE.match(line))


def _front_matter(lines: list[str]) -> int:
    """The index of the first line after the front matter (0 when there is none). The front matter is
    read only to be validated: a report whose metadata is broken is refused, located, rather than
    half-read; nothing in lii-check uses its values.

    Front matter is a YAML mapping between `---` lines that does not hold a score or label line. A report
    that opens `---`, `Score: 3`, `---` uses the rules as separators; `Score: 3` is also a valid one-key
    YAML mapping, so without this test the report's own score would vanish into metadata and the
    report would be refused as having "no score line" (or worse, read with a later score).
    """
    if not lines or lines[0].strip() != "---":
        return 0
    for end in range(1, min(len(lines), 80)):
        if lines[end].strip() in ("---", "..."):
            block = lines[1:end]
            if any(_looks_like_report_line(line) for line in block):
                return 0
            try:
                data = load_flat_mapping("\n".join(block))
                if data is None:
                    data, _node = load_yaml("\n".join(block))
            except YamlProblem as exc:
                raise ReportError(
                    f"the front matter (lines 1-{end + 1}) is not valid YAML: {exc.message}", exc.line + 1
                ) from None
            return end + 1 if isinstance(data, dict) else 0
    return 0


def _statement_key(text: str) -> str:
    """A title as the quality statements' names are written here: lower case, "&" as "and", one space."""
    return " ".join(text.casefold().replace("&", "and").split()).strip(" .:")


def _heading_text(line: str) -> str | None:
    """The heading's text if the line is a heading (markdown, or a known plain heading), else None."""
    m = HEADING_RE.match(line)
    if m:
        return m.group("text").strip().rstrip(":").strip()
    plain = line.strip().rstrip(":").strip()
    if plain.casefold() in KNOWN_HEADINGS or plain.casefold() in NOTES_HEADINGS:
        return plain
    return None


def _repeated_lines(lines: list[str], first: int) -> set[str]:
    """Short lines that occur more than once, end no sentence and stand apart from the text each time (a blank
    line or a page number next to them): a running header or footer ("Brindlemoor Borough Council – Adult social
    care assessment" on every page of a PDF copy). A list item or a line inside a paragraph is never one."""
    seen: dict[str, list[bool]] = {}

    def apart(i: int) -> bool:
        near = [lines[j].strip() for j in (i - 1, i + 1) if first <= j < len(lines)]
        return len(near) < 2 or any(not text or _PAGE_NUMBER.fullmatch(text) for text in near)

    for i in range(first, len(lines)):
        key = " ".join(lines[i].split())
        if (0 < len(key) <= 100 and not key.endswith((".", "!", "?", ":", ";")) and any(c.isalpha() for c in key)
                and not BULLET_RE.match(lines[i])):
            seen.setdefault(key, []).append(apart(i))
    return {key for key, places in seen.items() if len(places) > 1 and all(places)}


def _words(text: str) -> str:
    """Letters only, folded as the cues read them: copies differ in commas, quotes and look-alike letters."""
    from .matcher import fold  # here: the matcher imports the rulebook, which imports this module

    return " ".join(_NOT_LETTERS.sub(" ", fold(text).casefold()).split())


_NOT_LETTERS = re.compile(r"[^a-z]+")


@functools.lru_cache(maxsize=1)
def _stock_sentences() -> tuple[str, ...]:
    return tuple(_words(part) for part in re.split(r"(?<=\.) ", COMMITMENT_TEXT))


def _is_commitment(sentences: list[Sentence]) -> bool:
    """The paragraph is CQC's stock "local authority commitment" and nothing else: every sentence one of the stock
    ones, or the start of one (a copy cut short; a page break can fall between two of the three). A finding placed
    under that heading, or written after the stock words, is read like any other."""
    if not sentences:
        return False
    stock = _stock_sentences()
    for sentence in sentences:  # one at a time: nearly every paragraph fails at its first sentence
        said = _words(sentence.text)
        if said.count(" ") < 5 or not any(full.startswith(said) for full in stock):
            return False
    return True


def _furniture(line: str, repeated: set[str]) -> bool:
    return line in repeated or (len(line) <= 160 and FURNITURE_RE.fullmatch(line) is not None)


def _carries_on(before: str, line: str) -> bool:
    """A sentence broken by a blank line (a page break in a PDF copy): the line before ends mid-sentence and this
    one starts in lower case ("… could not describe any" / "change to practice that had followed from it.")."""
    return not before.rstrip().endswith((".", "!", "?", ":", ";", '"', "”", "’", ")")) and line[:1].islower()


_SPEAKER = re.compile(r"\b(?:told us|told|said|say|says|described|explained|reported|felt|commented|stated|"
                      r"highlighted|raised|mentioned|added|claimed|shared)\b", re.IGNORECASE)


def _lead_in(line: str, lines: list[str], index: int) -> bool:
    """A short line ending in a colon with a list under it ("Areas for development:", "What people told us:")."""
    if not line.endswith(":") or len(line.split()) > 6:
        return False
    below = next((text for text in lines[index + 1:index + 3] if text.strip()), "")
    return BULLET_RE.match(below) is not None


_BROKEN_WORD = re.compile(r"[^\W\d_]{2}-$")  # a line ending in a word's first part and a hyphen
# A hyphen that belongs to the word: after a prefix written with one, or before a suffix that is ("co-production",
# "person-centred", "long-standing", "strengths-based"). Otherwise a line-end hyphen is the break's ("improve-ment").
_HYPHEN_PREFIX = re.compile(r"(?:^|\W)(?:co|self|well|long|short|multi|cross|non|pre|post|anti|semi|part|full|high|low|"
                            r"face|decision|person|people|strengths|evidence|community|user|carer|client|place|"
                            r"front|first|second|third|one|two|three|four|five|six|year|month|week|day|"
                            r"mid|life|end|age|family|practice|risk|need|cost|"
                            r"time|self|all|ex|top|wide|hard|co-?ordinat\w*)-$", re.IGNORECASE)
_HYPHEN_SUFFIX = re.compile(r"(?:based|led|centred|centered|focused|focussed|making|wide|level|term|funded|run|owned|"
                            r"being|related|specific|friendly|informed|driven|facing|up|on|in|off|out|to|of|by|"
                            r"quality|scale|time|day|year|month|week|agency|sector|service|partner|council)\b")


def _compound(before: str, after: str) -> bool:
    return _HYPHEN_PREFIX.search(before) is not None or _HYPHEN_SUFFIX.match(after) is not None


def split_sentences(lines: list[tuple[int, str]]) -> list[Sentence]:
    """Split a paragraph (its lines with line numbers) into sentences, each with its first line."""
    # Built once with join and looked up with bisect: a paragraph of many thousand lines stays linear.
    pieces: list[str] = []
    offsets: list[int] = []  # offset in text where each line starts
    numbers: list[int] = []
    at = 0
    joins: list[str] = []  # what goes before each piece: a space, or nothing after a word broken at a line end
    for number, content in lines:
        piece = content.strip()
        join = ""
        if pieces:
            join = " "
            if _BROKEN_WORD.search(pieces[-1]) and piece[:1].islower():
                # "improve-" / "ment": one word again; "co-" / "production" keeps its hyphen (see _compound)
                join = ""
                if not _compound(pieces[-1], piece):
                    pieces[-1] = pieces[-1][:-1]
                    at -= 1
            at += len(join)
        offsets.append(at)
        numbers.append(number)
        pieces.append(piece)
        joins.append(join)
        at += len(piece)
    text = "".join(join + piece for join, piece in zip(joins, pieces))

    def line_at(offset: int) -> int:
        return numbers[max(0, bisect_right(offsets, offset) - 1)]

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


def _blank_comments(text: str) -> str:
    """The text with every HTML comment replaced by its newlines, so line numbers stay true. What
    ``<!--.*?-->`` (DOTALL) would do, in one pass: that pattern re-scans to the end of the text from each
    unclosed ``<!--``, so 20,000 of them took 17 s."""
    parts: list[str] = []
    at = 0
    while True:
        start = text.find("<!--", at)
        if start < 0:
            break
        end = text.find("-->", start + 4)
        if end < 0:
            break  # unclosed: neither it nor any later opener can close, so the rest is text
        parts += (text[at:start], "\n" * text.count("\n", start, end))
        at = end + 3
    parts.append(text[at:])
    return "".join(parts)


# Inline markup a reader does not see but a pattern does: "_not_" (Markdown emphasis, as HTML-to-Markdown
# converters write it) is one word to a pattern, so "Co-production was _not_ in place" read as praise, and
# "n<b>o</b>t" or "&#110;&#111;&#116;" hid the word entirely. After the comments are blanked (so no comment can
# be made from an escaped one) and outside the front matter: emphasis markers and plain formatting tags that
# touch a letter go, and numeric references to letters become the letters. Markup standing apart from words
# ("<b>&amp;</b>", "2 * 3", "<img …>") is left as written, for the outputs to escape. Line numbers do not change.
_MARKUP_HINT = re.compile(r"[*_<&\\]")
_FORMAT_TAG = r"</?(?:b|i|em|strong|u|s|mark|span|small|big|sup|sub|tt)>"
_LETTER = r"[^\W\d_]"  # a letter of any script (not a digit: "<b>50%</b>" keeps its tags)
_INLINE_TAGS = re.compile(rf"(?<={_LETTER}){_FORMAT_TAG}|{_FORMAT_TAG}(?={_LETTER})", re.IGNORECASE)
# Emphasis as Markdown writes it: an opening run after a space, a bracket or a quote (or at the start) and
# before a letter, a closing run after a letter and before a space, punctuation or the end, and a star inside a
# word ("n*o*t"). An underscore inside a word ("window.__pwned", "snake_case") is not emphasis and stays.
_EMPHASIS = re.compile(rf"(?<![^\s(\[\"'“‘])[*_]+(?={_LETTER})|(?<={_LETTER})[*_]+(?![^\s.,;:!?)\]\"'”’])"
                       rf"|(?<={_LETTER})\*+(?={_LETTER})")
_LETTER_REFERENCE = re.compile(r"&#(?:([0-9]{1,7})|[xX]([0-9a-fA-F]{1,6}));")


def _letter(m: re.Match) -> str:
    code = int(m.group(1)) if m.group(1) else int(m.group(2), 16)
    char = chr(code) if code <= 0x10FFFF else ""
    return char if char.isalnum() or char in _QUOTES else m.group(0)


# Quotation marks and apostrophes written as references or escapes, as HTML and Markdown exports write them:
# "wasn&rsquo;t", "wasn&#8217;t", "wasn\'t" read as "wasn't" (the negation a reader sees).
_QUOTES = "'’‘\"“”"
_NAMED = {"&rsquo;": "’", "&lsquo;": "‘", "&apos;": "'", "&ldquo;": "“", "&rdquo;": "”", "&quot;": '"'}
_NAMED_REFERENCE = re.compile("|".join(map(re.escape, _NAMED)), re.IGNORECASE)
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!'\"’])")
# What a copy through the wrong encoding makes of quotes and dashes (UTF-8 read as Windows-1252): "wasnâ€™t".
_MOJIBAKE = {"â€™": "’", "â€˜": "‘", "â€œ": "“", "â€\x9d": "”", "â€“": "–", "â€”": "—", "â€¢": "•", "â€¦": "…",
             "Â ": " "}
_MOJIBAKE_RE = re.compile("|".join(map(re.escape, sorted(_MOJIBAKE, key=len, reverse=True))))


def _plain(line: str) -> str:
    if "<" in line:
        line = _INLINE_TAGS.sub("", line)
    if "&#" in line:
        line = _LETTER_REFERENCE.sub(_letter, line)
    if "&" in line:
        line = _NAMED_REFERENCE.sub(lambda m: _NAMED[m.group(0).lower()], line)
    if "\\" in line:
        line = _ESCAPED.sub(r"\1", line)
    if "*" in line or "_" in line:
        line = _EMPHASIS.sub("", line)
    return line


_SCORE_WORD = re.compile(r"\bs\W?c\W?o\W?r\W?e\b[^0-9]{0,12}[1-4]\b", re.IGNORECASE)


def _near_score_line(lines: list[str]) -> tuple[int, str, str] | None:
    """(line, text, why) of the first line that reads like a score line once its letters are folded to the
    Latin ones they look like and any quotation or list marker is set aside, for the "no score line found"
    message: a score hidden by a look-alike letter ('Ѕcore: 3' with a Cyrillic S) or put in a quotation or list
    ('> Score: 3') is named, not left for the reader to hunt."""
    from .matcher import fold

    for number, text in enumerate(lines[:200], start=1):
        m = _SCORE_WORD.search(fold(text[:200]))  # fold keeps one character for one: m's span is the text's
        if not m:
            continue
        shown = text.strip()[:60]
        if re.match(r"\s*(?:>|[-*+]\s|\d+[.)]\s)", text):
            return number, shown, "a score line inside a quotation or a list is not read; write it on a line of its own"
        # Only letters count: a curly quote or a dash is folded too, and the score line reader takes those already.
        if any(not ch.isascii() and ch.isalpha() for ch in text[m.start():m.end()]):
            return number, shown, ("it holds letters that only look like Latin ones (from another script, or "
                                   "accented); retype it as 'Score: N'")
    return None


def parse_report(text: str, path: str) -> Report:
    """Parse the text of one LII section. Raises ReportError for what cannot be read."""
    if not text.isascii():
        if "â€" in text or "Â " in text:
            text = _MOJIBAKE_RE.sub(lambda m: _MOJIBAKE[m.group(0)], text)
        text = FORMAT_CHARACTERS.sub("", text)
        if _LIGATURE_RE.search(text):  # translate() with a table costs ~1 ms on a section; most have none to undo
            text = text.translate(LIGATURES)
    suppressions: list[tuple[int, str, str]] = []
    if "lii-check" in text.lower():
        # Line numbers by bisecting the line starts: counting newlines up to each comment took quadratic time
        # on a report of tens of thousands of them.
        breaks = [m.start() for m in re.finditer("\n", text)]
        read = {m.start(): m for m in SUPPRESSION_RE.finditer(text)}
        suppressions = [(bisect_right(breaks, at) + 1, m.group("rule"), (m.group("reason") or "").strip())
                        for at, m in read.items()]
        suppressions += [(bisect_right(breaks, m.start()) + 1, "", m.group(0)[:120].strip())
                         for m in ATTEMPTED_SUPPRESSION_RE.finditer(text) if m.start() not in read]
        suppressions.sort()
    # Blank out comments but keep their newlines so every line number stays true.
    text = _blank_comments(text)
    lines = text.split("\n")
    if not any(line.strip() for line in lines):
        raise ReportError("the file has no text: a report needs a score line and findings text")
    first = _front_matter(lines)
    for i in range(first, len(lines)):
        if _MARKUP_HINT.search(lines[i]):
            lines[i] = _plain(lines[i])
        if "(" in lines[i] and "new" in lines[i] or "(external" in lines[i]:
            lines[i] = WEB_NOTE_RE.sub("", lines[i])
        if _FOOTNOTE_HINT.search(lines[i]) and not FOOTNOTE_LINE_RE.match(lines[i]):
            lines[i] = FOOTNOTE_MARK_RE.sub("", lines[i])
    repeated = _repeated_lines(lines, first)

    title, title_line = "", 0
    score: int | None = None
    score_line = 0
    label: tuple[int, str, int] | None = None
    sections: list[Section] = [Section(None, None)]
    para_lines: list[tuple[int, str]] = []

    speaker_list = False  # the paragraph being read is a list introduced by its speaker ("Staff told us:")

    def flush() -> None:
        nonlocal speaker_list
        speaker_list = False
        if para_lines:
            sentences = split_sentences(para_lines)
            current = sections[-1]
            notes = (current.heading or "").casefold() in NOTES_HEADINGS and NOTE_LINE_RE.match(para_lines[0][1])
            boilerplate = _is_commitment(sentences) or bool(notes) or FOOTNOTE_LINE_RE.match(para_lines[0][1]) is not None
            current.paragraphs.append(Paragraph(para_lines[0][0], sentences, boilerplate))
            para_lines.clear()

    in_list = False  # the paragraph being read is a list item
    blank_before = False  # a blank line came after the paragraph's last line
    taken: set[int] = set()  # lines already read as part of an earlier one (a score under its "Score" line)
    score_from_label = False  # the score was read from a label line with no score line before it
    for index in range(first, len(lines)):
        # The line for every structural test (score, label, heading, title): stripped, and any run of
        # whitespace (tabs, NBSP, two spaces) one space, so a label copied from a web page
        # ("Evidence\u00a0shows…") is still the label. Sentences keep the text as written.
        number, line = index + 1, lines[index].strip()
        if not line.isprintable() or "  " in line:
            line = " ".join(line.split())
        if not line:
            blank_before = True  # the paragraph ends here, unless its sentence carries on after the gap (see _carries_on)
            continue
        if SEPARATOR_RE.match(line):
            flush()
            continue
        if index in taken:
            continue
        row = _score_row(line) if line.startswith("|") else None
        m = SCORE_RE.match(row or line) if len(line) < 200 else None
        inline = LABEL_RE.match(m.group("value").strip("* ")) if m else None  # "Score: 3 - Evidence shows a good standard"
        if m and not inline and not row and len(line) >= 60:
            m = None  # a long line opening "Score …" is findings text, not a score line
        if m and score is None:
            flush()
            if inline:
                score = _score_value(inline.group("n"), number)
                _refuse_words_for_another_band(score, inline.group("text"), number, "score line")
                score_line = number
                label = (score, inline.group("text"), number)
                continue
            below = _value_below(lines, index) if not m.group("value").strip("* ") else None
            if below is not None:
                # "Score" on its own line with the number under it, as the published page copies: the
                # number, or the label line that starts with it, is the score.
                value_index, value_text, is_label = below
                score = _score_value(value_text, value_index + 1)
                score_line = value_index + 1
                if not is_label:
                    taken.add(value_index)
                continue
            score = _score_value(m.group("value"), number)
            score_line = number
            continue
        if m and not inline and not m.group("value").strip("* ") and score is not None:
            # "Score" with the number under it, after a score line: a second score as much as "Score: 2" would be
            below = _value_below(lines, index)
            if below is not None and not below[2]:  # a label under it is read (and checked) as a label line
                value_index, value_text, _ = below
                again = _score_value(value_text, value_index + 1)
                if again != score:
                    raise _disagreement(score_line, lines[score_line - 1], value_index + 1, lines[value_index],
                                        "two score lines")
                taken.add(value_index)
                flush()
                continue
        if m and (inline or _NUMBER_LIKE_RE.fullmatch(m.group("value").strip("* "))):
            # A second score line: the same score again is harmless, a different one leaves the
            # awarded score unknown, and guessing (the first wins) is how a report passed as a 3.
            again = _score_value(inline.group("n") if inline else m.group("value"), number)
            if again != score:
                raise _disagreement(score_line, lines[score_line - 1], number, line,
                                     "the label line and the score line" if score_from_label else "two score lines")
            flush()
            continue
        bare = None
        m = LABEL_RE.match(line)
        if not m:
            m = bare = UNNUMBERED_LABEL_RE.match(line)
        if m:
            value = _BAND_OF_DESCRIPTOR[" ".join(bare.group("descriptor").lower().split())] if bare else \
                _ascii_number(m.group("n"), number, "label")
            if not 1 <= value <= 4:
                raise ReportError(f"the score label gives {value}, which is outside 1-4: CQC scores run from 1 to 4, "
                                  "so correct the label", number)
            if not bare:
                _refuse_words_for_another_band(value, m.group("text"), number, "label")
        if m and score is None:
            # The label with no score line before it ("3 - Evidence shows a good standard" alone, or only the
            # descriptor, as some copies of the page keep): it says the score as plainly as a score line.
            flush()
            score, score_line, score_from_label = value, number, True
            label = (value, m.group("text"), number)
            continue
        if m:
            if value != score:
                # Refused like two score lines rather than left to a rule: the awarded score itself is in
                # doubt, and a finding could be suppressed or downgraded where an unreadable report cannot.
                raise _disagreement(score_line, lines[score_line - 1], number, line, "the score line and the label line")
            flush()
            if label is None:
                label = (value, m.group("text"), number)
            continue
        heading = _heading_text(line)
        lead_in = speaker_lead = False
        if heading is None and score is not None and _lead_in(line, lines, index):
            if _SPEAKER.search(line):
                # "Leaders told us:" over a list: who says what follows, so the list stays with it (joined, as
                # before: read item by item, the items lost their speaker, and leaders' claims read as findings).
                speaker_lead = True
            else:
                heading, lead_in = line.rstrip(":").strip(), True  # "Areas for development:": the list's heading
        if score is None and len(line) < 120 and _statement_key(heading or line) in STATEMENT_NAMES:
            # The quality statement's name under a report title ("<Council>: local authority assessment", as
            # CQC's pages open): the section's title, never findings text (read as text, "Learning, improvement
            # and innovation" was evidence about innovation).
            flush()
            title, title_line = (heading or line).strip().rstrip(":").strip(), number
            continue
        if heading is not None and len(line) < 120:
            flush()
            if score is None and not title:
                title, title_line = heading, number
                continue
            if score is not None and not lead_in and _statement_key(heading) in OTHER_STATEMENTS:
                # Another statement's section after this one's score (a page saved whole, two sections pasted into
                # one file): read on, its findings would count as LII evidence and could flip the verdict.
                raise ReportError(f"line {number} starts the '{heading.strip()}' section, another quality statement: "
                                  "a file must hold one LII section; cut the file at that heading", number)
            if heading.casefold() == title.casefold() and not any(s.paragraphs for s in sections):
                continue  # published pages repeat the title line
            sections.append(Section(heading, number))
            continue
        if score is None and not title and len(line) < 120:
            title, title_line = line.rstrip(":"), number
            continue
        if score is not None and _furniture(line, repeated):
            continue  # a page number or running header inside a sentence: the sentence reads on across it
        if blank_before and para_lines and (BULLET_RE.match(lines[index]) or not _carries_on(para_lines[-1][1], line)):
            flush()
        blank_before = False
        if speaker_lead:
            flush()
            speaker_list = True  # set after the flush above, which ends the paragraph before it
        item = BULLET_RE.match(lines[index]) if not speaker_list else None
        if item and (not para_lines or in_list or para_lines[-1][1].rstrip().endswith((".", ":", ";", "!", "?"))):
            # Each item of a list is its own paragraph: run together, an item with no full stop ran into the next
            # as one sentence, and every item was cited at the list's first line. The marker is not text. (A
            # marker-like start of a line that carries on a sentence, "- though not in every team" after a line
            # break mid-sentence, is that sentence's text.)
            flush()
            in_list = True
            para_lines.append((number, lines[index][item.end():]))
            continue
        if not para_lines:
            in_list = False
        para_lines.append((number, lines[index]))
    flush()

    statement = _statement_key(title)
    if statement in OTHER_STATEMENTS:
        raise ReportError(f"this is the '{title}' section, not 'Learning, improvement and innovation', the only quality "
                          "statement lii-check checks: leave the file out with --exclude NAME, or under 'exclude' in "
                          "the configuration", title_line)
    if score is None:
        row = next((n for n, text in enumerate(lines, start=1)
                    if text.lstrip().startswith("|") and "score" in text.casefold()), None)
        near = None if row else _near_score_line(lines)
        raise ReportError(
            "no score line found: expected a line such as 'Score: 3', 'Indicative score: 3' or '3 - Evidence shows a "
            "good standard' before the findings"
            + (f" (the table row on line {row} is not read as the score: only a row '| Score | 3 |', the score "
               "a digit from 1 to 4, is)" if row else "")
            + (f" (line {near[0]}, '{near[1]}', is not read as the score: {near[2]})" if near else ""),
            near[0] if near else None,
        )
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
        suppressions=suppressions,
    )


def _band_named(text: str) -> int | None:
    """The band CQC's words in a label name ("Evidence shows significant shortfalls" 1, "Requires improvement" 2)."""
    words = " ".join(text.lower().split())
    for band, descriptor in DESCRIPTORS.items():
        if descriptor in words:
            return band
    for word, band in RATING_BANDS.items():
        if re.search(rf"\b{word}\b", words):
            return band
    return None


def _refuse_words_for_another_band(score: int, text: str, line: int, what: str) -> None:
    """A number whose own words name another band ("Score: 4 - Evidence shows significant shortfalls"): the awarded
    score is as uncertain as when two lines disagree, and reading it as the number let a report pass."""
    named = _band_named(text)
    if named is not None and named != score:
        raise ReportError(f"the {what} gives {score} but its words, '{text.strip()}', are CQC's words for a score of "
                          f"{named}, so the awarded score is uncertain: correct the number or the words so they agree",
                          line)


def _disagreement(first: int, first_text: str, second: int, second_text: str, what: str) -> ReportError:
    return ReportError(
        f"{what} disagree: line {first} '{first_text.strip()}' and line {second} '{second_text.strip()}'; "
        "the awarded score is uncertain, make them give the same score",
        second,
    )


def _refuse_other_digits(value: str, line: int, what: str) -> None:
    odd = next((c for c in value if c.isdigit() and not "0" <= c <= "9"), None)
    if odd is not None:
        raise ReportError(f"the {what} '{value}' uses '{odd}' ({unicodedata.name(odd, 'a non-ASCII digit')}): "
                          f"write the {what} with the ASCII digits 1, 2, 3 or 4", line)


def _ascii_number(value: str, line: int, what: str) -> int:
    """int() of ASCII digits; a digit from another script is refused, naming it."""
    _refuse_other_digits(value, line, what)
    return int(value)


_TABLE_CELL_SPLIT = re.compile(r"\s*\|\s*")


def _score_row(line: str) -> str | None:
    """A Markdown table row whose first cell is the score ("| Score | 3 |", "| **Score** | 3 | Evidence shows a
    good standard |", as converters write a Word table) as the score line it stands for ("Score: 3 - Evidence
    shows a good standard"); None for any other line."""
    if not line.endswith("|") or len(line) > 200:
        return None
    cells = [c.strip("* ") for c in _TABLE_CELL_SPLIT.split(line.strip("| \t"))]
    cells = [c for c in cells if c]
    if len(cells) < 2 or " ".join(cells[0].casefold().split()) not in ("score", "indicative score"):
        return None
    if not cells[1][:1].isdigit():
        return None  # a key's header row ("| Score | Meaning |") is not a score
    return f"{cells[0]}: {' - '.join(cells[1:])}"


_LONE_NUMBER_RE = re.compile(r"^\s*(?:\*\*)?\s*(?P<n>[0-9]+)\s*(?:\*\*)?\s*$")


def _value_below(lines: list[str], index: int) -> tuple[int, str, bool] | None:
    """For a score line with no value: (line index, score text, is it a label line) of the first non-blank
    line below it when that line is a lone number or a numbered label line ("3 - Evidence shows a good
    standard"); None otherwise (the score line then has no score)."""
    for below in range(index + 1, min(len(lines), index + 4)):
        line = " ".join(lines[below].split())
        if not line:
            continue
        m = _LONE_NUMBER_RE.match(line)
        if m:
            return below, m.group("n"), False
        m = LABEL_RE.match(line)
        return (below, m.group("n"), True) if m else None
    return None


def _score_value(value: str, line: int) -> int:
    value = value.strip().strip("*").strip()
    if not value:
        raise ReportError("the score line has no score: write it as 'Score: 3'", line)
    # [0-9], not \d: \d and int() also accept '४' (Devanagari four) and '３' (fullwidth three), which
    # would let a score that looks like something else on screen, or in review, be read as 1-4.
    m = re.fullmatch(r"([0-9]+)(?:\s*(?:/|out of)\s*4)?", value, re.IGNORECASE)
    if not m:
        _refuse_other_digits(value, line, "score")
        raise ReportError(f"the score '{value}' is not a whole number from 1 to 4", line)
    score = int(m.group(1))
    if not 1 <= score <= 4:
        raise ReportError(f"the score {score} is outside 1-4: CQC scores run from 1 to 4", line)
    return score
