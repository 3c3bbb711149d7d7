"""`scrapeclean batch URL... --out URL --scheduler`: fsspec URLs on a real local Dask cluster.

The filesystem is `sctest://` (tests/sctest_fs.py): fsspec's DirFileSystem over a tmp folder
under a protocol of its own, declared as an fsspec plug-in (an `fsspec.specs` entry point in a
`.dist-info` folder on PYTHONPATH), so that this test, the CLI process and every Dask worker
process find it, as they would find s3fs. scrapeclean knows nothing of it, so it takes the
general road: listing through fsspec, pages copied to the worker, outputs uploaded under a
temporary name and renamed. No network.

Skipped only when Dask is not installed and not in CI (CI installs `.[test]`, which has it)."""
from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, SEED_PAGES, assert_no_traceback, cli_env, run_cli_many

HAVE_DASK = importlib.util.find_spec("distributed") is not None
if not HAVE_DASK and not os.environ.get("CI"):
    pytest.skip("Dask is not installed (pip install '.[dask]')", allow_module_level=True)

from test_dask import N_PAGES, Cluster, _free_port, _make_tree, _outputs  # noqa: E402

PROTOCOL = "sctest"


def _plugin_env(tmp: Path, root: Path) -> dict:
    """Environment that registers `sctest://` (rooted at `root`) in every Python process."""
    plug = tmp / "plugin"
    info = plug / "sctest_fs-0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: sctest-fs\nVersion: 0\n")
    (info / "entry_points.txt").write_text(f"[fsspec.specs]\n{PROTOCOL} = sctest_fs:SharedTestFileSystem\n")
    shutil.copyfile(Path(__file__).with_name("sctest_fs.py"), plug / "sctest_fs.py")
    return {"PYTHONPATH": os.pathsep.join([str(plug), str(REPO)]), "SCRAPECLEAN_TEST_FS_ROOT": str(root)}


def _without_journal(outputs: dict) -> dict:
    return {k: v for k, v in outputs.items() if not k.startswith(".scrapeclean-journal")}


class Setup:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.root = tmp / "fsroot"  # what sctest:// names
        self.src = _make_tree(self.root)  # fsroot/src: N_PAGES pages, seeds, a CRLF page, a binary one, a hidden one
        self.env = _plugin_env(tmp, self.root)
        # the reference: the local batch over the same tree (local worker processes)
        self.local = tmp / "local"
        proc = self.run("batch", self.src, "--out", self.local, "-j", "2")
        self.local_code, self.local_err = proc.returncode, proc.stderr.decode("utf-8", "replace")
        assert self.local_code == 3 and "image.txt" in self.local_err

    def command(self, *args) -> list[str]:
        return [sys.executable, "-m", "cleaner", *map(str, args)]

    def run(self, *args, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(self.command(*args), capture_output=True, env=cli_env(self.env), cwd=str(REPO),
                              timeout=timeout)

    def failures(self, err: str, prefix: str) -> list[str]:
        """The lines naming image.txt, with `prefix` (the SRC as given) put back to the local one."""
        return sorted(line.replace(prefix, str(self.src)) for line in err.splitlines() if "image.txt" in line)


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    if not HAVE_DASK:
        pytest.fail("CI must run the Dask tests: install '.[test]' (it includes dask[distributed] and fsspec)")
    return Setup(tmp_path_factory.mktemp("dask-fsspec"))


@pytest.fixture(scope="module")
def url_cluster(setup, tmp_path_factory):
    c = Cluster(tmp_path_factory.mktemp("dask-fsspec-cluster"), env=setup.env)
    try:
        yield c
    finally:
        c.close()


def test_url_batch_equals_local(setup, url_cluster):
    """sctest:// to sctest://, a re-run, and both mixed forms: outputs byte for byte the local
    batch's; the binary page named (by its URL) with the local reason, exit 3."""
    s, address = setup, url_cluster.address
    proc = s.run("batch", f"{PROTOCOL}://src/", "--out", f"{PROTOCOL}://out/", "--scheduler", address)
    err = proc.stderr.decode("utf-8", "replace")
    assert_no_traceback(err)
    assert proc.returncode == s.local_code, err + url_cluster.log_text()
    out = s.root / "out"
    assert _without_journal(_outputs(out)) == _outputs(s.local)
    assert len(_outputs(s.local)) == N_PAGES + len(SEED_PAGES) + 1
    assert f"scrapeclean: {PROTOCOL}://src/image.txt: " in err
    assert s.failures(err, f"{PROTOCOL}://src") == s.failures(s.local_err, str(s.src))
    assert not [p for p in out.rglob("*.part")]

    # a re-run skips everything (the journal is in DEST: object stores cannot append to a file)
    again = s.run("batch", f"{PROTOCOL}://src/", "--out", f"{PROTOCOL}://out/", "--scheduler", address)
    err = again.stderr.decode()
    assert again.returncode == s.local_code, err
    assert f"{N_PAGES + len(SEED_PAGES) + 1:,} up to date" in err

    # a URL into a local folder (given as a file:// URL), and a local folder into a URL
    to_local = s.tmp / "to-local"
    mixed = s.run("batch", f"{PROTOCOL}://src", "--out", f"file://{to_local}", "--scheduler", address)
    assert mixed.returncode == s.local_code, mixed.stderr.decode()
    assert _without_journal(_outputs(to_local)) == _outputs(s.local)
    mixed = s.run("batch", s.src, "--out", f"{PROTOCOL}://from-local", "--scheduler", address)
    assert mixed.returncode == s.local_code, mixed.stderr.decode()
    assert _without_journal(_outputs(s.root / "from-local")) == _outputs(s.local)


def test_url_batch_survives_a_killed_worker(setup, tmp_path):
    cluster = Cluster(tmp_path, env=setup.env)
    try:
        out = setup.root / "killed-out"
        proc = subprocess.Popen(setup.command("batch", f"{PROTOCOL}://src/", "--out", f"{PROTOCOL}://killed-out/",
                                              "--scheduler", cluster.address),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli_env(setup.env), cwd=str(REPO))
        victim = cluster.workers[0]
        deadline = time.monotonic() + 60
        killed_at = None
        try:
            while time.monotonic() < deadline and proc.poll() is None:
                done = sum(1 for _ in out.rglob("page*.txt")) if out.exists() else 0
                if done >= N_PAGES // 8:
                    victim.send_signal(signal.SIGKILL)
                    killed_at = done
                    break
                time.sleep(0.02)
            _, err = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        err = err.decode("utf-8", "replace")
        assert killed_at is not None and killed_at < N_PAGES, f"the run ended before a worker could be killed\n{err}"
        assert victim.wait(5) == -signal.SIGKILL
        assert proc.returncode == setup.local_code, err + cluster.log_text()
        assert _without_journal(_outputs(out)) == _outputs(setup.local)  # all there, identical
        assert not [p for p in out.rglob("*.part")]  # the killed worker's temporaries are gone
    finally:
        cluster.close()


def _missing_filesystem_package() -> tuple[str, str]:
    """A URL scheme fsspec knows whose package is not installed here: (scheme, package)."""
    for scheme, package in (("s3", "s3fs"), ("gcs", "gcsfs"), ("abfs", "adlfs"), ("oci", "ocifs"), ("hf", "huggingface_hub")):
        if importlib.util.find_spec(package) is None:
            return scheme, package
    pytest.fail("every candidate filesystem package is installed: add one that is not")


def test_missing_filesystem_package_is_one_line(tmp_path):
    scheme, package = _missing_filesystem_package()
    unreachable = f"tcp://127.0.0.1:{_free_port()}"  # refused before the cluster is reached
    calls = [("batch", f"{scheme}://bucket/raw/", "--out", f"{scheme}://bucket/clean/", "--scheduler", unreachable),
             ("batch", f"{scheme}://bucket/raw/", "--out", tmp_path / "out", "--scheduler", unreachable),
             ("batch", tmp_path, "--out", f"{scheme}://bucket/clean/", "--scheduler", unreachable)]
    for code, _, err in run_cli_many(*calls, workers=2):
        assert code == 2, err
        lines = err.strip().splitlines()
        assert len(lines) == 1 and f"pip install {package}" in lines[0] and f"{scheme}://bucket/" in lines[0], err
    assert not (tmp_path / "out").exists()


def test_url_refusals_are_one_line(tmp_path):
    """What URL runs do not do is refused before anything is read, written or connected."""
    src = _make_tree(tmp_path, 2)
    sched = ("--scheduler", f"tcp://127.0.0.1:{_free_port()}")
    cases = {
        "fsspec URLs are cleaned on a Dask cluster only": ("batch", "s3://bucket/raw/", "--out", tmp_path / "o"),
        "--in-place with s3://bucket/raw/": ("batch", "s3://bucket/raw/", "--in-place", *sched),
        "--learn with s3://bucket/raw/": ("batch", "s3://bucket/raw/", "--out", "s3://bucket/c/", "--learn", *sched),
        "--files-from with": ("batch", "s3://bucket/raw/", "--out", tmp_path / "o", "--files-from", "-", *sched),
        "--report-html s3://bucket/a.html: URLs are taken for SRC and DEST only":
            ("batch", src, "--out", "s3://bucket/c/", "--report-html", "s3://bucket/a.html", *sched),
        "is inside SRC s3://bucket/raw": ("batch", "s3://bucket/raw", "--out", "s3://bucket/raw/clean", *sched),
        "a chained URL cannot be written to": ("batch", src, "--out", "simplecache::s3://bucket/c/", *sched),
    }
    results = run_cli_many(*cases.values(), workers=2)
    for (expected, call), (code, _, err) in zip(cases.items(), results):
        assert code == 2, (call, err)
        assert len(err.strip().splitlines()) == 1 and expected in err, (call, err)
    assert not (tmp_path / "o").exists()


# --- writing an output: never partial (in this process, fsspec's memory filesystem) -------

def test_upload_leaves_no_partial_output():
    from fsspec.implementations.memory import MemoryFileSystem

    from cleaner import remote

    class Failing(MemoryFileSystem):
        """Writes half of the file, then the connection drops."""
        protocol = ("failing-memory",)

        def put_file(self, lpath, rpath, **kwargs):
            with open(lpath, "rb") as f:
                data = f.read()
            self.pipe_file(rpath, data[: len(data) // 2])
            raise ConnectionError("connection reset")

    class FailingStore(Failing):
        protocol = ("s3",)  # an object store: the upload goes to the target itself

    with __import__("tempfile").NamedTemporaryFile() as local:
        local.write(b"clean text\n" * 100)
        local.flush()
        for cls in (Failing, FailingStore):
            fs = cls(skip_instance_cache=True)
            fs.store.clear()
            fs.pipe_file("/dest/d/page.txt", b"the previous output\n")
            with pytest.raises(ConnectionError):
                remote.upload(fs, local.name, "/dest/d/page.txt")
            left = fs.find("/dest")
            if cls is Failing:  # temporary then rename: the old output is untouched, the temporary gone
                assert left == ["/dest/d/page.txt"] and fs.cat_file("/dest/d/page.txt") == b"the previous output\n"
            else:  # a partial object the store might have committed is removed
                assert left == []
        fs = MemoryFileSystem(skip_instance_cache=True)
        remote.upload(fs, local.name, "/dest/ok/page.txt")
        assert fs.find("/dest/ok") == ["/dest/ok/page.txt"] and fs.cat_file("/dest/ok/page.txt") == b"clean text\n" * 100
