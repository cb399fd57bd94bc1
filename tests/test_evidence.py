"""Reading evidence: negation, hedging and intention scoped to the clause, on real report sentences."""
from lii_check.evidence import GENERAL
from lii_check.ruletest import judgements, signal_fires


def level(sentence, compiled, theme=GENERAL):
    """The most telling level across the sentence's clauses (negatives first, as the engine does)."""
    levels = [j.level for j in judgements(sentence, theme, compiled)]
    for wanted in ("significant", "shortfall", "intention", "strong", "good"):
        if wanted in levels:
            return wanted
    return None


def test_embedded_is_strong_but_not_yet_embedded_is_not(compiled):
    assert level("Co-production was embedded throughout the local authority's work.", compiled, "co-production") == "strong"
    assert level("Co-production was not yet embedded throughout the local authority's work.", compiled, "co-production") == "shortfall"
    assert level("Co-production had yet to be embedded in commissioning.", compiled, "co-production") == "shortfall"


def test_negation_stays_in_its_clause(compiled):
    # Seed 001: the caveat after "however" does not undo the strength before it.
    sentence = ("Staff consistently reported good access to training and on-the-job support from the workforce "
                "development team, however a senior leader shared finding time for staff development had been "
                "impacted by service demands")
    clauses = judgements(sentence, "learning-culture", compiled)
    assert len(clauses) == 2
    assert clauses[0].level == "strong"
    assert clauses[1].level == "shortfall"


def test_negated_problem_is_good_news(compiled):
    # Seed 002: "no late remedies" must not count as late remedies.
    assert level("Compliance with remedies was 100%, with no late remedies or incidents of late compliance.",
                 compiled, "complaints") in ("strong", "good")
    assert level("Remedies were paid late in four cases.", compiled, "complaints") == "significant"


def test_intention_is_not_delivery(compiled):
    [j] = judgements("The council planned to introduce regular co-production forums.", "co-production", compiled)
    assert j.level == "intention"
    assert any(reason.startswith("intention") for _, reason in j.set_aside)
    assert level("A new practice framework had recently been introduced.", compiled) == "intention"
    assert level("The local authority was developing an information hub for staff.", compiled) == "intention"


def test_hedged_claim_is_set_aside(compiled):
    [j] = judgements("The new forum may have been effective in sharing learning.", GENERAL, compiled)
    assert j.level is None
    assert any(reason.startswith("hedged") for _, reason in j.set_aside)


def test_ideas_not_seed_sentences(compiled):
    # Wording unlike the seeds, expressing the same ideas.
    assert level("Work on the practice framework had stalled.", compiled) == "shortfall"
    assert level("Reflective supervision was part of everyday practice in every team.", compiled) == "strong"
    assert level("The carers' forum had lapsed and had not been restarted.", compiled) == "significant"
    assert level("Research activity remained underdeveloped.", compiled) == "shortfall"
    assert level("Morale was low and exit interviews were rarely held.", compiled) == "significant"


def test_seldom_heard_is_not_an_absence(compiled):
    sentence = "The specific needs of seldom heard groups were embedded in the vision for co-production."
    assert level(sentence, compiled, "co-production") == "strong"


def test_signal_examples_helper_detects_level(compiled):
    signal = next(s for s in compiled.rulebook.signals() if s.id == "maturity-embedded")
    assert signal_fires(signal, "Learning was firmly established.", compiled)
    assert not signal_fires(signal, "Learning was not firmly established.", compiled)


def _theme_score(text, theme, compiled):
    from lii_check.check import analyse
    from lii_check.parser import parse_report
    report = parse_report(f"Score: 3\n\n3 - Evidence shows a good standard\n\n{text}\n", "t.md")
    return analyse(report, compiled).themes[theme].score


def test_leaders_claims_contradicted_by_staff_count_for_less(compiled):
    claim = "Senior leaders told us supervision was regular and effective."
    contradiction = "Staff told us supervision was frequently cancelled."
    corroboration = "Audit data showed supervision was regular and effective."
    contradicted = _theme_score(f"{claim} {contradiction}", "supervision", compiled)
    # The same contradiction, but the positive claim is corroborated by data: no discount.
    corroborated = _theme_score(f"{corroboration} {contradiction}", "supervision", compiled)
    assert contradicted < corroborated
