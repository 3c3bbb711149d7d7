#!/usr/bin/env python3
"""Throughput (MB/s) of the cleaning pipeline against a plain Python line-copy loop.

On one generated corpus, each of these runs --runs times, interleaved (A B C A B C ...), every
run a fresh child process pinned to one core:

  copy loop   open binary, `for line in f: out.write(line)` to /dev/null (the baseline)
  pipeline    cleaner.pipeline.clean_binary(FILE -> /dev/null) with the built-in rules;
              only the cleaning is timed (rule loading is timed and reported apart)
  rules       the same with the heuristic stage off (`--no-heuristics`): the rule engine alone
  fast        pipeline and rules again on `--engine fast` (the Hyperscan screen), if the
              optional extra is installed (`pip install 'scrapeclean[fast]'`)
  cli         `scrapeclean FILE > /dev/null`, wall clock end to end (start-up included)
  rg          `rg -i -v -f PATTERNS FILE > /dev/null` with the same rules' patterns, if
              ripgrep is installed (a reference for what a compiled regex engine does)

Prints median MB/s, min/max and the ratio to the copy loop's median (1 MB = 10^6 bytes).
"""
import argparse
import shutil
import subprocess
import sys
import time

import _common as C

ALL = ("copy", "pipeline", "rules", "fast", "cli", "rg")


# A line rule matches a line's whole core: the line less outer blanks and one list mark.
CORE = r"^\s*(?:(?:[*+\-•·▪◦‣>]|[0-9]+[.)])\s+)?(?:{})\s*$"
PROBE_BYTES = 256 * 1024
PROBE_SECONDS = 0.25  # one pattern alone on the probe; the usual is ~0.02 s
RG_MAX_SECONDS = 60  # skip rg when one run of the combined patterns would take longer


def rg_task(path, cpu):
    """(argv, note) for the rg comparison, or (None, note) when it cannot run.

    Line patterns are anchored as the engine anchors them; span patterns are searched anywhere;
    case-sensitive rules keep their case with (?-i:...); \\b becomes ASCII (?-u:\\b), since a
    Unicode word boundary turns rg's DFA off on non-ASCII text. Each pattern is first run alone
    on the corpus's first 256 KB: some `regex` syntax is refused by rg, and large bounded
    repeats over Unicode classes ([\\w ]{0,40}) make it crawl; both kinds are left out.
    """
    rg = shutil.which("rg")
    if not rg:
        return None, "rg: skipped (ripgrep is not installed)"
    rows = C.run_child("patterns", "-", cpu)["patterns"]
    if not rows:
        return None, "rg: skipped (the built-in rules have no patterns)"
    probe = C.CACHE / "rg-probe.txt"
    probe.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "rb") as f:
        probe.write_bytes(f.read(PROBE_BYTES))
    base = [rg, "--no-config", "-i"]

    def run(args, timeout):
        """rg's exit status on the probe, or None if it ran past timeout."""
        try:
            return subprocess.run(base + args + [str(probe)], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            return None

    keep, bad, slow = [], 0, 0
    for kind, case_sensitive, pat in rows:
        p = (CORE.format(pat) if kind == "line" else pat).replace(r"\b", r"(?-u:\b)")
        p = f"(?-i:{p})" if case_sensitive else p
        status = run(["-e", p], PROBE_SECONDS)
        bad += status == 2
        slow += status is None
        if status in (0, 1):
            keep.append(p)
    f = C.CACHE / "rg-patterns.txt"
    f.write_text("\n".join(keep) + "\n", encoding="utf-8")
    note = (f"rg: {len(keep)} of {len(rows)} patterns ({bad} refused by rg's syntax, {slow} over "
            f"{PROBE_SECONDS:g} s alone on a {PROBE_BYTES // 1024} KB probe; list in {f})")
    if not keep:
        return None, note + ": skipped"
    limit = RG_MAX_SECONDS * PROBE_BYTES / path.stat().st_size
    t0 = time.perf_counter()
    if run(["-v", "-f", str(f)], limit) is None:
        return None, note + (f": skipped, combined they run under {PROBE_BYTES / C.MB / limit:.2f} MB/s "
                             f"on the probe (one run would take over {RG_MAX_SECONDS} s)")
    probe_mbs = PROBE_BYTES / C.MB / (time.perf_counter() - t0)
    return base + ["-v", "-f", str(f), str(path)], note + f"; {probe_mbs:.1f} MB/s on the probe"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=float, default=100, help="corpus size in MB (default 100)")
    ap.add_argument("--corpus", type=str, default=None,
                    help="corpus file, made if missing or smaller than --size "
                         "(default /tmp/scrapeclean-bench/corpus-<MB>MB.txt)")
    ap.add_argument("--seed", type=int, default=1, help="gen_corpus.py seed (default 1)")
    ap.add_argument("--only", default=",".join(ALL),
                    help=f"comma-separated subset of {','.join(ALL)} (the copy loop always runs)")
    ap.add_argument("--json", metavar="FILE", help="also save the results as JSON")
    C.add_common_args(ap, runs=5)
    args = ap.parse_args()
    C.positive_runs(args)
    only = set(args.only.split(",")) | {"copy"}
    if only - set(ALL):
        C.die(f"--only: unknown {','.join(sorted(only - set(ALL)))} (choose from {','.join(ALL)})")

    path = C.ensure_corpus(args.corpus, args.size, args.shared, args.seed)
    nbytes = path.stat().st_size
    cpu = args.cpu
    notes = []
    if only & {"pipeline", "rules", "fast", "cli", "rg"}:
        C.check_engine()
    cli = C.cli_command(args.cli)

    tasks = [("copy loop (baseline)", lambda: C.run_child("copy", path, cpu))]
    if "pipeline" in only:
        tasks.append(("pipeline (clean_binary)", lambda: C.run_child("pipeline", path, cpu)))
    if "rules" in only:
        tasks.append(("rules only (no heuristics)", lambda: C.run_child("rules", path, cpu)))
    if "fast" in only:
        try:
            import hyperscan  # noqa: F401
        except ImportError:
            notes.append("fast: skipped (hyperscan is not installed: pip install 'scrapeclean[fast]')")
        else:
            tasks.append(("pipeline, --engine fast", lambda: C.run_child("pipeline-fast", path, cpu)))
            tasks.append(("rules only, --engine fast", lambda: C.run_child("rules-fast", path, cpu)))
    if "cli" in only:
        tasks.append(("cli (scrapeclean FILE)", lambda: {"seconds": C.wall(cli + [str(path)], cpu)}))
    if "rg" in only:
        rg, note = rg_task(path, cpu)
        notes.append(note)
        if rg:
            tasks.append(("rg (rules' patterns)", lambda: {"seconds": C.wall(rg, cpu)}))

    print(f"input: {C.describe_input(path)}")
    print(f"runs: {args.runs} of each, interleaved; {C.pin_note(cpu)}", flush=True)
    if "cli" in only:
        print(f"cli: {' '.join(cli)}")
    samples = C.interleaved(tasks, args.runs)

    results = {}
    for name, runs in samples.items():
        mbs = [nbytes / C.MB / r["seconds"] for r in runs]
        results[name] = {"seconds": [r["seconds"] for r in runs], "mb_s": mbs,
                         "median_mb_s": C.median(mbs), "min_mb_s": min(mbs), "max_mb_s": max(mbs)}
    base = results["copy loop (baseline)"]["median_mb_s"]
    for r in results.values():
        r["ratio_to_copy"] = r["median_mb_s"] / base

    pipe = samples.get("pipeline (clean_binary)")
    if pipe:
        loads = [r["load_seconds"] * 1000 for r in pipe]
        print(f"rules: {pipe[0]['rules']} built-in; load_rules() and a warm-up on the file's first 64 KB "
              f"median {C.median(loads):.1f} ms (min {min(loads):.1f}, max {max(loads):.1f}), not counted in the MB/s")
    for note in notes:
        print(note)
    print()
    print(f"{'name':<26} {'median MB/s':>11} {'min':>8} {'max':>8}  {'vs copy loop':>24}")
    for name, r in results.items():
        ratio = r["ratio_to_copy"]
        rel = "baseline" if name.startswith("copy") else \
            (f"{1 / ratio:.1f}x slower" if ratio < 1 else f"{ratio:.1f}x faster")
        print(f"{name:<26} {r['median_mb_s']:>11.1f} {r['min_mb_s']:>8.1f} {r['max_mb_s']:>8.1f}  "
              f"{ratio:>8.3f} ({rel:>13})")

    if args.json:
        data = {"input": {"path": str(path), "bytes": nbytes}, "runs": args.runs,
                "pinning": C.pin_note(cpu), "cli": cli, "notes": notes, "results": results}
        if pipe:
            data["rules"] = pipe[0]["rules"]
            data["rule_load_ms"] = [r["load_seconds"] * 1000 for r in pipe]
        C.write_json(args.json, data)


if __name__ == "__main__":
    sys.exit(main())
