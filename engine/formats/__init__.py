"""Output renderers: one small module per ``--format``, all pure functions of the result document.

Every renderer takes the result document (exactly what ``--format json`` prints) plus the rulebook's
rule metadata and returns a ``str`` ending in a newline. They never look at the clock, the
environment or the file system, so the same input always gives byte-identical output.
"""
from __future__ import annotations

from collections.abc import Callable

from . import concise, github, html, jsonfmt, junit, markdown, sarif, table

from ..names import FORMATS
DEFAULT_WIDTH = 120  # what a file or a pipe gets when nothing says otherwise

# Only the table is meant for a terminal, so only it honours ``color`` and ``width``; the others are
# read by machines, editors or GitHub, where escape codes would be noise and wrapped lines would
# break the one-line-per-finding contract.
_RENDERERS: dict[str, Callable[..., str]] = {
    "table": lambda doc, meta, color, width, verbose, results: table.render(doc, color=color, width=width,
                                                                           verbose=verbose),
    "concise": lambda doc, meta, color, width, verbose, results: concise.render(doc),
    "json": lambda doc, meta, color, width, verbose, results: jsonfmt.render(doc),
    "sarif": lambda doc, meta, color, width, verbose, results: sarif.render(doc, meta),
    "junit": lambda doc, meta, color, width, verbose, results: junit.render(doc),
    "github": lambda doc, meta, color, width, verbose, results: github.render(doc),
    "markdown": lambda doc, meta, color, width, verbose, results: markdown.render(doc),
    # Only the HTML page shows the report text, which the document does not carry: it takes the results.
    "html": lambda doc, meta, color, width, verbose, results: html.render(doc, meta, results),
}


def render(fmt: str, doc: dict, rules_meta: list[dict], *, color: bool = False, width: int = DEFAULT_WIDTH,
           verbose: bool = False, results: list | None = None) -> str:
    """Render ``doc`` in format ``fmt`` (one of ``FORMATS``); ValueError for anything else.

    ``width`` (columns) and ``verbose`` (list rules that never fired) concern the table only;
    ``results`` (the pipeline's ReportResult list) the HTML page only, for the report text."""
    try:
        renderer = _RENDERERS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}") from None
    out = renderer(doc, rules_meta, color, width, verbose, results)
    # Guarantee the contract here once rather than trusting every module to remember it.
    return out if out.endswith("\n") else out + "\n"


__all__ = ["DEFAULT_WIDTH", "FORMATS", "render"]
