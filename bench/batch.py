#!/usr/bin/env python3
"""Documents per second of the pipeline over many small page files, in one process.

Loads the built-in rules once, then for every file: open it, clean_binary() it into a BytesIO.
Beside it, the copy loop over the same files (open, `for line in f: buf.write(line)`), and the
same pipeline on `--engine fast` where its optional extra (hyperscan) is installed.
Both run --runs passes, interleaved, after one untimed warm-up pass each; this process is
pinned to one core. Prints median docs/s and MB/s and the ratio to the copy loop.
"""
import argparse
import glob
import io
import os
import sys
import time

import _common as C


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--glob", default=None,
                    help="files to clean (default '<shared>/bench-dev/raw/*/*.txt')")
    ap.add_argument("--json", metavar="FILE", help="also save the results as JSON")
    C.add_common_args(ap, runs=5, cli=False)
    args = ap.parse_args()
    C.positive_runs(args)
    pattern = args.glob or str(args.shared / "bench-dev" / "raw" / "*" / "*.txt")
    files = sorted(glob.glob(pattern))
    if not files:
        C.die(f"no files match {pattern} (--glob, or --shared DIR holding bench-dev/)")
    nbytes = sum(os.path.getsize(f) for f in files)
    C.check_engine()
    sys.path.insert(0, str(C.REPO))
    from cleaner import Options, load_rules
    from cleaner.pipeline import clean_binary
    from cleaner.rules.prescreen import INSTALL_HINT, available

    pin = C.pin_fn(args.cpu)
    if pin:
        pin()
    t0 = time.perf_counter()
    rules = load_rules()
    load_ms = (time.perf_counter() - t0) * 1000

    def clean_all_with(opts):
        def clean_all():
            t = time.perf_counter()
            for f in files:
                with open(f, "rb") as src:
                    clean_binary(src, io.BytesIO(), rules, opts, name=f)
            return time.perf_counter() - t
        return clean_all

    def copy_all():
        t = time.perf_counter()
        for f in files:
            with open(f, "rb") as src:
                buf = io.BytesIO()
                for line in src:
                    buf.write(line)
        return time.perf_counter() - t

    tasks = [("copy loop (baseline)", copy_all), ("pipeline (clean_binary)", clean_all_with(Options()))]
    if available():
        tasks.append(("pipeline, --engine fast", clean_all_with(Options(engine="fast"))))
    else:
        print(f"pipeline, --engine fast: skipped (hyperscan is not installed: {INSTALL_HINT})")
    for _, fn in tasks:
        fn()  # warm-up: page cache, lazy compiles
    print(f"input: {pattern}  {len(files)} files, {C.human_size(nbytes)}")
    print(f"runs: {args.runs} passes of each, interleaved, after one warm-up; "
          f"{C.pin_note(args.cpu).replace('children', 'process')}; load_rules() {load_ms:.1f} ms once\n")
    samples = C.interleaved(tasks, args.runs)

    results = {}
    print(f"{'name':<26} {'median docs/s':>13} {'min':>8} {'max':>8} {'MB/s':>7}  {'vs copy loop':>8}")
    for name, secs in samples.items():
        dps = [len(files) / s for s in secs]
        results[name] = {"seconds": secs, "docs_s": dps, "median_docs_s": C.median(dps),
                         "median_mb_s": nbytes / C.MB / C.median(secs)}
    base = results["copy loop (baseline)"]["median_docs_s"]
    for name, r in results.items():
        r["ratio_to_copy"] = r["median_docs_s"] / base
        print(f"{name:<26} {r['median_docs_s']:>13.1f} {min(r['docs_s']):>8.1f} {max(r['docs_s']):>8.1f} "
              f"{r['median_mb_s']:>7.1f}  {r['ratio_to_copy']:>8.3f}")

    if args.json:
        C.write_json(args.json, {"input": {"glob": pattern, "files": len(files), "bytes": nbytes},
                                 "runs": args.runs, "rule_load_ms": load_ms, "results": results})


if __name__ == "__main__":
    sys.exit(main())
