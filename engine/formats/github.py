"""``--format github``: GitHub Actions workflow commands, which become annotations on the PR diff."""
from __future__ import annotations

from ..discovery import unshown_path
from ..names import severity_fails
from ._common import clean, error_parts, fail_on, hidden_failures, not_searched, not_searched_line

_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}
_NOT_SEARCHED = "lii-check: not searched"  # the title of the notice for each file the run left out


def escape_data(value: str) -> str:
    # GitHub's rules for the message part: "%" first, so the escapes themselves are not re-escaped.
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    # Property values additionally end at "," and the command ends at "::", so both are escaped.
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _command(kind: str, path: str, line: int | None, title: str, message: str) -> str:
    name = unshown_path(path)  # GitHub must find the very file: shown as back\\new.md, it is back\new.md
    props = [f"file={escape_property(name if name.isprintable() else clean(path))}"]
    if line is not None:
        props.append(f"line={int(line)}")
    props.append(f"title={escape_property(clean(title))}")
    return f"::{kind} {','.join(props)}::{escape_data(clean(message))}"


def _kind(severity: str, level: str) -> str:
    # "::error" exactly when the finding fails the run, so the annotations agree with the step's result.
    if severity_fails(severity, level):
        return "error"
    return "warning" if severity == "error" else _COMMAND.get(severity, "warning")


def render(doc: dict) -> str:
    level = fail_on(doc)
    lines: list[str] = []
    for report in doc.get("reports") or []:
        path = report.get("path", "")
        if report.get("verdict") == "unreadable":
            line, message = error_parts(report)
            lines.append(_command("error", path, line, "unreadable", message))
            continue
        for f in report.get("findings") or []:
            lines.append(_command(_kind(f.get("severity", ""), level), path, f.get("line"),
                                  f.get("rule", ""), f.get("message", "")))
    # Files the run left out: a ::notice on each file named (GitHub attaches it there and lists it in the run's
    # annotations), the table's sentence as its message. A notice, not a warning: the table and the exit code do
    # not treat them as a problem, only as something the reader must be told.
    for item in not_searched(doc.get("summary") or {}):
        message = not_searched_line(item)
        if item.paths:
            lines += [_command("notice", p, None, _NOT_SEARCHED, message) for p in item.paths]
        else:
            lines.append(f"::notice title={escape_property(_NOT_SEARCHED)}::{escape_data(message)}")
    # Failures no ::error line above shows (--fail-on warning, --strict) get one, so the annotations
    # agree with the failed step.
    lines += [f"::error title=lii-check::{escape_data(clean(reason))}" for reason in hidden_failures(doc)]
    return "".join(line + "\n" for line in lines)
