"""engine/reading.py at its edges: tests written against the survivors of a full mutation run of the module
(CONTRIBUTING.md, "Mutation testing"). Each test names the behaviour it pins down and asserts it on a sentence
in the wording of LII findings (synthetic, written for these tests; none is copied from a report), read
through the bundled rulebook as lii-check reads it in a report. Where only a rulebook other than the bundled
one could reach a branch (two signals on the same words, a cue spanning a comma), the hits are placed by hand
on such a sentence and the clause is judged directly: that is said in the test.
"""
from __future__ import annotations

from lii_check.parser import parse_report
from lii_check.reading import find_evidence
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
    reading = read("Although carers were consulted rather than involved when the co-production charter was "
                   "written, the forum's members had shaped the new respite service.", compiled)
    concession = "Although carers were consulted rather than involved when the co-production charter was written,"
    assert [(e.theme, e.level, e.cue) for e in reading.evidence if e.clause == concession] == [
        ("learning-from-feedback", "good", "(affirmative statement)")]
    assert [(s.theme, s.cue, s.reason) for s in reading.set_aside] == [
        ("co-production", "consulted rather than involved", "a concession outweighed by the praise after it")]


# --- a negation's reach ends at a comma, also for a problem cue whose neighbour is masked -------------------

def test_a_negation_before_a_comma_does_not_reach_a_problem_after_it(compiled):
    # "agency staff" has another problem cue ("delays") among the words before it, so its negation is looked
    # for with that cue masked; the comma still ends the reach of "not" (reading._preceded_by).
    [j] = judgements("Staff were not trained, delays and agency staff were common.", "workforce-stability", compiled)
    assert j.graded == [("shortfall", "delays", "difficulty", False),
                        ("shortfall", "agency staff", "problem-words", False)]


# --- each theme of a clause is read, whatever the one before it found -----------------------------------------

def test_a_clause_without_a_topic_word_is_read_for_every_theme_of_its_sentence(compiled):
    # The second clause names no theme, so it is read for the sentence's themes in order: supervision finds
    # no cue of its own there (nothing to add), workforce-stability finds its own cue.
    reading = read("Regular supervision had helped keep the workforce steady; its social workers had worked for "
                   "the council for over 10 years.", compiled)
    assert [(e.theme, e.level, e.cue) for e in reading.evidence if e.clause.startswith(";")] == [
        ("workforce-stability", "good", "worked for the council for over 10 years")]
