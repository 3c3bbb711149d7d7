"""Opening inputs and writing outputs safely: a one-line error naming the file for every
failure, and outputs that appear whole or not at all (temporary file beside the target, then
an atomic rename), so a crash, Ctrl-C or kill -9 never leaves a half-written file."""
from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see record.py)
if TYPE_CHECKING:
    from typing import BinaryIO

from .errors import InputError, OutputError


@contextlib.contextmanager
def open_input(path: str) -> Iterator[tuple[BinaryIO, str]]:
    """-> (binary stream, display name); "-" is standard input."""
    if path == "-":
        yield sys.stdin.buffer, "<stdin>"
        return
    try:
        f = open(path, "rb")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder (use `scrapeclean batch {path} --out DEST` for folders)") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied (check the file's read permission)") from None
    except OSError as e:
        raise InputError(f"{path}: cannot open: {e.strerror}") from None
    with f:
        yield f, path


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """Write to a temporary file in the target's folder; rename it over the target only when
    the block finishes without an exception. The target keeps its permissions if it exists."""
    import tempfile

    target = os.fspath(path)
    folder = os.path.dirname(target) or "."
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.", suffix=".part")
    except FileNotFoundError:
        raise OutputError(f"{target}: folder {folder} does not exist (create it first)") from None
    except OSError as e:
        raise OutputError(f"{target}: cannot write in {folder}: {e.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError) and not isinstance(e, BrokenPipeError):
            raise OutputError(f"{target}: cannot write: {e.strerror or e}") from None
        raise


def _mode_for(target: str) -> int:
    try:
        return os.stat(target).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
