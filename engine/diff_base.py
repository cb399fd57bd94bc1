"""The "before" rulebook of `lii-check rules diff`: a folder, or a rules folder at a git revision.

`--base REV` or `--base REV:PATH` reads the folder out of git's object store with plumbing only
(`rev-parse`, `cat-file`, `ls-tree`) into a temporary folder: the working tree and the index are
never touched, so a diff can run in the middle of an edit. Every failure is a BaseProblem whose lines
name the revision and file (and line, where the rules loader found one), for exit code 2.
"""
from __future__ import annotations

import contextlib
import difflib
import os
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .compiled import compile_rulebook_once
from .compiler import CompileError
from .config import Config
from .builtin_rules import with_builtin_overrides
from .rulebook import BUNDLED_NAME, bundled_rules_dir, with_overrides
from .session import Session, SetupError, load_rules

BUNDLED_RULES_PATH = "rules"  # where the bundled rulebook lives in lii-check's own repository


class BaseProblem(Exception):
    """Why the base rulebook cannot be used: located lines (file:line: message)."""

    def __init__(self, lines: list[str], summary: str | None = None):
        super().__init__("\n".join(lines))
        self.lines = lines
        self.summary = summary


def _git(repo: Path, *args: str, binary: bool = False) -> subprocess.CompletedProcess:
    # GIT_OPTIONAL_LOCKS=0: nothing run here may refresh the index as a side effect.
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}
    try:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, env=env, check=False,
                              text=not binary)
    except FileNotFoundError:
        raise BaseProblem(["git is not installed, so a revision cannot be read; give --base a folder"]) from None


def _repo_of(folder: Path) -> tuple[Path, str] | None:
    """(top of the git work tree holding ``folder``, the folder's path inside it), or None."""
    done = _git(folder, "rev-parse", "--show-toplevel", "--show-prefix")
    if done.returncode != 0:
        return None
    top, _, prefix = done.stdout.partition("\n")
    return Path(top.strip()), prefix.strip().rstrip("/")


def split_base(base: str) -> tuple[str, str | None]:
    """``REV:PATH`` → (REV, PATH); ``REV`` → (REV, None)."""
    rev, sep, path = base.partition(":")
    return rev, (path.strip("/") or ".") if sep else None


@contextlib.contextmanager
def _no_rulebook_cache() -> Iterator[None]:
    """The loader caches rulebooks by folder name; a throwaway folder would add an entry every run."""
    before = os.environ.get("LII_CHECK_NO_CACHE")
    os.environ["LII_CHECK_NO_CACHE"] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ["LII_CHECK_NO_CACHE"]
        else:
            os.environ["LII_CHECK_NO_CACHE"] = before


def _what_to_give(base: str) -> str:
    """The next step after a --base that is neither a folder nor a revision: what --base accepts."""
    if difflib.get_close_matches(base.lower(), ["bundled"], n=1, cutoff=0.7):
        return " (did you mean 'bundled'?)"
    return ("; give an existing rules folder, 'bundled' for the bundled rulebook, or a git revision such as "
            "HEAD~1")


def _git_location(base: str, after_dir: str | None, cwd: Path) -> tuple[Path, str, str]:
    """(repository, revision, path of the rules folder in it) for a ``REV`` or ``REV:PATH`` base.

    The repository is the one holding the after side's rules folder, or the current folder's for
    the bundled rulebook; PATH is relative to its top, as in git's own ``REV:PATH``."""
    rev, path = split_base(base)
    if not rev:
        raise BaseProblem([f"--base {base}: name a revision before the ':' (for example HEAD:{path or 'rules'})"])
    where = Path(after_dir) if after_dir else cwd
    found = _repo_of(where if where.is_dir() else cwd)
    if found is None:
        raise BaseProblem([f"--base {base}: not a folder, and {where} is not inside a git repository to read "
                           f"a revision from{_what_to_give(base)}"])
    repo, prefix = found
    if path is None:
        path = (prefix or ".") if after_dir else BUNDLED_RULES_PATH
    return repo, rev, path


def _read_tree(repo: Path, commit: str, path: str, into: Path, label: str) -> None:
    """Every file of the folder ``path`` at ``commit``, written under ``into``/``path`` (git plumbing only)."""
    spec = f"{commit}:{path}" if path != "." else f"{commit}^{{tree}}"
    kind = _git(repo, "cat-file", "-t", spec)
    if kind.returncode != 0 or kind.stdout.strip() != "tree":
        what = "is a file, not a folder" if kind.stdout.strip() == "blob" else "does not exist"
        raise BaseProblem([f"{label}: the rules folder {what} at that revision"])
    listing = _git(repo, "ls-tree", "-r", "-z", spec)
    if listing.returncode != 0:
        raise BaseProblem([f"{label}: git could not list the folder: {listing.stderr.strip()}"])
    for entry in filter(None, listing.stdout.split("\0")):
        meta, _, name = entry.partition("\t")
        mode, kind_name, obj = meta.split()
        if kind_name != "blob":
            continue  # a submodule: nothing a rulebook can hold
        target = into / path / name
        if os.path.lexists(target):
            continue  # read already, from the same commit, as part of another folder of the chain
        target.parent.mkdir(parents=True, exist_ok=True)
        blob = _git(repo, "cat-file", "blob", obj, binary=True)
        if blob.returncode != 0:
            raise BaseProblem([f"{label}/{name}: git could not read it"])
        if mode == "120000":  # a symbolic link, written as git would check it out
            os.symlink(blob.stdout.decode("utf-8", "surrogateescape"), target)
        else:
            target.write_bytes(blob.stdout)


def _extends_of(folder: Path) -> str | None:
    """What the overlay in ``folder`` extends (the first ``extends:`` of a ``kind: overlay`` file), or None."""
    from .rulebook.load import rule_files
    from .rulebook.overlay import _EXTENDS, _KIND_OVERLAY

    for path in rule_files(folder):
        data = path.read_bytes()
        found = _EXTENDS.search(data) if _KIND_OVERLAY.search(data) else None
        if found:
            return found.group(1).decode("utf-8", "replace").strip()
    return None


def _read_chain(repo: Path, commit: str, path: str, into: Path, label: str) -> None:
    """The folder ``path`` at ``commit`` and, when it is an overlay, the folders it extends at the same
    commit: an overlay's base is part of what it means, so the base side of a diff must be read whole.
    A base outside the repository or missing at that commit is left for the loader to report, located."""
    seen: set[str] = set()
    while path not in seen:
        seen.add(path)
        _read_tree(repo, commit, path, into, label if len(seen) == 1 else f"{commit[:12]}:{path}")
        extends = _extends_of(into / path)
        if not extends or extends == BUNDLED_NAME:
            return
        nxt = os.path.normpath(os.path.join(path, extends))
        if nxt.startswith("..") or os.path.isabs(nxt):
            return
        if _git(repo, "cat-file", "-t", f"{commit}:{nxt}" if nxt != "." else f"{commit}^{{tree}}").stdout.strip() != "tree":
            return
        path = nxt


@dataclass(frozen=True)
class BaseSource:
    folder: Path  # where the base rules can be read while the context lasts
    label: str  # how the output names it: the folder as given, or REV:PATH
    commit: str | None  # the commit a git base was read from
    temporary: bool  # a copy read out of git, removed when the context ends


@contextlib.contextmanager
def base_folder(base: str, after_dir: str | None, cwd: Path | None = None) -> Iterator[BaseSource]:
    """``base`` as a folder when one exists by that name, else the bundled rulebook for ``bundled`` (as an
    overlay's ``extends: bundled`` says), else as ``REV`` or ``REV:PATH`` in git.

    ``after_dir`` is the after side's rules folder (None for the bundled rulebook): a revision
    without a path reads the same folder, or ``rules/`` of the current repository for the bundled one."""
    if Path(base).is_dir():
        yield BaseSource(Path(base), base, None, False)
        return
    if base == BUNDLED_NAME:
        yield BaseSource(bundled_rules_dir(), BUNDLED_NAME, None, False)
        return
    repo, rev, path = _git_location(base, after_dir, cwd or Path.cwd())
    resolved = _git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
    if resolved.returncode != 0:
        raise BaseProblem([f"--base {base}: no folder by that name, and '{rev}' is not a revision in the git "
                           f"repository {repo}{_what_to_give(base)}"])
    commit = resolved.stdout.strip()
    label = f"{rev}:{path}"
    with tempfile.TemporaryDirectory(prefix="lii-check-base-") as tmp:
        folder = Path(tmp) / path
        folder.mkdir(parents=True, exist_ok=True)
        _read_chain(repo, commit, path, Path(tmp), label)
        yield BaseSource(folder, label, commit, True)


def _located(lines: list[str], source: BaseSource) -> list[str]:
    """Problems as the reader knows the files: ``HEAD:rules/scoring.yaml:12:3``, not the temporary copy."""
    if not source.temporary:
        return lines
    prefix = str(source.folder)
    # Everywhere in the line, not only where it starts: a message's own advice ("move it into …") named the copy.
    return [line.replace(prefix, source.label) for line in lines]


def open_base_session(base: str, after_dir: str | None, config: Config, engine: str | None,
                      cwd: Path | None = None) -> tuple[Session, BaseSource]:
    """The base rulebook set up as `check` sets up a rulebook, with the same configuration: its
    disable/severity apply to the rules the base has (a rule the change adds is not the base's)."""
    with base_folder(base, after_dir, cwd) as source:
        try:
            # The loader caches by folder name, and a temporary folder's name is never seen again.
            with _no_rulebook_cache() if source.temporary else contextlib.nullcontext():
                rulebook = load_rules(str(source.folder))
            ids = {e.id for e in rulebook.expectations()}
            rulebook = with_overrides(rulebook, tuple(i for i in config.disable if i in ids),
                                      {k: v for k, v in config.severity.items() if k in ids})
            rulebook = with_builtin_overrides(rulebook, config.disable, config.severity)  # as open_session does
            compiled = compile_rulebook_once(rulebook)
            compiled.rules()  # an expectation the engines cannot run is a rules problem, found now
        except SetupError as exc:
            raise BaseProblem(_located(exc.lines, source),
                              f"{len(exc.lines)} problem(s) in the base rules ({source.label}); nothing was compared.") from None
        except CompileError as exc:
            raise BaseProblem(_located([f"{exc.file}:{exc.line}:1: {exc.message}"], source),
                              f"1 problem(s) in the base rules ({source.label}); nothing was compared.") from None
        except RuntimeError as exc:  # no linear-time regex engine installed
            raise BaseProblem([str(exc)]) from None
    session = Session(config=config, rulebook=rulebook, compiled=compiled, engine=engine or config.engine or "auto")
    return session, source
