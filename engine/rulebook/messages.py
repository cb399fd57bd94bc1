"""Turning JSON Schema errors into plain English with the fix, for the QA leads who edit rule files."""
from __future__ import annotations

import difflib
import json
import re

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only in annotations: importing jsonschema costs ~30 ms a run that never validates
    import jsonschema


def _where_in_path(path: list) -> str:
    parts = []
    for step in path:
        parts.append(f"item {step + 1}" if isinstance(step, int) else f"'{step}'")
    return " in " + " > ".join(parts) if parts else ""


def _allowed_keys(schema: dict, validator_schema: dict) -> list[str]:
    props = validator_schema.get("properties", {})
    return sorted(k for k in props if k != "kind") if props else []


_TYPE_WORDS = {"array": "a list", "object": "a block of keys", "string": "text", "integer": "a whole number",
               "number": "a number", "boolean": "true or false"}


def _resolved(part: object, root: dict) -> dict:
    """A schema part with its local ``$ref`` chain followed (``#/$defs/...``); {} when it is not a dict."""
    for _ in range(10):  # a chain of refs, never a loop in our schemas; bounded all the same
        if not isinstance(part, dict) or "$ref" not in part or not str(part["$ref"]).startswith("#/"):
            break
        target: object = root
        for step in str(part["$ref"])[2:].split("/"):
            target = target.get(step, {}) if isinstance(target, dict) else {}
        part = target
    return part if isinstance(part, dict) else {}


def _what_goes_in(container: dict, name: str, root: dict) -> str:
    """What a missing key should hold, from the schema: its allowed values, else its description, so the
    message is the fix wherever lii-check is installed (not a pointer to a README the user may not have)."""
    prop = _resolved((container.get("properties") or {}).get(name) if isinstance(container, dict) else None, root)
    options = prop.get("enum") or ([prop["const"]] if "const" in prop else None)
    if options:
        return f": '{name}: ' followed by one of: {', '.join(str(o) for o in options)}"
    text = str(prop.get("description") or "").rstrip(".")
    described = f" ({text[:1].lower() + text[1:]})" if text else ""  # "Awarded scores …" reads on after a colon
    kind = _TYPE_WORDS.get(prop.get("type")) if isinstance(prop.get("type"), str) else None
    if kind:
        return f": '{name}: ' followed by {kind}{described}"
    return described or " (`lii-check schema rules` prints what each key holds)"


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
        return path, False, f"missing key '{name}'{inside}: add it{_what_goes_in(error.schema, name, schema)}"
    if v == "enum":
        options = [str(o) for o in error.validator_value]
        if error.instance is None:  # 'level:' with nothing after it: YAML reads it as None
            return path, False, f"nothing is written after the colon{inside}; write one of: {', '.join(options)}"
        guess = difflib.get_close_matches(str(error.instance), options, n=1)
        hint = f" — did you mean '{guess[0]}'?" if guess else ""
        return path, False, f"'{error.instance}' is not allowed{inside}; use one of: {', '.join(options)}{hint}"
    if v == "const":
        if error.instance is None:
            return path, False, f"nothing is written after the colon{inside}; write '{error.validator_value}'"
        return path, False, f"'{error.instance}' is not allowed{inside}; it must be '{error.validator_value}'"
    if v == "type":
        wanted = error.validator_value
        names = {"array": "a list", "object": "a block of keys", "string": "text", "integer": "a whole number",
                 "number": "a number", "boolean": "true or false"}
        wanted_text = " or ".join(names.get(w, w) for w in (wanted if isinstance(wanted, list) else [wanted]))
        found = {"float": "a number", "int": "a whole number", "str": "text", "dict": "a block of keys",
                 "list": "a list", "bool": "true or false",
                 "NoneType": "empty (nothing after the colon: check the indentation of the lines below it)",
                 }.get(type(error.instance).__name__, type(error.instance).__name__)
        shape = ""
        if wanted == "array" and isinstance(error.instance, dict):
            # The commonest slip: keys written where a list belongs ("remove: {phrases: [embedded]}" by
            # analogy with 'add'). Say what a list looks like, and what 'remove' takes.
            shape = ": one entry per line as '- text' (or on one line as [a, b])"
            if path and path[-1] == "remove":
                shape += "; 'remove' takes the cues' texts alone, e.g. remove: [embedded]"
        if "number" in (wanted if isinstance(wanted, list) else [wanted]) and isinstance(error.instance, str) \
                and re.fullmatch(r"[-+]?[0-9]+(?:\.[0-9]*)?[eE][-+]?[0-9]+", error.instance.strip()):
            # YAML 1.1 reads "1e0" and "1e3" as text (a number with an exponent needs a dot and a signed exponent)
            from decimal import Decimal

            shape = f" (YAML reads '{error.instance.strip()}' as text: write {format(Decimal(error.instance.strip()), 'f')})"
        return path, False, f"this should be {wanted_text}{inside}, not {found}{shape}"
    if v == "pattern":
        desc = error.schema.get("description", f"text matching {error.validator_value}")
        return path, False, f"'{error.instance}' is not in the expected form{inside}: {desc}"
    if v in ("minItems", "minLength", "minProperties"):
        return path, False, f"this is empty{inside}: give at least one entry"
    if v in ("minimum", "maximum", "exclusiveMinimum"):
        bound = {"minimum": "at least", "maximum": "at most", "exclusiveMinimum": "more than"}[v]
        return path, False, f"{error.instance} is out of range{inside}: it must be {bound} {error.validator_value}"
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



# --- a file whose kind cannot be told ----------------------------------------------------------------
# Without a valid 'kind:' the schema checks the file against every kind at once and reports each
# missing key of each kind (21 problems for one misspelt key), none of which is the actual fix.


def rule_file_kinds(schema: dict, others: list[dict] | tuple[dict, ...] = ()) -> dict[str, tuple[str, ...]]:
    """Each kind of rule file the schemas know, with the keys only that kind has (what makes a file one).

    Read from the schemas rather than written out here, so a kind added later (an overlay file with
    its own schema, say) is named by this message without anyone editing it."""
    keys: dict[str, list[str]] = {}

    def ordered(part: dict) -> list[str]:  # the required keys first, as the schema lists them
        required = [k for k in part.get("required", []) if isinstance(k, str)]
        return required + sorted(k for k in part.get("properties", {}) if k not in required)

    defs = schema.get("$defs", {})
    for branch in schema.get("allOf", []):
        kind = branch.get("if", {}).get("properties", {}).get("kind", {}).get("const")
        ref = branch.get("then", {}).get("$ref", "")
        if isinstance(kind, str) and ref.startswith("#/$defs/"):
            keys[kind] = ordered(defs.get(ref.rsplit("/", 1)[1], {}))
    for kind in schema.get("properties", {}).get("kind", {}).get("enum", []):
        keys.setdefault(kind, [])
    for other in others:  # a separate schema for one kind: {"properties": {"kind": {"const": ...}, ...}}
        kind = other.get("properties", {}).get("kind", {}).get("const")
        if isinstance(kind, str) and not keys.get(kind):  # named in the enum, described only here
            keys[kind] = ordered(other)
    shared = {k for kind, ks in keys.items() for k in ks if any(k in o for other, o in keys.items() if other != kind)}
    return {kind: tuple(k for k in ks if k not in shared and k != "kind") for kind, ks in keys.items()}


def _likely_kind(data: dict, kinds: dict[str, tuple[str, ...]]) -> str | None:
    """The kind whose own keys the file's keys match best (misspellings count), if any matches at all."""
    scores = {}
    for kind, own in kinds.items():
        scores[kind] = sum(1 for key in data if isinstance(key, str)
                           and (key in own or difflib.get_close_matches(key, own, n=1, cutoff=0.8)))
    best = max(scores.values(), default=0)
    winners = [k for k, s in scores.items() if s == best]
    return winners[0] if best and len(winners) == 1 else None


def _a(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def kind_problem(data: dict, kinds: dict[str, tuple[str, ...]]) -> tuple[list, str] | None:
    """(data path to point at, message) when the file's kind cannot be told; None when it can."""
    kind = data.get("kind")
    if isinstance(kind, str) and kind in kinds:
        return None
    described = "; ".join(f"{_a(k)} {k} file has 'kind: {k}'" + (f" and keys such as {', '.join(own)}" if own else "")
                          for k, own in kinds.items())
    if "kind" not in data:
        start, path = "this file has no 'kind:', so lii-check cannot tell what it describes", []
    else:
        guess = difflib.get_close_matches(str(kind), list(kinds), n=1)
        start = (("nothing is written after 'kind:'" if kind is None else f"'{kind}' is not allowed in 'kind'")
                 + f"; use one of: {', '.join(kinds)}"
                 + (f" — did you mean '{guess[0]}'?" if guess else ""))
        path = ["kind"]
    likely = _likely_kind(data, kinds)
    keys = sorted(str(k) for k in data if k != "kind")
    shown = ", ".join(keys[:6]) + (", …" if len(keys) > 6 else "")
    if likely and "kind" not in data:
        fix = f"its keys ({shown}) look like {_a(likely)} {likely} file: add 'kind: {likely}' as its first line"
    elif likely:
        fix = f"its keys ({shown}) look like {_a(likely)} {likely} file: write 'kind: {likely}'"
    else:
        fix = "write the 'kind:' of the file this is meant to be, then its keys"
    stop = " " if start.endswith("?") else ". "
    return path, f"{start}{stop}{described[0].upper()}{described[1:]}. Here {fix}."


def sibling_kind_schemas() -> list[dict]:
    """The shipped schemas of single kinds of rule file (any `*.schema.json` whose 'kind' is a const)."""
    from importlib import resources

    found = []
    for entry in sorted(resources.files("lii_check").joinpath("schema").iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".schema.json"):
            continue
        try:
            data = json.loads(entry.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and isinstance(data.get("properties", {}).get("kind", {}).get("const"), str):
            found.append(data)
    return found


# --- renamed placeholders -----------------------------------------------------------------------------
# {count} counted the themes with a significant shortfall in a report rule and the cited sentences in
# a theme rule: one name, two meanings. Each now has its own name, by the rule's scope.
RENAMED_PLACEHOLDERS: dict[str, dict[str, str]] = {
    "count": {"report": "themes_with_significant", "theme": "cited"},
}
_MEANING = {"themes_with_significant": "the themes with at least one significant shortfall",
            "cited": "the sentences the finding cites"}


def renamed_placeholder_warnings(expectations, lines_of) -> list[tuple[str, int, int, str]]:
    """(file, line, col, message) for each old placeholder name in a message, naming the new one.

    ``lines_of(file)`` gives a rule file's lines (or None), to point at the placeholder itself rather
    than at the start of its expectation."""
    out = []
    for exp in expectations:
        for old, by_scope in RENAMED_PLACEHOLDERS.items():
            if f"{{{old}}}" not in exp.message:
                continue
            new = by_scope[exp.scope]
            line, col = exp.line, 1
            for number, text in enumerate((lines_of(exp.file) or [])[exp.line - 1:], start=exp.line):
                if f"{{{old}}}" in text:
                    line, col = number, text.index(f"{{{old}}}") + 1
                    break
            kind = "report" if exp.scope == "report" else "theme"
            out.append((exp.file, line, col,
                        f"'{{{old}}}' is an old name in the message of '{exp.id}': in a {kind} rule it counts "
                        f"{_MEANING[new]}; did you mean '{{{new}}}'? (the old name still works for now)"))
    return out
