"""Markdown read as GitHub reads it: cmark-gfm (GitHub's own parser, through cmarkgfm) renders it to
HTML, and the tables and the text of the page are taken back out, so a test can say what a reader of
the pull-request comment sees in each cell, not what the source looks like."""
from __future__ import annotations

from html.parser import HTMLParser

import cmarkgfm
from cmarkgfm.cmark import Options


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self.codes: list[str] = []
        self._cell: list[str] | None = None
        self._code: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "code":
            self._code = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None
        elif tag == "code" and self._code is not None:
            self.codes.append("".join(self._code))
            self._code = None

    def handle_data(self, data):
        for sink in (self._cell, self._code):
            if sink is not None:
                sink.append(data)


def read(markdown: str) -> _Tables:
    """``.tables``: each table as rows of cell texts (header row first); ``.codes``: every code span's text."""
    # UNSAFE keeps raw HTML (<details>, <summary>) as GitHub's renderer does before it sanitises.
    html = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    parser = _Tables()
    parser.feed(html)
    return parser
