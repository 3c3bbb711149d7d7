"""Batch cleaning on a Dask cluster: `scrapeclean batch SRC --out DEST --scheduler tcp://HOST:PORT`,
and `clean_bag` for Dask bags of page texts. Optional: `pip install 'scrapeclean[dask]'`
(which also provides the `dask` command: `dask scheduler`, `dask worker`).

**The batch backend** runs exactly the local batch (`batch.run_batch`: the same checks, file
selection, journal, reports, messages and exit statuses); only the cleaning of the files is
sent to the cluster instead of local worker processes. Each task cleans a chunk of files with
the same per-file function as the local workers (`batch._clean_one`), so every output is byte
for byte what the local batch (and `scrapeclean FILE`) writes, and returns the same small
results (status, statistics, removal counts, error) to this process, which names failures on
stderr, keeps the journal and the reports, and exits as the local batch does.

- **Shared filesystem**: SRC, DEST and any `--rules` paths are local paths that must mean the
  same files on every worker (NFS, a cluster filesystem, or a cluster on one machine). Workers
  must run the same scrapeclean version and rules: each worker checks the run's fingerprint
  (version, code, effective rules, options) before cleaning anything, and a mismatch stops the
  run (exit 4) instead of writing different outputs.
- **Atomic outputs wherever the task runs**: each output is written to a hidden temporary file
  beside its target, fsync'd and renamed over it (`fileio.atomic_output`), on the worker.
- **A worker killed mid-run** (kill -9, out of memory, a lost machine) loses or corrupts
  nothing: the scheduler runs its unfinished tasks again on the other workers; a task is
  idempotent (same input -> same output bytes, renamed into place), so a file cleaned twice is
  the same file. Temporaries a killed worker left behind are removed when the run ends. If the
  scheduler gives up on a task (its workers kept dying: `distributed.scheduler.allowed-failures`)
  the run stops with exit status 4, as the local batch does when a worker process dies;
  outputs written so far are complete and a re-run finishes the rest.
- Not reachable scheduler, or Dask not installed: a one-line message, exit status 2.
- Workers are best started with one thread each (`dask worker ADDR --nworkers N --nthreads 1`):
  cleaning is CPU-bound Python code.

**Dask bags** (Python API)::

    import dask.bag as db
    from cleaner.dask_backend import clean_bag

    pages = db.from_sequence(texts, npartitions=64)          # a bag of page texts (str)
    clean = clean_bag(pages, rules_paths=["my-rules/"], options=Options(site="none"))
    clean.to_textfiles("s3://bucket/clean/*.txt")            # or .compute(), ...

`clean_bag` maps `clean_text` over the bag with `map_partitions`, so the rules are loaded once
per partition (and cached per worker thread); each element becomes its clean text, exactly as
`scrapeclean` cleans that page. The rule files must be readable where the tasks run.
"""
from __future__ import annotations

import contextlib
import os
import threading
import uuid
from typing import Iterable, Iterator, Sequence

from .errors import OutputError, UsageError

INSTALL_HINT = "pip install 'scrapeclean[dask]'"
CONNECT_TIMEOUT = 10  # seconds to reach the scheduler


def _import_distributed():
    try:
        import distributed
    except ImportError:
        raise UsageError(f"--scheduler: the Dask backend is not installed ({INSTALL_HINT})") from None
    return distributed


def connect(address: str):
    """A `distributed.Client` for the scheduler at `address`, or a UsageError (exit 2)."""
    distributed = _import_distributed()
    if not address or "://" not in address and ":" not in address:
        raise UsageError(f"--scheduler {address}: give the scheduler's address, e.g. tcp://HOST:8786")
    if address.startswith("tcp://"):  # a refused connection fails now, not after the timeout
        import socket

        host, _, port = address[len("tcp://"):].rstrip("/").rpartition(":")
        try:
            socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_TIMEOUT).close()
        except ValueError:
            raise UsageError(f"--scheduler {address}: give the scheduler's address, e.g. tcp://HOST:8786") from None
        except OSError as e:
            raise UsageError(f"--scheduler {address}: cannot reach the Dask scheduler ({e.strerror or e})") from None
    try:
        return distributed.Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as e:
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise UsageError(f"--scheduler {address}: cannot reach the Dask scheduler ({reason})") from None


def run_batch_dask(req, error, warn, scheduler: str) -> int:
    """`scrapeclean batch ... --scheduler ADDR`: the local batch run, cleaning on the cluster."""
    from . import batch, remote

    req = remote.file_urls_as_paths(req)
    if remote.uses_urls(req):  # fsspec URLs as SRC or DEST: `remote.py`
        _import_distributed()
        remote.check(req)  # before reaching the cluster: refusals and missing packages are exit 2
        client = connect(scheduler)
        try:
            return remote.run_batch(req, error, warn, client)
        finally:
            with contextlib.suppress(Exception):
                client.close(timeout=5)
    if req.learn and not req.learn_to:
        raise UsageError("--learn with --scheduler: give --learn-to FOLDER on the filesystem the Dask workers share "
                         "(they load the learned rules from there)")
    _import_distributed()  # before anything is read or written
    batch._check_request(req)
    client = connect(scheduler)
    try:
        return batch.run_batch(req, error, warn, results=lambda jobs, workers, setup: _results(client, jobs, setup))
    finally:
        with contextlib.suppress(Exception):
            client.close(timeout=5)


# --- on the client --------------------------------------------------------------------------

def _results(client, jobs: list, setup) -> Iterator[dict]:
    """Run `batch._clean_one` over the jobs on the cluster, in chunks; yield results as they come."""
    from . import batch

    if not jobs:
        return
    # Workers have their own current folder: send absolute paths, and name files in messages as
    # the user wrote them, as the local batch does.
    given = {}
    shipped = []
    for index, src, out, expect_hash in jobs:
        given[index] = (os.path.abspath(src), src)
        shipped.append((index, os.path.abspath(src), out and os.path.abspath(out), expect_hash))
    for res in _run_tasks(client, shipped, setup, _clean_chunk_task):
        yield _as_given(res, *given[res["index"]])
    if setup.mode != "check":  # temporaries left by workers that were killed mid-write
        entries = [batch.Entry(i, src, "", out) for i, src, out, _ in jobs]
        batch._sweep_temporaries(entries, setup.backup if setup.mode == "in-place" else None)


def _run_tasks(client, shipped: list, setup, task) -> Iterator[dict]:
    """Submit `task(chunk, setup, fingerprint)` over chunks of the shipped jobs (each starting
    with its index); yield the per-file results as tasks finish. Shared with `remote.py`,
    whose jobs and task read and write URLs."""
    from distributed import KilledWorker, as_completed
    from distributed.client import FutureCancelledError

    from . import batch
    from .rules.load import load_rules

    if not shipped:
        return
    rules = load_rules(setup.rule_paths, builtin=not setup.no_builtin, select=setup.select, ignore=setup.ignore)
    fp = batch.fingerprint(rules, setup.options)
    try:
        threads = max(1, sum(client.nthreads().values()))
    except Exception:
        threads = 1
    size = max(1, min(64, len(shipped) // (threads * 8)))
    chunks = [shipped[i:i + size] for i in range(0, len(shipped), size)]
    run = uuid.uuid4().hex[:12]
    futures = [client.submit(task, chunk, setup, fp, key=f"scrapeclean-{run}-{i}", pure=False, retries=0)
               for i, chunk in enumerate(chunks)]
    finished = False
    try:
        for future in as_completed(futures, loop=client.loop):
            try:
                results = future.result()
            except _Mismatch as e:
                raise OutputError(str(e)) from None
            except Exception as e:
                if isinstance(e, (KilledWorker, FutureCancelledError)):
                    raise OutputError("Dask workers died running the cleaning (out of memory? killed?); every output "
                                      "written so far is complete: run the same command again to finish") from None
                raise OutputError(f"the Dask cluster failed a task ({type(e).__name__}: {e}); every output written so far "
                                  "is complete: run the same command again to finish") from None
            yield from results
        finished = True
    finally:
        if not finished:  # stopped early (Ctrl-C, an output error): cancel what is queued
            with contextlib.suppress(Exception):
                client.cancel(futures)


def _as_given(res: dict, absolute: str, src: str) -> dict:
    if absolute != src:
        def fix(message):
            return src + message[len(absolute):] if message and message.startswith(absolute + ":") else message
        res["error"] = fix(res.get("error"))
        res["warnings"] = [fix(w) for w in res.get("warnings") or ()]
    return res


# --- on the workers -------------------------------------------------------------------------

class _Mismatch(Exception):
    """A worker would clean differently (other scrapeclean version, code or rules)."""


_local = threading.local()


def _worker_for(setup, fp: str):
    """This thread's `batch._Worker` for `setup` (rules loaded once), checked against `fp`."""
    from . import batch

    key = (repr(setup), fp)
    cache = getattr(_local, "workers", None)
    if cache is None:
        cache = _local.workers = {}
    w = cache.get(key)
    if w is None:
        w = batch._Worker(setup)
        mine = batch.fingerprint(w.rules, setup.options)
        if mine != fp:
            import socket

            raise _Mismatch(f"the Dask worker on {socket.gethostname()} would clean differently (another scrapeclean "
                            "version, code or rule files than this one): install the same version there, and put "
                            "--rules files on a shared path")
        cache.clear()  # one run at a time per thread
        cache[key] = w
    return w


def _clean_chunk_task(chunk: list, setup, fp: str) -> list[dict]:
    """One Dask task: clean a chunk of files exactly as the local batch workers do."""
    from . import batch

    w = _worker_for(setup, fp)
    return [batch._clean_one(job, w) for job in chunk]


# --- Dask bags ------------------------------------------------------------------------------

def _bag_rules(rules_paths: tuple, select: tuple, ignore: tuple, no_builtin: bool):
    cache = getattr(_local, "bag_rules", None)
    if cache is None:
        cache = _local.bag_rules = {}
    key = (rules_paths, select, ignore, no_builtin)
    rules = cache.get(key)
    if rules is None:
        from .rules.load import load_rules

        rules = cache[key] = load_rules(rules_paths, builtin=not no_builtin, select=select, ignore=ignore)
    return rules


def _clean_partition(texts: Iterable[str], rules_paths: tuple, select: tuple, ignore: tuple, no_builtin: bool,
                     options) -> list[str]:
    from .pipeline import clean_text

    rules = _bag_rules(rules_paths, select, ignore, no_builtin)
    return [clean_text(t, rules, options) for t in texts]


def clean_bag(bag, rules_paths: Sequence[str | os.PathLike] = (), options=None, *, select: Sequence[str] = (),
              ignore: Sequence[str] = (), no_builtin: bool = False):
    """A Dask bag of page texts (str) -> a bag of their clean texts, in the same order.

    `rules_paths`, `select`, `ignore`, `no_builtin` are those of `load_rules` (the built-in
    rules plus yours, filtered); `options` an `Options` (default: the CLI's defaults). The rules
    are loaded once per partition (cached per worker thread), not once per page."""
    from .options import Options

    return bag.map_partitions(
        _clean_partition, tuple(str(p) for p in rules_paths), tuple(select), tuple(ignore), bool(no_builtin),
        options if options is not None else Options())
