"""Baselines: accept the findings of an earlier run so that only new ones fail CI.

A finding is matched by report path, rule and the sentences it cites — never by line number,
because lines move whenever the text above them is edited. The path is matched in a canonical
spelling (relative to the current folder, symlinks resolved, forward slashes), so a baseline made
with `fixtures/` still holds when CI says `./fixtures/` or an absolute path.
"""
from __future__ import annotations

import json
import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .document import SCHEMA_VERSION
from .model import Finding, ReportResult
from .safe_yaml import value_problem
from .textfile import NotUtf8, decode

HOW_TO_MAKE = "make it with `lii-check … --baseline FILE --update-baseline`"


class BaselineError(Exception):
    pass


@dataclass(frozen=True)
class Baseline:
    path: Path
    keys: frozenset[tuple[str, str, tuple[str, ...]]]
    # The awarded score each report had when its findings were accepted (canonical path -> score), where the
    # baseline records it: a report re-scored since is not the report whose findings were accepted.
    scores: dict[str, int] = field(default_factory=dict, compare=False, hash=False)


def canonical_path(path: str) -> str:
    """One spelling per file: `fixtures/a.txt`, `./fixtures/a.txt` and `/abs/fixtures/a.txt` agree."""
    real = os.path.realpath(path)
    try:
        rel = os.path.relpath(real, os.path.realpath(os.getcwd()))
    except ValueError:  # another drive on Windows: no relative spelling exists
        rel = real
    return Path(rel).as_posix()


def _key(path: str, rule: str, texts: list[str]) -> tuple[str, str, tuple[str, ...]]:
    return canonical_path(path), rule, tuple(sorted(" ".join(t.split()) for t in texts))


def finding_key(report_path: str, finding: Finding) -> tuple[str, str, tuple[str, ...]]:
    return _key(report_path, finding.rule, [c.text for c in finding.cited])


# A baseline lists the findings of a corpus: a national round's is a few megabytes. Anything far bigger (a link
# to /dev/zero, a log file given by mistake) is refused before it is read into memory.
MAX_BASELINE_BYTES = 256 * 1024 * 1024


def _read_limited(path: Path) -> bytes:
    """The file's bytes; BaselineError for anything but a regular file of at most MAX_BASELINE_BYTES (a pipe
    would hang the run, a device would fill memory)."""
    # Looked at before it is opened: opening a pipe waits for a writer that never comes.
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise BaselineError(f"{path}: not a regular file (a pipe, a device or a folder): give the JSON file "
                            f"that `--update-baseline` wrote")
    with open(path, "rb") as handle:
        data = handle.read(MAX_BASELINE_BYTES + 1)
    if len(data) > MAX_BASELINE_BYTES:
        raise BaselineError(f"{path}: larger than {MAX_BASELINE_BYTES // (1024 * 1024)} MB, far more than a "
                            f"baseline of findings: is it the right file? {HOW_TO_MAKE}")
    return data


def load_baseline(path: Path) -> Baseline:
    try:
        doc = json.loads(decode(_read_limited(path)), parse_constant=_not_json)
    except NotUtf8 as exc:
        raise BaselineError(f"{path}:{exc.line}: {exc.message}") from None
    except FileNotFoundError:
        raise BaselineError(f"{path}: the baseline file does not exist; {HOW_TO_MAKE}") from None
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read the baseline ({getattr(exc, 'strerror', None) or exc})") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}:{exc.lineno}:{exc.colno}: the baseline is not JSON ({exc.msg}); "
                            f"{HOW_TO_MAKE}") from None
    except RecursionError:
        raise BaselineError(f"{path}: the baseline nests too deeply to be a lii-check baseline") from None
    except ValueError as exc:  # valid JSON Python will not build, e.g. an integer of 5,000 digits
        raise BaselineError(f"{path}: a value in the baseline cannot be read ({value_problem(exc)}); "
                            f"{HOW_TO_MAKE}") from None
    tool = doc.get("tool") if isinstance(doc, dict) else None
    if not isinstance(tool, dict) or tool.get("name") != "lii-check" or not isinstance(doc.get("reports"), list):
        raise BaselineError(f"{path}: not a lii-check JSON document (it needs \"tool\": {{\"name\": \"lii-check\"}} "
                            f"and a \"reports\" list); {HOW_TO_MAKE}")
    version = doc.get("schema_version")
    if isinstance(version, bool) or version != SCHEMA_VERSION:  # `true` equals 1 in Python, but is not a version
        raise BaselineError(f"{path}: written with JSON schema version {doc.get('schema_version')!r}; "
                            f"this lii-check reads version {SCHEMA_VERSION}: regenerate the baseline")
    keys = set()
    scores: dict[str, int] = {}
    for r, report in enumerate(doc["reports"]):
        where = f"{path}: reports[{r}]"
        if not isinstance(report, dict) or not isinstance(report.get("path"), str) or not report["path"] \
                or "\x00" in report["path"]:
            raise BaselineError(f"{where} needs a \"path\" naming the report file")
        if not _unicode(report):
            # JSON may spell half of a character ("\ud800"); no output can write it, and the run ended in an
            # internal error at the first report.
            raise BaselineError(f"{where} holds text that is not valid Unicode (an escape such as \\ud800 that "
                                "spells half of a character): write the baseline again with `lii-check … --baseline "
                                "FILE --update-baseline`")
        for kind in ("findings", "suppressed"):
            items = report.get(kind, [])
            if not isinstance(items, list):
                raise BaselineError(f"{where}.{kind} must be a list of findings")
            for n, f in enumerate(items):
                evidence = f.get("evidence", []) if isinstance(f, dict) else None
                if not isinstance(f, dict) or not isinstance(f.get("rule"), str) or not isinstance(evidence, list) \
                        or not all(isinstance(e, dict) and isinstance(e.get("text"), str) for e in evidence):
                    raise BaselineError(f"{where}.{kind}[{n}] needs a \"rule\" and an \"evidence\" list of "
                                        "{\"text\": …} entries")
                keys.add(_key(report["path"], f["rule"], [e["text"] for e in evidence]))
        awarded = report.get("awarded_score")
        if awarded is None:  # older baselines have none: path and rule alone
            continue
        if isinstance(awarded, bool) or not isinstance(awarded, int) or not 1 <= awarded <= 4:
            # Read as "no score recorded", a score of "3" (quoted) accepted the findings of a report since re-scored.
            raise BaselineError(f"{where}.awarded_score must be the score the report awarded, a number from 1 to 4 "
                                f"as --update-baseline writes it, not {json.dumps(awarded)[:40]}")
        scores[canonical_path(report["path"])] = awarded
    return Baseline(path=path, keys=frozenset(keys), scores=scores)


def _not_json(name: str) -> object:
    """NaN and Infinity: Python's json reads them, JSON has no such values and lii-check never writes them."""
    raise ValueError(f"{name} is not a JSON value")


def _unicode(value: object) -> bool:
    """Does every string in value encode as UTF-8 (no lone surrogates)?"""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(_unicode(k) and _unicode(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_unicode(v) for v in value)
    return True


def baseline_document(results: list[ReportResult], scores: dict[str, int] | None = None) -> dict:
    """The smallest document load_baseline reads: only what matching uses, sorted, so it diffs well. `scores`:
    each report's awarded score by path, recorded so that a report re-scored later is not matched."""
    reports = []
    for result in sorted(results, key=lambda r: canonical_path(r.path)):
        if not result.findings:
            continue
        findings = sorted(({"rule": f.rule, "evidence": [{"text": c.text} for c in f.cited]}
                           for f in result.findings), key=lambda f: (f["rule"], [e["text"] for e in f["evidence"]]))
        score = (scores or {}).get(result.path)
        reports.append({"path": canonical_path(result.path), **({"awarded_score": score} if score else {}),
                        "findings": findings})
    return {"schema_version": SCHEMA_VERSION, "tool": {"name": "lii-check", "version": __version__},
            "reports": reports}


def write_baseline(path: Path, results: list[ReportResult], scores: dict[str, int] | None = None) -> None:
    """Write atomically: a reader (or an interrupted run) sees the old baseline or the new, never half."""
    text = json.dumps(baseline_document(results, scores), indent=2, ensure_ascii=False) + "\n"
    # Next to the baseline (Path("b.json").parent is "."), so os.replace never crosses file systems.
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)  # mkstemp makes it private; a committed baseline is an ordinary file
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def apply_baseline(results: list[ReportResult], baseline: Baseline) -> int:
    """Move findings the baseline already accepted into `suppressed`; return how many."""
    matched = 0
    for result in results:
        kept = []
        then = baseline.scores.get(canonical_path(result.path)) if baseline.scores else None
        rescored = then is not None and result.report is not None and result.report.awarded_score != then
        for finding in result.findings:
            if not rescored and finding_key(result.path, finding) in baseline.keys:
                finding.suppressed_by = "baseline"
                result.suppressed.append(finding)
                matched += 1
            else:
                kept.append(finding)
        result.findings = kept
    return matched
