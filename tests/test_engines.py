"""durable_rules and the pure evaluator must give identical findings on every fixture."""
import dataclasses
from pathlib import Path

import pytest

from lii_check.calibrate import shifted
from lii_check.check import check_reports, discover
from lii_check.inference import EngineUnavailable, run_durable_isolated
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
    import subprocess
    import sys

    real_run = subprocess.run

    def crashing(args, **kwargs):
        return real_run([sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"], **kwargs)

    monkeypatch.setattr(subprocess, "run", crashing)
    with pytest.raises(EngineUnavailable, match="crashed"):
        run_durable_isolated({"r": {"all": [{"m": {"kind": "x"}}]}}, [[{"fid": 0, "kind": "x"}]])
