"""The benchmark's generated corpora: deterministic, distinct, readable, labelled synthetic. No timings here."""
from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"


def _load(name: str):
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
        spec.loader.exec_module(module)
        return module
    finally:
        while str(BENCH) in sys.path:  # run.py adds it too; leave no bench module importable by name
            sys.path.remove(str(BENCH))


corpus = _load("corpus")
run = _load("run")


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_gives_the_same_bytes(tmp_path):
    first = corpus.generate(tmp_path / "a", 12, seed=7)
    second = corpus.generate(tmp_path / "b", 12, seed=7)
    assert not first.reused and not second.reused
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert len([n for n in a if n.endswith(".md")]) == 12
    assert a == b


def test_another_seed_gives_other_sections():
    sources = corpus.load_sources()
    assert corpus.section_text(1, 0, sources) != corpus.section_text(2, 0, sources)


def test_a_smaller_corpus_is_the_start_of_a_larger_one(tmp_path):
    corpus.generate(tmp_path / "small", 3, seed=1)
    corpus.generate(tmp_path / "large", 5, seed=1)
    small, large = _files(tmp_path / "small"), _files(tmp_path / "large")
    assert all(large[name] == data for name, data in small.items() if name.endswith(".md"))


def test_sections_share_few_sentences():
    sources = corpus.load_sources()
    texts = [corpus.section_text(1, i, sources) for i in range(40)]
    distinct, worst = corpus.distinct_share(texts)
    assert distinct > 0.9, f"only {distinct:.0%} of sentences are distinct: a clause cache would hide the work"
    assert worst < 0.5, f"two sections share {worst:.0%} of their sentences"


def test_sections_mix_sources_and_redraw_numbers():
    sources = corpus.load_sources()
    originals = {s for p in sources.paragraphs for s in p.sentences}
    text = corpus.section_text(1, 5, sources)
    sentences = corpus.split_sentences(corpus._body(text).split("### ", 2)[1].split("\n", 1)[1])
    unchanged = [s for s in sentences if s in originals]
    assert len(unchanged) < len(sentences) / 2, "most sentences are verbatim fixture sentences"


def test_score_varies_and_its_label_agrees():
    sources = corpus.load_sources()
    scores = set()
    for i in range(30):
        text = corpus.section_text(3, i, sources)
        score = int(re.search(r"^(?:## )?Score:? (\d)$", text, re.M).group(1))
        label = re.search(r"^(\d) - (Evidence shows .*)$", text, re.M)
        assert int(label.group(1)) == score and label.group(2) == corpus.LABELS[score]
        scores.add(score)
    assert len(scores) >= 3


def test_sections_are_labelled_synthetic_and_size_is_a_national_round():
    sources = corpus.load_sources()
    texts = [corpus.section_text(1, i, sources) for i in range(60)]
    assert all(t.startswith("---\nsynthetic: true\n") for t in texts)
    mean = sum(len(t.encode()) for t in texts) / len(texts)
    assert 10_000 < mean < 16_000, mean  # 1,400 sections of about 13 KB: about 19 MB


def test_lii_check_reads_every_generated_section(tmp_path):
    made = corpus.generate(tmp_path / "c", 4, seed=2)
    cli = Path(sys.executable).parent / "lii-check"
    out = subprocess.run([str(cli), "check", "--format", "json", "--fail-on", "never", str(made.folder)],
                         capture_output=True, text=True, check=True)
    reports = json.loads(out.stdout)["reports"]
    assert len(reports) == 4
    assert run.unreadable_in(out.stdout) == []
    for report in reports:
        text = (made.folder / Path(report["path"]).relative_to(made.folder)).read_text("utf-8")
        assert f"{report['awarded_score']} - Evidence shows" in text


def test_never_generates_into_the_repository(tmp_path):
    with pytest.raises(corpus.CorpusError, match="inside the repository"):
        corpus.generate(REPO / "bench" / "corpus-here", 2)
    assert not (REPO / "bench" / "corpus-here").exists()


def test_refuses_a_folder_holding_other_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", "utf-8")
    with pytest.raises(corpus.CorpusError, match="not empty"):
        corpus.generate(tmp_path, 2)
    assert (tmp_path / "notes.txt").read_text("utf-8") == "mine"


def test_a_previous_corpus_is_reused_or_replaced(tmp_path):
    corpus.generate(tmp_path, 3, seed=1)
    assert corpus.generate(tmp_path, 3, seed=1).reused
    again = corpus.generate(tmp_path, 2, seed=4)
    assert not again.reused
    assert sorted(p.name for p in tmp_path.rglob("*.md")) == ["s000000.md", "s000001.md"]
    assert (tmp_path / "part-000" / "s000000.md").read_text("utf-8") == corpus.section_text(4, 0, corpus.load_sources())


def test_long_input_is_one_clause_of_fixture_words():
    text = run.long_report(20_000, 1)
    assert text.startswith("---\nsynthetic: true\n")
    line = text.rstrip("\n").rsplit("\n", 1)[1]
    assert len(line) >= 20_000
    assert not re.search(r"[.!?;,]", line)
    assert not set(line.split()) & run.CLAUSE_WORDS
    assert run.long_report(20_000, 1) == text


def test_pattern_export_holds_every_rulebook_pattern():
    from lii_check.rulebook import load_rulebook

    patterns = _load("patterns")
    exported = {p["pattern"] for p in patterns.rulebook_patterns()}
    rulebook = load_rulebook()
    lang = rulebook.language
    def regexes(cues):  # a block's cues and its `unless` cues
        return {c.regex for c in cues.cues} | {c.regex for c in cues.unless}

    expected = {r for t in rulebook.themes for r in regexes(t.topic)}
    expected |= {r for s in rulebook.signals() for r in regexes(s.cues)}
    expected |= {r for family in (lang.clause_breaks, lang.negation, lang.counter, lang.intention, lang.hedging)
                 for r in regexes(family)}
    expected |= {r for cues in lang.attribution.values() for r in regexes(cues)}
    assert expected and exported == expected


def test_jobs_and_sizes_are_parsed():
    assert run.parse_sizes("1400,10_000") == [1400, 10000]
    assert run.parse_jobs("1,2,N,1") == [1, 2] + ([run.os.cpu_count()] if run.os.cpu_count() not in (1, 2) else [])
    with pytest.raises(run.BenchError):
        run.parse_sizes("lots")
