"""Trees of files: `scrapeclean batch SRC... --out DEST` (or `--in-place`, or `--check`).

The order of work, top to bottom in this file:

1. **Check the request** (`_check_request`): refuse rather than guess. No `--out` and no
   `--in-place`, `--in-place` with `--out`, a DEST inside a SRC, a report inside a SRC... are
   usage errors (exit 2) before anything is read or written.
2. **Select the inputs** (`_select`): every regular file under each SRC, recursively, in name
   order; hidden files and folders (name starting with `.`) skipped; `--glob` keeps, `--exclude`
   drops (a pattern with a `/` is matched against the path relative to SRC, one without against
   the name; `*` also matches `/`). A symlink whose target is outside its SRC is skipped with a
   warning unless `--follow-symlinks`; a broken one is a failed input. `--files-from` lists the
   inputs instead (paths as typed, i.e. relative to the current folder; the output layout is
   relative to SRC if one is given, else to the current folder); listed folders are ignored, as
   `find` lists them too.
3. **Plan** (`_Journal`): with `--out`, DEST holds a journal (`.scrapeclean-journal`): one JSON
   line appended per finished file, naming the output and recording the input's size, mtime and
   content hash, the output's size and mtime, and a fingerprint of everything that decides the
   output (scrapeclean's version and source, the effective rules, the options). A file is
   skipped as up to date when its line matches and the output file is still the one recorded
   (a line whose output is missing or changed is never trusted). When only the input's mtime
   changed, its content hash decides. `--force` redoes everything.
4. **Clean** (`_clean_one`), in worker processes (`-j`; the rules are loaded once per process,
   and with -j 1 or a single file everything runs in this process). Each file is cleaned exactly
   as `scrapeclean FILE` would clean it, so the result does not depend on `-j`. Outputs are
   written to a hidden temporary file beside the target, fsync'd, then renamed
   (`fileio.atomic_output`): a run killed at any moment, kill -9 included, leaves no partial
   output file, only hidden `.NAME.XXXXXXXX.part` temporaries, which the next run removes.
   `--in-place` writes the same way over the input (after writing the `--backup` copy, also
   atomically) and leaves a file that is already clean untouched. `--check` writes nothing and
   compares each clean result with its input.
5. **Account**: failures are named on stderr as they happen (`scrapeclean: PATH: reason`), a
   progress line is drawn on a terminal, the JSONL / HTML reports (`report.py`) are fed, and a
   summary closes the run.

Exit status: 0 all done (`--check`: every file already clean); 1 `--check` found files that
cleaning would change; 2 usage error (nothing done); 3 some inputs could not be read or decoded
(the others were done); 4 an output could not be written, or a worker process died (the run
stopped there); 130 Ctrl-C.
"""
from __future__ import annotations

import contextlib
import dataclasses
import fnmatch
import hashlib
import heapq
import json
import os
import re
import stat
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

from . import __version__
from .errors import (
    EXIT_CHANGES, EXIT_INPUT, EXIT_OK, EXIT_OUTPUT, InputError, OutputError, UsageError,
)
from .fileio import atomic_output, open_input
from .options import Options
from .pipeline import check_site, clean_binary, fast_screen
from .remote import is_url
from .removal import Removal
from .report import HtmlAudit, JsonlReport, Tally, page_rows, prose_like
from .rules.load import load_rules
from .rules.model import RuleSet

Say = Callable[[str], None]

JOURNAL_NAME = ".scrapeclean-journal"
# The temporaries `atomic_output` makes: `.NAME.` + 8 characters from mkstemp + `.part`.
_TEMP = re.compile(r"\.(.+)\.[a-z0-9_]{8}\.part")
_HASH_CHUNK = 1 << 20
VIEW_PAGES = 20  # pages shown line by line in the HTML report (those with the most text removed)


@dataclass(frozen=True)
class BatchRequest:
    """Everything `scrapeclean batch` was asked to do (built by the CLI)."""

    sources: tuple[str, ...] = ()
    out: str | None = None
    in_place: bool = False
    backup: str | None = None
    globs: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    follow_symlinks: bool = False
    jobs: int | None = None  # None: one per core
    force: bool = False
    check: bool = False
    files_from: str | None = None
    null: bool = False
    quiet: bool = False
    report_jsonl: str | None = None
    report_html: str | None = None
    rule_paths: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    no_builtin: bool = False
    options: Options = field(default_factory=Options)
    # --learn: learn the sites' furniture from the selected files first (`_learn_first`);
    # --learn-to: keep the learned site packs in this folder (implies --learn)
    learn: bool = False
    learn_to: str | None = None


# --- 1. the request ------------------------------------------------------------------------

def _real(path: str) -> str:
    return os.path.realpath(os.path.abspath(path))


def _inside(path: str, folder: str) -> bool:
    """Whether real path `path` is `folder` or below it."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _check_request(req: BatchRequest) -> None:
    if req.jobs is not None and req.jobs < 1:
        raise UsageError(f"--jobs {req.jobs}: give a number of worker processes >= 1 (or leave it out: one per core)")
    if req.check:
        if req.out or req.in_place:
            raise UsageError("--check writes nothing: leave out --out / --in-place (or --check to clean)")
    elif req.in_place and req.out:
        raise UsageError(f"--in-place and --out {req.out}: choose one (clean into DEST, or replace the inputs)")
    elif not req.in_place and not req.out:
        raise UsageError("say where the clean files go: --out DEST (a folder), or --in-place to replace the inputs (with --backup SUFFIX to keep the originals)")
    if req.backup is not None and not req.in_place:
        raise UsageError(f"--backup {req.backup}: only with --in-place (with --out the inputs are never touched)")
    if req.backup is not None and (not req.backup or "/" in req.backup):
        raise UsageError(f"--backup {req.backup!r}: give a file-name suffix such as .orig")
    if req.null and not req.files_from:
        raise UsageError("-0/--null: only with --files-from (it says the list is NUL-separated)")
    if not req.sources and not req.files_from:
        raise UsageError("give the folders (or files) to clean: scrapeclean batch SRC... --out DEST (or --files-from FILE)")
    if req.files_from and len(req.sources) > 1:
        raise UsageError("--files-from takes at most one SRC: the folder the listed files' output paths are relative to")
    if req.report_jsonl == "-" and req.check:
        raise UsageError("--report-jsonl -: --check lists the files to clean on stdout; write the report to a file")
    if req.report_html == "-":
        raise UsageError("--report-html -: give a file name (the page is written atomically)")
    if (req.learn or req.learn_to) and req.options.site == "none":
        raise UsageError("--learn with --site none: the learned site packs would never switch on "
                         "(leave --site out, or give the one site's domain)")
    for src in req.sources:
        if is_url(src):  # fsspec URLs: checked by `remote.check` (--scheduler only)
            continue
        if not os.path.lexists(src):
            raise UsageError(f"{src}: no such file or folder (check the SRC path)")
        if not os.path.exists(src):
            raise UsageError(f"{src}: broken symlink (check the SRC path)")
        if req.files_from and not os.path.isdir(src):
            raise UsageError(f"{src}: with --files-from, SRC must be the folder the listed paths are under")
    roots = [_real(s) for s in req.sources if os.path.isdir(s)]
    if req.out and not is_url(req.out):
        if os.path.exists(req.out) and not os.path.isdir(req.out):
            raise UsageError(f"--out {req.out}: exists and is not a folder (give a folder for the clean tree)")
        dest = _real(req.out)
        for src, root in zip(req.sources, [_real(s) for s in req.sources]):
            if os.path.isdir(src) and _inside(dest, root):
                raise UsageError(f"--out {req.out}: is inside SRC {src}; choose a DEST outside it (the clean files would be cleaned again next run)")
    if req.learn_to:
        if os.path.exists(req.learn_to) and not os.path.isdir(req.learn_to):
            raise UsageError(f"--learn-to {req.learn_to}: exists and is not a folder (give a folder for the learned site packs)")
        if any(_inside(_real(req.learn_to), root) for root in roots):
            raise UsageError(f"--learn-to {req.learn_to}: is inside a SRC folder; batch never writes there "
                             "(the rule files would be cleaned as pages next run)")
        for path in req.rule_paths:
            if _inside(_real(req.learn_to), _real(path)) or _inside(_real(path), _real(req.learn_to)):
                raise UsageError(f"--learn-to {req.learn_to}: is also loaded by --rules {path}; --learn writes new site "
                                 "packs there and uses them (drop that --rules, or learn to another folder)")
    for option, path in (("--report-jsonl", req.report_jsonl), ("--report-html", req.report_html)):
        if path and path != "-":
            real = _real(path)
            if any(_inside(real, root) for root in roots):
                raise UsageError(f"{option} {path}: is inside a SRC folder; batch never writes there (put the report elsewhere)")
            if os.path.isdir(path):
                raise UsageError(f"{option} {path}: is a folder (give a file name)")
            folder = os.path.dirname(os.path.abspath(path))
            if not os.path.isdir(folder):
                raise UsageError(f"{option} {path}: folder {folder} does not exist (create it first)")


# --- 2. selecting the inputs ---------------------------------------------------------------

@dataclass
class Entry:
    """One input: where it is, where its output goes, and what became of it."""

    index: int
    src: str  # the path as the user would write it
    rel: str  # relative path under DEST (posix separators)
    out: str | None = None  # the output file (DEST mode), the file replaced (--in-place)
    expect_hash: str | None = None  # journal hash to compare when only the input's stat changed
    result: dict | None = None  # set when the entry is settled without cleaning


def _matches(pattern: str, rel: str, name: str) -> bool:
    return fnmatch.fnmatchcase(rel if "/" in pattern else name, pattern)


class _Selector:
    def __init__(self, req: BatchRequest, warn: Say) -> None:
        self.req = req
        self.warn = warn
        self.globs = tuple(g.rstrip("/") for g in req.globs)
        self.excludes = tuple(g.rstrip("/") for g in req.excludes)
        if req.in_place and req.backup:
            self.excludes += ("*" + req.backup,)  # never clean our own backups
        self.entries: list[Entry] = []

    def _add(self, src: str, rel: str, error: str | None = None) -> None:
        e = Entry(len(self.entries), src, rel)
        if error:
            e.result = {"status": "failed", "error": error}
        self.entries.append(e)

    def _wanted(self, rel: str, name: str) -> bool:
        if self.globs and not any(_matches(g, rel, name) for g in self.globs):
            return False
        return not any(_matches(x, rel, name) for x in self.excludes)

    def _symlink_ok(self, path: str, root: str) -> str | None:
        """For a symlink: None if it may be followed, else why not (a warning)."""
        target = os.path.realpath(path)
        if not os.path.exists(target):
            raise InputError(f"{path}: broken symlink (its target {os.readlink(path)} does not exist)")
        if self.req.follow_symlinks or _inside(target, root):
            return None
        return f"{path}: symlink to {target}, outside {root}; skipped (--follow-symlinks to clean it)"

    def walk_source(self, src: str) -> None:
        if not os.path.isdir(src):  # a single file named as SRC: always cleaned
            self._add(src, os.path.basename(os.path.normpath(src)))
            return
        root = _real(src)
        st = os.stat(src)
        self._walk(src, "", root, {(st.st_dev, st.st_ino)})

    def _walk(self, folder: str, prefix: str, root: str, ancestors: set) -> None:
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda d: d.name)
        except OSError as e:
            self._add(folder, prefix.rstrip("/") or ".", f"{folder}: cannot list this folder: {e.strerror}")
            return
        for d in entries:
            if d.name.startswith("."):
                continue
            rel = prefix + d.name
            path = os.path.join(folder, d.name)
            try:
                if d.is_symlink():
                    why = self._symlink_ok(path, root)
                    if why:
                        self.warn(why)
                        continue
                is_dir = d.is_dir()
                if is_dir:
                    if any(_matches(x, rel, d.name) for x in self.excludes):
                        continue
                    st = d.stat()
                    key = (st.st_dev, st.st_ino)
                    if key in ancestors:
                        self.warn(f"{path}: symlink loop; skipped")
                        continue
                    self._walk(path, rel + "/", root, ancestors | {key})
                elif d.is_file():
                    if self._wanted(rel, d.name):
                        self._add(path, rel)
                else:
                    self.warn(f"{path}: not a regular file (device, pipe or socket); skipped")
            except InputError as e:
                if self._wanted(rel, d.name):
                    self._add(path, rel, e.message)
            except OSError as e:
                self._add(path, rel, f"{path}: cannot read: {e.strerror}")

    def from_list(self, listing: bytes, base: str | None) -> None:
        """`--files-from`: paths relative to the current folder; layout relative to `base`."""
        sep = b"\0" if self.req.null else b"\n"
        base_abs = os.path.abspath(base or ".")
        root = _real(base_abs)
        for raw in listing.split(sep):
            if not self.req.null:
                raw = raw.rstrip(b"\r")
            if not raw:
                continue
            path = os.fsdecode(raw)
            rel = os.path.relpath(os.path.abspath(path), base_abs).replace(os.sep, "/")
            name = os.path.basename(rel)
            if rel == ".." or rel.startswith("../"):
                self._add(path, rel, f"{path}: not under {base or 'the current folder'} (list files inside it, or pass the folder they are under as SRC)")
                continue
            try:
                if os.path.islink(path):
                    why = self._symlink_ok(path, root)
                    if why:
                        self.warn(why)
                        continue
                if os.path.isdir(path):
                    continue  # `find` lists folders too
                if not os.path.lexists(path):
                    raise InputError(f"{path}: no such file")
                if not os.path.isfile(path):
                    self.warn(f"{path}: not a regular file (device, pipe or socket); skipped")
                    continue
                if self._wanted(rel, name):
                    self._add(path, rel)
            except InputError as e:
                self._add(path, rel, e.message)


def _read_list(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise UsageError(f"--files-from {path}: cannot read: {e.strerror}") from None


def _select(req: BatchRequest, warn: Say) -> list[Entry]:
    sel = _Selector(req, warn)
    if req.files_from:
        sel.from_list(_read_list(req.files_from), req.sources[0] if req.sources else None)
    else:
        for src in req.sources:
            sel.walk_source(src)
    return sel.entries


def _place(req: BatchRequest, entries: list[Entry]) -> None:
    """Set each entry's output path; refuse two inputs with one output, or an output in SRC."""
    if req.check:
        return
    if req.in_place:
        for e in entries:
            e.out = os.path.realpath(e.src)  # write through symlinks, never replace them
        return
    roots = [_real(s) for s in req.sources if os.path.isdir(s)]
    dest = _real(req.out)
    seen: dict[str, str] = {}
    real_dirs: dict[str, str] = {}
    for e in entries:
        if req.files_from and _inside(os.path.realpath(e.src), dest):
            raise UsageError(f"{e.src}: listed by --files-from but inside --out {req.out}; leave DEST out of the list "
                             f"(e.g. find . -path ./{os.path.basename(dest)} -prune -o -type f -print0)")
        e.out = os.path.join(req.out, *e.rel.split("/"))
        if e.rel in seen:
            raise UsageError(f"{seen[e.rel]} and {e.src} would both be written to {e.out} (clean them in separate runs, to different --out folders)")
        seen[e.rel] = e.src
        if e.result is not None:
            continue
        folder, name = os.path.split(e.out)
        if folder not in real_dirs:
            real_dirs[folder] = _real(folder)
        real_out = os.path.join(real_dirs[folder], name)
        if any(_inside(real_out, root) for root in roots) or real_out == os.path.realpath(e.src):
            raise UsageError(f"{e.out}: would be written inside SRC (over {e.src}); choose a DEST outside every SRC")


# --- 3. the plan: fingerprint and journal --------------------------------------------------

def fingerprint(rules: RuleSet, options: Options) -> str:
    """What decides an output besides its input: scrapeclean's version and code, the effective
    rules (after --select/--ignore, every field of every rule) and the options."""
    h = hashlib.blake2b(digest_size=8)
    h.update(f"scrapeclean {__version__}\n".encode())
    package = Path(__file__).resolve().parent
    for source in sorted(package.rglob("*.py")):
        h.update(str(source.relative_to(package)).encode() + b"\0")
        h.update(source.read_bytes())
    # every field of every rule but the file it came from (messages only), so that rules
    # learned again into a new temporary folder (`batch --learn`) are the same rules
    h.update(repr([_sourceless(r) for r in rules.rules]).encode())
    h.update(repr([_sourceless(p) for p in rules.sites]).encode())
    # the engine is left out: both give the same output, so switching engines redoes nothing
    h.update(repr(options._replace(engine="default")).encode())
    return h.hexdigest()


def _sourceless(item):
    """A rule or site pack without the file it came from (a named tuple, or a dataclass)."""
    if hasattr(item, "_replace"):
        return item._replace(source="")
    return dataclasses.replace(item, source="")


class _Journal:
    """Which outputs in DEST are up to date, kept in DEST itself so that it survives anything.

    One JSON line per finished file, appended with one write() (O_APPEND) right after the
    output's rename, so a kill -9 loses at most the lines of files still in flight (redone next
    time). Lines are fsync'd every second and at the end; a line that was lost or that names an
    output file that is missing or not the one recorded is simply not trusted (the file is
    redone). A torn last line is ignored. The lock (flock on DEST) keeps two runs apart."""

    def __init__(self, dest: str, fp: str) -> None:
        self.dest = dest
        self.path = os.path.join(dest, JOURNAL_NAME)
        self.fp = fp
        self.entries: dict[str, dict] = {}
        self._fd: int | None = None
        self._lock: int | None = None
        self._synced = time.monotonic()

    def open(self) -> None:
        try:
            os.makedirs(self.dest, exist_ok=True)
            self._lock = os.open(self.dest, os.O_RDONLY)
        except OSError as e:
            raise OutputError(f"--out {self.dest}: cannot create or open this folder: {e.strerror}") from None
        import fcntl

        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise UsageError(f"--out {self.dest}: another scrapeclean batch is writing there (wait for it to finish)") from None
        lines, torn = self._read()
        if torn or len(lines) > 2 * len(self.entries) + 1000:  # compact: keep what is still valid
            with atomic_output(self.path) as f:
                f.write(b"".join(json.dumps(e, ensure_ascii=False).encode() + b"\n" for e in self.entries.values()))
        try:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as e:
            raise OutputError(f"{self.path}: cannot write the journal: {e.strerror}") from None

    def _read(self) -> tuple[list[bytes], bool]:
        try:
            with open(self.path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            return [], False
        except OSError as e:
            raise OutputError(f"{self.path}: cannot read the journal: {e.strerror} (delete it to start afresh)") from None
        torn = bool(data) and not data.endswith(b"\n")
        lines = data.split(b"\n")
        for line in lines:
            try:
                e = json.loads(line)
            except ValueError:
                continue
            if isinstance(e, dict) and e.get("fp") == self.fp and isinstance(e.get("out"), str):
                self.entries[e["out"]] = e
        return lines, torn

    def up_to_date(self, entry: Entry, in_stat: os.stat_result) -> bool | str:
        """True: skip; a hash: the output is intact but the input's stat changed, so compare
        contents; False: clean it."""
        j = self.entries.get(entry.rel)
        if j is None or j.get("src") != os.path.abspath(entry.src):
            return False
        try:
            o = os.stat(entry.out)
        except OSError:
            return False
        if [o.st_size, o.st_mtime_ns] != j.get("o"):
            return False
        if [in_stat.st_size, in_stat.st_mtime_ns] == j.get("in"):
            return True
        return j.get("h") or False

    def record(self, entry: Entry, res: dict) -> None:
        line = {"fp": self.fp, "out": entry.rel, "src": os.path.abspath(entry.src),
                "in": res["in_stat"], "h": res["hash"], "o": res["out_stat"]}
        data = json.dumps(line, ensure_ascii=False).encode() + b"\n"
        try:
            os.write(self._fd, data)
            if time.monotonic() - self._synced > 1.0:
                os.fsync(self._fd)
                self._synced = time.monotonic()
        except OSError as e:
            raise OutputError(f"{self.path}: cannot write the journal: {e.strerror}") from None

    def close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.fsync(self._fd)
            os.close(self._fd)
            self._fd = None
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None


def _sweep_temporaries(entries: Sequence[Entry], backup: str | None) -> int:
    """Remove the hidden `.NAME.XXXXXXXX.part` files a killed run left beside our outputs (and
    beside their backups)."""
    by_folder: dict[str, set[str]] = {}
    for e in entries:
        if e.out:
            folder, name = os.path.split(e.out)
            names = by_folder.setdefault(folder, set())
            names.add(name)
            if backup:
                names.add(name + backup)
    removed = 0
    for folder, names in by_folder.items():
        try:
            listing = os.listdir(folder)
        except OSError:
            continue
        for n in listing:
            m = _TEMP.fullmatch(n)
            if m and m.group(1) in names:
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(folder, n))
                    removed += 1
    return removed


# --- 4. cleaning one file (in a worker process) --------------------------------------------

@dataclass
class _WorkerSetup:
    """What a worker needs; picklable, so that a 'spawn' worker can load the rules itself."""

    rule_paths: tuple[str, ...]
    select: tuple[str, ...]
    ignore: tuple[str, ...]
    no_builtin: bool
    options: Options
    mode: str  # "out", "in-place" or "check"
    backup: str | None
    want_removals: bool  # the JSONL report lists every removal
    want_views: bool  # the HTML report shows pages line by line


class _Worker:
    def __init__(self, setup: _WorkerSetup, rules: RuleSet | None = None) -> None:
        self.s = setup
        self.rules = rules if rules is not None else load_rules(
            setup.rule_paths, builtin=not setup.no_builtin, select=setup.select, ignore=setup.ignore)
        # The VIEW_PAGES largest (removed chars, content hash) keys this process has seen: a
        # page can only be among the run's top pages if it is among its own worker's, so views
        # are built for few pages, and always for those the report shows, whatever -j is.
        # Identical pages (copies) count once.
        self.top: list[tuple[int, str]] = []
        self.top_hashes: set[str] = set()

    def wants_view(self, removed_chars: int, digest: str) -> bool:
        if not self.s.want_views or not removed_chars or digest in self.top_hashes:
            return False
        key = (removed_chars, digest)
        if len(self.top) < VIEW_PAGES:
            heapq.heappush(self.top, key)
        elif key > self.top[0]:
            self.top_hashes.discard(heapq.heapreplace(self.top, key)[1])
        else:
            return False
        self.top_hashes.add(digest)
        return True


_W: _Worker | None = None


class _Compare:
    """A binary sink that compares what is written with a reference stream (and passes it on
    to `out`, if given)."""

    def __init__(self, ref, out=None) -> None:
        self.ref, self.out, self.same = ref, out, True

    def write(self, data: bytes) -> int:
        if self.out is not None:
            self.out.write(data)
        if self.same and self.ref.read(len(data)) != data:
            self.same = False
        return len(data)

    def identical(self) -> bool:
        return self.same and self.ref.read(1) == b""


class _Unchanged(Exception):
    """--in-place: the file is already clean; drop the temporary file, leave the input alone."""


def _hash_and_rewind(f) -> str:
    h = hashlib.blake2b(digest_size=16)
    while True:
        data = f.read(_HASH_CHUNK)
        if not data:
            break
        h.update(data)
    f.seek(0)
    return h.hexdigest()


def _clean_one(job: tuple[int, str, str | None, str | None], w: _Worker | None = None) -> dict:
    """Clean one file as `scrapeclean FILE` would; -> a small picklable result. The one per-file
    function of every backend: local worker processes (`w` = this process's `_W`) and Dask tasks
    (`dask_backend`, which passes its own `_Worker`)."""
    index, src, out, expect_hash = job
    w = _W if w is None else w
    assert w is not None
    s = w.s
    res = _new_result(index)
    counts: dict[str, list[int]] = res["counts"]
    removals: list[Removal] = []
    warnings: list[str] = res["warnings"]
    keep = s.want_removals or s.want_views
    viewed = False

    def on_removal(r: Removal) -> None:
        c = counts.get(r.rule_id)
        if c is None:
            c = counts[r.rule_id] = [0, 0]
        c[0 if r.whole_line else 1] += 1
        res["removed_chars"] += len(r.text)
        if keep:
            removals.append(r)

    try:
        with open_input(src) as (f, name):
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise InputError(f"{src}: not a regular file")
            res["in_stat"] = [st.st_size, st.st_mtime_ns]
            res["bytes_in"] = st.st_size
            res["hash"] = _hash_and_rewind(f)
            if expect_hash is not None and res["hash"] == expect_hash:
                res["status"] = "up-to-date"
                res["out_stat"] = _stat_pair(out)
                return res
            if s.mode == "check":
                with open(src, "rb") as ref:
                    sink = _Compare(ref)
                    stats = clean_binary(f, sink, w.rules, s.options, name, on_removal, warnings.append)
                    res["status"] = "clean" if sink.identical() else "would-change"
            elif s.mode == "out":
                folder = os.path.dirname(out)
                try:
                    os.makedirs(folder, exist_ok=True)
                except OSError as e:
                    raise OutputError(f"{out}: cannot create folder {folder}: {e.strerror}") from None
                with atomic_output(out) as dst:
                    stats = clean_binary(f, dst, w.rules, s.options, name, on_removal, warnings.append)
                res["out_stat"] = _stat_pair(out)
                res["status"] = "cleaned"
            else:
                try:
                    with atomic_output(out) as dst, open(src, "rb") as ref:
                        sink = _Compare(ref, dst)
                        stats = clean_binary(f, sink, w.rules, s.options, name, on_removal, warnings.append)
                        if sink.identical():
                            raise _Unchanged
                        _views(w, res, src, removals)  # before the input is replaced
                        viewed = True
                        if s.backup:
                            _write_backup(src, out + s.backup)
                    res["status"] = "cleaned"
                except _Unchanged:
                    res["status"] = "unchanged"
            res["encoding"], res["bytes_out"] = stats.encoding, stats.bytes_out
            if not viewed:
                _views(w, res, src, removals)
    except InputError as e:
        res["status"], res["error"] = "failed", e.message
    except OutputError as e:
        res["status"], res["error"] = "output-failed", e.message
    except OSError as e:  # a read error half-way through the file
        res["status"], res["error"] = "failed", f"{src}: cannot read: {e.strerror or e}"
    except Exception as e:  # a bug: one file fails, named with the error, and the run goes on
        res["status"] = "failed"
        res["error"] = f"{src}: internal error ({type(e).__name__}: {e}); please report it with this file"
    if warnings:
        # A pattern that timed out is dropped for the rest of the process's run; start the next
        # file with fresh matchers, as `scrapeclean FILE` would, so results never depend on -j.
        compiled = getattr(w.rules, "_compiled", None)
        if compiled is not None:
            compiled.clear()
    if s.want_removals and res["status"] not in ("failed", "output-failed", "up-to-date"):
        res["removed"] = [(r.line_no, r.rule_id, r.text, r.whole_line) for r in removals]
    return res


def _new_result(index: int, status: str = "failed", error: str | None = None) -> dict:
    """A per-file result with nothing in it yet (`remote.clean_one` makes its failed ones here
    too, so that every backend's results have the same fields)."""
    return {"index": index, "status": status, "error": error, "warnings": [], "encoding": None,
            "bytes_in": 0, "bytes_out": 0, "counts": {}, "removed": None, "view": None,
            "prose": None, "removed_chars": 0, "in_stat": None, "out_stat": None, "hash": None}


def _views(w: _Worker, res: dict, src: str, removals: list[Removal]) -> None:
    """For the HTML report: the page's lines around its removals (only for pages that may be
    among the run's top pages) and its removed lines that read like sentences."""
    if not w.s.want_views or not removals:
        return
    prose: dict[str, tuple] = {}
    for r in removals:
        if r.whole_line and prose_like(r.text):
            prose.setdefault(" ".join(r.text.split()), (r.line_no, r.rule_id))
    res["prose"] = [(no, rule_id, text) for text, (no, rule_id) in list(prose.items())[:20]]
    if not w.wants_view(res["removed_chars"], res["hash"]):
        return
    from .stages.decode import decode
    from .stages.normalize import normalize_lines

    opts = w.s.options
    with open(src, "rb") as f:
        _, chunks = decode(f, src, opts.encoding, opts.chunk_bytes)
        res["view"] = page_rows(normalize_lines(chunks, opts.max_line_chars), removals)


def _stat_pair(path: str) -> list[int]:
    st = os.stat(path)
    return [st.st_size, st.st_mtime_ns]


def _write_backup(src: str, backup: str) -> None:
    """--backup: a copy of the input, written atomically before the input is replaced. An
    existing backup is kept: it holds the oldest text, which is the one worth keeping."""
    if os.path.lexists(backup):
        return
    import shutil

    with open(src, "rb") as f, atomic_output(backup) as b:
        shutil.copyfileobj(f, b, _HASH_CHUNK)
    shutil.copymode(src, backup)


def _worker_init(setup: _WorkerSetup) -> None:
    """In each worker process: Ctrl-C is the parent's business (it stops the pool); SIGTERM
    (the pool stopping, or the parent dying) unwinds, so the temporary file is removed."""
    import signal

    global _W
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _on_sigterm)
    _die_with_parent(signal.SIGTERM)
    if _W is None:  # 'spawn': nothing inherited, load the rules here
        _W = _Worker(setup)


def _on_sigterm(signum, frame) -> None:
    raise SystemExit(128 + signum)


def _die_with_parent(sig: int) -> None:
    """Linux: get `sig` when the parent process dies (even by kill -9), so no worker outlives
    an interrupted run."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, int(sig))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


# --- 5. the run ----------------------------------------------------------------------------

def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


class _Progress:
    """`\\r`-redrawn progress line on stderr; only when it is a terminal and not -q."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled and total > 0
        self.done = 0
        self.start = time.monotonic()
        self._drawn = 0.0
        self._width = 0

    def step(self) -> None:
        self.done += 1
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._drawn < 0.1 and self.done < self.total:
            return
        self._drawn = now
        elapsed = max(now - self.start, 1e-9)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate else 0
        filled = int(24 * self.done / self.total)
        line = (f"scrapeclean: [{'#' * filled}{'.' * (24 - filled)}] {self.done:,}/{self.total:,} files "
                f"{rate:,.0f}/s, {int(left) // 60}:{int(left) % 60:02d} left")
        self._width = max(self._width, len(line))
        sys.stderr.write("\r" + line.ljust(self._width))
        sys.stderr.flush()

    def clear(self) -> None:
        if self.enabled and self._width:
            sys.stderr.write("\r" + " " * self._width + "\r")
            sys.stderr.flush()
            self._width = 0


class _Run:
    """Collects results as they arrive: messages, journal, counts, reports. What goes to stdout
    (the `--check` list) and to the JSONL report is released in input order, so neither
    depends on -j."""

    def __init__(self, req: BatchRequest, error: Say, warn: Say | None, journal: _Journal | None,
                 jsonl: JsonlReport | None, html: HtmlAudit | None, progress: _Progress) -> None:
        self.req, self.error, self.warn = req, error, warn
        self.journal, self.jsonl, self.html, self.progress = journal, jsonl, html, progress
        self.tally = Tally()
        self.status_counts: dict[str, int] = {}
        self.bytes_in = self.bytes_out = 0
        self.output_error: str | None = None
        self._pending: dict[int, tuple[str | None, dict | None]] = {}
        self._next = 0

    def say(self, message: str, is_error: bool) -> None:
        sink = self.error if is_error else self.warn
        if sink is not None:
            self.progress.clear()
            sink(message)

    def settle(self, entry: Entry, res: dict, counted: bool = False) -> None:
        status = res["status"]
        self.status_counts[status] = self.status_counts.get(status, 0) + 1
        if counted:
            self.progress.step()
        for w in res.get("warnings") or ():
            self.say(w, False)
        if status in ("failed", "output-failed"):
            self.say(res["error"], True)
            if status == "output-failed" and self.output_error is None:
                self.output_error = res["error"]
        if status in ("cleaned", "unchanged", "clean", "would-change"):
            self.bytes_in += res["bytes_in"]
            self.bytes_out += res["bytes_out"]
            self.tally.add(res["counts"])
        if self.journal is not None and status in ("cleaned", "up-to-date") and res.get("out_stat"):
            self.journal.record(entry, res)
        if self.html is not None:
            self.html.add(entry.rel, entry.out, res)  # shown relative to SRC (the header names it)
        # (the --check line, the JSONL record) of this entry, released in input order
        self._pending[entry.index] = (
            entry.src if status == "would-change" else None,
            _record(entry, res) if self.jsonl is not None else None,
        )
        while self._next in self._pending:
            changed, record = self._pending.pop(self._next)
            self._next += 1
            if changed is not None:
                self.progress.clear()
                sys.stdout.write(changed + "\n")
                sys.stdout.flush()
            if record is not None:
                self.jsonl.add(record)


def _record(entry: Entry, res: dict) -> dict:
    """One JSONL record: a file and what became of it."""
    removed = res.get("removed")
    return {
        "path": entry.src,
        "output": entry.out,
        "status": res["status"],
        "encoding": res.get("encoding"),
        "bytes_in": res.get("bytes_in", 0),
        "bytes_out": res.get("bytes_out", 0),
        "removed": None if removed is None else [
            {"line": n, "rule": rid, "text": text, "span": not whole} for n, rid, text, whole in removed],
        "error": res.get("error"),
    }


def run_batch(req: BatchRequest, error: Say, warn: Say | None, results: Callable | None = None) -> int:
    """The `batch` command: -> exit status. `error`/`warn` print one line on stderr (`warn` is
    None with -q). `results(jobs, workers, setup)` runs the cleaning (default `_results`: local
    worker processes; `dask_backend` passes one that runs it on a Dask cluster)."""
    from .remote import file_urls_as_paths, refuse_without_scheduler

    started = time.monotonic()
    req = file_urls_as_paths(req)  # file:// URLs are the local paths they name
    if results is None:
        refuse_without_scheduler(req)  # other URLs: only on a Dask cluster (`remote.py` says why)
    _check_request(req)
    if req.options.encoding:
        from .stages.decode import check_encoding_name

        check_encoding_name(req.options.encoding)
    rules = load_rules(req.rule_paths, builtin=not req.no_builtin, select=req.select, ignore=req.ignore)
    if not (req.learn or req.learn_to):
        check_site(rules, req.options.site)
    entries = _select(req, warn or (lambda m: None))
    _place(req, entries)
    if not (req.learn or req.learn_to):
        return _run_selected(req, rules, entries, error, warn, started, results)
    with _learned_first(req, entries, warn) as learned:
        req = dataclasses.replace(req, rule_paths=req.rule_paths + tuple(learned))
        rules = load_rules(req.rule_paths, builtin=not req.no_builtin, select=req.select, ignore=req.ignore)
        if not learned:  # (--site DOMAIN with --learn names the site the packs were learned for)
            check_site(rules, req.options.site)
        return _run_selected(req, rules, entries, error, warn, started, results)


@contextlib.contextmanager
def _learned_first(req: BatchRequest, entries: list[Entry], warn: Say | None) -> Iterator[list[str]]:
    """`--learn`: the first pass. Learn from exactly the files the batch selected (those that
    could be listed; the cleaning pass names the others) and write one site pack per site to
    `--learn-to` (created if missing; a pack there from an earlier run is replaced), or to a
    temporary folder removed when the run ends. -> the rule files to add to the run's rules.

    Learning is single-process and reads the files in selection order, so the packs, and
    with them the outputs, do not depend on -j; learning the same files again writes the same
    rules, so a re-run finds its outputs up to date (the journal's fingerprint covers the
    rules' content, not the folder they came from)."""
    from .learn import LearnOptions, learn_site_packs

    options = LearnOptions(encoding=req.options.encoding, builtin=not req.no_builtin,
                           site=req.options.site if req.options.site not in ("auto", "none") else None)
    paths = [e.src for e in entries if e.result is None]
    info = warn
    if req.learn_to:
        try:
            os.makedirs(req.learn_to, exist_ok=True)
        except OSError as e:
            raise OutputError(f"--learn-to {req.learn_to}: cannot create this folder: {e.strerror}") from None
        before = {n for n in os.listdir(req.learn_to) if n.endswith(".toml")}
        written = learn_site_packs(paths, req.learn_to, options, info)
        stale = sorted(before - {p.name for p in written})
        if stale and warn is not None:
            warn(f"--learn-to {req.learn_to}: {', '.join(stale)} not written by this run: left as is, not used")
        yield [str(p) for p in written]
        return
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="scrapeclean-learned-")
    try:
        written = learn_site_packs(paths, folder, options, info)
        if written and warn is not None:
            warn("the learned rules are removed after the run: --learn-to FOLDER keeps them for review")
        yield [str(p) for p in written]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run_selected(req, rules, entries, error, warn, started, results) -> int:
    """Plan, clean and account for the selected entries with these rules."""
    mode = "check" if req.check else "in-place" if req.in_place else "out"

    journal = None
    if mode == "out":
        journal = _Journal(req.out, fingerprint(rules, req.options))
        journal.open()
    try:
        if mode != "check":
            _sweep_temporaries(entries, req.backup if mode == "in-place" else None)
        todo: list[Entry] = []
        for e in entries:
            if e.result is not None:
                continue
            if journal is not None and not req.force:
                try:
                    verdict = journal.up_to_date(e, os.stat(e.src))
                except OSError:
                    verdict = False
                if verdict is True:
                    e.result = {"status": "up-to-date"}
                    continue
                if isinstance(verdict, str):
                    e.expect_hash = verdict
            todo.append(e)
        return _execute(req, rules, mode, entries, todo, journal, error, warn, started, results or _results)
    finally:
        if journal is not None:
            journal.close()


def _execute(req, rules, mode, entries, todo, journal, error, warn, started, results=None) -> int:
    global _W
    setup = _WorkerSetup(req.rule_paths, req.select, req.ignore, req.no_builtin, req.options, mode,
                         req.backup, bool(req.report_jsonl), bool(req.report_html))
    progress = _Progress(len(todo), warn is not None and _is_tty(sys.stderr))
    jsonl = JsonlReport(req.report_jsonl) if req.report_jsonl else None
    html = HtmlAudit(VIEW_PAGES) if req.report_html else None
    run = _Run(req, error, warn, journal, jsonl, html, progress)
    finished = False
    try:
        for e in entries:  # settled without cleaning: failed while selecting, or up to date
            if e.result is not None:
                run.settle(e, e.result)
        workers = min(req.jobs or default_jobs(), len(todo))
        _W = _Worker(setup, rules)
        by_index = {e.index: e for e in todo}
        jobs = [(e.index, e.src, e.out, e.expect_hash) for e in todo]
        try:
            for res in (results or _results)(jobs, workers, setup):
                run.settle(by_index[res["index"]], res, True)
                if run.output_error:
                    break
        finally:
            progress.clear()
            _W = None
        finished = not run.output_error
    finally:
        if jsonl is not None:
            jsonl.close(commit=finished)  # a stopped run's report is not written
    if not finished:
        return EXIT_OUTPUT
    elapsed = time.monotonic() - started
    if html is not None:
        _write_html(req, html, run, elapsed)
    if warn is not None:
        for line in _summary(run, len(todo), elapsed):
            warn(line)
    if run.status_counts.get("failed", 0):
        return EXIT_INPUT
    if mode == "check" and run.status_counts.get("would-change", 0):
        return EXIT_CHANGES
    return EXIT_OK


def _results(jobs: list, workers: int, setup: _WorkerSetup) -> Iterator[dict]:
    """Run `_clean_one` over the jobs: in this process with one worker, else in a pool of
    worker processes ('fork' on Linux: the workers inherit the loaded rules), fed
    chunks of files, a few chunks ahead, results yielded as they come. A worker that dies (out
    of memory, a crash) stops the run with a message instead of hanging it."""
    if workers <= 1:
        for job in jobs:
            yield _clean_one(job)
        return
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    # 'fork' only on Linux: elsewhere (macOS) forking a process that may hold system library
    # state is unsafe, and 'spawn' workers load the rules themselves (`_worker_init`).
    fork = sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if fork else "spawn")
    if setup.options.engine == "fast" and _W is not None:
        # the fast engine's screen takes seconds to build: built once here, where forked
        # workers inherit it (spawned ones load it from the cache it was written to), not by
        # every worker at its first page
        fast_screen(_W.rules)
    size = max(1, min(16, len(jobs) // (workers * 8)))
    chunks = iter([jobs[i:i + size] for i in range(0, len(jobs), size)])
    pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_worker_init, initargs=(setup,))
    pending: set = set()
    finished = False
    try:
        while True:
            while len(pending) < workers * 3:
                chunk = next(chunks, None)
                if chunk is None:
                    break
                pending.add(pool.submit(_clean_chunk, chunk))
            if not pending:
                finished = True
                return
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                try:
                    yield from future.result()
                except BrokenProcessPool:
                    raise OutputError("a worker process died (out of memory? killed?); every output written so far "
                                      "is complete: run the same command again to finish (-j 1 shows which file)") from None
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:  # stopped early (Ctrl-C, an output error): stop the work in flight now
            processes = list((getattr(pool, "_processes", None) or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                with contextlib.suppress(Exception):
                    process.terminate()
            for process in processes:
                with contextlib.suppress(Exception):
                    process.join(5)


def _clean_chunk(jobs: list) -> list[dict]:
    try:
        return [_clean_one(job) for job in jobs]
    except SystemExit:  # SIGTERM: the temporary file is gone (atomic_output unwound); stop here
        os._exit(143)


def _is_tty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _write_html(req: BatchRequest, html: HtmlAudit, run: _Run, elapsed: float) -> None:
    info = {
        "sources": list(req.sources) or [f"--files-from {req.files_from}"],
        "dest": req.out or ("(in place)" if req.in_place else "(check only)"),
        "mode": "check" if req.check else "in-place" if req.in_place else "out",
        "options": _options_text(req),
        "elapsed": elapsed,
        "version": __version__,
        "statuses": dict(run.status_counts),
        "bytes_in": run.bytes_in,
        "bytes_out": run.bytes_out,
    }
    page = html.render(info, run.tally)
    with atomic_output(req.report_html) as f:
        f.write(page.encode("utf-8"))


def _options_text(req: BatchRequest) -> str:
    parts = []
    for p in req.rule_paths:
        parts.append(f"--rules {p}")
    parts += [f"--select {s}" for s in req.select] + [f"--ignore {s}" for s in req.ignore]
    if req.no_builtin:
        parts.append("--no-builtin")
    if req.learn_to:
        parts.append(f"--learn-to {req.learn_to}")
    elif req.learn:
        parts.append("--learn")
    o = req.options
    if o.site != "auto":
        parts.append(f"--site {o.site}")
    parts += [f"--lang {lang}" for lang in o.languages]
    if o.encoding:
        parts.append(f"--encoding {o.encoding}")
    if not getattr(o, "heuristics", True):
        parts.append("--no-heuristics")
    if getattr(o, "engine", "default") != "default":
        parts.append(f"--engine {o.engine}")
    return " ".join(parts) or "built-in rules, default options"


def _summary(run: _Run, processed: int, elapsed: float) -> list[str]:
    """The closing lines: files by outcome, bytes, time, lines removed per family, and why the
    exit status is not 0."""
    c = run.status_counts
    total = sum(c.values())
    parts = []
    for status, label in (("cleaned", "cleaned"), ("unchanged", "already clean"), ("up-to-date", "up to date (skipped)"),
                          ("would-change", "would change"), ("clean", "already clean"), ("failed", "failed"),
                          ("output-failed", "not written")):
        if c.get(status):
            parts.append(f"{c[status]:,} {label}")
    line = f"{total:,} files: {', '.join(parts) or 'none'}"
    if run.bytes_in:
        line += f"; {_size(run.bytes_in)} in, {_size(run.bytes_out)} out"
    line += f"; {elapsed:.1f} s"
    if processed and elapsed > 0:
        rate = f"{processed / elapsed:,.1f} files/s"
        # files/s counts the files this run read and cleaned: with others skipped as up to date,
        # say how many (a re-run that redid 1 file of 20,000 is not slow)
        line += f" ({rate})" if processed == total else f" ({processed:,} processed, {rate})"
    lines = [line]
    fams = run.tally.families()
    if fams:
        shown = [f"{f} {v['lines']:,}" + (f" (+{v['spans']:,} spans)" if v["spans"] else "") for f, v in fams]
        lines.append("lines removed by family: " + ", ".join(shown))
    if c.get("failed"):
        lines.append(f"exit status 3: {c['failed']:,} file(s) could not be cleaned (named above); all others were done")
    elif c.get("would-change"):
        lines.append(f"exit status 1: {c['would-change']:,} file(s) would change (listed on stdout)")
    return lines


def _size(n: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit}"
    return f"{n} B"
