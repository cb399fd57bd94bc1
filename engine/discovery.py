"""Finding the report files to check under the paths a user gives.

Folders are searched for .txt and .md files. What is left out is counted, never dropped silently:
hidden folders (`.git`, `.venv`), files and folders matching an exclude pattern, symlinked folders
that lead back to a folder already searched, and symlinked folders and reports that lead out of the
checkout (the folder searched and the current folder).

Symlinked folders are followed (a corpus assembled from links is common) with two limits. The loop
protection compares device and inode, so `a/up -> ..` is searched once. And a link is followed only
when it stays inside the folder given or the current folder: lii-check runs on other people's pull
requests, and a planted `reports/all -> /` must not make CI walk, and read, the whole runner.
A folder that cannot be listed stops the run with its name and the reason: checking the rest and
exiting 0 would pass a corpus nobody read.

Whether a found file can be read (a FIFO, a device, too large) is decided when it is read, so it
is listed as unreadable with the reason and the run goes on.
"""
from __future__ import annotations

import fnmatch
import functools
import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPORT_SUFFIXES = (".txt", ".md")
# Documents that may well hold a report section, in a format lii-check does not read: each one found in a
# folder searched is named in the run's summary (not_searched), so a corpus of .docx files does not pass
# as "1 report, consistent". Data, images and code are not named: they are not reports in any format.
OTHER_DOCUMENT_SUFFIXES = (".pdf", ".doc", ".docx", ".odt", ".rtf", ".html", ".htm", ".xhtml", ".markdown", ".mdown",
                           ".mkd", ".mkdn", ".mdwn", ".text", ".rst", ".adoc", ".asciidoc", ".org", ".tex", ".epub")
# Plain text or Markdown already, under another name: renaming is all they need, not converting.
RENAME_SUFFIXES = (".markdown", ".mdown", ".mkd", ".mkdn", ".mdwn", ".text")
MOST_NAMED = 10  # other-format documents named in the note; the rest are counted
LONGEST_SHOWN = 160  # characters of a folder's path in a message; longer ones are shown by both ends


def _what_to_do(named: list[str], convert: str = "convert them to check them") -> str:
    """What to say of documents in formats lii-check does not read: a rename is all some of them need."""
    if all(name.lower().endswith(RENAME_SUFFIXES) for name in named):
        return "they are text or Markdown already: rename them to .md or .txt to check them"
    if any(name.lower().endswith(RENAME_SUFFIXES) for name in named):
        return f"{convert} (text or Markdown under another name, such as .markdown or .text, only needs renaming " \
               "to .md or .txt)"
    return convert


# Files that sit in report repositories but are never LII sections, and tool folders full of .txt
# files. Matched case-insensitively against a file or folder name (no "/" in the pattern) or the
# path below the folder given (a "/" in the pattern). `exclude` in the configuration replaces this
# list; `extend-exclude` and `--exclude` add to it.
_NOT_REPORTS = ("README", "CHANGELOG", "CHANGES", "HISTORY", "NEWS", "LICENSE", "LICENCE", "COPYING", "NOTICE",
                "AUTHORS", "CONTRIBUTING", "CONTRIBUTORS", "CODE_OF_CONDUCT", "SECURITY", "SUPPORT")
# Exact names (any extension: README.md, README.es.md), never prefixes: "support_for_carers.md" or
# "news_2024.txt" may well be reports.
DEFAULT_EXCLUDES = (
    *(f"{stem}{tail}" for stem in _NOT_REPORTS for tail in ("", ".*")), "LICENSE-*", "LICENCE-*",
    "requirements*.txt", "constraints*.txt", "robots.txt", "CMakeLists.txt",
    "node_modules", "venv", "__pycache__", "site-packages", "*.dist-info", "*.egg-info",
)


EMPTY_PATH = "an empty path was given (is a variable unset?)"


class NoReports(Exception):
    """A path that holds nothing to check, or cannot be searched: a usage error, not a report error."""


@dataclass(frozen=True)
class ReportFile:
    path: Path
    display: str  # the path as outputs show it: always valid Unicode (see shown_path)


def shown_path(name: str) -> str:
    """A path as outputs show it. A file name that is not valid UTF-8 reaches Python with its bad bytes as
    lone surrogates, which no output can encode: each is shown as its byte, `\xe9`, and the file itself is
    still read through its real path. (Not U+FFFD: "lat\xe9.md" and "lat\xe8.md" would then both be
    "lat�.md", and a baseline entry for one would accept the other.) A control character is shown as its code
    ("\x1b"), not removed by the output's neutralising: "esc/x\x1b]0;…\x07y.txt" was shown as "esc/xy.txt", a
    file that does not exist.

    So that no two files are ever shown alike, a backslash the name itself holds is doubled wherever it could be
    read as one of these escapes (before x, u, U, t, n, r, another backslash or an escaped character): a file
    literally named "lat\\xe9.md" is shown so, and a baseline written for the Latin-1 "lat\xe9.md" does not
    accept it. Only where "/" separates folders: on Windows a backslash is the separator itself."""
    if "\\" not in name or os.sep != "/":
        if name.isprintable():
            try:
                name.encode("utf-8")
                return name
            except UnicodeEncodeError:
                pass
        return "".join(_shown_char(ch) for ch in name)
    out = []
    for i, ch in enumerate(name):
        if ch == "\\":
            after = name[i + 1:i + 2]
            ambiguous = after in ("x", "u", "U", "t", "n", "r", "\\") or (after and _shown_char(after) != after)
            out.append("\\\\" if ambiguous else "\\")
        else:
            out.append(_shown_char(ch))
    return "".join(out)


_ESCAPE_WIDTH = {"x": 2, "u": 4, "U": 8}
_HEX = frozenset("0123456789abcdefABCDEF")


def unshown_path(shown: str) -> str:
    """The name a shown path stands for, as the operating system gives it (a byte that is not UTF-8 as its lone
    surrogate): for outputs that must name the very file, such as SARIF's URIs and GitHub's annotations. The inverse
    of shown_path where "/" separates folders; elsewhere the path as shown."""
    if os.sep != "/" or "\\" not in shown:
        return shown
    out: list[str] = []
    i = 0
    while i < len(shown):
        ch, after = shown[i], shown[i + 1:i + 2]
        if ch == "\\" and after == "\\":
            out.append("\\")
            i += 2
            continue
        width = _ESCAPE_WIDTH.get(after, 0) if ch == "\\" else 0
        digits = shown[i + 2:i + 2 + width]
        if width and len(digits) == width and set(digits) <= _HEX:
            code = int(digits, 16)
            out.append(chr(0xDC00 + code) if after == "x" and code >= 0x80 else chr(code))
            i += 2 + width
            continue
        if ch == "\\" and after in ("t", "n", "r"):
            out.append({"t": "\t", "n": "\n", "r": "\r"}[after])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _shown_char(ch: str) -> str:
    """One character as shown_path shows it."""
    if 0xD800 <= ord(ch) < 0xE000:
        # A lone surrogate: a byte the file system gave that is not UTF-8 (shown as that byte), or, if no file
        # system could have given it, its code point.
        try:
            return ch.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:
            return ch.encode("utf-8", "backslashreplace").decode("utf-8")
    if ch.isprintable() or ch == " ":
        return ch
    if 0x80 <= ord(ch) <= 0xFF:
        # "\xa0" is how a byte that is not UTF-8 is shown: the character U+00A0 (a no-break space, a C1 control)
        # is "\u00a0", so a file named with one is never shown as a file named with the other.
        return f"\\u{ord(ch):04x}"
    return ch.encode("unicode_escape").decode("ascii")


@dataclass
class Discovery:
    files: list[ReportFile]
    hidden_folders: int = 0  # hidden folders not searched
    hidden_reports: list[str] = field(default_factory=list)  # hidden files that would be reports (".draft.md"): named
    excluded: int = 0  # files and folders left out by an exclude pattern
    excluded_paths: list[str] = field(default_factory=list)  # which (as shown), for the summary to name
    repeated_folders: list[str] = field(default_factory=list)  # symlinked folders already searched: skipped
    outside_links: list[str] = field(default_factory=list)  # symlinked folders leading out of the checkout
    outside_files: list[str] = field(default_factory=list)  # symlinked reports leading out of the checkout
    other_formats: list[str] = field(default_factory=list)  # documents lii-check does not read (.pdf, .docx, …)
    own_output: list[str] = field(default_factory=list)  # this run's own stdout or stderr, redirected into a folder read

    def notes(self) -> list[str]:
        """What was left out, as sentences for the run's summary (empty when nothing was)."""
        notes = []
        if self.hidden_folders:
            notes.append(f"{self.hidden_folders} hidden folder(s) not searched")
        if self.hidden_reports:
            named = sorted(self.hidden_reports)
            more = f" and {len(named) - MOST_NAMED} more" if len(named) > MOST_NAMED else ""
            notes.append(f"{len(named)} hidden file(s) not read as reports (rename one without its leading dot to "
                         f"check it): {', '.join(named[:MOST_NAMED])}{more}")
        if self.excluded:
            named = sorted(set(self.excluded_paths))
            more = f" and {len(named) - MOST_NAMED} more" if len(named) > MOST_NAMED else ""
            listed = f": {', '.join(named[:MOST_NAMED])}{more}" if named else ""
            notes.append(f"{self.excluded} file(s) or folder(s) left out by exclude patterns{listed}")
        if self.repeated_folders:
            notes.append("symlinked folder(s) already searched, not searched again: " + ", ".join(self.repeated_folders))
        if self.outside_links:
            notes.append("symlinked folder(s) leading outside the folder checked and the current folder, not followed: "
                         + ", ".join(self.outside_links))
        if self.outside_files:
            notes.append("symlinked report(s) leading outside the folder checked and the current folder (to check "
                         "one, name it on the command line): " + ", ".join(self.outside_files))
        if self.other_formats:
            named = sorted(self.other_formats)
            more = f" and {len(named) - MOST_NAMED} more" if len(named) > MOST_NAMED else ""
            notes.append(f"{len(named)} document(s) in a format lii-check does not read (it reads .txt and .md; "
                         f"{_what_to_do(named)}): {', '.join(named[:MOST_NAMED])}{more}")
        if self.own_output:
            notes.append("lii-check's own output, redirected into a folder it checks, not read as a report (redirect "
                         "it outside the corpus): " + ", ".join(sorted(self.own_output)))
        return notes


def excluded_by(relative: str, patterns: tuple[str, ...]) -> str | None:
    """The first pattern that excludes this path (posix, relative to the folder given), if any."""
    rel = relative.casefold()
    name = rel.rsplit("/", 1)[-1]
    matchers, any_name, any_path = _matchers(tuple(patterns))
    if not any_name(name) and not any_path(rel):  # most files: one test each instead of one per pattern
        return None
    for pattern, on_path, match in matchers:
        if match(rel if on_path else name):
            return pattern
    return None


@functools.lru_cache(maxsize=16)
def _matchers(patterns: tuple[str, ...]):
    """Each pattern as (pattern, tested against the path?, its fnmatch regex), and one regex per kind
    matching where any of them does."""
    matchers, names, paths = [], [], []
    for pattern in patterns:
        p = pattern.casefold().strip("/")
        if p.startswith("./"):
            p = p[2:]
        regex = fnmatch.translate(p)  # what fnmatch.fnmatchcase(x, p) runs
        matchers.append((pattern, "/" in p, re.compile(regex).match))
        (paths if "/" in p else names).append(regex)
    def union(regexes: list[str]):
        return re.compile("|".join(f"(?:{r})" for r in regexes)).match if regexes else (lambda _text: None)
    return matchers, union(names), union(paths)


def _own_streams() -> frozenset[tuple[int, int]]:
    """(device, inode) of this process's stdout and stderr where they are regular files: `lii-check . > out.txt`
    creates out.txt in the folder before lii-check starts, and it must not be read back as an (empty) report."""
    own = set()
    for fd in (1, 2):
        try:
            info = os.fstat(fd)
        except (OSError, ValueError):
            continue
        if stat.S_ISREG(info.st_mode):
            own.add((info.st_dev, info.st_ino))
    return frozenset(own)


def _is_own_output(path: Path, own: frozenset[tuple[int, int]]) -> bool:
    if not own:
        return False
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return False  # reading it says why
    return (info.st_dev, info.st_ino) in own


def file_named_as_folder(given: str) -> str:
    """What to say of "report.md/" or "report.md/.": a file named as if it were a folder (check and explain alike)."""
    return (f"{given}: {Path(given)} is a file, not a folder: write its name without the '/' and anything after it")


def find_reports(paths: list[str], exclude: tuple[str, ...] = DEFAULT_EXCLUDES) -> Discovery:
    """Every .txt and .md file under the given paths, in sorted order, named as the user named them."""
    result = Discovery(files=[])
    own = _own_streams()
    found: list[ReportFile] = []
    unreadable: list[str] = []
    left_out: list[str] = []  # files named on the command line that a pattern excludes
    if any(given == "" for given in paths):
        # Path("") is the current folder, and report names would come out as "/name.txt".
        raise NoReports(EMPTY_PATH)
    for given in paths:
        root = Path(given)
        try:
            is_dir = root.is_dir()
            exists = is_dir or os.path.lexists(root)
        except (OSError, ValueError):
            is_dir, exists = False, False
        if not is_dir:
            if not exists:
                raise NoReports(f"{given}: no such file or folder")
            if not os.path.lexists(given):
                # Path() drops a trailing "/" or "/.", so "report.md/" read report.md and printed the name with the
                # slash (a GitHub annotation or SARIF location that matches no file); the system refuses the name.
                raise NoReports(file_named_as_folder(given))
            # A file named on the command line (pre-commit passes them) is still subject to the excludes,
            # so README.md passed by a hook is not checked as a report.
            pattern = _excluded_file(given, exclude)
            if pattern:
                result.excluded += 1
                result.excluded_paths.append(shown_path(given))
                left_out.append(f"{given} (by '{pattern}')")
            elif _is_own_output(root, own):
                result.own_output.append(shown_path(given))
            else:
                found.append(ReportFile(root, shown_path(given)))  # whatever it is, reading it decides and says why
            continue
        others = len(result.other_formats)
        here = _walk(root, given, exclude, result, unreadable, own)
        if not here and not unreadable:
            found_others = sorted(result.other_formats[others:])
            raise NoReports(f"{given}: no reports found (looked for .txt and .md files in the folder and below"
                            + (f"; {result.excluded} excluded by pattern" if result.excluded else "")
                            + (f"; {', '.join(result.own_output)} is this run's own output, redirected into the folder"
                               if result.own_output else "")
                            + (f"; {len(found_others)} document(s) in a format lii-check does not read, such as "
                               f"{found_others[0]}: {_what_to_do(found_others, 'convert them to .txt or .md')}" if found_others else "")
                            + ")")
        found.extend(sorted(here, key=lambda r: r.display))
    if unreadable:
        raise NoReports("; ".join(unreadable) + ": nothing was checked (fix the permissions, or leave the folder "
                        "out with --exclude)")
    if not found:
        if result.own_output and not left_out:
            raise NoReports(f"nothing to check: {', '.join(result.own_output)} is this run's own output (standard output or "
                            "error redirected to it), not a report")
        raise NoReports(f"nothing to check: {', '.join(left_out)} excluded as not a report; see 'exclude' in the "
                        "README to check such a file anyway")
    # One entry per file (named twice, or through two paths: the shortest-sorting name), and the whole list in
    # path order whatever order the paths were given in: `lii-check a b` and `lii-check b a` print the same bytes.
    unique: dict[str, ReportFile] = {}
    for item in found:
        key = os.path.realpath(item.path)
        if key not in unique or item.display < unique[key].display:
            unique[key] = item
    result.files = sorted(unique.values(), key=lambda r: r.display)
    return result


def _excluded_file(given: str, exclude: tuple[str, ...]) -> str | None:
    """Excludes for a file named directly: its name, and its folders when the path is relative (as
    pre-commit passes them), so `venv/x.txt` is left out here just as it is when `venv` is searched."""
    path = Path(given)
    if path.is_absolute():
        return excluded_by(path.name, exclude)
    parts = [p for p in path.as_posix().split("/") if p not in ("", ".")]
    for end in range(len(parts), 0, -1):
        pattern = excluded_by("/".join(parts[:end]), exclude)
        if pattern:
            return pattern
    return None


def _walk(root: Path, given: str, exclude: tuple[str, ...], result: Discovery, unreadable: list[str],
          own: frozenset[tuple[int, int]] = frozenset()) -> list[ReportFile]:
    prefix = "" if given in (".", "./") else given.rstrip("/") + "/"

    def problem(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else root
        try:
            shown = prefix + where.relative_to(root).as_posix() if where != root else given
        except ValueError:
            shown = str(where)
        if len(shown) > LONGEST_SHOWN:
            # Nested past what a path can spell (ENAMETOOLONG): both ends name it, the depth says why.
            depth = shown.count("/") + 1
            shown = f"{shown[:LONGEST_SHOWN // 2]}…{shown[-LONGEST_SHOWN // 2:]} ({depth} folders deep)"
        unreadable.append(f"{shown_path(shown)}: cannot read this folder ({exc.strerror or exc})")

    here: list[ReportFile] = []
    seen = {_identity(root)}
    inside = (os.path.realpath(root), os.path.realpath(os.getcwd()))
    for folder, dirs, files in _walk_down(root, problem):
        base = Path(folder)
        keep = []
        for name in sorted(dirs):
            rel = (base / name).relative_to(root).as_posix()
            if name.startswith("."):
                result.hidden_folders += 1
            elif excluded_by(rel, exclude):
                result.excluded += 1
                result.excluded_paths.append(shown_path(prefix + rel) + "/")
            elif os.path.islink(base / name) and not _within(os.path.realpath(base / name), inside):
                result.outside_links.append(shown_path(prefix + rel))
            else:
                identity = _identity(base / name)
                if identity in seen:
                    # A link back to a folder already searched (a loop, or two links to one folder).
                    result.repeated_folders.append(shown_path(prefix + rel))
                    continue
                seen.add(identity)
                keep.append(name)
        dirs[:] = keep
        for name in sorted(files):
            if name.startswith("."):
                # A hidden draft (".draft.md") is left out like a hidden folder, but named: it may be a report
                # someone meant to check.
                if name.lower().endswith(REPORT_SUFFIXES):
                    result.hidden_reports.append(shown_path(prefix + (base / name).relative_to(root).as_posix()))
                continue
            lowered = name.lower()
            report, other = lowered.endswith(REPORT_SUFFIXES), lowered.endswith(OTHER_DOCUMENT_SUFFIXES)
            if not report and not other:
                continue
            rel = (base / name).relative_to(root).as_posix()
            if excluded_by(rel, exclude):
                result.excluded += report  # README.html is not a report in any format: not worth a count
                if report:
                    result.excluded_paths.append(shown_path(prefix + rel))
            elif report and os.path.islink(base / name) and not _within(os.path.realpath(base / name), inside):
                # As for folders: a link planted in a corpus (`notes.txt -> ~/.ssh/id_rsa`) must not put a file
                # from outside the checkout into a report, its excerpts or a published SARIF file.
                result.outside_files.append(shown_path(prefix + rel))
            elif report and _is_own_output(base / name, own):
                result.own_output.append(shown_path(prefix + rel))
            elif report:
                here.append(ReportFile(base / name, shown_path(prefix + rel)))
            else:
                result.other_formats.append(shown_path(prefix + rel))
    return here


def _walk_down(top: Path, onerror: Callable[[OSError], None]) -> Iterator[tuple[str, list[str], list[str]]]:
    """os.walk(top, onerror=onerror, followlinks=True) without recursion, in the same top-down order.

    Python 3.11's os.walk recurses once per level: a folder nested about a thousand deep (easy to plant in
    a pull request) raised RecursionError. Like os.walk, the caller prunes ``dirs`` in place.
    """
    stack = [os.fspath(top)]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as exc:
            onerror(exc)
            continue
        dirs, files = [], []
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            (dirs if is_dir else files).append(entry.name)
        yield folder, dirs, files
        stack.extend(os.path.join(folder, name) for name in reversed(dirs))


def _within(path: str, folders: tuple[str, ...]) -> bool:
    return any(path == folder or path.startswith(folder.rstrip(os.sep) + os.sep) for folder in folders)


def _identity(folder: Path) -> tuple[int, int] | str:
    try:
        info = os.stat(folder)
    except OSError:
        return os.path.realpath(folder)  # os.walk will report it through onerror when it lists it
    return info.st_dev, info.st_ino


def discover(paths: list[str], exclude: tuple[str, ...] = DEFAULT_EXCLUDES) -> list[ReportFile]:
    """The report files alone, for callers that do not report what was left out."""
    return find_reports(paths, exclude).files
