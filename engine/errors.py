"""Failures the command line reports in plain words rather than as a bug to report (exit 3 all the same).

Kept apart from the modules that raise them so that the command line can name them without importing the
engine (its start-up time is measured)."""
from __future__ import annotations


class WorkerLost(RuntimeError):
    """A worker process of a parallel check died (killed, perhaps for lack of memory): the reports it held would
    never be read."""
