#!/usr/bin/env python3
"""`scrapeclean batch` on a tree of many files: speed (files/s at -j 1 and -j 2, the same options,
--runs runs of each interleaved, medians) and the guarantees, each checked and printed:

1. outputs equal single-file cleaning (`scrapeclean FILE` run on every distinct page; the tree's
   files are byte copies of them) and -j 1 equals -j 2;
2. one binary file in the tree is named on stderr, exit status 3, every other file is done;
3. kill -9 (of the whole process group) in the middle leaves no partial output file, and a
   re-run completes to the identical tree;
4. `--check` exits 1 on the raw tree and 0 on the cleaned one;
5. a -j 2 run with --report-html and --report-jsonl writes the same tree and the reports (open
   the HTML in a browser, or see tests/test_report_html.py for the headless Chromium check);
   its time is printed apart: the reports carry every removed line to the parent process, which
   costs CPU time that the plain runs compared above do not pay.

The tree (default 3,000 files) is made in --work from shared/bench-dev/raw/*/*.txt, copied
under varied names and nested folders, plus one binary file named like a page.
Standard library only; run from anywhere: python3 bench/batch_tree.py [--files 3000]
"""
import argparse
import hashlib
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
JOURNAL = ".scrapeclean-journal"


def scrapeclean(*args, **kw):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "cleaner", *map(str, args)], env=env, capture_output=True, **kw)


def build_tree(raw_files, root: Path, n: int) -> dict:
    """-> {relative path: source page} for the n text files made under root."""
    if root.exists():
        shutil.rmtree(root)
    made = {}
    for i in range(n):
        src = raw_files[i % len(raw_files)]
        tool = src.parent.name
        depth = i % 3
        folder = Path(tool, f"batch-{i // 250:02d}") / ("deep/er" if depth == 2 else "deep" if depth == 1 else "")
        name = f"{i:05d}-{src.stem[:10]}" + (".txt" if i % 5 else ".page")
        rel = (folder / name).as_posix()
        (root / folder).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, root / rel)
        made[rel] = src
    binary = root / "lynx" / "batch-01" / "01234-image-not-text.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    return made


def tree_files(root: Path) -> dict:
    """{relative path: sha256} of the visible files (the journal and temporaries are hidden)."""
    out = {}
    for p in root.rglob("*"):
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts):
            out[p.relative_to(root).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def hidden_temporaries(root: Path) -> list:
    return [p for p in root.rglob(".*.part")]


def timed(*args):
    """-> (result, wall seconds); the CPU seconds of the run (its workers included) are kept
    in timed.cpu: on a shared machine, files per CPU-second tells what wall time cannot."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    r = scrapeclean(*args)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    timed.cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return r, wall


def say(ok, text):
    print(f"[{'ok' if ok else 'FAIL'}] {text}")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared", help="the shared/ folder holding bench-dev/")
    ap.add_argument("--work", type=Path, default=Path("/tmp/scrapeclean-batch-tree"), help="where the trees are made")
    ap.add_argument("--files", type=int, default=3000, help="text files in the tree (plus one binary)")
    ap.add_argument("--runs", type=int, default=3, help="timed runs of each of -j 1 and -j 2, interleaved")
    args = ap.parse_args()
    raw_files = sorted((args.shared / "bench-dev" / "raw").glob("*/*.txt"))
    if not raw_files:
        sys.exit(f"batch_tree.py: no pages under {args.shared}/bench-dev/raw (pass --shared DIR)")
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    raw = work / "raw"
    made = build_tree(raw_files, raw, args.files)
    nbytes = sum((raw / r).stat().st_size for r in made)
    print(f"tree: {raw}: {len(made):,} text files ({nbytes / 1e6:.1f} MB) from {len(raw_files)} bench-dev pages, "
          f"+1 binary file; {os.cpu_count()} cores")
    ok = True

    # Reference: `scrapeclean FILE` on every distinct page.
    reference = {}
    for src in raw_files:
        r = scrapeclean(src)
        reference[src] = hashlib.sha256(r.stdout).hexdigest()
    expected = {rel: reference[src] for rel, src in made.items()}

    files = len(made) + 1
    walls, cpus = {1: [], 2: []}, {1: [], 2: []}
    outs = {}
    for run in range(args.runs):
        for jobs in (1, 2):  # interleaved: a burst of load on the shared machine hits both alike
            dest = work / f"clean-j{jobs}"
            shutil.rmtree(dest, ignore_errors=True)
            r, secs = timed("batch", raw, "--out", dest, "-j", jobs)
            walls[jobs].append(secs)
            cpus[jobs].append(timed.cpu)
            print(f"\n$ scrapeclean batch {raw} --out {dest} -j {jobs}   (run {run + 1} of {args.runs})\n"
                  f"  exit {r.returncode}, {secs:.2f} s wall = {files / secs:.1f} files/s (process start-up included); "
                  f"{timed.cpu:.1f} CPU s = {files / timed.cpu:.1f} files per CPU-second; load average {os.getloadavg()[0]:.1f}")
            if run:
                continue
            outs[jobs] = tree_files(dest)
            err = r.stderr.decode()
            for line in err.splitlines():
                print("  stderr: " + line)
            ok &= say(r.returncode == 3, f"-j {jobs}: exit status 3 (one input failed)")
            ok &= say("01234-image-not-text.txt: binary input" in err, f"-j {jobs}: the binary file is named on stderr with the reason")
            ok &= say(outs[jobs] == expected, f"-j {jobs}: all {len(expected):,} outputs present and equal to `scrapeclean FILE`")
    ok &= say(outs[1] == outs[2], "-j 1 and -j 2 trees identical")

    # The reports, apart from the timed comparison.
    dest = work / "clean-reports"
    shutil.rmtree(dest, ignore_errors=True)
    reports = ["--report-html", work / "report-j2.html", "--report-jsonl", work / "report-j2.jsonl"]
    r, report_secs = timed("batch", raw, "--out", dest, "-j", "2", "-q", *reports)
    print(f"\n$ scrapeclean batch {raw} --out {dest} -j 2 -q {' '.join(map(str, reports))}\n"
          f"  exit {r.returncode}, {report_secs:.2f} s wall, {timed.cpu:.1f} CPU s")
    ok &= say(r.returncode == 3 and tree_files(dest) == outs[2] and (work / "report-j2.html").stat().st_size > 0
              and (work / "report-j2.jsonl").stat().st_size > 0, "-j 2 with reports: the same tree, both reports written")

    # kill -9 in the middle, then a re-run.
    dest = work / "clean-killed"
    shutil.rmtree(dest, ignore_errors=True)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-m", "cleaner", "batch", str(raw), "--out", str(dest), "-j", "2", "-q"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    target = len(made) // 3
    while proc.poll() is None and (not dest.exists() or sum(1 for _ in dest.rglob("*.txt")) < target):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    time.sleep(0.2)
    partial = tree_files(dest)
    temps = hidden_temporaries(dest)
    bad = [rel for rel, h in partial.items() if expected.get(rel) != h]
    print(f"\nkill -9 of the process group after {len(partial):,} outputs: {len(temps)} hidden temporary file(s) left")
    ok &= say(not bad, f"every output present after kill -9 is complete and correct ({len(partial):,} checked, {len(bad)} bad)")
    r, secs = timed("batch", raw, "--out", dest, "-j", "2")
    err = r.stderr.decode()
    for line in err.splitlines():
        print("  re-run stderr: " + line)
    ok &= say(r.returncode == 3 and tree_files(dest) == outs[2], "re-run completes to the identical tree")
    ok &= say(not hidden_temporaries(dest), "re-run removed the killed run's temporaries")
    r, secs2 = timed("batch", raw, "--out", dest, "-j", "2")
    ok &= say("up to date" in r.stderr.decode(), f"third run: everything up to date, {secs2:.2f} s "
              f"({r.stderr.decode().splitlines()[-2] if r.stderr else ''})")

    # --check.
    r, secs = timed("batch", raw, "--check", "-q", "--exclude", "01234-image-not-text.txt")
    listed = r.stdout.decode().splitlines()
    ok &= say(r.returncode == 1 and len(listed) == len(made), f"--check on the raw tree: exit {r.returncode}, {len(listed):,} files listed, {secs:.2f} s")
    r, secs = timed("batch", work / "clean-j2", "--check", "-q")
    changed = r.stdout.decode().splitlines()
    ok &= say(r.returncode == 0 and not changed, f"--check on the cleaned tree: exit {r.returncode}, {secs:.2f} s"
              + (f"; {len(changed):,} cleaned files would change again (cleaning is not idempotent on them), "
                 f"e.g. {', '.join(changed[:3])}" if changed else ""))

    wall = {jobs: statistics.median(walls[jobs]) for jobs in walls}
    cpu = {jobs: statistics.median(cpus[jobs]) for jobs in cpus}
    print(f"\nfiles/s (wall, median of {args.runs}): -j 1 {files / wall[1]:.1f}, -j 2 {files / wall[2]:.1f} "
          f"(x{wall[1] / wall[2]:.2f}); files per CPU-second: -j 1 {files / cpu[1]:.1f}, -j 2 {files / cpu[2]:.1f}; "
          f"-j 2 with both reports: {files / report_secs:.1f} files/s (one run)")
    print(f"HTML report: {work / 'report-j2.html'}  JSONL: {work / 'report-j2.jsonl'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
