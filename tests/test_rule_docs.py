"""Rule pages written from the rulebook (`lii-check rules docs`), the committed docs/rules/, and the
same text in SARIF's rule help."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from lii_check.rule_docs import REGENERATE, md, pages

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "docs" / "rules"




def _tree(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_committed_pages_are_current(cli, tmp_path):
    result = cli("rules", "docs", tmp_path / "fresh")
    assert result.exit_code == 0, result.output
    fresh, committed = _tree(tmp_path / "fresh"), _tree(COMMITTED)
    stale = sorted(set(fresh) ^ set(committed) | {n for n in fresh if committed.get(n) != fresh[n]})
    assert not stale, (f"docs/rules/ is stale ({', '.join(stale)}): regenerate it from the repository root with "
                       f"`{REGENERATE}` (delete pages of removed themes first) and commit the result")


def test_every_theme_page_shows_its_signals_expectations_and_examples(rulebook):
    written = pages(rulebook)
    assert set(written) == {f"{t.id}.md" for t in rulebook.themes} | {"index.md", "language.md", "consistency.md"}
    for theme in rulebook.themes:
        page = written[f"{theme.id}.md"]
        assert page.startswith(f"# {md(theme.title)}\n") and md(theme.description) in page
        for signal in theme.signals:
            assert f"### `{signal.key}`" in page and md(signal.description) in page
            for text in signal.examples["fires"] + signal.examples["quiet"]:
                assert f"- {md(text)}\n" in page
        for exp in theme.expectations:
            section = page.split(f"### `{exp.id}`", 1)[1].split("\n### ", 1)[0]
            assert f"- Severity: {exp.severity}\n" in section
            assert "Applies to reports awarded: " + ", ".join(str(s) for s in exp.applies_to) in \
                section.replace(" (an exceptional standard)", "").replace(" (a good standard)", "") \
                .replace(" (some shortfalls)", "").replace(" (significant shortfalls)", "")
            assert f"> {md(exp.message)}\n" in section
            for name, test in exp.when.items():
                assert f"`{name}` is {str(test).lower() if isinstance(test, bool) else test}" in section
            for example in exp.examples["fires"] + exp.examples["quiet"]:
                assert f"- awarded {example['awarded']}: {md(example['text'])}\n" in section
        assert f"[{md(theme.title)}]({theme.id}.md)" in written["index.md"]
    for exp in rulebook.scoring.expectations:
        assert f"### `{exp.id}`" in written["consistency.md"]
    for signal in rulebook.language.signals:
        assert f"### `{signal.key}`" in written["language.md"]


def test_pages_of_a_rules_folder_with_a_new_theme(cli, rules_copy, tmp_path):
    text = (rules_copy / "research.yaml").read_text("utf-8")
    (rules_copy / "research-ethics.yaml").write_text(
        text.replace("theme: research", "theme: research-ethics", 1)
            .replace("title: Research and evidence-based practice", "title: Research ethics", 1), "utf-8")
    out = tmp_path / "pages"
    result = cli("rules", "docs", out, "--rules", rules_copy)
    assert result.exit_code == 0, result.output
    assert "# Research ethics\n" in (out / "research-ethics.md").read_text("utf-8")
    assert "[Research ethics](research-ethics.md)" in (out / "index.md").read_text("utf-8")
    again = tmp_path / "again"
    cli("rules", "docs", again, "--rules", rules_copy)
    assert _tree(out) == _tree(again)  # deterministic


def test_refuses_to_write_into_the_rules_it_reads(cli, rules_copy):
    before = _tree(rules_copy)
    for target in (rules_copy, rules_copy / "docs"):
        result = cli("rules", "docs", target, "--rules", rules_copy)
        assert result.exit_code == 2
        assert "refusing to write rule pages into" in result.stderr and str(rules_copy.resolve()) in result.stderr
    assert _tree(rules_copy) == before and not (rules_copy / "docs").exists()


def test_sarif_rule_help_is_the_rule_page_text(cli, rulebook):
    log = json.loads(cli("check", REPO / "fixtures" / "shifted", "--engine", "pure", "--format", "sarif").stdout)
    rules = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    written = pages(rulebook)
    for theme in rulebook.themes:
        for exp in theme.expectations:
            rule = rules[exp.id]
            assert rule["fullDescription"]["text"].startswith(" ".join(exp.description.split()))
            body = rule["help"]["markdown"].split("\n", 1)[1].split("\n\nRule page:")[0]
            assert body.strip() in written[f"{theme.id}.md"]
            assert " ".join(exp.message.split()) in rule["help"]["text"]
    assert "informationUri" not in log["runs"][0]["tool"]["driver"]  # no published URL: SARIF needs an absolute one


def test_information_uri_comes_from_the_project_urls(monkeypatch):
    from importlib import metadata

    from lii_check.formats import sarif

    class Meta:
        def __init__(self, urls):
            self.urls = urls

        def get_all(self, name):
            return self.urls if name == "Project-URL" else None

    monkeypatch.setattr(metadata, "metadata", lambda name: Meta(["Homepage, https://example.org/lii-check"]))
    assert sarif.driver({"name": "lii-check", "version": "1"})["informationUri"] == "https://example.org/lii-check"
    monkeypatch.setattr(metadata, "metadata", lambda name: Meta(["Documentation, docs/rules/index.md"]))
    assert "informationUri" not in sarif.driver({"name": "lii-check"})  # relative: not a valid informationUri


def test_refuses_to_write_into_any_folder_of_other_files(cli, rules_copy, tmp_path):
    """Not only the rules it reads: another rulebook (a copy, while the bundled one is documented) or a
    folder of reports (where the pages would be checked as reports) is refused, and nothing is written.
    A new folder, and one an earlier run wrote, are fine."""
    reports = tmp_path / "corpus"
    shutil.copytree(REPO / "fixtures" / "seeds", reports)
    for folder, named in ((rules_copy, "co-production.yaml"), (reports, "000_69a4ab76882569fd.txt")):
        before = sorted(p.name for p in folder.iterdir())
        result = cli("rules", "docs", folder)
        assert result.exit_code == 2
        assert "refusing to write rule pages into a folder that holds other files" in result.stderr
        assert f"({named} …)" in result.stderr
        assert sorted(p.name for p in folder.iterdir()) == before
    assert cli("rules", "docs", tmp_path / "pages").exit_code == 0  # a new folder
    assert cli("rules", "docs", tmp_path / "pages").exit_code == 0  # over its own earlier run
    (tmp_path / "empty").mkdir()
    assert cli("rules", "docs", tmp_path / "empty").exit_code == 0
