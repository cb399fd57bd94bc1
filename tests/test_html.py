"""``--format html`` without a browser: structure, escaping, links, determinism, the CLI wiring.

The page is parsed with the standard library's HTMLParser so the checks look at elements and
attributes, not at substrings that could appear anywhere. tests/test_html_browser.py opens the same
pages in Chromium.
"""
from __future__ import annotations

import base64
import hashlib
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from lii_check.check import discover
from lii_check.cli import main
from lii_check.document import rules_meta
from lii_check.formats import FORMATS, render
from lii_check.formats import html as html_format
from lii_check.model import Evidence, SetAside

from in_memory import build_document, check_files

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "fixtures" / "seeds"
SHIFTED = REPO / "fixtures" / "shifted"

# Synthetic (written for this test): report text that tries to run script in the page.
HOSTILE = """<!-- synthetic: true (a hostile report written for the HTML escaping test) -->
# Learning, improvement and innovation <script>window.__pwned_title=1</script>

Score: 2

2 - Evidence shows some shortfalls

## Key findings for this quality statement

Staff told us learning was shared <script>window.__pwned=1</script> across teams and this was effective.
Leaders said <img src=x onerror="window.__pwned=2"> training had been cancelled and there was no plan to restart it.
People said the "co-production" group was "not yet embedded" & partners said <b onmouseover=alert(1)>feedback</b> was ignored.
"""


class Page(HTMLParser):
    """Every start tag with its attributes, the text, and the ids (for link checks)."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self._in: str | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._in = tag
            (self.scripts if tag == "script" else self.styles).append("")

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "script":
            self.scripts[-1] += data
        elif self._in == "style":
            self.styles[-1] += data
        else:
            self.text.append(data)

    def ids(self) -> list[str]:
        return [a["id"] for _, a in self.tags if "id" in a]

    def find(self, tag: str, **want) -> list[dict]:
        return [a for t, a in self.tags if t == tag and all(
            (a.get(k.rstrip("_")) or "").split().__contains__(v) if k.endswith("_") else a.get(k) == v
            for k, v in want.items())]


def run(paths: list[Path], engine: str = "pure"):
    from lii_check.rulebook import load_rulebook

    from lii_check.compiled import compile_rulebook_once

    rulebook = load_rulebook()
    results, used = check_files(discover([str(p) for p in paths]), compile_rulebook_once(rulebook), engine)
    doc = build_document(results, rulebook, engine=used)
    return doc, rules_meta(rulebook), results


@pytest.fixture(scope="module")
def shifted():
    return run([SHIFTED])


@pytest.fixture(scope="module")
def shifted_page(shifted):
    doc, meta, results = shifted
    return html_format.render(doc, meta, results)


@pytest.fixture()
def hostile_corpus(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "hostile.md").write_text(HOSTILE, encoding="utf-8")
    (corpus / "broken <script>.txt").write_text("no score in <script>here</script>\n", encoding="utf-8")
    return corpus


def test_html_is_a_format():
    assert "html" in FORMATS


def test_the_same_input_gives_the_same_bytes(shifted):
    doc, meta, results = shifted
    again = run([SHIFTED])
    assert html_format.render(doc, meta, results) == html_format.render(*again[:2], again[2])


def test_cli_output_and_format_are_byte_identical_across_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    corpus = tmp_path / "corpus"
    shutil.copytree(SHIFTED, corpus)
    runner = CliRunner()
    first = runner.invoke(main, ["corpus", "--engine", "pure", "--output", "html=one.html"])
    second = runner.invoke(main, ["corpus", "--engine", "pure", "--format", "html"])
    assert first.exit_code == second.exit_code == 1, first.output
    written = (tmp_path / "one.html").read_text("utf-8")
    assert written == second.stdout
    assert written.startswith("<!DOCTYPE html>") and written.endswith("</html>\n")
    # The report text made it in: without the results the page could only quote cited sentences.
    assert "The induction process for all adult social care staff included" in written


def test_the_page_is_self_contained(shifted_page):
    page = Page(shifted_page)
    for tag, attrs in page.tags:
        for name in ("src", "href", "action", "srcset", "data", "poster", "xlink:href"):
            value = attrs.get(name)
            if value is not None:
                assert value.startswith("#"), f"<{tag} {name}={value!r}> would leave the page"
        assert tag not in ("link", "iframe", "object", "embed", "img", "base"), tag
    css = "".join(page.styles)
    assert "url(" not in css and "@import" not in css and "@font-face" not in css
    assert not re.search(r"https?://", shifted_page)


def test_the_content_security_policy_admits_only_the_pages_own_scripts(shifted_page):
    page = Page(shifted_page)
    csp = page.find("meta", **{"http-equiv": "Content-Security-Policy"})[0]["content"]
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp
    hashes = set(re.findall(r"'sha256-([^']+)'", csp))
    own = {base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() for s in page.scripts + page.styles}
    # Every script and style block is allowed by hash, and the policy allows nothing else.
    assert hashes == own and len(page.scripts) == 2 and len(page.styles) == 1


def test_a_page_printed_on_a_stream_that_is_not_utf8_keeps_its_text_and_its_style(shifted_page):
    # On a cp1252 or ASCII stdout (a Windows redirect) characters became "?": in the style sheet that broke the hash
    # the security policy allows, and the browser dropped the whole style sheet (hostile16 01).
    from lii_check.outputs import fit_stream

    page = shifted_page.replace("</main>", "<p>Café — Bryn Mawr ✓</p></main>", 1)  # text beyond Latin-1 too
    for encoding in ("cp1252", "ascii"):
        fitted = fit_stream(page, "html", encoding)
        assert fitted.isascii() and fitted.count("?") == page.count("?")  # nothing replaced by "?"
        assert "Caf&#233; &#8212; Bryn Mawr &#10003;" in fitted
        before, after = Page(page), Page(fitted)
        assert (after.styles, after.scripts) == (before.styles, before.scripts)  # ASCII already: the hashes hold
    assert fit_stream(page, "html", "utf-8") == page


def test_hostile_report_text_is_escaped(hostile_corpus):
    doc, meta, results = run([hostile_corpus])
    out = html_format.render(doc, meta, results)
    page = Page(out)
    assert len(page.scripts) == 2  # ours only
    assert not [a for t, a in page.tags if t in ("img", "b")]
    assert not [a for t, a in page.tags if any(k.startswith("on") for k in a)], "an event handler attribute"
    text = " ".join(page.text)
    assert '<img src=x onerror="window.__pwned=2">' in text
    assert "<script>window.__pwned=1</script>" in text
    assert "broken <script>.txt" in text  # a hostile file name too
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in out


def _seed_result(shifted, name: str):
    doc, meta, results = shifted
    entry = next(r for r in doc["reports"] if r["path"].endswith(name))
    result = next(r for r in results if r.path == entry["path"])
    return entry, result


def test_every_evidence_clause_of_a_seed_is_highlighted_with_its_level(shifted):
    entry, result = _seed_result(shifted, "seed000_relabelled_2.txt")
    fragment = html_format.report_fragment(entry, result)
    page = Page(fragment)
    marks = page.find("mark")
    distinct = {(e.line, e.text, e.clause) for e in result.assessment.evidence}
    assert len(marks) == len(distinct) > 50
    # Each mark carries a visible text marker for every level its themes give it, not only a colour.
    levels_in_marks = [a["class"].split()[1].removeprefix("lv-") for a in marks]
    assert set(levels_in_marks) == {e.level for e in result.assessment.evidence}
    badges = re.findall(r'<mark class="ev lv-(\w+)"[^>]*><span class="lv lv-(\w+)">([^<]+)</span>', fragment)
    assert len(badges) == len(marks)
    for mark_level, badge_level, label in badges:
        assert mark_level == badge_level and label.endswith(badge_level)
    # A sentence that is evidence for a shortfall keeps its words, marked.
    assert re.search(r'class="ev lv-shortfall"[^>]*><span class="lv lv-shortfall">[^<]+</span>Some feedback was mixed', fragment)


def test_set_aside_clauses_carry_their_reason(shifted):
    entry, result = _seed_result(shifted, "seed000_relabelled_2.txt")
    fragment = html_format.report_fragment(entry, result)
    page = Page(fragment)
    asides = page.find("span", class_="aside")
    reasons = {s.reason for s in result.assessment.set_aside}
    assert asides and all(a.get("tabindex") == "0" for a in asides)  # reachable by keyboard for the reason
    tips = re.findall(r'<span class="tip" role="tooltip">([^<]+)</span>', fragment)
    assert len(tips) == len(asides)
    for reason in reasons:
        assert any(html_format.esc(reason) in tip for tip in tips), reason


def test_findings_and_cited_sentences_link_both_ways(shifted):
    entry, result = _seed_result(shifted, "seed000_relabelled_2.txt")
    rid = html_format.report_id(entry["path"])
    fragment = html_format.report_fragment(entry, result)
    page = Page(fragment)
    ids = set(page.ids())
    assert len(ids) == len(page.ids()), "duplicate ids"
    assert entry["findings"]
    for n, finding in enumerate(entry["findings"], 1):
        fid = f"{rid}-f{n}"
        assert fid in ids
        card = re.search(rf'<div class="finding sev-\w+" id="{fid}">(.*?)</div>', fragment).group(1)
        assert html_format.esc(finding["rule"]) in card and finding["severity"] in card
        targets = re.findall(r'href="#([^"]+)"', card)
        assert targets and all(t in ids for t in targets)
        # ... and every cited sentence links back to this finding.
        for target in targets:
            sentence = re.search(rf'id="{target}">.*?</span>((?: <a class="fref"[^>]*>F\d+</a>)+)', fragment)
            assert sentence and f'href="#{fid}"' in sentence.group(1), target
        # The links point at the very sentences the finding quotes.
        for ev in finding["evidence"]:
            assert any(_text_of(fragment, t) == ev["text"] for t in targets), ev


class _TextOf(HTMLParser):
    """The text inside the element with a given id, without the level markers and tooltips."""

    VOID = {"meta", "br", "img", "input", "hr", "link"}

    def __init__(self, element_id: str):
        super().__init__(convert_charrefs=True)
        self.element_id, self.depth, self.skip, self.text = element_id, 0, 0, ""

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        a = dict(attrs)
        if self.depth:
            self.depth += 1
            if self.skip or (a.get("class") or "").split()[:1] in (["lv"], ["sa"], ["tip"]):
                self.skip += 1
        elif a.get("id") == self.element_id:
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth and tag not in self.VOID:
            self.depth -= 1
            if self.skip:
                self.skip -= 1

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.text += data


def _text_of(fragment: str, element_id: str) -> str:
    parser = _TextOf(element_id)
    parser.feed(fragment)
    return parser.text


def test_every_internal_link_in_the_page_resolves(shifted_page):
    page = Page(shifted_page)
    ids = page.ids()
    assert len(ids) == len(set(ids)), "duplicate ids"
    hrefs = [a["href"][1:] for t, a in page.tags if t == "a" and a.get("href", "").startswith("#")]
    assert hrefs and not [h for h in hrefs if h not in set(ids)]


def test_finding_sits_beside_the_paragraph_it_cites(shifted):
    entry, result = _seed_result(shifted, "seed002_relabelled_1.txt")
    fragment = html_format.report_fragment(entry, result)
    first = entry["findings"][0]["evidence"][0]
    rows = re.findall(r'<div class="row[^"]*">(.*?)</div>(?=<div class="row|<h4|</section>)', fragment, re.S)
    home = [r for r in rows if 'class="finding' in r]
    assert home and html_format.esc(first["text"])[:60] in home[0]


def test_theme_grid_and_reasoning(shifted):
    entry, result = _seed_result(shifted, "seed000_relabelled_2.txt")
    fragment = html_format.report_fragment(entry, result)
    a = result.assessment
    for line in a.reasoning:
        assert f"<li>{html_format.esc(line)}</li>" in fragment
    for theme, facts in a.themes.items():
        row = re.search(rf'<tr[^>]*><th scope="row">{re.escape(theme)}</th>(.*?)</tr>', fragment).group(1)
        cells = re.findall(r"<td[^>]*>([^<]*)</td>", row)
        assert [int(c) for c in cells[:5]] == [facts.counts[lv] for lv in ("strong", "good", "intention", "shortfall", "significant")]


def test_corpus_view_matrix_summary_and_rows(tmp_path):
    corpus = tmp_path / "c"
    shutil.copytree(SEEDS, corpus / "seeds")
    shutil.copytree(SHIFTED, corpus / "shifted")
    (corpus / "empty.txt").write_text("", encoding="utf-8")
    doc, meta, results = run([corpus])
    out = html_format.render(doc, meta, results)
    page = Page(out)
    # Matrix: every readable report counted once, in its (awarded, evidence) cell.
    cells = {(a["data-a"], a["data-e"]): a for a in page.find("button", class_="mx")}
    assert len(cells) == 16
    counts = re.findall(r'data-a="(\d)" data-e="(\d)" aria-label="[^"]*"(?: disabled)?>(?:<span[^>]*>=</span>)?(\d+)</button>', out)
    by_cell = {(a, e): int(n) for a, e, n in counts}
    expected: dict = {}
    for r in doc["reports"]:
        if r["verdict"] != "unreadable":
            key = (str(r["awarded_score"]), str(r["evidence_score"]))
            expected[key] = expected.get(key, 0) + 1
    assert {k: v for k, v in by_cell.items() if v} == expected
    # One row per report, carrying what the filters need.
    rows = [a for t, a in page.tags if t == "tr" and "data-verdict" in a]
    assert [r["data-verdict"] for r in rows] == [r["verdict"] for r in doc["reports"]]
    assert sum(" error " in r["data-sev"] for r in rows) == doc["summary"]["inconsistent"]
    # Summary: engine, rulebook, never-fired rules, the unreadable report and its reason.
    text = " ".join(page.text)
    assert f"<dt>Engine</dt><dd>{doc['engine']}</dd>" in out
    assert doc["rulebook"]["path"] in text
    for rule in doc["summary"]["rules_never_fired"]:
        assert rule in text
    assert "the file is empty" in text
    # The plot has one mark per readable report.
    marks = [a for t, a in page.tags if t in ("circle", "path") and "pt" in (a.get("class") or "").split()]
    assert len(marks) == sum(r["verdict"] != "unreadable" for r in doc["reports"])


def test_without_results_the_page_quotes_the_cited_sentences(shifted):
    doc, meta, _ = shifted
    out = render("html", doc, meta)
    assert "The report text is not part of this file." in out
    cited = doc["reports"][0]["findings"][0]["evidence"][0]["text"]
    assert html_format.esc(cited) in out


def test_suppressed_findings_are_listed(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    text = (SHIFTED / "seed000_relabelled_2.txt").read_text("utf-8")
    text += "\n<!-- lii-check-disable consistency.score-below-evidence: agreed with the inspector -->\n"
    (corpus / "r.txt").write_text(text, encoding="utf-8")
    doc, meta, results = run([corpus])
    assert doc["reports"][0]["suppressed"]
    out = html_format.render(doc, meta, results)
    assert "<summary>Suppressed findings (1)</summary>" in out
    assert '<section class="suppressed"><h3>Suppressed findings</h3>' in out


def test_sentence_html_marks_clauses_and_cues():
    text = "Staff were trained well, but the plan was not yet embedded and may improve."
    ev = [Evidence("learning", "good", 3, text, "Staff were trained well,", "trained", "s", "staff"),
          Evidence("learning", "shortfall", 3, text, "but the plan was not yet embedded and may improve.",
                   "not yet … embedded", "s", "staff"),
          Evidence("co-production", "strong", 3, text, "but the plan was not yet embedded and may improve.",
                   "embedded", "s", "staff")]
    aside = [SetAside("learning", 3, text, "improve", "hedged: 'may'")]
    out = html_format.sentence_html(text, ev, aside)
    # Two clauses; the second read two ways shows both levels, the most serious first and as its colour.
    assert out.count("<mark") == 2
    assert '<mark class="ev lv-shortfall"' in out
    assert out.index('lv lv-shortfall">') < out.index('lv lv-strong">')
    assert "<span class=\"tip\" role=\"tooltip\">Set aside for learning: hedged: &#x27;may&#x27;" in out
    # Nothing of the sentence is lost or reordered.
    assert re.sub(r"<span class=\"(lv|sa|tip)[^\"]*\"[^>]*>[^<]*</span>|<[^>]+>", "", out) == html_format.esc(text)


def test_page_is_its_parts_around_the_fragments(shifted, shifted_page):
    # What a streaming writer would produce: the prefix, each fragment as it is made, the suffix.
    doc, meta, results = shifted
    before, after = html_format.page_parts(doc, meta)
    fragments = [html_format.report_fragment(e, r) for e, r in zip(doc["reports"], results)]
    assert before + "\n".join(fragments) + after == shifted_page
    assert before.count("<article") == 0 and all(f.startswith("<article") and f.endswith("</article>") for f in fragments)


def test_parallel_workers_give_the_same_page_with_the_text(tmp_path, monkeypatch):
    # More reports than one chunk, so --jobs 2 really forks workers whose results carry the text.
    monkeypatch.chdir(tmp_path)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    sources = sorted(SEEDS.glob("*.txt")) + sorted(SHIFTED.glob("*.txt"))
    for i in range(70):
        shutil.copy(sources[i % len(sources)], corpus / f"r{i:03d}.txt")
    runner = CliRunner()
    one = runner.invoke(main, ["corpus", "--engine", "pure", "--jobs", "1", "--format", "html"])
    two = runner.invoke(main, ["corpus", "--engine", "pure", "--jobs", "2", "--format", "html"])
    assert one.exit_code == two.exit_code == 1, two.output
    assert one.stdout == two.stdout
    page = Page(two.stdout)
    assert len(page.find("article")) == 70
    assert two.stdout.count('<mark class="ev') > 70 * 20


def test_a_result_without_its_text_falls_back_to_quotes(shifted):
    import copy

    entry, result = _seed_result(shifted, "seed000_relabelled_2.txt")
    light = copy.deepcopy(result)
    light.report.sections = []  # what the pipeline keeps when the text is not asked for
    fragment = html_format.report_fragment(entry, light)
    assert "The report text is not part of this file." in fragment
    assert html_format.esc(entry["findings"][0]["evidence"][0]["text"]) in fragment


def test_a_sentence_repeated_on_one_line_makes_a_page_that_grows_with_the_repeats_not_their_square(tmp_path):
    # Synthetic (written for this test): one sentence copied n times on one line. Every copy has the same line and
    # text, so each used to list every copy's reading: 2,000 copies made a page of 236 MB.
    sentence = "Learning was embedded in everyday practice across every team. "
    sizes = {}
    for n in (50, 200):
        folder = tmp_path / f"c{n}"
        folder.mkdir()
        (folder / "r.md").write_text("<!-- synthetic: true -->\n# Learning, improvement and innovation\n\nScore: 4\n\n"
                                     "## Key findings\n\n" + sentence * n + "\n", encoding="utf-8")
        page = html_format.render(*run([folder]))
        sizes[n] = len(page)
        titles = re.findall(r'<mark class="ev[^"]*" title="([^"]*)"', page)
        assert len(titles) == n and len(set(titles)) == 1  # every copy marked, each with its one reading
        assert titles[0].count("strong") == 1, titles[0]
    # four times the copies: about four times the text beyond the page's fixed part, not sixteen
    assert sizes[200] < 5 * sizes[50]
