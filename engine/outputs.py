"""Where results go: `--output` targets checked before the run, written atomically after it, and text
made fit for the stream it is printed on (colour, encoding).

Pure checks and small file operations only; the CLI decides exit codes and messages.
"""
from __future__ import annotations

import codecs
import errno
import json
import os
import re
import stat
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

TEMP_PREFIX = ".lii-check-"


class OutputProblem(Exception):
    """An --output that cannot or must not be written: a usage error, found before the run."""


@dataclass(frozen=True)
class Target:
    fmt: str
    given: str  # as the user wrote it, for messages
    path: Path  # resolved: the file actually replaced (through a symlink, not the link itself)
    option: str = "--output"  # the flag that named it: --output, or --baseline for --update-baseline

    @property
    def label(self) -> str:
        """How the user asked for it, for messages: `--output json=out.json`, `--baseline b.json`."""
        return f"{self.option} {self.fmt}={self.given}" if self.option == "--output" else f"{self.option} {self.given}"


def read_folders(paths: Iterable[str]) -> tuple[list[Path], list[Path]]:
    """(folder trees searched for reports, folders of reports named one by one), all resolved.

    A folder given is searched all the way down, so nothing may be written anywhere below it; a file
    given means its own folder is one reports are read from (the next `lii-check folder/` reads it).
    """
    trees, folders = [], []
    for given in paths:
        resolved = Path(os.path.realpath(given))  # never raises: a loop of links resolves as far as it goes
        if resolved.is_dir():
            trees.append(resolved)
        else:
            folders.append(resolved.parent)
    return trees, folders


def refuse_inside(target: Target, trees: Iterable[Path], folders: Iterable[Path]) -> None:
    """OutputProblem if ``target`` would land where reports are read from."""
    for tree in trees:
        if target.path == tree or tree in target.path.parents:
            raise OutputProblem(f"{target.label}: refusing to write into {tree}, a folder of the reports being "
                                "checked (lii-check never writes where it reads): choose a path outside it")
    for folder in folders:
        if target.path.parent == folder:
            raise OutputProblem(f"{target.label}: refusing to write into {folder}, the folder of a report being "
                                "checked (lii-check never writes where it reads): choose a path outside it")


def refuse_rule_folders(targets: Iterable[Target], rule_folders: Iterable[Path]) -> None:
    """OutputProblem if a target would land among the rule files the run reads (the --rules folder, the
    configured one, an overlay's base folders): a stray .yaml there breaks the rulebook, and any file there
    is one `rules docs` and the next run would have to explain."""
    folders = [Path(os.path.realpath(f)) for f in rule_folders]
    for target in targets:
        for folder in folders:
            if target.path == folder or folder in target.path.parents:
                raise OutputProblem(f"{target.label}: refusing to write into {folder}, which holds the rules "
                                    "this run reads; choose a file outside the rules folder")


def _probe_writable(target: Target) -> None:
    """Create and remove a temporary file next to the target: the only honest test that it can be written."""
    where = target.label
    if str(target.path) in STREAM_NAMES:
        return  # this process's own stream: written through it, nothing to probe
    if target.path.is_dir():
        raise OutputProblem(f"{where}: {target.path} is a folder, not a file")
    folder = target.path.parent
    if not folder.exists():
        raise OutputProblem(f"{where}: the folder {folder} does not exist")
    if not folder.is_dir():
        raise OutputProblem(f"{where}: {folder} is not a folder")
    if target.path.exists() and not target.path.is_file():
        return  # a device or pipe (/dev/stdout): written in place, nothing to probe (see _open_in_place)
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=TEMP_PREFIX, suffix=".tmp")
    except OSError as exc:
        raise OutputProblem(f"{where}: cannot write in {folder}: {exc.strerror or exc}") from None
    os.close(fd)
    os.unlink(name)


def parse_targets(values: Iterable[str], formats: Iterable[str], paths: Iterable[str]) -> list[Target]:
    """Each FORMAT=FILE checked: known format, not twice, not among the reports, writable. Before the run."""
    formats = tuple(formats)
    trees, folders = read_folders(paths)
    targets: list[Target] = []
    for value in values:
        fmt, sep, file = value.partition("=")
        if not sep or not file or fmt not in formats:
            raise OutputProblem(f"--output takes FORMAT=FILE with FORMAT one of {', '.join(formats)}; got '{value}'")
        if file == "-":  # the usual spelling of standard output elsewhere; here it would make a file named "-"
            raise OutputProblem(f"--output {value}: '-' would be a file named '-': for standard output use "
                                f"--format {fmt} (or --output {fmt}=/dev/stdout)")
        if file.endswith(("/", os.sep)):  # Path() drops the slash: "out/x.json/" wrote the file out/x.json
            raise OutputProblem(f"--output {value}: {file} ends with '/', so it names a folder: give a file name")
        named = Path(file)
        _refuse_link_loop(named, f"--output {value}")
        # A device or pipe (/dev/stdout) is written where named; resolving it would give /proc/…/pipe:[…].
        special = _is_special(named)
        target = Target(fmt, file, named.absolute() if special else Path(os.path.realpath(named)))
        if any(t.path == target.path for t in targets):
            raise OutputProblem(f"--output {value}: {file} is named by more than one --output")
        refuse_inside(target, trees, folders)
        if STREAM_FD.get(str(named)) in CLOSED_STREAMS:
            raise OutputProblem(f"--output {value}: standard error is closed (2>&-), so nothing written there would be "
                                "kept: write the output to a file")
        stream = None if special else _stream_of(target.path)
        if stream is not None:
            # `--output sarif=out.txt > out.txt`: the output would replace the file the table is being printed into
            raise OutputProblem(f"--output {value}: {file} is where this run's standard "
                                f"{'output' if stream == 1 else 'error'} is going, so one would overwrite the other: "
                                "write the output to another file")
        _probe_writable(target)
        targets.append(target)
    return targets


# Standard streams this process started with closed (cli._hold_closed_stderr): an output there goes nowhere.
CLOSED_STREAMS: set[int] = set()

# Formats whose output is one document a program parses: a second document on the same stream makes both unreadable.
DOCUMENT_FORMATS = ("json", "sarif", "junit", "html")


def refuse_second_document(targets: list[Target], fmt: str) -> None:
    """`--format sarif --output sarif=/dev/stdout > out.sarif` wrote two SARIF documents back to back: invalid JSON.
    An --output onto standard output is refused when the run's own format there is a document too (beside the table or
    another text format it stays allowed: a person reads that, as `--output json=/dev/stdout` is documented to do)."""
    if fmt not in DOCUMENT_FORMATS:
        return
    for target in targets:
        if _stream_of(target.path) == 1:  # /dev/stdout, /dev/fd/1, or the file stdout is redirected to
            raise OutputProblem(f"{target.label}: standard output already carries the --format {fmt} "
                                "document, so it would hold two and neither could be parsed: drop the --output, or "
                                "write it to a file")


def _stream_of(path: Path) -> int | None:
    """1 or 2 when `path` is the very file this process's stdout or stderr writes to (same device and inode)."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    for fd in (1, 2):
        try:
            own = os.fstat(fd)
        except (OSError, ValueError):
            continue
        if (own.st_dev, own.st_ino) == (info.st_dev, info.st_ino):
            return fd
    return None


def _refuse_link_loop(path: Path, where: str) -> None:
    """A symbolic link that leads back to itself names no file: writing there replaced the link with a file."""
    try:
        os.stat(path)  # pathlib's resolve() raised on a loop before Python 3.13 and does not since: ask the system
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OutputProblem(f"{where}: {path} is a loop of symbolic links, not a file: remove the links or give "
                                "another file name") from None


def refuse_inputs(targets: Iterable[Target], inputs: Mapping[str, Path | None]) -> None:
    """An output that would replace a file this run reads besides the reports (its configuration, the baseline it
    compares with): the run went on, and the next one failed on a configuration or baseline of report output."""
    for what, path in inputs.items():
        if path is None:
            continue
        real = Path(os.path.realpath(path))
        for target in targets:
            if target.path == real:
                raise OutputProblem(f"{target.label}: {target.given} is {what}; writing there would replace it: "
                                    "choose another file name")


# The names of this process's own streams: written through the stream (after what the run has printed there so far;
# the run's closing summary follows), whatever the stream is redirected to, never opened afresh (which truncated a
# redirected file).
STREAM_FD = {"/dev/stdout": 1, "/dev/fd/1": 1, "/proc/self/fd/1": 1, "/dev/stderr": 2, "/dev/fd/2": 2,
             "/proc/self/fd/2": 2}
STREAM_NAMES = tuple(STREAM_FD)


def _is_special(path: Path) -> bool:
    """A device, FIFO or socket (through a symlink too), or a name of this process's stdout or stderr: something
    that is not a file or a folder to be replaced."""
    if str(path) in STREAM_NAMES:
        return True
    try:
        return path.exists() and not path.is_file() and not path.is_dir()
    except (OSError, ValueError):
        return False


def baseline_target(file: str, paths: Iterable[str], outputs: Iterable[Target] = ()) -> Target:
    """The file --update-baseline will replace, checked like an --output before the run: not a device or
    pipe (os.replace would put a regular file where /dev/full was), not a folder, not among the reports,
    not also an --output, in a folder that exists and can be written."""
    named = Path(file)
    _refuse_link_loop(named, f"--baseline {file}")
    target = Target("json", file, Path(os.path.realpath(named)), option="--baseline")
    if _is_special(named):
        raise OutputProblem(f"--baseline {file}: refusing to replace a device or pipe with the baseline; "
                            "--update-baseline writes an ordinary file, such as lii-baseline.json")
    for other in outputs:
        if other.path == target.path:
            raise OutputProblem(f"--baseline {file}: {other.label} names the same file; the baseline needs a "
                                "file of its own")
    refuse_inside(target, *read_folders(paths))
    _probe_writable(target)
    return target


def refuse_report_folders(targets: Iterable[Target], report_files: Iterable[Path]) -> None:
    """After discovery: no target in the real folder of any report found (symlinked folders included)."""
    folders = {Path(os.path.realpath(p)).parent for p in report_files}
    for target in targets:
        refuse_inside(target, [], folders)


def write_all(contents: list[tuple[Target, str]]) -> None:
    """Write every output whole or not at all: each goes to a temporary file in its own folder, and only
    when all are written are they renamed into place (os.replace is atomic on one file system).

    On any failure or interrupt (Ctrl-C included) the temporary files are removed and the exception
    propagates; a file already in place is never left half-written.
    """
    staged: list[tuple[str, Path, Target]] = []
    current: Target | None = None
    try:
        for target, text in contents:
            current = target
            data = text.encode("utf-8")
            if str(target.path) in STREAM_NAMES or (target.path.exists() and not target.path.is_file()):
                with _open_in_place(target.path) as stream:  # /dev/stdout or a pipe: cannot be replaced
                    stream.write(data)
                continue
            fd, name = tempfile.mkstemp(dir=target.path.parent, prefix=TEMP_PREFIX, suffix=".tmp")
            staged.append((name, target.path, target))
            with os.fdopen(fd, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            mode = stat.S_IMODE(target.path.stat().st_mode) if target.path.exists() else 0o666 & ~_umask()
            os.chmod(name, mode)
        while staged:
            name, path, current = staged[0]
            os.replace(name, path)
            staged.pop(0)
    except OSError as exc:
        # Named as the user asked for it ("--output json=/dev/full"), not by the temporary file being written.
        if current is not None:
            exc.filename = current.label
        raise
    finally:
        for name, _path, _target in staged:
            try:
                os.unlink(name)
            except OSError:
                pass


PIPE_WAIT_S = 10.0


def _open_in_place(path: Path):
    """A device or pipe opened for writing. A named pipe no process reads blocked the run's end for ever: it is
    opened without waiting, again every tenth of a second for PIPE_WAIT_S, then the output fails with a reason."""
    fd = _stream_of(path)
    if fd is not None:
        # /dev/stdout while stdout is a regular file: opening it again truncated what the run had printed there
        # (the table, its Result line). Written through the stream's own descriptor, after what is printed, instead.
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        return os.fdopen(os.dup(fd), "wb")
    try:
        fifo = stat.S_ISFIFO(os.stat(path).st_mode)
    except OSError:
        fifo = False
    if not fifo:
        return open(path, "wb")
    deadline = time.monotonic() + PIPE_WAIT_S
    while True:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError as exc:
            if exc.errno != errno.ENXIO or time.monotonic() >= deadline:
                if exc.errno == errno.ENXIO:
                    exc.strerror = f"no process opened the named pipe to read it within {PIPE_WAIT_S:g} s"
                raise
            time.sleep(0.1)
    os.set_blocking(fd, True)  # the reader is there: write at its pace
    return os.fdopen(fd, "wb")


def _umask() -> int:
    # mkstemp creates files 0600; an output should get the permissions any other new file would.
    current = os.umask(0)
    os.umask(current)
    return current


def use_color(choice: str, is_tty: bool, environ: Mapping[str, str]) -> bool:
    """The no-color convention (no-color.org): an explicit --color always/never wins; otherwise colour only
    on a terminal, and never when NO_COLOR is set to a non-empty value or the terminal is TERM=dumb."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    if environ.get("NO_COLOR", "") != "":
        return False
    if environ.get("TERM") == "dumb":
        return False
    return is_tty


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# The table's box drawing (formats/_common.grid), as plain ASCII draws the same table.
_BOX_TO_ASCII = str.maketrans({**{c: "+" for c in "┌┬┐├┼┤└┴┘"}, "─": "-", "│": "|"})


def _is_utf8(encoding: str | None) -> bool:
    try:
        return codecs.lookup(encoding or "utf-8").name == "utf-8"
    except LookupError:
        return False


def fit_stream(text: str, fmt: str, encoding: str | None) -> str:
    """``text`` made printable on a stream in ``encoding`` without losing what it says where possible.

    On a UTF-8 stream nothing changes. Otherwise (a cp1252 Windows console, a redirect with a legacy
    code page) the machine formats become pure ASCII with their own escapes, so they stay valid and
    lossless (JSON ``\\u0175``, XML and HTML ``&#373;``); text formats replace only what cannot be encoded.
    """
    if _is_utf8(encoding):
        return text
    if fmt in ("json", "sarif"):
        # Non-ASCII only ever occurs inside JSON strings, where \\uXXXX (a surrogate pair above the BMP,
        # exactly as json.dumps writes it) means the same character.
        return _NON_ASCII.sub(lambda m: json.dumps(m.group())[1:-1], text)
    if fmt in ("junit", "html"):
        # HTML too: its page says UTF-8, and characters the stream replaced with "?" broke the text (and, in its
        # style sheet, the hash its security policy allows). Its style sheet and scripts are ASCII, where a
        # character reference would not be read; everything else reads "&#373;" as the character.
        return _NON_ASCII.sub(lambda m: f"&#{ord(m.group())};", text)
    try:
        codec = codecs.lookup(encoding or "ascii").name
    except LookupError:
        codec = "ascii"
    if fmt == "table":
        try:
            "┌─│".encode(codec)
        except UnicodeEncodeError:
            text = text.translate(_BOX_TO_ASCII)
    return text.encode(codec, "replace").decode(codec)
