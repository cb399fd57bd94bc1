"""Finding evidence in report text: which theme a clause is about, and what level it shows.

Pure functions over the model and the compiled rulebook. Everything language-specific (cue phrases,
negations, intentions, hedges, clause breaks) comes from the rulebook's YAML, not from here; the
matcher (matcher.py) finds every cue in one pass over the report, and this module reads the hits.

How one sentence is read:
1. It is cut into clauses at the rulebook's clause breaks ("however", "but", ";" …), so a
   negation or a plan in one clause never changes the meaning of the next.
2. Each clause belongs to the themes whose topic words it contains; failing that, to the
   sentence's themes; failing that, to the previous sentence's themes in the same paragraph
   ("This meant people…" continues what came before); failing that, to "general".
3. Cue phrases (signals) are found in the clause. A positive cue with a negation shortly before it
   ("not yet embedded") becomes a shortfall; a negative cue with a negation before it ("no late
   remedies") becomes good. A hedged positive ("may have") is set aside. A clause that states an
   intention ("plans to", "was developing") counts as intention and its positive cues are set
   aside — planned is not delivered.
4. The clause's level is its most serious negative, else its strongest positive. A clause about a
   theme with no cue at all is a plain affirmative statement: good, at the rulebook's
   affirmation weight.

Every step works on hit offsets, with word and comma positions computed once per sentence, so the
time taken grows with the length of the text, never with its square.
"""
from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, fields

from .compiled import CompiledRulebook
from .matcher import fold
from .model import NEGATIVE_LEVELS, Evidence, Report, SetAside
from .rulebook.model import Signal

GENERAL = "general"
_SEVERITY = {"significant": 0, "shortfall": 1, "intention": 2}
_STRENGTH = {"strong": 0, "good": 1}
_PROBLEM = ("shortfall", "significant")
_WORD = re.compile(r"[\w'’]+")
_COMMA = re.compile(",")

Span = tuple[int, int, int]  # (start, end, order in its list)


def _plain(cls: type, names: tuple[str, ...]) -> bool:
    """Is cls the plain frozen dataclass of exactly these fields (nothing run on construction)?"""
    return (tuple(f.name for f in fields(cls)) == names and not hasattr(cls, "__post_init__")
            and "__slots__" not in cls.__dict__)


def _fast_evidence():
    """Evidence(...) without the frozen dataclass's per-field object.__setattr__ (a national round builds
    160,000 of them): the same object, its fields set in one step. Used only while Evidence is the plain
    frozen dataclass of these fields; any other shape gets the real constructor."""
    if not _plain(Evidence, ("theme", "level", "line", "text", "clause", "cue", "signal", "source", "impact",
                             "weight")):
        return Evidence
    new = object.__new__

    def make(theme: str, level: str, line: int, text: str, clause: str, cue: str, signal: str, source: str,
             impact: bool = False, weight: float = 1.0) -> Evidence:
        e = new(Evidence)
        e.__dict__.update(theme=theme, level=level, line=line, text=text, clause=clause, cue=cue, signal=signal,
                          source=source, impact=impact, weight=weight)
        return e
    return make


def _fast_set_aside():
    """SetAside(...) the same way (a 5 MB one-clause report sets aside 200,000 cues)."""
    if not _plain(SetAside, ("theme", "line", "text", "cue", "reason")):
        return SetAside
    new = object.__new__

    def make(theme: str, line: int, text: str, cue: str, reason: str) -> SetAside:
        e = new(SetAside)
        e.__dict__.update(theme=theme, line=line, text=text, cue=cue, reason=reason)
        return e
    return make


_evidence, _set_aside = _fast_evidence(), _fast_set_aside()


@dataclass
class Reading:
    """Everything found in one report."""

    evidence: list[Evidence]
    set_aside: list[SetAside]
    mentions: dict[str, int]


@dataclass
class Judgement:
    """How one clause reads for one theme, with the working shown (for `explain` and rule tests)."""

    level: str | None
    cue: str
    signal: Signal | None
    impact: bool
    set_aside: list[tuple[str, str]]  # (cue, reason)
    graded: list[tuple[str, str, str, bool]]  # (level, cue, signal id, negated?) for every cue found


@dataclass(slots=True)  # slots: one is built for every sentence of every report
class SentenceHits:
    """The cues found in one sentence, by family, with offsets into the sentence."""

    text: str
    breaks: list[int] = field(default_factory=list)
    topics: list[tuple[int, int, str]] = field(default_factory=list)
    sources: set[str] = field(default_factory=set)
    negation: list[Span] = field(default_factory=list)
    counter: list[Span] = field(default_factory=list)
    hedging: list[Span] = field(default_factory=list)
    intention: list[Span] = field(default_factory=list)
    signals: list[tuple[int, int, Signal]] = field(default_factory=list)
    _words: list[tuple[int, int]] | None = None
    _word_starts: array | None = None
    _commas: list[int] | None = None
    _indexes: dict | None = None
    _memo: dict | None = None  # judge's per-cue working, shared by the themes of a clause

    def index(self, family: str) -> "_Index":
        """The family's spans ("negation", "counter", "hedging", "intention"), indexed once per sentence."""
        indexes = self._indexes
        if indexes is None:
            indexes = self._indexes = {}
        found = indexes.get(family)
        if found is None:
            spans = getattr(self, family)
            found = indexes[family] = _Index(spans) if spans else _NO_MASK
        return found

    @property
    def words(self) -> list[tuple[int, int]]:
        if self._words is None:
            self._words = [m.span() for m in _WORD.finditer(self.text)]
        return self._words

    @property
    def word_starts(self) -> array:
        """Where each word starts: bisect over these ints, not over the (start, end) tuples (an array: a
        5 MB sentence has 600,000 words)."""
        if self._word_starts is None:
            self._word_starts = array("q", [w[0] for w in self.words])
        return self._word_starts

    @property
    def commas(self) -> list[int]:
        if self._commas is None:
            self._commas = [m.start() for m in _COMMA.finditer(self.text)] if "," in self.text else []
        return self._commas


def _distribute(hits: list[tuple[int, int, int]], sh: SentenceHits, compiled: CompiledRulebook) -> None:
    kind_of, payload_of = compiled.kind_of, compiled.payload_of
    # Indexed by compiled.KIND_*: signals, topics, (breaks), (sources), negation, counter, hedging, intention.
    lists = (sh.signals, sh.topics, None, None, sh.negation, sh.counter, sh.hedging, sh.intention)
    for start, end, pid in hits:
        kind = kind_of[pid]
        if kind == 2:
            sh.breaks.append(start)
        elif kind == 3:
            sh.sources.add(payload_of[pid])
        else:
            lists[kind].append((start, end, payload_of[pid]))


def sentence_hits(text: str, compiled: CompiledRulebook) -> SentenceHits:
    """Scan one sentence on its own (for rule tests and `explain`-style questions about one sentence)."""
    sh = SentenceHits(text)
    _distribute(compiled.matcher.scan(fold(text)), sh, compiled)
    return sh


def clauses(sh: SentenceHits) -> list[tuple[int, int]]:
    """(start, end) of each clause: the sentence cut at every clause break after its first character."""
    cuts = sorted({b for b in sh.breaks if b > 0})
    out, begin, text = [], 0, sh.text
    for cut in cuts + [len(text)]:
        if text[begin:cut].strip():
            out.append((begin, cut))
        begin = cut
    return out


class _Index:
    """Spans sorted by start: those inside [lo, hi), and 'does any overlap [a, b)?', in log time however
    many there are (a 5 MB one-sentence report has tens of thousands)."""

    def __init__(self, spans: list) -> None:
        self.spans = spans  # (start, end, …) sorted by start
        self.starts = [sp[0] for sp in spans]
        self.max_end = []
        best = -1
        for sp in spans:
            best = max(best, sp[1])
            self.max_end.append(best)

    def inside(self, lo: int, hi: int):
        for k in range(bisect_left(self.starts, lo), bisect_left(self.starts, hi)):
            if self.spans[k][1] <= hi:
                yield self.spans[k]

    def overlaps(self, a: int, b: int, ends_by: int | None = None) -> bool:
        """Does a span (ending by `ends_by`, if given) overlap [a, b)?"""
        k = bisect_left(self.starts, b) - 1
        while k >= 0 and self.max_end[k] > a:
            e = self.spans[k][1]
            if e > a and (ends_by is None or e <= ends_by):
                return True
            k -= 1
        return False


_NO_MASK = _Index([])


def _first(index: _Index, lo: int, hi: int, mask: _Index = _NO_MASK, mask_by: int | None = None) -> tuple[int, int] | None:
    """The span of the first-listed cue lying wholly in [lo, hi) (its leftmost match), avoiding masked spans."""
    best = None
    for s, e, order in index.inside(lo, hi):
        if mask.spans and mask.overlaps(s, e, mask_by):
            continue
        if best is None or (order, s) < best[0]:
            best = ((order, s), (s, e))
    return best[1] if best else None


def _preceded_by(sh: SentenceHits, index: _Index, cstart: int, start: int, window: int,
                 mask: _Index = _NO_MASK) -> str | None:
    """The cue in `index` within `window` words before `start` (same clause, not across a comma).

    Spans in `mask` (other cues ending before this one) do not count as words and hide any cue inside
    them: the "no" of "no learning plan" belongs to that cue and must not also negate the next one."""
    if not index.spans:
        return None
    words = sh.words
    i = bisect_left(sh.word_starts, start)  # words starting before the cue
    picked = 0
    lo = cstart
    while i > 0 and picked < window:
        i -= 1
        ws, we = words[i]
        if ws < cstart:
            break
        if mask.spans and mask.overlaps(ws, min(we, start), start):
            continue
        picked += 1
        lo = ws
    if not picked:
        return None
    if picked < window:
        lo = cstart
    # A negation's reach ends at a comma: "needed no long-term care, compared with 48% before".
    commas = sh.commas
    j = bisect_left(commas, start) - 1
    while j >= 0 and commas[j] >= lo:
        c = commas[j]
        if not (mask.spans and mask.overlaps(c, c + 1, start)):
            lo = c + 1
            break
        j -= 1
    found = _first(index, lo, start, mask, start)
    return sh.text[found[0]:found[1]] if found else None


def _mask_reaches(sh: SentenceHits, mask: _Index, cstart: int, start: int, window: int) -> bool:
    """Could `mask` change what _preceded_by(…, cstart, start, window, mask) finds? Only through a span
    ending after the first of the `window` words before `start` (or after cstart, when there are fewer):
    with none there, no word, comma or cue it looks at is masked, so the answer is the unmasked one."""
    if not mask.spans:
        return False
    words = sh.words
    k = bisect_left(sh.word_starts, start) - window
    lo = words[k][0] if k >= 0 and words[k][0] >= cstart else cstart
    return mask.overlaps(lo, start, start)


def _followed_by(sh: SentenceHits, index: _Index, end: int, cend: int, window: int) -> str | None:
    if not index.spans:
        return None
    words = sh.words
    i = bisect_left(sh.word_starts, end)
    taken = [w for w in words[i:i + window] if w[1] <= cend]
    if not taken:
        return None
    found = _first(index, end, taken[-1][1])
    return sh.text[found[0]:found[1]] if found else None


def _longest_first(h: tuple[int, int, Signal]) -> tuple[int, int, str]:
    return h[0], h[0] - h[1], h[2].id


def _longest(raw: list[tuple[int, int, Signal]], presorted: bool = False) -> list[tuple[int, int, Signal]]:
    # A longer cue wins over a shorter one inside it ("not yet embedded" over "embedded"). Sorted by start
    # and then longest first, a hit is inside an earlier one exactly when it ends by the furthest end so far.
    # `presorted`: raw is in that order already (judge sorts a clause's hits once for all its themes).
    if len(raw) < 2:
        return list(raw)
    if not presorted:
        raw = sorted(raw, key=_longest_first)
    kept: list[tuple[int, int, Signal]] = []
    furthest = -1
    for hit in raw:
        if hit[1] <= furthest:
            continue
        kept.append(hit)
        furthest = hit[1]
    # Kept hits start and end strictly later than the one before, so they are in (start, end) order already.
    return kept


def judge(sh: SentenceHits, cstart: int, cend: int, theme: str, compiled: CompiledRulebook,
          signals: list[tuple[int, int, Signal]] | None = None) -> Judgement:
    """How the clause [cstart, cend) of a sentence reads for one theme. `signals`: the signal hits inside
    the clause, when the caller has them already (find_evidence buckets them once per sentence)."""
    lang = compiled.language
    text = sh.text
    found = _first(sh.index("intention"), cstart, cend) if sh.intention else None
    intention = text[found[0]:found[1]] if found else None
    if signals is None:
        signals = [h for h in sh.signals if cstart <= h[0] and h[1] <= cend]
    graded: list[tuple[str, str, Signal | None, bool, bool]] = []  # level, cue, signal, impact, negated
    aside: list[tuple[str, str]] = []
    if sh._memo is None:
        sh._memo = {}
    memo = sh._memo.get((cstart, cend))
    if memo is None:  # (the clause's hits sorted for _longest, their themes, mask ids, each cue's working)
        ordered = sorted(signals, key=_longest_first)
        memo = sh._memo[(cstart, cend)] = (ordered, [h[2].theme for h in ordered], {}, {})
    ordered, owners, masks, worked = memo
    hits = _longest([h for h, owner in zip(ordered, owners) if owner is None or owner == theme], presorted=True)
    # Only problem cues own their negation word ("no … plan"); see _preceded_by.
    problem_spans = [(h[0], h[1]) for h in hits if h[2].level in _PROBLEM]
    problems = _Index(problem_spans) if problem_spans else _NO_MASK
    negation, counter = sh.index("negation"), sh.index("counter")
    # What negates or hedges a cue depends on the clause, the cue's span and (for a problem) the other
    # problem cues, not on the theme: a clause judged for several themes works each cue out once.
    mask_id = masks.setdefault(tuple(problem_spans), len(masks))
    for start, end, signal in hits:
        level = signal.level
        cue = text[start:end]
        problem = level in _PROBLEM
        # A problem's mask (the other problem cues) matters only if one ends among the words before it.
        masked = problem and _mask_reaches(sh, problems, cstart, start, lang.negation_window)
        key = (start, end, mask_id if masked else (-3 if problem else (-1 if level in _STRENGTH else -2)))
        known = worked.get(key)
        if known is None:
            # Another cue's own negation ("no … plan") does not also negate a later problem ("training had
            # been cancelled"); a positive after any negation ("not consistently … in all teams") is negated.
            negator = _preceded_by(sh, negation, cstart, start, lang.negation_window,
                                   problems if masked else _NO_MASK)
            if problem and not negator:
                negator = (_preceded_by(sh, counter, cstart, start, 3)
                           or _followed_by(sh, counter, end, cend, 6))
            hedge = None
            if not negator and level in _STRENGTH:
                hedge = _preceded_by(sh, sh.index("hedging"), cstart, start, 6)
            known = worked[key] = (negator, hedge)
        negator, hedge = known
        if negator:
            # A negated strength is a shortfall ("not yet embedded"); a negated problem is good news
            # ("no late remedies", "delays were reduced").
            flipped = "shortfall" if level in _STRENGTH else "good"
            graded.append((flipped, f"{negator} … {cue}", signal, False, True))
            continue
        if level in _STRENGTH:
            if hedge:
                aside.append((cue, f"hedged: '{hedge}'"))
                continue
            if intention:
                aside.append((cue, f"intention, not delivery: '{intention}'"))
                continue
        graded.append((level, cue, signal, signal.impact, False))
    if intention and not any(g[0] in _PROBLEM for g in graded):
        graded.append(("intention", intention, None, False, False))
    shown = [(g[0], g[1], g[2].id if g[2] else "intention", g[4]) for g in graded]
    negatives = [g for g in graded if g[0] in NEGATIVE_LEVELS]
    if negatives:
        best = min(negatives, key=lambda g: _SEVERITY[g[0]])
        for g in graded:
            if g[0] in _STRENGTH:
                aside.append((g[1], f"outweighed in the same clause by '{best[1]}'"))
        return Judgement(best[0], best[1], best[2], False, aside, shown)
    positives = [g for g in graded if g[0] in _STRENGTH]
    if positives:
        best = min(positives, key=lambda g: _STRENGTH[g[0]])
        return Judgement(best[0], best[1], best[2], any(g[3] for g in positives), aside, shown)
    return Judgement(None, "", None, False, aside, shown)


def _report_hits(report: Report, compiled: CompiledRulebook):
    """Scan every evidence sentence of a report in one pass; yield each paragraph's [(sentence, hits)]."""
    paragraphs = [para for section in report.sections for para in section.paragraphs if not para.boilerplate]
    sentences = [s for para in paragraphs for s in para.sentences]
    ends, at = [], 0
    for sentence in sentences:
        at += len(sentence.text)
        ends.append(at)
        at += 1
    per_line = compiled.matcher.scan_lines("\n".join(fold(s.text) for s in sentences), ends) if sentences else []
    k = 0
    for para in paragraphs:
        row = []
        for sentence in para.sentences:
            # Every list passed in: a dataclass default_factory per field costs more than the hits.
            sh = SentenceHits(sentence.text, [], [], set(), [], [], [], [], [])
            if per_line[k]:
                _distribute(per_line[k], sh, compiled)
            row.append((sentence, sh))
            k += 1
        yield row


def _bucket(sh: SentenceHits, spans: list[tuple[int, int]]) -> list[tuple[list, bool, set[str]]]:
    """Per clause: its signal hits, whether it has an intention cue, and its topic themes — each hit
    placed once (a hit counts for a clause only if it lies wholly inside it)."""
    if len(spans) == 1 and spans[0] == (0, len(sh.text)):  # one clause, the whole sentence: every hit is in it
        return [(list(sh.signals), bool(sh.intention), {theme for _, _, theme in sh.topics})]
    starts = [c[0] for c in spans]
    out: list[tuple[list, bool, set[str]]] = [([], False, set()) for _ in spans]

    def clause_of(start: int, end: int) -> int | None:
        k = bisect_right(starts, start) - 1
        return k if k >= 0 and end <= spans[k][1] else None

    for hit in sh.signals:
        k = clause_of(hit[0], hit[1])
        if k is not None:
            out[k][0].append(hit)
    for s, e, _order in sh.intention:
        k = clause_of(s, e)
        if k is not None:
            out[k] = (out[k][0], True, out[k][2])
    for s, e, theme in sh.topics:
        k = clause_of(s, e)
        if k is not None:
            out[k][2].add(theme)
    return out


def find_evidence(report: Report, compiled: CompiledRulebook) -> Reading:
    rulebook = compiled.rulebook
    order = compiled.theme_order
    evidence: list[Evidence] = []
    set_aside: list[SetAside] = []
    mentions: dict[str, int] = {t.id: 0 for t in rulebook.themes}
    affirmation = rulebook.scoring.affirmation_weight
    for row in _report_hits(report, compiled):
        carry: list[str] = []
        for sentence, sh in row:
            if not (sh.topics or sh.signals or sh.intention):
                continue  # nothing to read, and no themes to carry forward
            sentence_themes = sorted({theme for _, _, theme in sh.topics}, key=order.__getitem__)
            for t in sentence_themes:
                mentions[t] += 1
            source = "+".join(sorted(sh.sources)) if sh.sources else "unattributed"
            spans = clauses(sh)
            per_clause = _bucket(sh, spans)
            for (cstart, cend), (signals, intentions, topics) in zip(spans, per_clause):
                clause_themes = sorted(topics, key=order.__getitem__)
                themes = clause_themes or sentence_themes or carry or [GENERAL]
                clause = sh.text[cstart:cend].strip()
                quiet = not signals and not intentions  # no cue: only a plain affirmative statement can come of it
                # A plain statement of absence ("There were no arrangements for group supervision",
                # "Staff were not given time to train") has no cue word, but its negation makes it criticism.
                negated = next((sh.text[s:e] for s, e, _o in sh.index("negation").inside(cstart, cend)), None) \
                    if sh.negation else None
                for theme in themes:
                    if quiet:  # no cue at all: only a plain statement, affirmative or negated, can come of it
                        if theme in clause_themes and negated:
                            evidence.append(_evidence(
                                theme=theme, level="shortfall", line=sentence.line, text=sentence.text, clause=clause,
                                cue=f"{negated} (a plain statement of absence)", signal="negated-statement",
                                source=source, impact=False, weight=1.0))
                        elif theme in clause_themes and affirmation:
                            evidence.append(_evidence(
                                theme=theme, level="good", line=sentence.line, text=sentence.text, clause=clause,
                                cue="(affirmative statement)", signal="affirmation", source=source, impact=False,
                                weight=affirmation))
                        continue
                    j = judge(sh, cstart, cend, theme, compiled, signals)
                    level, cue, signal, impact = j.level, j.cue, j.signal, j.impact
                    for cue_text, reason in j.set_aside:
                        set_aside.append(_set_aside(theme, sentence.line, sentence.text, cue_text, reason))
                    weight = 1.0
                    if level is None:
                        # An affirmative sentence about a theme, with no cue either way, is weak
                        # positive evidence: inspectors describe what exists and works.
                        if theme not in clause_themes or affirmation == 0:
                            continue
                        level, cue, weight = "good", "(affirmative statement)", affirmation
                    evidence.append(_evidence(
                        theme=theme, level=level, line=sentence.line, text=sentence.text,
                        clause=clause, cue=cue,
                        signal=signal.id if signal else ("intention" if level == "intention" else "affirmation"),
                        source=source, impact=impact, weight=weight,
                    ))
            if sentence_themes:
                carry = sentence_themes
    return Reading(evidence=evidence, set_aside=set_aside, mentions=mentions)
