"""`scrapeclean batch --scheduler`: the Dask backend, on a real local cluster (a `dask scheduler`
and two `dask worker` processes on the loopback interface, started here as subprocesses).
Outputs must be byte for byte those of the local batch, failures reported the same way, and a
worker killed (SIGKILL) mid-run must lose or corrupt nothing. Plus the Dask bag entry point.

Skipped only when Dask is not installed and not in CI (CI installs `.[test]`, which has it)."""
from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, SEED_PAGES, cli_env, run_cli

HAVE_DASK = importlib.util.find_spec("distributed") is not None
if not HAVE_DASK and not os.environ.get("CI"):
    pytest.skip("Dask is not installed (pip install '.[dask]')", allow_module_level=True)

BINARY = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
N_PAGES = 300
START_TIMEOUT = 30


def _page(i: int) -> str:
    """A small generated page: furniture the rules and heuristics remove around a few sentences
    (every 40th page also carries a real seed page)."""
    seed = SEED_PAGES[i % len(SEED_PAGES)].read_text(encoding="utf-8") if i % 40 == 0 else ""
    prose = " ".join(f"Sentence {i}.{k} tells the reader about item {k * i % 97} in plain words." for k in range(4))
    return (f"1. Skip to content\nAdvertisement\nAccept all cookies\n\nHeadline number {i}\n\n{prose}\n\n"
            f"{seed}Share on Facebook\n{prose}\n")


def _make_tree(root: Path, n: int = N_PAGES) -> Path:
    src = root / "src"
    for i in range(n):
        folder = src / f"d{i % 7}" / ("" if i % 2 else "sub")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"page{i:04d}.txt").write_text(_page(i), encoding="utf-8")
    for s in SEED_PAGES:
        shutil.copyfile(s, src / s.name)
    (src / "crlf.txt").write_bytes(_page(9999).replace("\n", "\r\n").encode("utf-8"))
    (src / "image.txt").write_bytes(BINARY)  # a failed input: named on stderr, exit 3
    (src / ".hidden.txt").write_text(_page(1), encoding="utf-8")
    return src


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _outputs(root: Path) -> dict[str, bytes]:
    return {k: v for k, v in _files(root).items() if k != ".scrapeclean-journal"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _dask_bin() -> str:
    found = Path(sys.executable).with_name("dask")
    return str(found) if found.exists() else (shutil.which("dask") or "dask")


class Cluster:
    """A scheduler and `n` single-threaded workers, each its own process (no nanny, so that a
    SIGKILL really kills a worker), all on 127.0.0.1."""

    def __init__(self, tmp: Path, n: int = 2, env: dict | None = None) -> None:
        self.port = _free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.logs = tmp / "dask-logs"
        self.logs.mkdir()
        env = cli_env(env)  # `env`: more variables for every process (test_dask_fsspec.py's plug-in)
        env["DASK_DISTRIBUTED__WORKER__DAEMON"] = "False"
        self.env = env
        self.procs: list[subprocess.Popen] = []
        self.scheduler = self._start("scheduler", [_dask_bin(), "scheduler", "--host", "127.0.0.1", "--port", str(self.port),
                                                   "--no-dashboard", "--no-show"])
        self.workers = [self._start(f"worker{i}", [_dask_bin(), "worker", self.address, "--host", "127.0.0.1",
                                                   "--nworkers", "1", "--nthreads", "1", "--no-nanny", "--no-dashboard",
                                                   "--local-directory", str(tmp / f"dask-worker{i}")])
                        for i in range(n)]
        self._wait_for_workers(n)

    def _start(self, name: str, cmd: list[str]) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "wb")
        p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=self.env,
                             cwd=str(REPO), start_new_session=True)
        log.close()
        self.procs.append(p)
        return p

    def _wait_for_workers(self, n: int) -> None:
        from distributed import Client

        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                with Client(self.address, timeout=5, set_as_default=False) as c:
                    c.wait_for_workers(n, timeout=max(1, deadline - time.monotonic()))
                    return
            except Exception:
                if time.monotonic() > deadline:
                    self.close()
                    raise RuntimeError("the local Dask cluster did not start:\n" + self.log_text())
                time.sleep(0.3)

    def log_text(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in sorted(self.logs.glob("*.log")))

    def close(self) -> None:
        for p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(3)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)


@pytest.fixture
def cluster(tmp_path):
    if not HAVE_DASK:
        pytest.fail("CI must run the Dask tests: install '.[test]' (it includes dask[distributed])")
    c = Cluster(tmp_path)
    try:
        yield c
    finally:
        c.close()


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    """The tree and the local batch's outputs, exit status and stderr: the reference."""
    root = tmp_path_factory.mktemp("dask-ref")
    src = _make_tree(root)
    code, _, err = run_cli("batch", src, "--out", root / "local", "-j", "2", timeout=120)
    return src, root / "local", code, err


def _batch_cmd(src: Path, dest: Path, address: str) -> list[str]:
    return [sys.executable, "-m", "cleaner", "batch", str(src), "--out", str(dest), "--scheduler", address]


def test_dask_batch_equals_local(cluster, local_run, tmp_path):
    src, local, local_code, local_err = local_run
    assert local_code == 3 and "image.txt" in local_err  # the binary file fails, the rest is done
    dest = tmp_path / "dask-out"
    started = time.monotonic()
    proc = subprocess.run(_batch_cmd(src, dest, cluster.address), capture_output=True, env=cli_env(), timeout=120)
    elapsed = time.monotonic() - started
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == local_code, err + cluster.log_text()
    assert _outputs(dest) == _outputs(local)
    assert len(_outputs(dest)) == N_PAGES + len(SEED_PAGES) + 1
    failures = sorted(line for line in err.splitlines() if "image.txt" in line)
    assert failures == sorted(line for line in local_err.splitlines() if "image.txt" in line)
    assert (dest / ".scrapeclean-journal").exists()
    print(f"dask batch of {N_PAGES} pages: {elapsed:.1f} s")

    # a re-run on the cluster skips everything: the journal is the local one's
    again = subprocess.run(_batch_cmd(src, dest, cluster.address), capture_output=True, env=cli_env(), timeout=120)
    assert again.returncode == local_code, again.stderr.decode()
    assert f"{N_PAGES + len(SEED_PAGES) + 1:,} up to date" in again.stderr.decode()


def test_dask_batch_survives_a_killed_worker(cluster, local_run, tmp_path):
    src, local, local_code, _ = local_run
    dest = tmp_path / "dask-out"
    proc = subprocess.Popen(_batch_cmd(src, dest, cluster.address), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=cli_env())
    victim = cluster.workers[0]
    deadline = time.monotonic() + 60
    killed_at = None
    try:
        # kill one worker once some outputs are there and most are still to do
        while time.monotonic() < deadline and proc.poll() is None:
            done = sum(1 for p in dest.rglob("page*.txt")) if dest.exists() else 0
            if done >= N_PAGES // 8:
                victim.send_signal(signal.SIGKILL)
                killed_at = done
                break
            time.sleep(0.02)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    err = err.decode("utf-8", "replace")
    assert killed_at is not None and killed_at < N_PAGES, f"the run ended before a worker could be killed\n{err}"
    assert victim.wait(5) == -signal.SIGKILL
    assert proc.returncode == local_code, err + cluster.log_text()
    assert _outputs(dest) == _outputs(local)  # all present, identical, and no temporaries left
    assert not [p for p in dest.rglob("*.part")]


def test_unreachable_scheduler_is_a_usage_error(tmp_path):
    src = _make_tree(tmp_path, 3)
    code, _, err = run_cli("batch", src, "--out", tmp_path / "out", "--scheduler", f"tcp://127.0.0.1:{_free_port()}",
                           timeout=60)
    assert code == 2
    assert "cannot reach the Dask scheduler" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_clean_bag_equals_clean_text():
    import dask
    import dask.bag as db

    from cleaner import Options, clean_text, load_rules
    from cleaner.dask_backend import clean_bag

    texts = [_page(i) for i in range(20)]
    bag = clean_bag(db.from_sequence(texts, npartitions=4), options=Options())
    with dask.config.set(scheduler="synchronous"):
        got = bag.compute()
    rules = load_rules()
    assert got == [clean_text(t, rules, Options()) for t in texts]


def test_without_dask_a_one_line_usage_error(tmp_path):
    src = _make_tree(tmp_path, 2)
    code = ("import sys; sys.modules['distributed'] = None; from cleaner.entry import main; "
            f"main(['batch', {str(src)!r}, '--out', {str(tmp_path / 'out')!r}, '--scheduler', 'tcp://127.0.0.1:8786'])")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, env=cli_env(), timeout=60)
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert err.strip().splitlines() == ["scrapeclean: --scheduler: the Dask backend is not installed (pip install 'scrapeclean[dask]')"]
    assert not (tmp_path / "out").exists()
