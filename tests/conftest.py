import hashlib
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]


def _bytecode_checked_by_hash() -> None:
    """Bytecode on disk for engine/, even where PYTHONDONTWRITEBYTECODE is set (this machine, CI): the suite
    starts lii-check in ~300 processes, and each compiled the whole package from source again (~70 ms apiece,
    ~20 s of CPU per run); pytest also rewrote every test module's asserts again in each worker.

    Checked against the source's hash, not its modification time: an edit of the same size in the same second
    (a mutant and its undoing, a quick fix) would otherwise leave the old bytecode in use, and the tests would
    run code that is no longer there. Python keeps a hash-checked file hash-checked when it rewrites it."""
    import compileall
    import py_compile

    # force: compileall's "up to date" test knows only timestamps, so it would keep an older timestamped file
    # (and it rewrites hash-checked ones anyway); ~0.1 s per process.
    compileall.compile_dir(REPO / "engine", quiet=2, force=True,
                           invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)
    sys.dont_write_bytecode = False  # written to __pycache__ folders git ignores, as Python does by default


_bytecode_checked_by_hash()

from lii_check.cli import main  # noqa: E402 - after the line above, so the package's bytecode is written
from lii_check.rulebook import load_rulebook  # noqa: E402

# `python -m pytest -m "not e2e and not slow"` runs the fast part in seconds; CI runs everything.
# e2e: runs lii-check as a separate process, a headless browser, durable_rules' child or an outside
# SARIF validator.
E2E_FILES = {"test_cli_end_to_end.py", "test_html_browser.py", "test_html_cdp.py", "test_bench_corpus.py",
             "test_isolation.py", "test_inference_durable.py", "test_engine_differential.py", "test_engines.py",
             "test_sarif_multitool.py"}
# A test that names one of these, itself or through a helper of its module, starts a process of its own
# (lii-check, durable_rules' child, git): e2e too.
PROCESS_NAMES = {"subprocess", "Popen", "real", "run_isolated"}
# slow: property-based tests (hundreds of generated cases: any @given test), inputs of megabytes, tests of
# a second or more of CPU with a warm cache (measured with --durations=0), and test_overlay.py (13
# rulebooks of its own: ~45 s of CPU to compile the first time after the code that builds databases
# changes, ~3 s once they are in its cache, see code_keyed_cache).
SLOW_FILES = {"test_properties.py", "test_overlay.py"}
SLOW_TESTS = {"test_a_one_megabyte_line_is_read_to_its_end",  # ~1 s
              "test_parallel_workers_give_the_same_page_with_the_text",  # 70 reports twice, ~1.6 s
              "test_calibrate_figures_are_calibrates_own_before_and_after"}  # a rulebook of its own, ~1 s
# The longest single items (the SARIF Multitool's one run, ~5-10 s of wall, made by whichever test of its
# file comes first; ~1 s for the 1 MB line) go first: pytest-xdist hands out the rest as workers free up,
# so nothing long is left to start when every other test is done.
FIRST_TESTS = {"test_a_one_megabyte_line_is_read_to_its_end"}
FIRST_FILES = {"test_sarif_multitool.py"}


def _starts_a_process(function, seen: set | None = None) -> bool:
    """The test names one of PROCESS_NAMES, or calls a function of its own module that does, however deep
    (`_on_a_terminal(...)` starts lii-check on a pty, `git(...)` makes a repository)."""
    import inspect
    import types

    seen = set() if seen is None else seen
    code = getattr(inspect.unwrap(function), "__code__", None)
    if code is None or code in seen:
        return False
    seen.add(code)
    names = set()
    todo = [code]
    while todo:
        c = todo.pop()
        names.update(c.co_names)
        todo.extend(k for k in c.co_consts if isinstance(k, types.CodeType))
    if PROCESS_NAMES & names:
        return True
    module = getattr(function, "__globals__", {})
    helpers = [module[n] for n in names if isinstance(module.get(n), types.FunctionType)
               and module[n].__module__ == function.__module__]  # not lii-check's own code
    return any(_starts_a_process(helper, seen) for helper in helpers)


def pytest_collection_modifyitems(config, items):
    for item in items:
        name = item.path.name
        function = getattr(item, "function", None)
        if name in E2E_FILES or (function is not None and _starts_a_process(function)):
            item.add_marker(pytest.mark.e2e)
        if name in SLOW_FILES or item.originalname in SLOW_TESTS or getattr(function, "is_hypothesis_test", False):
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: item.originalname not in FIRST_TESTS and item.path.name not in FIRST_FILES)


def _cache_off() -> bool:
    from lii_check.cache import no_cache_asked

    return no_cache_asked()


def _bundled_database_built_once(cache_dirs: list[Path | None]) -> None:
    """Under pytest-xdist every worker needs the bundled rulebook's hyperscan database (~5 s of CPU to
    compile when the cache is cold, as on a fresh clone in CI). Without this each worker compiled it at the
    same time; now the first worker to come here compiles it under a lock and the others wait and read it
    (~30 ms). A database this process compiled is kept for it (matcher._BUILT), so it goes into the other
    caches of `cache_dirs` (None: the user's) as a copy, not a compile. Nothing of what is tested changes:
    every test still loads the rulebook its own way, from the cache it would have used anyway."""
    if int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")) < 2 or _cache_off():
        return
    try:
        import fcntl
    except ImportError:  # no POSIX locks here: each worker compiles for itself, as without this
        return
    from lii_check.compiled import compile_rulebook_once

    root = _test_cache_root()
    try:
        root.mkdir(parents=True, exist_ok=True)
        lock = open(root / "bundled-database.lock", "a")
    except OSError:  # nowhere to put the lock: each worker compiles for itself
        return
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            for folder in cache_dirs:
                with pytest.MonkeyPatch.context() as patch:
                    if folder is not None:
                        patch.setenv("LII_CHECK_CACHE_DIR", str(folder))
                    compile_rulebook_once(load_rulebook())
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def pytest_sessionstart(session):
    from lii_check import matcher

    before = len(matcher._BUILT)
    _bundled_database_built_once([None])
    if len(matcher._BUILT) > before:  # compiled just now, by the code under test: the overlay tests' cache too
        _bundled_database_built_once([_code_keyed_folder()])


@pytest.fixture(autouse=True)
def _no_inherited_terminal_size(monkeypatch):
    """Once GNU readline is imported it exports COLUMNS and LINES into the process environment, so under
    pytest-xdist a test could see the width an earlier test's import left behind: each test starts
    without them (a test that needs a width sets it)."""
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LINES", raising=False)


@pytest.fixture(scope="session")
def rulebook():
    return load_rulebook()


@pytest.fixture(scope="session")
def compiled(rulebook):
    from lii_check.compiled import compile_rulebook_once

    return compile_rulebook_once(rulebook)


def _test_cache_root() -> Path:
    """Outside the repository and apart from the user's own cache (shared with test_sarif_multitool.py)."""
    base = os.environ.get("LII_CHECK_TEST_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "lii-check-tests")
    return Path(base)


# What shapes a compiled hyperscan database besides the regexes its cache key is made of: the cache
# itself and lii-check's version (whole files), and in matcher.py the code that builds, stores and loads
# a database. (A cached rulebook's key covers the loader's own source: engine/rulebook/load.py.)
DATABASE_FILES = ("cache.py", "__init__.py")
# Where the database code starts; what it calls that is part of the key already (the regexes as the engine
# compiles them) or builds nothing that is stored (RE2 runs the cues hyperscan leaves out), so an edit to
# how cues are scanned does not throw the entries away.
DATABASE_ROOTS = ("_HyperscanEngine.__init__",)
NOT_THE_DATABASE = {"scan_form", "Pattern", "_Re2Engine"}


def database_code(source: str) -> dict[str, str]:
    """name -> source text of what DATABASE_ROOTS reach by name in matcher.py (`source`), followed through
    every top-level function, class and constant they name: what decides the bytes and layout of a compiled
    database, however the code is split up later. Read from the file, not the live module, so a test (or a
    plugin) that patches the matcher cannot change the digest."""
    import ast
    import warnings

    with warnings.catch_warnings():  # an escape in a docstring there is the engine's to fix, not a test's
        warnings.simplefilter("ignore", (DeprecationWarning, SyntaxWarning))
        tree = ast.parse(source)
    lines = source.splitlines()
    top: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            top[node.name] = node
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                if isinstance(target, ast.Name):
                    top[target.id] = node

    def text(node: ast.AST) -> str:
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        return "\n".join(lines[first - 1:node.end_lineno])

    found: dict[str, str] = {}
    todo: list[tuple[str, ast.AST]] = []
    for root in DATABASE_ROOTS:
        cls, _, method = root.partition(".")
        node = top[cls]
        if method:
            node = next(n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == method)
        todo.append((root, node))
    while todo:
        name, node = todo.pop()
        if name in found:
            continue
        found[name] = text(node)
        for ref in {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}:
            if ref in top and ref not in NOT_THE_DATABASE and ref not in found:
                todo.append((ref, top[ref]))
    return found


def _code_digest() -> str:
    import lii_check

    root = Path(lii_check.__file__).resolve().parent
    digest = hashlib.sha256()
    for name in DATABASE_FILES:
        digest.update(name.encode() + b"\0" + (root / name).read_bytes() + b"\0")
    for name, source in sorted(database_code((root / "matcher.py").read_text("utf-8")).items()):
        digest.update(name.encode() + b"\0" + source.encode() + b"\0")
    return digest.hexdigest()[:16]


KEPT_CODE_CACHES = 3


@pytest.fixture(scope="session")
def code_keyed_cache() -> Path:
    """A LII_CHECK_CACHE_DIR for tests that compile many rulebooks of their own (test_overlay.py: a cold
    compile is ~3-5 s of CPU each), shared by xdist workers and kept between runs. lii-check keys every
    entry by its content (a rulebook's also by the loader's source); this folder is named by a digest of
    the code that builds databases, so an entry here can only have been built by the code under test.
    The folders of older code are removed, keeping the newest few (another checkout may be using them;
    losing an entry only costs a rebuild)."""
    root = _test_cache_root()
    here = _code_keyed_folder()
    here.mkdir(parents=True, exist_ok=True)
    os.utime(here)
    older = sorted((p for p in root.glob("compiled-*") if p != here), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in older[KEPT_CODE_CACHES - 1:]:
        shutil.rmtree(stale, ignore_errors=True)
    _bundled_database_built_once([here])  # the base of every overlay tested with this cache
    return here


def _code_keyed_folder() -> Path:
    return _test_cache_root() / f"compiled-{_code_digest()}"


@pytest.fixture
def cli(tmp_path, monkeypatch):
    """CliRunner on lii_check.cli.main from a tmp cwd; an escaped exception is never an exit code."""
    monkeypatch.chdir(tmp_path)

    def invoke(*args):
        result = CliRunner().invoke(main, [str(a) for a in args])
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert "Traceback" not in result.stderr
        return result

    return invoke


@dataclass
class Ran:
    """What a run of lii-check left behind, named as subprocess.CompletedProcess names it."""

    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def in_process(monkeypatch):
    """Run lii-check's own entry point (lii_check.cli.run: exit codes, one-line errors, the internal-error
    guard) in this process, as `python -c "from lii_check.cli import run; run()" ARGS` runs it from `cwd`
    with stdout and stderr captured: for tests whose subject is not the process boundary (signals, pipes,
    stream encodings, terminals, resource limits keep real processes). A real process costs ~0.5 s of CPU."""
    from lii_check.cli import run

    def invoke(*args, cwd: Path) -> Ran:
        monkeypatch.chdir(cwd)
        for name in ("NO_COLOR", "TERM", "PYTHONIOENCODING", "FORCE_COLOR"):
            monkeypatch.delenv(name, raising=False)
        with CliRunner().isolation() as (out, err, _):
            monkeypatch.setattr(sys, "argv", ["lii-check", *map(str, args)])
            try:
                run()
                raise AssertionError("lii_check.cli.run returned instead of exiting")
            except SystemExit as exc:
                code = 0 if exc.code is None else exc.code
            sys.stdout.flush()
            sys.stderr.flush()
        done = Ran(code, out.getvalue().decode("utf-8", "replace"), err.getvalue().decode("utf-8", "replace"))
        assert isinstance(code, int), code
        assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
        return done

    return invoke


# A writable copy of the bundled rule files (no code, no READMEs), to edit in a test.
@pytest.fixture
def rules_copy(tmp_path):
    target = tmp_path / "rules"
    shutil.copytree(REPO / "rules", target, ignore=shutil.ignore_patterns("*.py", "__pycache__", "*.md"))
    return target
