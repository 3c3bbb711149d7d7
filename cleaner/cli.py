"""The command line, kept thin: parse options, call one entry point, map errors to exit codes.

`scrapeclean [FILE...]` is the `clean` command: the first argument picks a subcommand only when
it names one (`rules`, `batch`); anything else is a file to clean (write `./rules` for a file
called `rules`).
"""
from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import List, Optional

import typer
from typer.exceptions import TyperException

from . import __version__
from .errors import (
    EXIT_BROKEN_PIPE, EXIT_CHANGES, EXIT_INTERRUPTED, EXIT_OK, CleanerError, UsageError,
)

EXIT_CODES = """Exit status: 0 done; 1 `rules test` found failing examples; 2 usage error (bad option
or rule file, nothing cleaned); 3 an input could not be read or decoded (the others were still
cleaned; with -o nothing is written); 4 an output could not be written; 130 interrupted (Ctrl-C);
141 the reader of stdout went away (`| head`)."""

app = typer.Typer(
    add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Turn raw scraped web pages into clean article text.\n\n"
    "scrapeclean [FILE...] cleans each FILE (or stdin) to stdout; see `scrapeclean clean --help`.",
    epilog=EXIT_CODES,
)
rules_app = typer.Typer(help="List, show and test the rules.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")
SUBCOMMANDS = ("clean", "rules", "-h", "--help")

RulesOpt = typer.Option([], "--rules", metavar="PATH", help="Also load this rule file or folder (repeatable).")
SelectOpt = typer.Option([], "--select", metavar="PREFIX", help="Only rules whose id starts with PREFIX (repeatable), e.g. consent.")
IgnoreOpt = typer.Option([], "--ignore", metavar="PREFIX", help="Leave out rules whose id starts with PREFIX (repeatable).")
NoBuiltinOpt = typer.Option(False, "--no-builtin", help="Do not load the built-in rules.")


def _stderr(message: str) -> None:
    sys.stderr.write(f"scrapeclean: {message}\n")
    sys.stderr.flush()


def _load(rules: List[Path], select: List[str], ignore: List[str], no_builtin: bool):
    from .rules.load import load_rules

    return load_rules(rules, builtin=not no_builtin, select=select, ignore=ignore)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"scrapeclean {__version__}\n")
        raise typer.Exit()


@app.command("clean", epilog=EXIT_CODES)
def clean_command(
    files: Optional[List[str]] = typer.Argument(None, metavar="[FILE]...", help="Files to clean; none or - reads stdin."),
    output: Optional[str] = typer.Option(None, "-o", "--output", metavar="FILE", help="Write here (atomically) instead of stdout."),
    rules: List[Path] = RulesOpt,
    select: List[str] = SelectOpt,
    ignore: List[str] = IgnoreOpt,
    no_builtin: bool = NoBuiltinOpt,
    site: str = typer.Option("auto", "--site", metavar="DOMAIN", help="Site pack: auto (from the page's fingerprints), none, or a domain such as dw.com."),
    lang: List[str] = typer.Option([], "--lang", metavar="CODE", help="Page language(s); rules tagged with other languages are off."),
    encoding: Optional[str] = typer.Option(None, "--encoding", metavar="NAME", help="Decode input with this encoding instead of detecting it."),
    explain: bool = typer.Option(False, "--explain", help="Print what was removed (line: rule id: text) instead of the clean text."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="No warnings on stderr (errors still go there)."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """Clean each FILE (or stdin) to stdout. Only clean text goes to stdout; messages go to stderr."""
    from .options import Options
    from .pipeline import check_site
    from .single import clean_files
    from .stages.decode import check_encoding_name

    if encoding:
        check_encoding_name(encoding)
    ruleset = _load(rules, select, ignore, no_builtin)
    check_site(ruleset, site)
    options = Options(encoding=encoding, site=site, languages=tuple(lang))
    status = clean_files(files or [], output, ruleset, options, explain, _stderr, None if quiet else _stderr)
    raise typer.Exit(status)


@rules_app.command("list")
def rules_list(rules: List[Path] = RulesOpt, select: List[str] = SelectOpt, ignore: List[str] = IgnoreOpt, no_builtin: bool = NoBuiltinOpt) -> None:
    """One line per rule: id, action, languages or site, summary."""
    ruleset = _load(rules, select, ignore, no_builtin)
    width = max((len(r.id) for r in ruleset.rules), default=0)
    for r in ruleset.rules:
        scope = ",".join(r.sites) if r.sites else ",".join(r.languages) or "all"
        sys.stdout.write(f"{r.id:<{width}}  {r.action:<10}  {scope:<12}  {r.summary}\n")


@rules_app.command("show")
def rules_show(rule_id: str = typer.Argument(..., metavar="ID"), rules: List[Path] = RulesOpt, no_builtin: bool = NoBuiltinOpt) -> None:
    """Everything about one rule: where it is, what it matches, why, its risk and examples."""
    ruleset = _load(rules, [], [], no_builtin)
    rule = ruleset.get(rule_id)
    if rule is None:
        raise UsageError(f"rules show {rule_id}: no such rule (see `scrapeclean rules list`)")
    lines = [f"{rule.id}  ({rule.action}, {rule.source})", f"summary: {rule.summary}", f"why:     {rule.why}", f"risk:    {rule.risk}"]
    if rule.languages:
        lines.append(f"languages: {', '.join(rule.languages)}")
    if rule.sites:
        lines.append(f"sites: {', '.join(rule.sites)}")
    lines += ["patterns:"] + [f"  {p}" for p in rule.patterns]
    lines += [f"  {i}. {'(optional) ' if e.optional else ''}{e.pattern}" for i, e in enumerate(rule.block, 1)]
    lines += ["removes:"] + [f"  {e!r}" for e in rule.removes] + ["keeps:"] + [f"  {e!r}" for e in rule.keeps]
    if rule.cases:
        lines.append(f"cases: {len(rule.cases)} whole-page example(s)")
    sys.stdout.write("\n".join(lines) + "\n")


@rules_app.command("test")
def rules_test(
    paths: Optional[List[Path]] = typer.Argument(None, metavar="[PATH]...", help="Rule files or folders to test (default: the built-in rules)."),
    no_builtin: bool = NoBuiltinOpt,
    quiet: bool = typer.Option(False, "-q", "--quiet", help="Print failures only."),
) -> None:
    """Run every rule's embedded examples. The keep examples are checked against all loaded rules
    (built-in ones too, unless --no-builtin), so a new rule cannot remove another's keep text."""
    from .ruletest import check_rules
    from .rules.load import load_rules

    loaded = load_rules(paths or [], builtin=not no_builtin or not paths)
    under_test = load_rules(paths, builtin=False).rules if paths else loaded.rules
    failures = check_rules(under_test, loaded)
    for f in failures:
        sys.stdout.write(f"FAIL {f}\n")
    if not quiet:
        sys.stdout.write(f"{len(under_test)} rules tested: {len(under_test) - len({f.rule.id for f in failures})} passed, {len({f.rule.id for f in failures})} failed\n")
    raise typer.Exit(EXIT_CHANGES if failures else EXIT_OK)


def main(argv: Optional[List[str]] = None) -> None:
    """Console entry point: run the app and turn every failure into a one-line message and an
    exit status; never a traceback."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or (args[0] not in SUBCOMMANDS and not args[0] == "--version"):
        args = ["clean"] + args
    elif args[0] == "--version":
        args = ["clean", "--version"]
    try:
        status = app(args=args, prog_name="scrapeclean", standalone_mode=False)
    except CleanerError as e:
        _stderr(e.message)
        status = e.exit_code
    except TyperException as e:
        message = e.format_message() if hasattr(e, "format_message") else str(e)
        _stderr(f"{message} (see `scrapeclean --help`)")
        status = getattr(e, "exit_code", 2)
    except typer.Exit as e:
        status = e.exit_code
    except typer.Abort:
        status = EXIT_INTERRUPTED
    except KeyboardInterrupt:
        status = EXIT_INTERRUPTED
    except BrokenPipeError:
        status = _broken_pipe()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        status = _broken_pipe()
    sys.exit(status or 0)


def _broken_pipe() -> int:
    """The reader closed stdout: stop quietly. Point stdout at /dev/null so the interpreter's
    final flush does not complain."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return EXIT_BROKEN_PIPE


if __name__ == "__main__":  # pragma: no cover
    signal.signal(signal.SIGINT, signal.default_int_handler)
    main()
