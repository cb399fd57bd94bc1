"""Running a compiled ruleset through durable_rules 2.0.28 (its last release), guarded against its hazards.

Each guard is for a failure of 2.0.28's C core seen on this machine; (1)..(8) number the hazards.
durable is imported lazily, so this module imports even where durable_rules does not (Python 3.13+).
"""
from __future__ import annotations

import contextlib
import json
import math
import sys
import threading
from typing import Any


class InferenceError(Exception):
    """Anything that went wrong inside durable_rules (or would have crashed it), as a plain message."""


_COMPARE = frozenset({"$lt", "$lte", "$gt", "$gte", "$neq"})
_MAX_STR = 64 * 1024      # (6) the core segfaults on strings over 16 MB; nothing real comes near 64 KiB
_MAX_KEY = 256            # field names are short; a cap keeps messages and the core sane
MAX_FACT_FIELDS = 250     # (6) the core segfaults at 255 properties, counting the "id" and "sid" we add
_MAX_DEPTH = 32           # nesting of $and/$or
_MAX_PATHS = 64           # $or branches become separate paths in the core's network: cap one rule's fan-out
_CHUNK_RULES = 48         # one shared network node fails with >64 $or rules, segfaults with >255 plain
_CHUNK_PATHS = 64         # rules and hangs with 512 branches: so rules go into several small rulesets
_SENTINEL = "__every_fact__"  # (7) see DurableSession.open
_RESERVED = ("sid", "id")  # durable's session id and fact identity: we set both ourselves
_LOCK = threading.Lock()   # the core's handle tables are process-global
_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"


def _one_line(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}".rstrip(": ")


def _encode(fact: dict, sid: str) -> str:
    """A fact as JSON for the core: floats written out in full (it segfaults on 1e-05 or 1e+16), no ASCII
    escapes (it compares raw bytes), our sid, and its fid as durable's fact identity "id"."""
    full = {**fact, "sid": sid, "id": str(fact["fid"])}
    if not any(type(v) is float and "e" in repr(v) for v in fact.values()):
        return json.dumps(full, ensure_ascii=False)  # one C-level call: the common case, by far

    import decimal  # rare: only here

    def js(v: Any) -> str:
        text = json.dumps(v, ensure_ascii=False)
        return format(decimal.Decimal(text), "f") if isinstance(v, float) and "e" in text else text
    return "{" + ",".join(f"{js(k)}:{js(v)}" for k, v in full.items()) + "}"


def _kind(value: Any) -> str:
    return "text" if isinstance(value, str) else "number"


def _check_field(key: Any, value: Any, where: str, in_rule: bool = False) -> None:
    if not isinstance(key, str) or not key or len(key) > _MAX_KEY or key.startswith("$") or key in _RESERVED:
        raise InferenceError(f"{where}: field name {key!r:.60} must be a string of 1 to {_MAX_KEY} characters, "
                             "not starting with '$' and not 'id' or 'sid' (reserved by durable_rules)")
    # (6) no nested dicts or lists (and no None). (8) No bools: the core compares true/false with numbers and
    # text in ways no rule means; the compiler writes flags as 0 and 1.
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InferenceError(f"{where}: field {key!r} holds a {type(value).__name__}; only int, float, str")
    if (isinstance(value, float) and not math.isfinite(value)) or (isinstance(value, str) and len(value) > _MAX_STR) \
            or (type(value) is int and not -2**63 <= value < 2**63):  # (6) NaN, infinities, huge strings crash the core
        raise InferenceError(f"{where}: field {key!r} holds {str(value)[:40]!r}: not a finite number, or too large")
    if in_rule and isinstance(value, float) and "e" in repr(value):  # durable writes rules itself, with exponents
        raise InferenceError(f"{where}: durable_rules cannot read the number {value!r}; write it without an exponent")


def _paths(expr: Any, where: str, kinds: dict[str, set[str]], depth: int = 0) -> int:
    """Validate one condition expression; return how many alternative paths it expands to."""
    if depth > _MAX_DEPTH or not isinstance(expr, dict) or len(expr) != 1:
        raise InferenceError(f"{where}: not a one-key condition object (nested <= {_MAX_DEPTH} deep): {expr!r:.60}")
    (key, value), = expr.items()
    if key in ("$and", "$or"):
        if not isinstance(value, list) or not value:  # (6) an empty $and/$or list hangs the core
            raise InferenceError(f"{where}: '{key}' needs a non-empty list of conditions")
        counts = [_paths(v, where, kinds, depth + 1) for v in value]
        total = math.prod(counts) if key == "$and" else sum(counts)
        if total > _MAX_PATHS:
            raise InferenceError(f"{where}: the condition expands to {total} alternatives (at most {_MAX_PATHS})")
        return total
    if key in _COMPARE:
        if not isinstance(value, dict) or len(value) != 1:
            raise InferenceError(f"{where}: '{key}' needs an object with exactly one field")
        (key, value), = value.items()
    _check_field(key, value, where, in_rule=True)
    kinds.setdefault(key, set()).add(_kind(value))
    return 1


def _check_ruleset(ruleset: dict) -> tuple[dict[str, int], dict[str, str]]:
    """Validate a ruleset; return each rule's number of paths and the kind (number or text) of each field
    the rules test."""
    paths: dict[str, int] = {}
    kinds: dict[str, set[str]] = {}
    for name, rule in ruleset.items():
        conds = rule.get("all", rule.get("any")) if isinstance(rule, dict) and len(rule) == 1 else None
        if not (isinstance(name, str) and name and isinstance(conds, list) and len(conds) == 1
                and isinstance(conds[0], dict) and list(conds[0]) == ["m"]):
            raise InferenceError(f"rule {name!r} must be named by a non-empty string and be {{'all': [{{'m': condition}}]}}")
        if name == _SENTINEL:
            raise InferenceError(f"rule name {_SENTINEL!r} is reserved")
        paths[name] = _paths(conds[0]["m"], f"rule {name!r}", kinds)
    mixed = sorted(field for field, k in kinds.items() if len(k) > 1)
    if mixed:  # (8) see _check_batch
        raise InferenceError(f"the rules compare the field {mixed[0]!r} both with text and with numbers")
    return paths, {field: k.pop() for field, k in sorted(kinds.items())}


def _check_batch(batch: list, b: int, kinds: dict[str, str]) -> None:
    """Structure on the whole fact; values on the fields that reach an engine (see project)."""
    seen: set[int] = set()
    for i, fact in enumerate(batch):
        if not isinstance(fact, dict) or not 0 < len(fact) <= MAX_FACT_FIELDS:  # (6) both segfault the core
            raise InferenceError(f"batch {b}, fact {i}: a fact must be a dict of 1 to {MAX_FACT_FIELDS} fields")
        fid = fact.get("fid")
        if type(fid) is not int or fid in seen or "kind" not in fact:
            raise InferenceError(f"batch {b}, fact {i}: every fact needs 'kind' and an int 'fid' unique in its batch")
        seen.add(fid)
        if any(key in fact for key in _RESERVED):
            raise InferenceError(f"batch {b}, fact {i}: 'id' and 'sid' are reserved by durable_rules")
        for key in ("fid", "kind", *kinds):
            if key not in fact:
                continue
            value = fact[key]
            t = type(value)  # exact types: a bool (an int subclass) or any other subclass goes the slow way
            if not ((t is int and -2**63 <= value < 2**63) or (t is float and math.isfinite(value))
                    or (t is str and len(value) <= _MAX_STR)):
                _check_field(key, value, f"batch {b}, fact {i}")
            # (8) Text against a number is compared by the core byte-wise against the number's digits ('' equals
            # every number, '1' equals 1.5): no rule means that, so neither engine is asked to decide it.
            wanted = kinds.get(key)
            if wanted is not None and wanted != ("text" if t is str else "number"):
                raise InferenceError(f"batch {b}, fact {i}: field {key!r} holds {_kind(value)}, but the rules "
                                     f"compare it with {wanted}")


def project(batches: list[list[dict]], kinds: dict[str, str]) -> list[list[dict]]:
    """The batches with only the fields some rule tests (and fid, kind): what the core parses, and hands back
    in every action, grows with a fact's width, and a test on an absent field is false whichever way."""
    keep = ("fid", "kind", *kinds)
    return [[{k: fact[k] for k in keep if k in fact} for fact in batch] for batch in batches]


def check_inputs(ruleset: Any, batches: Any) -> tuple[dict[str, int], dict[str, str]]:
    """Everything either engine refuses, checked the same way for both: (paths, field kinds)."""
    if not isinstance(ruleset, dict) or not isinstance(batches, list) or not all(isinstance(x, list) for x in batches):
        raise InferenceError("the ruleset must be a dict of rule name -> rule, and batches a list of lists of facts")
    paths, kinds = _check_ruleset(ruleset)
    check_batches(batches, kinds)
    return paths, kinds


def check_batches(batches: Any, kinds: dict[str, str]) -> None:
    if not isinstance(batches, list) or not all(isinstance(x, list) for x in batches):
        raise InferenceError("batches must be a list of lists of facts")
    for b, batch in enumerate(batches):
        _check_batch(batch, b, kinds)


def _chunks(paths: dict[str, int]) -> list[list[str]]:
    chunks, load = [[]], 0  # rules are independent, so spreading them over rulesets changes nothing
    for name, n in paths.items():
        if chunks[-1] and (len(chunks[-1]) >= _CHUNK_RULES or load + n > _CHUNK_PATHS):
            chunks, load = chunks + [[]], 0
        chunks[-1].append(name)
        load += n
    return chunks


def _fired_pair(rule_name: str, message: dict) -> tuple[str, int]:
    return rule_name, message["m"]["fid"]  # message["m"] is the fact that matched condition "m"


class DurableSession:
    """One compiled ruleset loaded into durable_rules' core once, then run over any number of batches.

    Building the core's networks is most of what a small run costs, so a long-lived child keeps one
    session for the whole run. The process-global lock is held from open to close."""

    def __init__(self, ruleset: dict[str, dict]):
        if not isinstance(ruleset, dict):
            raise InferenceError("the ruleset must be a dict of rule name -> rule")
        self._paths, self._kinds = _check_ruleset(ruleset)  # (6) everything is validated before the C core sees it
        self._ruleset = ruleset
        self._rulesets: list[Any] = []
        self._core: Any = None
        self._next_sid = 0
        self._fired: set[tuple[str, int]] = set()  # (5) a set: $or/any rules can fire twice for one fact
        self._locked = False

    def open(self) -> None:
        """Build the core's networks (run does it on first use): where durable fails, fail early."""
        if self._locked:
            return
        try:  # imported here, not at module level: durable_rules does not import on Python 3.13+
            import durable_rules_engine as core
            from durable import engine
        except Exception as exc:
            raise InferenceError(f"durable_rules does not import on Python {_PYTHON} ({_one_line(exc)})") from exc
        self._core = core

        class _Host(engine.Host):
            def _run(self) -> None:
                """(1) Not the stock two Timer-thread loops: nothing runs but what _run_batch calls."""

            def get_action(self, action_name: str) -> Any:
                return lambda c: None  # never called: _run_batch takes the actions from the core itself

        host = _Host()  # a fresh Host: rule names must be unique per Host
        _LOCK.acquire()
        self._locked = True
        try:
            for n, chunk in enumerate(_chunks(self._paths)):  # actions bound by name, on copies: durable deletes "run"
                definition = {name: dict(self._ruleset[name], run=name) for name in chunk}
                # (7) delete_state segfaults on a session the core never created, which happens when no fact
                # of a batch matches any rule of a ruleset: a rule that matches every fact guarantees the session.
                definition[_SENTINEL] = {"all": [{"m": {"$gte": {"fid": -(2**62)}}}], "run": _SENTINEL}
                host.set_rulesets({f"lii{n}": definition})
                self._rulesets.append(host.get_ruleset(f"lii{n}"))
        except Exception as exc:
            self.close()
            raise InferenceError(f"durable_rules failed: {_one_line(exc)}") from exc

    def run(self, batches: list[list[dict]]) -> list[list[tuple[str, int]]]:
        """For each batch (same order), the sorted, de-duplicated (rule_name, fid) pairs that fired."""
        check_batches(batches, self._kinds)
        if not self._paths or not any(batches):
            return [[] for _ in batches]
        self.open()
        try:
            return [self._run_batch(batch, b) for b, batch in enumerate(project(batches, self._kinds))]
        except InferenceError:
            raise
        except Exception as exc:
            raise InferenceError(f"durable_rules failed: {_one_line(exc)}") from exc

    def _run_batch(self, batch: list[dict], b: int) -> list[tuple[str, int]]:
        sid = str(self._next_sid)  # (2) one session per batch, deleted after it: ~1,024 live sessions raise MemoryError
        self._next_sid += 1
        payload = "[" + ",".join(_encode(fact, sid) for fact in batch) + "]"
        self._fired.clear()
        for rs in self._rulesets if batch else []:
            try:
                # (4) the whole batch in ONE assert_facts call, on the core directly: when a fact matches no
                # rule (code 1), Host.assert_facts raises and never runs the actions other facts triggered.
                code, state = self._core.assert_facts(rs._handle, payload)
                if code not in (0, 1, 2):
                    raise InferenceError(f"durable_rules deferred batch {b} (code {code})")
                self._take_actions(rs._handle, state)
            finally:
                with contextlib.suppress(Exception):  # the original error is the one worth reporting
                    rs.delete_state(sid)
        return sorted(self._fired)

    def _take_actions(self, handle: int, state: int) -> None:
        """What durable's Ruleset.do_actions does, minus its Closure objects and JSON round trips per action
        (most of a run's cost): each pending action's message names the rule and carries the matched fact."""
        core = self._core
        result = core.start_action_for_state(handle, state)
        if not result:
            return
        state_json, message = result[0], result[1]
        while message:
            (rule_name, matched), = json.loads(message).items()
            if rule_name != _SENTINEL:
                try:
                    self._fired.add(_fired_pair(rule_name, matched))
                except Exception as exc:  # (3) would otherwise vanish into the session state
                    with contextlib.suppress(Exception):
                        core.abandon_action(handle, state)
                    raise InferenceError(f"the action for rule {rule_name!r} failed: {_one_line(exc)}") from exc
            core.update_state(handle, state_json)  # unchanged, as durable does after every action
            message = core.complete_and_start_action(handle, state)

    def close(self) -> None:
        for rs in self._rulesets:  # never freed by durable itself: ~55 KB leaked per ruleset
            with contextlib.suppress(Exception):  # and the lock must be released whatever happens
                self._core.delete_ruleset(rs._handle)
        self._rulesets = []
        if self._locked:
            self._locked = False
            _LOCK.release()

    def __enter__(self) -> "DurableSession":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def run_durable(ruleset: dict[str, dict], batches: list[list[dict]]) -> list[list[tuple[str, int]]]:
    """Run one compiled ruleset over many independent batches of facts (one batch per report).
    Returns, for each batch (same order), the sorted, de-duplicated list of (rule_name, fid) pairs that fired,
    where fid is the integer "fid" field of the fact that matched."""
    if not isinstance(ruleset, dict) or not isinstance(batches, list) or not all(isinstance(x, list) for x in batches):
        raise InferenceError("the ruleset must be a dict of rule name -> rule, and batches a list of lists of facts")
    with DurableSession(ruleset) as session:
        return session.run(batches)


def _worker() -> None:
    """The child process lii_check.inference.open_engine starts (with `python -I <this file>`, so nothing
    from the working directory or PYTHONPATH is imported): a crash of the C core kills only the child.

    Protocol, one JSON object per line each way. In: {"ruleset": {...}} (load it, replacing any other),
    then any number of {"batches": [[fact, ...], ...]}. Out, one line per line in: {"ok": true} or
    {"ok": true, "results": [[[rule, fid], ...], ...]}, or {"ok": false, "reason": "..."}."""
    session: DurableSession | None = None
    for line in sys.stdin:
        try:
            request = json.loads(line)
            if "ruleset" in request:
                if session is not None:
                    session.close()
                session = None
                session = DurableSession(request["ruleset"])
                session.open()
                out: dict = {"ok": True}
            elif session is None:
                raise InferenceError("batches came before a ruleset")
            else:
                out = {"ok": True, "results": session.run(request["batches"])}
        except InferenceError as exc:
            out = {"ok": False, "reason": str(exc)}
        except (ValueError, TypeError, KeyError) as exc:
            out = {"ok": False, "reason": f"a malformed request to the durable_rules child ({_one_line(exc)})"}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()
    if session is not None:
        session.close()


if __name__ == "__main__":
    _worker()
