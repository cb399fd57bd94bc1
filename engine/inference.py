"""Choosing the inference engine: durable_rules where it works, the pure evaluator elsewhere.

durable_rules runs in a child process: its C core has crashed and hung on inputs seen on this
machine, and a segfault must never take a CI run down without a word. If the child fails, the
pure evaluator (which tests prove gives identical findings) takes over and says so once.
"""
from __future__ import annotations

import json
import subprocess
import sys

from .evaluator import run_pure

ENGINES = ("auto", "durable", "pure")
_said: set[str] = set()


class EngineUnavailable(Exception):
    pass


def _note_once(message: str) -> None:
    if message not in _said:
        _said.add(message)
        print(f"lii-check: {message}", file=sys.stderr)


def run_durable_isolated(ruleset: dict, batches: list[list[dict]], timeout: float | None = None) -> list[list[tuple[str, int]]]:
    """run_durable in a child process; raises EngineUnavailable with a plain reason on any failure."""
    timeout = timeout or 60 + 0.05 * len(batches)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "lii_check.inference_durable"],
            input=json.dumps({"ruleset": ruleset, "batches": batches}), capture_output=True, text=True,
            timeout=timeout, check=False,
        )
    except subprocess.TimeoutExpired:
        raise EngineUnavailable(f"durable_rules did not finish within {timeout:.0f} s") from None
    except OSError as exc:
        raise EngineUnavailable(f"could not start durable_rules: {exc}") from None
    if done.returncode != 0:
        how = f"signal {-done.returncode}" if done.returncode < 0 else f"exit code {done.returncode}"
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise EngineUnavailable(f"durable_rules crashed ({how}: {last})")
    try:
        reply = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise EngineUnavailable("durable_rules returned something that is not JSON") from None
    if not reply.get("ok"):
        raise EngineUnavailable(reply.get("reason", "durable_rules failed"))
    return [[(name, fid) for name, fid in batch] for batch in reply["results"]]


def fire(ruleset: dict[str, dict], batches: list[list[dict]], engine: str = "auto") -> tuple[list[list[tuple[str, int]]], str]:
    """Run the compiled ruleset over one batch of facts per report; return (fired pairs, engine used)."""
    if engine == "pure" or not any(batches):
        return run_pure(ruleset, batches), "pure"
    try:
        return run_durable_isolated(ruleset, batches), "durable"
    except EngineUnavailable as exc:
        if engine == "durable":
            raise
        _note_once(f"{exc}; using the built-in evaluator instead, which gives the same findings.")
        return run_pure(ruleset, batches), "pure"


class _Session:
    """Temporary: one engine for a whole run (the engines branch replaces this with a long-lived child)."""

    def __init__(self, ruleset: dict, engine: str):
        self.ruleset, self.requested, self.name = ruleset, engine, "pure" if engine == "pure" else "durable"

    def fire(self, batches):
        pairs, self.name = fire(self.ruleset, batches, self.requested)
        return pairs

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def open_engine(ruleset: dict, engine: str = "auto") -> _Session:
    return _Session(ruleset, engine)
