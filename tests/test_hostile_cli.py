"""The command line under hostile use: files it must not write, streams that are closed or full,
absurd option values, empty paths, deep folders, signals, and files it does not read.

Each test failed on the code before its fix (a file overwritten, a traceback, exit 3, a silent pass)
and asserts the exact message and exit code now. The reports used are copies of fixtures/shifted
(real seed text, relabelled); nothing here writes to a device.
"""
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from in_memory import invoke

REPO = Path(__file__).resolve().parents[1]
SHIFTED = REPO / "fixtures" / "shifted"
REPORT = "seed000_relabelled_2.txt"




def real(args, cwd, **kwargs):
    """lii-check as a real process (file descriptors, signals): no traceback, whatever happens."""
    done = subprocess.run([sys.executable, "-c", "from lii_check.cli import run; run()", *map(str, args)],
                          capture_output=kwargs.pop("capture_output", "stdout" not in kwargs), text=True,
                          timeout=120, cwd=cwd, **kwargs)
    assert "Traceback" not in (done.stderr or "") and "Traceback" not in (done.stdout or "")
    return done


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    shutil.copytree(SHIFTED, tmp_path / "shifted")
    return tmp_path / "shifted"


@pytest.mark.skipif(sys.platform == "win32", reason="a folder in use cannot be deleted on Windows")
def test_a_deleted_current_folder_is_a_usage_error_not_an_internal_one(tmp_path):
    # Every command looks upwards from the current folder for a configuration: it ended in "internal error
    # (FileNotFoundError …)", exit 3 (hostile16 02). The guard is in run(), before any command.
    gone = tmp_path / "gone"
    gone.mkdir()
    run = f'"{sys.executable}" -c "from lii_check.cli import run; run()"'
    script = f'cd "{gone}" && rmdir "{gone}" && {run} --version && exec {run} check --format concise "{SHIFTED / REPORT}"'
    done = subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stdout.startswith("lii-check, version")  # --version still answers there (review9 15)
    assert done.stderr.startswith("lii-check: the current folder no longer exists") and "Traceback" not in done.stderr


def test_an_ascii_stderr_is_neutralised_too(tmp_path):
    # On an ASCII stderr click wrote through a stream of its own, past the neutralising (review9 01).
    (tmp_path / ".lii-check.yaml").write_text('format: "x\\e]0;PWNED\\ay"\n', "utf-8")
    env = {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": "ascii"}
    done = real([SHIFTED / REPORT], cwd=tmp_path, env=env)
    assert done.returncode == 2 and "'format' must be one of" in done.stderr
    assert "\x1b" not in done.stderr and "\x07" not in done.stderr


def test_run_gives_an_in_process_caller_its_stderr_back(monkeypatch):
    # Each call left one more wrapper on sys.stderr, which then stripped the caller's own colour codes (review9 09).
    from click.testing import CliRunner

    from lii_check.cli import run

    monkeypatch.setattr(sys, "argv", ["lii-check", "--version"])
    with CliRunner().isolation():  # run() rewraps stdout; the isolation's streams stand in for the process's
        mine = sys.stderr
        for _ in range(2):
            with pytest.raises(SystemExit):
                run()
            assert sys.stderr is mine


def test_escape_sequences_in_a_configuration_or_a_path_never_reach_stderr(corpus, in_process):
    # A configuration a pull request can change, quoted in lii-check's own messages: an OSC 52 (write the
    # clipboard), OSC 0 (retitle) and a right-to-left override reached the terminal raw (hostile16 07).
    (corpus.parent / ".lii-check.yaml").write_text('fail-on: "\\e]52;c;cHduZWQ=\\a\\u202e"\n', "utf-8")  # YAML escapes
    done = in_process("--format", "concise", corpus, cwd=corpus.parent)
    assert done.returncode == 2 and "'fail-on' must be one of" in done.stderr
    assert not any(c in done.stderr for c in ("\x1b", "\x07", "\u202e")), repr(done.stderr)
    (corpus.parent / ".lii-check.yaml").unlink()
    done = in_process("--format", "concise", corpus / "x\x1b]0;pwned\x07\u202e.md", cwd=corpus.parent)
    assert done.returncode == 2 and "x.md" in done.stderr
    assert not any(c in done.stderr for c in ("\x1b", "\x07", "\u202e")), repr(done.stderr)



# ---- 1. --update-baseline writes only where an --output may ------------------------------------------

def test_update_baseline_refuses_a_report_it_checks_before_the_run(corpus, monkeypatch):
    before = (corpus / REPORT).read_bytes()
    result = invoke(["--baseline", f"shifted/{REPORT}", "--update-baseline", "shifted", "--engine", "pure"],
                    corpus.parent, monkeypatch)
    assert result.exit_code == 2
    assert result.stderr == (f"lii-check: --baseline shifted/{REPORT}: refusing to write into {corpus}, a folder of "
                             "the reports being checked (lii-check never writes where it reads): choose a path outside it\n")
    assert result.stdout == ""  # refused before the run: nothing was checked
    assert (corpus / REPORT).read_bytes() == before


def test_update_baseline_refuses_the_folder_of_a_report_named_on_its_own(corpus, monkeypatch):
    result = invoke(["--baseline", "shifted/b.json", "--update-baseline", f"shifted/{REPORT}", "--engine", "pure"],
                    corpus.parent, monkeypatch)
    assert result.exit_code == 2
    assert result.stderr == (f"lii-check: --baseline shifted/b.json: refusing to write into {corpus}, the folder of a "
                             "report being checked (lii-check never writes where it reads): choose a path outside it\n")
    assert not (corpus / "b.json").exists()


def test_update_baseline_refuses_a_pipe_or_device_instead_of_replacing_it(corpus, monkeypatch):
    # A FIFO stands in for /dev/full: os.replace would have put a regular file where it was.
    fifo = corpus.parent / "fifo"
    os.mkfifo(fifo)
    result = invoke(["--baseline", "fifo", "--update-baseline", "shifted", "--engine", "pure"], corpus.parent, monkeypatch)
    assert result.exit_code == 2
    assert result.stderr == ("lii-check: --baseline fifo: refusing to replace a device or pipe with the baseline; "
                             "--update-baseline writes an ordinary file, such as lii-baseline.json\n")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_update_baseline_needs_an_existing_writable_folder_and_a_file_of_its_own(corpus, monkeypatch):
    missing = invoke(["--baseline", "nope/b.json", "--update-baseline", "shifted", "--engine", "pure"],
                     corpus.parent, monkeypatch)
    assert missing.exit_code == 2
    assert missing.stderr == f"lii-check: --baseline nope/b.json: the folder {corpus.parent / 'nope'} does not exist\n"
    same = invoke(["--baseline", "b.json", "--output", "json=b.json", "--update-baseline", "shifted", "--engine", "pure"],
                  corpus.parent, monkeypatch)
    assert same.exit_code == 2
    assert same.stderr == ("lii-check: --baseline b.json: --output json=b.json names the same file; the baseline "
                           "needs a file of its own\n")
    assert not (corpus.parent / "b.json").exists()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anywhere")
def test_update_baseline_refuses_a_folder_it_cannot_write_before_the_run(corpus, monkeypatch):
    locked = corpus.parent / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = invoke(["--baseline", "locked/b.json", "--update-baseline", "shifted", "--engine", "pure"],
                        corpus.parent, monkeypatch)
    finally:
        locked.chmod(0o700)
    assert result.exit_code == 2
    assert result.stderr == f"lii-check: --baseline locked/b.json: cannot write in {locked}: Permission denied\n"
    assert result.stdout == ""


# ---- 2. no --output into the rules being read -------------------------------------------------------

def test_output_into_the_rules_folder_is_refused(corpus, monkeypatch):
    rules = corpus.parent / "myrules"
    shutil.copytree(REPO / "rules", rules)
    before = sorted(p.name for p in rules.iterdir())
    result = invoke(["--rules", "myrules", "--output", "markdown=myrules/theme.yaml", "shifted", "--engine", "pure"],
                    corpus.parent, monkeypatch)
    assert result.exit_code == 2
    assert result.stderr == ("lii-check: --output markdown=myrules/theme.yaml: refusing to write into "
                             f"{rules}, which holds the rules this run reads; choose a file outside the rules folder\n")
    assert sorted(p.name for p in rules.iterdir()) == before


def test_output_into_the_configured_rules_folder_or_an_overlays_base_is_refused(corpus, monkeypatch):
    base = corpus.parent / "base"
    shutil.copytree(REPO / "rules", base)
    overlay = corpus.parent / "team"
    overlay.mkdir()
    (overlay / "team.yaml").write_text("kind: overlay\nextends: ../base\n")
    (corpus.parent / ".lii-check.yaml").write_text("rules: team\n")
    for target, folder in [("team/out.md", overlay), ("base/out.md", base)]:
        result = invoke(["--output", f"markdown={target}", "shifted", "--engine", "pure"], corpus.parent, monkeypatch)
        assert result.exit_code == 2, result.stderr
        assert result.stderr == (f"lii-check: --output markdown={target}: refusing to write into {folder}, which "
                                 "holds the rules this run reads; choose a file outside the rules folder\n")
    baseline = invoke(["--baseline", "base/b.json", "--update-baseline", "shifted", "--engine", "pure"],
                      corpus.parent, monkeypatch)
    assert baseline.exit_code == 2 and "lii-check: --baseline base/b.json: refusing to write into" in baseline.stderr
    assert not (base / "out.md").exists() and not (overlay / "out.md").exists() and not (base / "b.json").exists()


# ---- 3. a closed or full standard output is an error CI sees, never exit 3 or a silent 0 --------------

COMMANDS = {
    "check": ["shifted", "--engine", "pure"],
    "explain": ["explain", f"shifted/{REPORT}", "--engine", "pure"],
    "calibrate": ["calibrate", "shifted", "--engine", "pure"],
    "rules list": ["rules", "list"],
    "rules validate": ["rules", "validate"],
    "schema": ["schema", "check"],
    "config": ["config"],
    "version": ["--version"],
}


def _close_stdout():
    os.close(1)  # as `lii-check … >&-` starts it


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_closed_stdout_is_a_one_line_error_for_every_command(corpus, command):
    done = real(COMMANDS[command], corpus.parent, preexec_fn=_close_stdout, stdout=None, stderr=subprocess.PIPE)
    assert done.returncode == 2
    assert done.stderr == "lii-check: could not write the output: standard output is closed\n"


@pytest.mark.skipif(not (os.path.exists("/dev/full") and stat.S_ISCHR(os.stat("/dev/full").st_mode)),
                    reason="needs the /dev/full device")
@pytest.mark.parametrize("command", ["check", "explain", "schema", "config"])
def test_a_full_stdout_is_a_one_line_error(corpus, command):
    # Only ever stdout, opened by this test: lii-check is given no path to /dev/full, so even a bug could
    # not replace the device.
    with open("/dev/full", "w") as full:
        done = real(COMMANDS[command], corpus.parent, stdout=full, stderr=subprocess.PIPE)
    assert done.returncode == 2
    assert done.stderr == "lii-check: could not write the output: No space left on device\n"


def test_a_command_that_prints_nothing_on_stdout_still_works_with_it_closed(corpus):
    done = real(["rules", "docs", "pages"], corpus.parent, preexec_fn=_close_stdout, stdout=None, stderr=subprocess.PIPE)
    assert done.returncode == 0 and done.stderr.startswith("lii-check: wrote ")


def test_a_reader_that_goes_away_still_gives_141(corpus):
    for _ in range(20):  # enough reports that the table outlasts the pipe's buffer
        for name in os.listdir(SHIFTED):
            if name.endswith(".txt"):
                shutil.copy(SHIFTED / name, corpus / f"{_}-{name}")
    reader, writer = os.pipe()
    os.close(reader)
    try:
        done = real(["shifted", "--engine", "pure"], corpus.parent, stdout=writer, stderr=subprocess.PIPE)
    finally:
        os.close(writer)
    assert done.returncode == 141 and done.stderr == ""


# ---- 4. --timeout: finite, and within what the interval timer takes -----------------------------------

@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e12", "86401", "0.05", "abc"])
def test_a_timeout_that_is_not_a_finite_number_of_seconds_up_to_a_day_is_a_usage_error(corpus, monkeypatch, value):
    result = invoke(["shifted", "--engine", "pure", "--timeout", value], corpus.parent, monkeypatch)
    assert result.exit_code == 2
    assert (f"Error: Invalid value for '--timeout': '{value}' is not a number of seconds from 0.1 to 86400 "
            "(one day)\n") in result.stderr


def test_the_longest_timeout_allowed_runs(corpus, monkeypatch):
    result = invoke(["shifted", "--engine", "pure", "--jobs", "1", "--timeout", "86400"], corpus.parent, monkeypatch)
    assert result.exit_code == 1 and "2 reports: 0 consistent, 2 inconsistent, 0 unreadable" in result.stdout


# ---- 5. an empty path is a usage error, never the current folder ------------------------------------------

@pytest.mark.parametrize("args", [["--format", "github", ""], [".", ""], ["calibrate", ""],
                                  ["rules", "diff", "--base", "bundled", ""]])
def test_an_empty_path_argument_is_a_usage_error(corpus, monkeypatch, args):
    result = invoke([*args, "--engine", "pure"], corpus, monkeypatch)
    assert result.exit_code == 2
    assert result.stderr == "lii-check: an empty path was given (is a variable unset?)\n"
    assert result.stdout == ""


@pytest.mark.parametrize("args, name", [(["explain", ""], "'REPORT'"), (["--baseline", "", "."], "'--baseline'"),
                                        (["--rules", "", "."], "'--rules'"), (["--config", "", "."], "'--config'"),
                                        (["rules", "validate", ""], "'[DIRECTORY]'")])
def test_an_empty_path_option_is_a_usage_error_not_ignored(corpus, monkeypatch, args, name):
    result = invoke(args, corpus, monkeypatch)
    assert result.exit_code == 2
    assert f"Error: Invalid value for {name}: an empty path was given (is a variable unset?)\n" in result.stderr


# ---- 6. folders nested deeper than Python's recursion limit -------------------------------------------

@pytest.fixture
def deep(tmp_path):
    """make(depth, report=None): tmp_path/deep/d/d/…/d, `depth` folders, built and removed one level at a
    time (os.makedirs and shutil.rmtree recurse per level too, and would fail at this depth)."""
    made = []

    def make(depth: int, report: Path | None = None) -> Path:
        start = os.getcwd()
        os.mkdir(tmp_path / "deep")
        os.chdir(tmp_path / "deep")
        try:
            for _ in range(depth):
                os.mkdir("d")
                os.chdir("d")
            if report:
                shutil.copy(report, "report.txt")
        finally:
            os.chdir(start)
        made.append(depth)
        return tmp_path / "deep"

    yield make
    if made:  # from the top: lift deep/d out as the new deep, remove the old; short paths all the way
        top, below = tmp_path / "deep", tmp_path / "below"
        while (top / "d").is_dir():
            os.rename(top / "d", below)
            for name in os.listdir(top):
                os.unlink(top / name)
            os.rmdir(top)
            os.rename(below, top)
        shutil.rmtree(top)


def test_a_report_a_thousand_folders_deep_is_found_and_checked(tmp_path, monkeypatch, deep):
    deep(1000, SHIFTED / REPORT)
    result = invoke(["deep", "--engine", "pure", "--format", "json"], tmp_path, monkeypatch)
    assert result.exit_code == 1, result.stderr
    [report] = json.loads(result.stdout)["reports"]
    assert report["path"] == "deep/" + "d/" * 1000 + "report.txt" and report["verdict"] == "inconsistent"


@pytest.mark.slow  # some seconds of file-system work to build and remove 2,100 folders
def test_a_folder_nested_past_what_a_path_can_spell_is_named_not_a_traceback(tmp_path, monkeypatch, deep):
    deep(2100, SHIFTED / REPORT)
    result = invoke(["deep", "--engine", "pure"], tmp_path, monkeypatch)
    assert result.exit_code == 2
    # The first folder whose path is too long, named by both ends and its depth.
    # The first folder whose relative path "deep/d/…/d" (with its NUL) is longer than PATH_MAX.
    levels = next(k for k in range(2100) if len("deep" + "/d" * k) >= os.pathconf(tmp_path, "PC_PATH_MAX"))
    assert result.stderr == ("lii-check: deep/" + "d/" * 37 + "d…" + "/d" * 40 + f" ({levels + 1} folders deep): "
                             "cannot read this folder (File name too long): nothing was checked (fix the permissions, "
                             "or leave the folder out with --exclude)\n")


# ---- 7. SIGTERM (a cancelled CI job) ends a run quietly with 143, workers and all ----------------------

def test_sigterm_during_a_parallel_run_is_one_line_and_143(tmp_path):
    corpus = tmp_path / "big"
    corpus.mkdir()
    for n in range(400):  # far more than two workers get through before the signal
        for name in ("seed000_relabelled_2.txt", "seed002_relabelled_1.txt"):
            shutil.copy(SHIFTED / name, corpus / f"{n:03d}-{name}")
    process = subprocess.Popen([sys.executable, "-c", "from lii_check.cli import run; run()", "big", "--jobs", "2",
                                "--engine", "pure", "--output", "json=out.json"], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        # Bytes, not text: the signal may cut the table in the middle of a box-drawing character, and a text
        # reader holding half of one would fail to decode the rest.
        assert process.stdout.readline().startswith(b"INCONSISTENT")  # the workers are busy now
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 143
    assert stderr.decode("utf-8") == "lii-check: terminated; no output file is left half-written\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big"]  # no output, no temporary file


@pytest.mark.skipif(not Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").exists(),
                    reason="needs /proc/PID/task/PID/children to find the worker to kill (Linux)")
def test_a_worker_killed_mid_run_ends_the_run_with_a_message_not_a_hang(tmp_path):
    # A worker killed mid-chunk (the kernel's out-of-memory killer, kill -9) used to leave the run waiting for ever,
    # printing nothing, and deaf to the SIGTERM `timeout` sends.
    corpus = tmp_path / "big"
    corpus.mkdir()
    for n in range(400):
        for name in ("seed000_relabelled_2.txt", "seed002_relabelled_1.txt"):
            shutil.copy(SHIFTED / name, corpus / f"{n:03d}-{name}")
    process = subprocess.Popen([sys.executable, "-c", "from lii_check.cli import run; run()", "big", "--jobs", "2",
                                "--engine", "pure"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert process.stdout.readline().startswith(b"INCONSISTENT")  # the workers are busy now
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        assert children, "no worker process to kill"
        os.kill(int(children[0]), signal.SIGKILL)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 3
    assert stderr.decode("utf-8").endswith(
        "lii-check: a worker process stopped while checking reports (killed, perhaps for lack of memory), so its "
        "reports would never be read; the run stopped there and its output is incomplete: run again; if it stops again, "
        "run with --jobs 1, which uses less memory and whose output ends at the report it could not finish\n")


# ---- 8. --jobs is capped at the cores ------------------------------------------------------------------

def test_jobs_beyond_the_cores_start_no_more_workers_than_cores(tmp_path, monkeypatch):
    import multiprocessing.pool

    from lii_check import check

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in range(128):  # four chunks of 32: four workers before the cap
        shutil.copy(SHIFTED / REPORT, corpus / f"{n:03d}.txt")
    started = []
    real_init = multiprocessing.pool.Pool.__init__

    def spy(self, processes=None, *args, **kwargs):
        started.append(processes)
        real_init(self, processes, *args, **kwargs)

    monkeypatch.setattr(multiprocessing.pool.Pool, "__init__", spy)
    monkeypatch.setattr(check, "default_jobs", lambda: 2)
    result = invoke(["corpus", "--engine", "pure", "--jobs", "64", "--format", "concise"], tmp_path, monkeypatch)
    assert result.exit_code == 1 and result.stdout.count(".txt:") == 256  # 128 reports, two findings each
    assert started == [2]
    help_text = invoke(["check", "--help"], tmp_path, monkeypatch).stdout
    assert "at most the machine's cores (a larger number is lowered to it)" in " ".join(help_text.split())


# ---- 9. documents in formats lii-check does not read are named, not silently skipped --------------------

def test_documents_in_other_formats_are_named_in_not_searched(corpus, monkeypatch):
    for name in ("a.pdf", "sub/b.docx", "c.html", "d.markdown", "data.csv", "logo.png", "README.html"):
        (corpus / name).parent.mkdir(exist_ok=True)
        (corpus / name).write_bytes(b"synthetic placeholder, not a report\n")
    note = ("4 document(s) in a format lii-check does not read (it reads .txt and .md; convert them to check them "
            "(text or Markdown under another name, such as .markdown or .text, only needs renaming to .md or .txt)): "
            "shifted/a.pdf, shifted/c.html, shifted/d.markdown, shifted/sub/b.docx")
    first = invoke(["shifted", "--engine", "pure", "--format", "json"], corpus.parent, monkeypatch)
    assert first.exit_code == 1
    assert json.loads(first.stdout)["summary"]["not_searched"] == [note]
    again = invoke(["shifted", "--engine", "pure", "--format", "json"], corpus.parent, monkeypatch)
    assert again.stdout == first.stdout  # deterministic
    table = invoke(["shifted", "--engine", "pure"], corpus.parent, monkeypatch)
    assert f"Not searched: {note}." in " ".join(table.stdout.split())


def test_many_documents_in_other_formats_are_named_up_to_ten_then_counted(corpus, monkeypatch):
    for n in range(12):
        (corpus / f"{n:02d}.pdf").write_bytes(b"%PDF-1.4 synthetic\n")
    result = invoke(["shifted", "--engine", "pure", "--format", "json"], corpus.parent, monkeypatch)
    assert json.loads(result.stdout)["summary"]["not_searched"] == [
        "12 document(s) in a format lii-check does not read (it reads .txt and .md; convert them to check them): "
        + ", ".join(f"shifted/{n:02d}.pdf" for n in range(10)) + " and 2 more"]


def test_markdown_or_text_under_another_name_is_told_to_be_renamed_not_converted(tmp_path, monkeypatch):
    (tmp_path / "docs").mkdir()
    for name in ("x.markdown", "y.text"):
        (tmp_path / "docs" / name).write_bytes((SHIFTED / REPORT).read_bytes())
    result = invoke(["docs"], tmp_path, monkeypatch)
    assert result.exit_code == 2
    assert "docs/x.markdown: they are text or Markdown already: rename them to .md or .txt to check them" in result.stderr


def test_a_folder_of_only_other_formats_says_so(tmp_path, monkeypatch):
    (tmp_path / "docs").mkdir()
    for name in ("x.pdf", "y.docx"):
        (tmp_path / "docs" / name).write_bytes(b"synthetic\n")
    result = invoke(["docs"], tmp_path, monkeypatch)
    assert result.exit_code == 2
    assert result.stderr == ("lii-check: docs: no reports found (looked for .txt and .md files in the folder and "
                             "below; 2 document(s) in a format lii-check does not read, such as docs/x.pdf: convert "
                             "them to .txt or .md)\n")


def test_a_usage_error_whose_stderr_is_already_closed_still_exits_2(tmp_path):
    # "lii-check … 2>&1 | head -1": the reader gone before the message is written made a usage error exit 1, which
    # CI reads as findings.
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run([sys.executable, "-c", "from lii_check.cli import run; run()", "check", "--format",
                               "nope", "x"], cwd=tmp_path, stdout=write, stderr=write, timeout=60)
    finally:
        os.close(write)
    assert done.returncode == 2
