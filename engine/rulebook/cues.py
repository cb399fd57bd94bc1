"""Phrases and regular expressions in rule files: turning a phrase into a regex, and refusing what
cannot run in guaranteed linear time.

Every cue runs through a linear-time matcher (hyperscan, or RE2), so a rule such as ``(a+)+$``
can never hang a CI run. What those engines cannot do — look-arounds, back-references, atomic
groups — is refused here with a message saying what to write instead.
"""
from __future__ import annotations

import contextlib
import functools
import os
import re
import warnings

try:  # Python 3.11+
    import re._parser as sre_parse  # type: ignore[import-not-found]
except ImportError:  # Python 3.10
    import sre_parse  # type: ignore[no-redef]

_REFUSED = {
    "ASSERT": "a look-ahead or look-behind ('(?=…)', '(?<=…)')",
    "ASSERT_NOT": "a negative look-ahead or look-behind ('(?!…)', '(?<!…)')",
    "GROUPREF": "a back-reference ('\\1')",
    "GROUPREF_EXISTS": "a conditional group ('(?(1)…)')",
    "ATOMIC_GROUP": "an atomic group ('(?>…)')",
    "POSSESSIVE_REPEAT": "a possessive repeat ('*+', '++')",
}
_INSTEAD = {
    "ASSERT_NOT": "list the exception under 'unless:' in the same block instead (e.g. "
                  "unless: {phrases: [not only]} beside the cue 'not')",
    "ASSERT": "match the surrounding words as part of the cue instead",
}


def phrase_pattern(phrase: str) -> str:
    """A plain phrase as a regex: any case, whole words, flexible spaces and hyphens, word* wildcard."""
    words = []
    for word in phrase.strip().split():
        star = word.endswith("*")
        body = re.escape(word.rstrip("*")).replace("'", "['’]").replace("\\-", "[\\s-]?")
        words.append(body + (r"\w*" if star else ""))
    start = r"\b" if re.match(r"\w", phrase.strip()) else ""
    end = r"\b" if re.search(r"\w$", phrase.strip()) else ""
    return start + r"[\s-]+".join(words) + end


def _walk(node) -> list[str]:
    """Names of every opcode in a parsed regex, nested groups, repeats and branches included."""
    names: list[str] = []
    if isinstance(node, sre_parse.SubPattern):
        for op, arg in node:
            names.append(str(op))
            names.extend(_walk(arg))
    elif isinstance(node, (list, tuple)):
        for item in node:
            names.extend(_walk(item))
    return names


@contextlib.contextmanager
def _quiet_stderr():
    """RE2 logs parse errors straight to file descriptor 2; we report them ourselves, located."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


# The longest bundled cue is under 1,000 characters. One far longer (a 140 KB alternation) exhausts RE2's memory
# for its automaton, which then prints thousands of "DFA out of memory" lines naming no file.
MAX_REGEX_CHARS = 5_000


@functools.lru_cache(maxsize=8192)
def regex_problem(regex: str, as_written: str, kind: str) -> str | None:
    """Why this cue cannot be used, in words a QA lead can act on; None if it is fine."""
    if len(as_written) > MAX_REGEX_CHARS:
        return (f"the regular expression starting '{as_written[:60]}…' is {len(as_written):,} characters long, more "
                f"than the {MAX_REGEX_CHARS:,} a cue may be: split it into several shorter cues")
    from ..matcher import _fold_char  # here: the matcher imports the rulebook's model

    foreign = sorted({ch for ch in as_written if ch.isalpha() and not ch.isascii() and _fold_char(ch) == "x"})
    if foreign:
        # The matcher reads letters of scripts it cannot fold to Latin ones as 'x': "优秀" would be "xx" and match any
        # two-letter word of any such script, and "XX" in "appendix XX".
        return (f"'{as_written}' has letters lii-check cannot read ({''.join(foreign[:5])}): it reads reports as Latin "
                "letters (accents and look-alike letters folded), so these would match words of any other script; "
                "write the cue in English")
    try:
        with warnings.catch_warnings():
            # Python warns (and reads it its own way) where a future version, RE2 and hyperscan read a set
            # differently: "[[:alpha:]]" is to Python a set of "[", ":" and letters followed by "]", to the others
            # "a letter". A cue must mean one thing in every engine, so the warning is the rule file's problem.
            warnings.simplefilter("error", FutureWarning)
            compiled = re.compile(regex, re.IGNORECASE)
    except FutureWarning as exc:
        return (f"'{as_written}' holds a set that regular-expression engines read differently ({exc}; a POSIX class "
                "such as [[:alpha:]] or a '[' inside a set): write the characters out, e.g. [a-z] for a letter, or "
                "escape the '[' as \\[")
    except re.error as exc:
        return (f"the regular expression '{as_written}' is invalid ({exc.msg}); fix it or write it as a "
                "plain phrase")
    if compiled.search("") is not None:
        return f"'{as_written}' matches empty text, so it would match every sentence; make it more specific"
    try:
        widest = sre_parse.parse(regex).getwidth()[1]
    except Exception:  # noqa: BLE001 - re accepted it; the width only feeds this check
        widest = 1
    if widest == 0:  # '\b', '^$': a position, never a word; the matchers drop empty matches, so it never fires
        return (f"'{as_written}' can only match empty text (a word boundary or an anchor, no characters), so it "
                "never finds anything; write the words it should match")
    try:
        ops = _walk(sre_parse.parse(regex))
    except Exception:  # noqa: BLE001 - re accepted it, so the parse only feeds this check
        ops = []
    for op in ops:
        if op in _REFUSED:
            instead = _INSTEAD.get(op, "rewrite it without it")
            return (f"'{as_written}' uses {_REFUSED[op]}, which cannot run in guaranteed linear time, so "
                    f"lii-check does not accept it: {instead}")
    try:
        import re2  # noqa: PLC0415 - only needed to check a rule file
    except ImportError:
        return None
    options = re2.Options()
    options.case_sensitive = False
    with _quiet_stderr():
        try:
            re2.compile(regex, options)
        except Exception as exc:  # noqa: BLE001 - re2 raises its own error type
            reason = str(exc).strip("b'\"")
            return (f"'{as_written}' uses something the linear-time engines lii-check runs cues with (RE2 and "
                    f"hyperscan) do not support ({reason}); rewrite it more simply, with plain words, sets and groups")
    return None


def cue_regex(text: str, kind: str) -> str:
    return phrase_pattern(text) if kind == "phrase" else text
