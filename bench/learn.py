#!/usr/bin/env python3
"""`scrapeclean learn` on a large crawl: seconds per 1,000 pages, and peak RSS at two sizes.

Input (generated once, cached under /tmp/scrapeclean-bench/learn-<sites>x<pages>-s<seed>/):
site-like pages of --sites sites, each site with its own menu, byline with a counter, footer
marker and legal footer (the furniture to learn), around an article whose every line is new
(the lines seen once that the lossy counter must forget), plus teasers that differ from page to
page. The pages go into one folder per 1,000 (as a crawl lays them out); `learn` groups them by
site from the text (--group-by text, the default).

Each measurement is a fresh child `scrapeclean learn DIR -o OUT.toml -q` (pinned to one core);
its peak RSS is the ru_maxrss os.wait4() returns for that child. The small set (--small pages)
is learned --runs times and the median quoted; the large set (--pages) once, for the time per
1,000 pages at scale and for the memory bound: if learning held pages or article lines in
memory, the large run's peak would be about pages/small times the small one's; bounded, it is
the same plus the per-page list of file names and site numbers (a few dozen bytes a page).
The baseline is the cheapest thing that reads the same files twice (learn's two passes):
`for f in files: open(f).read()`, twice, in a child.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common as C

WORDS = """minister council budget river harbour school hospital railway court museum festival factory
union mayor farmer teacher bridge library market station report election treaty vaccine border company
tunnel airport theatre garden village energy water housing transport police science climate tax
pension trade farming fishing mining tourism""".split()
VERBS = "approved delayed criticised welcomed rejected funded reviewed announced opened closed defended questioned".split()
PLACES = "Lisbon Oslo Quito Hanoi Lagos Perth Turin Krakow Leeds Porto Bergen Ghent Split Cork Graz Malmo".split()
PAGES_PER_FOLDER = 1000


def site_template(rng, s):
    name = f"The {rng.choice(PLACES)} {rng.choice(['Gazette', 'Courier', 'Herald', 'Post', 'Times'])} {s}"
    menu = [f"{rng.choice(WORDS).title()} and {rng.choice(WORDS)} {k}" for k in range(rng.randint(8, 20))]
    legal = [f"{rng.choice(['Privacy', 'Cookie', 'Terms', 'Contact'])} {rng.choice(WORDS)} policy {k}" for k in range(4)]
    return name, menu, legal


def sentence(rng, i, k):
    a, b, c = rng.sample(WORDS, 3)
    return (f"The {a} in {rng.choice(PLACES)} {rng.choice(VERBS)} plan {i}-{k} for the {b} on "
            f"{rng.choice(['Monday', 'Friday'])}, and the {c} said it was {rng.randint(2, 99)} percent of what was asked.")


def page(rng, site, i):
    name, menu, legal = site
    body = [" ".join(sentence(rng, i, k * 3 + j) for j in range(rng.randint(2, 3))) for k in range(rng.randint(4, 8))]
    teasers = [f"{rng.choice(PLACES)} {rng.choice(WORDS)} {rng.choice(VERBS)} {rng.randint(1, 10**6)}" for _ in range(3)]
    lines = [f"Story {i} | {name}", "", *(f"  * {m}" for m in menu), "", f"Search {name}", "",
             f"Headline of story {i} about the {rng.choice(WORDS)}", f"By the newsroom, {rng.randint(1, 28)} March 20{rng.randint(10, 23)}",
             f"{rng.randint(2, 900)} comments", "", *sum(([p, ""] for p in body), []),
             f"More from {name}", *sum(([t, ""] for t in teasers), []), *legal]
    return "\n".join(lines) + "\n"


def ensure_crawl(pages, sites, seed):
    folder = C.CACHE / f"learn-{sites}x{pages}-s{seed}"
    done = folder / ".complete"
    if done.exists():
        return folder
    rng = random.Random(seed)
    templates = [site_template(rng, s) for s in range(sites)]
    for i in range(pages):
        sub = folder / f"{i // PAGES_PER_FOLDER:04d}"
        if i % PAGES_PER_FOLDER == 0:
            sub.mkdir(parents=True, exist_ok=True)
        (sub / f"p{i:07d}.txt").write_text(page(rng, templates[i % sites], i), encoding="utf-8")
    done.write_text("ok\n")
    return folder


def child(argv, cpu):
    """(wall seconds, peak RSS MiB, stderr) of one fresh child; dies if it fails."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                             env=C.child_env(), preexec_fn=C.pin_fn(cpu))
        _, status, usage = os.wait4(p.pid, 0)
        t = time.perf_counter() - t0
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    if os.waitstatus_to_exitcode(status):
        C.die(f"{' '.join(map(str, argv))} failed: {(text.strip().splitlines() or [''])[-1]}")
    unit = 1 if sys.platform == "darwin" else 1024
    return t, usage.ru_maxrss * unit / 2**20, text


READ_TWICE = ("import os,sys\nfor _ in range(2):\n for r,d,fs in os.walk(sys.argv[1]):\n"
              "  d.sort()\n  for f in sorted(fs):\n   open(os.path.join(r,f),'rb').read()\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=100_000, help="pages of the large crawl (default 100,000)")
    ap.add_argument("--small", type=int, default=5_000, help="pages of the small crawl, learned --runs times (default 5,000)")
    ap.add_argument("--sites", type=int, default=20, help="sites in each crawl (default 20)")
    ap.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    ap.add_argument("--json", metavar="FILE", help="also save the results as JSON")
    C.add_common_args(ap, runs=3)
    args = ap.parse_args()
    C.positive_runs(args)
    if args.small < 1 or args.pages < args.small:
        C.die("--small must be at least 1 and at most --pages")
    C.check_engine()
    cli = C.cli_command(args.cli)
    print(f"learn: {C.pin_note(args.cpu)}; {args.sites} sites; generating the crawls (cached in {C.CACHE})", flush=True)
    crawls = [("small", args.small, ensure_crawl(args.small, args.sites, args.seed))]
    if args.pages != args.small:
        crawls.append(("large", args.pages, ensure_crawl(args.pages, args.sites, args.seed)))
    results = {}
    with tempfile.TemporaryDirectory(prefix="scrapeclean-bench-learn-") as tmp:
        for label, n, folder in crawls:
            runs = args.runs if label == "small" else 1
            times, peaks, base = [], [], []
            for _ in range(runs):
                base.append(child([sys.executable, "-c", READ_TWICE, str(folder)], args.cpu)[0])
                t, peak, err = child([*cli, "learn", str(folder), "-o", os.path.join(tmp, f"{label}.toml")], args.cpu)
                times.append(t)
                peaks.append(peak)
            rules = next((line for line in err.splitlines() if "learned " in line), "").replace("scrapeclean: ", "")
            per_k = C.median(times) / n * 1000
            results[label] = {"pages": n, "runs": runs, "seconds": times, "median_s": C.median(times),
                              "s_per_1000": per_k, "peak_rss_mib": max(peaks), "read_twice_s": C.median(base),
                              "summary": rules}
            print(f"{label:5s} {n:>9,} pages: {C.median(times):8.1f} s (median of {runs}; min {min(times):.1f}, max {max(times):.1f})"
                  f" = {per_k:.2f} s per 1,000 pages; reading the files twice: {C.median(base):.1f} s;"
                  f" peak RSS {max(peaks):.0f} MiB")
            print(f"      {rules}")
    if "large" in results:
        s, l = results["small"], results["large"]
        marginal = (l["median_s"] - s["median_s"]) / (l["pages"] - s["pages"]) * 1000
        results["marginal_s_per_1000"] = marginal
        print(f"pages x{l['pages'] / s['pages']:.0f}: peak RSS x{l['peak_rss_mib'] / s['peak_rss_mib']:.2f} "
              f"(+{l['peak_rss_mib'] - s['peak_rss_mib']:.0f} MiB); each further 1,000 pages cost {marginal:.2f} s "
              "(the rest is the fixed cost: start-up, loading the rules, checking the learned rules' examples)")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
