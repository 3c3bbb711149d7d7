"""Reports built from removal records: the JSONL report (one record per file) and the HTML
audit page of a batch run.

The audit page is made for one job: letting a person spot a false removal in a minute. So it
shows, in this order: how often each rule family fired (a bar chart), the removed lines that
read like sentences (the likeliest false removals, rarest first), and the pages where the most
text was removed, each as two columns, the kept text beside the removed lines with the rule
that removed them, in page order. The page is one self-contained file: inline CSS and SVG, no
script, no external asset; every piece of page text is escaped.
"""
from __future__ import annotations

import heapq
import json
import sys
import time
from collections import deque
from html import escape
from typing import BinaryIO, Iterable

from .removal import Removal

# A page view holds the lines around removals: this many kept lines either side of one.
CONTEXT_LINES = 2
MAX_VIEW_ROWS = 1500  # rows of one page view (a page is cut after that)
MAX_CELL_CHARS = 400  # characters of one line shown
COLLAPSE_AFTER = 6  # a run of removed lines longer than this is folded after its first 3
SUSPECTS_SHOWN = 30
FAILURES_SHOWN = 200
_PROSE_DISTINCT = 20_000  # distinct removed sentences remembered for the "read like sentences" list

# One colour per rule family, in order of first appearance on the chart (colour-blind-safe set).
_PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#7f7f7f", "#b8a000",
            "#6a3d9a", "#1b9e77", "#a6761d", "#e7298a")


# --- counting ------------------------------------------------------------------------------

class Tally:
    """Removals counted per rule and per family: whole lines, spans, and pages it fired on."""

    def __init__(self) -> None:
        self.rules: dict[str, list[int]] = {}  # rule id -> [lines, spans, pages]
        self._families: dict[str, list[int]] = {}

    def add(self, counts: dict[str, list[int]]) -> None:
        """`counts`: one page's {rule id: [lines, spans]}."""
        fams: dict[str, list[int]] = {}
        for rule_id, (lines, spans) in counts.items():
            t = self.rules.setdefault(rule_id, [0, 0, 0])
            t[0] += lines
            t[1] += spans
            t[2] += 1
            f = fams.setdefault(rule_id.split(".", 1)[0], [0, 0])
            f[0] += lines
            f[1] += spans
        for fam, (lines, spans) in fams.items():
            t = self._families.setdefault(fam, [0, 0, 0])
            t[0] += lines
            t[1] += spans
            t[2] += 1

    def families(self) -> list[tuple[str, dict]]:
        """[(family, {lines, spans, pages})], most removals first."""
        rows = [(f, {"lines": v[0], "spans": v[1], "pages": v[2]}) for f, v in self._families.items()]
        return sorted(rows, key=lambda r: (-(r[1]["lines"] + r[1]["spans"]), r[0]))


def prose_like(text: str) -> bool:
    """Whether a removed line reads like an article sentence: a dozen words or more, mostly
    lower-case, ending in sentence punctuation. Furniture can be that too (cookie notices),
    but this is where a false removal would be."""
    s = text.strip()
    if not s.endswith((".", "!", "?", "…", '."', ".”", "?”", '?"', ".'")):
        return False
    words = s.split()
    if len(words) < 12:
        return False
    lower = sum(1 for w in words if w[:1].islower())
    return lower * 2 >= len(words)


# --- the JSONL report ----------------------------------------------------------------------

class JsonlReport:
    """One JSON object per line and per file: path, output, status, encoding detected, bytes in
    and out, the removed lines (line number, rule id, text, whether only a span went) and the
    error, if any. Written atomically (temporary file, then rename); "-" is stdout."""

    def __init__(self, path: str) -> None:
        self.path = path
        if path == "-":
            self._cm = None
            self._out: BinaryIO = sys.stdout.buffer
        else:
            from .fileio import atomic_output

            self._cm = atomic_output(path)
            self._out = self._cm.__enter__()

    def add(self, record: dict) -> None:
        self._out.write(json.dumps(record, ensure_ascii=False).encode("utf-8", "replace") + b"\n")

    def close(self, commit: bool = True) -> None:
        if self._cm is None:
            self._out.flush()
        elif commit:
            self._cm.__exit__(None, None, None)
        else:
            err = _Discard()
            self._cm.__exit__(_Discard, err, None)  # removes the temporary file


class _Discard(Exception):
    pass


# --- page views ----------------------------------------------------------------------------

def _cut(text: str) -> str:
    return text if len(text) <= MAX_CELL_CHARS else text[:MAX_CELL_CHARS] + " …"


def page_rows(lines: Iterable[str], removals: Iterable[Removal]) -> list[tuple]:
    """A page's normalised lines and its removals -> the rows of its view, in page order:
    ("k", line, text) a kept line shown as context; ("r", line, text, rule id) a removed line
    (with a fifth item, [(rule id, span), ...], when spans were cut from it before the rest went);
    ("s", line, kept text, [(rule id, span), ...]) a line that lost spans; ("g", n) n kept
    lines not shown; ("t",) the view was cut. Blank lines are left out."""
    by_line: dict[int, list[Removal]] = {}
    for r in removals:
        by_line.setdefault(r.line_no, []).append(r)
    rows: list[tuple] = []
    recent: deque[tuple[int, str]] = deque()
    after = skipped = 0
    for no, line in enumerate(lines, 1):
        found = by_line.get(no)
        if found is None:
            if not line.strip():
                continue
            if after:
                rows.append(("k", no, _cut(line)))
                after -= 1
            else:
                recent.append((no, line))
                if len(recent) > CONTEXT_LINES:
                    recent.popleft()
                    skipped += 1
            continue
        if len(rows) >= MAX_VIEW_ROWS:
            rows.append(("t",))
            return rows
        if skipped:
            rows.append(("g", skipped))
            skipped = 0
        rows += [("k", n, _cut(t)) for n, t in recent]
        recent.clear()
        whole = [r for r in found if r.whole_line]
        spans = [(r.rule_id, _cut(r.text)) for r in found if not r.whole_line]
        if whole and spans:  # spans went first, then what was left of the line
            rows.append(("r", no, _cut(whole[0].text), whole[0].rule_id, spans))
        elif whole:
            rows.append(("r", no, _cut(line), whole[0].rule_id))
        else:
            kept = line
            for r in found:
                kept = kept.replace(r.text, "", 1)
            rows.append(("s", no, _cut(kept.rstrip()), [(r.rule_id, _cut(r.text)) for r in found]))
        after = CONTEXT_LINES
    if skipped + len(recent):
        rows.append(("g", skipped + len(recent)))
    return rows


# --- the HTML audit page -------------------------------------------------------------------

class HtmlAudit:
    """Collects what the page needs while a run goes on (bounded: the top pages' views, a
    capped list of removed sentences and failures), then renders it. Identical pages (same
    content hash) are one entry with a count of copies; ties are broken by the hash, so the
    page does not depend on the order results come in."""

    def __init__(self, pages: int = 20) -> None:
        self.pages = pages
        self._heap: list[tuple[int, str]] = []  # min-heap of (removed chars, hash) of the top pages
        self._top: dict[str, dict] = {}  # hash -> page
        self.failures: list[tuple[str, str]] = []
        self.failed = 0
        self.prose: dict[str, list] = {}  # text -> [rule id, pages, first path, its line, its hash]

    def add(self, src: str, out: str | None, res: dict) -> None:
        if res["status"] in ("failed", "output-failed"):
            self.failed += 1
            if len(self.failures) < FAILURES_SHOWN:
                self.failures.append((src, res.get("error") or ""))
            return
        digest = res.get("hash")
        for no, rule_id, text in res.get("prose") or ():
            p = self.prose.get(text)
            if p is None:
                if len(self.prose) < _PROSE_DISTINCT:
                    self.prose[text] = [rule_id, 1, src, no, digest]
                continue
            p[1] += 1
            if src < p[2]:
                p[2:] = [src, no, digest]
        page = self._top.get(digest)
        if page is not None:  # a copy of a page already shown
            page["copies"] += 1
            if src < page["src"]:
                page["src"], page["out"] = src, out
            return
        view = res.get("view")
        if view is None:
            return
        key = (res["removed_chars"], digest)
        if len(self._heap) >= self.pages:
            if key <= self._heap[0]:
                return
            del self._top[heapq.heapreplace(self._heap, key)[1]]
        else:
            heapq.heappush(self._heap, key)
        self._top[digest] = {
            "src": src, "out": out, "view": view, "counts": res["counts"], "copies": 1, "hash": digest,
            "removed_chars": res["removed_chars"], "bytes_in": res["bytes_in"],
            "bytes_out": res["bytes_out"], "encoding": res.get("encoding")}

    def top_pages(self) -> list[dict]:
        return [self._top[h] for _, h in sorted(self._heap, reverse=True)]

    def suspects(self) -> list[tuple[str, list]]:
        """Removed sentences, the rarest first (a sentence removed from one page only is more
        likely article text than one removed from hundreds), then the longest."""
        return sorted(self.prose.items(), key=lambda kv: (kv[1][1], -len(kv[0]), kv[1][2], kv[1][3], kv[0]))[:SUSPECTS_SHOWN]

    def render(self, info: dict, tally: Tally) -> str:
        families = sorted(tally.families(), key=lambda fv: (-fv[1]["pages"], -(fv[1]["lines"] + fv[1]["spans"]), fv[0]))
        colours = {f: _PALETTE[i % len(_PALETTE)] for i, (f, _) in enumerate(families)}
        top = self.top_pages()
        anchors = {p["hash"]: f"p{i}" for i, p in enumerate(top, 1)}
        parts = [_HEAD.format(title=escape(f"scrapeclean audit: {', '.join(info['sources'])}"), css=_CSS)]
        # paths below are relative to SRC, named in the header
        parts.append(self._header(info))
        st = info["statuses"]
        cleaned = sum(st.get(k, 0) for k in ("cleaned", "unchanged", "clean", "would-change"))
        parts.append(_families_section(families, tally, colours, cleaned))
        parts.append(self._suspects_section(colours, anchors))
        parts.append(self._pages_section(top, colours))
        if self.failures:
            parts.append(self._failures_section())
        parts.append("</main></body></html>\n")
        return "".join(parts)

    def _header(self, info: dict) -> str:
        st = info["statuses"]
        total = sum(st.values())
        done = st.get("cleaned", 0) + st.get("unchanged", 0) + st.get("clean", 0) + st.get("would-change", 0)
        kept = info["bytes_out"] / info["bytes_in"] * 100 if info["bytes_in"] else 100.0
        cards = [
            ("files", f"{total:,}"),
            ("cleaned now" if info["mode"] != "check" else "checked", f"{done:,}"),
            ("up to date (skipped)", f"{st.get('up-to-date', 0):,}"),
            ("failed", f"{st.get('failed', 0) + st.get('output-failed', 0):,}"),
            ("bytes in → out", f"{_size(info['bytes_in'])} → {_size(info['bytes_out'])}"),
            ("text kept", f"{kept:.0f}%"),
            ("time", f"{info['elapsed']:.1f} s"),
        ]
        if info["mode"] == "check":
            cards.insert(2, ("would change", f"{st.get('would-change', 0):,}"))
        card_html = "".join(
            f'<div class="card{" bad" if k == "failed" and v != "0" else ""}"><b>{escape(v)}</b><span>{escape(k)}</span></div>'
            for k, v in cards)
        when = time.strftime("%Y-%m-%d %H:%M")
        return (
            '<header><h1>scrapeclean batch audit</h1>'
            f'<p class="meta"><b>{escape(", ".join(info["sources"]))}</b> → <b>{escape(info["dest"])}</b>'
            f' · {escape(info["options"])} · scrapeclean {escape(info["version"])} · {when}</p>'
            f'<div class="cards">{card_html}</div>'
            '<nav><a href="#families">Rule families</a><a href="#suspects">Removed sentences</a>'
            '<a href="#pages">Pages with most removed</a>'
            + ('<a href="#failures">Failures</a>' if self.failures else "")
            + "</nav></header><main>"
        )

    def _suspects_section(self, colours: dict, anchors: dict) -> str:
        items = self.suspects()
        head = ('<section id="suspects"><h2>Removed lines that read like sentences</h2>'
                '<p class="hint">Where a false removal would hide. Full-sentence furniture (cookie '
                'notices, banners) comes back on many pages; a sentence removed from one page only '
                'deserves a look. Rarest first.</p>')
        if not items:
            return head + '<p class="empty">No removed line reads like a sentence.</p></section>'
        rows = []
        for text, (rule_id, pages, src, no, digest) in items:
            where = escape(f"{src}:{no}")
            if digest in anchors:
                where = f'<a href="#{anchors[digest]}-{no}">{where}</a>'
            rows.append(
                f'<tr><td class="num">{pages:,}</td><td>{_chip(rule_id, colours)}</td>'
                f'<td class="txt">{escape(_cut(text))}</td><td class="path">{where}</td></tr>')
        return (head + '<table class="list"><thead><tr><th>pages</th><th>rule</th><th>removed text</th>'
                '<th>first seen</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table></section>")

    def _pages_section(self, top: list[dict], colours: dict) -> str:
        out = ['<section id="pages"><h2>Pages with the most text removed</h2>']
        if not top:
            out.append('<p class="empty">No page lost any text.</p></section>')
            return "".join(out)
        out.append('<p class="hint">Each page in order: the <b>kept text</b> on the left, the '
                   '<b>removed lines</b> on the right with the rule that removed them; '
                   f'{CONTEXT_LINES} kept lines are shown around each removal.</p>')
        out.append('<table class="list"><thead><tr><th>#</th><th>page</th><th>removed chars</th>'
                   '<th>bytes in → out</th><th>families</th></tr></thead><tbody>')
        for i, p in enumerate(top, 1):
            fams = sorted({r.split(".", 1)[0] for r in p["counts"]})
            out.append(
                f'<tr><td class="num">{i}</td><td class="path"><a href="#p{i}">{escape(p["src"])}</a>{_copies(p)}</td>'
                f'<td class="num">{p["removed_chars"]:,}</td>'
                f'<td class="num">{_size(p["bytes_in"])} → {_size(p["bytes_out"])}</td>'
                f'<td>{"".join(_chip(f, colours) for f in fams)}</td></tr>')
        out.append("</tbody></table>")
        for i, p in enumerate(top, 1):
            out.append(_page_view(i, p, colours))
        out.append("</section>")
        return "".join(out)

    def _failures_section(self) -> str:
        rows = "".join(f'<li><span class="path">{escape(src)}</span>: {escape(err)}</li>' for src, err in self.failures)
        more = self.failed - len(self.failures)
        extra = f"<p>… and {more:,} more (see stderr or the JSONL report).</p>" if more > 0 else ""
        return (f'<section id="failures"><h2>Failures ({self.failed:,})</h2>'
                f'<p class="hint">Inputs that could not be read or decoded; every other file was done.</p>'
                f'<ul class="failures">{rows}</ul>{extra}</section>')


def _families_section(families: list, tally: Tally, colours: dict, pages: int) -> str:
    head = ('<section id="families"><h2>How often each rule family fired</h2>'
            '<p class="hint">Each bar: the share of the pages cleaned on which the family (the part of '
            'the rule id before the first dot) removed something; then how many lines (and spans) it removed.</p>')
    if not families:
        return head + '<p class="empty">No rule fired.</p></section>'
    return head + _bar_chart(families, colours, pages) + _rules_table(tally, colours) + "</section>"


def _bar_chart(families: list, colours: dict, pages: int) -> str:
    """Horizontal bars, inline SVG: one per family, length = share of pages it fired on (a
    family that removes hundreds of lines per page does not squash the others)."""
    bar_h, gap, label_w, bar_w, right_w, top = 24, 10, 130, 480, 300, 22
    width = label_w + bar_w + right_w
    height = top + len(families) * (bar_h + gap) + gap
    pages = max(pages, max(v["pages"] for _, v in families), 1)
    out = [f'<svg class="chart" role="img" aria-label="pages on which each rule family fired" width="{width}" '
           f'height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">']
    for pct in (0, 25, 50, 75, 100):  # a light scale: share of pages
        x = label_w + bar_w * pct / 100
        out.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - gap / 2:.1f}" class="grid"/>'
                   f'<text x="{x:.1f}" y="{top - 8}" text-anchor="middle" class="axis">{pct}%</text>')
    for i, (fam, v) in enumerate(families):
        y = top + gap + i * (bar_h + gap)
        w = max(2, round(bar_w * v["pages"] / pages))
        label = f"{v['pages']:,} pages · {v['lines']:,} lines" + (f" + {v['spans']:,} spans" if v["spans"] else "")
        out.append(
            f'<g class="bar" data-family="{escape(fam)}"><title>{escape(fam)}: {escape(label)}</title>'
            f'<text x="{label_w - 10}" y="{y + bar_h * 0.7:.1f}" text-anchor="end" class="fam">{escape(fam)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" rx="3" fill="{colours[fam]}"/>'
            f'<text x="{label_w + bar_w + 10}" y="{y + bar_h * 0.7:.1f}" class="val">{escape(label)}</text></g>')
    out.append("</svg>")
    return "".join(out)


def _rules_table(tally: Tally, colours: dict) -> str:
    rows = sorted(tally.rules.items(), key=lambda kv: (-(kv[1][0] + kv[1][1]), kv[0]))
    body = "".join(
        f'<tr><td>{_chip(rid, colours)}</td><td class="num">{v[0]:,}</td><td class="num">{v[1]:,}</td>'
        f'<td class="num">{v[2]:,}</td></tr>' for rid, v in rows)
    return ('<details class="rules"><summary>Every rule that fired '
            f'({len(rows):,})</summary><table class="list"><thead><tr><th>rule</th><th>lines</th>'
            f'<th>spans</th><th>pages</th></tr></thead><tbody>{body}</tbody></table></details>')


def _chip(rule_id: str, colours: dict) -> str:
    fam = rule_id.split(".", 1)[0]
    colour = colours.get(fam, "#555")
    return f'<span class="chip" style="border-color:{colour};color:{colour}">{escape(rule_id)}</span>'


def _page_view(i: int, p: dict, colours: dict) -> str:
    counts = p["counts"]
    lines = sum(v[0] for v in counts.values())
    spans = sum(v[1] for v in counts.values())
    enc = f" · {escape(p['encoding'])}" if p.get("encoding") else ""
    head = (f'<article class="page" id="p{i}"><h3>{i}. <span class="path">{escape(p["src"])}</span>{_copies(p)}</h3>'
            f'<p class="meta">{lines:,} lines and {spans:,} spans removed ({p["removed_chars"]:,} characters); '
            f'{_size(p["bytes_in"])} → {_size(p["bytes_out"])} ({_kept(p)} kept){enc}</p><div class="view"><div class="row hdr"><span>line</span><span>kept text</span>'
            '<span>removed, and by which rule</span></div>')
    body: list[str] = []
    rows = p["view"]
    k = 0
    while k < len(rows):
        row = rows[k]
        if row[0] == "r":  # a run of removed lines: fold it when long
            j = k
            while j < len(rows) and rows[j][0] == "r":
                j += 1
            run = [_row(i, r, colours) for r in rows[k:j]]
            if len(run) > COLLAPSE_AFTER:
                rules = sorted({r[3] for r in rows[k + 3:j]})
                body += run[:3]
                body.append(f'<details class="fold"><summary>… {len(run) - 3:,} more removed lines '
                            f'({escape(", ".join(rules))})</summary>{"".join(run[3:])}</details>')
            else:
                body += run
            k = j
            continue
        body.append(_row(i, row, colours))
        k += 1
    return head + "".join(body) + "</div></article>"


def _copies(p: dict) -> str:
    n = p["copies"] - 1
    return f' <span class="copies">+ {n:,} identical cop{"y" if n == 1 else "ies"}</span>' if n else ""


def _row(i: int, row: tuple, colours: dict) -> str:
    kind = row[0]
    if kind == "g":
        return f'<div class="row gap"><span></span><span>⋯ {row[1]:,} kept line{"s" if row[1] != 1 else ""} not shown</span><span></span></div>'
    if kind == "t":
        return '<div class="row gap"><span></span><span>⋯ the rest of this page is not shown (view cut)</span><span></span></div>'
    no = row[1]
    num = f'<span class="no" id="p{i}-{no}">{no}</span>'
    if kind == "k":
        return f'<div class="row kept">{num}<span class="k">{escape(row[2])}</span><span></span></div>'
    if kind == "r":
        first = "".join(f'{_chip(rid, colours)} <span class="sp">{escape(text)}</span> ' for rid, text in row[4]) if len(row) > 4 else ""
        return (f'<div class="row rem">{num}<span class="k"></span>'
                f'<span class="x">{first}{_chip(row[3], colours)} {escape(row[2])}</span></div>')
    spans = " ".join(f'{_chip(rid, colours)} <span class="sp">{escape(text)}</span>' for rid, text in row[3])
    return f'<div class="row span">{num}<span class="k">{escape(row[2])}</span><span class="x">{spans}</span></div>'


def _kept(p: dict) -> str:
    return f'{p["bytes_out"] / p["bytes_in"] * 100:.0f}%' if p["bytes_in"] else "100%"


def _size(n: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit}"
    return f"{n} B"


_HEAD = ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
         '<meta name="viewport" content="width=device-width, initial-scale=1">'
         '<title>{title}</title><style>{css}</style></head><body>')

_CSS = """
:root{--fg:#1d1d1f;--muted:#6b6b70;--line:#e3e3e8;--rem:#fdecec;--remfg:#8f1d1d;--bg:#fff}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:#f6f6f8}
header{background:var(--bg);border-bottom:1px solid var(--line);padding:18px 28px 10px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:18px;margin:0 0 6px}
h3{font-size:15px;margin:0 0 4px}
.meta{color:var(--muted);margin:0 0 10px;overflow-wrap:anywhere}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:8px 0}
.card{background:#f6f6f8;border:1px solid var(--line);border-radius:8px;padding:8px 14px;min-width:110px}
.card b{display:block;font-size:19px}
.card span{color:var(--muted);font-size:12px}
.card.bad{border-color:#d55e00;background:#fff4ec}
nav a{margin-right:18px;font-size:13px}
main{padding:8px 28px 40px}
section{background:var(--bg);border:1px solid var(--line);border-radius:10px;padding:16px 20px;margin:16px 0}
.hint{color:var(--muted);margin:0 0 10px;max-width:70em}
.empty{color:var(--muted);font-style:italic}
svg.chart{display:block;max-width:100%;height:auto}
svg .fam{font:600 13px system-ui,sans-serif;fill:#1d1d1f}
svg .val{font:12px system-ui,sans-serif;fill:#44444a}
svg .axis{font:11px system-ui,sans-serif;fill:#9a9aa0}
svg .grid{stroke:#e3e3e8;stroke-width:1}
table.list{border-collapse:collapse;width:100%;margin:6px 0}
table.list th{text-align:left;font-weight:600;color:var(--muted);font-size:12px;border-bottom:1px solid var(--line);padding:4px 8px}
table.list td{border-bottom:1px solid #f0f0f3;padding:4px 8px;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.txt{max-width:60em}
.path{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12px;overflow-wrap:anywhere}
.chip{display:inline-block;border:1px solid;border-radius:10px;padding:0 7px;font:11px/17px ui-monospace,"DejaVu Sans Mono",monospace;background:#fff;white-space:nowrap;margin-right:3px}
details.rules{margin-top:8px}
details summary{cursor:pointer;color:#0b57d0}
article.page{border-top:2px solid var(--line);margin-top:22px;padding-top:12px}
.view{border:1px solid var(--line);border-radius:6px;overflow:hidden}
.row{display:grid;grid-template-columns:4.2em 1fr 1fr;border-bottom:1px solid #f0f0f3;font-size:13px}
.row>span{padding:2px 8px;overflow-wrap:anywhere;white-space:pre-wrap}
.row.hdr{background:#f0f0f3;font-weight:600;color:var(--muted);font-size:12px}
.row .no{color:#9a9aa0;text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.row.rem .x,.row.span .x{background:var(--rem);color:var(--remfg)}
.row.rem .k{background:repeating-linear-gradient(135deg,#fafafa 0 6px,#f2f2f4 6px 12px)}
.row .sp{background:#f9d0d0;border-radius:2px}
.row.gap{color:var(--muted);font-style:italic;background:#fafafb;font-size:12px}
details.fold>summary{padding:2px 8px 2px 4.7em;background:var(--rem);color:var(--remfg);font-size:12px}
.copies{font:12px system-ui,sans-serif;color:var(--muted);white-space:nowrap}
ul.failures{margin:0;padding-left:20px}
ul.failures li{margin:2px 0}
"""
