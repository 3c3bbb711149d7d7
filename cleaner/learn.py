"""`scrapeclean learn`: a crawl of pages -> a rule file of the furniture its sites repeat.

What repeats across a site's pages (menus, footers, sidebars, teaser lists) is furniture even
where no rule or heuristic knows it. Two passes over the pages, one page in memory at a time:

1. Count (cleaner/learning/counting.py): each page is read as the pipeline reads it, assigned
   to its site (groups.py), and each of its lines is reduced to a masked key (keys.py: numbers,
   dates and counters masked, case and punctuation ignored); in how many pages of its group
   each key occurs is counted in bounded memory (lossy counting: a key seen once is soon
   dropped).
2. Evidence (evidence.py): the pages are read again; for the keys that recur on enough pages
   only, where they stand (top, bottom, inside the page's own text or outside it), what stands
   next to them, and real examples.

Then the guards (choose.py) refuse what may be article text (paragraphs, sentences inside the
article, syndicated text, headlines that other pages link to), the rest is gathered into one
rule per run of furniture, and the rule file is written (write.py), checked with the rules' own
example test first, atomically.

`learn_rules` is the entry point for other commands (`batch --learn`); `run_learn` the CLI's.
"""
from __future__ import annotations

import os
import time
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from .errors import EXIT_INPUT, EXIT_OK, InputError, OutputError, UsageError
from .fileio import atomic_output
from .learning.choose import choose
from .learning.counting import LossyCounter, threshold
from .learning.evidence import Evidence, classify, observe
from .learning.groups import OVERFLOW, SIGNATURE_KEYS, SIGNATURE_WEIGHT, SIGNATURE_WORDS, Grouper, domains_in, slug
from .learning.keys import LONG, PROSE_WORDS, analyse, line_key, prefix_key
from .learning.pages import Source, find_sources, read_lines
from .learning.write import GroupResult, checked, drafts, site_draft

Say = Callable[[str], None]

MAX_KEYS = 2_000_000  # pass 1's safety valve over all groups (see counting.py)
HEAD_LINES = 3  # lines of a page's top read for a site name (title lines)
DOMAIN_LINES = 40  # lines at the top and bottom searched for a domain name
_FAILED = -2  # the site number of a page that could not be read
_COPY = -3  # ... of a page whose paragraphs are all those of an earlier page (see `_count`)
COPY_MIN_PARAGRAPHS = 2  # a page is a copy only when at least this many of its paragraphs match


@dataclass(frozen=True)
class LearnOptions:
    """Every tunable of `learn`, with its default."""

    # A line is learned when it recurs on at least max(min_pages, min_share x pages) pages of
    # its site, and passes the guards against article text.
    min_pages: int = 3
    min_share: float = 0.3
    # How pages are grouped into sites: "text" (from the pages' shared furniture) or "folder";
    # `site` puts every page into one site of that name instead.
    group_by: str = "text"
    site: str | None = None
    globs: tuple[str, ...] = ()  # only files whose name (or path under SRC) matches
    encoding: str | None = None  # decode pages with this encoding instead of detecting it
    builtin: bool = True  # check the keep examples against the built-in rules too


@dataclass
class LearnReport:
    groups: list[GroupResult] = field(default_factory=list)
    pages: int = 0
    failed: int = 0
    seconds: float = 0.0
    overflow_pages: int = 0
    copies: int = 0  # pages learned from once only: the same paragraphs as an earlier page

    @property
    def rules(self) -> int:
        return sum(len(g.rules) for g in self.groups)


def check_options(options: LearnOptions) -> None:
    if options.min_pages < 2:
        raise UsageError(f"--min-pages {options.min_pages}: must be at least 2 (a line on one page is the page's own text)")
    if not 0 < options.min_share <= 1:
        raise UsageError(f"--min-share {options.min_share}: must be a share of the pages, above 0 and at most 1 (e.g. 0.3)")
    if options.group_by not in ("text", "folder"):
        raise UsageError(f"--group-by {options.group_by}: expected text or folder")
    if options.site is not None and not any(c.isalnum() for c in options.site):
        raise UsageError(f"--site {options.site!r}: give a site name such as example.com")
    if options.encoding:
        from .stages.decode import check_encoding_name

        check_encoding_name(options.encoding)


# --- the two passes --------------------------------------------------------------------------

def learn(sources: Sequence[Source], options: LearnOptions, error: Say) -> LearnReport:
    """Learn from the pages; `error` names each page that cannot be read (the others go on).

    Memory: one page at a time, the bounded counters (counting.py), the candidates' evidence
    (evidence.py), and per page only its path (`sources`) and its site number (4 bytes)."""
    started = time.monotonic()
    report = LearnReport()
    grouper, counters, assigned = _count(sources, options, error, report)
    groups = grouper.finish()
    thresholds = {g.gid: threshold(g.pages, options.min_pages, options.min_share) for g in groups}
    candidates = {gid: c.at_least(thresholds[gid]) for gid, c in counters.items() if groups[gid].pages >= options.min_pages}
    counters.clear()
    tables = _evidence(sources, assigned, candidates, options, error, report)
    untouched = _untouched_check(options)
    for g in groups:
        choice = choose(tables.get(g.gid, {}), thresholds[g.gid], untouched)
        report.groups.append(GroupResult(g.name, g.pages, thresholds[g.gid], choice))
    report.seconds = time.monotonic() - started
    return report


def _count(sources: Sequence[Source], options: LearnOptions, error: Say, report: LearnReport):
    """Pass 1: each page's site, and the page counts of every key per site.

    A page whose paragraphs (lines of PROSE_WORDS words or more) are exactly those of an
    earlier page is a copy (the same article at two addresses, a print view, a story
    syndicated whole): it is learned from once. Counted twice, its article would recur on
    several pages and look like furniture. One 8-byte hash per page is kept for this."""
    grouper = Grouper(options.group_by, options.site)
    counters: dict[int, LossyCounter] = {}
    assigned = array("i")
    articles: set[int] = set()
    for src in sources:
        try:
            lines = list(read_lines(src.path, options.encoding))
        except InputError as e:
            error(e.message)
            report.failed += 1
            assigned.append(_FAILED)
            continue
        report.pages += 1
        keys = [line_key(ln.core) for ln in lines]
        paragraphs = sorted({k.digest for k in keys if k is not None and (k.tokens == LONG or len(k.tokens) >= PROSE_WORDS)})
        if len(paragraphs) >= COPY_MIN_PARAGRAPHS:
            article = hash(tuple(paragraphs))
            if article in articles:
                report.copies += 1
                assigned.append(_COPY)
                continue
            articles.add(article)
        distinct = {k.digest for k in keys if k is not None}
        distinct.update(p.digest for ln in lines if (p := prefix_key(ln.core)) is not None)
        group = grouper.assign(src.folder, _signature(keys), [ln.core for ln in lines[:HEAD_LINES]], _domains(lines))
        assigned.append(group.gid)
        if group.gid == OVERFLOW:
            report.overflow_pages += 1
            continue
        counter = counters.get(group.gid)
        if counter is None:
            counter = counters[group.gid] = LossyCounter(options.min_share)
        counter.add_page(distinct)
        if sum(len(c) for c in counters.values()) > MAX_KEYS:
            for c in counters.values():
                c.drop_singletons()
    return grouper, counters, assigned


def _signature(keys) -> dict[int, int]:
    """A page's short lines, weighed by their words: what site grouping compares (groups.py)."""
    signature: dict[int, int] = {}
    for k in keys:
        if k is not None and len(k.tokens) <= SIGNATURE_WORDS:
            signature[k.digest] = min(SIGNATURE_WEIGHT, len(k.tokens))
            if len(signature) >= SIGNATURE_KEYS:
                break
    return signature


def _domains(lines) -> set[str]:
    domains: set[str] = set()
    for ln in lines[:DOMAIN_LINES] + lines[-DOMAIN_LINES:]:
        domains |= domains_in(ln.core)
    return domains


def _evidence(sources, assigned, candidates: dict[int, set[int]], options: LearnOptions, error: Say,
              report: LearnReport) -> dict[int, dict[int, Evidence]]:
    """Pass 2: the evidence for each site's candidate keys (only pages of sites that have some)."""
    tables: dict[int, dict[int, Evidence]] = {gid: {} for gid in candidates}
    for src, gid in zip(sources, assigned):
        if not candidates.get(gid):
            continue
        try:
            lines = list(read_lines(src.path, options.encoding))
        except InputError as e:  # it changed since pass 1
            error(e.message)
            report.failed += 1
            continue
        observe(classify(lines, [analyse(ln.core) for ln in lines], candidates[gid]), tables[gid])
    return tables


def _untouched_check(options: LearnOptions) -> Callable[[str], bool]:
    """Whether the built-in rules leave a line alone (see choose.choose)."""
    if not options.builtin:
        return lambda core: True
    from .options import Options as CleanOptions
    from .pipeline import clean_text, default_rules

    rules, opts = default_rules(), CleanOptions(site="none", heuristics=False)
    return lambda core: clean_text(core, rules, opts).strip() == core.strip()


# --- writing ---------------------------------------------------------------------------------

def _header(result: GroupResult | None, report: LearnReport, options: LearnOptions) -> list[str]:
    lines = [f"Learned by `scrapeclean learn` from the {result.pages} pages of {result.name}"
             + (f" ({report.pages} pages read in all)." if report.pages != result.pages else ".")
             if result else f"Learned by `scrapeclean learn` from {report.pages} pages of {len(report.groups)} sites."]
    lines.append(f"A line became a rule when it recurred on at least max({options.min_pages} pages, "
                 f"{options.min_share:g} of its site's pages) and passed the guards against article text")
    lines.append("(paragraphs, sentences inside the article, syndicated text, headlines of other pages).")
    for g in ([result] if result else report.groups):
        if g.choice.refused:
            refused = ", ".join(f"{k} {v}" for k, v in sorted(g.choice.refused.items()) if k != "rare")
            if refused:
                lines.append(f"{g.name}: recurring lines not learned: {refused}.")
    lines.append("Review before use: each pattern says on how many pages it was seen; delete what you disagree with.")
    return lines


def write_rules(report: LearnReport, output: str, options: LearnOptions) -> list[Path]:
    """Write the learned rules: one file (`output`), or one site pack per site when `output`
    is a folder (an existing one, or a path ending in `/`). -> the files written."""
    usable = [g for g in report.groups if g.choice.families or g.choice.markers or g.choice.in_context]
    as_folder = output.endswith(("/", os.sep)) or os.path.isdir(output)
    if as_folder:
        folder = Path(output)
        if not folder.is_dir():
            raise OutputError(f"{output}: no such folder (create it first)")
        written = []
        for g in usable:
            rules = drafts(g)
            text, g.rules = checked(rules, site_draft(g), _header(g, report, options), options.builtin)
            target = folder / f"{slug(g.name)}.toml"
            _write(target, text)
            written.append(target)
        return written
    rules, site, owner = [], None, {}
    for g in usable:
        for r in drafts(g):
            rules.append(r)
            owner[r.id] = g
    if len(usable) == 1 and (options.site or len(report.groups) > 1):
        site = site_draft(usable[0])  # limits the rules to their site: --site, or one of several sites
    text, kept = checked(rules, site, _header(usable[0] if len(usable) == 1 else None, report, options), options.builtin)
    for g in usable:
        g.rules = [r for r in kept if owner[r.id] is g]
    _write(Path(output), text)
    return [Path(output)]


def _write(target: Path, text: str) -> None:
    with atomic_output(target) as out:
        out.write(text.encode("utf-8"))


# --- entry points ----------------------------------------------------------------------------

def learn_rules(
    paths: Iterable[str],
    options: LearnOptions = LearnOptions(),
    output: str | os.PathLike | None = None,
    error: Say | None = None,
) -> Path:
    """For other commands (`batch --learn`): learn from these page files and write the rules to
    `output` (default: a new temporary file the caller removes). -> the rule file, which
    `load_rules([path])` loads. Unreadable pages are named through `error` and skipped."""
    check_options(options)
    sources = [Source(str(p), os.path.dirname(str(p)) or ".") for p in paths]
    report = learn(sources, options, error or (lambda m: None))
    if output is None:
        import tempfile

        fd, name = tempfile.mkstemp(prefix="scrapeclean-learned-", suffix=".toml")
        os.close(fd)
        output = name
    write_rules(report, str(output), options)
    return Path(output)


def learn_site_packs(paths: Sequence[str], folder: str, options: LearnOptions = LearnOptions(),
                     info: Say | None = None) -> list[Path]:
    """For `batch --learn`: learn from exactly these page files and write one site pack per
    site into `folder` (which must exist). -> the files written (absolute paths; none when
    nothing was learned). Pages that cannot be read are skipped silently: the cleaning pass
    that follows names them. `info` gets the summary lines (None: silent)."""
    check_options(options)
    sources = [Source(p, os.path.dirname(p) or ".") for p in paths]
    report = learn(sources, options, lambda message: None)
    if report.pages == 0:
        if info is not None:
            info(f"learn: no readable page among the {len(paths)} selected: nothing learned")
        return []
    written = [p.resolve() for p in write_rules(report, folder.rstrip("/\\") + os.sep, options)]
    if info is not None:
        _summary(report, written, options, info)
    return written


def run_learn(srcs: Sequence[str], output: str | None, options: LearnOptions, error: Say, info: Say | None) -> int:
    """The `learn` command: -> exit status. `error` and `info` print one line on stderr
    (`info` is None with -q)."""
    check_options(options)
    if not output:
        raise UsageError("learn: give the rule file to write with -o FILE (or -o FOLDER/ for one file per site)")
    parent = Path(output) if output.endswith(("/", os.sep)) else Path(output).parent
    if not (parent if str(parent) else Path(".")).is_dir():
        raise OutputError(f"{output}: folder {parent} does not exist (create it first)")
    sources, problems = find_sources(srcs, options.globs)
    for p in problems:
        error(p)
    report = learn(sources, options, error)
    failed = report.failed + len(problems)
    if report.pages == 0:
        raise InputError(f"learn: no readable page{' under ' + ', '.join(srcs) if srcs else ''}: nothing learned, {output} not written")
    written = write_rules(report, output, options)
    if info is not None:
        _summary(report, written, options, info)
        with_rules = [g for g in report.groups if g.rules]
        if len(written) == 1 and len(with_rules) > 1:
            info(f"{output}: the rules of {len(with_rules)} sites in one file apply to every page; "
                 "write -o FOLDER/ for one site pack per site, each on for its own pages only")
    return EXIT_INPUT if failed else EXIT_OK


SUMMARY_SITES = 20  # sites named one by one in the summary


def _summary(report: LearnReport, written: list[Path], options: LearnOptions, info: Say) -> None:
    per_k = report.seconds / max(1, report.pages) * 1000
    learned = sorted((g for g in report.groups if g.pages >= options.min_pages), key=lambda g: -g.pages)
    for g in learned[:SUMMARY_SITES]:
        lines = sum(len(r.patterns) for r in g.rules)
        info(f"{g.name}: {g.pages} pages, {len(g.rules)} rules ({lines} patterns, each line seen on at least {g.threshold} pages)")
    if len(learned) > SUMMARY_SITES:
        rest = learned[SUMMARY_SITES:]
        info(f"{len(rest)} more sites: {sum(len(g.rules) for g in rest)} rules from {sum(g.pages for g in rest)} pages")
    small = [g for g in report.groups if g.pages < options.min_pages]
    if small:
        info(f"{len(small)} site{'s' if len(small) > 1 else ''} with fewer than {options.min_pages} pages "
             f"({sum(g.pages for g in small)} pages in all) not learned from (--min-pages)")
    if report.copies:
        info(f"{report.copies} pages had the same paragraphs as an earlier page and were learned from once")
    if report.overflow_pages:
        info(f"{report.overflow_pages} pages matched none of the first sites and were not learned from (too many sites in one run)")
    info(f"learned {report.rules} rules from {report.pages} pages in {report.seconds:.1f} s "
         f"({per_k:.2f} s per 1,000 pages); "
         + (f"wrote {', '.join(str(p) for p in written)}" if written else "no rule file written"))
