"""The HTML audit page of `scrapeclean batch --report-html`: self-contained, every piece of page
text escaped, and, opened in a real headless browser (Chromium), showing the rule-family chart
and the removed lines beside the kept text. The browser test is skipped only when no Chromium
binary exists (CI installs Debian's `chromium`)."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = sorted((REPO / "fixtures" / "seeds").glob("*.txt"))
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from cleaner.removal import Removal  # noqa: E402
from cleaner.report import HtmlAudit, Tally, page_rows, prose_like  # noqa: E402

HOSTILE = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'
RULES = """\
[[rule]]
id = "ads.label"
action = "drop-line"
summary = "An advertisement label."
why = "Ad slots leave it behind."
risk = "A subheading 'Advertisement'."
pattern = "Advertisement"
removes = ["Advertisement"]
keeps = ["Advertisement spending fell."]

[[rule]]
id = "consent.notice"
action = "drop-line"
summary = "A cookie notice."
why = "Consent banners."
risk = "An article about cookies."
pattern = "We use cookies to improve your experience on our website and to show you relevant advertising\\\\."
removes = ["We use cookies to improve your experience on our website and to show you relevant advertising."]
keeps = ["We use cookies."]

[[rule]]
id = "credits.image"
action = "strip-span"
pattern = "Image: [A-Z/]+"
case_sensitive = true
summary = "An image credit glued to a caption."
why = "Agency credits."
risk = "A sentence with 'Image:' in capitals."
removes = ["A captionImage: AFP"]
keeps = ["Image: a new world"]

[[rule]]
id = "nav.hostile"
action = "drop-line"
summary = "A hostile line, to prove escaping."
why = "Test."
risk = "None."
pattern = "<script>.*"
removes = ["<script>x"]
keeps = ["script"]
"""


def page(i: int) -> str:
    article = "\n\n".join(
        f"Paragraph {k} of page {i}: the council met on Tuesday and agreed that the new library would open in spring."
        for k in range(12))
    return ("Advertisement\n\nWe use cookies to improve your experience on our website and to show you relevant advertising.\n\n"
            f"Headline {i}\n\nA bridge at duskImage: AFP/REUTERS\n\n{article}\n\n{HOSTILE}\n\nAdvertisement\n")


def run(*args, cwd=None) -> tuple[int, str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    p = subprocess.run([sys.executable, "-m", "cleaner", *map(str, args)], capture_output=True, env=env,
                       cwd=cwd or REPO, stdin=subprocess.DEVNULL, timeout=120)
    return p.returncode, p.stderr.decode("utf-8", "replace")


@pytest.fixture
def report(tmp_path) -> Path:
    """A batch run over generated pages, the seed pages and one binary file -> its HTML report."""
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    for i in range(6):
        (src / ("sub" if i % 2 else "") / f"page{i}.txt").write_text(page(i), encoding="utf-8")
    for s in SEEDS:
        shutil.copyfile(s, src / s.name)
    (src / "image.txt").write_bytes(b"\x89PNG\x00\x00" + bytes(range(200)))
    (tmp_path / "rules.toml").write_text(RULES, encoding="utf-8")
    out = tmp_path / "report.html"
    code, err = run("batch", src, "--out", tmp_path / "clean", "-j", "2", "--no-builtin", "--no-heuristics",
                    "--rules", tmp_path / "rules.toml",
                    "--report-html", out, "--report-jsonl", tmp_path / "report.jsonl", "-q")
    assert code == 3, err  # the binary file failed, the others were done
    return out


# --- the page itself -----------------------------------------------------------------------

def test_the_page_is_self_contained_and_escapes_page_text(report):
    html = report.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "<script" not in html.lower()  # no script of ours, and page text never becomes markup
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html), "an external asset"
    assert "<link" not in html and "@import" not in html and "url(" not in html
    assert "<svg" in html and "ads.label" in html and "consent.notice" in html


def test_the_page_does_not_depend_on_the_number_of_jobs(report, tmp_path):
    src, rules = tmp_path / "src", tmp_path / "rules.toml"
    for j in (1, 2):  # with the heuristics on, as users run it
        code, err = run("batch", src, "--check", "-j", j, "--no-builtin", "--rules", rules, "--report-html", tmp_path / f"j{j}.html", "-q")
        assert code == 3, err

    def stable(path):  # leave out the clock: the date and the run time
        html = path.read_text(encoding="utf-8")
        html = re.sub(r" · \d{4}-\d\d-\d\d \d\d:\d\d</p>", "</p>", html)
        return re.sub(r"<b>[\d.]+ s</b><span>time</span>", "", html)

    assert stable(tmp_path / "j1.html") == stable(tmp_path / "j2.html")
    assert "would change" in stable(tmp_path / "j1.html")


def test_page_rows_show_removals_in_page_order_with_kept_context():
    lines = ["Ad", "", "k1", "k2", "k3", "k4", "k5", "k6", "A captionImage: AFP", "k7", "k8", "k9"]
    removals = [Removal(1, "ads.label", "Ad", True), Removal(9, "credits.image", "Image: AFP", False)]
    assert page_rows(lines, removals) == [
        ("r", 1, "Ad", "ads.label"),
        ("k", 3, "k1"), ("k", 4, "k2"),
        ("g", 2),
        ("k", 7, "k5"), ("k", 8, "k6"),
        ("s", 9, "A caption", [("credits.image", "Image: AFP")]),
        ("k", 10, "k7"), ("k", 11, "k8"),
        ("g", 1),
    ]


def test_identical_pages_count_once_and_ties_do_not_depend_on_arrival_order():
    def res(digest, chars):
        return {"status": "cleaned", "hash": digest, "removed_chars": chars, "view": [("r", 1, "x" * chars, "a.b")],
                "counts": {"a.b": [1, 0]}, "bytes_in": 100, "bytes_out": 50, "prose": None}

    results = [("p/1", res("h1", 50)), ("p/2", res("h2", 40)), ("p/0", res("h1", 50)), ("p/3", res("h3", 40))]
    renders = []
    for order in (results, results[::-1]):
        audit = HtmlAudit(pages=2)
        for src, r in order:
            audit.add(src, None, r)
        renders.append([(p["src"], p["copies"]) for p in audit.top_pages()])
    assert renders[0] == renders[1] == [("p/0", 2), ("p/3", 1)]  # h3 > h2 on the hash tie-break


def test_a_line_that_lost_spans_and_then_the_rest_shows_both():
    removals = [Removal(1, "credits.image", "Image: AFP", False), Removal(1, "heuristic.short-line", "A caption", True)]
    assert page_rows(["A captionImage: AFP"], removals) == [
        ("r", 1, "A caption", "heuristic.short-line", [("credits.image", "Image: AFP")])]


def test_prose_like_flags_sentences_not_labels():
    assert prose_like("This site uses cookies to assist with navigation and to analyse your use of our services.")
    assert not prose_like("Advertisement")
    assert not prose_like("Share on Facebook Twitter Email Print WhatsApp LinkedIn Reddit Telegram Pinterest Xing VK")


def test_an_empty_run_still_renders():
    html = HtmlAudit().render({"sources": ["src"], "dest": "out", "mode": "out", "options": "", "elapsed": 0.1,
                               "version": "0", "statuses": {}, "bytes_in": 0, "bytes_out": 0}, Tally())
    assert "No rule fired." in html and "</html>" in html


# --- in a real browser ---------------------------------------------------------------------

def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def browse(binary: str, page: Path, *mode: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
             "--window-size=1280,2000", *mode, page.as_uri()],
            capture_output=True, timeout=120, cwd=page.parent)


@pytest.mark.skipif(chromium() is None and not os.environ.get("CI"),  # in CI a missing browser fails
                    reason="no Chromium binary (CI installs Debian's chromium package)")
def test_headless_chromium_renders_the_chart_and_the_removed_lines_beside_the_kept_text(report, tmp_path):
    binary = chromium()
    dom = browse(binary, report, "--dump-dom").stdout.decode("utf-8", "replace")
    # the chart: one bar per rule family that fired, with its count
    bars = re.findall(r'<g class="bar" data-family="([^"]+)">', dom)
    assert {"ads", "consent", "credits", "nav"} <= set(bars)
    assert re.search(r'data-family="ads">.*?<rect [^>]*width="\d+"', dom)
    # each bar's label agrees with the JSONL report of the same run
    counts: dict[str, list] = {}
    for line in (tmp_path / "report.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        families = set()
        for r in record["removed"] or ():
            family = r["rule"].split(".")[0]
            c = counts.setdefault(family, [0, 0, 0])
            c[1 if r["span"] else 0] += 1
            families.add(family)
        for family in families:
            counts[family][2] += 1
    for family, (lines, spans, pages) in counts.items():
        label = f"{pages:,} pages · {lines:,} lines" + (f" + {spans:,} spans" if spans else "")
        assert f'<title>{family}: {label}</title>' in dom, (family, label)
    assert counts["ads"][0] >= 12  # two labels on each of the 6 generated pages
    # a page view: kept text on the left, removed line on the right with its rule
    views = re.findall(r'<article class="page" id="p\d+">.*?</article>', dom, re.S)
    assert views
    first = next(v for v in views if re.search(r'page\d\.txt</span>', v))  # a generated page
    assert re.search(r'<div class="row rem"><span class="no" id="p\d+-1">1</span><span class="k"></span>'
                     r'<span class="x"><span class="chip"[^>]*>ads\.label</span> Advertisement</span></div>', first)
    assert re.search(r'<div class="row span">.*?<span class="k">A bridge at dusk</span>.*?credits\.image.*?Image: AFP/REUTERS', first)
    assert re.search(r'<span class="k">Headline \d</span>', first)
    assert "&lt;script&gt;alert(" in first and "<script>alert(" not in dom  # escaped, never run
    # the removed-sentence list and the failure list are there too
    assert "We use cookies to improve your experience" in dom
    assert re.search(r'image\.txt</span>: .*binary input', dom)

    shot = tmp_path / "report.png"
    done = browse(binary, report, f"--screenshot={shot}")
    assert shot.exists(), done.stderr.decode("utf-8", "replace")[-500:]
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1280, 2000)
    assert len(data) > 50_000  # a page with text and a chart, not a blank screen
