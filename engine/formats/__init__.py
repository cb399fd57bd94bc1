"""Output renderers: one small module per ``--format``, all pure functions of the result document.

Every renderer takes the result document (exactly what ``--format json`` prints) plus the rulebook's
rule metadata and returns a ``str`` ending in a newline. They never look at the clock, the
environment or the file system, so the same input always gives byte-identical output.
"""
from __future__ import annotations

from collections.abc import Callable

from . import github, html, jsonfmt, junit, markdown, sarif, table

FORMATS: tuple[str, ...] = ("table", "json", "sarif", "junit", "github", "markdown", "html")

# Only the table is meant for a terminal, so only it honours ``color``; the others are read by
# machines (or GitHub) where escape codes would be noise or corruption.
_RENDERERS: dict[str, Callable[..., str]] = {
    "table": lambda doc, meta, color, results: table.render(doc, color=color),
    "json": lambda doc, meta, color, results: jsonfmt.render(doc),
    "sarif": lambda doc, meta, color, results: sarif.render(doc, meta),
    "junit": lambda doc, meta, color, results: junit.render(doc),
    "github": lambda doc, meta, color, results: github.render(doc),
    "markdown": lambda doc, meta, color, results: markdown.render(doc),
    # Only the HTML page shows the report text, which the document does not carry: it takes the results.
    "html": lambda doc, meta, color, results: html.render(doc, meta, results),
}


def render(fmt: str, doc: dict, rules_meta: list[dict], *, color: bool = False, results: list | None = None) -> str:
    """Render ``doc`` in format ``fmt`` (one of ``FORMATS``); ValueError for anything else.

    ``results`` (the pipeline's ReportResult list) is used by ``html`` only, for the report text.
    """
    try:
        renderer = _RENDERERS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}") from None
    out = renderer(doc, rules_meta, color, results)
    # Guarantee the contract here once rather than trusting every module to remember it.
    return out if out.endswith("\n") else out + "\n"


__all__ = ["FORMATS", "render"]
