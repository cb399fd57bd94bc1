"""The lexicon checks itself: cue lists that contradict one another (issue 10 item 3).

Each cue list is reasonable on its own; the trouble comes where two lists meet on the same words.
"Supervision was never cancelled" read as a significant shortfall because "never" was both a negation
word and an absence cue. This module finds such meetings, without any report, by running the
rulebook's own matcher over the rulebook's own texts (every phrase, and every example sentence), and
returns warnings that name both places (file:line). `lii-check rules validate` prints them; they do not
make the rulebook invalid.

What is warned about, and what is not (the design the reading relies on):

- **modifier-is-signal**: a negation, counter, hedging or intention cue and a signal cue match exactly
  the same words. The word then does two jobs at once and the two readings fight ("never").
  Not warned: a counter cue on the words of a positive signal ("In response", "changed"): both say the
  problem was dealt with, so they agree. A modifier inside a longer negative cue ("not yet", "no
  supervision") is how a problem cue owns its negation word; the reading masks it.
- **negation-in-positive-cue**: a negation word inside a positive cue ("without exception", "no late
  remedies"). The positive cue is graded as written, but its negation word still reaches the next cues
  of the clause and flips them ("…without exception were well supported" reads as a shortfall).
- **opposite-cues-overlap**: cues of opposite polarity (strong/good against intention/shortfall/
  significant) match overlapping words. Warned when they match exactly the same words (which one counts
  then depends on the order of their ids) or overlap without one containing the other (both count).
  Not warned: a longer cue that contains a shorter one of the opposite polarity because of a negation
  or counter word it adds ("not consistently" over "consistently"): the longest cue wins by design.
- **example-contradicts-signal**: a signal's own example, read as lii-check reads it, also grades
  another signal of the opposite polarity: a `fires` example whose clause with this signal's cue reads
  as the opposite of what it shows (another clause of a mixed sentence may say the opposite), or a `quiet` example (the contrast case, which must not read as this signal's polarity)
  that reads as this signal's polarity through another signal's cue ("Supervision was monthly and
  rarely cancelled" read as an absence). Not warned: a quiet example read as a neighbouring signal of
  the same theme and polarity ("100% compliance" is not "remedied before escalation", but is praise).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..names import POSITIVE_LEVELS
from .model import Cue, Rulebook, Signal

MODIFIERS = ("negation", "counter", "hedging", "intention")


@dataclass(frozen=True)
class LexiconWarning:
    kind: str  # modifier-is-signal | negation-in-positive-cue | opposite-cues-overlap | example-contradicts-signal
    here: str  # file:line of the first place
    there: str  # file:line of the other place
    message: str

    def __str__(self) -> str:
        return f"{self.here}: warning: {self.message} (other place: {self.there})"


def _polarity(level: str) -> str:
    return "positive" if level in POSITIVE_LEVELS else "negative"


def _probes(rulebook: Rulebook) -> list[str]:
    """Every text the rulebook itself supplies: phrases as written, and every example sentence."""
    texts: list[str] = []
    lang = rulebook.language
    cue_lists = [lang.negation, lang.counter, lang.hedging, lang.intention] + [s.cues for s in rulebook.signals()]
    for cues in cue_lists:
        for cue in cues.cues:
            texts += [cue.text.replace("*", "")] if cue.kind == "phrase" else regex_samples(cue.regex)
    for signal in rulebook.signals():
        for kind in ("fires", "quiet", "todo"):
            texts += signal.examples.get(kind, [])
    for block in rulebook.language.examples.values():
        for items in block.values():
            texts += items
    for exp in rulebook.expectations():
        for items in exp.examples.values():
            texts += [item["text"] for item in items if isinstance(item, dict) and isinstance(item.get("text"), str)]
    return sorted(set(t for t in texts if t.strip()))


def _quote(text: str, start: int, end: int) -> str:
    return text[start:end].strip()


def check_lexicon(rulebook: Rulebook) -> list[LexiconWarning]:
    """Every clash between the rulebook's cue lists, each naming both places; sorted, without repeats."""
    from ..compiled import compile_rulebook_once
    from ..reading import clauses, judge, sentence_hits
    from ..matcher import fold

    compiled = compile_rulebook_once(rulebook)
    patterns = compiled.patterns
    found: dict[tuple, LexiconWarning] = {}

    def add(kind: str, a: Cue | str, b: Cue | str, message: str) -> None:
        here = a.origin if isinstance(a, Cue) else a
        there = b.origin if isinstance(b, Cue) else b
        if kind == "opposite-cues-overlap" and _place(there) < _place(here):
            here, there = there, here  # one warning per pair of places, whichever text showed it
        found.setdefault((kind, here, there), LexiconWarning(kind, here, there, message))

    for text in _probes(rulebook):
        hits = [(s, e, patterns[pid]) for s, e, pid in compiled.matcher.scan(fold(text))]
        modifiers = [h for h in hits if h[2].family in MODIFIERS]
        signals = [(s, e, p, compiled.signal_of[p.pid]) for s, e, p in hits if p.family == "signal"]
        for ms, me, mp in modifiers:
            for ss, se, sp, sig in signals:
                words = _quote(text, ss, se)
                if (ms, me) == (ss, se):
                    if mp.family == "counter" and sig.level in POSITIVE_LEVELS:
                        continue  # "In response", "changed": both read as the problem being dealt with
                    add("modifier-is-signal", mp.cue, sp.cue,
                        f"'{words}' is both a {mp.family} cue and a cue of signal '{sig.key}' ({sig.level}): "
                        f"the same words do two jobs and the two readings can contradict each other "
                        f"(as a {mp.family} cue it changes how the words near it read; as a signal it is "
                        f"{sig.level} evidence itself): remove the words from one of the two lists (from the "
                        f"base's list, in an overlay, with 'remove:')")
                elif (mp.family == "negation" and sig.level in POSITIVE_LEVELS and ss <= ms and me <= se):
                    add("negation-in-positive-cue", sp.cue, mp.cue,
                        f"the {sig.level} cue '{words}' of signal '{sig.key}' contains the negation word "
                        f"'{_quote(text, ms, me)}', which also negates the cues after it in the clause; "
                        f"reword the cue, or list the phrase under the negation's 'unless' if its negation "
                        f"word negates nothing else")
        for i, (s1, e1, p1, g1) in enumerate(signals):
            for s2, e2, p2, g2 in signals[i + 1:]:
                if _polarity(g1.level) == _polarity(g2.level) or not (s1 < e2 and s2 < e1):
                    continue
                same = (s1, e1) == (s2, e2)
                if not same and ((s1 <= s2 and e2 <= e1) or (s2 <= s1 and e1 <= e2)):
                    continue  # "not consistently" over "consistently": the longer cue wins, as designed
                if not same and any(_owns(a, b, ms, me) or _owns(b, a, ms, me)
                                    for ms, me, mp in modifiers if mp.family in ("negation", "counter")
                                    for a, b in [((s1, e1), (s2, e2))]):
                    continue  # "no late" + "late remedies": the negation in one cue turns the other, both agree
                how = "match exactly" if same else "overlap on"
                add("opposite-cues-overlap", p1.cue, p2.cue,
                    f"'{g1.key}' ({g1.level}) and '{g2.key}' ({g2.level}) {how} the words "
                    f"'{_quote(text, min(s1, s2), max(e1, e2))}': cues of opposite polarity on the same words")

    for signal in rulebook.signals():
        for kind in ("fires", "quiet"):
            for n, example in enumerate(signal.examples.get(kind, [])):
                lines = signal.example_lines.get(kind, [])
                where = f"{signal.file}:{lines[n] if n < len(lines) else signal.line}"
                for other, level, cue, words in _graded_elsewhere(example, signal, compiled, sentence_hits, clauses, judge,
                                                                  fold, own_clause_only=kind == "fires"):
                    # a fires example must not also read as the opposite; a quiet example must not read as
                    # this signal's own polarity through another signal
                    want_opposite = kind == "fires"
                    if (_polarity(level) != _polarity(signal.level)) != want_opposite:
                        continue
                    if kind == "quiet" and other.theme is not None and other.theme == signal.theme:
                        continue  # a neighbour in the same theme ("remedies complied" vs "before escalation")
                    if kind == "fires":
                        said = f"shows '{signal.key}' ({signal.level}) but is also read as"
                    else:
                        said = (f"must not read as '{signal.key}' ({_polarity(signal.level)}), but is read as")
                    add("example-contradicts-signal", where, cue,
                        f"the {kind} example \"{example.strip()}\" {said} '{other.key}' ({level}) through the "
                        f"words '{words}'")
    return sorted(found.values(), key=lambda w: (_place(w.here), _place(w.there), w.kind, w.message))


def _place(origin: str) -> tuple[str, int]:
    file, _, line = origin.rpartition(":")
    return (file, int(line)) if line.isdigit() else (origin, 0)


def _graded_elsewhere(example: str, signal: Signal, compiled, sentence_hits, clauses, judge, fold,
                      own_clause_only: bool = False):
    """(other signal, level, its cue, the words) for each clause of the example read as another signal."""
    sh = sentence_hits(example, compiled)
    # A theme's signal is read for its theme; a language signal for the themes the example is about.
    themes = [signal.theme] if signal.theme else sorted({t for _, _, t in sh.topics}) or ["general"]
    out = []
    for theme in themes:
        by_id, cue_at = {}, {}
        for s, e, pid in compiled.matcher.scan(fold(example)):
            p = compiled.patterns[pid]
            sig = compiled.signal_of.get(pid)
            if p.family == "signal" and sig is not None and sig.theme in (None, theme):
                by_id.setdefault(sig.id, sig)
                cue_at.setdefault((sig.id, example[s:e]), p.cue)
        for cstart, cend in clauses(sh):
            if own_clause_only and not any(h[2].key == signal.key and cstart <= h[0] and h[1] <= cend
                                           for h in sh.signals):
                continue  # another clause of a mixed sentence may praise what this one criticises
            # What the clause is read as in the end (its most serious negative, else strongest positive):
            # a cue that is graded but outweighed in its clause does not change the reading.
            j = judge(sh, cstart, cend, theme, compiled)
            if j.signal is None or j.signal.id == signal.id or j.signal.id not in by_id:
                continue
            if any(negated for _level, cue_text, _sid, negated in j.graded if cue_text == j.cue):
                continue  # a negated cue reads as its opposite on purpose ("not yet embedded")
            cue = cue_at.get((j.signal.id, j.cue))
            if cue is not None:
                out.append((by_id[j.signal.id], j.level, cue, j.cue))
    return out


def _owns(a: tuple[int, int], b: tuple[int, int], ms: int, me: int) -> bool:
    """Does the modifier [ms, me) lie inside cue span a, before and outside cue span b?"""
    return a[0] <= ms and me <= a[1] and me <= b[0]


def regex_samples(regex: str, limit: int = 40) -> list[str]:
    """Short texts the regex matches: the first branch of every alternation, the first character of a
    class and the fewest repeats, then each other branch in turn with the rest left at their first.
    Enough to show where two lists meet on the same words, without enumerating every combination."""
    try:
        import re._parser as sre_parse  # type: ignore[import-not-found]
    except ImportError:  # Python 3.10
        import sre_parse  # type: ignore[no-redef]
    try:
        tree = sre_parse.parse(regex)
    except Exception:  # noqa: BLE001 - load.py has already refused what does not parse
        return []
    out: list[str] = []
    for text in _samples(tree):
        text = " ".join(text.split())
        if text and text not in out:
            out.append(text)
    return out[:limit]


def _samples(node) -> list[str]:
    """Samples of a sequence: [all first choices] + [one position varied at a time]."""
    per = [_item_samples(op, arg) for op, arg in node]
    base = [p[0] for p in per]
    out = ["".join(base)]
    for i, variants in enumerate(per):
        for v in variants[1:]:
            out.append("".join(base[:i] + [v] + base[i + 1:]))
    return out


def _item_samples(op, arg) -> list[str]:
    name = str(op)
    if name == "LITERAL":
        return [chr(arg)]
    if name == "ANY":
        return ["x"]
    if name == "NOT_LITERAL":
        return ["x" if arg != ord("x") else "y"]
    if name == "IN":
        return [_first_of_class(arg)]
    if name == "BRANCH":
        return [t for alt in arg[1] for t in _samples(alt)]
    if name == "SUBPATTERN":
        return _samples(arg[-1])
    if name in ("MAX_REPEAT", "MIN_REPEAT"):
        lo, _hi, body = arg
        return [t * lo for t in _samples(body)] if lo else [""]
    if name == "CATEGORY":
        return [{"CATEGORY_DIGIT": "1", "CATEGORY_SPACE": " "}.get(str(arg), "a")]
    return [""]  # AT (\\b, ^, $) adds no characters


def _first_of_class(items) -> str:
    for op, arg in items:
        name = str(op)
        if name == "NEGATE":
            return "x"
        if name == "LITERAL":
            return chr(arg)
        if name == "RANGE":
            return chr(arg[0])
        if name == "CATEGORY":
            return {"CATEGORY_DIGIT": "1", "CATEGORY_SPACE": " "}.get(str(arg), "a")
    return "x"
