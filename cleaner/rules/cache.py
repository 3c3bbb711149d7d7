"""A small on-disk cache that makes start-up cheap: rule files already parsed and validated
(by content hash and path), what `analysis.analyse` found for each pattern, the compiled
form of the combined patterns `re` runs, and the stop-word lists (stages/language.py). Validating and analysing
~250 patterns costs over a second; a shell loop calling `scrapeclean` once per page cannot pay
that every time.

The cache lives in $XDG_CACHE_HOME/scrapeclean (or ~/.cache/scrapeclean), one file per
scrapeclean and Python version, written atomically. Set SCRAPECLEAN_NO_CACHE=1 to bypass it. A
cache that cannot be read or written is ignored: it only ever saves time."""
from __future__ import annotations

import array
import atexit
import contextlib
import os
import pickle
import re
import re._compiler as _re_compiler
import re._parser as _re_parser
import sys

import _sre

try:  # the BLAKE2 that hashlib wraps: importing hashlib itself loads OpenSSL, ~5 ms per call
    from _blake2 import blake2b as _blake2b
except ImportError:  # another Python implementation
    from hashlib import blake2b as _blake2b

_state: dict | None = None
_dirty = False
_SECTIONS = ("files", "analysis", "re", "data")
# Entries kept at most per section: what this process used comes first, then the newest others.
# (Tests and users create many one-off rule files; the cache must not grow with them.)
_KEEP = {"files": 64, "analysis": 4000, "re": 1000, "data": 4}
_used: dict[str, set] = {name: set() for name in _SECTIONS}


def _path() -> str | None:
    if os.environ.get("SCRAPECLEAN_NO_CACHE"):
        return None
    from .. import __version__

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    # What is cached is what this code computes: the code that computes it is part of the key.
    here = os.path.dirname(os.path.realpath(__file__))
    sources = ("analysis.py", "load.py", "model.py", "cache.py", "../stages/language.py")
    code = _blake2b(b"".join(_read(os.path.join(here, f)) for f in sources), digest_size=16)
    name = f"rules-{__version__}-py{sys.version_info[0]}{sys.version_info[1]}-{code.hexdigest()[:12]}.pickle"
    return os.path.join(base, "scrapeclean", name)


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def _load() -> dict:
    global _state
    if _state is None:
        _state = {name: {} for name in _SECTIONS}
        path = _path()
        if path is not None:
            with contextlib.suppress(Exception):
                with open(path, "rb") as f:
                    loaded = pickle.load(f)
                if isinstance(loaded, dict) and set(loaded) == set(_SECTIONS):
                    _state = loaded
        atexit.register(save)
    return _state


def digest(data: bytes) -> str:
    return _blake2b(data, digest_size=32).hexdigest()


def _get(section: str, key):
    value = _load()[section].get(key)
    if value is not None:
        _used[section].add(key)
    return value


def _put(section: str, key, value) -> None:
    global _dirty
    _load()[section][key] = value
    _used[section].add(key)
    _dirty = True


def parsed_file(key: tuple):
    return _get("files", key)


def remember_parsed_file(key: tuple, value) -> None:
    _put("files", key, value)


def analysis(key: tuple):
    return _get("analysis", key)


def remember_analysis(key: tuple, value) -> None:
    _put("analysis", key, value)


def data(key: tuple):
    """Other derived data the pipeline loads at start-up (the stop-word lists), by a key that
    names its source file's version."""
    return _get("data", key)


def remember_data(key: tuple, value) -> None:
    _put("data", key, value)


BLOBS_KEPT = 8  # large derived files (the fast engine's databases) kept beside the cache at most


def version_tag() -> str:
    """What the cache's own file name says of the code and Python that filled it (its
    derived files must be keyed by it too), or "" when the cache is off."""
    path = _path()
    return os.path.basename(path) if path else ""


def blob(name: str) -> bytes | None:
    """A large derived file kept beside the cache (not in it: the cache is loaded by every
    run, these only by runs that use them), or None."""
    path = _path()
    if path is None:
        return None
    file = os.path.join(os.path.dirname(path), name)
    try:
        with open(file, "rb") as f:
            data = f.read()
    except OSError:
        return None
    # Marked as used: `remember_blob` lets the least recently used go, so the rule set run
    # every day keeps its file however many one-off rule sets (tests, --rules trials) come after.
    with contextlib.suppress(OSError):
        os.utime(file)
    return data


@contextlib.contextmanager
def building_blobs():
    """Held while a blob is built: a process that finds a blob missing takes it, then looks
    again, so that processes started together on a cold cache (`xargs -P 4 scrapeclean ...`,
    batch workers) build it once and the others load it, instead of each spending seconds on
    the same build. One lock for all blobs (builds are rare); without a cache, or where file
    locks are unavailable, nothing is held."""
    path = _path()
    lock = None
    if path is not None:
        with contextlib.suppress(Exception):
            import fcntl

            os.makedirs(os.path.dirname(path), exist_ok=True)
            lock = open(os.path.join(os.path.dirname(path), ".blobs.lock"), "ab")
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
    try:
        yield
    finally:
        if lock is not None:
            lock.close()  # (closing releases the lock)


def remember_blob(name: str, data: bytes) -> None:
    """Keep `data` as `blob(name)`, written atomically; the least recently used such files
    beyond BLOBS_KEPT go (each rule set has its own)."""
    path = _path()
    if path is None:
        return
    with contextlib.suppress(Exception):  # a cache that cannot be written is only a lost speed-up
        import tempfile

        folder = os.path.dirname(path)
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".blob-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, os.path.join(folder, name))
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        prefix = name.split("-", 1)[0] + "-"
        others = [os.path.join(folder, n) for n in os.listdir(folder) if n.startswith(prefix) and n != name]
        others.sort(key=os.path.getmtime)
        for stale in others[: max(0, len(others) - (BLOBS_KEPT - 1))]:
            with contextlib.suppress(OSError):
                os.unlink(stale)


def save() -> None:
    """Write the cache if anything was added (also run at exit)."""
    global _dirty
    path = _path()
    if not _dirty or path is None or _state is None:
        return
    _dirty = False
    with contextlib.suppress(Exception):  # a cache that cannot be written is only a lost speed-up
        import tempfile

        for name in _SECTIONS:
            section = _state[name]
            if len(section) > _KEEP[name]:
                used = [k for k in section if k in _used[name]]
                others = [k for k in section if k not in _used[name]]
                room = max(0, _KEEP[name] - len(used))
                _state[name] = {k: section[k] for k in others[len(others) - room :] + used}
        folder = os.path.dirname(path)
        os.makedirs(folder, exist_ok=True)
        for name in os.listdir(folder):  # files written by other versions of the code
            stale = os.path.join(folder, name)
            if name.startswith("rules-") and name.endswith(".pickle") and stale != path:
                os.unlink(stale)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".rules-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(_state, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def compile_re(source: str) -> re.Pattern:
    """`re.compile(source)`, but the compiled program is kept in the cache: compiling the rules'
    combined patterns costs ~100 ms a run, rebuilding one from its program microseconds. This
    uses the standard library's private compiler API exactly as `re._compiler.compile` does; on
    any surprise (another Python) it falls back to `re.compile`."""
    _load()
    stored = _get("re", source)
    if stored is not None:
        try:
            flags, code, groups, groupdict, indexgroup = stored
            return _sre.compile(source, flags, array.array(_sre.CODESIZE == 4 and "I" or "H", code).tolist(),
                                groups, groupdict, indexgroup)
        except Exception:
            pass
    try:
        parsed = _re_parser.parse(source, 0)
        code = [int(op) for op in _re_compiler._code(parsed, 0)]  # plain ints: picklable
        indexgroup = [None] * parsed.state.groups
        for name, index in parsed.state.groupdict.items():
            indexgroup[index] = name
        program = (parsed.state.flags, code, parsed.state.groups - 1, parsed.state.groupdict, tuple(indexgroup))
        compiled = _sre.compile(source, *program)
    except Exception:
        return re.compile(source)
    # The code as packed machine words: unpickled as one bytes object instead of thousands of
    # ints (the cache loads ~10x faster, and every call of the CLI loads it).
    flags, code, groups, groupdict, indexgroup = program
    _put("re", source, (flags, array.array(_sre.CODESIZE == 4 and "I" or "H", code).tobytes(), groups, groupdict, indexgroup))
    return compiled
