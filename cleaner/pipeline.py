"""Wires the stages for one document: decode -> normalize -> (site detection) -> apply_rules ->
heuristics (unless `Options.heuristics` is off) -> layout -> write. The heart of the Python API;
the CLI and batch mode only call into it.

Memory is bounded whatever the input size: every stage streams, the rule window holds a few
lines, a header cut holds at most `HEAD_LINES` lines, site detection holds the page's first
`Options.site_sniff_chars` characters, the heuristics window at most
`heuristics.WINDOW_LINES` lines / `WINDOW_CHARS` characters, and over-long lines travel in pieces.
"""
from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Iterator
from .record import record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see record.py)
if TYPE_CHECKING:
    from typing import BinaryIO

from .errors import UsageError
from .options import Options
from .removal import OnRemoval
from .rules.analysis import analyse
from .rules.load import load_rules
from .rules.matcher import CompiledRules, Warn, fold
from .rules.model import RuleSet
from .stages.apply_rules import apply_rules, apply_rules_numbered
from .stages.decode import decode
from .stages.heuristics import apply_heuristics
from .stages.layout import layout
from .stages.normalize import Fragment, normalize_lines
from .stages.write import write_text

_default_rules: RuleSet | None = None


def default_rules() -> RuleSet:
    """The built-in rules, loaded once per process."""
    global _default_rules
    if _default_rules is None:
        _default_rules = load_rules()
    return _default_rules


def check_site(rules: RuleSet, site: str) -> None:
    """Refuse a `--site` that names no site pack."""
    known = sorted({s for r in rules.rules for s in r.sites})
    if site not in ("auto", "none") and site not in known:
        raise UsageError(f"--site {site}: no rules for that site (known: {', '.join(known) or 'none'}; or use auto / none)")


def _sites_on(rules: RuleSet, options: Options, head: list[str]) -> frozenset[str]:
    if options.site == "none":
        return frozenset()
    if options.site != "auto":
        return frozenset((options.site,))
    text = "\n".join(head)
    folded = fold(text)
    on = set()
    for pack in rules.sites:
        found = 0
        for p in pack.fingerprints:
            texts, search = _fingerprint(p)
            # a page that lacks every text a match must hold is not searched (most pages are
            # of other sites: their heads hold no 'Deutsche Welle')
            if (texts is None or any(t in folded for t in texts)) and search(text):
                found += 1
        if pack.fingerprints and found >= pack.min_fingerprints:
            on.add(pack.domain)
    return frozenset(on)


@functools.lru_cache(maxsize=None)
def _fingerprint(pattern: str):
    """A site fingerprint, compiled for searching a page's head: on `re` when it reads the
    pattern as `regex` does (cheaper to import and to run), else on `regex`. With it, the
    texts one of which every match holds (`fold`ed, as in the head they are looked for in),
    or None."""
    a = analyse(pattern, False)
    texts = tuple(fold(t) for t in a.literals) if a.literals else None
    if a.re_ok:
        return texts, re.compile(pattern, re.IGNORECASE | re.MULTILINE).search
    import regex

    return texts, regex.compile(pattern, regex.V0 | regex.IGNORECASE | regex.MULTILINE).search


ENGINES = ("default", "fast")


def check_engine(engine: str) -> str:
    """Refuse an unknown `--engine`, and `fast` where its optional backend is not installed."""
    if engine not in ENGINES:
        raise UsageError(f"--engine {engine}: no such engine (use default or fast)")
    if engine == "fast":
        from .rules.prescreen import INSTALL_HINT, available

        if not available():
            raise UsageError(f"--engine fast: the Hyperscan backend is not installed ({INSTALL_HINT})")
    return engine


def compiled_rules(rules: RuleSet, sites_on: frozenset[str], options: Options) -> CompiledRules:
    key = (sites_on, options.languages, options.regex_timeout, options.engine)
    compiled = rules._compiled.get(key)
    if compiled is None:
        check_engine(options.engine)
        screen = fast_screen(rules) if options.engine == "fast" else None
        compiled = rules._compiled[key] = CompiledRules(rules.active(sites_on, options.languages), options.regex_timeout,
                                                        screen)
    return compiled


def fast_screen(rules: RuleSet):
    """The fast engine's screen of every loaded rule, all site packs and languages: built (or
    loaded from the cache) once per RuleSet; each page's active rules take a view of it."""
    if rules._prescreen is None:
        check_engine("fast")
        from .rules.matcher import screened_patterns
        from .rules.prescreen import Prescreen

        rules._prescreen = Prescreen(*screened_patterns(rules.rules))
    return rules._prescreen


def clean_chunks(
    chunks: Iterable[str],
    rules: RuleSet | None = None,
    options: Options = Options(),
    on_removal: OnRemoval | None = None,
    warn: Warn | None = None,
) -> Iterator[str]:
    """Text chunks (cut anywhere) -> clean output pieces (lines with their LF)."""
    rules = default_rules() if rules is None else rules
    lines = normalize_lines(chunks, options.max_line_chars)
    sites_on: frozenset[str] = frozenset()
    if options.site != "none" and any(r.sites for r in rules.rules):
        head: list[str] = []
        if options.site == "auto" and rules.sites:
            size = 0
            for line in lines:
                head.append(line)
                size += len(line) + 1
                if size >= options.site_sniff_chars:
                    break
        sites_on = _sites_on(rules, options, head)
        lines = itertools.chain(head, lines)
    compiled = compiled_rules(rules, sites_on, options)
    compiled.use_warn(warn)
    with compiled.watchdog:  # lets the matchers use the fast engine (see rules/watchdog.py)
        if options.heuristics:  # it reports removals by input line number: the rules say which
            numbered = apply_rules_numbered(lines, compiled, on_removal, options.max_line_chars)
            yield from layout(apply_heuristics(numbered, options, on_removal))
        else:
            yield from layout(apply_rules(lines, compiled, on_removal, options.max_line_chars))


def clean_text(
    text: str,
    rules: RuleSet | None = None,
    options: Options = Options(),
    on_removal: OnRemoval | None = None,
    warn: Warn | None = None,
) -> str:
    """Clean a whole page held in a string. `on_removal` receives a `Removal` for everything
    removed; `warn` a message when a rule's pattern had to be cut off for being too slow."""
    return "".join(clean_chunks((text,), rules, options, on_removal, warn))


def clean_lines(
    lines: Iterable[str],
    rules: RuleSet | None = None,
    options: Options = Options(),
    on_removal: OnRemoval | None = None,
    warn: Warn | None = None,
) -> Iterator[str]:
    """Clean a stream of lines (each one line, its LF optional); yields clean lines without LF."""
    chunks = (line if line.endswith("\n") else line + "\n" for line in lines)
    pieces: list[str] = []
    for piece in clean_chunks(chunks, rules, options, on_removal, warn):
        if type(piece) is Fragment:
            pieces.append(piece)
            continue
        if pieces:
            pieces.append(piece)
            piece = "".join(pieces)
            pieces.clear()
        yield piece[:-1]
    if pieces:
        yield "".join(pieces)


@record
class CleanStats:  # (not a dataclass: see rules/model.py)
    encoding: str
    bytes_out: int


def clean_binary(
    src: BinaryIO,
    dst: BinaryIO,
    rules: RuleSet | None = None,
    options: Options = Options(),
    name: str = "<stdin>",
    on_removal: OnRemoval | None = None,
    warn: Warn | None = None,
) -> CleanStats:
    """The whole pipeline on byte streams: read `src`, write clean UTF-8 to `dst`.
    Raises InputError (before writing anything) for input it cannot decode."""
    encoding, chunks = decode(src, name, options.encoding, options.chunk_bytes, warn)
    written = write_text(clean_chunks(chunks, rules, options, on_removal, warn), dst)
    return CleanStats(encoding, written)
