"""How single sentences are read: the ideas of issue 10 (item 2), one test per idea, on sentences written
for these tests (synthetic, in the wording of LII sections; none is copied from the sentence corpus).

Each test names the engine function or rulebook cue it guards, so a failure says which reading broke.
The last test gates the bundled sentence corpus: the figures CI accepts are just under what the
rulebook reads today, so a change that reads worse fails the suite.
"""
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lii_check.cli import main
from lii_check.reading import clauses, concession_end, figure_against_comparator, sentence_hits
from lii_check.sentences import read_sentence

REPO = Path(__file__).resolve().parents[1]


def level(text: str, compiled) -> str:
    return read_sentence(text, compiled)[0]


# --- this session's ideas: negated subjects reach praise, questions assert nothing, praise said by denial --------

@pytest.mark.parametrize("text", [
    "None of the carers we met in the autumn had seen their suggestions acted on.",  # reading._negated_subject
    "The audit programme started in May, but no findings had yet been shared or acted on.",  # after "but"
])
def test_a_negated_clause_subject_reaches_the_praise_in_its_statement(text, compiled):
    assert level(text, compiled) in ("shortfall", "significant")


def test_a_question_asserts_no_praise_but_criticism_asked_still_counts(compiled):
    # reading._QUESTION
    assert level("Was reflective practice embedded across every team?", compiled) == "none"
    assert level("Carers asked why nothing had changed after the last survey?", compiled) in ("shortfall", "significant")


@pytest.mark.parametrize("text, wanted", [
    ("There was no shortage of specialist training for social workers.", "good"),  # language.yaml &litotes
    ("Support for newly qualified staff could not have been clearer.", "good"),
    ("Reflective supervision used to be embedded in the hospital team.", "shortfall"),  # lapsed praise
    ("The carers' forum was well attended until the grant ran out.", "shortfall"),
    ("Practice learning was far from embedded in the older people's teams.", "shortfall"),  # negation in other words
    ("Team managers denied that reflective supervision was regular.", "shortfall"),  # a denial negates
    ("The aim was an outstanding offer of training for every role.", "intention"),  # an aim, not a finding
])
def test_praise_said_by_denial_and_praise_that_has_lapsed(text, wanted, compiled):
    assert level(text, compiled) == wanted


@pytest.mark.parametrize("text, wanted", [
    # a negated subject's reach ends at a reason or a time: the praise after "because" is the council's
    ("No complaint went unanswered because the team had embedded learning from feedback.", "strong"),
    ("Nobody we spoke to had a bad word to say about the excellent training offer.", "strong"),  # litotes
    ("Audits found no cases where people had experienced delays.", "good"),  # "no cases where": the clause it names
    ('Staff said the forum was excellent and always ended by asking "what will you do differently?"', "strong"),
])
def test_the_reach_of_a_negation_and_of_a_question_ends_where_a_reader_s_does(text, wanted, compiled):
    assert level(text, compiled) == wanted


# --- plain statements of absence and negated subjects ---------------------------------------------------

@pytest.mark.parametrize("text", [
    "Practitioners were not given time to attend the practice forum.",   # no topic word in the clause
    "Neither review had started when we visited.",
])
def test_a_plain_negated_statement_is_criticism_even_without_a_topic_word(text, compiled):
    assert level(text, compiled) in ("shortfall", "significant")


@pytest.mark.parametrize("text", [
    "Nobody in the three locality teams had waited more than a month for a place on a course.",
    "No one we interviewed in the duty team described a blame culture.",
])
def test_a_negation_opening_the_clause_negates_every_problem_in_it(text, compiled):
    # reading._negated_subject: the opening "Nobody"/"No one" is further away than the negation window
    assert level(text, compiled) == "good"


def test_a_bare_sentence_of_absence_is_significant_a_missing_detail_a_shortfall(compiled):
    assert level("There was no carers' strategy.", compiled) == "significant"
    assert level("A carers' strategy had been drafted, but there was no date for its launch.", compiled) == "shortfall"


# --- figures read by direction --------------------------------------------------------------------------

@pytest.mark.parametrize("clause, expected", [
    ("The agency rate was 31%, compared with a regional average of 12%.", "significant"),  # more than double
    ("Turnover stood at 17%, against a target of 12%.", "shortfall"),
    ("Appraisal completion was 97%, against a target of 90%.", "good"),
    ("Appraisal completion was 64%, against a target of 90%.", "shortfall"),
    ("Complaints upheld were 30%, below the average of 55%.", "good"),
    ("In 40% of cases a remedy was agreed before the Ombudsman was involved, compared with an average of 20%.", "good"),
])
def test_a_figure_against_its_comparator_is_read_by_direction(clause, expected):
    assert figure_against_comparator(clause)[0] == expected


def test_a_target_is_not_the_councils_own_figure_and_an_answered_problem_does_not_hide_a_missed_target(compiled):
    # "against a target of 90%" is not a healthy 90%; answering one problem ("some staff were unsure … so
    # managers introduced a tracker") sets aside that problem only, not the missed target beside it
    assert level("Appraisal completion was 64%, against a target of 90%, and some staff were unsure of their "
                 "goals, so managers introduced a tracker.", compiled) == "shortfall"


def test_a_figure_with_no_comparator_is_left_to_the_cues():
    assert figure_against_comparator("Appraisal completion was 64% at the year end.") is None


@pytest.mark.parametrize("text, expected", [
    ("Waiting times for occupational therapy were well above the average for comparable councils.", "shortfall"),
    ("Retention of newly qualified staff had fallen since 2022.", "shortfall"),
    ("Vacancies had risen to 22% over the year.", "shortfall"),
])
def test_direction_words_next_to_a_measure(text, expected, compiled):
    assert level(text, compiled) == expected


# --- tense and decline; claims contradicted by others ----------------------------------------------------

def test_a_strength_that_has_since_declined_is_criticism(compiled):
    assert level("Joint working with the hospital had once been a strength but had lost momentum.", compiled) == "shortfall"


@pytest.mark.parametrize("text", [
    "Managers described an open culture, but this was not reflected in what frontline staff told us.",
    "The Director said co-production shaped every decision, yet carers could not name one it had changed.",
])
def test_a_claim_contradicted_by_others_is_a_shortfall(text, compiled):
    assert level(text, compiled) == "shortfall"


def test_a_leaders_own_superlative_is_good_not_strong(compiled):
    # reading._claimed_only_by_leaders
    assert level("Senior leaders told us the council's training offer was excellent.", compiled) == "good"
    assert level("The council's training offer was excellent.", compiled) == "strong"


def test_one_persons_view_is_not_strong(compiled):
    # reading._one_voice
    assert level("One social worker told us reflective practice was embedded in the team.", compiled) == "good"
    assert level("Reflective practice was embedded in every team we visited.", compiled) == "strong"


# --- early progress; quantity words; real breadth --------------------------------------------------------

def test_early_progress_is_intention_or_good_never_a_shortfall(compiled):
    assert level("The new duty model was beginning to make a difference for carers.", compiled) == "good"
    assert level("Reflective groups were beginning to embed in the west locality.", compiled) == "intention"
    assert level("The review of the duty model was still under way.", compiled) == "intention"


@pytest.mark.parametrize("text", [
    "All staff had access to the e-learning catalogue.",
    "Every member of staff received the newsletter.",
    "The council used nationally recognised tools to review care plans.",
])
def test_quantity_words_are_not_strength(text, compiled):
    assert level(text, compiled) != "strong"


@pytest.mark.parametrize("text", [
    "Reflective practice ran through every part of the service, from first contact to review.",
    "Two neighbouring councils had adopted the council's carers' assessment model.",
    "A panel of residents, paid for their time, co-chaired the commissioning board.",
])
def test_real_breadth_power_sharing_and_adoption_by_others_are_strong(text, compiled):
    assert level(text, compiled) == "strong"


# --- a problem answered by the council, and concessions ---------------------------------------------------

def test_a_problem_answered_by_the_councils_response_reads_as_the_response(compiled):
    # reading._answered_problem (one clause) and _answered_later (a later clause)
    assert level("When carers said the charging letters were confusing, the council rewrote them.", compiled) == "good"
    assert level("Carers found the charging letters confusing, so the council rewrote them with a carers' group.",
                 compiled) == "good"
    assert level("Some staff said supervision felt rushed; managers were aware of this and had begun to "
                 "address it.", compiled) == "intention"
    # criticism after the response still has the last word
    assert level("The council rewrote the charging letters, but carers said they were still confusing.",
                 compiled) == "shortfall"


def test_a_sentence_opening_with_a_concession_is_cut_after_it(compiled):
    text = "Although a few carers had not heard of the forum, its members had shaped the new respite service."
    sh = sentence_hits(text, compiled)
    assert concession_end(text) == text.index(",") + 1
    assert [text[a:b].strip() for a, b in clauses(sh)][0] == text[:text.index(",") + 1]
    assert level(text, compiled) == "good"  # reading._concession_outweighed
    # an absence is never outweighed by praise after it
    assert level("Although there was no workforce strategy, staff were positive about their managers.",
                 compiled) == "significant"


def test_negated_problems_are_good_news(compiled):
    for text in ("No agency social workers were used in the reablement service.",
                 "Staff said they could raise concerns without fear.",
                 "The team no longer relied on agency workers.",
                 "Reflective sessions were rescheduled rather than dropped during the winter."):
        assert level(text, compiled) == "good", text


# --- the bundled corpus: CI fails when the reading gets worse --------------------------------------------

# --- ninth session: ideas from the blind probes 24 and 25 ---------------------------------------------------------

@pytest.mark.parametrize("text, wanted", [
    # reading._OPENING_PREPOSITIONS: the negation after "In"/"At" still negates the clause's subject
    ("In none of these cases had the council offered a satisfactory remedy in good time.", "shortfall"),
    ("At no point had the carers' group been consistently involved in the redesign.", "shortfall"),
    # reading._OWN_FINDING: the council's own audit found the absence and acted on it, with a measured result
    ("After a case file audit found that carers' views were missing from many plans, teams retrained and the share "
     "of plans recording them rose from 48% to 81%.", "strong"),
    # ...but not when nothing followed from it
    ("After a case file audit found that carers' views were missing from many plans, nothing changed.", "significant"),
    # reading._RESPONSES: a problem answered later in the clause by a measured improvement
    ("Delays in occupational therapy assessments were the theme raised most often by people living at home and by "
     "their carers, and the wait for an assessment fell from 14 weeks to 6.", "strong"),
    # language.yaml intention `unless`: spreading what worked is not a plan in place of delivery
    ("The hospital discharge calls had cut readmissions and were being extended to two more wards.", "good"),
    # language.yaml maturity-developing: one part lagging
    ("Carers' assessments showed less progress than the rest of the service.", "shortfall"),
    # language.yaml &none-upheld: none of a lapse is good news, not a statement of absence
    ("No supervision sessions were missed in the last quarter.", "good"),
    # claim-not-borne-out's `unless`, and reading._answered_later: a problem answered later by none of a problem
    ("Reviews had slipped during the winter, but there were no delays once the new rota started.", "good"),
    # the negation list's `unless`: idioms whose "no" negates nothing (review9)
    ("In no time the council had trained every team in strengths-based practice.", "strong"),
    ("At no point had carers been involved in the redesign of respite.", "shortfall"),  # a negation all the same
])
def test_the_ninth_sessions_ideas(text, wanted, compiled):
    assert level(text, compiled) == wanted


def test_the_bundled_corpus_reads_at_least_as_well_as_today():
    """Thresholds just under the figures of 26 November 2026 over all of fixtures/sentences (1,178
    sentences, held-out included): level 0.842, polarity 0.917, critical read as critical 0.980, one
    praise sentence read as significant and one significant sentence read as praise (both held out)."""
    done = CliRunner().invoke(main, ["rules", "test", "--engine", "pure", "--sentences",
                                     str(REPO / "fixtures" / "sentences"), "--format", "json",
                                     "--min-level-accuracy", "0.835", "--min-polarity", "0.91",
                                     "--min-critical", "0.975"])
    assert done.exit_code == 0, done.output
    figures = json.loads(done.stdout)["sentences"]["all"]
    assert figures["praise_read_as_significant"] <= 1 and figures["significant_read_as_praise"] <= 1


@pytest.mark.parametrize("text, expected", [
    ("The council still relied on agency social workers in its out-of-hours team.", "shortfall"),
    ("The council relied heavily on agency social workers across its locality teams.", "significant"),
])
def test_reliance_on_agency_staff_in_one_team_is_a_shortfall_not_an_unstable_workforce(text, expected, compiled):
    # workforce-instability's `unless` for reliance confined to one team; the agency staff still read as a
    # shortfall through problem-words
    assert level(text, compiled) == expected


# --- tenth session: morale said to be low in any word order; "a minority of" counts people -------------------

@pytest.mark.parametrize("text", [
    "Some staff described morale in the hospital team as low.",  # the counter "low" must not flip the "some"
    "Practitioners told us morale had fallen since the restructure.",
    "Morale among occupational therapists had been badly affected by the move.",
])
def test_morale_said_to_be_low_is_a_serious_concern_not_praise(text, compiled):
    # language.yaml serious-concern: the morale regex
    assert level(text, compiled) == "significant"


def test_morale_that_has_lifted_is_not_a_concern(compiled):
    assert level("Staff told us morale had lifted since the new manager arrived.", compiled) not in ("shortfall", "significant")


def _themes(text: str, compiled) -> set[str]:
    from lii_check.model import Paragraph, Report, Section, Sentence
    from lii_check.reading import find_evidence

    report = Report(path="<sentence>", title="", awarded_score=3, score_line=1, label_score=None, label_text=None,
                    label_line=None, sections=[Section(None, None, [Paragraph(1, [Sentence(text, 1)])])])
    return {e.theme for e in find_evidence(report, compiled).evidence}


def test_a_minority_of_staff_is_a_count_not_the_equality_theme(compiled):
    # equality.yaml topic `unless`: "a minority of" counts people
    assert "equality" not in _themes("A minority of staff felt supervision was rushed.", compiled)
    assert "equality" in _themes("Few people from minority ethnic communities used the service.", compiled)


# --- tenth session: a time taken against its standard, and a rank among peers (reading.figure_against_comparator) --

@pytest.mark.parametrize("clause, expected", [
    ("Complaints were answered in 41 working days on average, against a standard of 20.", "significant"),  # > double
    ("Assessments took 35 days, against a target of 28.", "shortfall"),
    ("Assessments took 12 days against a target of 28 days.", "good"),
    ("Waits fell from 96 days to 21 days, against a target of 28.", "good"),  # the figure set against the target
    ("Reviews were completed within 6 weeks on average, against a target of 28 days.", "shortfall"),  # 42 days
    ("Complaint response times were the worst in the region.", "shortfall"),
    ("The carers' forum was one of the longest running in the country.", "good"),  # longest, not a wait
    ("It had the lowest number of staff leaving of any council in the region.", "good"),
    ("Reviews took 120 days on average, well beyond the 28-day standard.", "significant"),  # the standard as an adjective
    ("The council ranked 148th out of 153 for carers' satisfaction.", "shortfall"),  # a place in the lower half
    ("It ranked 2nd of 15 councils.", "good"),
    ("It had the lowest training completion rate of its comparator group.", "shortfall"),
    ("The training budget per head was the lowest of the councils in the region.", "shortfall"),  # higher is better
    ("The staff survey response rate was 28%, the lowest in the council.", "shortfall"),  # no pair: the rank reads it
    ("Vacancy rates were the lowest in the region.", "good"),  # lower is better
    ("The highest number of complaints in the council came from the east team.", "shortfall"),  # measure after it
    ("Waits for assessment were the longest in the region.", "shortfall"),
    ("Reablement outcomes were among the best in the country.", "good"),
    ("Waiting times were among the best in the country.", "good"),  # best is good whatever the measure
])
def test_a_time_taken_or_a_rank_among_peers_is_read_by_direction(clause, expected):
    assert figure_against_comparator(clause)[0] == expected


def test_a_rank_with_no_peers_or_a_duration_with_no_standard_is_left_to_the_cues():
    assert figure_against_comparator("The highest priority was recruitment.") is None
    assert figure_against_comparator("Assessments took 35 days on average.") is None


@pytest.mark.parametrize("clause", [
    "Staff had 30 days of protected learning time, against a standard of 20.",  # time given: longer is better
    "Staff stayed 30 months on average, against a regional figure of 18.",
    "Over the past 6 months, 3 staff had completed the course, against a target of 30.",  # a period, not a time taken
    "The borough had the highest levels of deprivation in the region.",  # the place's circumstances
    "The council had the fastest growing population in the region.",
    "Deprivation was the highest in the region.",  # the circumstance as the rank's subject
])
def test_time_given_and_a_places_circumstances_are_not_read_as_performance(clause):
    assert figure_against_comparator(clause) is None


# --- tenth session: the same sentence counts once; a sentence that refutes the one before it (find_evidence) -------

def _report(tmp_path, findings: str, score: int = 4):
    from lii_check.parser import read_report

    path = tmp_path / "r.md"
    path.write_text("<!-- synthetic test text -->\n# Learning, improvement and innovation\n\n"
                    f"Score: {score}\n\n## Key findings for this quality statement\n\n{findings}\n", encoding="utf-8")
    return read_report(str(path), "r.md")


def test_a_sentence_repeated_word_for_word_counts_once(tmp_path, compiled):
    from lii_check.reading import find_evidence

    praise = "Learning was embedded across the workforce and co-production was well established."
    once = find_evidence(_report(tmp_path, praise + " Supervision had lapsed in every team."), compiled)
    again = find_evidence(_report(tmp_path, "\n\n".join([praise] * 5 + ["Supervision had lapsed in every team."])), compiled)
    assert [(e.theme, e.level, e.cue) for e in again.evidence] == [(e.theme, e.level, e.cue) for e in once.evidence]
    repeats = [s for s in again.set_aside if s.cue == "(the same sentence again)"]
    assert len(repeats) == 4 and "repeats the sentence at line 8" in repeats[0].reason


def test_a_short_stock_sentence_may_recur(tmp_path, compiled):
    from lii_check.reading import find_evidence

    text = "Supervision was regular. Staff valued it. Supervision was regular."  # under six words: not a repetition
    reading = find_evidence(_report(tmp_path, text), compiled)
    assert sum(e.cue == "regular" for e in reading.evidence) == 2


@pytest.mark.parametrize("refutation", [
    "We found that none of this was true.",
    "This was not what we found.",
    "The data showed the opposite.",
    "We saw no evidence of this.",
    "We did not see this in the case files we reviewed.",
    "Few of the records we reviewed reflected this.",
    "People we spoke with disagreed.",
])
def test_praise_refuted_by_the_next_sentence_is_set_aside(tmp_path, compiled, refutation):
    from lii_check.reading import find_evidence

    claim = "Leaders told us that learning was embedded and that supervision was regular and reflective."
    reading = find_evidence(_report(tmp_path, f"{claim} {refutation}"), compiled)
    assert not [e for e in reading.evidence if e.level in ("strong", "good")]
    assert any(s.reason.startswith("refuted by the next sentence") for s in reading.set_aside)


def test_criticism_refuted_by_the_next_sentence_is_set_aside_with_its_refutation(tmp_path, compiled):
    from lii_check.reading import find_evidence

    text = "Leaders said the backlog of reviews was a serious problem. This was not what we found."
    reading = find_evidence(_report(tmp_path, text), compiled)
    assert not [e for e in reading.evidence if e.level in ("shortfall", "significant")]
    assert any(s.reason.startswith("refuted by the next sentence") for s in reading.set_aside)


def test_a_sentence_that_only_qualifies_the_one_before_does_not_refute_it(tmp_path, compiled):
    from lii_check.reading import find_evidence

    text = "The reablement pilot halved waits for home care. This was not yet evaluated by the university."
    reading = find_evidence(_report(tmp_path, text), compiled)
    assert any(e.level in ("strong", "good") and e.line == 8 for e in reading.evidence), reading.evidence


def test_a_stock_sentence_closing_paragraphs_on_different_themes_counts_for_each(tmp_path, compiled):
    from lii_check.reading import find_evidence

    stock = "This had led to improved outcomes for people who use services."
    text = (f"Reflective supervision was regular in every team. {stock}\n\n"
            f"Carers co-produced the new respite offer with commissioners. {stock}")
    reading = find_evidence(_report(tmp_path, text), compiled)
    assert not [s for s in reading.set_aside if s.cue == "(the same sentence again)"]


@pytest.mark.parametrize("sentence", [
    "None of them were upheld by the Ombudsman.",  # good news of its own: it refutes nothing
    "This was not the case in the hospital discharge team.",  # a qualification, not a refutation
    "Staff did not find it difficult to access.",
])
def test_a_sentence_that_is_not_a_refutation_leaves_the_praise_before_it(tmp_path, compiled, sentence):
    from lii_check.reading import find_evidence

    claim = "Learning from complaints was shared with every team and reflective supervision was embedded."
    reading = find_evidence(_report(tmp_path, f"{claim} {sentence}"), compiled)
    assert not any(s.reason.startswith("refuted") for s in reading.set_aside)


def test_a_time_and_its_standard_are_compared_in_days_whatever_their_units():
    # _DAYS: a year is 365 days, a week 7; the same time written in two units is neither better nor worse
    assert figure_against_comparator("The appeal was answered in 1 year, against a target of 365 days.") is None
    assert figure_against_comparator("Reviews were answered in 2 weeks, against a target of 14 days.") is None
    assert figure_against_comparator("Reviews were answered in 3 weeks, against a target of 20 days.")[0] == "shortfall"


def test_a_repeat_dressed_in_other_punctuation_or_quoting_counts_once(tmp_path, compiled):
    from lii_check.reading import find_evidence

    praise = "Learning was embedded across the workforce and co-production was well established"
    text = f"{praise}.\n\n> {praise}!\n\n**{praise}** (1).\n\n\"{praise}\""
    reading = find_evidence(_report(tmp_path, text), compiled)
    assert len([s for s in reading.set_aside if s.cue == "(the same sentence again)"]) == 3


def test_a_refutation_after_a_skipped_repeat_refutes_nothing(tmp_path, compiled):
    from lii_check.reading import find_evidence

    repeated = "Supervision records were kept in the new system for every practitioner."
    text = f"{repeated} Reflective supervision was embedded in every team. {repeated} This was not what we found."
    reading = find_evidence(_report(tmp_path, text), compiled)
    assert not any(s.reason.startswith("refuted") for s in reading.set_aside)


def test_a_long_sentence_ending_in_a_refutation_has_findings_of_its_own_and_refutes_nothing(tmp_path, compiled):
    from lii_check.reading import find_evidence

    text = ("Reflective supervision was embedded in every team. Leaders, managers and the principal social worker all "
            "described a strong culture of learning across the service, but staff in the hospital team told us that "
            "this was not what we found.")
    reading = find_evidence(_report(tmp_path, text), compiled)
    assert not any(s.reason.startswith("refuted") for s in reading.set_aside)
