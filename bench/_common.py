"""Helpers shared by the bench scripts: statistics, interleaved timing, inputs, children.

Standard library only. Sizes are decimal: 1 MB = 1,000,000 bytes.
"""
import argparse
import os
import random
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
CHILD = BENCH / "_child.py"
SEED_PAGE = REPO / "fixtures" / "seeds" / "000_096e1c0bc3ef6c87.txt"
CACHE = Path("/tmp/scrapeclean-bench")
MB = 1_000_000


def die(msg):
    """One-line message on stderr, exit status 2."""
    print(f"{Path(sys.argv[0]).name}: {msg}", file=sys.stderr)
    sys.exit(2)


# ---------- statistics ----------

def median(xs):
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def percentile(xs, p):
    """Nearest-rank percentile (p in 0..100)."""
    s = sorted(xs)
    k = max(0, min(len(s) - 1, -(-p * len(s) // 100) - 1))
    return s[int(k)]


def interleaved(tasks, runs):
    """Run each task once per round, A B C A B C ..., so machine noise hits all alike.

    tasks: list of (name, fn); fn() returns a number or dict (one sample).
    Returns {name: [sample, ...]} in task order.
    """
    out = {name: [] for name, _ in tasks}
    for _ in range(runs):
        for name, fn in tasks:
            out[name].append(fn())
    return out


def human_size(n):
    if n < MB:
        return f"{n / 1000:,.1f} KB ({n:,} bytes)"
    return f"{n / MB:,.1f} MB ({n:,} bytes)"


def describe_input(path):
    path = Path(path)
    return f"{path}  {human_size(path.stat().st_size)}"


# ---------- common options ----------

def add_common_args(ap, runs, cli=True):
    ap.add_argument("--runs", "-n", type=int, default=runs, help=f"runs of each command (default {runs})")
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared",
                    help="the shared/ folder (tools/gen_corpus.py, bench-dev/); default <repo>/../shared")
    if cli:
        ap.add_argument("--cli", default=None,
                        help="command that runs scrapeclean (default: the scrapeclean entry point beside "
                             "this Python, else on PATH, else '<python> -m cleaner')")
    ap.add_argument("--cpu", type=int, default=None,
                    help="core to pin children to (default: the last one allowed); -1 = do not pin")


def positive_runs(args):
    if args.runs < 1:
        die("--runs must be at least 1")


# ---------- child processes ----------

def child_env():
    """Environment for children: the working tree's cleaner/ comes first on the path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    return env


def pin_fn(cpu):
    """preexec_fn pinning a child to one core, or None where that is not possible/wanted."""
    if cpu == -1 or not hasattr(os, "sched_setaffinity"):
        return None
    core = cpu if cpu is not None else max(os.sched_getaffinity(0))
    return lambda: os.sched_setaffinity(0, {core})


def pin_note(cpu):
    if cpu == -1:
        return "not pinned (--cpu -1)"
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no os.sched_setaffinity here)"
    return f"children pinned to core {cpu if cpu is not None else max(os.sched_getaffinity(0))}"


def cli_command(spec=None):
    """argv list that runs scrapeclean."""
    if spec:
        return shlex.split(spec)
    beside = Path(sys.executable).parent / "scrapeclean"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("scrapeclean")
    if found:
        return [found]
    return [sys.executable, "-m", "cleaner"]


def interpreter_of(argv):
    """The Python that runs argv: argv[0] itself, or the entry-point script's shebang."""
    first = Path(argv[0])
    if first.name.startswith("python"):
        return str(first)
    try:
        with open(first, "rb") as f:
            line = f.readline().decode("utf-8", "replace").strip()
    except OSError:
        line = ""
    if line.startswith("#!"):
        parts = shlex.split(line[2:])
        if parts and Path(parts[0]).name == "env" and len(parts) > 1:
            return shutil.which(parts[1]) or parts[1]
        if parts:
            return parts[0]
    return sys.executable


def check_engine():
    """Exit with a one-line message unless `cleaner.pipeline` imports in a child."""
    r = subprocess.run([sys.executable, "-c", "import cleaner.pipeline"], env=child_env(),
                       capture_output=True, text=True)
    if r.returncode:
        last = (r.stderr.strip().splitlines() or ["?"])[-1]
        die(f"cannot import cleaner.pipeline from {REPO} ({last})")


def wall(argv, cpu, stdin_path=None, env=None):
    """Wall seconds of one fresh child, stdout to /dev/null; dies if it fails."""
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    try:
        t0 = time.perf_counter()
        r = subprocess.run(argv, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           env=env or child_env(), preexec_fn=pin_fn(cpu))
        t = time.perf_counter() - t0
    finally:
        if stdin_path:
            stdin.close()
    if r.returncode:
        last = (r.stderr.decode("utf-8", "replace").strip().splitlines() or [""])[-1]
        die(f"{shlex.join(argv)} exited {r.returncode}: {last}")
    return t


def run_child(mode, path, cpu, *extra):
    """Run bench/_child.py MODE PATH in a fresh pinned child; returns the dict it prints."""
    import json
    argv = [sys.executable, str(CHILD), mode, str(path), *extra]
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=child_env(), preexec_fn=pin_fn(cpu))
    if r.returncode:
        last = (r.stderr.decode("utf-8", "replace").strip().splitlines() or [""])[-1]
        die(f"_child.py {mode} exited {r.returncode}: {last}")
    return json.loads(r.stdout)


# ---------- inputs ----------

def gen_corpus_script(shared):
    script = Path(shared) / "tools" / "gen_corpus.py"
    if not script.is_file():
        die(f"{script} not found: pass --shared DIR (the folder holding tools/gen_corpus.py; "
            f"default <repo>/../shared), or --corpus FILE pointing at an existing corpus")
    return script


def ensure_corpus(path, mb, shared, seed=1):
    """Reuse path if it holds at least mb MB, else write it with shared/tools/gen_corpus.py."""
    path = Path(path) if path else CACHE / f"corpus-{mb:g}MB.txt"
    want = int(mb * MB)
    if path.is_file() and path.stat().st_size >= want:
        return path
    script = gen_corpus_script(shared)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    print(f"generating {path} ({mb:g} MB) with {script} ...", file=sys.stderr, flush=True)
    r = subprocess.run([sys.executable, str(script), str(tmp), str(want), str(seed)])
    if r.returncode or not tmp.is_file():
        die(f"{script} failed (exit {r.returncode})")
    os.replace(tmp, path)  # never leave a half-written corpus under the cached name
    return path


WORDS = ("the of and to in a is that for on was with said as by it at from his an were are "
         "which this be has have but not or government minister Berlin Kyiv NATO report "
         "Düsseldorf Kraków São Paulo Zaporizhzhia €900 million — “quoted” naïve café").split()


def ensure_long_line(path, mb, seed=1):
    """A single line of exactly mb MB with no newline, streamed to disk 64 KiB at a time."""
    path = Path(path) if path else CACHE / f"line-{mb:g}MB.txt"
    want = int(mb * MB)
    if path.is_file() and path.stat().st_size == want:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    rnd = random.Random(seed)
    print(f"generating {path} ({mb:g} MB, one line) ...", file=sys.stderr, flush=True)
    with open(tmp, "wb") as f:
        left = want
        while left > 0:
            chunk = (" ".join(rnd.choices(WORDS, k=8192)) + " ").encode("utf-8")
            if len(chunk) > left:
                # cut on a space so no UTF-8 sequence is split; pad with spaces
                chunk = chunk[:left]
                chunk = chunk[:chunk.rfind(b" ") + 1].ljust(left, b" ")
            f.write(chunk)
            left -= len(chunk)
    os.replace(tmp, path)
    return path


def write_json(path, data):
    import json
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2)
        f.write("\n")
    print(f"results saved to {path}")
