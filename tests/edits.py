"""Editing a copied rule file in a test: one helper for every test file that needs it."""
from __future__ import annotations

from pathlib import Path


def replace_first(path: Path, old: str, new: str) -> int:
    """Replace the first ``old`` in the file with ``new``; the line ``old`` began on. A test whose edit
    no longer applies (the rule file changed) fails here, saying which text is gone."""
    text = path.read_text("utf-8")
    assert old in text, f"{path.name} no longer holds {old!r}: update the test's edit"
    path.write_text(text.replace(old, new, 1), "utf-8")
    return text[: text.index(old)].count("\n") + 1
