"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers."""
from __future__ import annotations

import json
import os
import re
from urllib.parse import quote

from ..names import severity_fails
from ..discovery import unshown_path
from ._common import (clean, error_parts, evidence_lines, fail_on, not_searched, not_searched_line, one_line,
                      result_line, strict_failure)

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
UNREADABLE_RULE = "lii-check/unreadable"
# lii-check severity -> SARIF result level (SARIF has no "info"; its "note" is the same thing).
SARIF_LEVEL_OF_SEVERITY = {"error": "error", "warning": "warning", "info": "note"}
# Below the --fail-on level a finding must not read as "error" (viewers such as GitHub code scanning fail a
# check on error results), so an error finding that does not fail the run is shown as a warning.
_PASSING_LEVELS = {"error": "warning", "warning": "warning", "info": "note"}
# SARIF's two suppression kinds: a comment in the report itself, or a baseline file kept elsewhere.
_SUPPRESSION_KINDS = {"inline": "inSource", "baseline": "external"}
# RFC 3986 characters that may stay as they are in a relative reference's path.
_URI_SAFE = "/:@!$&'()*+,;=-._~"


# A relative path is relative to the folder lii-check ran in, which in CI is the checkout: the
# uriBaseId GitHub code scanning and other viewers resolve against the source root.
SOURCE_ROOT = "%SRCROOT%"
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:/")


def artifact_location(path: str) -> dict:
    """Where a report is, as SARIF wants it: a relative path as a relative reference with a uriBaseId;
    an absolute path as a file:// URI with none (a relative reference beginning with a slash cannot be
    combined with a base, SARIF1004). Forward slashes whatever the OS; percent-encoding so that a space,
    "#" or a byte that is not UTF-8 in a file name still yields a valid URI naming that very file."""
    if os.sep == "/":
        # The file's own name and bytes, a backslash in it a character, not a separator: unshown_path undoes the
        # shown form (shown as back\\new.md, the file is back\new.md; shown as lat\xe9.md, it holds the byte 0xE9).
        raw = os.fsencode(unshown_path(path))
        if raw.startswith(b"/"):
            return {"uri": "file://" + quote(raw, safe=_URI_SAFE)}
        return {"uri": _relative(quote(raw, safe=_URI_SAFE)), "uriBaseId": SOURCE_ROOT}
    text = clean(path).replace("\\", "/")  # Windows: the backslash separates folders
    if text.startswith("//"):  # a UNC path, \\server\share\file
        return {"uri": "file:" + quote(text, safe=_URI_SAFE)}
    if text.startswith("/"):
        return {"uri": "file://" + quote(text, safe=_URI_SAFE)}
    if _WINDOWS_DRIVE.match(text):
        return {"uri": "file:///" + quote(text, safe=_URI_SAFE)}
    return {"uri": _relative(quote(text, safe=_URI_SAFE)), "uriBaseId": SOURCE_ROOT}


def _relative(uri: str) -> str:
    """A relative reference whose first segment holds ":" ("note:1.md") reads as a scheme: "./" keeps it a path."""
    return "./" + uri if ":" in uri.split("/", 1)[0] else uri


def information_uri() -> str | None:
    """The project's documented home page, from the installed package's metadata ([project.urls] in
    pyproject.toml), or None. SARIF requires informationUri to be an absolute URI, so a link relative
    to the docs folder would be invalid: without a published URL the property is left out."""
    from importlib import metadata

    try:
        urls = metadata.metadata("lii-check").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    by_label = {}
    for entry in urls:
        label, _, url = entry.partition(",")
        by_label[label.strip().lower()] = url.strip()
    for label in ("documentation", "homepage", "home", "repository", "source"):
        url = by_label.get(label, "")
        if re.match(r"^https?://[^/\s]+", url):
            return url
    return None


def driver(tool: dict) -> dict:
    """tool.driver without its rules: name, version and, where the project publishes one, informationUri."""
    out: dict = {"name": tool.get("name") or "lii-check"}
    if tool.get("version"):
        out["version"] = str(tool["version"])
    uri = information_uri()
    if uri:
        out["informationUri"] = uri
    return out


def _rule_name(rule_id: str) -> str:
    # SARIF wants "name" to be a readable identifier, distinct from the opaque id:
    # "co-production.band4-not-embedded" -> "CoProductionBand4NotEmbedded".
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^0-9A-Za-z]+", rule_id) if part)


def _descriptor(rule_id: str, description: str, severity: str, tags: list[str], help_: dict | None = None) -> dict:
    short = one_line(description) or rule_id
    help_ = help_ or {}
    # GitHub code scanning requires fullDescription and help on every rule; they come from the rule
    # pages' text (rule_docs.py), or repeat the short description where there is nothing more to say.
    desc: dict = {
        "id": rule_id,
        "name": _rule_name(rule_id),
        "shortDescription": {"text": short},
        "fullDescription": {"text": one_line(help_.get("full_description")) or short},
        "help": {"text": one_line(help_.get("text")) or short, "markdown": clean(help_.get("markdown")) or short},
        "defaultConfiguration": {"level": SARIF_LEVEL_OF_SEVERITY.get(severity, "warning")},
    }
    # The schema makes tags uniqueItems, so a theme equal to the framework must appear once.
    unique = list(dict.fromkeys(t for t in tags if t))
    if unique:
        desc["properties"] = {"tags": unique}
    return desc


def _rules(doc: dict, rules_meta: list[dict]) -> list[dict]:
    # Sorted by id so the rules array (and every ruleIndex) does not depend on rulebook file order.
    by_id = {m["id"]: m for m in rules_meta}
    rules = [
        _descriptor(rid, m.get("description", ""), m.get("severity", "warning"),
                    [m.get("theme", ""), m.get("framework", "")], m.get("help"))
        for rid, m in sorted(by_id.items())
    ]
    # A finding whose rule is not in the rulebook metadata (e.g. one the engine raises itself)
    # still needs a descriptor, or its ruleIndex would point nowhere.
    extra: dict[str, dict] = {}
    for report in doc.get("reports") or []:
        for f in (report.get("findings") or []) + (report.get("suppressed") or []):
            rid = f.get("rule", "")
            if rid not in by_id and rid not in extra:
                extra[rid] = _descriptor(rid, rid, f.get("severity", "warning"), [f.get("theme", "")])
    rules.extend(extra[rid] for rid in sorted(extra))
    rules.append(_descriptor(UNREADABLE_RULE, "The report could not be read, so its score could not be checked.",
                             "error", ["unreadable"]))
    return rules


def _location(where: dict, line: int | None, message: str | None = None) -> dict:
    loc: dict = {"physicalLocation": {"artifactLocation": dict(where),
                                      "region": {"startLine": line if line and line > 0 else 1}}}
    if message is not None:
        loc["message"] = {"text": message}
    return loc


def _level(severity: str, level: str) -> str:
    """The result level that agrees with the exit code: "error" exactly when the finding fails the run."""
    if severity_fails(severity, level):
        return "error"
    return _PASSING_LEVELS.get(severity, "warning")


def _finding_result(uri: str, f: dict, index: dict[str, int], level: str, suppressed: bool = False) -> dict:
    rid = f.get("rule", "")
    # Evidence goes into the message as well as relatedLocations: many viewers (GitHub included)
    # show only the message, and the cited sentences are what the reader must check.
    text = one_line(f.get("message"))
    cited = evidence_lines(f)
    if cited:
        text += "\n\nWhat the text says:\n" + "\n".join(cited)
    result: dict = {
        "ruleId": rid,
        "ruleIndex": index[rid],
        # A suppressed finding never fails the run, so it never reads as "error" either.
        "level": _level(f.get("severity", ""), "never" if suppressed else level),
        "message": {"text": text},
        "locations": [_location(uri, f.get("line"))],
    }
    if suppressed:
        # A suppressed finding is still reported, marked as such, so silencing one leaves a trace.
        result["suppressions"] = [{"kind": _SUPPRESSION_KINDS.get(f.get("suppressed_by") or "", "external")}]
    related: list[dict] = []
    seen: set[tuple] = set()
    for ev in f.get("evidence") or []:
        key = (ev.get("line"), one_line(ev.get("text")))
        if key in seen:  # relatedLocations is uniqueItems in the schema
            continue
        seen.add(key)
        loc = _location(uri, ev.get("line"), key[1])
        loc["id"] = len(related)
        related.append(loc)
    if related:
        result["relatedLocations"] = related
    result["properties"] = {"severity": f.get("severity", "")}
    return result


def _invocation(doc: dict) -> dict:
    """How the run ended: the exit code lii-check returns with this document, and why it is not 0."""
    exit_code = (doc.get("summary") or {}).get("exit_code")
    invocation: dict = {
        # The analysis ran to its end: findings (exit 1) are results, not a failed execution.
        "executionSuccessful": True,
    }
    if isinstance(exit_code, int):
        invocation["exitCode"] = exit_code
        invocation["exitCodeDescription"] = exit_code_description(doc.get("summary") or {})
    notifications = []
    # --fail-on is already in each result's level; a --strict failure belongs to no report, so it is said here.
    strict = strict_failure(doc)
    if strict:
        notifications.append({"level": "error", "message": {"text": strict}})
    # Files the run left out belong to no result either. "note", not "warning": they do not fail the run (nor
    # does the table make them more than a "Not searched" line), but a CI that reads this file must see them.
    for item in not_searched(doc.get("summary") or {}):
        notification: dict = {"level": "note", "message": {"text": not_searched_line(item)}}
        if item.paths:
            notification["locations"] = [{"physicalLocation": {"artifactLocation": artifact_location(p)}}
                                         for p in item.paths]
        notifications.append(notification)
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return invocation


def exit_code_description(summary: dict) -> str:
    """What the exit code stands for, in the words of the table's "Result:" line (one source for both):
    "passes (exit code 0)", "passes (exit code 0) because --fail-on is never: 1 inconsistent report",
    "fails (exit code 1): 2 inconsistent reports"."""
    return result_line(summary) or f"exit code {summary.get('exit_code')}"


def render(doc: dict, rules_meta: list[dict]) -> str:
    rules = _rules(doc, rules_meta)
    index = {r["id"]: i for i, r in enumerate(rules)}
    results: list[dict] = []
    level = fail_on(doc)
    for report in doc.get("reports") or []:
        uri = artifact_location(report.get("path", ""))
        if report.get("verdict") == "unreadable":
            line, message = error_parts(report)
            results.append({
                "ruleId": UNREADABLE_RULE,
                "ruleIndex": index[UNREADABLE_RULE],
                "level": "error",
                "message": {"text": message},
                "locations": [_location(uri, line)],
            })
            continue
        results.extend(_finding_result(uri, f, index, level) for f in report.get("findings") or [])
        results.extend(_finding_result(uri, f, index, level, suppressed=True) for f in report.get("suppressed") or [])
    tool = {**driver(doc.get("tool") or {}), "rules": rules}
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": tool},
            "invocations": [_invocation(doc)],
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
