"""Errors a user can act on, each tied to the exit status the CLI gives it.

Every message is one line that names the file (or rule) and says how to fix the problem; the
CLI prints `scrapeclean: <message>` to stderr and exits with the status below, never with a
traceback.
"""
from __future__ import annotations

# Exit statuses (documented in README and `scrapeclean --help`).
EXIT_OK = 0
EXIT_CHANGES = 1  # `rules test` found failing examples; `batch --check` found files to clean
EXIT_USAGE = 2  # bad option, bad rule file: nothing was cleaned
EXIT_INPUT = 3  # an input could not be read or decoded (the others were still cleaned)
EXIT_OUTPUT = 4  # an output could not be written
EXIT_BROKEN_PIPE = 141  # the reader closed stdout (`| head`): 128 + SIGPIPE, as cat does
EXIT_INTERRUPTED = 130  # Ctrl-C: 128 + SIGINT


class CleanerError(Exception):
    """Base class: an error with a one-line, user-facing message and an exit status."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(CleanerError):
    """A bad option or argument."""

    exit_code = EXIT_USAGE


class RuleError(CleanerError):
    """A rule file that cannot be used: `path: rule ID: key: what is wrong`."""

    exit_code = EXIT_USAGE

    def __init__(self, path: str, rule_id: str | None, key: str | None, problem: str) -> None:
        where = [str(path)]
        if rule_id:
            where.append(f"rule {rule_id}")
        if key:
            where.append(key)
        super().__init__(": ".join(where + [problem]))
        self.path, self.rule_id, self.key, self.problem = str(path), rule_id, key, problem


class InputError(CleanerError):
    """An input that cannot be read or decoded (binary, unknown encoding, missing file)."""

    exit_code = EXIT_INPUT


class OutputError(CleanerError):
    """An output that cannot be written."""

    exit_code = EXIT_OUTPUT


class ReaderGone(CleanerError):
    """The reader of stdout went away (`| head`): stop quietly, as `cat` does."""

    exit_code = EXIT_BROKEN_PIPE

    def __init__(self) -> None:
        super().__init__("")
