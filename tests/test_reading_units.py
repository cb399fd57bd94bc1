"""Reading, mechanism by mechanism, on sentences written to isolate each one (synthetic, in the wording
of LII findings). Written against the survivors of mutation testing (CONTRIBUTING.md): each test names the
behaviour it pins down; tests/test_reading_ideas.py holds the ideas, these the edges of their code."""
from __future__ import annotations

import pytest

from lii_check.parser import parse_report
from lii_check.reading import figure_against_comparator, find_evidence
from lii_check.ruletest import judgements


def read(sentence: str, compiled):
    return find_evidence(parse_report(f"Title\n\nScore: 3\n\n{sentence}\n", "r.md"), compiled)


def test_a_problem_in_a_middle_clause_is_answered_by_a_response_in_a_later_one(compiled):
    reading = read("Supervision was regular; some staff said training was hard to access, but managers had begun "
                   "to address this.", compiled)
    assert not [e for e in reading.evidence if e.level in ("shortfall", "significant")]
    assert {(s.cue, s.reason) for s in reading.set_aside} >= {
        ("some staff said", "answered by the council's response later in the sentence")}
    assert any(e.level == "good" and e.cue == "regular" for e in reading.evidence)  # the first clause still counts


def test_a_counter_word_that_ends_the_clause_still_reaches_the_problem_before_it(compiled):
    # No full stop: the counter word's end is the clause's end.
    [e] = read("Staff told us the waiting list had been reduced", compiled).evidence
    assert (e.level, e.cue) == ("good", "reduced … waiting list")


def test_a_negated_subject_after_a_figure_reaches_a_problem_beyond_the_negation_window(compiled):
    levels = {e.level for e in read("2023: No one we spoke with in any of the teams we visited had waited more "
                                    "than a week.", compiled).evidence}
    assert levels == {"good"}


def test_an_intention_is_no_reading_of_its_own_beside_a_problem(compiled):
    for sentence in ("Leaders planned to restart the carers forum, which had lapsed.",
                     "The council planned to recruit because vacancies had risen."):
        [j] = judgements(sentence, "general", compiled)
        assert j.level in ("shortfall", "significant")
        assert [g[0] for g in j.graded] == [j.level], j.graded


@pytest.mark.parametrize("clause, level", [
    ("24%, compared with a regional average of 11%", "good"),  # no measure named: higher is better
    ("Vacancies stood at 24%, compared with a regional average of 11%", "significant"),  # more than double
    ("Vacancies stood at 15%, compared with a regional average of 11%", "shortfall"),
    ("40% of assessments were completed on time, against a target of 90%", "significant"),  # under half
    ("60% of assessments were completed on time, against a target of 90%", "shortfall"),  # under, not half
    ("31% of assessments were completed on time, against a target of 90%", "significant"),
    ("96% of assessments were completed on time, against a target of 90%", "good"),
    ("Vacancies stood at 22%, compared with a regional average of 11%", "shortfall"),  # exactly double: not more
    ("45% of assessments were completed on time, against a target of 90%", "shortfall"),  # exactly half: not under
])
def test_a_figure_is_read_by_its_side_and_distance_from_the_comparator(clause, level):
    assert figure_against_comparator(clause)[0] == level


def test_a_figure_equal_to_its_comparator_says_nothing():
    assert figure_against_comparator("Retention was 20.0%, compared with an average of 20%") is None


@pytest.mark.parametrize("sentence, expected", [
    # an "and" that opens a new statement (subject and verb of its own) ends a negation's reach
    ("Training was not discussed and supervision had been cancelled.",
     [("learning-culture", "significant"), ("supervision", "significant")]),
    ("Supervision was not regular and was routinely cancelled.", [("supervision", "significant")]),
    # an "and" inside one statement does not: the negation still reaches the cue
    ("Supervision was not regular and not reflective.", [("supervision", "shortfall")]),
])
def test_a_negation_does_not_reach_past_an_and_that_opens_a_new_statement(sentence, expected, compiled):
    assert sorted((e.theme, e.level) for e in read(sentence, compiled).evidence) == expected


def test_a_group_described_as_without_something_is_no_negation(compiled):
    # "residents without digital skills" names a group; its "without" must not turn "not yet" into good news
    reading = read("Some older residents without digital skills were not yet benefiting from the new service.", compiled)
    assert {(e.level, e.cue) for e in reading.evidence} == {("shortfall", "not yet")}
