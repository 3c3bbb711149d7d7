"""The command line's parser (typer), kept thin: each command parses its options and calls one
entry point. `entry.main` runs it and maps errors to exit codes.

`scrapeclean [FILE...]` is the `clean` command: the first argument picks a subcommand only when
it names one (`rules`, `batch`); anything else is a file to clean (write `./rules` for a file
called `rules`).
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer
from typer.exceptions import TyperException

from . import __version__
from .errors import EXIT_CHANGES, EXIT_OK, UsageError

EXIT_CODES = """Exit status: 0 done; 1 `rules test` found failing examples, or `batch --check` found
files that cleaning would change; 2 usage error (bad option or rule file, nothing cleaned); 3 an
input could not be read or decoded (the others were still cleaned; with -o nothing is written);
4 an output could not be written (batch stops there); 130 interrupted (Ctrl-C); 141 the reader
of stdout went away (`| head`)."""

app = typer.Typer(
    add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Turn raw scraped web pages into clean article text.\n\n"
    "scrapeclean [FILE...] cleans each FILE (or stdin) to stdout; see `scrapeclean clean --help`.",
    epilog=EXIT_CODES,
)
rules_app = typer.Typer(help="List, show and test the rules.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")

RulesOpt = typer.Option([], "--rules", metavar="PATH", help="Also load this rule file or folder (repeatable).")
SelectOpt = typer.Option([], "--select", metavar="PREFIX", help="Only rules whose id starts with PREFIX (repeatable), e.g. consent.")
IgnoreOpt = typer.Option([], "--ignore", metavar="PREFIX", help="Leave out rules whose id starts with PREFIX (repeatable).")
NoBuiltinOpt = typer.Option(False, "--no-builtin", help="Do not load the built-in rules.")
EngineOpt = typer.Option("default", "--engine", metavar="NAME", help="default, or fast: screen lines with Hyperscan first (pip install 'scrapeclean[fast]'). Same output.")


def _stderr(message: str) -> None:
    from .entry import say

    say(message)


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
    heuristics: bool = typer.Option(True, "--heuristics/--no-heuristics", help="After the rules, also remove furniture no rule names (menus, link lists, ...), judged from each line and its neighbours. --no-heuristics: rules only."),
    engine: str = EngineOpt,
    explain: bool = typer.Option(False, "--explain", help="Print what was removed (line: rule id: text) instead of the clean text."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="No warnings on stderr (errors still go there)."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """Clean each FILE (or stdin) to stdout. Only clean text goes to stdout; messages go to stderr."""
    from .options import Options
    from .pipeline import check_engine, check_site
    from .single import clean_files
    from .stages.decode import check_encoding_name

    if encoding:
        check_encoding_name(encoding)
    ruleset = _load(rules, select, ignore, no_builtin)
    check_site(ruleset, site)
    options = Options(encoding=encoding, site=site, languages=tuple(lang), heuristics=heuristics, engine=check_engine(engine))
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


BATCH_EXIT_CODES = """Exit status: 0 all done (with --check: every file already clean); 1 --check: some
files would change (listed on stdout); 2 usage error (nothing done); 3 some inputs could not be
read or decoded (each named on stderr; all the others were done); 4 an output could not be
written, or a worker process died (the run stopped there); 130 interrupted (Ctrl-C). Outputs
already written are complete and stay; a re-run finishes the rest."""


@app.command("batch", epilog=BATCH_EXIT_CODES)
def batch_command(
    sources: Optional[List[str]] = typer.Argument(None, metavar="SRC", help="Folders (cleaned recursively) or files."),
    out: Optional[str] = typer.Option(None, "--out", metavar="DEST", help="Write the clean files here, at the same relative paths (never inside a SRC)."),
    in_place: bool = typer.Option(False, "--in-place", help="Replace each input by its clean text instead (atomically; an already clean file is left alone)."),
    backup: Optional[str] = typer.Option(None, "--backup", metavar="SUFFIX", help="With --in-place: first keep each changed input as FILE+SUFFIX (an existing backup is kept)."),
    globs: List[str] = typer.Option([], "--glob", metavar="PATTERN", help="Only files matching PATTERN (repeatable; with a / it matches the path under SRC, else the name; * also matches /)."),
    excludes: List[str] = typer.Option([], "--exclude", metavar="PATTERN", help="Leave out files and folders matching PATTERN (repeatable)."),
    follow_symlinks: bool = typer.Option(False, "--follow-symlinks", help="Also follow symlinks that lead outside their SRC."),
    jobs: Optional[int] = typer.Option(None, "-j", "--jobs", metavar="N", help="Worker processes (default: one per core). The result does not depend on N."),
    force: bool = typer.Option(False, "--force", help="Clean every file again, even those whose output is up to date."),
    check: bool = typer.Option(False, "--check", help="Write nothing: list on stdout the files cleaning would change; exit 1 if any, 0 if all are clean."),
    files_from: Optional[str] = typer.Option(None, "--files-from", metavar="FILE", help="Clean the files listed in FILE (- for stdin), one per line; output paths are relative to SRC if given, else to the current folder."),
    null: bool = typer.Option(False, "-0", "--null", help="The --files-from list is NUL-separated (find -print0)."),
    report_jsonl: Optional[str] = typer.Option(None, "--report-jsonl", metavar="FILE", help="One JSON record per file: path, encoding, bytes in/out, removed lines with rule ids and line numbers, errors (- for stdout)."),
    report_html: Optional[str] = typer.Option(None, "--report-html", metavar="FILE", help="A self-contained HTML audit page of the run."),
    rules: List[Path] = RulesOpt,
    select: List[str] = SelectOpt,
    ignore: List[str] = IgnoreOpt,
    no_builtin: bool = NoBuiltinOpt,
    site: str = typer.Option("auto", "--site", metavar="DOMAIN", help="Site pack: auto (from each page's fingerprints), none, or a domain such as dw.com."),
    lang: List[str] = typer.Option([], "--lang", metavar="CODE", help="Page language(s); rules tagged with other languages are off."),
    encoding: Optional[str] = typer.Option(None, "--encoding", metavar="NAME", help="Decode input with this encoding instead of detecting it."),
    heuristics: bool = typer.Option(True, "--heuristics/--no-heuristics", help="After the rules, also remove furniture no rule names, judged from each line and its neighbours. --no-heuristics: rules only."),
    engine: str = EngineOpt,
    quiet: bool = typer.Option(False, "-q", "--quiet", help="No progress bar, warnings or summary (errors still go to stderr)."),
    learn: bool = typer.Option(False, "--learn", help="First learn the furniture the selected pages' sites repeat (as `scrapeclean learn` does), then clean with those rules added."),
    learn_to: Optional[str] = typer.Option(None, "--learn-to", metavar="FOLDER", help="Keep the learned site packs in FOLDER for review (implies --learn; default: a temporary folder, removed after the run)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", metavar="tcp://HOST:PORT", help="Clean on this Dask cluster instead of local worker processes (same outputs; SRC and DEST on a filesystem the workers share, or fsspec URLs such as s3://BUCKET/PATH). Needs pip install 'scrapeclean[dask]'."),
) -> None:
    """Clean every file under each SRC into DEST at the same relative paths (or in place).

    Hidden files and folders are skipped. A file that cannot be read or decoded is named on
    stderr and the others go on (exit status 3). A re-run skips outputs that are up to date
    (same input, rules and options) and finishes the rest; a killed run leaves no partial file."""
    from .batch import BatchRequest, run_batch
    from .options import Options
    from .pipeline import check_engine

    request = BatchRequest(
        sources=tuple(sources or ()), out=out, in_place=in_place, backup=backup, globs=tuple(globs),
        excludes=tuple(excludes), follow_symlinks=follow_symlinks, jobs=jobs, force=force, check=check,
        files_from=files_from, null=null, quiet=quiet, report_jsonl=report_jsonl, report_html=report_html,
        rule_paths=tuple(str(p) for p in rules), select=tuple(select), ignore=tuple(ignore), no_builtin=no_builtin,
        options=Options(encoding=encoding, site=site, languages=tuple(lang), heuristics=heuristics, engine=check_engine(engine)),
        learn=learn or learn_to is not None, learn_to=learn_to,
    )
    if scheduler is not None:
        from .dask_backend import run_batch_dask

        raise typer.Exit(run_batch_dask(request, _stderr, None if quiet else _stderr, scheduler))
    raise typer.Exit(run_batch(request, _stderr, None if quiet else _stderr))


LEARN_EXIT_CODES = """Exit status: 0 done; 2 usage error (bad option; nothing learned); 3 some pages could not
be read or decoded (each named on stderr; the rules were learned from the others and written),
or none could (nothing written); 4 the rule file could not be written; 130 interrupted."""


@app.command("learn", epilog=LEARN_EXIT_CODES)
def learn_command(
    sources: Optional[List[str]] = typer.Argument(None, metavar="SRC...", help="Page files, or folders of them (read recursively)."),
    output: Optional[str] = typer.Option(None, "-o", "--output", metavar="FILE", help="The rule file to write (atomically); a FOLDER/ gets one site pack per site."),
    min_pages: int = typer.Option(3, "--min-pages", metavar="N", help="A line must recur on at least N pages of its site to be learned."),
    min_share: float = typer.Option(0.3, "--min-share", metavar="F", help="... and on at least this share of its site's pages."),
    site: Optional[str] = typer.Option(None, "--site", metavar="NAME", help="All pages are of this one site (no grouping); with a domain, the rules become a site pack for it."),
    group_by: str = typer.Option("text", "--group-by", metavar="HOW", help="How pages are grouped into sites: text (by the furniture they share) or folder."),
    globs: List[str] = typer.Option([], "--glob", metavar="PATTERN", help="Only files matching PATTERN (repeatable; with a / it matches the path under SRC, else the name)."),
    encoding: Optional[str] = typer.Option(None, "--encoding", metavar="NAME", help="Decode pages with this encoding instead of detecting it."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="No summary on stderr (errors still go there)."),
) -> None:
    """Learn the furniture a crawl's sites repeat (menus, footers, link lists) and write it as an
    ordinary rule file: one rule per run of recurring lines, plus a footer and a header marker
    where the pages agree, each with its evidence and examples. Use it with --rules."""
    from .learn import LearnOptions, run_learn

    options = LearnOptions(min_pages=min_pages, min_share=min_share, group_by=group_by, site=site,
                           globs=tuple(globs), encoding=encoding)
    raise typer.Exit(run_learn(sources or [], output, options, _stderr, None if quiet else _stderr))
