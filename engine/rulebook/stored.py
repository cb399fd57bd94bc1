"""A loaded rulebook as JSON and back, for the cache (cache.py).

The cache folder is a path anyone can point lii-check at (`LII_CHECK_CACHE_DIR`, `XDG_CACHE_HOME`), so
what is read back from it must be data only: a pickle found there would run whatever code it names.
This form names nothing but the rulebook's own dataclasses, rebuilt field by field; anything else in an
entry (another class, a missing or extra field) is refused and the rulebook is loaded from its files.
"""
from __future__ import annotations

import dataclasses
import json
import types
import typing
from typing import Any, Callable

from .model import Cue, CueList, Expectation, Language, Rulebook, Scoring, Signal, Theme

_CLASSES = {cls.__name__: cls for cls in (Cue, CueList, Expectation, Language, Rulebook, Scoring, Signal, Theme)}
_FIELDS = {name: frozenset(f.name for f in dataclasses.fields(cls)) for name, cls in _CLASSES.items()}
# Markers of what JSON has no type for. A mapping with string keys none of which starts with "$" is
# stored as itself (nearly all of them); any other mapping as a list of pairs.
_CLASS, _TUPLE, _SET, _PAIRS = "$", "$t", "$s", "$d"


class NotARulebook(ValueError):
    """A cache entry that is not a rulebook this code wrote."""


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and type(value).__name__ in _CLASSES:
        return {_CLASS: type(value).__name__,
                "f": {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    if isinstance(value, tuple):
        return {_TUPLE: [_encode(v) for v in value]}
    if isinstance(value, frozenset):
        return {_SET: sorted(_encode(v) for v in value)}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("$") for k in value):
            return {k: _encode(v) for k, v in value.items()}
        return {_PAIRS: [[_encode(k), _encode(v)] for k, v in value.items()]}
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    raise TypeError(f"cannot store a {type(value).__name__} in the rulebook cache")


def _decode(value: dict) -> Any:
    """One JSON object, its contents already decoded (json's object_hook works inside out)."""
    if _CLASS in value:
        name, fields = value.get(_CLASS), value.get("f")
        if name not in _CLASSES or not isinstance(fields, dict) or set(fields) != _FIELDS[name] or len(value) != 2:
            raise NotARulebook(f"unexpected object {name!r}")
        checks = _CHECKS[name]
        for k, v in fields.items():
            if not checks[k](v):
                raise NotARulebook(f"{name}.{k} is not of its type")
        return _CLASSES[name](**fields)
    if _TUPLE in value:
        return tuple(_only(value, _TUPLE))
    if _SET in value:
        return frozenset(_only(value, _SET))
    if _PAIRS in value:
        pairs = _only(value, _PAIRS)
        if not all(isinstance(p, list) and len(p) == 2 for p in pairs):
            raise NotARulebook("unexpected pairs")
        return {k: v for k, v in pairs}
    return value


def _checker(hint: Any) -> Callable[[Any], bool]:
    """A test of 'is this value of the annotated type?', made once per annotation of the model."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return lambda v: True
    if origin in (typing.Union, types.UnionType):
        options = [_checker(a) for a in args]
        return lambda v: any(ok(v) for ok in options)
    if hint is type(None):
        return lambda v: v is None
    if hint in (int, float):
        kinds = (int,) if hint is int else (int, float)
        return lambda v: isinstance(v, kinds) and not isinstance(v, bool)
    if origin is None:
        return lambda v: isinstance(v, hint)
    if origin in (list, frozenset) or (origin is tuple and len(args) == 2 and args[1] is Ellipsis):
        item = _checker(args[0])
        return lambda v: isinstance(v, origin) and all(item(x) for x in v)
    if origin is tuple:
        items = [_checker(a) for a in args]
        return lambda v: isinstance(v, tuple) and len(v) == len(items) and all(ok(x) for ok, x in zip(items, v))
    if origin is dict:
        key, value = _checker(args[0]), _checker(args[1])
        return lambda v: isinstance(v, dict) and all(key(k) and value(x) for k, x in v.items())
    return lambda v: isinstance(v, origin)


_CHECKS = {name: {k: _checker(h) for k, h in typing.get_type_hints(cls).items() if k in _FIELDS[name]}
           for name, cls in _CLASSES.items()}


def _only(value: dict, marker: str) -> list:
    items = value[marker]
    if len(value) != 1 or not isinstance(items, list):
        raise NotARulebook(f"unexpected {marker} entry")
    return items


def dumps(rulebook: Rulebook) -> bytes:
    return json.dumps(_encode(rulebook), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def loads(data: bytes) -> Rulebook:
    """The rulebook stored by `dumps`; NotARulebook (a ValueError) for anything else."""
    try:
        loaded = json.loads(data, object_hook=_decode)
    except (TypeError, RecursionError) as exc:  # a field of the wrong kind, a nesting no rulebook has
        raise NotARulebook(str(exc)) from None
    if not isinstance(loaded, Rulebook):
        raise NotARulebook("not a rulebook")
    return loaded
