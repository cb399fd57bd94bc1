"""``--format html``: one self-contained page a QA lead reads in a browser.

The page has a corpus view (a sortable, filterable list of every report, the awarded-against-evidence
matrix, an index plot and the run summary) and one view per report (its text with the evidence
clauses marked by level, the set-aside clauses with their reasons, each finding beside the sentences
it cites, the theme x level grid and the reasoning behind the evidence score).

Built to be streamed: ``report_fragment`` makes one report's ``<article>`` from that report's entry in
the result document plus its ``ReportResult`` (for the text and the evidence), and ``page`` wraps the
fragments. Nothing here reads the clock, the environment or the file system, so the same input gives
byte-identical output. Every piece of report text goes through ``esc``; a Content-Security-Policy that
allows only the page's own script (by hash) backs that up, and forbids every network request.
"""
from __future__ import annotations

import base64
import hashlib
import tempfile
from collections.abc import Callable
from html import escape

from ..model import Evidence, ReportResult, SetAside
from ..names import LEVELS, MOST_SERIOUS_FIRST, SEVERITIES
from ._common import clean, not_searched, plural

VERDICTS = ("consistent", "inconsistent", "unreadable")
# The visible marker beside each highlighted clause, so the level never rests on colour alone.
LEVEL_MARK = {"strong": "++", "good": "+", "intention": "~", "shortfall": "−", "significant": "−−"}


def esc(value: object) -> str:
    """Report text as inert HTML text (also safe inside a double-quoted attribute)."""
    return escape(clean(value), quote=True)


def report_id(path: str) -> str:
    """A stable id for a report's article, the same in every run and independent of its position."""
    return "r-" + hashlib.sha1(clean(path).encode("utf-8")).hexdigest()[:12]


def _num(value: object, fmt: str = "{}") -> str:
    return "–" if value is None else fmt.format(value)


# --------------------------------------------------------------------------------------------
# One report


def _mark_evidence(items: list[Evidence]) -> tuple[str, str]:
    """(css class, inner badge html) for a clause read by one or more themes."""
    levels = sorted({e.level for e in items}, key=MOST_SERIOUS_FIRST.index)  # as findings cite them
    badges = "".join(f'<span class="lv lv-{lv}">{LEVEL_MARK[lv]}\u00a0{lv}</span>' for lv in levels)
    return f"ev lv-{levels[0]}", badges


def _evidence_title(items: list[Evidence]) -> str:
    parts = []
    for e in items:
        weight = "" if e.weight == 1 else f" ×{e.weight:g}"
        parts.append(f"{e.theme}: {e.level}{weight}, cue “{e.cue}”, said by {e.source}")
    return "; ".join(parts)


def _find_cue(text: str, cue: str, lo: int, hi: int) -> tuple[int, int] | None:
    """Where a set-aside cue sits in the sentence; ``a … b`` cues (a negation and its word) span both."""
    if " … " in cue:
        first, _, last = cue.partition(" … ")
        a = text.find(first, lo, hi)
        b = text.find(last, a + len(first), hi) if a >= 0 else -1
        return (a, b + len(last)) if a >= 0 and b >= 0 else None
    a = text.find(cue, lo, hi)
    return (a, a + len(cue)) if a >= 0 and cue else None


def _aside_html(inner: str, themes: list[str], cue: str, reason: str) -> str:
    tip = f"Set aside for {', '.join(themes)}: {reason} (cue “{cue}”)"
    return (f'<span class="aside" tabindex="0"><span class="sa" aria-hidden="true">⊘</span>{inner}'
            f'<span class="tip" role="tooltip">{esc(tip)}</span></span>')


def _text_with_asides(text: str, lo: int, hi: int, asides: list[tuple[int, int, list[str], str, str]]) -> str:
    out, at = [], lo
    for a, b, themes, cue, reason in asides:
        if a < at or b > hi:
            continue
        out.append(esc(text[at:a]))
        out.append(_aside_html(esc(text[a:b]), themes, cue, reason))
        at = b
    out.append(esc(text[at:hi]))
    return "".join(out)


def sentence_html(text: str, evidence: list[Evidence], set_aside: list[SetAside]) -> str:
    """One sentence with its evidence clauses marked by level and its set-aside cues by reason."""
    by_clause: dict[str, list[Evidence]] = {}
    for e in evidence:
        by_clause.setdefault(e.clause, []).append(e)
    clauses: list[tuple[int, int, list[Evidence]]] = []
    cursor = 0
    for clause, items in by_clause.items():
        at = text.find(clause, cursor)
        if at < 0:
            at = text.find(clause)
        if at < 0 or not clause or any(a < at + len(clause) and at < b for a, b, _ in clauses):
            continue
        clauses.append((at, at + len(clause), items))
        cursor = at + len(clause)
    clauses.sort(key=lambda c: c[0])

    grouped: dict[tuple[str, str], list[str]] = {}
    for s in set_aside:
        themes = grouped.setdefault((s.cue, s.reason), [])
        if s.theme not in themes:
            themes.append(s.theme)
    placed: list[tuple[int, int, list[str], str, str]] = []
    loose: list[tuple[list[str], str, str]] = []
    for (cue, reason), themes in grouped.items():
        span = _find_cue(text, cue, 0, len(text))
        # A cue must sit wholly inside one clause (or one gap) and clear of the other cues.
        fits = span is not None and not any(span[0] < c[1] and c[0] < span[1] and not (c[0] <= span[0] and span[1] <= c[1])
                                            for c in clauses)
        if fits and not any(span[0] < b and a < span[1] for a, b, *_ in placed):
            placed.append((span[0], span[1], themes, cue, reason))
        else:
            loose.append((themes, cue, reason))
    placed.sort(key=lambda p: (p[0], p[1]))

    out, at = [], 0
    for a, b, items in clauses:
        out.append(_text_with_asides(text, at, a, placed))
        css, badges = _mark_evidence(items)
        out.append(f'<mark class="{css}" title="{esc(_evidence_title(items))}">{badges}'
                   f'{_text_with_asides(text, a, b, placed)}</mark>')
        at = b
    out.append(_text_with_asides(text, at, len(text), placed))
    for themes, cue, reason in loose:
        out.append(" " + _aside_html(esc(cue), themes, cue, reason))
    return "".join(out)


def _opening(text: object, words: int = 4) -> str:
    """The first words of a sentence: several cited sentences often share one line number."""
    parts = clean(text).split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def _finding_card(rid: str, number: int, f: dict, cites: list[tuple[str, str]]) -> str:
    sev = f.get("severity") or "info"
    links = "".join(f'<li><a href="#{sid}">{esc(label)}</a></li>' for sid, label in cites)
    where = f'<p class="cites">Cites:</p><ul class="cites">{links}</ul>' if links else ""
    return (f'<div class="finding sev-{esc(sev)}" id="{rid}-f{number}">'
            f'<p class="fhead"><span class="fno">F{number}</span> <span class="sev">{esc(sev)}</span> '
            f'<code>{esc(f.get("rule"))}</code> <span class="theme">{esc(f.get("theme"))}</span></p>'
            f'<p class="msg">{esc(f.get("message"))}</p>{where}</div>')


def _grid(result: ReportResult) -> str:
    a = result.assessment
    aside_counts: dict[str, int] = {}
    for s in a.set_aside:
        aside_counts[s.theme] = aside_counts.get(s.theme, 0) + 1
    head = "".join(f'<th scope="col"><span class="lv lv-{lv}">{LEVEL_MARK[lv]}\u00a0{lv}</span></th>' for lv in LEVELS)
    rows = []
    for theme, facts in a.themes.items():
        cells = "".join(
            f'<td class="{"n" if facts.counts.get(lv) else "n zero"}">{facts.counts.get(lv, 0)}</td>' for lv in LEVELS)
        score = "–" if facts.score is None else f"{facts.score:.2f}"
        quiet = "" if facts.mentions or any(facts.counts.values()) else ' class="quiet"'
        rows.append(f'<tr{quiet}><th scope="row">{esc(theme)}</th>{cells}<td class="n">{aside_counts.get(theme, 0)}</td>'
                    f'<td class="n">{facts.mentions}</td><td class="n">{score}</td></tr>')
    return ('<table class="grid"><caption>Evidence clauses per theme and level</caption><thead><tr>'
            f'<th scope="col">theme</th>{head}<th scope="col">set aside</th><th scope="col">sentences mentioning it</th>'
            f'<th scope="col">theme score</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


def _facts(entry: dict) -> str:
    idx = entry.get("evidence_index")
    findings = entry.get("findings") or []
    counts = ", ".join(plural(sum(1 for f in findings if f.get("severity") == s), s) for s in SEVERITIES)
    verdict = entry.get("verdict") or ""
    return ('<dl class="facts">'
            f'<div><dt>Awarded score</dt><dd>{_num(entry.get("awarded_score"))}</dd></div>'
            f'<div><dt>Evidence score</dt><dd>{_num(entry.get("evidence_score"))}</dd></div>'
            f'<div><dt>Evidence index</dt><dd>{"–" if idx is None else f"{float(idx):.2f}"}</dd></div>'
            f'<div><dt>Verdict</dt><dd><span class="verdict v-{esc(verdict)}">{esc(verdict)}</span></dd></div>'
            f'<div><dt>Findings</dt><dd>{counts}</dd></div>'
            f'<div><dt>Suppressed</dt><dd>{len(entry.get("suppressed") or [])}</dd></div></dl>')


_LEGEND = ('<p class="legend">Evidence clauses are marked by level: ' + " ".join(
    f'<span class="lv lv-{lv}">{LEVEL_MARK[lv]}\u00a0{lv}</span>' for lv in LEVELS)
    + '. <span class="aside-key"><span class="sa" aria-hidden="true">⊘</span> dotted</span> words were set aside'
    ' (hover or focus them for the reason). <span class="fno">F1</span> links a sentence to the finding that cites it.'
    ' Boilerplate paragraphs are greyed: they are never counted.</p>')


def report_fragment(entry: dict, result: ReportResult | None) -> str:
    """One report's ``<article>``: self-contained, so a caller may stream them one by one."""
    path = clean(entry.get("path"))
    rid = report_id(path)
    findings = entry.get("findings") or []
    out = [f'<article class="report" id="{rid}" aria-labelledby="{rid}-h">',
           '<p class="back"><a href="#corpus">← All reports</a></p>',
           f'<h2 id="{rid}-h" tabindex="-1">{esc(path)}</h2>']
    if entry.get("quality_statement"):
        out.append(f'<p class="qs">{esc(entry.get("quality_statement"))}</p>')
    out.append(_facts(entry))
    if entry.get("verdict") == "unreadable":
        err = entry.get("error") or {}
        where = f" (line {err['line']})" if err.get("line") is not None else ""
        out.append(f'<p class="error" role="note"><strong>Unreadable{esc(where)}:</strong> '
                   f'{esc(err.get("message") or "the report could not be read")}</p></article>')
        return "".join(out)

    report = result.report if result is not None else None
    assessment = result.assessment if result is not None else None
    if report is not None and not report.sections:
        report = None  # a result streamed without its text (Options.keep_text off): quote the findings instead
    if assessment is not None:
        reasons = "".join(f"<li>{esc(line)}</li>" for line in assessment.reasoning)
        out.append(f'<section class="why"><h3>Why evidence score {assessment.evidence_score}, '
                   f'and not one higher or lower</h3><ul>{reasons}</ul></section>')

    # Sentence ids exist only where a finding cites the sentence, which keeps 1,400 reports small.
    ref_ids: dict[tuple[int | None, str], str] = {}
    line_ids: dict[int, str] = {}
    if report is not None:
        ref_ids[(report.score_line, f"Score: {report.awarded_score}")] = f"{rid}-score"
        line_ids[report.score_line] = f"{rid}-score"
        if report.label_line:
            ref_ids[(report.label_line, f"{report.label_score} - {report.label_text}")] = f"{rid}-label"
            line_ids[report.label_line] = f"{rid}-label"
        for si, section in enumerate(report.sections):
            for pi, para in enumerate(section.paragraphs):
                for ki, s in enumerate(para.sentences):
                    ref_ids.setdefault((s.line, s.text), f"{rid}-s{si}-{pi}-{ki}")
                    line_ids.setdefault(s.line, f"{rid}-s{si}-{pi}-{ki}")

    cited_by: dict[str, list[int]] = {}  # sentence id -> finding numbers
    home: dict[int, str | None] = {}  # finding number -> id of the first sentence it cites
    cites_of: dict[int, list[tuple[str, str]]] = {}
    for n, f in enumerate(findings, 1):
        cites: list[tuple[str, str]] = []
        for ev in f.get("evidence") or []:
            sid = ref_ids.get((ev.get("line"), clean(ev.get("text")))) or line_ids.get(ev.get("line"))
            if sid and sid not in [c[0] for c in cites]:
                cites.append((sid, f"line {ev.get('line')} “{_opening(ev.get('text'))}”"))
                cited_by.setdefault(sid, []).append(n)
        if not cites and f.get("line") is not None and line_ids.get(f["line"]):
            sid = line_ids[f["line"]]
            cites.append((sid, f"line {f['line']}"))
            cited_by.setdefault(sid, []).append(n)
        cites_of[n] = cites
        home[n] = cites[0][0] if cites else None

    def backlinks(sid: str) -> str:
        return "".join(
            f' <a class="fref" href="#{rid}-f{n}" aria-label="finding F{n} cites this">F{n}</a>'
            for n in cited_by.get(sid, []))

    def cards_for(sids: list[str]) -> str:
        return "".join(_finding_card(rid, n, findings[n - 1], cites_of[n])
                       for n in range(1, len(findings) + 1) if home[n] in sids)

    def fallback_evidence(n: int, f: dict) -> str:
        # Without the parsed text (no results given) the cited sentences are shown as quotes.
        quotes = "".join(f'<blockquote><p>Line {_num(ev.get("line"))}: {esc(ev.get("text"))}</p></blockquote>'
                         for ev in f.get("evidence") or [])
        return _finding_card(rid, n, f, []) + quotes

    loose = [n for n in range(1, len(findings) + 1) if home[n] is None]
    if report is None:
        body = "".join(fallback_evidence(n, findings[n - 1]) for n in range(1, len(findings) + 1))
        out.append(f'<section class="text"><h3>Findings</h3>{body or "<p>No findings.</p>"}'
                   '<p class="muted">The report text is not part of this file.</p></section>')
    else:
        out.append('<section class="text"><h3>Report text and findings</h3>' + _LEGEND)
        if loose:
            out.append('<div class="row"><p class="para">Findings about the report as a whole.</p>'
                       f'<aside class="notes" aria-label="Findings">{cards_for([None])}</aside></div>')
        # Identical sentences on one line read identically and share a key: each reading is kept once (dicts as
        # ordered sets), or every copy would list every copy's readings and the page grow with the square of
        # the repeats (2,000 copies of a sentence made 236 MB).
        by_key: dict[tuple[int, str], dict[Evidence, None]] = {}
        for e in assessment.evidence if assessment else []:
            by_key.setdefault((e.line, e.text), {})[e] = None
        asides: dict[tuple[int, str], dict[SetAside, None]] = {}
        for s in assessment.set_aside if assessment else []:
            asides.setdefault((s.line, s.text), {})[s] = None

        head_ids = [f"{rid}-score"] + ([f"{rid}-label"] if report.label_line else [])
        score_html = (f'<span class="s" id="{rid}-score">Score: {report.awarded_score}</span>'
                      f'{backlinks(f"{rid}-score")}')
        if report.label_line:
            score_html += (f'<br><span class="ln">line {report.label_line}</span> <span class="s" id="{rid}-label">{report.label_score} - {esc(report.label_text)}</span>'
                           f'{backlinks(f"{rid}-label")}')
        out.append(_row(f"{rid}-p{report.score_line}", f"score line{'s' if report.label_line else ''}",
                        report.score_line, score_html, cards_for(head_ids), "scoreline"))
        for si, section in enumerate(report.sections):
            if section.heading:
                out.append(f'<h4><span class="ln">line {section.line}</span> {esc(section.heading)}</h4>')
            for pi, para in enumerate(section.paragraphs):
                parts, sids = [], []
                for ki, s in enumerate(para.sentences):
                    sid = f"{rid}-s{si}-{pi}-{ki}"
                    key = (s.line, s.text)
                    inner = (esc(s.text) if para.boilerplate
                             else sentence_html(s.text, list(by_key.get(key, ())), list(asides.get(key, ()))))
                    if sid in cited_by:
                        sids.append(sid)
                        parts.append(f'<span class="s cited" id="{sid}">{inner}</span>{backlinks(sid)}')
                    else:
                        parts.append(inner)
                out.append(_row(f"{rid}-p{para.line}", "boilerplate, not counted" if para.boilerplate else "",
                                para.line, " ".join(parts), cards_for(sids), "boiler" if para.boilerplate else ""))
        out.append("</section>")
    if assessment is not None:
        out.append(f'<section class="themes"><h3>Themes by level</h3>{_grid(result)}</section>')

    suppressed = entry.get("suppressed") or []
    if suppressed:
        items = "".join(f'<li><code>{esc(f.get("rule"))}</code> (line {_num(f.get("line"))}): {esc(f.get("message"))}</li>'
                        for f in suppressed)
        out.append(f'<section class="suppressed"><h3>Suppressed findings</h3>'
                   f'<p>Accepted by a <code>lii-check-disable</code> comment in the report:</p><ul>{items}</ul></section>')
    out.append("</article>")
    return "".join(out)


def _row(pid: str, note: str, line: int, text_html: str, cards: str, css: str) -> str:
    cls = f"row {css}".strip()
    label = f'<span class="ln">line {line}{esc(", " + note) if note else ""}</span> '
    aside = f'<aside class="notes" aria-label="Findings on this paragraph">{cards}</aside>' if cards else ""
    return f'<div class="{cls}"><p class="para" id="{pid}">{label}{text_html}</p>{aside}</div>'


# --------------------------------------------------------------------------------------------
# The corpus


def _matrix(reports: list[dict]) -> str:
    counts = {(a, e): 0 for a in range(1, 5) for e in range(1, 5)}
    for r in reports:
        key = (r.get("awarded_score"), r.get("evidence_score"))
        if key in counts and r.get("verdict") != "unreadable":
            counts[key] += 1
    head = "".join(f'<th scope="col">evidence {e}</th>' for e in range(1, 5))
    rows = []
    for a in range(4, 0, -1):
        cells = []
        for e in range(1, 5):
            n = counts[(a, e)]
            agree = " agree" if a == e else ""
            mark = '<span class="eq" aria-hidden="true">=</span>' if a == e else ""
            label = f"awarded {a}, evidence {e}: {plural(n, 'report')}{' (agreement)' if a == e else ''}; show them"
            cells.append(f'<td class="cell{agree}"><button type="button" class="mx" data-a="{a}" data-e="{e}" '
                         f'aria-label="{label}"{" disabled" if not n else ""}>{mark}{n}</button></td>')
        rows.append(f'<tr><th scope="row">awarded {a}</th>{"".join(cells)}</tr>')
    return ('<table class="matrix"><caption>Awarded score (rows) against evidence score (columns). '
            'The diagonal (=) is agreement; press a cell to list its reports.</caption>'
            f'<thead><tr><td></td>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>')


def _jitter(path: str) -> float:
    """A fixed vertical offset in [-1, 1] per report, so points at the same index do not hide each other."""
    return int(hashlib.sha1(clean(path).encode("utf-8")).hexdigest()[12:16], 16) / 0xFFFF * 2 - 1


def _plot(reports: list[dict]) -> str:
    w, h, left, right, top, bottom = 640, 250, 88, 16, 14, 40
    pw, ph = w - left - right, h - top - bottom

    def x(index: float) -> float:
        return left + (index - 1.0) / 3.0 * pw

    def y(awarded: int) -> float:
        return top + (4 - awarded + 0.5) * ph / 4

    parts = [f'<svg class="plot" viewBox="0 0 {w} {h}" role="img" aria-labelledby="plot-t plot-d">',
             '<title id="plot-t">Evidence index against awarded score</title>',
             '<desc id="plot-d">One mark per readable report: across, its evidence index (bands at 1.5, 2.5 and 3.5); '
             'down, its awarded score. Shaded boxes are agreement; circles are consistent reports, crosses '
             'inconsistent ones. Marks near a band edge are the borderline cases.</desc>']
    for band in range(1, 5):
        lo, hi = max(1.0, band - 0.5), min(4.0, band + 0.5)
        parts.append(f'<rect class="agree" x="{x(lo):.1f}" y="{y(band) - ph / 8:.1f}" width="{x(hi) - x(lo):.1f}" '
                     f'height="{ph / 4:.1f}"/>')
    for edge in (1.5, 2.5, 3.5):
        parts.append(f'<line class="edge" x1="{x(edge):.1f}" y1="{top}" x2="{x(edge):.1f}" y2="{top + ph}"/>')
    for tick in (1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0):
        parts.append(f'<text class="tick" x="{x(tick):.1f}" y="{top + ph + 16}" text-anchor="middle">{tick:.1f}</text>')
    parts.append(f'<text class="axis" x="{left + pw / 2:.1f}" y="{h - 4}" text-anchor="middle">evidence index</text>')
    for band in range(1, 5):
        parts.append(f'<text class="tick" x="{left - 8}" y="{y(band) + 4:.1f}" text-anchor="end">awarded {band}</text>')
    for r in reports:
        awarded, index = r.get("awarded_score"), r.get("evidence_index")
        if r.get("verdict") == "unreadable" or awarded not in (1, 2, 3, 4) or index is None:
            continue
        px = x(min(4.0, max(1.0, float(index))))
        py = y(awarded) + _jitter(r.get("path") or "") * ph / 8 * 0.8
        rid = report_id(r.get("path") or "")
        tip = f"<title>{esc(r.get('path'))}: awarded {awarded}, index {float(index):.2f}, {esc(r.get('verdict'))}</title>"
        if r.get("verdict") == "inconsistent":
            d = 3.5
            parts.append(f'<path class="pt bad" data-r="{rid}" d="M{px - d:.1f} {py - d:.1f}l{2 * d} {2 * d}'
                         f'm0 {-2 * d}l{-2 * d} {2 * d}">{tip}</path>')
        else:
            parts.append(f'<circle class="pt ok" data-r="{rid}" cx="{px:.1f}" cy="{py:.1f}" r="3">{tip}</circle>')
    parts.append("</svg>")
    return "".join(parts)


def _report_row(i: int, r: dict) -> str:
    findings = r.get("findings") or []
    sev = sorted({f.get("severity") for f in findings if f.get("severity")}, key=lambda s: (s not in SEVERITIES, s))
    themes = sorted({clean(f.get("theme")) for f in findings if f.get("theme")})
    rules = sorted({clean(f.get("rule")) for f in findings if f.get("rule")})
    verdict = r.get("verdict") or ""
    idx = r.get("evidence_index")
    counts = [sum(1 for f in findings if f.get("severity") == s) for s in SEVERITIES]
    path = clean(r.get("path"))
    note = ""
    if verdict == "unreadable":
        err = r.get("error") or {}
        note = f'<span class="why-not">{esc(err.get("message") or "")}</span>'
    cells = [
        f'<td data-v="{esc(path)}"><a href="#{report_id(path)}">{esc(path)}</a>{note}</td>',
        f'<td class="n" data-v="{"" if r.get("awarded_score") is None else r.get("awarded_score")}">'
        f'{_num(r.get("awarded_score"))}</td>',
        f'<td class="n" data-v="{"" if r.get("evidence_score") is None else r.get("evidence_score")}">'
        f'{_num(r.get("evidence_score"))}</td>',
        f'<td class="n" data-v="{"" if idx is None else f"{float(idx):.2f}"}">{"–" if idx is None else f"{float(idx):.2f}"}</td>',
        f'<td data-v="{VERDICTS.index(verdict) if verdict in VERDICTS else 9}"><span class="verdict v-{esc(verdict)}">'
        f'{esc(verdict)}</span></td>',
    ] + [f'<td class="n" data-v="{n}">{n}</td>' for n in counts]
    attrs = (f'data-i="{i}" data-verdict="{esc(verdict)}" data-a="{_num(r.get("awarded_score"))}" '
             f'data-e="{_num(r.get("evidence_score"))}" data-sev=" {" ".join(esc(s) for s in sev)} " '
             f'data-theme=" {" ".join(esc(t) for t in themes)} " data-rule=" {" ".join(esc(x) for x in rules)} "')
    return f'<tr {attrs}>{"".join(cells)}</tr>'


def _select(name: str, label: str, values: list[str]) -> str:
    options = "".join(f'<option value="{esc(v)}">{esc(v)}</option>' for v in values)
    return (f'<label>{label} <select id="f-{name}" data-f="{name}"><option value="">any</option>'
            f'{options}</select></label>')


def _folded(title: str, body: str, empty: str, open_: bool) -> str:
    """A summary list that folds away when long (printing opens every fold, see the script)."""
    if not body:
        return f'<p class="fold-empty"><strong>{esc(title)}</strong>: {esc(empty)}</p>'
    return f'<details{" open" if open_ else ""}><summary>{esc(title)}</summary>{body}</details>'


def _summary(doc: dict, rules_meta: list[dict]) -> str:
    s = doc.get("summary") or {}
    counts = s.get("findings") or {}
    reports = doc.get("reports") or []
    described = {m.get("id"): m for m in rules_meta}
    rb = doc.get("rulebook") or {}
    tool = doc.get("tool") or {}
    items = [
        f'<div><dt>Reports</dt><dd>{s.get("reports", 0)}: {s.get("consistent", 0)} consistent, '
        f'{s.get("inconsistent", 0)} inconsistent, {s.get("unreadable", 0)} unreadable</dd></div>',
        f'<div><dt>Findings</dt><dd>{", ".join(plural(counts.get(x, 0), x) for x in SEVERITIES)}</dd></div>',
        f'<div><dt>Engine</dt><dd>{esc(doc.get("engine"))}</dd></div>',
        f'<div><dt>Rulebook</dt><dd><code>{esc(rb.get("path"))}</code> ({esc(rb.get("framework"))})</dd></div>',
        f'<div><dt>Checked by</dt><dd>{esc(tool.get("name"))} {esc(tool.get("version"))}; fail on '
        f'{esc(s.get("fail_on"))}{"; strict" if s.get("strict") else ""}; exit code {esc(s.get("exit_code"))}</dd></div>',
    ]
    out = ['<section id="summary" aria-labelledby="summary-h"><h2 id="summary-h">Summary</h2>',
           f'<dl class="facts">{"".join(items)}</dl>']
    # Files the run left out come first after the counts, open, as in the table: a report nobody checked is
    # what a reader of this page most needs to know about after the verdicts.
    skipped = not_searched(s)
    lis = "".join(f"<li>{esc(item.note)}.</li>" for item in skipped)
    out.append(_folded(f"Not searched ({len(skipped)})", f"<ul>{lis}</ul>" if skipped else "", "None.", True))
    never = s.get("rules_never_fired") or []
    lis = "".join(f'<li><code>{esc(r)}</code> {esc((described.get(r) or {}).get("description") or "")}</li>' for r in never)
    out.append(_folded(f"Rules that never fired ({len(never)})", f'<ul class="cols">{lis}</ul>' if never else "",
                       "None: every rule fired at least once.", len(never) <= 5))
    silent = s.get("themes_never_mentioned") or []
    out.append(_folded(f"Themes no report mentions ({len(silent)})",
                       f'<ul>{"".join(f"<li>{esc(t)}</li>" for t in silent)}</ul>' if silent else "", "None.", True))
    sup = [(r, f) for r in reports for f in r.get("suppressed") or []]
    lis = "".join(f'<li><a href="#{report_id(clean(r.get("path")))}">{esc(r.get("path"))}</a>: '
                  f'<code>{esc(f.get("rule"))}</code> {esc(f.get("message"))}</li>' for r, f in sup)
    out.append(_folded(f"Suppressed findings ({len(sup)})", f"<ul>{lis}</ul>" if sup else "", "None.", len(sup) <= 10))
    bad = [r for r in reports if r.get("verdict") == "unreadable"]
    lis = "".join(
        f'<li><a href="#{report_id(clean(r.get("path")))}">{esc(r.get("path"))}</a>'
        f'{esc(" (line " + str((r.get("error") or {}).get("line")) + ")") if (r.get("error") or {}).get("line") is not None else ""}: '
        f'{esc((r.get("error") or {}).get("message") or "")}</li>' for r in bad)
    out.append(_folded(f"Unreadable reports ({len(bad)})", f"<ul>{lis}</ul>" if bad else "", "None.", True))
    out.append("</section>")
    return "".join(out)


def _corpus(doc: dict, rules_meta: list[dict]) -> str:
    reports = doc.get("reports") or []
    themes = sorted({clean(f.get("theme")) for r in reports for f in r.get("findings") or [] if f.get("theme")})
    rules = sorted({clean(f.get("rule")) for r in reports for f in r.get("findings") or [] if f.get("rule")})
    heads = [("Report", "text"), ("Awarded", "num"), ("Evidence", "num"), ("Index", "num"), ("Verdict", "num"),
             ("Errors", "num"), ("Warnings", "num"), ("Infos", "num")]
    th = "".join(f'<th scope="col" aria-sort="none"><button type="button" data-col="{i}" data-type="{t}">{h}'
                 f'<span class="arrow" aria-hidden="true"></span></button></th>' for i, (h, t) in enumerate(heads))
    rows = "".join(_report_row(i, r) for i, r in enumerate(reports))
    filters = ('<form id="filters" role="search" aria-label="Filter the reports">'
               + _select("verdict", "Verdict", list(VERDICTS))
               + _select("theme", "Finding theme", themes)
               + _select("sev", "Severity", list(SEVERITIES))
               + _select("rule", "Rule", rules)
               + '<label>Path contains <input id="f-path" type="search" autocomplete="off"></label>'
               '<span id="cell-filter" hidden><span id="cell-text"></span> <button type="button" id="cell-clear">'
               'show every cell</button></span> <button type="reset" id="f-reset">Reset</button></form>')
    return ('<section id="corpus" aria-labelledby="corpus-h"><h2 id="corpus-h">Corpus</h2>'
            '<div class="overview"><figure>' + _matrix(reports) + '</figure><figure>' + _plot(reports)
            + '<figcaption>Evidence index against awarded score: circles consistent, crosses inconsistent; '
            'shaded boxes are agreement.</figcaption></figure></div>'
            + _summary(doc, rules_meta)
            + '<section id="list" aria-labelledby="list-h"><h2 id="list-h">Reports</h2>' + filters
            + f'<p id="shown" aria-live="polite">Showing all {plural(len(reports), "report")}.</p>'
            f'<table id="reports-table"><caption class="vh">Every report; the column buttons sort it</caption>'
            f'<thead><tr>{th}</tr></thead><tbody>{rows}</tbody></table></section></section>')


# --------------------------------------------------------------------------------------------
# The page

_HEAD_SCRIPT = "document.documentElement.className='js';"

_SCRIPT = r"""(function(){
'use strict';
var d=document,corpus=d.getElementById('corpus'),table=d.getElementById('reports-table');
var tbody=table.tBodies[0],rows=Array.prototype.slice.call(tbody.rows),shownP=d.getElementById('shown');
var form=d.getElementById('filters'),cell=null,current=null;
var cellBox=d.getElementById('cell-filter'),cellText=d.getElementById('cell-text');
function val(id){return d.getElementById(id).value;}
function apply(){
  var v=val('f-verdict'),t=val('f-theme'),s=val('f-sev'),r=val('f-rule'),p=val('f-path').toLowerCase(),n=0;
  rows.forEach(function(row){
    var ok=(!v||row.getAttribute('data-verdict')===v)&&(!t||row.getAttribute('data-theme').indexOf(' '+t+' ')>=0)
      &&(!s||row.getAttribute('data-sev').indexOf(' '+s+' ')>=0)&&(!r||row.getAttribute('data-rule').indexOf(' '+r+' ')>=0)
      &&(!p||row.cells[0].getAttribute('data-v').toLowerCase().indexOf(p)>=0)
      &&(!cell||(row.getAttribute('data-a')===cell[0]&&row.getAttribute('data-e')===cell[1]));
    row.hidden=!ok;if(ok)n++;});
  shownP.textContent=n===rows.length?'Showing all '+n+' reports.':'Showing '+n+' of '+rows.length+' reports.';
  cellBox.hidden=!cell;
  if(cell)cellText.textContent='Awarded '+cell[0]+', evidence '+cell[1]+'.';
}
form.addEventListener('change',apply);form.addEventListener('input',apply);
form.addEventListener('reset',function(){cell=null;setTimeout(apply,0);});
d.getElementById('cell-clear').addEventListener('click',function(){cell=null;apply();});
Array.prototype.forEach.call(d.querySelectorAll('button.mx'),function(b){
  b.addEventListener('click',function(){cell=[b.getAttribute('data-a'),b.getAttribute('data-e')];apply();
    d.getElementById('list').scrollIntoView();});});
Array.prototype.forEach.call(table.tHead.querySelectorAll('button'),function(b){
  b.addEventListener('click',function(){
    var th=b.parentNode,col=+b.getAttribute('data-col'),num=b.getAttribute('data-type')==='num';
    var dir=th.getAttribute('aria-sort')==='ascending'?-1:1;
    Array.prototype.forEach.call(table.tHead.rows[0].cells,function(c){c.setAttribute('aria-sort','none');});
    th.setAttribute('aria-sort',dir===1?'ascending':'descending');
    rows.sort(function(x,y){
      var a=x.cells[col].getAttribute('data-v'),b2=y.cells[col].getAttribute('data-v'),c;
      if(num){a=a===''?-1:+a;b2=b2===''?-1:+b2;c=a-b2;}else{c=a<b2?-1:a>b2?1:0;}
      return c*dir||(+x.getAttribute('data-i'))-(+y.getAttribute('data-i'));});
    rows.forEach(function(row){tbody.appendChild(row);});});});
Array.prototype.forEach.call(d.querySelectorAll('.plot .pt'),function(p){
  p.addEventListener('click',function(){location.hash=p.getAttribute('data-r');});});
function route(){
  var id=decodeURIComponent(location.hash.slice(1)),el=id?d.getElementById(id):null;
  var art=el&&el.closest?el.closest('article.report'):null;
  if(current&&current!==art)current.classList.remove('on');
  if(art){art.classList.add('on');corpus.classList.add('off');current=art;
    if(el===art){var h=d.getElementById(id+'-h');h.focus();window.scrollTo(0,0);}else{el.scrollIntoView();}
  }else{corpus.classList.remove('off');current=null;if(el)el.scrollIntoView();}
}
window.addEventListener('beforeprint',function(){Array.prototype.forEach.call(d.querySelectorAll('details'),function(x){x.open=true;});});
window.addEventListener('hashchange',route);route();apply();
})();"""

# ASCII only, so that a page printed as ASCII (outputs.fit_stream) keeps the style sheet its policy's hash allows:
# ▲ ▼ ✗ ✓ are CSS escapes ("\\0025B2"), and an escape takes the one space after it, hence two before a word.
_CSS = """
:root{--ink:#1a1a1a;--muted:#4d4d4d;--line:#c4c4c4;--link:#0b57d0;--paper:#fff;--soft:#f3f4f6;
--strong:#1b5e20;--strong-bg:#d6efd8;--good:#00574f;--good-bg:#d5f0ec;--intention:#5b3f8c;--intention-bg:#ebe3f7;
--shortfall:#8a4300;--shortfall-bg:#fde6c8;--significant:#a3001b;--significant-bg:#fbd3d9}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:var(--paper)}
header.top{padding:.75rem 1.5rem;border-bottom:1px solid var(--line);background:var(--soft)}
header.top h1{margin:0;font-size:1.35rem} header.top p{margin:.2rem 0 0;color:var(--muted)}
main{padding:0 1.5rem 3rem;max-width:90rem}
a{color:var(--link)} a:focus-visible,button:focus-visible,select:focus-visible,input:focus-visible,[tabindex]:focus-visible,summary:focus-visible{outline:3px solid #b35c00;outline-offset:2px}
[tabindex="-1"]:focus,[tabindex="-1"]:focus-visible{outline:none}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.muted{color:var(--muted)}
.overview{display:flex;flex-wrap:wrap;gap:2rem;align-items:flex-start} figure{margin:1rem 0}
figcaption{color:var(--muted);font-size:.9rem;max-width:600px}
details{margin:.4rem 0} summary{cursor:pointer;font-weight:700;font-size:1.05rem} .fold-empty{margin:.4rem 0}
table{border-collapse:collapse} caption{text-align:left;color:var(--muted);font-size:.9rem;padding:.3rem 0;max-width:32rem}
th,td{border:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
thead th{background:var(--soft)} td.n{text-align:right;font-variant-numeric:tabular-nums}
.matrix td{padding:0} .matrix button{display:block;width:100%;min-width:4.5rem;height:2.6rem;font:inherit;font-size:1.1rem;background:var(--paper);color:var(--ink);border:0;cursor:pointer}
.matrix .agree button{background:#e3eefc;font-weight:700} .matrix button:disabled{color:#595959;cursor:default}
.matrix .eq{font-size:.8rem;margin-right:.3rem;color:#1f3d7a}
.plot{width:600px;max-width:100%;height:auto;background:var(--paper);border:1px solid var(--line)}
.plot .agree{fill:#e3eefc} .plot .edge{stroke:#6b6b6b;stroke-dasharray:4 3} .plot .tick,.plot .axis{font-size:12px;fill:var(--ink)}
.plot .ok{fill:#1b5e20;fill-opacity:.75;cursor:pointer} .plot .bad{stroke:#a3001b;stroke-width:2;fill:none;cursor:pointer}
dl.facts{display:flex;flex-wrap:wrap;gap:.5rem 2rem;margin:.5rem 0} dl.facts div{min-width:8rem} dt{font-size:.8rem;color:var(--muted)} dd{margin:0;font-weight:600}
ul.cols{columns:2 28rem}
#filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:end;margin:.5rem 0}
#filters label{display:flex;flex-direction:column;font-size:.85rem;color:var(--muted)}
select,input,button{font:inherit;color:var(--ink)} button{cursor:pointer}
#reports-table{width:100%} #reports-table th button{border:0;background:none;padding:0;font-weight:700;text-align:left;width:100%}
th[aria-sort=ascending] .arrow::after{content:" \\0025B2"} th[aria-sort=descending] .arrow::after{content:" \\0025BC"}
.why-not{display:block;color:var(--muted);font-size:.85rem}
.verdict{font-weight:700;padding:0 .3rem;border-radius:3px;white-space:nowrap}
.v-consistent{color:#1b5e20} .v-inconsistent{color:#a3001b} .v-unreadable{color:#6b2c91}
.v-inconsistent::before{content:"\\002717  "} .v-consistent::before{content:"\\002713  "} .v-unreadable::before{content:"? "}
.report{border-top:3px solid var(--line);margin-top:2rem}
.js .report{display:none} .js .report.on{display:block} .js #corpus.off{display:none}
.report h2{overflow-wrap:anywhere} .back{margin:.5rem 0 0} .qs{color:var(--muted);margin:0}
.error{background:#f6e6fb;border-left:4px solid #6b2c91;padding:.5rem 1rem}
.grid th[scope=row]{font-weight:600} .grid .zero{color:#6b6b6b} .grid tr.quiet{color:#595959}
.row{display:grid;grid-template-columns:minmax(0,46rem) minmax(16rem,24rem);gap:1.25rem;margin:.8rem 0}
.para{margin:0;line-height:1.75} .boiler .para{color:#595959} .scoreline .para{font-weight:600}
.ln{display:inline-block;font-size:.75rem;color:var(--muted);margin-right:.3rem;font-weight:400}
h4{margin:1.5rem 0 .5rem} h4 .ln{display:block}
mark.ev{color:var(--ink);padding:.05rem .15rem;border-radius:3px;border-bottom:2px solid}
.lv{display:inline-block;font-size:.7rem;font-weight:700;line-height:1.2;padding:0 .25rem;margin-right:.25rem;border-radius:3px;color:#fff;vertical-align:.1em;white-space:nowrap}
.lv-strong{--c:var(--strong);--b:var(--strong-bg)} .lv-good{--c:var(--good);--b:var(--good-bg)}
.lv-intention{--c:var(--intention);--b:var(--intention-bg)} .lv-shortfall{--c:var(--shortfall);--b:var(--shortfall-bg)}
.lv-significant{--c:var(--significant);--b:var(--significant-bg)}
mark.ev{background:var(--b);border-color:var(--c)} span.lv{background:var(--c)}
.aside{position:relative;text-decoration:underline dotted 2px;text-underline-offset:3px;cursor:help}
.sa,.aside-key .sa{font-size:.8rem;margin-right:.1rem;color:#595959}
.tip{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.aside:hover .tip,.aside:focus .tip{clip:auto;width:max-content;max-width:22rem;height:auto;white-space:normal;left:0;top:1.6em;z-index:5;
background:#222;color:#fff;padding:.4rem .6rem;border-radius:4px;font-size:.85rem;line-height:1.35;font-weight:400}
.s.cited{text-decoration:underline 1px;text-underline-offset:4px} .s:target,.finding:target{outline:3px solid #b35c00;outline-offset:2px}
a.fref{font-size:.75rem;font-weight:700;vertical-align:super;line-height:1;text-decoration:none;border:1px solid;border-radius:3px;padding:0 .15rem}
.notes{font-size:.9rem} .finding{border:1px solid var(--line);border-left:6px solid var(--muted);padding:.4rem .6rem;margin-bottom:.6rem;background:var(--paper)}
.finding p{margin:.2rem 0} ul.cites{margin:.1rem 0;padding-left:1.2rem} .fno{font-weight:700} .sev{text-transform:uppercase;font-size:.75rem;font-weight:700;letter-spacing:.03em}
.sev-error{border-left-color:var(--significant)} .sev-error .sev{color:var(--significant)}
.sev-warning{border-left-color:var(--shortfall)} .sev-warning .sev{color:var(--shortfall)}
.sev-info{border-left-color:var(--good)} .sev-info .sev{color:var(--good)} .theme{color:var(--muted)}
.legend{font-size:.9rem;color:var(--muted);max-width:60rem}
blockquote{margin:.3rem 0 .8rem 1rem;color:var(--muted)}
@media (max-width:60rem){.row{grid-template-columns:1fr}}
@media print{
 body{font-size:11pt} header.top{background:none} #filters,.back,.matrix button:disabled::after,a.fref{display:none}
 .matrix button{height:auto;width:auto;padding:.2rem .6rem}
 .js .report.on{display:block} .row{grid-template-columns:minmax(0,1fr) 14rem;break-inside:avoid}
 a{color:var(--ink);text-decoration:none} .tip{position:static;width:auto;height:auto;clip:auto;white-space:normal;font-style:italic;font-size:.8em}
 .tip::before{content:" ["} .tip::after{content:"]"} mark.ev,span.lv{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 #reports-table tr{break-inside:avoid}
}
"""


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def page_parts(doc: dict, rules_meta: list[dict]) -> tuple[str, str]:
    """(everything before the report fragments, everything after): for writing the fragments as a stream."""
    s = doc.get("summary") or {}
    # Only this page's own style and scripts may run, and nothing may be fetched (default-src 'none').
    csp = (f"default-src 'none'; style-src {_sha256(_CSS)}; script-src {_sha256(_HEAD_SCRIPT)} {_sha256(_SCRIPT)}; "
           "img-src data:; base-uri 'none'; form-action 'none'")
    title = f"lii-check: {plural(s.get('reports', 0), 'report')}, {s.get('inconsistent', 0)} inconsistent"
    rb = doc.get("rulebook") or {}
    before = "".join([
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<title>{esc(title)}</title><script>{_HEAD_SCRIPT}</script><style>{_CSS}</style></head>\n<body>',
        f'<header class="top"><h1>lii-check report</h1><p>{esc(title)}. Engine {esc(doc.get("engine"))}; '
        f'rulebook <code>{esc(rb.get("path"))}</code>.</p></header>\n<main>',
        _corpus(doc, rules_meta), "\n",
    ])
    after = f"\n</main><script>{_SCRIPT}</script></body></html>\n"
    return before, after


def page(doc: dict, fragments: list[str], rules_meta: list[dict]) -> str:
    """The whole file around already-rendered report fragments (in the document's report order)."""
    before, after = page_parts(doc, rules_meta)
    return before + "\n".join(fragments) + after


def render(doc: dict, rules_meta: list[dict], results: list[ReportResult] | None = None) -> str:
    """The page for a whole run; ``results`` (from the pipeline) add each report's text and evidence."""
    by_path = {r.path: r for r in results or []}
    fragments = [report_fragment(entry, by_path.get(entry.get("path"))) for entry in doc.get("reports") or []]
    return page(doc, fragments, rules_meta)


class FragmentSpool:
    """Report fragments kept on disk as results arrive, so a run never holds every report's text.

    ``write`` then produces exactly ``page(doc, fragments, rules_meta)``: the prefix, the fragments, the suffix.
    """

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile("w+", encoding="utf-8", prefix="lii-check-html-")
        self.count = 0

    def add(self, entry: dict, result: ReportResult | None) -> None:
        self._file.write(("\n" if self.count else "") + report_fragment(entry, result))
        self.count += 1

    def write(self, write: Callable[[str], object], doc: dict, rules_meta: list[dict]) -> None:
        before, after = page_parts(doc, rules_meta)
        write(before)
        self._file.flush()
        self._file.seek(0)
        for chunk in iter(lambda: self._file.read(1 << 20), ""):
            write(chunk)
        write(after)

    def close(self) -> None:
        self._file.close()
