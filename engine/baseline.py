"""Baselines: accept the findings of an earlier run so that only new ones fail CI.

A finding is matched by report path, rule and the sentences it cites — never by line number,
because lines move whenever the text above them is edited.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .document import SCHEMA_VERSION
from .model import Finding, ReportResult


class BaselineError(Exception):
    pass


@dataclass(frozen=True)
class Baseline:
    path: Path
    keys: frozenset[tuple[str, str, tuple[str, ...]]]


def _key(path: str, rule: str, texts: list[str]) -> tuple[str, str, tuple[str, ...]]:
    return path, rule, tuple(sorted(" ".join(t.split()) for t in texts))


def finding_key(report_path: str, finding: Finding) -> tuple[str, str, tuple[str, ...]]:
    return _key(report_path, finding.rule, [e.text for e in finding.evidence])


def load_baseline(path: Path) -> Baseline:
    try:
        doc = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"{path}: the baseline file does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: cannot read the baseline ({exc})") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}:{exc.lineno}: the baseline is not JSON; make it with "
                            "`lii-check --format json … > baseline.json`") from None
    if not isinstance(doc, dict) or doc.get("tool", {}).get("name") != "lii-check" or not isinstance(doc.get("reports"), list):
        raise BaselineError(f"{path}: not a lii-check JSON document; make it with `lii-check --format json … > baseline.json`")
    if doc.get("schema_version") != SCHEMA_VERSION:
        raise BaselineError(f"{path}: written with JSON schema version {doc.get('schema_version')}; "
                            f"this lii-check reads version {SCHEMA_VERSION}: regenerate the baseline")
    keys = set()
    try:
        for report in doc["reports"]:
            for f in report.get("findings", []) + report.get("suppressed", []):
                keys.add(_key(report["path"], f["rule"], [e["text"] for e in f.get("evidence", [])]))
    except (KeyError, TypeError):
        raise BaselineError(f"{path}: a report or finding in the baseline is missing its fields") from None
    return Baseline(path=path, keys=frozenset(keys))


def apply_baseline(results: list[ReportResult], baseline: Baseline) -> int:
    """Move findings the baseline already accepted into `suppressed`; return how many."""
    matched = 0
    for result in results:
        kept = []
        for finding in result.findings:
            if finding_key(result.path, finding) in baseline.keys:
                finding.suppressed_by = "baseline"
                result.suppressed.append(finding)
                matched += 1
            else:
                kept.append(finding)
        result.findings = kept
    return matched
