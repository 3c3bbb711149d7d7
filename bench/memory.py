#!/usr/bin/env python3
"""Peak memory (max RSS) of `scrapeclean FILE > /dev/null` beside the plain line-copy loop.

Inputs (generated once, cached under /tmp/scrapeclean-bench/):
  corpus    --size MB of news pages from shared/tools/gen_corpus.py
  one line  --line-size MB of words with no newline at all (written to disk in 64 KiB pieces)
and, as the floor (interpreter, imports, rules), the 4 KB seed page of fixtures/seeds/.

Each measurement is a fresh child; its peak RSS is the ru_maxrss that os.wait4() returns for
that one child (the per-child form of getrusage(RUSAGE_CHILDREN)), so nothing else is counted.
A streaming cleaner should stay near the floor on the corpus, whatever its size; on the single line the
copy loop itself must hold the whole line, which is the yardstick.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import _common as C


def peak_rss_mib(argv, cpu):
    """Max RSS in MiB of one run of argv (stdout to /dev/null); dies if it fails."""
    with tempfile.TemporaryFile() as err:
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                             env=C.child_env(), preexec_fn=C.pin_fn(cpu))
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode:
            err.seek(0)
            last = (err.read().decode("utf-8", "replace").strip().splitlines() or [""])[-1]
            C.die(f"{' '.join(argv)} exited {p.returncode}: {last}")
    unit = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    return usage.ru_maxrss * unit / 2**20


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=float, default=200, help="corpus size in MB (default 200)")
    ap.add_argument("--line-size", type=float, default=50, help="single-line input size in MB (default 50)")
    ap.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    ap.add_argument("--json", metavar="FILE", help="also save the results as JSON")
    C.add_common_args(ap, runs=1)
    args = ap.parse_args()
    C.positive_runs(args)
    C.check_engine()
    cli = C.cli_command(args.cli)

    inputs = [("seed page (floor)", C.SEED_PAGE),
              ("corpus", C.ensure_corpus(None, args.size, args.shared, args.seed)),
              ("one line, no newline", C.ensure_long_line(None, args.line_size, args.seed))]
    print(f"runs: {args.runs} per input and command (median shown); {C.pin_note(args.cpu)}")
    print(f"scrapeclean: {' '.join(cli)}")
    print(f"copy loop: {sys.executable} bench/_child.py copy FILE\n")
    print(f"{'input':<22} {'size MB':>8} {'copy loop MiB':>14} {'scrapeclean MiB':>16}  file")
    results = []
    for label, path in inputs:
        tasks = [("copy", lambda: peak_rss_mib([sys.executable, str(C.CHILD), "copy", str(path)], args.cpu)),
                 ("scrapeclean", lambda: peak_rss_mib(cli + [str(path)], args.cpu))]
        got = C.interleaved(tasks, args.runs)
        row = {"input": label, "path": str(path), "bytes": path.stat().st_size,
               "copy_mib": C.median(got["copy"]), "scrapeclean_mib": C.median(got["scrapeclean"]),
               "samples": got}
        results.append(row)
        print(f"{label:<22} {row['bytes'] / C.MB:>8.1f} {row['copy_mib']:>14.1f} "
              f"{row['scrapeclean_mib']:>16.1f}  {path}", flush=True)

    if args.json:
        C.write_json(args.json, {"runs": args.runs, "cli": cli, "results": results})


if __name__ == "__main__":
    sys.exit(main())
