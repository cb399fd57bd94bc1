"""``--format json``: the result document itself (it is built already ordered, so no sort_keys)."""
from __future__ import annotations

import json


def render(doc: dict) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
