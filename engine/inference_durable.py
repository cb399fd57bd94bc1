"""Running a compiled ruleset through durable_rules 2.0.28 (its last release), guarded against its hazards.

Each guard is for a failure of 2.0.28's C core seen on this machine; (1)..(6) number the hazards.
durable is imported lazily, so this module imports even where durable_rules does not (Python 3.13+).
"""
from __future__ import annotations

import contextlib
import decimal
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
_MAX_FACT_KEYS = 250      # (6) the core segfaults at 255 properties, counting the "id" and "sid" we add
_MAX_DEPTH = 32           # nesting of $and/$or
_MAX_PATHS = 64           # $or branches become separate paths in the core's network: cap one rule's fan-out
_CHUNK_RULES = 32         # one shared network node fails with >64 $or rules, segfaults with >255 plain
_CHUNK_PATHS = 64         # rules and hangs with 512 branches: so rules go into several small rulesets
_SENTINEL = "__every_fact__"  # (7) see run_durable
_RESERVED = ("sid", "id")  # durable's session id and fact identity: we set both ourselves
_LOCK = threading.Lock()   # the core's handle tables are process-global
_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"


def _one_line(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}".rstrip(": ")


def _encode(fact: dict, sid: str) -> str:
    """A fact as JSON for the core: floats written out in full (it segfaults on 1e-05 or 1e+16), no ASCII
    escapes (it compares raw bytes), our sid, and its fid as durable's fact identity "id"."""
    def js(v: Any) -> str:
        text = json.dumps(v, ensure_ascii=False)
        return format(decimal.Decimal(text), "f") if isinstance(v, float) and "e" in text else text
    return "{" + ",".join(f"{js(k)}:{js(v)}" for k, v in {**fact, "sid": sid, "id": str(fact["fid"])}.items()) + "}"


def _check_field(key: Any, value: Any, where: str, in_rule: bool = False) -> None:
    if not isinstance(key, str) or not key or len(key) > _MAX_KEY or key.startswith("$") or key in _RESERVED:
        raise InferenceError(f"{where}: field name {key!r:.60} must be a string of 1 to {_MAX_KEY} characters, "
                             "not starting with '$' and not 'id' or 'sid' (reserved by durable_rules)")
    if not isinstance(value, (bool, int, float, str)):  # (6) no nested dicts or lists (and no None)
        raise InferenceError(f"{where}: field {key!r} holds a {type(value).__name__}; only int, float, str, bool")
    if (isinstance(value, float) and not math.isfinite(value)) or (isinstance(value, str) and len(value) > _MAX_STR) \
            or (type(value) is int and not -2**63 <= value < 2**63):  # (6) NaN, infinities, huge strings crash the core
        raise InferenceError(f"{where}: field {key!r} holds {str(value)[:40]!r}: not a finite number, or too large")
    if in_rule and isinstance(value, float) and "e" in repr(value):  # durable writes rules itself, with exponents
        raise InferenceError(f"{where}: durable_rules cannot read the number {value!r}; write it without an exponent")


def _paths(expr: Any, where: str, depth: int = 0) -> int:
    """Validate one condition expression; return how many alternative paths it expands to."""
    if depth > _MAX_DEPTH or not isinstance(expr, dict) or len(expr) != 1:
        raise InferenceError(f"{where}: not a one-key condition object (nested <= {_MAX_DEPTH} deep): {expr!r:.60}")
    (key, value), = expr.items()
    if key in ("$and", "$or"):
        if not isinstance(value, list) or not value:  # (6) an empty $and/$or list hangs the core
            raise InferenceError(f"{where}: '{key}' needs a non-empty list of conditions")
        counts = [_paths(v, where, depth + 1) for v in value]
        total = math.prod(counts) if key == "$and" else sum(counts)
        if total > _MAX_PATHS:
            raise InferenceError(f"{where}: the condition expands to {total} alternatives (at most {_MAX_PATHS})")
        return total
    if key in _COMPARE:
        if not isinstance(value, dict) or len(value) != 1:
            raise InferenceError(f"{where}: '{key}' needs an object with exactly one field")
        (key, value), = value.items()
    _check_field(key, value, where, in_rule=True)
    return 1


def _check_ruleset(ruleset: dict) -> dict[str, int]:
    paths = {}
    for name, rule in ruleset.items():
        conds = rule.get("all", rule.get("any")) if isinstance(rule, dict) and len(rule) == 1 else None
        if not (isinstance(name, str) and name and isinstance(conds, list) and len(conds) == 1
                and isinstance(conds[0], dict) and list(conds[0]) == ["m"]):
            raise InferenceError(f"rule {name!r} must be named by a non-empty string and be {{'all': [{{'m': condition}}]}}")
        if name == _SENTINEL:
            raise InferenceError(f"rule name {_SENTINEL!r} is reserved")
        paths[name] = _paths(conds[0]["m"], f"rule {name!r}")
    return paths


def _check_batch(batch: list, b: int) -> None:
    seen: set[int] = set()
    for i, fact in enumerate(batch):
        where = f"batch {b}, fact {i}"
        if not isinstance(fact, dict) or not 0 < len(fact) <= _MAX_FACT_KEYS:  # (6) both segfault the core
            raise InferenceError(f"{where}: a fact must be a dict of 1 to {_MAX_FACT_KEYS} fields")
        for key, value in fact.items():
            _check_field(key, value, where)
        fid = fact.get("fid")
        if type(fid) is not int or fid in seen or "kind" not in fact:
            raise InferenceError(f"{where}: every fact needs 'kind' and an int 'fid' unique in its batch")
        seen.add(fid)


def _chunks(paths: dict[str, int]) -> list[list[str]]:
    chunks, load = [[]], 0  # rules are independent, so spreading them over rulesets changes nothing
    for name, n in paths.items():
        if chunks[-1] and (len(chunks[-1]) >= _CHUNK_RULES or load + n > _CHUNK_PATHS):
            chunks, load = chunks + [[]], 0
        chunks[-1].append(name)
        load += n
    return chunks


def _fired_pair(rule_name: str, c: Any) -> tuple[str, int]:
    return rule_name, c.m.fid  # c.m is the fact that matched condition "m"


def run_durable(ruleset: dict[str, dict], batches: list[list[dict]]) -> list[list[tuple[str, int]]]:
    """Run one compiled ruleset over many independent batches of facts (one batch per report).
    Returns, for each batch (same order), the sorted, de-duplicated list of (rule_name, fid) pairs that fired,
    where fid is the integer "fid" field of the fact that matched."""
    if not isinstance(ruleset, dict) or not isinstance(batches, list) or not all(isinstance(x, list) for x in batches):
        raise InferenceError("the ruleset must be a dict of rule name -> rule, and batches a list of lists of facts")
    paths = _check_ruleset(ruleset)  # (6) everything is validated before the C core sees it
    for b, batch in enumerate(batches):
        _check_batch(batch, b)
    if not paths or not any(batches):
        return [[] for _ in batches]
    try:  # imported here, not at module level: durable_rules does not import on Python 3.13+
        import durable_rules_engine as core
        from durable import engine
    except Exception as exc:
        raise InferenceError(f"durable_rules does not import on Python {_PYTHON} ({_one_line(exc)})") from exc
    fired: set[tuple[str, int]] = set()  # (5) a set: $or/any rules can fire twice for one fact
    errors: list[str] = []

    class _Host(engine.Host):
        def _run(self) -> None:
            """(1) Not the stock two Timer-thread loops: actions run only inside our do_actions calls."""

        def get_action(self, action_name: str) -> Any:
            def action(c: Any) -> None:  # one parameter: durable runs two-parameter actions async
                if action_name == _SENTINEL:
                    return
                try:
                    fired.add(_fired_pair(action_name, c))
                except Exception as exc:  # (3) durable would swallow it into the session state
                    errors.append(f"the action for rule {action_name!r} failed: {_one_line(exc)}")
            return action

    host, rulesets, results = _Host(), [], []  # a fresh Host: rule names must be unique per Host
    _LOCK.acquire()
    try:
        for n, chunk in enumerate(_chunks(paths)):  # actions bound by name, on copies: durable deletes "run"
            definition = {name: dict(ruleset[name], run=name) for name in chunk}
            # (7) delete_state segfaults on a session the core never created, which happens when no fact
            # of a batch matches any rule of a ruleset: a rule that matches every fact guarantees the session.
            definition[_SENTINEL] = {"all": [{"m": {"$gte": {"fid": -(2**62)}}}], "run": _SENTINEL}
            host.set_rulesets({f"lii{n}": definition})
            rulesets.append(host.get_ruleset(f"lii{n}"))
        for b, batch in enumerate(batches):
            sid = str(b)  # (2) one session per batch, deleted after it: ~1,024 live sessions raise MemoryError
            payload = "[" + ",".join(_encode(fact, sid) for fact in batch) + "]"
            fired.clear()
            for rs in rulesets if batch else []:
                try:
                    # (4) the whole batch in ONE assert_facts call, on the core directly: when a fact matches no
                    # rule (code 1), Host.assert_facts raises and never runs the actions other facts triggered.
                    code, state = core.assert_facts(rs._handle, payload)
                    if code not in (0, 1, 2):
                        raise InferenceError(f"durable_rules deferred batch {b} (code {code})")
                    rs.do_actions(state, lambda e, _s: e and errors.append(f"durable_rules failed: {_one_line(e)}"))
                finally:
                    with contextlib.suppress(Exception):  # the original error is the one worth reporting
                        rs.delete_state(sid)
                if errors:
                    raise InferenceError(errors[0])
            results.append(sorted(fired))
        return results
    except InferenceError:
        raise
    except Exception as exc:
        raise InferenceError(f"durable_rules failed: {_one_line(exc)}") from exc
    finally:
        for rs in rulesets:  # never freed by durable itself: ~55 KB leaked per ruleset
            with contextlib.suppress(Exception):  # and the lock must be released whatever happens
                core.delete_ruleset(rs._handle)
        _LOCK.release()


def durable_available() -> tuple[bool, str]:
    """(True, "") if durable_rules imports and works here; else (False, one-line reason e.g. 'durable_rules does not import on Python 3.13')."""
    try:
        if run_durable({"probe": {"all": [{"m": {"kind": "p"}}]}}, [[{"fid": 7, "kind": "p"}]]) != [[("probe", 7)]]:
            raise InferenceError(f"durable_rules gives wrong results on Python {_PYTHON}")
    except InferenceError as exc:
        return False, str(exc)
    return True, ""


def _worker() -> None:
    """`python -m lii_check.inference_durable`: run_durable on JSON from stdin, so a crash of the C core
    kills only this child process, never lii-check itself."""
    request = json.load(sys.stdin)
    try:
        out = {"ok": True, "results": run_durable(request["ruleset"], request["batches"])}
    except InferenceError as exc:
        out = {"ok": False, "reason": str(exc)}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    _worker()
