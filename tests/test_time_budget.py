"""Each report has a time budget (`--timeout`): a report that takes longer is listed as unreadable with
the reason, and the run goes on (issue 8). What discovery left out is said in the summary."""
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from lii_check.cli import main

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "fixtures" / "seeds" / "001_be58087aa61b4f94.txt"


def test_a_report_over_its_time_budget_is_unreadable_and_the_run_goes_on(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / "a_good.txt")
    words = "Staff told us supervision was regular and training was embedded across all teams and "
    (corpus / "b_huge.md").write_text("Score: 3\n\n" + words * (3_000_000 // len(words)) + "\n", "utf-8")
    done = CliRunner().invoke(main, ["--engine", "pure", "--jobs", "1", "--timeout", "0.2", "--max-bytes", "10000000",
                                     "--format", "json", "corpus"])
    doc = json.loads(done.stdout)
    by_path = {r["path"]: r for r in doc["reports"]}
    huge, good = by_path["corpus/b_huge.md"], by_path["corpus/a_good.txt"]
    assert huge["verdict"] == "unreadable" and "time budget of 0.2 s" in huge["error"]["message"]
    assert good["verdict"] == "consistent" and good["evidence_score"] == 3
    assert done.exit_code == 1  # an unreadable report always fails the run


def test_the_summary_says_what_was_not_searched(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    corpus = tmp_path / "corpus"
    (corpus / ".drafts").mkdir(parents=True)
    shutil.copy(SEED, corpus / "a.txt")
    shutil.copy(SEED, corpus / ".drafts" / "b.txt")
    (corpus / "README.md").write_text("# Our reports\n", "utf-8")
    done = CliRunner().invoke(main, ["--engine", "pure", "--format", "json", "corpus"])
    summary = json.loads(done.stdout)["summary"]
    assert summary["reports"] == 1
    notes = " ".join(summary["not_searched"])
    assert "1 hidden folder" in notes and "left out by exclude patterns" in notes
    table = CliRunner().invoke(main, ["--engine", "pure", "corpus"], env={"COLUMNS": "100"})
    assert "Not searched: 1 hidden folder(s) not searched." in table.stdout


def test_an_alarm_swallowed_by_the_work_fires_again_until_it_stops_it():
    # A garbage-collector callback or a __del__ that swallows the budget's exception must not let the work
    # run on unbounded: the alarm fires again and the next exception stops it.
    import time

    from lii_check.check import _OverBudget, _with_budget

    seen = {"swallowed": 0, "steps": 0}

    def work():
        for _ in range(500):  # 5 s of 10 ms steps if nothing stopped it
            seen["steps"] += 1
            try:
                time.sleep(0.01)
            except _OverBudget:
                if seen["swallowed"]:
                    raise
                seen["swallowed"] += 1  # the first one is lost, as in a gc callback
        return "ran to the end"

    with pytest.raises(_OverBudget):
        _with_budget(0.05, work)
    assert seen["swallowed"] == 1 and seen["steps"] < 250  # stopped by the second alarm, not by the loop's end


def test_an_alarm_landing_as_the_timer_is_disarmed_leaves_no_timer_or_handler_behind(monkeypatch):
    # The budget runs out just as the work ends: the alarm lands while the timer is being disarmed. The call must
    # still end with the timer off and the previous SIGALRM handler back, so nothing fires into what runs next.
    import signal

    from lii_check.check import _OverBudget, _with_budget

    real, landed = signal.setitimer, []

    def setitimer(which, seconds, *rest):
        if seconds == 0 and not landed:
            landed.append(True)
            signal.getsignal(signal.SIGALRM)(signal.SIGALRM, None)  # the alarm, delivered right now
        return real(which, seconds, *rest)

    monkeypatch.setattr(signal, "setitimer", setitimer)
    before = signal.getsignal(signal.SIGALRM)
    try:
        assert _with_budget(5, lambda: "done") == "done"  # the work finished: its result stands
    except _OverBudget:
        pass  # or over budget: either is honest, a stray timer is not
    assert landed and real(signal.ITIMER_REAL, 0) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is before
