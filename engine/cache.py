"""A small on-disk cache for what is slow to rebuild and never changes for the same input: a compiled
hyperscan database (~6 s of CPU to compile the bundled cues) and a validated rulebook (~0.3 s to load and check).

Entries are keyed by a hash of everything they were built from (and lii-check's version), written
atomically, and only ever read back by the same user. The cache lives in $LII_CHECK_CACHE_DIR, else
$XDG_CACHE_HOME/lii-check, else ~/.cache/lii-check. LII_CHECK_NO_CACHE=1 turns it off (so does any value but
0, false, no, off and empty, which leave it on, as people write them to mean "not set"). Failing to read
or write it costs time, never correctness: a missing, damaged or untrusted entry is rebuilt.

Trust: an entry is read only when it and its folder belong to the user running lii-check and no one
else may write to them (POSIX modes; no group or world write bit), so another account cannot plant an
entry; a folder that fails this is not used at all (lii-check creates its folder with mode 0700 and
its entries 0600). Entries are data only (JSON and hyperscan's own serialised database), never pickles.

Bounded: after each write the folder is pruned, least recently used entries first, to stay under
LII_CHECK_CACHE_MAX_MB (default 256 MB: a compiled database is about 13 MB, so some twenty rulebooks).

Never in a corpus: `avoid(paths)` turns the cache off for the rest of the run when its folder is one of
the paths being read or inside one (say `XDG_CACHE_HOME=corpus lii-check corpus`), so lii-check never
writes into what it reads.
"""
from __future__ import annotations

import hashlib
import os
import re
import stat
from pathlib import Path

from . import __version__

_avoided = False  # set by avoid(): the cache folder lies in a corpus being read


def cache_dir() -> Path | None:
    if no_cache_asked() or _avoided:
        return None
    chosen = os.environ.get("LII_CHECK_CACHE_DIR")
    if chosen:
        return Path(chosen)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):  # the XDG specification: a relative value is invalid and is ignored
        return Path(xdg, "lii-check")
    home = os.path.expanduser("~")
    if not os.path.isabs(home) or not os.path.isdir(home):
        return None  # no home to keep a cache in (HOME=/nonexistent, as service accounts have): run without one
    return Path(home, ".cache", "lii-check")


def no_cache_asked() -> bool:
    """LII_CHECK_NO_CACHE set to anything but 0, false, no, off or nothing: LII_CHECK_NO_CACHE=0 turned the cache off."""
    return os.environ.get("LII_CHECK_NO_CACHE", "").strip().lower() not in ("", "0", "false", "no", "off")


def avoid(paths: list[str] | tuple[str, ...]) -> bool:
    """Turn the cache off for the command about to run when its folder equals or lies inside any of `paths`
    (the files and folders the command reads: reports, the rules folder), or inside the folder of a file
    among them, as `--output` may not write there either. True when it did. Each command decides afresh
    (a process running several, as the tests do, is not left without a cache). Silent: the run only
    takes the time an uncached run takes."""
    global _avoided
    _avoided = False
    folder = cache_dir()
    if folder is None:
        return False
    here = os.path.realpath(folder)
    for path in paths:
        try:
            read = os.path.realpath(path)
            if os.path.isfile(read):
                read = os.path.dirname(read)
        except (OSError, ValueError):  # a path that cannot be resolved is reported by whoever reads it
            continue
        if here == read or here.startswith(read.rstrip(os.sep) + os.sep):
            _avoided = True
            return True
    return False


def key(*parts: bytes | str) -> str:
    digest = hashlib.sha256(__version__.encode())
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()[:40]


def _trusted(info: os.stat_result) -> bool:
    """Owned by this user and writable by no one else (always true where there are no POSIX owners)."""
    if not hasattr(os, "geteuid"):
        return True
    return info.st_uid == os.geteuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def signature(*names: str) -> tuple | None:
    """What identifies these entries' current contents without reading them (folder, and inode, size and
    modification time of each), or None when the cache is off or one is missing: a process that loaded
    them once may keep what it loaded while this stays the same."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        infos = [os.stat(folder / name, follow_symlinks=False) for name in names]
    except OSError:
        return None
    return (str(folder), *((i.st_ino, i.st_size, i.st_mtime_ns) for i in infos))


def remember(memo: dict, key: str, value: object, kept: int) -> None:
    """Keep `value` in a process's memo of things read from or written to the cache (matcher's databases, the
    loaded rulebooks), the most recent `kept` of them: a long-lived process (the tests, `rules diff`) must not
    grow without bound."""
    memo.pop(key, None)
    memo[key] = value
    while len(memo) > kept:
        memo.pop(next(iter(memo)))  # the oldest


def read(name: str) -> bytes | None:
    folder = cache_dir()
    if folder is None:
        return None
    try:
        if not _trusted(os.stat(folder)):
            return None
        # O_NONBLOCK: an entry that is a named pipe (a cache restored from an archive, a prank) would block the
        # open until something wrote to it; so it opens at once, fails the regular-file test below and is rebuilt.
        fd = os.open(folder / name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or not _trusted(info):
                return None
            with os.fdopen(fd, "rb") as handle:
                fd = -1
                data = handle.read()
            try:
                os.utime(folder / name)  # recently used: pruning removes the least recently used first
            except OSError:
                pass
            return data
        finally:
            if fd >= 0:
                os.close(fd)
    except OSError:
        return None


def write(name: str, data: bytes) -> None:
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _trusted(os.stat(folder)):
            return  # never read back (see read): writing there would only leave files behind
        tmp = folder / f".{name}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, folder / name)
        except OSError:
            # A disk that filled part-way: pruning never removes temporary files, so remove this one here.
            try:
                tmp.unlink()
            except OSError:
                pass
            raise
        prune(folder, keep=name)
    except OSError:
        pass


DEFAULT_MAX_MB = 256
# The names lii-check gives its entries (see matcher.database_key, matcher._verdicts_name, rulebook/load.py).
ENTRY_NAME = re.compile(r"(?:hs-(?:verdicts-)?|rulebook-)[0-9a-f]{40}(?:\.hsdb|\.json)?")


def _max_bytes() -> int:
    try:
        return max(0, int(float(os.environ.get("LII_CHECK_CACHE_MAX_MB", DEFAULT_MAX_MB)) * 1024 * 1024))
    except (ValueError, OverflowError):  # "256MB", "inf", "1e400": the default
        return DEFAULT_MAX_MB * 1024 * 1024


def prune(folder: Path, keep: str = "") -> list[str]:
    """Remove the least recently used entries until the folder holds at most the size limit (and stops at
    three quarters of it, so it is not pruned again on every write); `keep` (the entry just written) stays.
    Returns the names removed. Temporary files of writes in progress are left alone, and so is every file
    whose name is not one lii-check gives its entries: LII_CHECK_CACHE_DIR may name a folder that holds
    the user's own files (`~/.cache`, `~/Documents`), and those are never lii-check's to remove."""
    limit = _max_bytes()
    entries = []
    with os.scandir(folder) as found:
        for entry in found:
            if not ENTRY_NAME.fullmatch(entry.name) or not entry.is_file(follow_symlinks=False):
                continue
            info = entry.stat(follow_symlinks=False)
            entries.append((info.st_mtime, entry.name, info.st_size))
    total = sum(size for _, _, size in entries)
    if total <= limit:
        return []
    removed = []
    for _, name, size in sorted(entries):  # oldest use first
        if total <= limit * 3 // 4:
            break
        if name == keep:
            continue
        try:
            os.unlink(folder / name)
        except OSError:
            continue
        removed.append(name)
        total -= size
    return removed
