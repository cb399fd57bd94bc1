"""Turning JSON Schema errors into plain English with the fix, for the QA leads who edit rule files."""
from __future__ import annotations

import difflib
import json
import re

import jsonschema


def _where_in_path(path: list) -> str:
    parts = []
    for step in path:
        parts.append(f"item {step + 1}" if isinstance(step, int) else f"'{step}'")
    return " in " + " > ".join(parts) if parts else ""


def _allowed_keys(schema: dict, validator_schema: dict) -> list[str]:
    props = validator_schema.get("properties", {})
    return sorted(k for k in props if k != "kind") if props else []


def plain(error: jsonschema.ValidationError, schema: dict) -> tuple[list, bool, str]:
    """(data path to point at, point at the key?, plain-English message with the fix)."""
    path = list(error.absolute_path)
    v = error.validator
    inside = _where_in_path(path)
    if v == "additionalProperties":
        allowed = _allowed_keys(schema, error.schema)
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        key = extra[0] if extra else "?"
        guess = difflib.get_close_matches(key, allowed, n=1)
        hint = f"did you mean '{guess[0]}'?" if guess else f"allowed keys here: {', '.join(allowed)}"
        return path + [key], True, f"unknown key '{key}'{inside}: {hint}"
    if v == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        name = missing[0] if missing else error.message
        return path, False, f"missing key '{name}'{inside}: add it (see rules/README.md)"
    if v == "enum":
        options = [str(o) for o in error.validator_value]
        guess = difflib.get_close_matches(str(error.instance), options, n=1)
        hint = f" — did you mean '{guess[0]}'?" if guess else ""
        return path, False, f"'{error.instance}' is not allowed{inside}; use one of: {', '.join(options)}{hint}"
    if v == "const":
        return path, False, f"'{error.instance}' is not allowed{inside}; it must be '{error.validator_value}'"
    if v == "type":
        wanted = error.validator_value
        names = {"array": "a list", "object": "a block of keys", "string": "text", "integer": "a whole number",
                 "number": "a number", "boolean": "true or false"}
        wanted_text = " or ".join(names.get(w, w) for w in (wanted if isinstance(wanted, list) else [wanted]))
        return path, False, f"this should be {wanted_text}{inside}, not {type(error.instance).__name__}"
    if v == "pattern":
        desc = error.schema.get("description", f"text matching {error.validator_value}")
        return path, False, f"'{error.instance}' is not in the expected form{inside}: {desc}"
    if v in ("minItems", "minLength", "minProperties"):
        return path, False, f"this is empty{inside}: give at least one entry"
    if v in ("minimum", "maximum", "exclusiveMinimum"):
        return path, False, f"{error.instance} is out of range{inside} ({v.replace('exclusiveM', 'above m')} {error.validator_value})"
    if v == "uniqueItems":
        return path, False, f"this list repeats an entry{inside}: list each once"
    if v == "anyOf" and "phrases" in json.dumps(error.validator_value):
        return path, False, f"this signal has no cues{inside}: add 'phrases' (or 'regex')"
    return path, False, f"{error.message}{inside}"


def deepest(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
    """The specific causes behind an if/then or allOf failure, not the wrapper."""
    if error.context:
        out = []
        for sub in error.context:
            out.extend(deepest(sub))
        return out
    return [error]


