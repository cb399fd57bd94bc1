"""A small on-disk cache for what is slow to rebuild and never changes for the same input: a compiled
hyperscan database (~1 s to compile) and a validated rulebook (~0.3 s to load and check).

Entries are keyed by a hash of everything they were built from (and lii-check's version), written
atomically, and only ever read back by the same user. The cache lives in $LII_CHECK_CACHE_DIR, else
$XDG_CACHE_HOME/lii-check, else ~/.cache/lii-check — never in a corpus. LII_CHECK_NO_CACHE=1 turns it
off. Failing to read or write it costs time, never correctness.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from . import __version__


def cache_dir() -> Path | None:
    if os.environ.get("LII_CHECK_NO_CACHE"):
        return None
    base = os.environ.get("LII_CHECK_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "lii-check")
    return Path(base)


def key(*parts: bytes | str) -> str:
    digest = hashlib.sha256(__version__.encode())
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()[:40]


def read(name: str) -> bytes | None:
    folder = cache_dir()
    if folder is None:
        return None
    try:
        return (folder / name).read_bytes()
    except OSError:
        return None


def write(name: str, data: bytes) -> None:
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{name}.{os.getpid()}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, folder / name)
    except OSError:
        pass
