"""Choosing the inference engine: durable_rules where it works, the pure evaluator elsewhere.

durable_rules runs in ONE long-lived child process per run: its C core has crashed and hung on inputs
seen on this machine, and a segfault must never take a CI run down without a word. The child loads the
ruleset once and then answers batch after batch over a pipe, so a streaming run pays its start-up once.
If the child fails, the pure evaluator (which tests prove gives identical findings) takes over and says
so once.

The child runs `python -I <installed inference_durable.py>`: isolated mode puts neither the working
directory nor PYTHONPATH on its import path, so a reports repository holding a `lii_check/` folder or a
`json.py` cannot run its code in it (the file itself imports only the standard library and durable).
"""
from __future__ import annotations

import contextlib
import json
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from .evaluator import PureEngine
from .inference_durable import InferenceError, check_inputs, project

from .names import ENGINES
Pairs = list[list[tuple[str, int]]]
_CHILD = Path(__file__).resolve().with_name("inference_durable.py")
_START_TIMEOUT = 60.0
_said: set[str] = set()


class EngineUnavailable(Exception):
    pass


def _note_once(message: str) -> None:
    if message not in _said:
        _said.add(message)
        print(f"lii-check: {message}", file=sys.stderr)


def child_command() -> list[str]:
    """How the durable child is started: isolated, from this installation's own file."""
    return [sys.executable, "-I", str(_CHILD)]


class DurableChild:
    """The durable_rules child: started with a ruleset, then asked batch after batch, in order.
    Every failure (crash, hang, refusal, garbage) raises EngineUnavailable with a plain reason; after one,
    the child is gone."""

    def __init__(self, ruleset: dict) -> None:
        try:
            _, self._kinds = check_inputs(ruleset, [])
        except InferenceError as exc:
            raise EngineUnavailable(str(exc)) from None
        self._stderr = tempfile.TemporaryFile()
        try:
            self._proc = subprocess.Popen(child_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          stderr=self._stderr)
        except OSError as exc:
            self._stderr.close()
            raise EngineUnavailable(f"could not start durable_rules: {exc}") from None
        # Threads on both pipes: a busy or hung child can then never block the caller, only time out.
        self._lines: queue.Queue[bytes | None] = queue.Queue()
        self._outbox: queue.Queue[bytes | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._write, daemon=True).start()
        self._pending: list[int] = []  # batches in each request not yet answered; -1: a ruleset
        self._send({"ruleset": ruleset}, -1)  # built while the caller reads its first reports

    def load(self, ruleset: dict) -> None:
        """Replace the ruleset (the differential test runs many through one child)."""
        try:
            _, self._kinds = check_inputs(ruleset, [])
        except InferenceError as exc:
            raise EngineUnavailable(str(exc)) from None
        self._send({"ruleset": ruleset}, -1)

    def _read(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def _write(self) -> None:
        assert self._proc.stdin is not None
        while (data := self._outbox.get()) is not None:
            try:
                self._proc.stdin.write(data)
                self._proc.stdin.flush()
            except (OSError, ValueError):
                return  # the child died or was closed: the reply side says how
        with contextlib.suppress(OSError, ValueError):
            self._proc.stdin.close()  # the child ends at end of input

    def _send(self, message: dict, batches: int) -> None:
        self._outbox.put(json.dumps(message).encode() + b"\n")
        self._pending.append(batches)

    def _reply(self, timeout: float) -> dict:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            self.close(kill=True)
            raise EngineUnavailable(f"durable_rules did not answer within {timeout:g} s") from None
        if line is None:
            code = self._proc.wait()
            self._stderr.seek(0)
            last = (self._stderr.read().decode(errors="replace").strip().splitlines() or ["no message"])[-1]
            how = f"signal {-code}" if code < 0 else f"exit code {code}"
            self.close()
            raise EngineUnavailable(f"durable_rules crashed ({how}: {last})")
        try:
            reply = json.loads(line)
        except json.JSONDecodeError:
            self.close()
            raise EngineUnavailable("durable_rules returned something that is not JSON") from None
        if not isinstance(reply, dict) or not reply.get("ok"):
            self.close()
            raise EngineUnavailable(str(reply.get("reason", "durable_rules failed")) if isinstance(reply, dict)
                                    else "durable_rules failed")
        return reply

    def submit(self, batches: list[list[dict]]) -> None:
        """Send batches; the child works on them while the caller goes on. collect() answers in order."""
        self._send({"batches": project(batches, self._kinds)}, len(batches))  # only what the rules test

    def collect(self) -> Pairs:
        """The answer to the oldest submit() not yet collected."""
        while self._pending and self._pending[0] < 0:
            self._pending.pop(0)
            self._reply(_START_TIMEOUT)  # a ruleset loaded
        count = self._pending.pop(0)
        results = self._reply(60 + 0.05 * count).get("results")
        if not isinstance(results, list) or len(results) != count:
            self.close()
            raise EngineUnavailable("durable_rules answered with the wrong number of results")
        return [[(str(name), int(fid)) for name, fid in batch] for batch in results]

    def fire(self, batches: list[list[dict]]) -> Pairs:
        self.submit(batches)
        return self.collect()

    def close(self, kill: bool = False) -> None:
        if kill and self._proc.poll() is None:
            self._proc.kill()  # hung: no point asking it to finish
        self._outbox.put(None)
        if self._proc.poll() is None:
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        with contextlib.suppress(Exception):
            self._proc.stdout.close()  # type: ignore[union-attr]
        self._stderr.close()


class Pending:
    """The answer to Engine.submit: result() waits for it (answers come back in submission order)."""

    def __init__(self, engine: "Engine", batches: list[list[dict]]) -> None:
        self._engine, self.batches = engine, batches
        self._result: Pairs | None = None

    def result(self) -> Pairs:
        while self._result is None:
            self._engine._collect_oldest()
        return self._result


class Engine:
    """What open_engine yields. fire(batches) -> one sorted list of (rule, fid) pairs per batch; submit(batches)
    -> Pending, whose result() is the same list, so the caller can read the next chunk of reports while the
    child works. name is "durable" or "pure": the engine every batch so far was fired with ("pure" once a
    fallback happened)."""

    def __init__(self, ruleset: dict, engine: str) -> None:
        if engine not in ENGINES:
            raise ValueError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
        self._ruleset, self._mode = ruleset, engine
        self._pure: PureEngine | None = None
        self._child: DurableChild | None = None
        self._waiting: list[Pending] = []
        self.name = "pure"
        if engine != "pure":
            try:
                self._child = DurableChild(ruleset)
                self.name = "durable"
            except EngineUnavailable as exc:
                self._fall_back(exc)

    def _fall_back(self, exc: EngineUnavailable) -> None:
        if self._mode == "durable":
            raise exc
        self._child = None
        self.name = "pure"
        _note_once(f"{exc}; using the built-in evaluator instead, which gives the same findings.")

    def _run_pure(self, batches: list[list[dict]]) -> Pairs:
        if self._pure is None:
            self._pure = PureEngine(self._ruleset)
        return self._pure.run(batches)

    def submit(self, batches: list[list[dict]]) -> Pending:
        pending = Pending(self, batches)
        if self._child is None:
            pending._result = self._run_pure(batches)
        else:
            self._child.submit(batches)
            self._waiting.append(pending)
        return pending

    def _collect_oldest(self) -> None:
        pending = self._waiting[0]
        try:
            if self._child is None:
                raise EngineUnavailable("the engine was closed before its answers were collected")
            pending._result = self._child.collect()
            self._waiting.pop(0)
        except EngineUnavailable as exc:
            self._fall_back(exc)  # raises for engine "durable"
            for waiting in self._waiting:  # everything the child had not answered
                waiting._result = self._run_pure(waiting.batches)
            self._waiting = []

    def fire(self, batches: list[list[dict]]) -> Pairs:
        return self.submit(batches).result()

    def close(self) -> None:
        if self._child is not None:
            self._child.close()
            self._child = None


@contextlib.contextmanager
def open_engine(ruleset: dict[str, dict], engine: str = "auto") -> Iterator[Engine]:
    """One engine for a whole run: `with open_engine(ruleset) as eng: pairs = eng.fire(batches)`.
    engine "auto": durable_rules, falling back to the pure evaluator (said once on stderr) if its child
    crashes, hangs or cannot start; "durable": the same, but a failure raises EngineUnavailable;
    "pure": the pure evaluator only."""
    eng = Engine(ruleset, engine)
    try:
        yield eng
    finally:
        eng.close()
