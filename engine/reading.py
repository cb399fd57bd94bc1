"""Reading a report: which theme each clause is about, and what level of evidence it shows.

Pure functions over the model and the compiled rulebook. The cue phrases, negations, intentions,
hedges, clause breaks and attributions come from the rulebook's YAML; the matcher (matcher.py) finds
every one of them in one pass over the report, and this module reads the hits. A few small patterns
still live here, not in the rulebook, because each reads a structure rather than a phrase: a figure
against its comparator (_FIGURE_PAIR, with the measure words that say which way is better), a
sentence-initial concession (_CONCESSION) and one person's reported view (_ONE_VOICE). They run only
on clauses that could hold them, and are linear in practice (bounded repeats, no nested quantifiers).

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
   affirmation weight; with a negation it is a plain statement of absence: a shortfall.
5. Readings no list of cues can give (each in its own small function below): a figure against its
   comparator or target is read by direction (figure_against_comparator); a negation opening a clause
   negates its whole subject (_negated_subject); a problem answered by the council's response, in the
   clause or later in the sentence, is set aside (_answered_problem, _answered_later); a sentence-initial
   concession is its own clause and is outweighed by delivered praise (concession_end,
   _concession_outweighed); a strong word in one person's or only leaders' mouth reads as good
   (_one_voice, _claimed_only_by_leaders).

Every step works on hit offsets, with word and comma positions computed once per sentence, so the
time taken grows with the length of the text, never with its square.
"""
from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, fields

from .compiled import KIND_BREAK, KIND_SOURCE, CompiledRulebook
from .matcher import fold
from .model import Evidence, Report, SetAside
from .names import MOST_SERIOUS_FIRST, NEGATIVE_LEVELS
from .rulebook.model import CueList, Signal

GENERAL = "general"
_SEVERITY = {level: rank for rank, level in enumerate(MOST_SERIOUS_FIRST)}
_STRENGTH = {"strong": 0, "good": 1}
_PROBLEM = ("shortfall", "significant")
_WORD = re.compile(r"[\w'’]+")
_APOSTROPHES = re.compile("['’]")
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
        if kind == KIND_BREAK:
            sh.breaks.append(start)
        elif kind == KIND_SOURCE:
            sh.sources.add(payload_of[pid])
        else:
            lists[kind].append((start, end, payload_of[pid]))


def sentence_hits(text: str, compiled: CompiledRulebook) -> SentenceHits:
    """Scan one sentence on its own (for rule tests and `explain`-style questions about one sentence)."""
    sh = SentenceHits(text)
    _distribute(compiled.matcher.scan(fold(text)), sh, compiled)
    return sh


# "Having found that …, it …": a problem the council found and then acted on opens the sentence the way a
# concession does, and is outweighed the same way by what it did. So does one its own audit or review found ("After an
# audit found that people's words were missing from many plans, teams …"): then even an absence is outweighed, because
# finding it was the council's own learning.
_OWN_FINDING = (r"after (?:an?|the|its|their|a recent|the council's|the local authority's) (?:[\w'’-]+ ){0,3}?"
                r"(?:audits?|reviews?|survey|analysis|evaluation|inspection|dip sample|deep dive) (?:had )?"
                r"(?:found|showed|shown|identified|highlighted|revealed)")
_OWN_FINDING_RE = re.compile(_OWN_FINDING + r"\b", re.IGNORECASE)
_CONCESSION = re.compile(r"(?:although|though|while|whilst|despite|whereas|even though|having (?:found|identified|"
                         r"learned|learnt|recognised|recognized|noticed|seen|heard|been told)|" + _OWN_FINDING + r")\b",
                         re.IGNORECASE)


def concession_end(text: str) -> int | None:
    """Where a sentence-initial concession ("Although remedial actions were not always specific, …")
    ends: at its first comma. The clause breaks cut before a pivot word inside a sentence; one that
    opens the sentence has no break before it, so without this its concession and main clause would be
    read as one clause and the conceded problem would always win."""
    if not _CONCESSION.match(text):
        return None
    comma = text.find(",")
    return comma + 1 if comma > 0 else None


_UNKNOWN = -1


def clauses(sh: SentenceHits, conceded: int | None = _UNKNOWN) -> list[tuple[int, int]]:
    """(start, end) of each clause: the sentence cut at every clause break after its first character.
    `conceded`: concession_end(sh.text), when the caller has it already."""
    if conceded == _UNKNOWN:
        conceded = concession_end(sh.text)
    if not sh.breaks and not conceded:
        return [(0, len(sh.text))] if sh.text.strip() else []
    cuts = sorted({b for b in sh.breaks if b > 0} | ({conceded} if conceded else set()))
    out, begin, text = [], 0, sh.text
    for cut in cuts + [len(text)]:
        piece = text[begin:cut]
        if piece.strip():
            if out and out[-1][1] == begin and not any(ch.isalnum() for ch in piece):
                # Punctuation alone (the concession's comma when a break starts on it: "…forum, however,
                # its members…") belongs to the clause before it, not to a clause of its own.
                out[-1] = (out[-1][0], cut)
            else:
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
                 mask: _Index = _NO_MASK, own_clause: bool = False) -> str | None:
    """The cue in `index` within `window` words before `start` (same clause, not across a comma).

    Spans in `mask` (other cues ending before this one) do not count as words and hide any cue inside
    them: the "no" of "no learning plan" belongs to that cue and must not also negate the next one."""
    starts = index.starts
    k = bisect_left(starts, cstart)
    if k == len(starts) or starts[k] >= start:
        return None  # no such cue between the clause's start and this one (no need to count words)
    words = sh.words
    i = bisect_left(sh.word_starts, start)  # words starting before the cue
    picked = 0
    lo = cstart
    # Masked words are passed over without counting, but never more than a few windows' worth: a clause made of
    # thousands of masked cues ("not embedded not embedded …") walked back over all of them for every cue, and
    # a 50 KB clause took seconds (quadratic). Ordinary text never comes near the cap.
    budget = window * 8
    reached = True  # the walk reached the clause's start (or ran out of words) rather than the cap
    while i > 0 and picked < window:
        if budget == 0:
            reached = False
            break
        budget -= 1
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
    if picked < window and reached:
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
    # …and at an "and" that opens a new statement, with its own subject and verb: "Training was not discussed
    # and supervision had been cancelled" (the subject and verb may follow the cue's first word).
    if " and " in sh.text[lo:start]:
        last = None
        for m in _NEW_STATEMENT.finditer(sh.text, lo, min(len(sh.text), start + 80)):
            if m.start() >= start:
                break
            last = m
        if last is not None:
            lo = last.start() + 4
    if own_clause:
        # …and, for a problem, at a subordinate clause: in "capacity was not assessed when people refused care" the
        # "not" is the assessing's, and the refusal is still a refusal.
        for m in _SUBORDINATOR.finditer(sh.text, lo, start):
            if _NONE_OF_THESE.search(sh.text, max(lo, m.start() - 40), m.start()):
                continue  # "no cases where people had waited": the negation reaches into the clause it names
            lo = m.end()
    found = _first(index, lo, start, mask, start)
    return sh.text[found[0]:found[1]] if found else None


_OPENING_CONJUNCTIONS = frozenset({"but", "and", "yet", "so", "although", "though", "while", "whilst", "whereas"})
_OPENING_PREPOSITIONS = frozenset({"in", "at", "on", "of", "for", "among", "amongst", "across"})
_QUESTION = re.compile(r"\?[)\]]*\s*$")  # the sentence's own question ("… asking 'what changed?'" is quoted)
# A short sentence that says the one before it was not so: "We found that none of this was true.", "This was not what we
# found.", "The data showed the opposite.", "We saw no evidence of this." See _refute for what is set aside.
_REFUTES_PREVIOUS = re.compile(
    r"\b(?:none of (?:this|it|these|that|them|which) (?:was|were|had been) (?:true|so|the case|borne out|evident|"
    r"reflected)|(?:this|that|it) (?:was|were) not (?:what we (?:found|saw|heard)|borne out|true|the case|reflected in "
    r"(?:practice|what we (?:found|saw|heard))|so|our experience|what (?:staff|people|carers|partners) (?:told us|"
    r"described))|not what we (?:found|saw|heard)|(?:showed|suggested|told us|said) the opposite|the opposite was (?:true|"
    r"the case)|(?:no|little) evidence (?:of|for) (?:this|it|that|these|them)|did not (?:recognise|support|bear out|"
    r"reflect|see|find|agree with) (?:this|it|that|these|them)(?: in (?:the |our |any )?(?:[\w'’-]+ ){0,3}?(?:files|case "
    r"files|records|evidence|cases|visits?|interviews|conversations|work) (?:we |that we )?(?:reviewed|saw|looked at|"
    r"sampled|read|had))?|(?:our findings|the evidence|the records|the files|the data) did not (?:bear (?:this|it|that) "
    r"out|support (?:this|it|that))|(?:in practice|in reality),? (?:they|it|this|that|these|staff|people) (?:did|was|were|"
    r"had|could) not|(?:few|none|little|not one|hardly any) of (?:the )?(?:[\w'’-]+ ){0,5}?(?:reflected|supported|bore out|"
    r"showed|matched) (?:this|it|that)|(?:staff|people|carers|partners|practitioners)(?: we (?:spoke|met) (?:to|with))? (?:disagreed|did "
    r"not agree|told us otherwise|said otherwise)|we could not (?:verify|confirm|corroborate) (?:this|it|that))"
    # The whole verdict ends the sentence: "This was not the case in the hospital team" qualifies, it does not refute,
    # and "no evidence of that culture being undermined" is about something else.
    r"\s*[.!;:)\"'’”]*\s*$", re.IGNORECASE)
_REFUTES_WITHIN_WORDS = 20  # a longer sentence has findings of its own, not only a verdict on the one before
# An identical sentence said again is the same evidence: counted once (a pasted paragraph, or a sentence repeated to
# lift the score). Short stock sentences ("This was an exception.") are too common to mean repetition.
_REPEAT_MIN_WORDS = 6
# What a repeat is compared by: its words alone, so punctuation, emphasis, quotation marks, a "> " or a "(1)" dressed
# round the same sentence do not make it a new one.
_NOT_A_WORD = re.compile(r"(?:[^\w]|_|\b\d{1,2}\b)+")
# A reason a negated subject does not reach past. Not "when" or "after": in "None of the carers we met when we
# visited had seen their feedback acted on" the negation still governs what follows.
_REASON = re.compile(r"\b(?:because|as a result of|thanks to|due to|owing to|so that)\b", re.IGNORECASE)
_NONE_OF_THESE = re.compile(r"\b(?:cases|instances|examples|occasions|times|situations|evidence|sign|signs|record|"
                            r"reports?|complaints?|one|anyone|nobody|none)\s*$", re.IGNORECASE)
_SUBORDINATOR = re.compile(r"\b(?:when|whenever|because|if|unless|until|where|after)\b", re.IGNORECASE)
_NEW_STATEMENT = re.compile(r"\band (?:the |its |their |a |an |some |most |all |many |staff |people |leaders |partners )?"
                            r"(?:[\w'’-]+ ){0,2}?(?:had|has|have|was|were|is|are) ", re.IGNORECASE)


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


# A figure set against its comparator or target: "24%, compared with a regional average of 11%",
# "98% of sessions took place, against a target of 90%". The rulebook's cues cannot compare two numbers,
# so this is read here; which way is better depends on the measure named in the clause.
_FIGURE_PAIR = re.compile(
    r"(\d+(?:\.\d+)?)\s?(?:%|per ?cent)[^.;]{0,80}?\b(?:compared (?:with|to)|against|versus|vs\.?|than|above|below|under|over)\s"
    r"(?:an? |the |its |their )?(?:[\w'’-]+ ){0,4}?(?:averages?|targets?|benchmarks?|standards?|expectations?|figures?|rates?)"
    r"\s(?:of\s)?(?:around |about |some )?(\d+(?:\.\d+)?)\s?(?:%|per ?cent)", re.IGNORECASE)
# Measures where a higher figure is worse; for any other measure (completion, compliance, retention,
# satisfaction, remedies before the Ombudsman) a higher figure is better, and a word naming one of those
# wins ("12% of complaints were remedied before the Ombudsman was involved" is about remedies).
_HIGHER_IS_BETTER = re.compile(
    r"\b(?:remed\w*|complian\w*|complied|complet\w*|retention|retained|satisf\w*|on time|within|took place|"
    r"supervised|attended|attendance|agreed|recommend\w*|response rate|up to date)\b", re.IGNORECASE)
_LOWER_IS_BETTER = re.compile(
    r"\b(?:vacanc\w*|turnover|agency|wait\w*|upheld|uphold|fault|complaints?|sickness|absence|delay\w*|backlogs?|"
    r"readmi\w*|leavers|leaving|caseloads?|late)\b", re.IGNORECASE)
# A time taken set against its standard: "answered in 41 working days on average, against a standard of 20". The gap
# before the comparator holds no other figure ("fell from 96 days to 21 days, against a target of 28" reads the 21), and
# the units of both sides are compared as days.
_DURATION_PAIR = re.compile(
    r"(\d+(?:\.\d+)?)\s(?:working |calendar )?(days?|weeks?|months?|years?)\b[^.;0-9]{0,80}?\b(?:compared (?:with|to)|"
    r"against|versus|vs\.?|than|above|below|under|over)\s(?:an? |the |its |their )?(?:[\w'’-]+ ){0,4}?(?:averages?|targets?|"
    r"benchmarks?|standards?|expectations?|timescales?|figures?)\s(?:of\s)?(?:around |about |some )?(\d+(?:\.\d+)?)"
    r"(?:\s(?:working |calendar )?(days?|weeks?|months?|years?))?\b", re.IGNORECASE)
_DAYS = {"day": 1.0, "week": 7.0, "month": 30.4, "year": 365.0}
# The same with the standard written as an adjective: "120 days on average, well beyond the 28-day standard"
_DURATION_ADJ = re.compile(
    r"(\d+(?:\.\d+)?)\s(?:working |calendar )?(days?|weeks?|months?)\b[^.;0-9]{0,60}?\b(?:beyond|exceeding|exceeded|over|"
    r"above|outside|against|versus|compared with|within|inside|under|below)\s(?:the |a |its |their )?(?:council's |own )?"
    r"(\d+(?:\.\d+)?)[- ](?:working[- ])?(day|week|month)s?[- ](?:standard|target|timescale|limit|deadline|maximum)\b",
    re.IGNORECASE)
# A time is lower-is-better only when the clause says it is a time taken (a wait, a response, a delay): time given
# ("30 days of protected learning time", "12 months of mentoring") is better the longer it is.
_TIME_TAKEN = re.compile(r"\b(?:wait\w*|delay\w*|took|take[sn]?|taking|answered|responded|respon(?:se|ses|d)|turnaround|"
                         r"backlogs?|to (?:complete|respond|answer|allocate|assess|review|resolve|decide|pay)|within|"
                         r"late|overdue|outstanding|queue\w*|allocat\w*)\b", re.IGNORECASE)
# A rank among peers: "the training budget per head was the lowest of the councils in the region".
_RANK = re.compile(
    r"\b(lowest|highest|worst|slowest|longest|best|fastest|shortest)\b[^.;]{0,40}?\b(?:of|in|among|amongst|"
    r"across) (?:the |all |its |any )?(?:[\w'’-]+ ){0,3}?(?:councils|authorities|region|council|country|england|"
    r"comparators?|neighbours|peers|directorates|departments|similar)\b", re.IGNORECASE)
def _time_against_standard(clause: str) -> re.Match | None:
    """A time taken set against its standard. In "N days … against a standard of M" the clause must say the time is
    one taken (a wait, a response): time given ("30 days of protected learning time") or a period counted over ("over
    the past 6 months") is better the longer it is, or neither. "N days … beyond the M-day standard" names a standard
    for a time taken in itself."""
    m = _DURATION_PAIR.search(clause)
    if m:
        return m if _TIME_TAKEN.search(clause[:m.end()]) else None
    return _DURATION_ADJ.search(clause)


# A place in a ranking: "ranked 148th out of 153", "placed 14th of 15 councils": in the lower half is a shortfall, in
# the top quarter good news (a ranking of the council's performance, as the words say; which way is "first" is the
# ranking's own)
_ORDINAL = re.compile(r"\b(?:ranked|placed|came|was|finished|stood)\s(?:[\w'’-]+ ){0,2}?(\d{1,3})(?:st|nd|rd|th)\s(?:of|out of)\s"
                      r"(\d{1,3})\b", re.IGNORECASE)
_RANK_BAD = ("worst", "slowest")
_RANK_GOOD = ("best", "fastest")
# The place's circumstances, not its performance: "the highest levels of deprivation in the region", "the fastest
# growing population", "the poorest communities"
_RANK_CONTEXT = re.compile(r"\b(?:deprivation|deprived|population|growing|demand|needs?|poverty|communities|"
                           r"diverse|diversity|older|ageing|aging|rural|urban|density|funded|funding)\b", re.IGNORECASE)


def _figure_signal(level: str) -> Signal:
    return Signal(id="figure-against-comparator", theme=None, level=level,
                  description="A figure read by its direction against the comparator or target in the same clause.",
                  framework="", impact=False, cues=CueList(), examples={}, file="engine/reading.py", line=0)


_FIGURE_SIGNALS = {level: _figure_signal(level) for level in ("good", "shortfall", "significant")}


def figure_against_comparator(clause: str) -> tuple[str, str] | None:
    """(level, cue) of a figure set against a comparator or target in the clause, read by direction: on the
    wrong side is a shortfall, more than double a comparator where lower is better (or under half of one
    where higher is better) is significant, on the right side is good. A share (%) or a time taken (days,
    weeks, months: lower is better) is paired with its comparator; with neither, a rank among peers ("the
    lowest in the region") is read the same way. None when the clause has no such pair or rank."""
    lowered = clause.lower()
    m = _FIGURE_PAIR.search(clause) if "%" in clause or "cent" in lowered else None  # the costly patterns run
    if m:                                                                             # only where they can match
        named = clause[:m.end()]
        lower_better = bool(_LOWER_IS_BETTER.search(named)) and not _HIGHER_IS_BETTER.search(named)
        value, comparator = float(m.group(1)), float(m.group(2))
    elif "day" in lowered or "week" in lowered or "month" in lowered or "year" in lowered:
        m = _time_against_standard(clause)
        if m:  # a time taken, both sides in days ("within 6 weeks, against a target of 28 days"): lower is better
            lower_better = True
            value = float(m.group(1)) * _DAYS[m.group(2).lower().rstrip("s")]
            comparator = float(m.group(3)) * _DAYS[(m.group(4) or m.group(2)).lower().rstrip("s")]
    if m:
        if value == comparator:
            return None
        worse = value > comparator if lower_better else value < comparator
        if not worse:
            return "good", m.group(0)
        far = value > 2 * comparator if lower_better else value < comparator / 2
        return ("significant" if far else "shortfall"), m.group(0)
    ordinal = _ORDINAL.search(clause) if ("th " in lowered or "st " in lowered or "nd " in lowered or "rd " in lowered) else None
    if ordinal and 0 < int(ordinal.group(1)) <= int(ordinal.group(2)):
        place, of = int(ordinal.group(1)), int(ordinal.group(2))
        if place > of / 2:
            return "shortfall", ordinal.group(0)
        if place <= of / 4:
            return "good", ordinal.group(0)
    rank = _RANK.search(clause) if ("est " in lowered or "worst" in lowered or "est-" in lowered) else None
    # the circumstance may be the rank's subject too: "Deprivation was the highest in the region"
    if not rank or _RANK_CONTEXT.search(clause, max(0, rank.start() - 40), rank.end()):
        return None
    word = rank.group(1).lower()
    if word in _RANK_BAD or word in _RANK_GOOD:
        worse = word in _RANK_BAD
    else:  # lowest/highest, shortest/longest: which is worse depends on the measure the clause names, before or after
        lower_better = bool(_LOWER_IS_BETTER.search(clause)) and not _HIGHER_IS_BETTER.search(clause)
        worse = (word in ("lowest", "shortest")) != lower_better
    return ("shortfall" if worse else "good"), rank.group(0)


# Signals that report the council's answer to a problem: what it changed, or what it has begun or plans.
_RESPONSES = ("delivered-change", "impact", "impact-measured")


def _answered_problem(text: str, cstart: int, cend: int, hits: list[tuple[int, int, Signal]],
                      graded: list, intention_at: tuple[int, int] | None) -> list[tuple[str, str]]:
    """A problem reported and then answered in the same clause ("When concerns were raised about provider
    performance, the council introduced targeted monitoring"; "people said the letters were confusing,
    so the council reworded them"): the council's response decides, so the problem is set aside and the
    response (good, or intention when only begun or planned) is what the clause says. Only a shortfall
    is answered this way: an absence or failure (significant) is not lifted by a response, and a
    problem reported after the response ("remedies were completed, although one was late") still counts.
    The response must be set off from the problem by a comma: "Only 2 of the 14 recommendations had been
    completed" and "had yet to be fully implemented" qualify the delivery itself, they answer nothing."""
    problems = [(s, e, text[s:e]) for s, e, sig in hits if sig.level == "shortfall"]
    if not problems or any(g[0] == "significant" for g in graded):
        return []
    responses = [s for s, _e, sig in hits if sig.id in _RESPONSES]
    if intention_at:
        responses.append(intention_at[0])
    last_problem = max(e for _s, e, _cue in problems)
    # A response after the last problem, set off by a comma; a problem after every response keeps the last
    # word (no response then lies after the last problem, so this test refuses it too).
    if not any(r >= last_problem and "," in text[last_problem:r] for r in responses):
        return []
    return [(cue, "answered by the council's response in the same clause") for _s, _e, cue in problems]


def _negated_subject(sh: SentenceHits, negation: _Index, cstart: int, cend: int) -> tuple[int, int, int] | None:
    """The negation that opens a clause ("Nobody in the teams we visited had gone more than six weeks without
    supervision", "No one we spoke with described a blame culture"): it negates the clause's subject, so
    it reaches every cue of the clause up to the first comma (or an "and" that opens a statement of its own),
    however many words away.
    (start, end, reach) of that negation, or None."""
    k = bisect_left(negation.starts, cstart)
    if k == len(negation.starts) or negation.starts[k] >= cend:
        return None  # no negation in the clause: nothing to find (and no need to list the sentence's words)
    words = sh.words
    i = bisect_left(words, (cstart, -1))
    # Words that are not letters ("2023:", "(a)") are passed over to find the clause's first word; a possessive
    # ("Nobody's") is a word of letters.
    while i < len(words) and words[i][0] < cend and not _APOSTROPHES.sub("", sh.text[words[i][0]:words[i][1]]).isalpha():
        i += 1
    # A conjunction the clause opens with is not its subject: "…, but no audit findings had been acted on"; nor is a
    # preposition before the negation ("In none of these cases had…", "At no point were…").
    if i < len(words) and words[i][0] < cend and sh.text[words[i][0]:words[i][1]].lower() in _OPENING_CONJUNCTIONS:
        i += 1
    if i < len(words) and words[i][0] < cend and sh.text[words[i][0]:words[i][1]].lower() in _OPENING_PREPOSITIONS:
        i += 1
    if i >= len(words) or words[i][0] >= cend:
        return None
    first = words[i][0]
    found = next(((a, b) for a, b, _order in negation.inside(first, cend) if a == first), None)
    if not found:
        return None
    comma = sh.text.find(",", found[1], cend)
    reach = cend if comma < 0 else comma
    # Nor past an "and" that opens a statement of its own ("No complaints were upheld and staff praised the process"),
    # nor past a clause giving a reason ("No complaint went unanswered because the team had embedded …").
    later = _NEW_STATEMENT.search(sh.text, found[1], reach)
    reach = later.start() if later else reach
    reason = _REASON.search(sh.text, found[1], reach)
    return found[0], found[1], reason.start() if reason else reach


def judge(sh: SentenceHits, cstart: int, cend: int, theme: str, compiled: CompiledRulebook,
          signals: list[tuple[int, int, Signal]] | None = None, want_aside: bool = True) -> Judgement:
    """How the clause [cstart, cend) of a sentence reads for one theme. `signals`: the signal hits inside
    the clause, when the caller has them already (find_evidence buckets them once per sentence).
    `want_aside=False`: the Judgement's set_aside stays empty (nothing else changes), for a caller that
    shows no discounted cues; a 5 MB clause discounts hundreds of thousands.

    A clause is judged once per theme it belongs to, and most of the working is the clause's, not the
    theme's: it is kept in the sentence's memo, and two themes that see the same cues share one Judgement
    (callers only read it)."""
    if sh._memo is None:
        sh._memo = {}
    memo = sh._memo.get((cstart, cend))
    if memo is None:
        memo = sh._memo[(cstart, cend)] = _ClauseMemo(sh, cstart, cend, signals)
    kept = tuple(i for i, owner in enumerate(memo.owners) if owner is None or owner == theme)
    judged = memo.judged.get((kept, want_aside))
    if judged is None:
        judged = memo.judged[(kept, want_aside)] = _judge(sh, cstart, cend, compiled, memo,
                                                          [memo.ordered[i] for i in kept], want_aside)
    return judged


class _ClauseMemo:
    """The working of one clause that does not depend on the theme it is judged for."""

    __slots__ = ("ordered", "owners", "intention_at", "subject", "figure", "masks", "worked", "judged")

    def __init__(self, sh: SentenceHits, cstart: int, cend: int,
                 signals: list[tuple[int, int, Signal]] | None) -> None:
        if signals is None:
            signals = [h for h in sh.signals if cstart <= h[0] and h[1] <= cend]
        self.ordered = sorted(signals, key=_longest_first)  # the order _longest needs
        self.owners = [h[2].theme for h in self.ordered]
        self.intention_at = _first(sh.index("intention"), cstart, cend) if sh.intention else None
        # The clause's own readings, the same for every theme: its negated subject and its figure.
        self.subject = _negated_subject(sh, sh.index("negation"), cstart, cend)
        self.figure = figure_against_comparator(sh.text[cstart:cend])
        self.masks: dict[tuple, int] = {}
        self.worked: dict[tuple, tuple[str | None, str | None]] = {}
        self.judged: dict[tuple[tuple[int, ...], bool], Judgement] = {}


def _judge(sh: SentenceHits, cstart: int, cend: int, compiled: CompiledRulebook, memo: _ClauseMemo,
           own: list[tuple[int, int, Signal]], want_aside: bool = True) -> Judgement:
    lang = compiled.language
    text = sh.text
    found = memo.intention_at
    intention = text[found[0]:found[1]] if found else None
    graded: list[tuple[str, str, Signal | None, bool, bool]] = []  # level, cue, signal, impact, negated
    aside: list[tuple[str, str]] = []
    subject, figure, worked = memo.subject, memo.figure, memo.worked
    hits = _longest(own, presorted=True)
    # Only problem cues own their negation word ("no … plan"); see _preceded_by.
    problem_spans = [(h[0], h[1]) for h in hits if h[2].level in _PROBLEM]
    problem_ends = [e for _s, e in problem_spans]  # ascending: _longest keeps hits that end strictly later
    problems: _Index | None = None  # indexed on first use: most clauses never need it
    negation = sh.index("negation")
    # What negates or hedges a cue depends on the clause, the cue's span and (for a problem) the other
    # problem cues, not on the theme: a clause judged for several themes works each cue out once. Whatever
    # decides a cue's negator or hedge must therefore be computed inside `if known is None` from the clause
    # and the cue's span only (the negated subject is the clause's, worked out once in _ClauseMemo).
    mask_id = memo.masks.setdefault(tuple(problem_spans), len(memo.masks)) if problem_spans else -4
    not_delivered = f"intention, not delivery: '{intention}'"
    window = lang.negation_window
    words: list[tuple[int, int]] = []
    word_starts = None  # the sentence's words, listed only if a mask needs them
    for start, end, signal in hits:
        level = signal.level
        problem = level in _PROBLEM
        # A problem's mask (the other problem cues) can change what _preceded_by finds only through a cue
        # ending after the first of the `window` words before this one (or after cstart, when there are
        # fewer) and by `start`: with none there, no word, comma or cue it looks at is masked. The ends
        # ascend, so the last one by `start` is the only one to look at. (Inline: the 5 MB clause asks
        # this 120,000 times.)
        masked = False
        if problem:
            j = bisect_right(problem_ends, start) - 1
            if j >= 0 and problem_ends[j] > cstart:
                if word_starts is None:
                    words, word_starts = sh.words, sh.word_starts
                k = bisect_left(word_starts, start) - window
                masked = problem_ends[j] > (words[k][0] if k >= 0 and words[k][0] >= cstart else cstart)
        key = (start, end, mask_id if masked else (-3 if problem else (-1 if level in _STRENGTH else -2)))
        known = worked.get(key)
        if known is None:
            # Another cue's own negation ("no … plan") does not also negate a later problem ("training had
            # been cancelled"); a positive after any negation ("not consistently … in all teams") is negated.
            if masked and problems is None:
                problems = _Index(problem_spans)
            negator = _preceded_by(sh, negation, cstart, start, window, problems if masked else _NO_MASK, problem)
            if not negator and subject and subject[1] <= start and end <= subject[2]:
                # The clause's subject is negated ("None of the carers we met had seen their feedback acted on"):
                # every cue of its statement is, however many words away.
                negator = text[subject[0]:subject[1]]
            if problem and not negator:
                counter = sh.index("counter")
                before, after = lang.counter_window
                negator = (_preceded_by(sh, counter, cstart, start, before)
                           or _followed_by(sh, counter, end, cend, after))
            hedge = None
            if not negator and level in _STRENGTH:
                hedge = _preceded_by(sh, sh.index("hedging"), cstart, start, lang.hedging_window)
            known = worked[key] = (negator, hedge)
        negator, hedge = known
        if negator:
            # A negated strength is a shortfall ("not yet embedded"); a negated problem is good news
            # ("no late remedies", "delays were reduced").
            flipped = "shortfall" if level in _STRENGTH else "good"
            graded.append((flipped, f"{negator} … {text[start:end]}", signal, False, True))
            continue
        if level in _STRENGTH:
            if hedge:
                if want_aside:
                    aside.append((text[start:end], f"hedged: '{hedge}'"))
                continue
            if intention:
                if want_aside:
                    aside.append((text[start:end], not_delivered))
                continue
        graded.append((level, text[start:end], signal, signal.impact, False))
    if figure:
        graded.append((figure[0], figure[1], _FIGURE_SIGNALS[figure[0]], False, False))
    answered = _answered_problem(text, cstart, cend, hits, graded, found)
    if answered:
        if want_aside:
            aside.extend(answered)
        gone = {cue for cue, _reason in answered}
        graded = [g for g in graded if not (g[0] == "shortfall" and not g[4] and g[1] in gone)]
    if intention and not any(g[0] in _PROBLEM for g in graded):
        graded.append(("intention", intention, None, False, False))
    shown = [(g[0], g[1], g[2].id if g[2] else "intention", g[4]) for g in graded]
    negatives = [g for g in graded if g[0] in NEGATIVE_LEVELS]
    if negatives:
        best = min(negatives, key=lambda g: _SEVERITY[g[0]])
        outweighed = f"outweighed in the same clause by '{best[1]}'"
        if want_aside:
            aside.extend((g[1], outweighed) for g in graded if g[0] in _STRENGTH)
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


# "A staff member told us …", "One social worker said …", "Another manager described …"
_ONE_VOICE = re.compile(r"(?:a|one|another|a single) (?:[\w-]+ ){0,2}?(?:staff member|member of staff|social worker|"
                        r"practitioner|manager|leader|carer|partner|worker|person)\b[^.;,]{0,20}?\b(?:told|said|described|felt)\b",
                        re.IGNORECASE)


def _one_voice(text: str) -> bool:
    """A sentence that opens by reporting one person's view: one voice, however strong its words, is not the
    breadth or corroboration that strong evidence needs."""
    return bool(_ONE_VOICE.match(text))


def _claimed_only_by_leaders(sources: set[str]) -> bool:
    """A sentence whose only source is the council's leaders ("A senior leader told us the council had an
    excellent record on innovation", "Leaders spoke consistently about their commitment"): a strong word in
    their mouth is a claim, not corroborated evidence, so it reads as good at most."""
    return sources == {"leaders"}


def _states_absence(theme: str, themes: list[str], clause_themes: list[str]) -> bool:
    """Does a negated clause with no cue ("Staff were not given protected time", "Neither had started")
    count as a statement of absence for this theme? Yes for the clause's own themes; a clause that names
    no theme is criticism of what its sentence or paragraph is about, counted once (its first theme),
    so that a negation is never read as praise just because the clause lacks a topic word."""
    return theme in clause_themes if clause_themes else theme == themes[0]


def find_evidence(report: Report, compiled: CompiledRulebook, keep_set_aside: bool = True) -> Reading:
    """Every clause of the report read for the themes it is about. `keep_set_aside=False` leaves the
    discounted cues out of the Reading: only `explain` and the HTML view show them, and a pathological
    report can discount hundreds of thousands."""
    rulebook = compiled.rulebook
    order = compiled.theme_order
    evidence: list[Evidence] = []
    set_aside: list[SetAside] = []
    mentions: dict[str, int] = {t.id: 0 for t in rulebook.themes}
    affirmation = rulebook.scoring.affirmation_weight
    problem_signals = frozenset(s.id for s in rulebook.signals() if s.level in _PROBLEM)
    said: dict[str, int] = {}  # a sentence's words (case and spacing aside) -> the line it was first read at
    for row in _report_hits(report, compiled):
        carry: list[str] = []
        previous: tuple[int, int] | None = None  # where the last read sentence's evidence starts and ends
        for sentence, sh in row:
            said_as = _NOT_A_WORD.sub(" ", sh.text.casefold()).strip()  # one string, not a list of words: a 5 MB sentence
            words = said_as.count(" ") + 1 if said_as else 0
            refutes = previous is not None and words <= _REFUTES_WITHIN_WORDS and bool(_REFUTES_PREVIOUS.search(sh.text))
            if not (sh.topics or sh.signals or sh.intention or sh.negation):
                if refutes:  # a refutation with no cue of its own ("People we spoke with disagreed.")
                    _refute(evidence, set_aside, previous, len(evidence), sh.text.strip())
                    previous = None
                continue  # nothing to read, and no themes to carry forward
            if words >= _REPEAT_MIN_WORDS:
                # The same words about the same themes: a sentence naming no theme takes its paragraph's ("This had led
                # to improved outcomes for people." closing a supervision and a co-production paragraph is two findings)
                own = sorted({theme for _, _, theme in sh.topics}) or carry
                key = said_as + "\0" + ",".join(own)
                if key in said:
                    if keep_set_aside:
                        set_aside.append(SetAside(GENERAL, sentence.line, sentence.text, "(the same sentence again)",
                                                  f"repeats the sentence at line {said[key]}: counted once"))
                    previous = None  # a refutation after it refutes nothing of what was counted
                    continue
                said[key] = sentence.line
            sentence_themes = sorted({theme for _, _, theme in sh.topics}, key=order.__getitem__)
            for t in sentence_themes:
                mentions[t] += 1
            source = "+".join(sorted(sh.sources)) if sh.sources else "unattributed"
            conceded = concession_end(sh.text)
            spans = clauses(sh, conceded)
            per_clause = _bucket(sh, spans)
            first = len(evidence)
            for (cstart, cend), (signals, intentions, topics) in zip(spans, per_clause):
                clause_themes = sorted(topics, key=order.__getitem__)
                themes = clause_themes or sentence_themes or carry or [GENERAL]
                clause = sh.text[cstart:cend].strip()
                # No cue (a figure against its comparator counts as one): only a plain statement can come of it.
                quiet = not signals and not intentions and figure_against_comparator(sh.text[cstart:cend]) is None
                # A plain statement of absence ("There were no arrangements for group supervision",
                # "Staff were not given time to train") has no cue word, but its negation makes it criticism.
                negated = next((sh.text[s:e] for s, e, _o in sh.index("negation").inside(cstart, cend)), None) \
                    if sh.negation else None
                for theme in themes:
                    if quiet:  # no cue at all: only a plain statement, affirmative or negated, can come of it
                        if negated and _states_absence(theme, themes, clause_themes):
                            evidence.append(_evidence(
                                theme=theme, level="shortfall", line=sentence.line, text=sentence.text, clause=clause,
                                cue=f"{negated} (a plain statement of absence)", signal="negated-statement",
                                source=source, impact=False, weight=rulebook.scoring.absence_weight))
                        elif theme in clause_themes and affirmation:
                            evidence.append(_evidence(
                                theme=theme, level="good", line=sentence.line, text=sentence.text, clause=clause,
                                cue="(affirmative statement)", signal="affirmation", source=source, impact=False,
                                weight=affirmation))
                        continue
                    j = judge(sh, cstart, cend, theme, compiled, signals, keep_set_aside)
                    level, cue, signal, impact = j.level, j.cue, j.signal, j.impact
                    if level == "strong" and (_claimed_only_by_leaders(sh.sources) or _one_voice(sh.text)):
                        set_aside.append(SetAside(theme, sentence.line, sentence.text, cue,
                                                  "a leader's own claim, not corroborated: read as good"))
                        level = "good"
                    if keep_set_aside:
                        for cue_text, reason in j.set_aside:
                            set_aside.append(_set_aside(theme, sentence.line, sentence.text, cue_text, reason))
                    weight = 1.0
                    plain = None
                    if level is None and negated and not j.graded and _states_absence(theme, themes, clause_themes):
                        # no cue for this theme (another theme's cue only), but negated: a statement of absence
                        level, cue, plain = "shortfall", f"{negated} (a plain statement of absence)", "negated-statement"
                        weight = rulebook.scoring.absence_weight
                    if level is None:
                        # An affirmative sentence about a theme, with no cue either way, is weak
                        # positive evidence: inspectors describe what exists and works.
                        if theme not in clause_themes or affirmation == 0:
                            continue
                        level, cue, weight = "good", "(affirmative statement)", affirmation
                    evidence.append(_evidence(
                        theme=theme, level=level, line=sentence.line, text=sentence.text,
                        clause=clause, cue=cue,
                        signal=plain or (signal.id if signal else ("intention" if level == "intention" else "affirmation")),
                        source=source, impact=impact, weight=weight,
                    ))
            if len(spans) > 1:
                evidence[first:], dropped = _answered_later(
                    evidence[first:], [sh.text[a:b].strip() for a, b in spans], problem_signals)
                set_aside.extend(SetAside(e.theme, e.line, e.text, e.cue, "answered by the council's response later in the sentence")
                                 for e in dropped)
            if conceded and len(spans) > 1:
                evidence[first:], dropped = _concession_outweighed(evidence[first:], sh.text[:conceded].strip(),
                                                                   _OWN_FINDING_RE.match(sh.text) is not None)
                set_aside.extend(SetAside(e.theme, e.line, e.text, e.cue, "a concession outweighed by the praise after it")
                                 for e in dropped)
            if _QUESTION.search(sh.text):
                # "Was learning embedded across the teams?" asks; it asserts no praise. (Criticism in a question,
                # "why had nothing changed?", still counts: a question is how people quoted put a complaint.)
                asked = [e for e in evidence[first:] if e.level in _STRENGTH]
                evidence[first:] = [e for e in evidence[first:] if e.level not in _STRENGTH]
                set_aside.extend(SetAside(e.theme, e.line, e.text, e.cue, "a question, not a finding") for e in asked)
            if refutes:
                first = _refute(evidence, set_aside, previous, first, sh.text.strip())
            previous = (first, len(evidence))
            if sentence_themes:
                carry = sentence_themes
    return Reading(evidence=evidence, set_aside=set_aside if keep_set_aside else [], mentions=mentions)


def _refute(evidence: list[Evidence], set_aside: list[SetAside], previous: tuple[int, int], first: int, said: str) -> int:
    """The sentence at evidence[first:] says the one at evidence[slice(*previous)] was not so: set aside the praise it
    refutes (and any praise in the refutation itself), or, when it refutes criticism, both the criticism and the
    refutation. Returns where this sentence's evidence now starts."""
    start, end = previous
    refuted = [e for e in evidence[start:end] if e.level in _STRENGTH]
    if refuted:  # praise it says was not so; the refutation itself is no praise ("Few of the records reflected this.")
        own = [e for e in evidence[first:] if e.level in _STRENGTH]
        evidence[first:] = [e for e in evidence[first:] if e.level not in _STRENGTH]
        evidence[start:end] = [e for e in evidence[start:end] if e.level not in _STRENGTH]
        set_aside.extend(SetAside(e.theme, e.line, e.text, e.cue, f"refuted by the next sentence: '{said}'")
                         for e in refuted)
        set_aside.extend(SetAside(e.theme, e.line, e.text, e.cue, "the refutation of the sentence before it") for e in own)
        return first - len(refuted)  # this sentence's own evidence moved up by as many
    if any(e.level in NEGATIVE_LEVELS for e in evidence[start:end]):
        # Criticism it says was not so ("Leaders said the backlog was a serious problem. This was not what we found."):
        # both are set aside, the criticism and the words refuting it, rather than counted twice.
        criticism, own = evidence[start:end], evidence[first:]
        del evidence[start:]
        set_aside.extend(SetAside(e.theme, e.line, e.text, e.cue, f"refuted by the next sentence: '{said}'")
                         for e in criticism)
        set_aside.extend(SetAside(e.theme, e.line, e.text, e.cue, "the refutation of the sentence before it") for e in own)
        return len(evidence)
    return first


def _answered_later(found: list[Evidence], clause_texts: list[str],
                    problem_signals: frozenset[str]) -> tuple[list[Evidence], list[Evidence]]:
    """(kept, dropped) for one sentence: a shortfall in one clause followed, in a later clause, by the
    council's response ("…said supervision leaned towards rotas; managers were aware of this and had begun
    to address it") or by the problem being put right ("sessions occasionally slipped but were rescheduled
    rather than dropped"), with no criticism after it. The response decides, as in one clause
    (_answered_problem); an absence (significant) is never lifted this way."""
    where = {text: k for k, text in enumerate(clause_texts)}
    rows: list[list[Evidence]] = [[] for _ in clause_texts]
    for e in found:
        rows[where.get(e.clause, 0)].append(e)
    dropped: list[Evidence] = []
    for k, row in enumerate(rows[:-1]):
        if not any(e.level == "shortfall" for e in row) or any(e.level == "significant" for e in row):
            continue
        later = [e for r in rows[k + 1:] for e in r]
        if any(e.level in _PROBLEM for e in later):
            continue
        if any(e.signal in _RESPONSES or e.signal == "intention" or (e.level == "good" and e.signal in problem_signals)
               for e in later):
            dropped.extend(e for e in row if e.level == "shortfall")
    return [e for e in found if not any(e is d for d in dropped)], dropped


def _concession_outweighed(found: list[Evidence], concession: str,
                           own_finding: bool = False) -> tuple[list[Evidence], list[Evidence]]:
    """(kept, dropped) for one sentence that opens with a concession ("Although some carers had not heard of
    the forum, its members had shaped the new respite service"): a mild problem conceded first and then
    outweighed by delivered praise in the main clause does not count against the council. An absence
    (significant) is not outweighed this way unless the council's own audit or review found it (`own_finding`),
    and a concession followed by more criticism never is."""
    conceded = [e for e in found if e.clause == concession]
    rest = [e for e in found if e.clause != concession]
    if (not conceded or (any(e.level == "significant" for e in conceded) and not own_finding)
            or not any(e.level in _STRENGTH and e.signal != "affirmation" for e in rest)
            or any(e.level in _PROBLEM for e in rest)):
        return found, []
    return [e for e in found if e not in conceded or e.level not in _PROBLEM], [e for e in conceded if e.level in _PROBLEM]
