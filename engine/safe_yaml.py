"""The one YAML loader lii-check uses: rule files, configuration and report front matter.

PyYAML's safe loader never runs code, but it still trusts the *shape* of a document: an alias
shares the node it names, so a "billion laughs" file of nine aliases per level composes in
microseconds and then expands to 10^9 nodes in whatever walks it (schema validation, duplicate-key
checks, printing), and an alias inside its own anchor (``&a [*a]``) builds a cycle that ends in a
RecursionError. Both are refused here, while the document is composed, at the alias that causes
them, so every caller gets a located message instead of a hang or an internal error.
"""
from __future__ import annotations

import re
import sys
from typing import Any

import yaml

# The largest bundled rule file (language.yaml) is about 700 nodes; over a hundred times that is room
# for any hand-written file and is still walked (schema, duplicate keys) in well under a second.
MAX_EXPANDED_NODES = 100_000
# Rule files nest about 6 levels; the composer and constructor recurse once per level.
MAX_DEPTH = 100


class YamlProblem(Exception):
    """A YAML document that cannot be used, located at a 1-based line and column."""

    def __init__(self, line: int, col: int, message: str, syntax: bool = False):
        super().__init__(f"{line}:{col}: {message}")
        self.line = line
        self.col = col
        self.message = message
        self.syntax = syntax  # a slip in the YAML itself, as opposed to a value or shape lii-check refuses


def _at(mark: yaml.Mark | None) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


class _Bounds:
    """Counts nodes as aliases would expand them and refuses recursion, while composing: mixed into a loader
    before its Composer."""

    def _start_counting(self) -> None:
        self._expanded = 0
        self._through_aliases = 0  # the part of _expanded that aliases added
        self._depth = 0
        self._open: set[str] = set()  # anchors whose node is still being composed
        self._sizes: dict[str, int] = {}  # anchor -> expanded size of its node

    def _grow(self, amount: int, mark: yaml.Mark, alias: bool = False) -> None:
        self._expanded += amount
        if alias:
            self._through_aliases += amount
        if self._expanded > MAX_EXPANDED_NODES:
            if self._through_aliases * 2 >= self._expanded:
                raise YamlProblem(*_at(mark), f"the aliases here expand the document beyond {MAX_EXPANDED_NODES:,} "
                                              "values (a 'billion laughs' document?): write the values out instead")
            # A long file written out by hand or by a script: nothing hostile, just more than is read.
            raise YamlProblem(*_at(mark), f"the file holds more than {MAX_EXPANDED_NODES:,} values (list items, "
                                          "keys and values), the most lii-check reads from one YAML file: shorten "
                                          "its lists or split it into several files")

    def compose_node(self, parent: Any, index: Any) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            if event.anchor in self._open:
                raise YamlProblem(*_at(event.start_mark), f"the alias *{event.anchor} is used inside the value it "
                                                          "names (a recursive alias): it can never be written out")
            self._grow(self._sizes.get(event.anchor, 1), event.start_mark, alias=True)
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise YamlProblem(*_at(event.start_mark), f"the document nests deeper than {MAX_DEPTH} levels")
        anchor = getattr(event, "anchor", None)
        before = self._expanded
        self._grow(1, event.start_mark)
        if anchor is not None:
            self._open.add(anchor)
        node = super().compose_node(parent, index)
        if anchor is not None:
            self._open.discard(anchor)
            self._sizes[anchor] = self._expanded - before
        self._depth -= 1
        return node


class _BoundedLoader(_Bounds, yaml.SafeLoader):
    """PyYAML's pure-Python safe loader, bounded: the reference, and the one whose messages users see."""

    def __init__(self, text: str):
        super().__init__(text)
        self._start_counting()


_FastLoader: type | None = None
if getattr(yaml, "__with_libyaml__", False):
    from yaml._yaml import CParser
    from yaml.composer import Composer
    from yaml.constructor import SafeConstructor
    from yaml.resolver import Resolver

    class _FastLoader(_Bounds, Composer, CParser, SafeConstructor, Resolver):  # type: ignore[no-redef]
        """libyaml's scanner and parser (C) under the same Python composer, bounds, constructor and resolver:
        reading the bundled rule files takes a sixth of the time. Composer before CParser, so that nodes are
        composed here, through _Bounds, not in C. Used only for documents it reads without any complaint;
        anything else is read again by _BoundedLoader, so every message stays PyYAML's own."""

        def __init__(self, text: str):
            CParser.__init__(self, text)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            Composer.__init__(self)
            self._start_counting()

        def compose_scalar_node(self, anchor: str | None) -> yaml.Node:
            event = self.peek_event()
            if event.value == "" and not event.style:
                # An empty value (`id:` with nothing after it): libyaml places it at the next token, often on
                # the next line, where PyYAML places it after the colon; a message about it must name its line.
                raise _NotPlain
            return super().compose_scalar_node(anchor)


class _NotPlain(Exception):
    """A document the fast path leaves to the reference loader."""


# What PyYAML's reader refuses (libyaml's list is nearly the same), tabs, which PyYAML refuses in places
# libyaml allows ("a\t"), and byte order marks, which libyaml skips anywhere and PyYAML reads as text past the
# start: a document holding any of these goes straight to the reference loader. So does a block scalar's header
# with a "#" straight after it ("|#"): libyaml reads an empty text, PyYAML refuses it (a comment needs a space).
_NOT_FOR_LIBYAML = re.compile(yaml.reader.Reader.NON_PRINTABLE.pattern[:-1] + "]|[\t\ufeff]|[|>][-+0-9]*#")


def _fast_load(text: str) -> tuple[Any, yaml.Node | None] | None:
    """(data, node) as load_yaml gives them, read through libyaml; None when libyaml is missing or the
    document is anything but plainly readable (load_yaml then reads it the reference way)."""
    if _FastLoader is None or _NOT_FOR_LIBYAML.search(text):
        return None
    loader = None
    try:
        loader = _FastLoader(text)
        node = loader.get_single_node()
        return (None, None) if node is None else (loader.construct_document(node), node)
    except Exception:  # noqa: BLE001 - any complaint at all: the reference loader reads it and words it
        return None
    finally:
        if loader is not None:
            loader.dispose()


def value_problem(exc: Exception) -> str:
    """Why a value could not be built, in the words of the file's author (Python's own advice for its integer
    limit, "use sys.set_int_max_str_digits()", is not for them)."""
    if "integer string conversion" in str(exc):
        return f"a number of more than {sys.get_int_max_str_digits():,} digits, longer than any value lii-check reads"
    return str(exc)


def _failing_scalar(root: yaml.Node) -> yaml.Node:
    """The first scalar that cannot be built on its own, to point at; else the root."""
    builder = yaml.SafeLoader("")
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            try:
                builder.construct_object(node, deep=True)
            except Exception:  # noqa: BLE001 - any failure is the one being located
                return node
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            stack.extend(reversed([n for pair in node.value for n in pair]))
    return root


def load_yaml(text: str) -> tuple[Any, yaml.Node | None]:
    """(data, composed root node) of a single YAML document; (None, None) when it is empty.

    Raises YamlProblem for invalid YAML, more than one document, unsafe tags, values PyYAML cannot
    build (such as the date 2024-02-30), oversized alias expansion, recursion and deep nesting.
    """
    fast = _fast_load(text)
    if fast is not None:
        return fast
    loader = None
    try:
        loader = _BoundedLoader(text)
        node = loader.get_single_node()
        if node is None:
            return None, None
        try:
            data = loader.construct_document(node)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, OverflowError, RecursionError) as exc:
            # e.g. `date: 2024-02-30` is a timestamp by YAML's rules but not a real date.
            raise YamlProblem(*_at(_failing_scalar(node).start_mark), f"a value cannot be read ({value_problem(exc)})") from None
        return data, node
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = (exc.problem or exc.context or "invalid YAML").strip()
        if what.startswith("but ") and exc.context:  # "but found another document"
            what = f"{exc.context.strip()}, {what}"
        syntax = isinstance(exc, (yaml.scanner.ScannerError, yaml.parser.ParserError))
        line, col = _at(mark)
        if "<stream end>" in what or "end of stream" in what:
            # The parser reached the end of the file still inside something: name the last line that has text,
            # not the line after it, and say what is usually open (the parser's own words say neither).
            line, col = max(1, len(text.rstrip().splitlines())), 1
            what = "the file ends inside a list, a block or a quotation: close the '[', '{' or quote left open " \
                   "on or before this line"
        raise YamlProblem(line, col, what, syntax=syntax) from None
    except yaml.reader.ReaderError as exc:  # a control character or undecodable byte in the text
        line = text[: exc.position].count("\n") + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise YamlProblem(line, col, f"the character U+{exc.character:04X} is not allowed in YAML") from None
    except yaml.YAMLError as exc:
        raise YamlProblem(1, 1, str(exc).splitlines()[0] if str(exc) else "invalid YAML") from None
    except RecursionError:
        raise YamlProblem(1, 1, "the document nests too deeply to be read") from None
    finally:
        if loader is not None:
            loader.dispose()


# Report front matter is nearly always a few `key: value` lines (`synthetic: true`, `authority: "…"`), and
# PyYAML's pure-Python loader takes a quarter of a millisecond over each: a national round spends a third
# of its parsing there. A document of only such lines is read here, to exactly the values load_yaml gives.
# (At most 18 digits: a longer number goes to load_yaml, which names it if Python will not build it.)
_FLAT_LINE = re.compile(r'([A-Za-z][A-Za-z0-9_-]*): (?:(true|True|TRUE|false|False|FALSE)|(0|[1-9][0-9]{0,17})|"([^"\\]*)")')
_RESOLVED_KEYS = frozenset({"yes", "no", "on", "off", "true", "false", "null"})  # YAML reads these as bool/null


def load_flat_mapping(text: str) -> dict[str, Any] | None:
    """The mapping of a document made only of `key: value` lines, each key a plain word and each value a
    boolean, a decimal integer or a double-quoted string without escapes; None for any other document,
    which the caller then reads with load_yaml (with its checks and located messages)."""
    out: dict[str, Any] = {}
    for line in text.split("\n"):
        m = _FLAT_LINE.fullmatch(line)
        if m is None or m.group(1).lower() in _RESOLVED_KEYS:
            return None
        key, flag, number, quoted = m.groups()
        if quoted is not None:
            if not quoted.isprintable():  # tabs, line separators, control characters: YAML's own rules apply
                return None
            out[key] = quoted
        elif number is not None:
            out[key] = int(number)
        else:
            out[key] = flag.lower() == "true"
    return out
