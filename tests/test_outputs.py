"""Outputs and the CLI's promises (issue 8): where --output may write and how, exit codes every format
agrees with, Ctrl-C, stdout encodings, colour, --strict, and the README's own commands.

Runs about the process boundary are real processes (`python -c "from lii_check.cli import run; run()"`)
from a tmp folder: signals, pipes, closed stdout, stream encodings, terminals, resource limits and the
README's commands only exist there. The others (where --output may write, formats against exit codes,
suppressions, baselines, --strict) call the same entry point, run(), in this process (conftest.py's
in_process fixture): the same exit codes and messages, without ~0.5 s of CPU to start each process.
"""
from __future__ import annotations

import json
import os
import pty
import re
import resource
import select
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import yaml

import lii_check
from lii_check.outputs import TEMP_PREFIX, Target, fit_stream, use_color, write_all

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
SEEDS, SHIFTED, SYNTHETIC = FIXTURES / "seeds", FIXTURES / "shifted", FIXTURES / "synthetic"
SARIF_SCHEMA = Path(__file__).parent / "data" / "formats" / "sarif-schema-2.1.0.json"
BELOW = "consistency.score-below-evidence"
ANSI = "\x1b["
LAUNCH = "from lii_check.cli import run; run()"


def env(**extra: str) -> dict:
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM", "PYTHONIOENCODING", "FORCE_COLOR")}
    base["PYTHONDONTWRITEBYTECODE"] = "1"
    base.update(extra)
    return base


def real(*args, cwd: Path, environ: dict | None = None, text: bool = True, **kw) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-c", LAUNCH, *map(str, args)], capture_output=True, text=text,
                          timeout=600, cwd=cwd, env=environ or env(), **kw)
    out = done.stdout if text else done.stdout.decode("latin-1")
    err = done.stderr if text else done.stderr.decode("latin-1")
    assert "Traceback" not in err and "Traceback" not in out
    return done


def corpus_of(tmp_path: Path, name: str, *sources: Path) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for src in sources:
        shutil.copy(src, folder)
    return folder


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(TEMP_PREFIX))


# ---- --output: never among the reports, checked before the run ------------------------------------


def test_an_output_next_to_a_report_given_by_name_is_refused_before_the_run(tmp_path, in_process):
    reports = corpus_of(tmp_path, "reports", SEEDS / "000_69a4ab76882569fd.txt")
    (reports / "000_69a4ab76882569fd.txt").rename(reports / "one.txt")
    done = in_process("--engine", "pure", "--output", "markdown=reports/lii.md", "reports/one.txt", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""  # refused before anything was checked
    assert done.stderr.startswith(f"lii-check: --output markdown=reports/lii.md: refusing to write into "
                                  f"{reports.resolve()}, the folder of a report being checked")
    assert sorted(p.name for p in reports.iterdir()) == ["one.txt"]
    # The failure this prevents: the next run over the folder reads the output as a report.
    assert in_process("--engine", "pure", "reports/", cwd=tmp_path).returncode == 0


def test_an_output_named_dash_is_refused_with_how_to_write_to_standard_output(tmp_path, in_process):
    reports = corpus_of(tmp_path, "reports", SEEDS / "000_69a4ab76882569fd.txt")
    done = in_process("--engine", "pure", "--output", "json=-", "reports", cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == ("lii-check: --output json=-: '-' would be a file named '-': for standard output use "
                           "--format json (or --output json=/dev/stdout)\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]
    assert reports.exists()


def test_an_output_anywhere_below_a_given_folder_is_refused(tmp_path, in_process):
    reports = corpus_of(tmp_path, "reports", SEEDS / "000_69a4ab76882569fd.txt")
    (reports / "sub").mkdir()
    done = in_process("--engine", "pure", "--output", "json=reports/sub/out.json", "reports", cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert f"refusing to write into {reports.resolve()}, a folder of the reports being checked" in done.stderr
    assert not (reports / "sub" / "out.json").exists()


def test_an_output_in_the_real_folder_of_a_symlinked_report_is_refused(tmp_path, in_process):
    elsewhere = corpus_of(tmp_path, "elsewhere", SEEDS / "000_69a4ab76882569fd.txt")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "linked.txt").symlink_to(elsewhere / "000_69a4ab76882569fd.txt")
    done = in_process("--engine", "pure", "--output", "json=elsewhere/out.json", "corpus", cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert "elsewhere" in done.stderr and "refusing" in done.stderr
    assert not (elsewhere / "out.json").exists()


def test_an_output_elsewhere_is_written(tmp_path, in_process):
    corpus_of(tmp_path, "reports", SEEDS / "000_69a4ab76882569fd.txt")
    (tmp_path / "out").mkdir()
    done = in_process("--engine", "pure", "--output", "json=out/lii.json", "reports", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "out" / "lii.json").read_text("utf-8"))["summary"]["reports"] == 1
    assert leftovers(tmp_path / "out") == []


def test_an_output_to_a_pipe_is_written_through_not_replaced(tmp_path):
    # /dev/stdout and named pipes cannot be renamed over: they are written in place.
    corpus_of(tmp_path, "reports", SEEDS / "000_69a4ab76882569fd.txt")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    proc = subprocess.Popen([sys.executable, "-c", LAUNCH, "--engine", "pure", "--output", "json=pipe", "reports"],
                            cwd=tmp_path, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    received: list[str] = []

    def read() -> None:
        with open(fifo, encoding="utf-8") as reader:
            received.append(reader.read())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    stdout, stderr = proc.communicate(timeout=600)
    thread.join(timeout=30)
    if thread.is_alive():  # nothing opened the pipe for writing: release the reader before failing
        with open(fifo, "w"):
            pass
        raise AssertionError("the output never reached the pipe")
    assert proc.returncode == 0, stderr
    assert json.loads(received[0])["summary"]["reports"] == 1
    assert fifo.is_fifo() and leftovers(tmp_path) == []


def test_an_output_to_a_pipe_nobody_reads_fails_with_a_reason_not_a_hang(tmp_path, in_process, monkeypatch):
    """The run blocked at its end for ever (CI's time limit, not lii-check, ended it): it waits a few seconds for a
    reader, then fails the output with exit 2 and says why."""
    from lii_check import outputs

    monkeypatch.setattr(outputs, "PIPE_WAIT_S", 0.3)
    corpus_of(tmp_path, "reports", SEEDS / "000_69a4ab76882569fd.txt")
    os.mkfifo(tmp_path / "pipe")
    done = in_process("--engine", "pure", "--output", "json=pipe", "reports", cwd=tmp_path)
    assert done.returncode == 2
    assert "cannot write --output json=pipe: no process opened the named pipe to read it within 0.3 s" in done.stderr


def test_an_output_or_baseline_that_is_a_loop_of_links_is_refused_before_the_run(tmp_path, in_process):
    # pathlib's RuntimeError ended the run as an internal error (exit 3); then the link was replaced by a file.
    corpus_of(tmp_path, "reports", SEEDS / "000_69a4ab76882569fd.txt")
    os.symlink("l2", tmp_path / "l1")
    os.symlink("l1", tmp_path / "l2")
    for flags in (["--output", "json=l1"], ["--baseline", "l1", "--update-baseline"]):
        done = in_process("--engine", "pure", *flags, "reports", cwd=tmp_path)
        assert done.returncode == 2 and "l1 is a loop of symbolic links, not a file" in done.stderr, done.stderr
        assert (tmp_path / "l1").is_symlink()
    assert in_process("--engine", "pure", "l1", cwd=tmp_path).returncode == 1  # a report path: unreadable, named


def test_the_order_the_paths_are_given_in_changes_no_byte_of_any_output(tmp_path, in_process):
    """pre-commit and shell globs pass files in varying orders; every format but concise listed reports in the order
    given, so the same corpus gave different bytes."""
    corpus_of(tmp_path, "a", SEEDS / "000_69a4ab76882569fd.txt", SEEDS / "004_bb262f5a777e266c.txt")
    corpus_of(tmp_path, "b", SHIFTED / "seed002_relabelled_1.txt")
    for fmt in ("json", "junit", "table"):
        runs = [in_process("--engine", "pure", "--format", fmt, "--color", "never", *paths, cwd=tmp_path).stdout
                for paths in (["b", "a"], ["a", "b"], ["a/004_bb262f5a777e266c.txt", "b", "a"])]
        assert runs[0] == runs[1] == runs[2] and runs[0], fmt


@pytest.mark.parametrize("setup, flags, what", [
    ("lii.yaml", ["--config", "lii.yaml", "--output", "json=lii.yaml"], "the configuration this run uses"),
    ("pyproject.toml", ["--output", "markdown=pyproject.toml"], "the configuration this run uses"),  # found, not given
    ("base.json", ["--baseline", "base.json", "--output", "markdown=./base.json"], "the baseline this run reads"),
])
def test_an_output_that_would_replace_the_run_s_own_configuration_or_baseline_is_refused(tmp_path, in_process, setup,
                                                                                          flags, what):
    # Each run exited 0 having replaced the file; the next one failed on report output as its configuration.
    corpus_of(tmp_path, "reports", SEEDS / "000_69a4ab76882569fd.txt")
    if setup == "base.json":
        (tmp_path / setup).write_text(in_process("--engine", "pure", "--format", "json", "reports", cwd=tmp_path).stdout)
    else:
        (tmp_path / setup).write_text("fail-on: warning\n" if setup.endswith(".yaml") else
                                      '[tool.lii-check]\nfail-on = "warning"\n')
    before = (tmp_path / setup).read_bytes()
    done = in_process("--engine", "pure", *flags, "reports", cwd=tmp_path)
    assert done.returncode == 2 and f"is {what}; writing there would replace it" in done.stderr, done.stderr
    assert (tmp_path / setup).read_bytes() == before


def _unwritable(tmp_path: Path, kind: str) -> str:
    if kind == "missing folder":
        return "json=no-such-folder/lii.json"
    if kind == "a folder":
        (tmp_path / "taken").mkdir()
        return "json=taken"
    if kind == "below a file":
        (tmp_path / "plain.txt.bak").write_text("x")
        return "json=plain.txt.bak/lii.json"
    if kind == "read-only folder":
        if os.geteuid() == 0:
            pytest.skip("root writes into read-only folders; the /proc case covers an unwritable folder")
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        return "json=ro/lii.json"
    if kind == "a folder nobody can create files in":
        if not Path("/proc/self").is_dir():
            pytest.skip("needs Linux /proc")
        return "json=/proc/lii-check-test.json"
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["missing folder", "a folder", "below a file", "read-only folder",
                                  "a folder nobody can create files in"])
def test_an_unwritable_output_is_a_usage_error_before_the_run(tmp_path, kind, in_process):
    corpus_of(tmp_path, "reports", SHIFTED / "seed002_relabelled_1.txt")
    spec = _unwritable(tmp_path, kind)
    done = in_process("--engine", "pure", "--output", spec, "reports", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""  # nothing was checked: the table would be on stdout
    assert done.stderr.startswith(f"lii-check: --output {spec}: ")
    assert len(done.stderr.strip().splitlines()) == 1


def test_the_same_output_twice_is_a_usage_error(tmp_path, in_process):
    corpus_of(tmp_path, "reports", SEEDS / "000_69a4ab76882569fd.txt")
    done = in_process("--engine", "pure", "--output", "json=a.json", "--output", "sarif=./a.json", "reports",
                      cwd=tmp_path)
    assert done.returncode == 2 and "more than one --output" in done.stderr
    assert not (tmp_path / "a.json").exists()


def _limited_file_size(limit: int):
    def apply():
        # SIGXFSZ ignored, so a write past the limit fails with EFBIG like a full disk, instead of killing us.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_a_failed_write_leaves_the_previous_file_whole_and_no_partial_file(tmp_path):
    corpus_of(tmp_path, "reports", SHIFTED / "seed002_relabelled_1.txt")
    out = tmp_path / "out"
    out.mkdir()
    (out / "lii.sarif").write_text("previous run\n", "utf-8")
    done = real("--engine", "pure", "--output", "sarif=out/lii.sarif", "--output", "junit=out/lii.xml", "reports",
                cwd=tmp_path, preexec_fn=_limited_file_size(4096))
    assert done.returncode == 2
    assert "lii-check: cannot write" in done.stderr and "half-written" in done.stderr
    assert (out / "lii.sarif").read_text("utf-8") == "previous run\n"
    assert not (out / "lii.xml").exists()
    assert leftovers(out) == []


def test_write_all_is_all_or_nothing_when_interrupted(tmp_path, monkeypatch):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text("old\n", "utf-8")
    calls = []

    def interrupted_fsync(fd):
        calls.append(fd)
        if len(calls) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted_fsync)
    with pytest.raises(KeyboardInterrupt):
        write_all([(Target("json", "a.json", first), "new a\n"), (Target("json", "b.json", second), "new b\n")])
    assert first.read_text("utf-8") == "old\n"  # not replaced: the second was not ready
    assert not second.exists()
    assert leftovers(tmp_path) == []


def test_write_all_keeps_the_permissions_of_a_file_it_replaces(tmp_path):
    target = tmp_path / "lii.json"
    target.write_text("old\n", "utf-8")
    target.chmod(0o640)
    write_all([(Target("json", "lii.json", target), "new\n")])
    assert target.read_text("utf-8") == "new\n"
    assert target.stat().st_mode & 0o777 == 0o640


# ---- every format agrees with the exit code ---------------------------------------------------


def _formats_run(run, tmp_path: Path, corpus: Path, *flags: str) -> tuple[int, dict]:
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    done = run("--engine", "pure", *flags, "--format", "github", "--output", "junit=out/lii.xml",
               "--output", "sarif=out/lii.sarif", "--output", "markdown=out/lii.md", "--output", "table=out/lii.txt",
               "--output", "json=out/lii.json", corpus.name, cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, {
        "github": done.stdout,
        "junit": ET.fromstring((out / "lii.xml").read_bytes()),
        "sarif": json.loads((out / "lii.sarif").read_text("utf-8")),
        "markdown": (out / "lii.md").read_text("utf-8"),
        "table": (out / "lii.txt").read_text("utf-8"),
        "json": json.loads((out / "lii.json").read_text("utf-8")),
    }


def _what_each_format_says(outputs: dict) -> dict[str, bool]:
    """For each format: does it say the run failed?"""
    junit = outputs["junit"]
    run = outputs["sarif"]["runs"][0]
    (invocation,) = run["invocations"]
    active = [r for r in run["results"] if not r.get("suppressions")]
    return {
        "junit": int(junit.get("failures")) + int(junit.get("errors")) > 0,
        "sarif levels": any(r["level"] == "error" for r in active)
        or any(n["level"] == "error" for n in invocation.get("toolExecutionNotifications", [])),
        "sarif exitCode": invocation["exitCode"] == 1,
        "github": any(line.startswith("::error ") for line in outputs["github"].splitlines()),
        "markdown": "**Result:** fails (exit code 1)" in outputs["markdown"],
        "table": "Result: fails (exit code 1)" in outputs["table"],
        "json": outputs["json"]["summary"]["exit_code"] == 1,
    }


CASES = {
    # corpus sources, flags, expected exit code
    "warnings only, default": ([SYNTHETIC / "s19_silverholme.txt"], [], 0),
    "warnings only, --fail-on warning": ([SYNTHETIC / "s19_silverholme.txt"], ["--fail-on", "warning"], 1),
    "infos only, --fail-on info": ([SYNTHETIC / "s09_quillington.md"], ["--fail-on", "info"], 1),
    "infos only, --fail-on warning": ([SYNTHETIC / "s09_quillington.md"], ["--fail-on", "warning"], 0),
    "inconsistent, default": ([SHIFTED / "seed002_relabelled_1.txt"], [], 1),
    "inconsistent, --fail-on never": ([SHIFTED / "seed002_relabelled_1.txt"], ["--fail-on", "never"], 0),
    "healthy, --strict, a rule not exercised": ([SEEDS / "000_69a4ab76882569fd.txt"], ["--strict"], 1),
}


@pytest.mark.parametrize("case", CASES)
def test_every_format_agrees_with_the_exit_code(tmp_path, case, in_process):
    sources, flags, expected = CASES[case]
    corpus = corpus_of(tmp_path, "corpus", *sources)
    code, outputs = _formats_run(in_process, tmp_path, corpus, *flags)
    assert code == expected
    said = _what_each_format_says(outputs)
    assert said == {fmt: bool(expected) for fmt in said}, said
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text("utf-8"))).validate(outputs["sarif"])


def test_junit_names_the_fail_on_level_and_the_strict_gaps(tmp_path, in_process):
    corpus = corpus_of(tmp_path, "corpus", SYNTHETIC / "s19_silverholme.txt")
    _, outputs = _formats_run(in_process, tmp_path, corpus, "--fail-on", "warning", "--strict")
    cases = {c.get("name"): c for c in outputs["junit"].iter("testcase")}
    failure = cases["corpus/s19_silverholme.txt"].find("failure")
    assert failure.get("type") == "fail-on"
    assert failure.get("message") == "1 finding at or above warning (--fail-on warning)"
    strict = cases["--strict: every rule exercised, every theme mentioned"].find("failure")
    not_exercised = outputs["json"]["summary"]["rules_not_exercised"]
    assert not_exercised and f"rule not exercised: {not_exercised[0]}" in strict.text


def _inline_suppressed_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    lines = (SHIFTED / "seed000_relabelled_2.txt").read_text("utf-8").split("\n")
    lines[5:5] = [f"<!-- lii-check-disable {BELOW}: accepted at the calibration panel -->"]
    (corpus / "seed000.txt").write_text("\n".join(lines), "utf-8")
    return corpus


def test_inline_suppressions_are_in_source_suppressions_in_sarif(tmp_path, in_process):
    corpus = _inline_suppressed_corpus(tmp_path)
    code, outputs = _formats_run(in_process, tmp_path, corpus)
    assert code == 0
    (suppressed,) = outputs["json"]["reports"][0]["suppressed"]
    assert (suppressed["rule"], suppressed["suppressed_by"]) == (BELOW, "inline")
    results = [r for r in outputs["sarif"]["runs"][0]["results"] if r["ruleId"] == BELOW]
    assert len(results) == 1
    assert results[0]["suppressions"] == [{"kind": "inSource"}]
    assert results[0]["level"] != "error" and results[0]["properties"]["severity"] == "error"
    rules = [r["id"] for r in outputs["sarif"]["runs"][0]["tool"]["driver"]["rules"]]
    assert rules[results[0]["ruleIndex"]] == BELOW


def test_baseline_suppressions_are_external_suppressions_in_sarif(tmp_path, in_process):
    corpus = corpus_of(tmp_path, "corpus", SHIFTED / "seed002_relabelled_1.txt")
    first = in_process("--engine", "pure", "--format", "json", "corpus", cwd=tmp_path)
    assert first.returncode == 1
    (tmp_path / "baseline.json").write_text(first.stdout, "utf-8")
    code, outputs = _formats_run(in_process, tmp_path, corpus, "--baseline", "baseline.json")
    assert code == 0
    assert {f["suppressed_by"] for f in outputs["json"]["reports"][0]["suppressed"]} == {"baseline"}
    below = [r for r in outputs["sarif"]["runs"][0]["results"] if r["ruleId"] == BELOW]
    assert below and all(r["suppressions"] == [{"kind": "external"}] for r in below)


# ---- a malformed baseline is a usage error, before the run --------------------------------------


@pytest.mark.parametrize("content, where", [
    ('{"schema_version": 1,\n "tool": {"name": "lii-check"},\n "reports": [}\n', "baseline.json:3:"),
    ('{"tool": {"name": "something-else"}, "reports": []}', "baseline.json: not a lii-check JSON document"),
    ('{"tool": "x", "reports": []}', "baseline.json:"),
])
def test_a_malformed_baseline_is_exit_2_before_the_run(tmp_path, content, where, in_process):
    corpus_of(tmp_path, "corpus", SHIFTED / "seed002_relabelled_1.txt")
    (tmp_path / "baseline.json").write_text(content, "utf-8")
    (tmp_path / "out").mkdir()
    done = in_process("--engine", "pure", "--baseline", "baseline.json", "--output", "json=out/lii.json", "corpus",
                      cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == "" and not (tmp_path / "out" / "lii.json").exists()
    assert done.stderr.startswith(f"lii-check: {where}")


# ---- Ctrl-C ---------------------------------------------------------------------------------


INTERRUPTIBLE = """
import sys, time
import lii_check.check as check
import lii_check.cli as cli
import lii_check.formats as formats

def announce_and_wait():
    print("READY", file=sys.stderr, flush=True)
    time.sleep(120)

if sys.argv[1] == "during-check":
    def waiting_stream(*a, **k):
        announce_and_wait()
        yield from ()
    check.check_stream = waiting_stream
else:  # during the outputs: the JSON file is rendered already, the SARIF one waits
    real_render, calls = formats.render, []
    def slow_render(*a, **k):
        calls.append(a[0])
        if len(calls) == 1:
            announce_and_wait()
        return real_render(*a, **k)
    formats.render = slow_render
del sys.argv[1]
cli.run()
"""


def _ctrl_c_as_at_a_prompt() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@pytest.mark.parametrize("moment", ["during-check", "during-outputs"])
def test_ctrl_c_exits_130_with_one_line_and_no_output_files(tmp_path, moment):
    corpus_of(tmp_path, "corpus", SHIFTED / "seed002_relabelled_1.txt")
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-c", INTERRUPTIBLE, moment, "--engine", "pure", "--output", "json=out/lii.json",
         "--output", "sarif=out/lii.sarif", "corpus"],
        cwd=tmp_path, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        # A shell's background job (`pytest … &`, nohup) starts with Ctrl-C ignored, and a test runner's
        # thread may have it blocked; a child inherits both. Give lii-check what a user at a prompt has.
        preexec_fn=_ctrl_c_as_at_a_prompt)
    try:
        before = []
        for line in proc.stderr:  # anything else lii-check says on stderr first is kept for the message check
            if line == "READY\n":
                break
            before.append(line)
        else:
            raise AssertionError("the run ended before it could be interrupted: " + "".join(before))
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert "Traceback" not in stderr and "Aborted" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("lii-check: interrupted")
    # The table streams each report as it is checked, so an interrupted run may have printed some of
    # them; it never printed a summary or a verdict on the run, and it left no output file.
    assert "Result:" not in stdout and "report:" not in stdout
    if moment == "during-check":
        assert stdout == ""
    assert list(out.iterdir()) == []


def test_a_closed_stdout_exits_141_quietly(tmp_path):
    reader, writer = os.pipe()
    os.close(reader)  # like `| head` that has already exited
    try:
        done = subprocess.run([sys.executable, "-c", LAUNCH, "--engine", "pure", SEEDS], stdout=writer,
                              stderr=subprocess.PIPE, text=True, timeout=600, cwd=tmp_path, env=env())
    finally:
        os.close(writer)
    assert done.returncode == 141
    assert done.stderr == ""


# ---- stdout that is not UTF-8 --------------------------------------------------------------------


WELSH = "Cyngor Ynys Môn’s ŵ team"


def _welsh_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = (SHIFTED / "seed002_relabelled_1.txt").read_text("utf-8")
    cited = "The local authority fostered a culture where learning and improvement were embedded"
    assert cited in text
    text = text.replace(cited, cited.replace("The local authority", WELSH))
    (corpus / "Môn ŵ’s report.txt").write_text(text, "utf-8")
    return corpus


@pytest.mark.parametrize("fmt", ["table", "json", "sarif", "junit", "github", "markdown"])
def test_a_cp1252_stdout_never_crashes(tmp_path, fmt):
    _welsh_corpus(tmp_path)
    done = real("--engine", "pure", "--format", fmt, "corpus", cwd=tmp_path, environ=env(PYTHONIOENCODING="cp1252"),
                text=False)
    assert done.returncode == 1, done.stderr
    out = done.stdout.decode("cp1252")
    if fmt == "json":
        assert done.stdout.isascii()  # escaped, so lossless whatever the reader decodes it as
        doc = json.loads(out)
        assert doc["reports"][0]["path"] == "corpus/Môn ŵ’s report.txt"
        assert any(WELSH in e["text"] for f in doc["reports"][0]["findings"] for e in f["evidence"])
    elif fmt == "sarif":
        assert done.stdout.isascii()
        assert WELSH in json.dumps(json.loads(out), ensure_ascii=False)
    elif fmt == "junit":
        assert done.stdout.isascii()
        case = ET.fromstring(done.stdout).find("testsuite/testcase")
        assert case.get("name") == "corpus/Môn ŵ’s report.txt"
        assert case.find("failure").get("type") == "inconsistent"
    else:
        assert "Môn ?’s report.txt" in out  # "ŵ" has no cp1252 byte; "ô" and "’" do
    if fmt == "table":
        assert "┌" not in out and "+----" in out  # box drawing has no cp1252 bytes either


def test_explain_on_a_cp1252_stdout_never_crashes(tmp_path):
    corpus = _welsh_corpus(tmp_path)
    for fmt in ("table", "json"):
        done = real("explain", "--engine", "pure", "--format", fmt, corpus / "Môn ŵ’s report.txt", cwd=tmp_path,
                    environ=env(PYTHONIOENCODING="cp1252"), text=False)
        assert done.returncode == 1, done.stderr
        assert "Cyngor Ynys Môn’s" in done.stdout.decode("cp1252") or "Cyngor Ynys M\\u00f4n" in done.stdout.decode()


def test_calibrate_on_a_cp1252_stdout_draws_its_tables_in_ascii(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEEDS / "001_be58087aa61b4f94.txt", corpus)
    done = real("calibrate", "--engine", "pure", "corpus", cwd=tmp_path, environ=env(PYTHONIOENCODING="cp1252"),
                text=False)
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode("cp1252")
    assert "Evidence score (columns) against awarded score (rows)" in out
    assert "+----" in out and "| awarded 3 " in out and "?" not in out  # the grid, not "?" for each box character


def test_fit_stream_leaves_utf8_alone():
    assert fit_stream("ŵ ┌", "table", "utf-8") == "ŵ ┌"
    assert fit_stream('"ŵ"', "json", "UTF8") == '"ŵ"'


# ---- colour: the no-color convention ---------------------------------------------------------------


def _on_a_terminal(tmp_path: Path, args: list[str], environ: dict) -> str:
    """Run with stdout on a pseudo-terminal; return what was printed."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-c", LAUNCH, *args], cwd=tmp_path, env=environ,
                            stdout=slave, stderr=subprocess.PIPE)
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 120)
        if not ready:
            proc.kill()
            raise AssertionError("no output from the terminal run")
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait(timeout=60) == 1, proc.stderr.read()
    return b"".join(chunks).decode("utf-8")


@pytest.mark.parametrize("variables, flags, coloured", [
    ({"TERM": "xterm"}, [], True),
    ({"TERM": "xterm", "NO_COLOR": "1"}, [], False),
    ({"TERM": "xterm", "NO_COLOR": ""}, [], True),  # set but empty: the convention says it does not count
    ({"TERM": "dumb"}, [], False),
    ({"TERM": "xterm"}, ["--color", "never"], False),
    ({"TERM": "dumb", "NO_COLOR": "1"}, ["--color", "always"], True),  # an explicit flag wins
])
def test_colour_on_a_terminal(tmp_path, variables, flags, coloured):
    printed = _on_a_terminal(tmp_path, ["--engine", "pure", *flags, str(SHIFTED / "seed002_relabelled_1.txt")],
                             env(**variables))
    assert "INCONSISTENT" in printed
    assert (ANSI in printed) is coloured


def test_colour_off_a_terminal_only_when_asked_for(tmp_path):
    target = SHIFTED / "seed002_relabelled_1.txt"
    assert ANSI not in real("--engine", "pure", target, cwd=tmp_path, environ=env(TERM="xterm")).stdout
    forced = real("--engine", "pure", "--color", "always", target, cwd=tmp_path, environ=env(NO_COLOR="1"))
    assert ANSI in forced.stdout
    json_out = real("--engine", "pure", "--color", "always", "--format", "json", target, cwd=tmp_path)
    assert ANSI not in json_out.stdout  # colour is for the table only


def test_use_color_rules():
    assert use_color("auto", True, {}) is True
    assert use_color("auto", False, {}) is False
    assert use_color("auto", True, {"NO_COLOR": "0"}) is False  # any non-empty value
    assert use_color("always", False, {"NO_COLOR": "1", "TERM": "dumb"}) is True
    assert use_color("never", True, {}) is False


# ---- --strict on a healthy corpus --------------------------------------------------------------------


def test_strict_passes_on_the_healthy_bundled_fixtures(tmp_path, in_process):
    done = in_process("--engine", "pure", "--strict", "--format", "json", SEEDS, SYNTHETIC, cwd=tmp_path)
    doc = json.loads(done.stdout)
    assert doc["summary"]["rules_never_fired"]  # rules that rightly did not fire on consistent reports...
    assert doc["summary"]["rules_not_exercised"] == [] and doc["summary"]["themes_never_mentioned"] == []
    assert done.returncode == 0  # ...do not fail --strict


def test_strict_on_all_fixtures_fails_only_for_the_relabelled_seeds_and_the_known_gap(tmp_path, in_process):
    done = in_process("--engine", "pure", "--strict", "--format", "json", FIXTURES, cwd=tmp_path)
    assert done.returncode == 1
    doc = json.loads(done.stdout)
    # the deliberately mis-scored sections of probe8 to probe31 (their manifests expect `inconsistent`; probe24's a05,
    # a known gap, is only borderline) and the two relabelled seeds are caught; q11 (a low 2 read as a 1 just under
    # the mark, `todo` in fixtures/probe2/expected.yaml) is only borderline; probe27's c04 (a 3 read as a 4, `todo`)
    # is a known false error
    assert [r["path"].split("/")[-1] for r in doc["reports"] if r["verdict"] != "consistent"] == [  # in path order
        "x09_thornbury.txt", "x10_fenwick.txt", "x11_greystoke.txt", "x12_lindon.txt", "y09_ashcombe.txt",
        "y10_millbrook.txt", "y11_fenwold.txt", "y12_kingsholt.txt", "z07_greyhithe.txt", "z08_harrowden.txt",
        "z09_ilsby.txt", "z10_kestermoor.txt", "p04_dunnockley.txt", "p07_gildersby.txt", "p08_hollinsmere.txt",
        "p11_kellingmoor.txt", "r02_stourhythe.txt", "r04_dovecombe.txt", "r05_elsingmoor.txt",
        "s02_kilnbrook.txt", "s04_penmarden.txt", "s07_wellsgate.txt", "s09_ravensholt.txt",
        "t03_saltfleet.txt", "t06_brackenholt.txt", "t07_wexcombe.txt", "t08_fernleigh.txt",
        "u02_calderwick.txt", "u04_oakhurst.txt", "u06_stanbridge.txt", "v03_carrowfield.txt", "v04_dunsmere.txt",
        "v08_hollinmarsh.txt", "v11_morrowgate.txt", "w02_ashwendon.txt", "w03_brindlecombe.txt", "w06_elsmoor.txt",
        "w11_kelderby.txt", "v02_brindlemoor.txt", "v04_dunmere.txt", "v07_gillinghurst.md",
        "v08_hexley.txt", "w01_ashcombe.txt", "w05_eastwick_vale.txt", "w07_gorsemoor.txt", "w10_kelsingham.txt",
        "w02_kilnsey_moor.txt", "w04_greyfield.txt", "w06_saltmarsh.txt", "w07_harbury_cross.txt",
        "a02_wenlow_vale.txt", "a06_ebbington.txt", "a09_maddock_fell.txt", "b02_brackenholt.txt",
        "b05_fernleigh_cross.txt", "b06_garrowby.txt", "b09_kettleby_water.txt", "c02_brinkwater.txt",
        "c05_eastwold.txt", "c06_farrowdale.txt", "c09_inchbury.txt", "c03_kingsferry.txt", "c04_easterleigh.txt",
        "c06_tollbridge.txt", "c08_scarrowby.txt", "c09_wrayburn.txt", "d01_harrowmere.txt", "d05_ormsby_vale.txt",
        "d07_saltcote.txt", "d08_greyholme.txt", "d10_ashcombe.txt", "e02_thornleigh.txt", "e04_haverfield.txt",
        "e07_marlcombe.txt", "f02_culverdale.txt", "f04_grisdale.txt", "f05_holmbury_marsh.txt", "f06_ivesford.txt",
        "f07_kilnworth.txt", "v02_brindle_moor.txt", "v03_corran_fields.txt", "v05_eastwick_lees.txt", "v07_glenmarsh.txt",
        "v09_ivelstone.txt", "v10_kettlemere.txt", "w08_hollinsby.txt", "w09_ilsworth.txt", "w10_junipervale.txt",
        "w11_kestrelton.txt", "w12_lowmarsh.txt", "seed000_relabelled_2.txt", "seed002_relabelled_1.txt"]
    assert doc["summary"]["rules_not_exercised"] == [] and doc["summary"]["themes_never_mentioned"] == []
    assert in_process("--engine", "pure", "--strict", "--fail-on", "never", FIXTURES, cwd=tmp_path).returncode == 0


def test_strict_fails_when_the_corpus_leaves_rules_unexercised(tmp_path, in_process):
    # The five real seeds award only 3 and 4: the rules for awarded 1 and 2 were never tested by them.
    done = in_process("--engine", "pure", "--strict", SEEDS, cwd=tmp_path)
    assert done.returncode == 1
    unexercised = re.search(r"Rules no report exercised \((\d+);", done.stdout)
    assert unexercised and int(unexercised.group(1)) > 0
    assert "co-production.low-band-strong-throughout" in done.stdout
    assert "Result: fails (exit code 1): --strict: " in done.stdout
    assert in_process("--engine", "pure", SEEDS, cwd=tmp_path).returncode == 0  # without --strict it is information


def test_strict_fails_when_a_theme_is_never_mentioned(tmp_path, in_process):
    corpus = corpus_of(tmp_path, "corpus", SEEDS / "000_69a4ab76882569fd.txt")
    doc = json.loads(in_process("--engine", "pure", "--strict", "--format", "json", corpus.name, cwd=tmp_path).stdout)
    assert "workforce-stability" in doc["summary"]["themes_never_mentioned"]
    assert doc["summary"]["exit_code"] == 1


# ---- the README's promises ---------------------------------------------------------------------------

README = (REPO / "README.md").read_text("utf-8")


def _code_blocks(lang: str) -> list[str]:
    """The README's fenced code blocks opened with ```lang, in order (fences paired line by line)."""
    blocks, current, opened = [], None, None
    for line in README.splitlines():
        if line.startswith("```"):
            if current is None:
                current, opened = [], line[3:].strip()
            else:
                if opened == lang:
                    blocks.append("\n".join(current) + "\n")
                current = None
        elif current is not None:
            current.append(line)
    return blocks


def test_the_imported_package_is_this_checkouts_engine_folder():
    # `pip install .` would test a copy in site-packages, not the code in this checkout.
    assert Path(lii_check.__file__).resolve().parent == REPO / "engine"


def test_ci_runs_exactly_the_readmes_test_command():
    ci = (REPO / ".ci" / "run").read_text("utf-8")
    commands = [block.strip() for block in _code_blocks("sh")[:2]]
    assert commands[0] == "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/lii-check fixtures/"
    assert commands[1] in ci.splitlines()
    assert "pip install -e '.[test]'" in commands[1]


def test_the_readmes_examples_say_how_to_reach_lii_check():
    bare = [line for block in _code_blocks("sh")[2:] for line in block.splitlines() if line.startswith("lii-check")]
    assert bare  # the examples use plain `lii-check` ...
    before = README[:README.index("## Checking reports")]
    assert ". .venv/bin/activate" in before  # ... so the set-up says how to put it on PATH


def test_the_readmes_first_command_runs_as_written():
    # The venv running these tests is the README's .venv in CI; its lii-check is the console script.
    script = Path(sys.executable).parent / "lii-check"
    if not script.exists():
        pytest.skip(f"no lii-check console script next to {sys.executable}")
    done = subprocess.run([str(script), "fixtures/"], cwd=REPO, capture_output=True, text=True, timeout=600,
                          env=env())
    assert done.returncode == 1  # "exits with code 1 on purpose": the two relabelled seeds
    assert "seed000_relabelled_2.txt" in done.stdout and "seed002_relabelled_1.txt" in done.stdout


def _matches(sample, actual, where="") -> None:
    """The README's sample against real output; "…" in the sample stands for text left out."""
    if isinstance(sample, str) and sample.endswith("…"):
        assert isinstance(actual, str) and actual.startswith(sample[:-1].rstrip()), where
    elif isinstance(sample, list) and sample and sample[-1] == "…":  # these items first, maybe more
        assert isinstance(actual, list) and len(actual) >= len(sample) - 1, where
        for i, (s, a) in enumerate(zip(sample[:-1], actual)):
            _matches(s, a, f"{where}[{i}]")
    elif isinstance(sample, dict):
        assert isinstance(actual, dict) and list(sample) == list(actual), f"{where}: keys {list(sample)} != {list(actual)}"
        for key in sample:
            _matches(sample[key], actual[key], f"{where}.{key}")
    elif isinstance(sample, list):
        assert isinstance(actual, list) and len(sample) == len(actual), where
        for i, (s, a) in enumerate(zip(sample, actual)):
            _matches(s, a, f"{where}[{i}]")
    else:
        assert sample == actual, f"{where}: README says {sample!r}, lii-check prints {actual!r}"


def test_the_readmes_json_sample_is_what_lii_check_prints():
    (sample_text,) = _code_blocks("json")
    sample = json.loads(sample_text)
    done = real("--format", "json", "fixtures/shifted/seed002_relabelled_1.txt", cwd=REPO)
    actual = json.loads(done.stdout)
    assert actual["engine"] in ("durable", "pure")
    actual["engine"] = sample["engine"]  # which engine ran depends on the machine
    _matches(sample, actual)


def test_the_readmes_table_sample_heading_and_figures_are_what_lii_check_prints():
    (sample,) = [b for b in _code_blocks("") if "INCONSISTENT" in b]
    done = real("--engine", "pure", "fixtures/shifted/seed002_relabelled_1.txt", cwd=REPO)
    assert sample.splitlines()[0] == done.stdout.splitlines()[0]
    # The sample's columns are narrower than the real table's, but every figure in it must be real.
    for figure in re.findall(r"\d+\.\d+", sample):
        assert figure in done.stdout, figure


def test_the_readmes_benchmark_command_names_what_exists():
    (command,) = re.findall(r"`python (bench/\S+)((?: --[a-z-]+ \S+)*)`", README)[:1] or [(None, None)]
    assert command, "the README names no benchmark command"
    script, flags = command
    assert (REPO / script).is_file()
    source = (REPO / script).read_text("utf-8")
    for flag in re.findall(r"--[a-z-]+", flags):
        assert f'"{flag}"' in source, f"{script} has no {flag} option"


def test_the_pre_commit_hooks_are_valid():
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
    pyproject = (REPO / "pyproject.toml").read_text("utf-8")
    by_id = {h["id"]: h for h in hooks}
    assert len(by_id) == len(hooks)
    for hook in hooks:
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["language"] == "python"
        assert re.search(rf'^{re.escape(shlex.split(hook["entry"])[0])} = "lii_check\.cli:run"$', pyproject, re.M)
    pattern = re.compile(by_id["lii-check"]["files"])
    assert pattern.search("reports/north.txt") and pattern.search("reports/south.md")
    assert not pattern.search("rules/co-production.yaml") and not pattern.search("notes.txt.orig")
    rules_pattern = re.compile(by_id["lii-check-rules"]["files"])
    assert rules_pattern.search("rules/co-production.yaml") and not rules_pattern.search("reports/north.txt")


def test_the_pre_commit_hook_entries_run(tmp_path):
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))}
    check = shlex.split(hooks["lii-check"]["entry"])[1:]
    done = real(*check, "--engine", "pure", SEEDS / "000_69a4ab76882569fd.txt", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    validate = shlex.split(hooks["lii-check-rules"]["entry"])[1:]
    assert real(*validate, cwd=tmp_path).returncode == 0


def test_the_readmes_pre_commit_snippet_names_a_hook_and_a_revision_that_exists():
    (snippet,) = [b for b in _code_blocks("yaml") if "hooks:" in b and "rev:" in b]
    (repo,) = yaml.safe_load(snippet)
    hook_ids = {h["id"] for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))}
    assert {h["id"] for h in repo["hooks"]} <= hook_ids
    rev = str(repo["rev"])
    if re.fullmatch(r"v?\d+(\.\d+)*", rev):  # a release tag: it must have been made
        tags = subprocess.run(["git", "tag", "--list", rev], cwd=REPO, capture_output=True, text=True).stdout.split()
        assert rev in tags, f"the README pins rev {rev}, but no such tag exists"
    else:
        assert rev == "main" or re.fullmatch(r"[0-9a-f]{40}", rev), rev


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_an_output_that_fails_as_it_is_written_is_named_as_it_was_asked_for(tmp_path, in_process):
    # The message named no output ("cannot write an output"), or the temporary file being written.
    reports = corpus_of(tmp_path, "reports", SEEDS / "000_69a4ab76882569fd.txt")
    done = in_process("--engine", "pure", "--output", "json=/dev/full", "reports", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.endswith("lii-check: cannot write --output json=/dev/full: No space left on device; no output "
                                "file was left half-written\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"] and reports.exists()
