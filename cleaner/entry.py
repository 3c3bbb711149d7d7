"""The `scrapeclean` process: run a command, turn every failure into a one-line message and an
exit status (never a traceback), end quietly on a closed pipe or Ctrl-C.

Start-up matters to shell loops that call `scrapeclean` once per page, and importing the
argument parser (typer) costs more than cleaning a page. So the plainest invocations - files,
`-`, `-o/--output FILE`, `-q/--quiet`, `--no-heuristics`, `--rules PATH` (learned site packs
in a shell loop) - are recognised here and run directly; everything else
goes through the typer app in `cli.py`, which defines every command and option.
"""
from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see record.py)
if TYPE_CHECKING:
    from typing import List, Optional

from .errors import EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, EXIT_OUTPUT, CleanerError, ReaderGone

SUBCOMMANDS = ("clean", "rules", "batch", "learn")


def say(message: str) -> None:
    """One line on stderr."""
    sys.stderr.write(f"scrapeclean: {message}\n")
    sys.stderr.flush()


def main(argv: Optional[List[str]] = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        status = _run(args)
        sys.stdout.flush()
    except (ReaderGone, BrokenPipeError):
        status = _broken_pipe()
    except CleanerError as e:
        say(e.message)
        status = e.exit_code
    except KeyboardInterrupt:
        status = EXIT_INTERRUPTED
    except OSError as e:  # the final flush of stdout failed (disk full, ...)
        say(f"<stdout>: cannot write: {e.strerror or e}")
        status = EXIT_OUTPUT
        _silence_stdout()
    sys.exit(status or 0)


def _run(args: List[str]) -> int:
    plain = _plain_clean(args)
    if plain is not None:
        files, output, quiet, heuristics, rule_paths = plain
        from .options import Options
        from .pipeline import default_rules
        from .rules.load import load_rules
        from .single import clean_files

        rules = load_rules(rule_paths) if rule_paths else default_rules()
        return clean_files(files, output, rules, Options(heuristics=heuristics), False, say, None if quiet else say)
    return _run_typer(args)


def _plain_clean(args: List[str]) -> tuple[list[str], str | None, bool, bool, list[str]] | None:
    """(files, output, quiet, heuristics, rule paths) when `args` is a plain clean invocation,
    else None."""
    if args and args[0] in SUBCOMMANDS:
        return None
    files: list[str] = []
    rule_paths: list[str] = []
    output, quiet, heuristics, options_done = None, False, True, False
    it = iter(args)
    for arg in it:
        if options_done or arg == "-" or not arg.startswith("-"):
            files.append(arg)
        elif arg == "--":
            options_done = True
        elif arg in ("-q", "--quiet"):
            quiet = True
        elif arg in ("--no-heuristics", "--heuristics"):  # (the last one given wins, as in typer)
            heuristics = arg == "--heuristics"
        elif arg in ("-o", "--output") and output is None:
            output = next(it, None)
            if output is None:
                return None
        elif arg.startswith("--output=") and output is None:
            output = arg[len("--output="):]
        elif arg == "--rules":
            path = next(it, None)
            if path is None:
                return None
            rule_paths.append(path)
        elif arg.startswith("--rules="):
            rule_paths.append(arg[len("--rules="):])
        else:
            return None
    return files, output, quiet, heuristics, rule_paths


def _run_typer(args: List[str]) -> int:
    import typer
    from typer.exceptions import TyperException

    from .cli import app

    if not args or (args[0] not in SUBCOMMANDS + ("-h", "--help")):
        args = ["clean"] + args
    if args in (["rules"], ["batch"]):  # a group alone: its help, on stdout, like --help
        args = args + ["--help"]
    try:
        return app(args=args, prog_name="scrapeclean", standalone_mode=False) or 0
    except TyperException as e:
        message = e.format_message() if hasattr(e, "format_message") else str(e)
        say(f"{message} (see `scrapeclean --help`)")
        return getattr(e, "exit_code", 2)
    except typer.Exit as e:
        return e.exit_code
    except typer.Abort:
        return EXIT_INTERRUPTED


def _broken_pipe() -> int:
    """The reader closed stdout: stop quietly."""
    _silence_stdout()
    return EXIT_BROKEN_PIPE


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not complain."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
