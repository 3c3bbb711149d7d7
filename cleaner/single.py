"""The default command's job: clean the given files (or stdin) to stdout or one output file.

Inputs are cleaned in order; one that cannot be read or decoded is reported and skipped (exit
status 3 at the end), like `cat`. With `-o`, the output file is written atomically and only if
every input was cleaned: an existing file is never replaced by a partial result.
"""
from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Sequence

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see record.py)
if TYPE_CHECKING:
    from typing import BinaryIO

from .errors import EXIT_INPUT, EXIT_OK, InputError, OutputError, ReaderGone
from .fileio import atomic_output, open_input
from .options import Options
from .pipeline import clean_binary, clean_chunks
from .removal import Removal
from .rules.model import RuleSet
from .stages.decode import decode
from .stages.write import write_text

Say = Callable[[str], None]


def format_removal(name: str | None, r: Removal) -> str:
    """One `--explain` line: `[name:]line: rule-id: removed text` (spans marked as such)."""
    where = f"{name}:{r.line_no}" if name else str(r.line_no)
    what = r.text if r.whole_line else f"[span] {r.text}"
    return f"{where}: {r.rule_id}: {what}\n"


def clean_files(
    inputs: Sequence[str],
    output: str | None,
    rules: RuleSet,
    options: Options,
    explain: bool,
    error: Say,
    warn: Say | None,
) -> int:
    """-> exit status. `error` and `warn` print one line to stderr."""
    try:
        return _clean_files(inputs, output, rules, options, explain, error, warn)
    except BrokenPipeError:
        raise ReaderGone() from None
    except OutputError:
        raise
    except OSError as e:  # reading errors are InputErrors by now: this is the output failing
        raise OutputError(f"{output or '<stdout>'}: cannot write: {e.strerror or e}") from None


def _clean_files(inputs, output, rules, options, explain, error, warn) -> int:
    status = EXIT_OK
    with contextlib.ExitStack() as stack:
        out: BinaryIO = stack.enter_context(atomic_output(output)) if output else sys.stdout.buffer
        for path in inputs or ["-"]:
            try:
                with open_input(path) as (src, name):
                    if explain:
                        _explain(src, out, rules, options, name if len(inputs) > 1 else None, warn)
                    else:
                        clean_binary(src, out, rules, options, name, warn=warn)
            except InputError as e:
                error(e.message)
                status = EXIT_INPUT
        if output and status != EXIT_OK:
            raise InputError(f"{output}: not written, because an input failed (fix it or leave it out)")
        out.flush()
    return status


def _explain(src: BinaryIO, out: BinaryIO, rules: RuleSet, options: Options, name: str | None, warn: Say | None) -> None:
    """Write what the rules removed, one line each, instead of the clean text."""
    removals: list[str] = []
    _, chunks = decode(src, name or "<stdin>", options.encoding, options.chunk_bytes, warn)

    def note(r: Removal) -> None:
        removals.append(format_removal(name, r))
        if len(removals) >= 256:
            write_text(removals, out)
            removals.clear()

    for _ in clean_chunks(chunks, rules, options, note, warn):
        pass
    write_text(removals, out)
