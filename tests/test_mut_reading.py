"""engine/reading.py at its edges: tests written against the survivors of a full mutation run of the module
(CONTRIBUTING.md, "Mutation testing"). Each test names the behaviour it pins down and asserts it on a sentence
in the wording of LII findings (synthetic, written for these tests; none is copied from a report), read
through the bundled rulebook as lii-check reads it in a report. Where only a rulebook other than the bundled
one could reach a branch (two signals on the same words, a cue starting at or holding a comma, a cue ending
where the next begins), the hits are placed by hand on such a sentence (placed()) and the clause is judged
directly: that is said in the test. Two tests record gaps in reading.py found in the review (strict xfails
until the lead fixed them).
"""
from __future__ import annotations

from dataclasses import replace

import pytest

from lii_check.parser import parse_report
from lii_check.reading import SentenceHits, figure_against_comparator, find_evidence, judge
from lii_check.ruletest import judgements


def read(sentence: str, compiled):
    return find_evidence(parse_report(f"Title\n\nScore: 3\n\n{sentence}\n", "r.md"), compiled)


def rows(reading) -> list[tuple[str, str, str, str]]:
    return [(e.theme, e.level, e.cue, e.clause) for e in reading.evidence]


# --- negation: what another cue's own negation word hides -------------------------------------------------

def test_a_negation_inside_an_earlier_problem_cue_does_not_hide_a_later_negation(compiled):
    # "no" of "There was no" belongs to that cue (it is masked for what follows); the second "no" still
    # negates "agency staff" (reading._first skips a masked span and looks on).
    [j] = judgements("There was no workforce plan and no agency staff were used.", "workforce-stability", compiled)
    assert j.level == "significant"
    assert ("good", "no … agency staff", "problem-words", True) in j.graded
    assert ("no … agency staff", "outweighed in the same clause by 'There was no'") in j.set_aside


# --- a negated subject in a clause with no alphabetic word before the negation -----------------------------

def test_a_clause_of_only_figures_and_contractions_is_read_without_error(compiled):
    # "; 14 hadn't." has no alphabetic word ("hadn't" holds an apostrophe): no negated subject to find
    # (reading._negated_subject runs off the sentence's last word and must stop there).
    sentence = "Two teams had adopted the new supervision model; 14 hadn't."
    # judged clause by clause, as `rules test` does (find_evidence skips the cue-less clause before judging it)
    assert [j.level for j in judgements(sentence, "supervision", compiled)] == ["good", None]
    assert rows(read(sentence, compiled)) == [
        ("supervision", "good", "had adopted", "Two teams had adopted the new supervision model"),
        ("supervision", "shortfall", "n't (a plain statement of absence)", "; 14 hadn't."),
    ]


# --- the working shown for each cue (Judgement.graded, which `rules test` and `explain` read) ---------------

def test_the_graded_working_names_each_cue_by_its_text(compiled):
    [j] = judgements("Staff told us that supervision was regular.", "supervision", compiled)
    assert j.graded == [("good", "regular", "positive-description", False)]


# --- a sentence-initial concession outweighed by praise (reading._concession_outweighed) -------------------

def test_a_concession_is_not_outweighed_when_criticism_follows_the_praise(compiled):
    reading = read("Although a few carers had not heard of the forum, its members had shaped the new respite "
                   "service; waiting times had grown.", compiled)
    assert [(e.level, e.cue) for e in reading.evidence] == [
        ("shortfall", "a few carers had not"), ("good", "had shaped"), ("shortfall", "waiting times had grown")]
    assert not reading.set_aside


def test_an_outweighed_concession_loses_its_problems_only(compiled):
    # The concession names two themes: its problem (co-production's own cue) is set aside, the plain
    # statement about the other theme it names stays.
    reading = read("Although carers consulted on the co-production charter said the council needed to increase "
                   "representation, the forum's members had shaped the new respite service.", compiled)
    concession = ("Although carers consulted on the co-production charter said the council needed to increase "
                  "representation,")
    assert [(e.theme, e.level, e.cue) for e in reading.evidence if e.clause == concession] == [
        ("learning-from-feedback", "good", "(affirmative statement)")]
    assert [(s.theme, s.cue, s.reason) for s in reading.set_aside] == [
        ("co-production", "increase representation", "a concession outweighed by the praise after it")]


# --- a negation's reach ends at a comma, also for a problem cue whose neighbour is masked -------------------

def test_a_negation_before_a_comma_does_not_reach_a_problem_after_it(compiled):
    # "agency staff" has another problem cue ("delays") among the words before it, so its negation is looked
    # for with that cue masked; the comma still ends the reach of "not" (reading._preceded_by).
    for sentence in ("Staff were not trained, delays and agency staff were common.",
                     "Staff were not trained,delays and agency staff were common."):  # no space after the comma
        [j] = judgements(sentence, "workforce-stability", compiled)
        assert j.graded == [("shortfall", "delays", "difficulty", False),
                            ("shortfall", "agency staff", "problem-words", False)], sentence


# --- each theme of a clause is read, whatever the one before it found -----------------------------------------

def test_a_clause_without_a_topic_word_is_read_for_every_theme_of_its_sentence(compiled):
    # The second clause names no theme, so it is read for the sentence's themes in order: supervision finds
    # no cue of its own there (nothing to add), workforce-stability finds its own cue.
    reading = read("Regular supervision had helped keep the workforce steady; its social workers had worked for "
                   "the council for over 10 years.", compiled)
    assert [(e.theme, e.level, e.cue) for e in reading.evidence if e.clause.startswith(";")] == [
        ("workforce-stability", "good", "worked for the council for over 10 years")]


# --- hits placed by hand ------------------------------------------------------------------------------------

def at(text: str, phrase: str) -> tuple[int, int]:
    """Where phrase is in text; "words@2" is the second occurrence of "words" (else a phrase occurs once)."""
    phrase, _, nth = phrase.partition("@")
    assert text.count(phrase) >= int(nth or 1) and (nth or text.count(phrase) == 1), phrase
    start = -1
    for _ in range(int(nth or 1)):
        start = text.index(phrase, start + 1)
    return start, start + len(phrase)


def placed(text: str, signals=(), negation=(), counter=(), hedging=(), intention=()) -> SentenceHits:
    """The hits a rulebook would find in `text`, placed by hand: signals as (phrase, Signal), the rest as
    phrases (see at())."""
    sh = SentenceHits(text)
    sh.signals = sorted(((*at(text, phrase), signal) for phrase, signal in signals), key=lambda h: (h[0], -h[1]))
    for family, phrases in (("negation", negation), ("counter", counter), ("hedging", hedging),
                            ("intention", intention)):
        setattr(sh, family, sorted((*at(text, phrase), 0) for phrase in phrases))
    return sh


def rule(compiled, like: str, **changes):
    """A signal as another rule file might define it: a bundled signal with its id, theme or level changed."""
    base = next(s for s in compiled.rulebook.signals() if s.id == like)
    return replace(base, **changes)


def reading_of(j) -> tuple:
    return j.level, j.cue, j.graded, j.set_aside


def memo_scenarios(compiled) -> dict[str, tuple[SentenceHits, list[str]]]:
    """Clauses where two rule files give the same words different meanings, and the themes to judge them for,
    in an order that would let one theme's working leak into the next through judge's per-clause memo."""
    problem = rule(compiled, "difficulty")  # a language-wide shortfall
    out = {}
    # The same words a masked problem for one theme and a hedged strength for another.
    text = "There were delays and the pilot may show rapid growth."
    out["strength after a masked problem"] = (placed(text, signals=[
        ("delays", problem),
        ("rapid growth", rule(compiled, "difficulty", id="growth-pressure", theme="workforce-stability")),
        ("rapid growth", rule(compiled, "power-sharing", id="growth-scaled", theme="innovation"))],
        hedging=["may show"]), ["workforce-stability", "innovation"])
    # The same with a theme judged first that registers a mask of its own (the masked problem's is the second).
    text = "There were delays and the pilot may show rapid growth in the spring."
    out["strength after the second mask"] = (placed(text, signals=[
        ("delays", problem),
        ("rapid growth", rule(compiled, "difficulty", id="growth-pressure", theme="workforce-stability")),
        ("rapid growth", rule(compiled, "power-sharing", id="growth-scaled", theme="innovation")),
        ("in the spring", rule(compiled, "difficulty", id="seasonal", theme="research"))],
        hedging=["may show"]), ["research", "workforce-stability", "innovation"])
    # A general problem masked by one theme's own problem cue (whose "no" must not negate it) and not
    # masked for another theme, judged after three others have registered masks of their own.
    text = "There was no carers' strategy and waiting lists had grown in every locality team over the year."
    out["unmasked after the fourth mask"] = (placed(text, signals=[
        ("There was no carers' strategy", rule(compiled, "difficulty", id="no-strategy", theme="equality")),
        ("waiting lists", problem),
        ("had grown", rule(compiled, "difficulty", id="q1", theme="research")),
        ("every locality", rule(compiled, "difficulty", id="q2", theme="supervision")),
        ("over the year", rule(compiled, "difficulty", id="q3", theme="staff-voice"))],
        negation=["no"]), ["research", "supervision", "staff-voice", "equality", "innovation"])
    # The same words a problem for one theme and a plan (an intention-level signal) for another, with a
    # counter word after them.
    text = "Staff said the review of waiting lists had reduced delays."
    out["intention-level beside an unmasked problem"] = (placed(text, signals=[
        ("waiting lists", rule(compiled, "difficulty", id="waits", theme="complaints")),
        ("waiting lists", rule(compiled, "difficulty", id="waits-review", theme="innovation", level="intention"))],
        counter=["reduced"]), ["complaints", "innovation"])
    # The same, the problem masked (the third mask registered) and a negation inside the masking cue.
    text = "There was no carers' strategy and waiting lists had grown in every locality team."
    out["intention-level beside the third mask"] = (placed(text, signals=[
        ("There was no carers' strategy", problem),
        ("waiting lists", rule(compiled, "difficulty", id="waits", theme="complaints")),
        ("waiting lists", rule(compiled, "difficulty", id="waits-review", theme="innovation", level="intention")),
        ("had grown", rule(compiled, "difficulty", id="q1", theme="research")),
        ("every locality", rule(compiled, "difficulty", id="q2", theme="supervision"))],
        negation=["no"]), ["research", "supervision", "complaints", "innovation"])
    # One general problem masked for two themes by different cues: equality's own cue holds the "no", which
    # must not negate "waiting lists"; complaints' cue ("long delays") hides two words and not the "no".
    text = "There was no carers' strategy and long delays meant waiting lists had grown."
    out["masked by different cues"] = (placed(text, signals=[
        ("There was no carers' strategy", rule(compiled, "difficulty", id="no-strategy", theme="equality")),
        ("long delays", rule(compiled, "difficulty", id="long-delays", theme="complaints")),
        ("waiting lists", problem)], negation=["no"]), ["equality", "complaints"])
    # A general problem masked for one theme by its own cue (the first mask registered) and not for another.
    text = "There was no carers' strategy and waiting lists had grown."
    out["unmasked after the first mask"] = (placed(text, signals=[
        ("There was no carers' strategy", rule(compiled, "difficulty", id="no-strategy", theme="equality")),
        ("waiting lists", problem)], negation=["no"]), ["equality", "innovation"])
    # The same words a plan for one theme (an intention-level signal) and a problem masked, with the first mask
    # registered, for another.
    text = "There was no carers' strategy and waiting lists had grown."
    out["intention-level beside the first mask"] = (placed(text, signals=[
        ("There was no carers' strategy", problem),
        ("waiting lists", rule(compiled, "difficulty", id="waits", theme="complaints")),
        ("waiting lists", rule(compiled, "difficulty", id="waits-review", theme="innovation", level="intention"))],
        negation=["no"]), ["complaints", "innovation"])
    # The same words a plan for one theme and a hedged strength for another.
    text = "The pilot may show rapid growth."
    out["intention-level beside a strength"] = (placed(text, signals=[
        ("rapid growth", rule(compiled, "difficulty", id="growth-plan", theme="research", level="intention")),
        ("rapid growth", rule(compiled, "power-sharing", id="growth-scaled", theme="innovation"))],
        hedging=["may show"]), ["research", "innovation"])
    return out


@pytest.mark.parametrize("scenario", ["unmasked after the first mask", "intention-level beside the first mask",
                                      "intention-level beside a strength", "masked by different cues",
                                      "strength after the second mask",
                                      "strength after a masked problem", "unmasked after the fourth mask",
                                      "intention-level beside an unmasked problem",
                                      "intention-level beside the third mask"])
def test_a_clause_judged_for_several_themes_reads_for_each_as_if_alone(scenario, compiled):
    sh, themes = memo_scenarios(compiled)[scenario]
    end = len(sh.text)
    in_turn = {theme: reading_of(judge(sh, 0, end, theme, compiled)) for theme in themes}
    alone = {theme: reading_of(judge(memo_scenarios(compiled)[scenario][0], 0, end, theme, compiled))
             for theme in themes}
    assert in_turn == alone


# --- the weight of an affirmative statement is the rulebook's (scoring.affirmation_weight) --------------------

@pytest.mark.parametrize("weight", [0.0, 0.5, 1.0])
def test_a_theme_named_beside_another_themes_cue_is_affirmed_at_the_rulebooks_weight(weight, compiled):
    # learning-from-feedback is named ("consulted") in a clause whose only cue is co-production's own: for
    # it the clause is a plain affirmative statement, counted at affirmation_weight, and not at all at 0.
    rulebook = compiled.rulebook
    weighted = replace(compiled, rulebook=replace(rulebook, scoring=replace(rulebook.scoring,
                                                                              affirmation_weight=weight)))
    reading = read("Carers were consulted when the co-production charter was written, and leaders wanted to improve "
                   "representation.", weighted)
    affirmed = [(e.theme, e.level, e.weight) for e in reading.evidence if e.signal == "affirmation"]
    assert affirmed == ([("learning-from-feedback", "good", weight)] if weight else [])
    assert [(e.theme, e.level) for e in reading.evidence if e.signal != "affirmation"] == [
        ("co-production", "shortfall")]


# --- what a problem cue's mask hides, at its exact edges (hits placed by hand) ---------------------------------
# A problem cue owns the negation inside it, and a comma inside it ends nothing; a cue that ends where the next
# one starts is still "before" it. The bundled cues never start at a comma, hold one, or end at a space, but
# a rule file's regex can (", with delays", "delays, cancellations", "there was no\\s").

@pytest.mark.parametrize("text", ["Staff were not trained, with delays and agency staff used.",
                                  "Carers were not trained, with delays and agency staff used."])  # even, odd comma
def test_a_comma_that_opens_a_masked_problem_cue_does_not_end_a_negations_reach(text, compiled):
    problem = rule(compiled, "difficulty")
    sh = placed(text, signals=[(", with delays", problem), ("agency staff", problem)], negation=["not"])
    j = judge(sh, 0, len(text), "workforce-stability", compiled)
    assert ("good", "not … agency staff", "difficulty", True) in j.graded


@pytest.mark.parametrize("text, cues, negation", [
    # a comma inside a masked problem cue is passed over to the comma before it
    ("Staff were not trained, and delays, cancellations and agency staff were common.",
     ["delays, cancellations", "agency staff"], "not"),
    # a problem cue ending where the next starts still owns its negation
    ("There was no workforce plan.", ["There was no ", "workforce plan"], "no"),
])
def test_problem_cues_that_own_a_negation_are_not_negated_by_it(text, cues, negation, compiled):
    problem = rule(compiled, "difficulty")
    sh = placed(text, signals=[(cue, problem) for cue in cues], negation=[negation])
    j = judge(sh, 0, len(text), "workforce-stability", compiled)
    assert j.graded == [("shortfall", cue, "difficulty", False) for cue in cues]


# --- a problem answered later in the sentence (reading._answered_later) ------------------------------------

def test_a_clause_holding_an_absence_is_not_answered_later_for_any_of_its_themes(compiled):
    # The first clause reads as an absence for workforce-stability ("persistent staff turnover") and as a
    # shortfall for equality ("some carers said"): a response in a later clause lifts neither.
    reading = read("There was persistent staff turnover and some carers said the forum was hard to reach; managers "
                   "had begun to address this.", compiled)
    assert [(e.theme, e.level, e.cue) for e in reading.evidence if not e.clause.startswith(";")] == [
        ("equality", "shortfall", "some carers said"),
        ("workforce-stability", "significant", "persistent staff turnover")]
    assert not reading.set_aside


# --- a figure against its comparator: the cue is the whole comparison ---------------------------------------

@pytest.mark.parametrize("clause, reading", [
    ("Appraisal completion was 97%, against a target of 90%.", ("good", "97%, against a target of 90%")),
    ("Turnover stood at 17%, against a target of 12%.", ("shortfall", "17%, against a target of 12%")),
    ("The agency rate was 31%, compared with a regional average of 12%.",
     ("significant", "31%, compared with a regional average of 12%")),
    # exactly double a comparator where lower is better is not "more than double"
    ("Vacancies stood at 24%, compared with a regional average of 12%.",
     ("shortfall", "24%, compared with a regional average of 12%")),
    # exactly half a target where higher is better is not "under half"
    ("45% of assessments were completed on time, against a target of 90%.",
     ("shortfall", "45% of assessments were completed on time, against a target of 90%")),
    # under half of an odd target: 37.4 is under 37.5 (a half, not a whole-number half)
    ("Supervision completion was 37.4%, against a target of 75%.", ("significant", "37.4%, against a target of 75%")),
])
def test_a_figure_against_its_comparator_is_cited_as_the_whole_comparison(clause, reading):
    assert figure_against_comparator(clause) == reading


@pytest.mark.parametrize("level", ["good", "strong"])
def test_an_answered_problem_sets_aside_its_own_cue_not_praise_in_the_same_words(level, compiled):
    # Two rule files read "waiting list" differently (a shortfall; praise of a new list for fast-track reviews):
    # the council's response answers the shortfall, and the praise that happens to use the same words stays.
    text = "Carers said the waiting list was long, so the council introduced a waiting list for fast-track reviews."
    sh = placed(text, signals=[
        ("waiting list@1", rule(compiled, "difficulty", id="waits", theme="complaints")),
        ("introduced", rule(compiled, "delivered-change")),
        ("waiting list@2", rule(compiled, "delivered-change", id="fast-track", theme="complaints", level=level))])
    j = judge(sh, 0, len(text), "complaints", compiled)
    assert [(g[0], g[1], g[2]) for g in j.graded] == [("good", "introduced", "delivered-change"),
                                                      (level, "waiting list", "fast-track")]
    assert j.set_aside == [("waiting list", "answered by the council's response in the same clause")]


def test_praise_inside_the_concession_does_not_stop_its_problem_being_outweighed(compiled):
    # The concession holds praise for one theme (co-production: "held the council to account") and a
    # problem for another (innovation: "not been evaluated"); the main clause's praise outweighs the problem.
    reading = read("Although the carers' co-production board held the council to account and the pilot had not been "
                   "evaluated, staff described a strong learning culture.", compiled)
    assert [(e.theme, e.level) for e in reading.evidence] == [("co-production", "strong"), ("learning-culture", "good")]
    assert ("innovation", "not been evaluated", "a concession outweighed by the praise after it") in [
        (s.theme, s.cue, s.reason) for s in reading.set_aside]


def test_praise_from_any_signal_but_a_plain_affirmation_outweighs_a_concession(compiled):
    # A rule file may name its signals anything: praise from one whose id sorts before "affirmation" is
    # praise all the same (the bundled "positive-description" renamed "accredited-practice").
    renamed = replace(compiled, payload_of=[
        replace(p, id="accredited-practice") if getattr(p, "id", None) == "positive-description" else p
        for p in compiled.payload_of])
    reading = read("Although the pilot had not been evaluated, staff described a strong learning culture.", renamed)
    assert [(e.theme, e.level, e.signal) for e in reading.evidence] == [
        ("learning-culture", "good", "accredited-practice")]
    assert [(s.theme, s.reason) for s in reading.set_aside] == [
        ("innovation", "a concession outweighed by the praise after it")]


# --- hedges ------------------------------------------------------------------------------------------------

def test_a_hedged_strength_is_set_aside_and_the_cues_after_it_still_count(compiled):
    reading = read("The new forum may have been effective and supervision was regular.", compiled)
    assert [(e.theme, e.level, e.cue) for e in reading.evidence] == [("supervision", "good", "regular")]
    assert [(s.cue, s.reason) for s in reading.set_aside] == [("effective", "hedged: 'may have'")]


def test_a_clause_of_only_figures_and_contractions_ends_a_sentence_of_hundreds_of_words(compiled):
    # The same clause as above after a first clause of more than 256 words (Python shares the objects of
    # small numbers only, so a comparison by identity would pass on a short sentence).
    teams = ", ".join(f"team {n}" for n in range(1, 140))
    sentence = f"The new supervision model had been adopted by {teams}; 14 hadn't."
    assert len(sentence.split()) > 280
    assert [j.level for j in judgements(sentence, "supervision", compiled)] == ["good", None]


# --- the counter window after a problem cue (language.yaml: counter_window after = 6 words) -------------------

def test_a_counter_word_reaches_back_over_exactly_its_window_of_words(compiled):
    # "reduced" is the 6th word after "Delays": it answers it; one word further it does not.
    assert [(e.level, e.cue) for e in read("Delays in carers' assessments had been reduced.", compiled).evidence] == [
        ("good", "reduced … Delays")]
    assert [(e.level, e.cue) for e in read("Delays in carers' assessments had since been reduced.",
                                           compiled).evidence] == [("shortfall", "Delays")]


def test_a_problem_is_answered_only_by_a_response_set_off_from_it_by_a_comma_before_the_response(compiled):
    # The plan's own words hold commas ("planned, with staff, to"), but none stands between the problem and
    # the plan: the plan qualifies nothing, and the problem counts.
    text = "Supervision was patchy so the council planned, with staff, to review it."
    sh = placed(text, signals=[("patchy", rule(compiled, "difficulty"))], intention=["planned, with staff, to"])
    j = judge(sh, 0, len(text), "supervision", compiled)
    assert (j.level, j.cue, j.set_aside) == ("shortfall", "patchy", [])


def test_a_negated_clause_is_a_statement_of_absence_for_a_theme_whose_cue_it_lacks(compiled):
    # "not been evaluated" is innovation's own cue; for supervision, also named, the clause has no cue but a
    # negation: a plain statement of absence.
    reading = read("The pilot had not been evaluated by the supervision team.", compiled)
    assert [(e.theme, e.level, e.cue, e.signal) for e in reading.evidence] == [
        ("innovation", "shortfall", "not been evaluated", "innovation-unevaluated"),
        ("supervision", "shortfall", "not (a plain statement of absence)", "negated-statement")]


def test_praise_in_a_later_clause_does_not_answer_a_problem(compiled):
    # Only the council's response (a change, its impact, a plan) answers a problem in an earlier clause.
    reading = read("Some staff said supervision felt rushed; the new rota was effective.", compiled)
    assert [(e.theme, e.level, e.cue) for e in reading.evidence] == [
        ("staff-voice", "shortfall", "Some staff said supervision felt"),
        ("supervision", "shortfall", "Some staff said supervision felt"),
        ("staff-voice", "good", "effective"), ("supervision", "good", "effective")]
    assert not reading.set_aside


def test_a_negation_inside_a_problem_cue_near_the_start_of_a_sentence_is_that_cues_own(compiled):
    # "some carers said" is the sixth word: the window of six words before it reaches the clause's start, and
    # the "no" of "There was no" / "no strategy" still belongs to those cues (it does not make the carers'
    # view good news).
    [j] = judgements("There was no strategy and some carers said they felt unheard.", "equality", compiled)
    assert ("shortfall", "some carers said they felt", "quantifier-some", False) in j.graded


def test_the_nearest_masking_cue_decides_not_the_first_problem_of_the_clause(compiled):
    # Four problem cues before "agency staff"; the one ending nearest before it ("no workforce strategy") lies
    # among its six words, so its "no" is looked for with the mask: it stays that cue's own.
    [j] = judgements("Some carers said assessments were slow and there was no workforce strategy and agency staff "
                     "were used.", "workforce-stability", compiled)
    assert j.graded[-1] == ("shortfall", "agency staff", "problem-words", False)
    assert j.level == "significant"


def test_a_negation_straight_after_a_comma_with_no_space_still_negates(compiled):
    reading = read("Staff were well supported,no agency staff were used.", compiled)
    assert [(e.theme, e.level, e.cue) for e in reading.evidence] == [("workforce-stability", "good", "well supported")]
    [j] = judgements("Staff were well supported,no agency staff were used.", "workforce-stability", compiled)
    assert ("good", "no … agency staff", "problem-words", True) in j.graded


@pytest.mark.parametrize("order", ["as bundled", "reversed"])
def test_a_negated_clause_naming_no_theme_is_counted_once_for_the_first_theme_in_rulebook_order(order, compiled):
    # "; neither had started." names no theme: it is criticism of what the sentence is about, counted once,
    # for the first of the sentence's themes in the order the rulebook lists its themes (not the alphabet's).
    ranks = dict(compiled.theme_order)
    if order == "reversed":
        ranks = {theme: -rank for theme, rank in ranks.items()}
    reading = read("Supervision and training were discussed at the away day; neither had started.",
                   replace(compiled, theme_order=ranks))
    absent = [e.theme for e in reading.evidence if e.signal == "negated-statement"]
    assert absent == (["learning-culture"] if order == "as bundled" else ["supervision"])


# --- gaps in reading.py found while reviewing the survivors (strict xfails until fixed on main in c1c5c9d) -----

def test_an_opening_negation_with_a_possessive_negates_the_subject(compiled):
    sentence = "Nobody's review in the three locality teams we visited had been delayed by more than a month."
    assert [e.level for e in read(sentence, compiled).evidence] == ["good"]
    # as "No one's …" already is:
    assert [e.level for e in read(sentence.replace("Nobody's", "No one's"), compiled).evidence] == ["good"]


def test_an_opening_negation_that_begins_a_problem_cue_does_not_negate_it(compiled):
    # "No workforce plan" is the absence cue itself: its own "No" is not a negated subject turning it to good.
    reading = read("No workforce plan had been agreed.", compiled)
    assert [(e.theme, e.level, e.cue) for e in reading.evidence] == [
        ("workforce-stability", "significant", "No workforce plan")]


def test_a_shortfall_beside_another_themes_strength_is_answered_later(compiled):
    # The first clause is strong for complaints (its own cue) and a shortfall for innovation (its own cue):
    # the strength is no absence, so the plan in the next clause answers innovation's shortfall.
    reading = read("The council had already put things right before the Ombudsman became involved and the pilot had "
                   "not been evaluated; leaders had begun to address this.", compiled)
    assert [(e.theme, e.level) for e in reading.evidence] == [
        ("complaints", "strong"), ("complaints", "intention"), ("innovation", "intention")]
    assert [(s.theme, s.cue, s.reason) for s in reading.set_aside] == [
        ("innovation", "not been evaluated", "answered by the council's response later in the sentence")]


def test_a_problem_cue_ending_on_the_first_word_of_the_window_still_owns_its_negation(compiled):
    # "some carers said" is six words after the "no" that ends "There was no": that "no" is the first word
    # of its window, and still that cue's own (it negates "in place", which is not a problem cue).
    [j] = judgements("There was no carers' strategy in place and some carers said they were unheard.", "equality",
                     compiled)
    assert j.graded[-1] == ("shortfall", "some carers said", "quantifier-some", False)


def test_a_negated_subject_is_found_far_into_a_long_sentence(compiled):
    # The second clause starts 380 characters in (Python shares the objects of small numbers only, so a
    # comparison of offsets by identity would pass on a short sentence).
    teams = ", ".join(f"team {n}" for n in range(1, 40))
    sentence = (f"Supervision was regular and reflective in {teams}; nobody in the three locality teams had waited "
                "more than a month for a place on a course.")
    assert sentence.index(";") > 256
    second = judgements(sentence, "learning-culture", compiled)[1]
    assert (second.level, second.cue) == ("good", "nobody … waited more than")


def test_a_counter_word_in_the_main_clause_does_not_reach_back_into_the_concession(compiled):
    # No space after the concession's comma: "fewer" starts exactly where the concession ends, and is not in it.
    reading = read("Although delays had grown,fewer carers were waiting.", compiled)
    assert [(e.level, e.cue, e.clause) for e in reading.evidence] == [
        ("shortfall", "delays had grown", "Although delays had grown,")]


def test_a_break_after_the_first_character_cuts_the_sentence(compiled):
    reading = read("5 but not all 14 teams had a supervision policy.", compiled)
    assert [(e.theme, e.level, e.cue, e.clause) for e in reading.evidence] == [
        ("supervision", "shortfall", "not all", "but not all 14 teams had a supervision policy.")]


def test_an_answered_problem_is_set_aside_whatever_its_impact_flag(compiled):
    # A rule file may mark a problem signal as about impact: answered, it is set aside all the same.
    text = "Carers said the letters were confusing, so the council rewrote them."
    sh = placed(text, signals=[("confusing", rule(compiled, "difficulty", id="unclear-letters", impact=True)),
                               ("rewrote", rule(compiled, "delivered-change"))])
    j = judge(sh, 0, len(text), "complaints", compiled)
    assert (j.level, j.cue) == ("good", "rewrote")
    assert j.set_aside == [("confusing", "answered by the council's response in the same clause")]


def test_the_masking_cue_is_the_last_problem_ending_before_the_cue_however_many_come_first(compiled):
    # Five problem cues before "agency staff"; only the last two lie among its six words.
    [j] = judgements("Some carers said assessments were slow and that delays had grown across the east and west "
                     "teams, and there was no workforce strategy and agency staff were used.", "workforce-stability",
                     compiled)
    assert j.graded[-1] == ("shortfall", "agency staff", "problem-words", False)


def test_a_negation_inside_the_clauses_first_problem_cue_is_that_cues_own(compiled):
    # The only cue holding "no" is the first problem cue of the clause ("There was no").
    [j] = judgements("There was no carers' strategy and some carers said they felt unheard.", "equality", compiled)
    assert j.graded == [("significant", "There was no", "absence", False),
                        ("shortfall", "some carers said they felt", "quantifier-some", False)]


def test_words_of_a_masked_cue_are_passed_over_and_the_window_counts_on_beyond_them(compiled):
    # "delays" (masked) is passed over, and six more words are counted before "agency staff": the "not" eight
    # words back is out of reach.
    [j] = judgements("Staff said they were not given the training they needed and delays and agency staff were common.",
                     "workforce-stability", compiled)
    assert j.graded == [("shortfall", "delays", "difficulty", False),
                        ("shortfall", "agency staff", "problem-words", False)]


def test_a_plain_affirmative_statement_does_not_outweigh_a_concession(compiled):
    reading = read("Although a few carers had not heard of the forum, supervision took place monthly.", compiled)
    assert [(e.level, e.cue) for e in reading.evidence] == [
        ("shortfall", "a few carers had not"), ("good", "(affirmative statement)")]
    assert not reading.set_aside


def test_each_problem_clause_is_answered_only_by_what_follows_it(compiled):
    # The first clause's problem is followed by another problem (not answered); the second's by the plan.
    reading = read("Some staff said supervision felt rushed; others said training was hard to access; managers had "
                   "begun to address this.", compiled)
    assert [(e.theme, e.cue) for e in reading.evidence if e.level == "shortfall"] == [
        ("staff-voice", "Some staff said supervision felt"), ("supervision", "Some staff said supervision felt")]
    assert [(s.theme, s.cue, s.reason) for s in reading.set_aside] == [
        ("learning-culture", "others said", "answered by the council's response later in the sentence")]


def test_a_longer_cue_wins_over_a_shorter_one_inside_it_at_the_start_of_a_sentence(compiled):
    # "Limited research" (research-absent) holds "Limited" (difficulty), both at offset 0: only the longer counts.
    [j] = judgements("Limited research informed practice in the locality teams.", "research", compiled)
    assert j.graded == [("shortfall", "Limited research", "research-absent", False)]


# A gap found while reviewing the survivors (a strict xfail until fixed on main in a7ba6d0): the cut at a break
# starting on the concession's comma left a clause "," of its own, so the concession was never outweighed.
@pytest.mark.parametrize("joint", [", however,", ", but"])
def test_a_concession_followed_by_however_or_but_is_outweighed_as_without_them(joint, compiled):
    plain = read("Although a few carers had not heard of the forum, its members had shaped the new respite service.",
                 compiled)
    assert [e.level for e in plain.evidence] == ["good"]  # outweighed, as test_reading_ideas.py asserts too
    joined = read(f"Although a few carers had not heard of the forum{joint} its members had shaped the new respite "
                  "service.", compiled)
    assert [e.level for e in joined.evidence] == ["good"]


def test_a_plan_is_graded_as_an_intention_and_not_as_negated(compiled):
    [j] = judgements("The council planned to recruit more social workers.", "workforce-stability", compiled)
    assert (j.level, j.cue, j.graded) == ("intention", "planned to", [("intention", "planned to", "intention", False)])


def test_criticism_after_the_councils_response_in_the_same_clause_has_the_last_word(compiled):
    reading = read("When carers said the letters were confusing, the council rewrote them and some carers still found "
                   "them unclear.", compiled)
    assert [(e.level, e.cue) for e in reading.evidence] == [("shortfall", "some carers still found")]
    assert not [s for s in reading.set_aside if s.reason.startswith("answered")]


def test_a_shortfall_answered_later_leaves_another_themes_good_reading_of_its_clause(compiled):
    reading = read("Staff in the workforce team had worked for the council for over 10 years and the pilot had not "
                   "been evaluated; leaders had begun to address this.", compiled)
    assert [(e.theme, e.level) for e in reading.evidence] == [
        ("workforce-stability", "good"), ("innovation", "intention"), ("workforce-stability", "intention")]
    assert [(s.theme, s.cue) for s in reading.set_aside] == [("innovation", "not been evaluated")]


def test_praise_in_a_main_clause_opening_with_a_figure_outweighs_the_concession(compiled):
    # The main clause ("14 carers …") sorts before the concession ("Although …"): it is praise all the same.
    reading = read("Although a few carers had not heard of the forum, 14 carers had shaped the new respite service.",
                   compiled)
    assert [(e.level, e.cue) for e in reading.evidence] == [("good", "had shaped")]
    assert [(s.cue, s.reason) for s in reading.set_aside] == [
        ("a few carers had not", "a concession outweighed by the praise after it")]


def test_a_figure_is_graded_as_read_by_direction_not_as_negated(compiled):
    [j] = judgements("Appraisal completion was 97%, against a target of 90%.", "professional-development", compiled)
    assert ("good", "97%, against a target of 90%", "figure-against-comparator", False) in j.graded


def test_a_plain_statement_of_absence_counts_at_the_rulebooks_absence_weight(compiled):
    # "; neither had started." has no cue: read on its own (no cue, no plan), at scoring.absence_weight.
    rulebook = compiled.rulebook
    weighted = replace(compiled, rulebook=replace(rulebook, scoring=replace(rulebook.scoring, absence_weight=0.25)))
    reading = read("Supervision and training were discussed at the away day; neither had started.", weighted)
    assert [(e.theme, e.level, e.weight) for e in reading.evidence if e.signal == "negated-statement"] == [
        ("learning-culture", "shortfall", 0.25)]


def test_a_sentence_with_hundreds_of_negations_is_read_to_its_end(compiled):
    # More than 256 negation cues before the last clause (Python shares the objects of small numbers only, so
    # a comparison of counts by identity would pass on a short sentence).
    items = ", ".join(f"no delay in case {n}" for n in range(1, 281))
    reading = read(f"Staff told us there had been {items}; supervision was regular.", compiled)
    assert ("supervision", "good", "regular") in [(e.theme, e.level, e.cue) for e in reading.evidence]


def test_a_hit_counts_for_a_clause_only_if_it_lies_wholly_inside_it(compiled):
    # Judged clause by clause with no hits handed in (as `rules test` does), a cue running over the clause's
    # end (a rule file's cue may span a comma) is not the first clause's.
    text = "Although carers were consulted, they were not involved in the redesign."
    sh = placed(text, signals=[("consulted, they were not involved", rule(compiled, "consulted-not-involved"))])
    cut = text.index(",") + 1
    assert judge(sh, 0, cut, "co-production", compiled).graded == []


def test_a_problem_cue_overlapping_the_next_does_not_hide_the_negation_it_holds(compiled):
    # "were not given" overlaps "given supervision time" (it ends after that cue starts), so it is not among the
    # cues ending before it: its "not" still counts, and negates the later cue. ("Delays grew" masks.)
    problem = rule(compiled, "difficulty")
    text = "Delays grew and staff were not given supervision time."
    sh = placed(text, signals=[("Delays grew", problem), ("were not given", problem),
                               ("given supervision time", problem)], negation=["not"])
    j = judge(sh, 0, len(text), "supervision", compiled)
    assert ("good", "not … given supervision time", "difficulty", True) in j.graded


def test_words_of_masked_cues_do_not_count_towards_a_negations_window(compiled):
    # "no" is nine words before "agency staff", but four of them belong to masked problem cues ("delays",
    # "waiting lists"): it is within the six that count, and negates every problem in the list.
    [j] = judgements("Staff reported no delays or waiting lists or use of agency staff.", "workforce-stability",
                     compiled)
    assert j.graded == [("good", "no … delays", "difficulty", True),
                        ("good", "no … waiting lists", "difficulty", True),
                        ("good", "no … agency staff", "problem-words", True)]
