"""The per-report time budget holds even when its alarm lands where Python swallows exceptions.

The budget (check._with_budget) raises from a SIGALRM handler. If the signal arrives while a garbage-
collector callback runs (hypothesis installs one; so may any library), Python prints "Exception ignored"
and the report is read to the end: it must still be called over budget, not pass as read in time."""
from __future__ import annotations

import gc
import time

import pytest

from lii_check.check import _OverBudget, _with_budget


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the swallowed one, on purpose
def test_an_alarm_swallowed_by_a_gc_callback_still_ends_the_budget():
    def slow_callback(phase, _info):
        if phase == "start":
            time.sleep(0.02)  # the alarm fires in here, where its exception is swallowed

    def allocating_work():
        end = time.perf_counter() + 0.3
        while time.perf_counter() < end:
            [[] for _ in range(2000)]  # keeps the collector (and so the callback) running
        return "read"

    gc.callbacks.append(slow_callback)
    try:
        with pytest.raises(_OverBudget):
            _with_budget(0.05, allocating_work)
    finally:
        gc.callbacks.remove(slow_callback)


def test_work_within_its_budget_returns_its_result():
    assert _with_budget(5.0, lambda: "read") == "read"
