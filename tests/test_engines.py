"""durable_rules and the pure evaluator must give identical findings on every fixture."""
import dataclasses
from pathlib import Path

import pytest

from lii_check.calibrate import shifted
from lii_check.check import check_reports, discover
from lii_check.inference import EngineUnavailable, open_engine
from lii_check.parser import read_report

REPO = Path(__file__).resolve().parents[1]


def _reports():
    files = discover([str(REPO / "fixtures")])
    reports = [read_report(f.path, f.display) for f in files]
    # Shifted copies make every rule family fire somewhere, so agreement is tested on findings, not silence.
    return reports + [shifted(r, b) for r in reports[:8] for b in (1, 2, 3, 4) if b != r.awarded_score]


def _findings(results):
    return [(r.path, r.verdict, [dataclasses.astuple(f) for f in r.findings]) for r in results]


def test_durable_and_pure_agree_on_every_fixture(compiled):
    pytest.importorskip("durable")
    reports = _reports()
    durable, used = check_reports(reports, compiled, "durable")
    pure, _ = check_reports(reports, compiled, "pure")
    assert used == "durable"
    assert _findings(durable) == _findings(pure)
    fired = {f.rule for r in pure for f in r.findings}
    assert {"consistency.score-above-evidence", "consistency.score-below-evidence"} <= fired


def test_engine_crash_is_reported_not_fatal(monkeypatch):
    # A child that dies by a signal stands in for a segfault of the C core.
    import sys

    from lii_check import inference

    monkeypatch.setattr(inference, "child_command",
                        lambda: [sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"])
    with pytest.raises(EngineUnavailable, match="crashed"):
        with open_engine({"r": {"all": [{"m": {"kind": "x"}}]}}, "durable") as eng:  # --engine durable: no fallback
            eng.fire([[{"fid": 0, "kind": "x"}]])


_CACHE: dict = {}


def _batches(rulebook):
    """The compiled bundled ruleset and the facts of every fixture (and shifted copy), computed once."""
    if not _CACHE:
        from lii_check.check import analyse
        from lii_check.compiler import compile_rulebook, report_facts

        _CACHE["ruleset"] = compile_rulebook(rulebook).ruleset
        from lii_check.compiled import compile_rulebook_once

        reader = compile_rulebook_once(rulebook)
        _CACHE["batches"] = [report_facts(r, analyse(r, reader), rulebook) for r in _reports()]
    return _CACHE["ruleset"], _CACHE["batches"]


def test_one_child_answers_chunk_after_chunk(rulebook):
    pytest.importorskip("durable")
    from lii_check.evaluator import run_pure
    from lii_check.inference import open_engine

    ruleset, batches = _batches(rulebook)
    expected = run_pure(ruleset, batches)
    assert sum(map(len, expected)) > 20  # findings, not silence
    with open_engine(ruleset, "durable") as eng:
        got = [pairs for i in range(0, len(batches), 7) for pairs in eng.fire(batches[i:i + 7])]
        assert eng.fire([]) == [] and eng.fire([[]]) == [[]]
        assert eng.name == "durable"
    assert got == expected
    assert all(pairs == sorted(set(pairs)) for pairs in got)


def test_submitted_chunks_come_back_in_order(rulebook, monkeypatch, capsys):
    pytest.importorskip("durable")
    from lii_check.evaluator import run_pure
    from lii_check.inference import open_engine

    ruleset, batches = _batches(rulebook)
    chunks = [batches[i:i + 9] for i in range(0, len(batches), 9)]
    expected = [run_pure(ruleset, c) for c in chunks]
    with open_engine(ruleset, "durable") as eng:
        pending = [eng.submit(c) for c in chunks]  # all in flight at once
        assert [p.result() for p in reversed(pending)] == expected[::-1]
        assert eng.name == "durable"
    # A child that dies with chunks in flight: auto answers them all with the pure evaluator.
    inference = _sabotaged(monkeypatch, CRASH_ON_FIRST_BATCH)
    with inference.open_engine(ruleset, "auto") as eng:
        pending = [eng.submit(c) for c in chunks]
        assert [p.result() for p in pending] == expected and eng.name == "pure"
    assert capsys.readouterr().err.count("crashed") == 1


def _sabotaged(monkeypatch, code, timeout=1.0):
    import sys

    from lii_check import inference
    monkeypatch.setattr(inference, "child_command", lambda: [sys.executable, "-c", code])
    monkeypatch.setattr(inference, "_START_TIMEOUT", timeout)
    monkeypatch.setattr(inference, "_said", set())
    return inference


CRASH_ON_FIRST_BATCH = ("import sys, os, signal\nsys.stdout.write(sys.stdin.readline() and '{\"ok\": true}\\n'); "
                        "sys.stdout.flush()\nsys.stdin.readline(); os.kill(os.getpid(), signal.SIGSEGV)")


@pytest.mark.parametrize("code, reason", [
    (CRASH_ON_FIRST_BATCH, "durable_rules crashed (signal 11"),
    ("import time; time.sleep(30)", "durable_rules did not answer within 0.3 s"),  # waited twice: kept short
    ("print('not json')", "durable_rules returned something that is not JSON"),
    ("import sys; sys.stdin.readline(); print('{\"ok\": false, \"reason\": \"durable_rules does not import on Python 3.99\"}')",
     "durable_rules does not import on Python 3.99"),
])
def test_auto_falls_back_once_and_durable_fails(monkeypatch, capsys, rulebook, code, reason):
    ruleset, batches = _batches(rulebook)
    from lii_check.evaluator import run_pure
    inference = _sabotaged(monkeypatch, code, 0.3 if "sleep" in code else 1.0)
    with inference.open_engine(ruleset, "auto") as eng:
        first, second = eng.fire(batches[:5]), eng.fire(batches[5:])
        assert eng.name == "pure"
    assert first + second == run_pure(ruleset, batches)
    err = capsys.readouterr().err
    assert err.count("lii-check: ") == 1 and reason in err and "using the built-in evaluator instead" in err
    with pytest.raises(EngineUnavailable, match=reason.replace("(", r"\(")):
        with inference.open_engine(ruleset, "durable") as eng:
            eng.fire(batches[:5])


def test_an_unknown_engine_is_refused(rulebook):
    ruleset, _ = _batches(rulebook)
    with pytest.raises(ValueError, match="unknown engine 'fast'"):
        with open_engine(ruleset, "fast"):
            pass
