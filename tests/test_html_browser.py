"""The HTML report opened in a real browser: headless Chromium (Debian's ``chromium``) over CDP.

Skipped, with the reason printed by ``pytest -rs``, only where no Chromium executable exists; a
Chromium that is installed but fails to start is a failure, not a skip. Screenshots of the corpus view
and of one report view are written under the test's temporary folder (and also copied to
``$LII_HTML_SCREENSHOTS`` when that is set, which is how docs/images/ is refreshed).
"""
from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from lii_check.cli import main
from lii_check.formats.html import report_id

from test_html import HOSTILE
from test_html_cdp import Browser, find_chromium

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium to open the HTML report in: install Debian's package (apt-get install chromium) "
           "or set LII_CHECK_CHROMIUM to a Chromium executable",
)
SEED = "shifted/seed000_relabelled_2.txt"
CSP = re.compile(r'<meta http-equiv="Content-Security-Policy" content="[^"]*">')


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A small corpus (seeds, relabelled seeds, synthetic, a hostile and an unreadable report) as HTML."""
    root = tmp_path_factory.mktemp("html")
    corpus = root / "corpus"
    shutil.copytree(REPO / "fixtures" / "seeds", corpus / "seeds")
    shutil.copytree(REPO / "fixtures" / "shifted", corpus / "shifted")
    for name in sorted(os.listdir(REPO / "fixtures" / "synthetic"))[:6]:
        if name.endswith((".md", ".txt")):
            (corpus / "synthetic").mkdir(exist_ok=True)
            shutil.copy(REPO / "fixtures" / "synthetic" / name, corpus / "synthetic" / name)
    (corpus / "hostile.md").write_text(HOSTILE, encoding="utf-8")
    (corpus / "unreadable.txt").write_text("Learning\n\nno score line here\n", encoding="utf-8")
    out = root / "lii-report.html"
    old = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, ["corpus", "--engine", "pure", "--format", "json", "--output", f"html={out}"])
    finally:
        os.chdir(old)
    assert result.exit_code == 1, result.output
    doc = json.loads(result.stdout)
    # The same page without its Content-Security-Policy: proves the escaping, not the policy, keeps
    # report text inert, and that the page asks for nothing even when nothing would stop it.
    bare = root / "bare.html"
    bare.write_text(CSP.sub("", out.read_text("utf-8"), count=1), encoding="utf-8")
    assert bare.read_text("utf-8") != out.read_text("utf-8")
    return {"page": out, "bare": bare, "doc": doc, "root": root}


@pytest.fixture(scope="module")
def browser():
    b = Browser(CHROMIUM)
    yield b
    b.close()


VISIBLE_ROWS = ("Array.prototype.filter.call(document.querySelectorAll('#reports-table tbody tr'),"
                "function(r){return r.offsetParent!==null;}).length")


def visible_rows(b: Browser, expect: int | None = None) -> int:
    """Rows a reader can see; with ``expect``, waits a little for the list to settle on that count."""
    if expect is not None:
        b.wait(f"{VISIBLE_ROWS} === {expect}", timeout=3)
    return b.js(VISIBLE_ROWS)


def go(b: Browser, fragment: str) -> None:
    b.js(f"location.hash={json.dumps(fragment)}")


def keep_screenshot(path: Path) -> None:
    target = os.environ.get("LII_HTML_SCREENSHOTS")
    if target:
        shutil.copy(path, Path(target) / path.name)


@pytest.mark.parametrize("variant", ["page", "bare"])
def test_no_console_errors_and_no_network_requests(browser, site, variant):
    page = site[variant]
    browser.open(page)
    rid = report_id(f"corpus/{SEED}")
    go(browser, rid)
    browser.click(f"#{rid} .finding ul.cites a")
    go(browser, "corpus")
    browser.click("button.mx:not([disabled])")
    browser.click("#reports-table thead button[data-col='3']")
    assert browser.problems() == []
    assert browser.requests() == [page.resolve().as_uri()]


def test_seed_report_view_shows_highlights_and_findings(browser, site, tmp_path):
    path = f"corpus/{SEED}"
    entry = next(r for r in site["doc"]["reports"] if r["path"] == path)
    rid = report_id(path)
    browser.open(site["page"])
    go(browser, rid)
    state = browser.js(f"""(function(){{
        var a=document.getElementById('{rid}'),vis=function(e){{return e.offsetParent!==null;}};
        return {{article: vis(a), corpus: vis(document.getElementById('list')),
          others: Array.prototype.filter.call(document.querySelectorAll('article.report'),vis).length,
          marks: Array.prototype.filter.call(a.querySelectorAll('mark.ev'),vis).length,
          levels: Array.prototype.map.call(a.querySelectorAll('mark.ev > .lv'),function(e){{return e.innerText;}}),
          findings: Array.prototype.map.call(a.querySelectorAll('.finding'),function(f){{return f.innerText;}}),
          asides: a.querySelectorAll('.aside').length}};}})()""")
    assert state["article"] and not state["corpus"] and state["others"] == 1
    assert state["marks"] > 50
    # The level is written beside the clause, visible, not only shown by colour.
    assert {"++\u00a0strong", "+\u00a0good", "−\u00a0shortfall"} <= set(state["levels"])
    assert len(state["findings"]) == len(entry["findings"]) == 2
    for text, finding in zip(state["findings"], entry["findings"]):
        assert finding["rule"] in text and finding["severity"].upper() in text
    assert state["asides"] > 0
    browser.js("window.scrollTo(0, 0)")
    shot = browser.screenshot(tmp_path / "html-report-view.png", height=1500)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    keep_screenshot(shot)

    # From the finding to the sentence it cites, and back, with real clicks.
    browser.click(f"#{rid}-f1 ul.cites a")
    assert browser.wait(f"location.hash.indexOf('#{rid}-s') === 0")
    target = browser.js("(function(){var t=document.querySelector(':target');"
                        "var r=t.getBoundingClientRect();return [t.id,t.innerText,r.top>=0&&r.top<innerHeight];})()")
    first = entry["findings"][0]["evidence"][0]["text"]
    assert target[0].startswith(f"{rid}-") and target[1].replace("\u00a0", " ").endswith(first[-40:]) and target[2]
    browser.click(f"#{target[0]} + a.fref")
    assert browser.wait(f"location.hash === '#{rid}-f1'")
    assert browser.js("document.querySelector(':target').id") == f"{rid}-f1"
    assert browser.problems() == []


def test_filtering_by_verdict_and_by_matrix_cell(browser, site, tmp_path):
    reports = site["doc"]["reports"]
    browser.open(site["page"])
    assert visible_rows(browser) == len(reports)
    shot = browser.screenshot(tmp_path / "html-corpus-view.png", height=1500)
    assert shot.stat().st_size > 20_000
    keep_screenshot(shot)
    # The keyboard picks "inconsistent" in the verdict list (any, consistent, inconsistent, ...).
    browser.js("document.getElementById('f-verdict').focus()")
    browser.key("ArrowDown")
    browser.key("ArrowDown")
    assert browser.js("document.getElementById('f-verdict').value") == "inconsistent"
    inconsistent = [r for r in reports if r["verdict"] == "inconsistent"]
    assert visible_rows(browser) == len(inconsistent) >= 2  # the two relabelled seeds, at least
    shown = browser.js("Array.prototype.filter.call(document.querySelectorAll('#reports-table tbody tr'),"
                       "function(r){return r.offsetParent!==null;}).map(function(r){return r.cells[0].innerText;})")
    assert sorted(shown) == sorted(r["path"] for r in inconsistent)
    assert browser.js("document.getElementById('shown').innerText") == f"Showing {len(inconsistent)} of {len(reports)} reports."

    browser.click("#f-reset")
    assert visible_rows(browser, len(reports)) == len(reports)
    # A matrix cell off the diagonal filters the list to its reports.
    a, e = next((str(r["awarded_score"]), str(r["evidence_score"])) for r in inconsistent
                if r["awarded_score"] != r["evidence_score"])
    browser.click(f"button.mx[data-a='{a}'][data-e='{e}']")
    cell = [r for r in reports if str(r["awarded_score"]) == a and str(r["evidence_score"]) == e]
    assert visible_rows(browser) == len(cell) > 0

    # Sorting by index puts the rows in index order (unreadable reports, without an index, first).
    browser.click("#cell-clear")
    browser.click("#reports-table thead button[data-col='3']")
    order = browser.js("Array.prototype.map.call(document.querySelectorAll('#reports-table tbody tr'),"
                       "function(r){return r.cells[3].getAttribute('data-v');})")
    values = [float(v) if v else -1 for v in order]
    assert values == sorted(values) and len(set(values)) > 3


def test_the_keyboard_reaches_a_matrix_cell_and_a_report(browser, site):
    browser.open(site["page"])
    for _ in range(40):
        browser.key("Tab")
        if browser.js("document.activeElement.matches('button.mx')"):
            break
    else:
        pytest.fail("Tab never reached a matrix cell")
    before = visible_rows(browser)
    browser.key("Enter")
    assert browser.wait("document.getElementById('cell-filter').hidden === false")
    assert visible_rows(browser) < before
    browser.js("document.querySelector('#reports-table tbody tr:not([hidden]) a').focus()")
    browser.key("Enter")
    assert browser.wait("document.querySelector('article.report.on') !== null")
    assert browser.js("document.activeElement.tagName") == "H2"  # focus moves to the report's heading


def test_hostile_report_text_runs_nothing_and_shows_as_text(browser, site):
    for variant in ("bare", "page"):
        browser.open(site[variant])
        go(browser, report_id("corpus/hostile.md"))
        browser.click(f"#{report_id('corpus/hostile.md')} mark.ev")  # a click or hover would fire a handler
        state = browser.js("""({pwned: typeof window.__pwned, title: typeof window.__pwned_title,
            images: document.images.length, bold: document.querySelectorAll('article b').length,
            text: document.querySelector('article.report.on').innerText})""")
        assert state["pwned"] == "undefined" and state["title"] == "undefined"
        assert state["images"] == 0 and state["bold"] == 0
        text = state["text"].replace("\u00a0", " ")
        assert "<script>window.__pwned=1</script>" in text
        assert '<img src=x onerror="window.__pwned=2">' in text
        assert browser.problems() == []


def test_set_aside_reason_appears_on_focus(browser, site):
    browser.open(site["page"])
    rid = report_id(f"corpus/{SEED}")
    go(browser, rid)
    hidden = browser.js(f"document.querySelector('#{rid} .aside .tip').getBoundingClientRect().width")
    browser.js(f"document.querySelector('#{rid} .aside').focus()")
    shown = browser.js(f"""(function(){{var t=document.querySelector('#{rid} .aside .tip'),r=t.getBoundingClientRect();
        return [r.width, r.height, t.innerText];}})()""")
    assert hidden <= 1 and shown[0] > 50 and shown[1] > 10
    assert shown[2].startswith("Set aside for ")


CONTRAST = """(function(){
function rgb(s){var m=s.match(/[\\d.]+/g).map(Number);return {r:m[0],g:m[1],b:m[2],a:m.length>3?m[3]:1};}
function lum(c){return [c.r,c.g,c.b].map(function(v){v/=255;return v<=0.03928?v/12.92:Math.pow((v+0.055)/1.055,2.4);})
  .reduce(function(s,v,i){return s+v*[0.2126,0.7152,0.0722][i];},0);}
function bg(e){for(;e;e=e.parentElement){var c=rgb(getComputedStyle(e).backgroundColor);if(c.a>0)return c;}return {r:255,g:255,b:255,a:1};}
var worst=[],sel=arguments_selectors;
sel.forEach(function(s){Array.prototype.slice.call(document.querySelectorAll(s),0,40).forEach(function(e){
  if(e.offsetParent===null&&getComputedStyle(e).position!=='fixed')return;
  var cs=getComputedStyle(e),f=lum(rgb(e instanceof SVGElement?cs.fill:cs.color)),b=lum(bg(e)),ratio=(Math.max(f,b)+0.05)/(Math.min(f,b)+0.05);
  if(ratio<4.5)worst.push([s,e.innerText.slice(0,30),Math.round(ratio*100)/100]);});});
return {worst:worst,checked:sel.length};})()"""


def test_text_meets_wcag_aa_contrast(browser, site):
    browser.open(site["page"])
    corpus = ["body", "h1", "h2", "header.top p", "caption", "th", "td", "a", "dt", "dd", ".verdict",
              ".matrix button", ".plot text", "label", "#shown", ".why-not", "figcaption"]
    report = ["mark.ev", ".lv", ".ln", ".sev", ".fno", ".finding code", ".theme", ".legend", ".grid .zero",
              ".boiler .para", "a.fref", ".aside", ".sa", ".qs"]
    problems = browser.js(CONTRAST.replace("arguments_selectors", json.dumps(corpus)))["worst"]
    go(browser, report_id(f"corpus/{SEED}"))
    problems += browser.js(CONTRAST.replace("arguments_selectors", json.dumps(report)))["worst"]
    browser.js("document.querySelector('article.report.on .aside').focus()")
    problems += browser.js(CONTRAST.replace("arguments_selectors", json.dumps([".aside:focus .tip"])))["worst"]
    assert problems == []


def test_print_stylesheet_drops_the_controls_and_prints_the_reasons(browser, site):
    browser.open(site["page"])
    go(browser, report_id(f"corpus/{SEED}"))
    browser.call("Emulation.setEmulatedMedia", session=True, media="print")
    try:
        state = browser.js("""({back: getComputedStyle(document.querySelector('article.report.on .back')).display,
            filters: getComputedStyle(document.getElementById('filters')).display,
            tip: getComputedStyle(document.querySelector('article.report.on .tip')).position})""")
    finally:
        browser.call("Emulation.setEmulatedMedia", session=True, media="")
    assert state == {"back": "none", "filters": "none", "tip": "static"}


def test_without_javascript_every_report_is_shown_and_links_work(browser, site):
    browser.call("Emulation.setScriptExecutionDisabled", session=True, value=True)
    try:
        browser.open(site["page"])
        state = browser.js("""({js: document.documentElement.className,
            shown: Array.prototype.filter.call(document.querySelectorAll('article.report'),
                   function(a){return a.offsetParent!==null;}).length})""")
        rid = report_id(f"corpus/{SEED}")
        browser.click(f"#reports-table a[href='#{rid}']")
        top = browser.wait(f"location.hash === '#{rid}' && "
                           f"Math.abs(document.getElementById('{rid}').getBoundingClientRect().top) < 5")
    finally:
        browser.call("Emulation.setScriptExecutionDisabled", session=True, value=False)
    assert state == {"js": "", "shown": len(site["doc"]["reports"])}
    assert top
