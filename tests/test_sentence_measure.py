"""`rules test --sentences`: sentence-level figures on an annotated corpus, and thresholds that fail CI
(issue 10, item 2). The figures themselves are what the rulebook reads today; these tests check the
arithmetic and the exit codes on a small corpus whose readings are known, not a target."""
import json
from pathlib import Path

from click.testing import CliRunner

from lii_check.cli import main
from lii_check.sentences import SentenceCorpusError, load_items, measure, read_sentence

REPO = Path(__file__).resolve().parents[1]
CORPUS = """
- {text: "Co-production was embedded throughout the council's work.", level: strong}
- {text: "There was no workforce strategy.", level: significant}
- {text: "The council planned to introduce regular co-production forums.", level: intention}
- {text: "Interviews were held with the principal social worker.", level: none}
"""


def test_a_sentence_reads_as_it_does_in_a_report(compiled):
    assert read_sentence("Co-production was embedded throughout the council's work.", compiled)[0] == "strong"
    assert read_sentence("Co-production was not yet embedded in commissioning.", compiled)[0] == "shortfall"
    assert read_sentence("The council planned to introduce regular co-production forums.", compiled)[0] == "intention"


def test_figures_on_a_small_corpus(tmp_path, compiled):
    (tmp_path / "c.yaml").write_text(CORPUS + '- {text: "Supervision was regular and reflective.", level: significant}\n',
                                     "utf-8")
    items = load_items([tmp_path])
    got = [read_sentence(i.text, compiled)[0] for i in items]
    figures = measure(items, compiled)
    exact = sum(g == i.level for g, i in zip(got, items))
    assert figures["sentences"] == 5 and figures["level_accuracy"] == round(exact / 5, 4)
    assert figures["confusion"]["significant"][got[4]] >= 1
    assert figures["significant_read_as_praise"] == (1 if got[4] in ("strong", "good") else 0)
    assert figures["worst"][0]["text"].startswith("Supervision was regular")  # praise for criticism is worst


def test_thresholds_fail_the_run_and_bad_corpora_are_usage_errors(tmp_path):
    (tmp_path / "c.yaml").write_text(CORPUS, "utf-8")
    runner = CliRunner()
    ok = runner.invoke(main, ["rules", "test", "--engine", "pure", "--sentences", str(tmp_path), "--format", "json"])
    figures = json.loads(ok.stdout)["sentences"]["all"]
    assert ok.exit_code == 0 and figures["sentences"] == 4
    # A strong sentence labelled significant: whatever the rulebook, it is a critical sentence not read as one.
    mislabelled = tmp_path / "mislabelled"
    mislabelled.mkdir()
    (mislabelled / "m.yaml").write_text('- {text: "Co-production was embedded throughout the council\'s work.", '
                                        'level: significant}\n', "utf-8")
    strict = runner.invoke(main, ["rules", "test", "--engine", "pure", "--sentences", str(mislabelled),
                                  "--min-critical", "0.5", "--min-polarity", "0.5"])
    assert strict.exit_code == 1
    assert "critical read as critical 0% is below --min-critical 50%" in strict.output
    assert "polarity accuracy 0% is below --min-polarity 50%" in strict.output
    (tmp_path / "bad.yaml").write_text("- {text: hello, level: great}\n", "utf-8")
    bad = runner.invoke(main, ["rules", "test", "--engine", "pure", "--sentences", str(tmp_path)])
    assert bad.exit_code == 2 and "bad.yaml:1: item 1 needs a 'text' that is not empty and a 'level'" in bad.output


def test_the_bundled_corpus_loads_every_item():
    items = load_items([REPO / "fixtures" / "sentences"])
    assert len(items) > 1000 and {i.level for i in items} == {"strong", "good", "intention", "shortfall",
                                                              "significant", "none"}


def test_a_figure_under_its_threshold_never_prints_as_the_threshold():
    """Shares print to one decimal, rounded down: 0.8497 against --min-level-accuracy 0.85 reads 84.9%."""
    from lii_check.formats._common import share_text
    from lii_check.sentences import below

    assert [share_text(x) for x in (0.8497, 0.85, 0.8974, 0.29, 1.0, None)] == \
        ["84.9%", "85%", "89.7%", "29%", "100%", "-"]
    assert below({"level_accuracy": 0.8497}, {"min_level_accuracy": 0.85}) == \
        ["level accuracy 84.9% is below --min-level-accuracy 85%"]


def test_a_sentence_file_named_twice_counts_once_and_bad_items_are_located(tmp_path):
    (tmp_path / "c").mkdir()
    good = tmp_path / "c" / "a.yaml"
    good.write_text("- text: Supervision was monthly and reflective in every team.\n  level: good\n", "utf-8")
    # A folder and a file in it, or the same file by two spellings: each item once (they were counted twice).
    assert len(load_items([tmp_path / "c", good, tmp_path / "c" / ".." / "c" / "a.yaml"])) == 1
    for text, words in [
        ("- text: Supervision was monthly.\n  level: strong\n  level: shortfall\n",
         ":3: the key 'level' appears twice in this block (first on line 2)"),  # read with the last value, silently
        ("- text: Fine.\n  level: good\n- text: \"\"\n  level: good\n", ":3: item 2 needs a 'text' that is not empty"),
    ]:
        bad = tmp_path / "bad.yaml"
        bad.write_text(text, "utf-8")
        try:
            load_items([bad])
        except SentenceCorpusError as exc:
            assert str(exc).startswith(f"{bad}{words}"), str(exc)
        else:
            raise AssertionError(f"{text!r} was read")
