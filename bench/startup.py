#!/usr/bin/env python3
"""Start-up cost: `scrapeclean < SEED_PAGE > /dev/null` against `python -c pass`.

Both run --runs times, interleaved, each a fresh child pinned to one core; `python` is the
interpreter the scrapeclean entry point runs on. Prints median and p90 wall milliseconds and
the ratio of the medians (target: at most 5x the bare interpreter).

With --imports, also runs `python -X importtime -m cleaner < SEED_PAGE` once and prints the
10 imports that cost most (self time), with their cumulative time.
"""
import argparse
import subprocess
import sys
from pathlib import Path

import _common as C

TARGET = 5.0


def import_times(python, page):
    """[(self_us, cumulative_us, module)] from one `-X importtime` run."""
    with open(page, "rb") as stdin:
        r = subprocess.run([python, "-X", "importtime", "-m", "cleaner"], stdin=stdin,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=C.child_env())
    if r.returncode:
        C.die(f"{python} -m cleaner exited {r.returncode} under -X importtime")
    rows = []
    for line in r.stderr.decode("utf-8", "replace").splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, cum, mod = line[len("import time:"):].split("|", 2)
        rows.append((int(own), int(cum), mod.rstrip()))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--page", type=Path, default=C.SEED_PAGE,
                    help=f"page fed on stdin (default {C.SEED_PAGE.relative_to(C.REPO)})")
    ap.add_argument("--imports", action="store_true", help="also print the -X importtime top 10")
    ap.add_argument("--json", metavar="FILE", help="also save the results as JSON")
    C.add_common_args(ap, runs=20)
    args = ap.parse_args()
    C.positive_runs(args)
    if not args.page.is_file():
        C.die(f"{args.page} not found (--page)")
    C.check_engine()
    cli = C.cli_command(args.cli)
    python = C.interpreter_of(cli)

    tasks = [("python -c pass", lambda: C.wall([python, "-c", "pass"], args.cpu)),
             ("scrapeclean < page", lambda: C.wall(cli, args.cpu, stdin_path=args.page))]
    C.wall(cli, args.cpu, stdin_path=args.page)  # one warm-up of each: fill the page cache
    C.wall([python, "-c", "pass"], args.cpu)
    print(f"input: {C.describe_input(args.page)}")
    print(f"runs: {args.runs} of each, interleaved; {C.pin_note(args.cpu)}")
    print(f"scrapeclean: {' '.join(cli)}   python: {python}\n")
    samples = C.interleaved(tasks, args.runs)

    results = {}
    print(f"{'command':<22} {'median ms':>10} {'p90 ms':>8} {'min ms':>8}")
    for name, secs in samples.items():
        ms = [s * 1000 for s in secs]
        results[name] = {"ms": ms, "median_ms": C.median(ms), "p90_ms": C.percentile(ms, 90)}
        print(f"{name:<22} {C.median(ms):>10.1f} {C.percentile(ms, 90):>8.1f} {min(ms):>8.1f}")
    ratio = results["scrapeclean < page"]["median_ms"] / results["python -c pass"]["median_ms"]
    verdict = "within" if ratio <= TARGET else "OVER"
    print(f"\nratio of medians: {ratio:.2f}x the bare interpreter ({verdict} the {TARGET:g}x target)")

    top = []
    if args.imports:
        rows = import_times(python, args.page)
        total = sum(r[0] for r in rows)
        top = sorted(rows, key=lambda r: -r[0])[:10]
        print(f"\n`{Path(python).name} -X importtime -m cleaner`: {len(rows)} imports, "
              f"{total / 1000:.1f} ms in all (self times); top 10 by self time:")
        print(f"{'self ms':>8} {'cumul. ms':>10}  module")
        for own, cum, mod in top:
            print(f"{own / 1000:>8.1f} {cum / 1000:>10.1f}  {mod.strip()}")

    if args.json:
        C.write_json(args.json, {"input": {"path": str(args.page), "bytes": args.page.stat().st_size},
                                 "runs": args.runs, "cli": cli, "python": python, "results": results,
                                 "ratio": ratio, "target": TARGET,
                                 "top_imports": [{"self_us": a, "cumulative_us": b, "module": m.strip()}
                                                 for a, b, m in top]})


if __name__ == "__main__":
    sys.exit(main())
