"""fsspec URLs as SRC and DEST of `scrapeclean batch ... --scheduler tcp://HOST:PORT`.

`scrapeclean batch s3://bucket/raw/ --out s3://bucket/clean/ --scheduler tcp://...` lists the
pages through fsspec on this machine, and each Dask task reads its pages through fsspec on its
worker, cleans them with the local batch's own per-file function (`batch._clean_one`, on a copy
of the page in the worker's scratch folder, so the bytes out are those of the local batch), and
uploads each output only once it is complete. Local paths and URLs mix freely (a URL SRC into a
local DEST, a local SRC into a URL DEST). `file://` URLs are the local paths they name,
everywhere (with or without --scheduler).

Why only with --scheduler: the local process pool forks, and forking a process that holds an
fsspec filesystem (event-loop threads, open connections) is not safe for every filesystem;
a one-machine Dask cluster does the same job (`dask scheduler` + `dask worker --nthreads 1`).

- **Selection**: every file under a SRC URL, recursively (`fs.find`), in the local walk's
  order; hidden files and folders skipped; --glob/--exclude as locally (an excluded folder
  drops everything under it). Object stores have no symlinks; --follow-symlinks has no effect.
- **Outputs appear whole or not at all**: on an object store (s3, gcs, azure, ...) an object
  is committed by the store only when its upload completes; on any other filesystem (sftp,
  hdfs, ...) the output is uploaded to a hidden `.NAME.XXXXXXXX.part` beside its target and
  renamed over it. A failed upload removes what it left (the temporary, or the target);
  temporaries of killed workers are removed when a run starts and ends.
- **Journal**: a URL run keeps its journal in DEST as a folder of JSON-lines segments
  (`.scrapeclean-journal.d/`, a new segment every few seconds: object stores cannot append),
  recording each input's size and ETag (or mtime) and each output's; a re-run skips what is up to
  date exactly as locally. A local DEST is locked as locally; a URL DEST cannot be (object
  stores have no locks): do not run two batches into one URL DEST at once.
- **Refused** (one line, exit 2): URLs without --scheduler; --in-place, --files-from and
  --learn with URLs; reports, --rules and --learn-to as URLs; a chained URL (`a::b://`) as DEST;
  a DEST inside a SRC; a filesystem whose package is missing (naming the package to install).
- Credentials come from each machine's own configuration (environment, ~/.aws, fsspec config):
  the workers open the URLs themselves.

`batch` imports `is_url` from this module, so it imports little at import time (start-up).
"""
from __future__ import annotations

import contextlib
import os
import posixpath
import re
import time
from typing import Iterator

from .errors import OutputError, UsageError

INSTALL_HINT = "pip install 'scrapeclean[dask]'"
JOURNAL_DIR = ".scrapeclean-journal.d"
_SEGMENT_LINES = 5000  # journal lines per segment at most ...
_SEGMENT_SECONDS = 10.0  # ... and a new segment at least this often while results come in
_COMPACT_SEGMENTS = 16  # more segments than this at the start of a run: merge them into one

# Filesystems where an object appears only when its upload completes: outputs are uploaded in
# place. Everything else is written under a temporary name and renamed (sftp, hdfs, smb, and
# filesystems we do not know, whose writes may be visible while in progress).
OBJECT_STORES = frozenset({"s3", "s3a", "gs", "gcs", "abfs", "abfss", "az", "adl", "oss", "cos", "obs", "tos"})

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*(://|::)")


def is_url(location) -> bool:
    """Whether a SRC/DEST string is an fsspec URL (`s3://...`, `simplecache::s3://...`)."""
    return isinstance(location, str) and _URL.match(location) is not None


# --- the request ---------------------------------------------------------------------------

def file_urls_as_paths(req):
    """`file://` URLs are local paths: replace them so every later step sees a path."""
    def path(loc):
        if not isinstance(loc, str) or not loc.startswith("file://"):
            return loc
        from urllib.parse import unquote, urlsplit

        parts = urlsplit(loc)
        if parts.netloc not in ("", "localhost"):
            raise UsageError(f"{loc}: a file:// URL names a file on this machine (file:///PATH)")
        return unquote(parts.path) or "/"

    import dataclasses

    fields = {"sources": tuple(path(s) for s in req.sources), "out": path(req.out)}
    return dataclasses.replace(req, **fields)


def uses_urls(req) -> bool:
    return any(is_url(s) for s in req.sources) or is_url(req.out)


def refuse_without_scheduler(req) -> None:
    """The local process pool does not take URLs (see the module's docstring)."""
    for loc in req.sources + (req.out,):
        if is_url(loc):
            raise UsageError(f"{loc}: fsspec URLs are cleaned on a Dask cluster only: add --scheduler tcp://HOST:PORT "
                             "(one machine: `dask scheduler` and `dask worker tcp://127.0.0.1:8786 --nthreads 1`)")


def check(req) -> None:
    """Everything about a URL run that can be refused before reaching the cluster (exit 2)."""
    from . import batch

    named = [(f"--{k.replace('_', '-')}", getattr(req, k)) for k in ("report_jsonl", "report_html", "learn_to", "files_from")]
    named += [("--rules", p) for p in req.rule_paths]
    for option, value in named:
        if is_url(value):
            where = "a path the Dask workers share" if option == "--rules" else "a local file or folder"
            raise UsageError(f"{option} {value}: URLs are taken for SRC and DEST only; give {where}")
    first = next(loc for loc in req.sources + (req.out,) if is_url(loc))
    if req.in_place:
        raise UsageError(f"--in-place with {first}: not with fsspec URLs (an object store cannot replace a file "
                         "atomically); clean into --out DEST, a URL or a folder")
    if req.files_from:
        raise UsageError(f"--files-from with {first}: not with fsspec URLs; select with --glob/--exclude under the SRC URL")
    if req.learn or req.learn_to:
        raise UsageError(f"--learn with {first}: not with fsspec URLs; learn from a local copy (`scrapeclean learn "
                         "COPY -o FOLDER/`) and pass --rules FOLDER on a path the workers share")
    if is_url(req.out) and "::" in req.out:
        raise UsageError(f"--out {req.out}: a chained URL cannot be written to; give the filesystem's own URL")
    batch._check_request(req)  # the local parts (it leaves URLs to us)
    if is_url(req.out):
        dest = _key(req.out)
        for src in req.sources:
            if is_url(src) and dest[0] == _key(src)[0] and (dest[1] + "/").startswith(_key(src)[1] + "/"):
                raise UsageError(f"--out {req.out}: is inside SRC {src}; choose a DEST outside it "
                                 "(the clean files would be cleaned again next run)")
    for loc in req.sources + ((req.out,) if req.out else ()):
        if is_url(loc):
            filesystem(loc)  # a missing package or an unknown scheme: one line now, not per file


def _key(url: str) -> tuple[str, str]:
    """(protocol chain, path) of a URL, to tell whether one lies inside another."""
    head, _, path = url.rpartition("://")
    return head, path.rstrip("/")


def _import_fsspec():
    try:
        import fsspec.core
    except ImportError:
        raise UsageError(f"fsspec URLs need the fsspec package ({INSTALL_HINT})") from None
    return fsspec


def filesystem(url: str):
    """-> (fsspec filesystem, path within it) for `url`, or a one-line UsageError naming the
    package to install (fsspec raises ImportError from the import of e.g. s3fs or aiohttp)."""
    fsspec = _import_fsspec()
    scheme = url.split("://", 1)[0].split("::")[-1]
    try:
        fs, path = fsspec.core.url_to_fs(url)
    except ImportError as e:
        cause = e.__cause__ if isinstance(e.__cause__, ImportError) else e
        package = (getattr(cause, "name", None) or scheme).split(".")[0]
        raise UsageError(f"{url}: {scheme}:// URLs need the {package} package (pip install {package}, here and "
                         "on every Dask worker)") from None
    except ValueError as e:
        if "not known" in str(e):
            raise UsageError(f"{url}: no filesystem is known for {scheme}:// URLs (check the URL; fsspec lists "
                             "the known ones)") from None
        raise UsageError(f"{url}: not a usable URL ({e})") from None
    except Exception as e:  # a filesystem that fails to start (bad options, no credentials)
        raise UsageError(f"{url}: cannot open this filesystem ({_reason(e)})") from None
    return fs, (path or "").rstrip("/")


def _reason(e: BaseException) -> str:
    """One line about an exception from a filesystem (botocore's are not OSErrors)."""
    if isinstance(e, OSError) and e.strerror:
        return e.strerror
    text = str(e).strip().splitlines()
    return text[0] if text and text[0] else type(e).__name__


def _protocols(fs) -> set:
    p = fs.protocol
    return {p} if isinstance(p, str) else set(p)


def _renames(fs) -> bool:
    """Whether outputs go to a temporary name and are renamed (see OBJECT_STORES)."""
    return not (_protocols(fs) & OBJECT_STORES)


def stamp(info: dict) -> list:
    """[size, version] of a file from fsspec's listing or info: the ETag where the store has
    one (it is the same in a listing and a HEAD, where times differ in precision), else a
    modification time. The journal compares these."""
    for key in ("ETag", "etag", "md5Hash", "mtime", "LastModified", "last_modified", "updated", "created"):
        if info.get(key) is not None:
            return [int(info.get("size") or 0), f"{key}={info[key]}"]
    return [int(info.get("size") or 0), None]


def _local_stamp(path: str) -> list:
    st = os.stat(path)
    return [st.st_size, st.st_mtime_ns]  # what batch._clean_one records for a local file


# --- selecting the inputs --------------------------------------------------------------------

def select(req, warn) -> tuple[list, dict]:
    """-> (entries, {entry index: input stamp}): local SRCs walked by the local batch's own
    selector, SRC URLs listed through fsspec; one list, in SRC order."""
    from . import batch

    sel = batch._Selector(req, warn)
    stamps: dict[int, list] = {}
    for src in req.sources:
        if not is_url(src):
            sel.walk_source(src)
            continue
        fs, root = filesystem(src)
        try:
            info = fs.info(root)
        except FileNotFoundError:
            raise UsageError(f"{src}: no such file or folder (check the SRC URL)") from None
        except Exception as e:
            raise UsageError(f"{src}: cannot read this URL ({_reason(e)})") from None
        if info.get("type") != "directory":  # a single file named as SRC: always cleaned
            stamps[len(sel.entries)] = stamp(info)
            sel._add(src, posixpath.basename(root))
            continue
        try:
            listing = fs.find(root, withdirs=False, detail=True)
        except Exception as e:
            raise UsageError(f"{src}: cannot list this URL ({_reason(e)})") from None
        base = src.rstrip("/")
        prefix = root + "/" if root else ""
        found = []
        for path, info in listing.items():
            rel = path[len(prefix):] if path.startswith(prefix) else None
            if not rel or info.get("type", "file") != "file":
                continue
            parts = rel.split("/")
            if any(p.startswith(".") for p in parts):
                continue  # hidden, as locally (our own journal and temporaries among them)
            found.append((parts, rel, info))
        found.sort(key=lambda t: t[0])  # folder by folder, names in order: the local walk's order
        for parts, rel, info in found:
            folders = ["/".join(parts[:i]) for i in range(1, len(parts))]
            if any(batch._matches(x, f, f.rpartition("/")[2]) for x in sel.excludes for f in folders):
                continue  # inside an excluded folder (the local walk does not enter it)
            if sel._wanted(rel, parts[-1]):
                stamps[len(sel.entries)] = stamp(info)
                sel._add(f"{base}/{rel}", rel)
    return sel.entries, stamps


def place(req, entries: list) -> None:
    """Each entry's output: DEST + its relative path; two inputs with one output are refused."""
    if req.check:
        return
    base = req.out.rstrip("/") if is_url(req.out) else req.out
    seen: dict[str, str] = {}
    for e in entries:
        e.out = f"{base}/{e.rel}" if is_url(req.out) else os.path.join(base, *e.rel.split("/"))
        if e.rel in seen:
            raise UsageError(f"{seen[e.rel]} and {e.src} would both be written to {e.out} (clean them in separate "
                             "runs, to different --out folders)")
        seen[e.rel] = e.src
        if not is_url(e.out) and not is_url(e.src) and os.path.realpath(e.out) == os.path.realpath(e.src):
            raise UsageError(f"{e.out}: would be written over {e.src}; choose a DEST outside every SRC")


def canonical(loc: str) -> str:
    """What a job ships and the journal records: the URL, or the absolute local path (workers
    have their own current folder)."""
    return loc if is_url(loc) else os.path.abspath(loc)


# --- the journal -----------------------------------------------------------------------------

class Journal:
    """`batch._Journal` for a run whose DEST or inputs are URLs: the same lines (output, input,
    input stamp and hash, output stamp, fingerprint), kept in DEST as segments written whole
    (object stores cannot append). A run that is killed loses the lines of its last few
    seconds: those files are redone, never wrongly skipped."""

    def __init__(self, dest: str, fp: str, need_listing: bool) -> None:
        self.dest = dest
        self.fp = fp
        self.remote = is_url(dest)
        self.folder = f"{dest.rstrip('/')}/{JOURNAL_DIR}" if self.remote else os.path.join(dest, JOURNAL_DIR)
        self.entries: dict[str, dict] = {}
        self.outs: dict[str, list] | None = None  # URL DEST: rel -> output stamp, from one listing
        self.temporaries: list[str] = []  # URL DEST: leftover `.NAME.XXXXXXXX.part` paths
        self.need_listing = need_listing
        self._pending: list[bytes] = []
        self._lock: int | None = None
        self._run = os.urandom(6).hex()
        self._n = 0
        self._flushed = time.monotonic()

    def open(self) -> None:
        import json

        if self.remote:
            self.fs, self.root = filesystem(self.dest)
            self.jroot = f"{self.root}/{JOURNAL_DIR}" if self.root else JOURNAL_DIR
        else:
            try:
                os.makedirs(self.folder, exist_ok=True)
                self._lock = os.open(self.dest, os.O_RDONLY)
            except OSError as e:
                raise OutputError(f"--out {self.dest}: cannot create or open this folder: {e.strerror}") from None
            import fcntl

            try:  # the lock `batch._Journal` takes: a local run and a URL run into one folder exclude each other
                fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                raise UsageError(f"--out {self.dest}: another scrapeclean batch is writing there (wait for it to finish)") from None
        names = self._segments()
        for name in names:
            for line in self._read(name).split(b"\n"):
                try:
                    e = json.loads(line)
                except ValueError:
                    continue  # a torn line (a segment written by a store that shows writes in progress)
                if isinstance(e, dict) and e.get("fp") == self.fp and isinstance(e.get("out"), str):
                    self.entries[e["out"]] = e
        if len(names) > _COMPACT_SEGMENTS:
            self._pending = [json.dumps(e, ensure_ascii=False).encode() + b"\n" for e in self.entries.values()]
            self.flush()
            for name in names:
                with contextlib.suppress(Exception):
                    self._remove(name)
        if self.remote and (self.need_listing or _renames(self.fs)):
            self._list_outputs()

    def _segments(self) -> list[str]:
        try:
            if self.remote:
                names = [posixpath.basename(p) for p in self.fs.ls(self.jroot, detail=False)]
            else:
                names = os.listdir(self.folder)
        except FileNotFoundError:
            return []
        except Exception as e:
            raise OutputError(f"{self.folder}: cannot list the journal ({_reason(e)})") from None
        return sorted(n for n in names if n.endswith(".jsonl") and not n.startswith("."))

    def _read(self, name: str) -> bytes:
        try:
            if self.remote:
                return self.fs.cat_file(f"{self.jroot}/{name}")
            with open(os.path.join(self.folder, name), "rb") as f:
                return f.read()
        except FileNotFoundError:
            return b""  # removed by a run compacting at the same time
        except Exception as e:
            raise OutputError(f"{self.folder}/{name}: cannot read the journal ({_reason(e)}; delete it to start afresh)") from None

    def _remove(self, name: str) -> None:
        if self.remote:
            self.fs.rm_file(f"{self.jroot}/{name}")
        else:
            os.unlink(os.path.join(self.folder, name))

    def _list_outputs(self) -> None:
        """One listing of DEST: the outputs' stamps, and temporaries killed workers left."""
        from . import batch

        try:
            listing = self.fs.find(self.root, withdirs=False, detail=True)
        except FileNotFoundError:
            listing = {}
        except Exception as e:
            raise OutputError(f"--out {self.dest}: cannot list this URL ({_reason(e)})") from None
        prefix = self.root + "/" if self.root else ""
        self.outs = {}
        for path, info in listing.items():
            if not path.startswith(prefix):
                continue
            rel = path[len(prefix):]
            if batch._TEMP.fullmatch(posixpath.basename(rel)):
                self.temporaries.append(path)
            else:
                self.outs[rel] = stamp(info)

    def up_to_date(self, entry, in_stamp) -> bool | str:
        """As `batch._Journal.up_to_date`: True (skip), a hash (compare contents), or False."""
        j = self.entries.get(entry.rel)
        if j is None or j.get("src") != canonical(entry.src) or in_stamp is None:
            return False
        if self.remote:
            out = (self.outs or {}).get(entry.rel)
        else:
            try:
                out = _local_stamp(entry.out)
            except OSError:
                return False
        if out is None or out != j.get("o"):
            return False
        if in_stamp == j.get("in"):
            return True
        return j.get("h") or False

    def record(self, entry, res: dict) -> None:
        import json

        line = {"fp": self.fp, "out": entry.rel, "src": canonical(entry.src),
                "in": res["in_stat"], "h": res["hash"], "o": res["out_stat"]}
        self._pending.append(json.dumps(line, ensure_ascii=False).encode() + b"\n")
        if len(self._pending) >= _SEGMENT_LINES or time.monotonic() - self._flushed > _SEGMENT_SECONDS:
            self.flush()

    def flush(self) -> None:
        self._flushed = time.monotonic()
        if not self._pending:
            return
        data = b"".join(self._pending)
        self._pending = []
        self._n += 1
        name = f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{self._run}-{self._n:05d}.jsonl"
        try:
            if self.remote:
                _upload_bytes(self.fs, f"{self.jroot}/{name}", data)
            else:
                from .fileio import atomic_output

                with atomic_output(os.path.join(self.folder, name)) as f:
                    f.write(data)
        except OutputError:
            raise
        except Exception as e:
            raise OutputError(f"{self.folder}/{name}: cannot write the journal ({_reason(e)})") from None

    def close(self) -> None:
        try:
            self.flush()
        finally:
            if self._lock is not None:
                os.close(self._lock)
                self._lock = None


# --- writing outputs -------------------------------------------------------------------------

def _temporary(path: str) -> str:
    """A hidden temporary beside `path`, named as `fileio.atomic_output` names them (so the
    sweeps of `batch._TEMP` recognise it)."""
    import secrets

    folder, name = posixpath.split(path)
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789_"
    tag = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"{folder}/.{name}.{tag}.part" if folder else f".{name}.{tag}.part"


def upload(fs, local: str, path: str) -> None:
    """Put the complete file `local` at `path` so that no partial output is ever visible (see
    OBJECT_STORES); on failure, remove what the attempt left and raise."""
    if not _renames(fs):
        try:
            fs.put_file(local, path)
        except BaseException:
            # The stores listed commit nothing on a failed upload; this is for a store that
            # might (the output is redone next run either way: no journal line names it).
            with contextlib.suppress(Exception):
                fs.rm_file(path)
            raise
        return
    folder = posixpath.dirname(path)
    if folder:
        fs.makedirs(folder, exist_ok=True)
    tmp = _temporary(path)
    try:
        fs.put_file(local, tmp)
        fs.mv(tmp, path)
    except BaseException:
        with contextlib.suppress(Exception):
            fs.rm_file(tmp)
        raise


def _upload_bytes(fs, path: str, data: bytes) -> None:
    import tempfile

    with tempfile.NamedTemporaryFile(prefix="scrapeclean-", suffix=".part") as f:
        f.write(data)
        f.flush()
        upload(fs, f.name, path)


def sweep_remote(paths: list[str], fs) -> None:
    for p in paths:
        with contextlib.suppress(Exception):
            fs.rm_file(p)


# --- on the workers --------------------------------------------------------------------------

def _scratch_root() -> str | None:
    """The Dask worker's own scratch folder (a killed worker's is purged by the next worker)."""
    try:
        from distributed import get_worker

        return get_worker().local_directory
    except Exception:
        return None


def _resolve_on_worker(url: str):
    """`filesystem` on a worker: a missing package there stops the run (exit 4) with one line,
    rather than failing every file."""
    from .dask_backend import _Mismatch

    try:
        return filesystem(url)
    except UsageError as e:
        import socket

        raise _Mismatch(f"the Dask worker on {socket.gethostname()}: {e.message}") from None


def clean_chunk_task(chunk: list, setup, fp: str) -> list[dict]:
    """One Dask task: a chunk of (index, src, out, expect_hash, src_stamp) jobs."""
    import shutil
    import tempfile

    from .dask_backend import _worker_for

    w = _worker_for(setup, fp)
    scratch = tempfile.mkdtemp(prefix="scrapeclean-", dir=_scratch_root())
    try:
        return [clean_one(job, w, os.path.join(scratch, str(job[0]))) for job in chunk]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def clean_one(job: tuple, w, scratch: str) -> dict:
    """Clean one page whose input or output is a URL with `batch._clean_one` itself: the page
    is copied into `scratch` first, the output written there and uploaded when complete. The
    result names the URLs, and carries the URLs' stamps for the journal."""
    import shutil

    from . import batch

    index, src, out, expect_hash, src_stamp = job
    src_url, out_url = is_url(src), is_url(out)
    if not src_url and not out_url:
        return batch._clean_one((index, src, out, expect_hash), w)
    os.makedirs(scratch, exist_ok=True)
    local_src, local_out = src, out
    if src_url:
        fs, path = _resolve_on_worker(src)
        local_src = os.path.join(scratch, "in", posixpath.basename(path) or "page")
        os.makedirs(os.path.dirname(local_src), exist_ok=True)
        try:
            with fs.open(path, "rb") as f, open(local_src, "wb") as copy:
                shutil.copyfileobj(f, copy, 1 << 20)
        except FileNotFoundError:
            return batch._new_result(index, "failed", f"{src}: no such file (removed since it was listed?)")
        except PermissionError:
            return batch._new_result(index, "failed", f"{src}: permission denied (check the credentials for this URL)")
        except Exception as e:
            return batch._new_result(index, "failed", f"{src}: cannot read: {_reason(e)}")
    if out_url:
        out_fs, out_path = _resolve_on_worker(out)
        local_out = os.path.join(scratch, "out", posixpath.basename(out_path) or "page")
        os.makedirs(os.path.dirname(local_out), exist_ok=True)
        if expect_hash is not None:
            open(local_out, "wb").close()  # `_clean_one` stats the output of an unchanged input
    res = batch._clean_one((index, local_src, local_out, expect_hash), w)
    _rename_in_messages(res, local_src, src)
    if out_url:
        _rename_in_messages(res, local_out, out)
    if src_url:
        res["in_stat"] = src_stamp  # the listing's stamp, which the next run compares
    if out_url and res["status"] in ("cleaned", "up-to-date"):
        try:
            if res["status"] == "cleaned":
                upload(out_fs, local_out, out_path)
            res["out_stat"] = stamp(out_fs.info(out_path))
        except Exception as e:
            res["status"], res["error"], res["out_stat"] = "output-failed", f"{out}: cannot write: {_reason(e)}", None
    return res


def _rename_in_messages(res: dict, local: str, shown: str) -> None:
    if local == shown:
        return
    if res.get("error"):
        res["error"] = res["error"].replace(local, shown)
    res["warnings"] = [m.replace(local, shown) for m in res.get("warnings") or ()]


# --- the run ---------------------------------------------------------------------------------

def run_batch(req, error, warn, client) -> int:
    """`batch.run_batch` for a request with URLs (already `check`ed): the same accounting,
    reports and exit statuses (`batch._execute`), with this module's selection and journal."""
    from . import batch, dask_backend
    from .pipeline import check_site
    from .rules.load import load_rules

    started = time.monotonic()
    if req.options.encoding:
        from .stages.decode import check_encoding_name

        check_encoding_name(req.options.encoding)
    rules = load_rules(req.rule_paths, builtin=not req.no_builtin, select=req.select, ignore=req.ignore)
    check_site(rules, req.options.site)
    entries, stamps = select(req, warn or (lambda m: None))
    place(req, entries)
    mode = "check" if req.check else "out"
    journal = None
    if mode == "out":
        journal = Journal(req.out, batch.fingerprint(rules, req.options), need_listing=not req.force)
        journal.open()
    try:
        if mode == "out":
            _sweep(req, entries, journal)
        todo = []
        for e in entries:
            if e.result is not None:
                continue
            if journal is not None and not req.force:
                st = stamps.get(e.index)
                if st is None:
                    try:
                        st = _local_stamp(e.src)
                    except OSError:
                        st = None
                verdict = journal.up_to_date(e, st)
                if verdict is True:
                    e.result = {"status": "up-to-date"}
                    continue
                if isinstance(verdict, str):
                    e.expect_hash = verdict
            todo.append(e)

        def results(jobs, workers, setup) -> Iterator[dict]:
            shipped = [(i, canonical(src), out and canonical(out), h, stamps.get(i)) for i, src, out, h in jobs]
            given = {i: (canonical(src), src) for i, src, _, _ in jobs}
            for res in dask_backend._run_tasks(client, shipped, setup, clean_chunk_task):
                yield dask_backend._as_given(res, *given[res["index"]])
            if mode == "out":
                _sweep(req, entries, journal, again=True)

        return batch._execute(req, rules, mode, entries, todo, journal, error, warn, started, results)
    finally:
        if journal is not None:
            journal.close()


def _sweep(req, entries, journal: Journal, again: bool = False) -> None:
    """Remove the temporaries killed workers left beside the outputs."""
    from . import batch

    if not is_url(req.out):
        batch._sweep_temporaries(entries, None)
    elif _renames(journal.fs):
        if again:
            journal._list_outputs()
        # only temporaries of this run's outputs and of the journal, as the local sweep does
        ours = {e.rel for e in entries if e.out} | {JOURNAL_DIR + "/"}
        prefix = journal.root + "/" if journal.root else ""
        mine = []
        for path in journal.temporaries:
            folder, name = posixpath.split(path[len(prefix):])
            m = batch._TEMP.fullmatch(name)
            if m and (posixpath.join(folder, m.group(1)) in ours or folder == JOURNAL_DIR):
                mine.append(path)
        sweep_remote(mine, journal.fs)
        journal.temporaries = []
