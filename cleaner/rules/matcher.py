"""Fast matching: all rules compiled once into a few combined patterns.

Per line, the cost must not grow with the number of rules (a loop over 300 patterns per line
runs at well under 1 MB/s). So:
- line rules are grouped into *buckets* by the characters their matches can start with
  (first-character dispatch); one combined alternation per bucket is tried with `fullmatch`,
  and only on lines no longer than the longest match the bucket allows (length prefilter);
- span rules are combined into one alternation searched once per line;
- which rule matched is read off the wrapper group that matched (`lastindex`), not found by
  re-trying rules.
The start-character sets and widths come from parsing each pattern with the standard
library's parser; a pattern it cannot read (`regex`-only syntax) goes in every bucket with no
length bound, so dispatch is never wrong, only slower.

Every call carries a timeout: a pattern that backtracks catastrophically is reported through
`warn` and dropped from the run instead of hanging it.
"""
from __future__ import annotations

import re
from typing import Callable, Sequence

import regex

from .load import pattern_flags
from .model import BlockElement, Rule

try:  # the standard library's regex parser, used only to read start characters and widths
    import re._parser as _sre  # Python >= 3.11
    from re import _constants as _C
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _C  # type: ignore[no-redef]
    import sre_parse as _sre  # type: ignore[no-redef]

Warn = Callable[[str], None]
_UNBOUNDED = 1 << 30


def key_of(ch: str) -> str:
    """Dispatch key of a line's first character: its case fold, so `Ä`, `ä` share a bucket."""
    return ch.casefold()[:1]


def _first_chars(parsed) -> set[str] | None:
    """The characters a match of `parsed` can start with, or None when that is not known."""
    for op, av in parsed:
        if op is _C.AT or op in (_C.ASSERT, _C.ASSERT_NOT):
            continue  # zero-width: look at what follows
        if op is _C.LITERAL:
            return {chr(av)}
        if op is _C.IN:
            chars: set[str] = set()
            for iop, iav in av:
                if iop is _C.LITERAL:
                    chars.add(chr(iav))
                elif iop is _C.RANGE and iav[1] - iav[0] < 64:
                    chars.update(chr(c) for c in range(iav[0], iav[1] + 1))
                else:
                    return None
            return chars
        if op is _C.BRANCH:
            out: set[str] = set()
            for branch in av[1]:
                if branch.getwidth()[0] == 0:
                    return None
                sub = _first_chars(branch)
                if sub is None:
                    return None
                out |= sub
            return out
        if op is _C.SUBPATTERN or op is _C.ATOMIC_GROUP:
            sub_pattern = av[-1] if op is _C.SUBPATTERN else av
            if sub_pattern.getwidth()[0] == 0:
                return None
            return _first_chars(sub_pattern)
        if op in (_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT):
            lo, _hi, item = av
            if lo == 0 or item.getwidth()[0] == 0:
                return None
            return _first_chars(item)
        return None
    return None


def analyse(pattern: str, case_sensitive: bool) -> tuple[set[str] | None, int]:
    """(dispatch keys of the possible first characters or None, maximum match length)."""
    try:
        parsed = _sre.parse(pattern, 0 if case_sensitive else re.IGNORECASE)
    except Exception:  # `regex`-only syntax: no shortcuts for this pattern
        return None, _UNBOUNDED
    lo, hi = parsed.getwidth()
    firsts = _first_chars(parsed)
    keys = None
    if firsts is not None:
        keys = set()
        for c in firsts:
            for variant in (c, c.lower(), c.upper(), c.casefold()):
                keys.add(key_of(variant))
    return keys, min(hi, _UNBOUNDED)


def _combine(patterns: Sequence[tuple[int, str, bool]]) -> tuple[regex.Pattern, dict[int, int]]:
    """One alternation of `(?flags:(p0))|(?flags:(p1))...`; -> (pattern, {group index: owner})."""
    parts, owner_of_group, group = [], {}, 1
    for owner, pattern, case_sensitive in patterns:
        flags = "(?i:" if not case_sensitive else "(?-i:"
        parts.append(f"{flags}({pattern}))")
        owner_of_group[group] = owner
        group += 1 + regex.compile(pattern, pattern_flags(case_sensitive)).groups
    return regex.compile("|".join(parts), regex.V0), owner_of_group


class LineMatcher:
    """Which rule (if any) matches a whole line core, by first-character dispatch."""

    def __init__(self, rules: Sequence[Rule], timeout: float, warn: Warn | None = None) -> None:
        self.rules = list(rules)
        self.timeout = timeout
        self.warn = warn
        self._build()

    def _build(self) -> None:
        keyed: dict[str, list[tuple[int, str, bool]]] = {}
        anywhere: list[tuple[int, str, bool]] = []
        widths: dict[str, int] = {}
        any_width = 0
        for i, rule in enumerate(self.rules):
            for p in rule.patterns:
                keys, width = analyse(p, rule.case_sensitive)
                entry = (i, p, rule.case_sensitive)
                if keys is None:
                    anywhere.append(entry)
                    any_width = max(any_width, width)
                else:
                    for k in keys:
                        keyed.setdefault(k, []).append(entry)
                        widths[k] = max(widths.get(k, 0), width)
        # Each bucket also holds the patterns that may start anywhere, in rule order.
        self._buckets: dict[str, tuple[int, regex.Pattern, dict[int, int]]] = {}
        for k, entries in keyed.items():
            merged = sorted(entries + anywhere)
            self._buckets[k] = (max(widths[k], any_width), *_combine(merged))
        self._default = (any_width, *_combine(anywhere)) if anywhere else None
        self.max_width = max([b[0] for b in self._buckets.values()] + [any_width])

    def match(self, core: str, where: str = "") -> Rule | None:
        bucket = self._buckets.get(key_of(core[0]), self._default)
        if bucket is None or len(core) > bucket[0]:
            return None
        try:
            m = bucket[1].fullmatch(core, timeout=self.timeout)
        except TimeoutError:
            if self._drop_slow_rules(core, where) and self.rules:
                return self.match(core, where)
            return None
        return self.rules[bucket[2][m.lastindex]] if m else None

    def _drop_slow_rules(self, core: str, where: str) -> bool:
        """Find the rules too slow on `core`, report them and rebuild without them."""
        slow = set()
        for i, rule in enumerate(self.rules):
            for p in rule.patterns:
                try:
                    regex.compile(p, pattern_flags(rule.case_sensitive)).fullmatch(core, timeout=self.timeout)
                except TimeoutError:
                    slow.add(i)
        if not slow:  # only the combination is slow on this line: leave the line alone
            return False
        for i in sorted(slow):
            _report_slow(self.rules[i], where, self.timeout, self.warn)
        self.rules = [r for i, r in enumerate(self.rules) if i not in slow]
        if self.rules:
            self._build()
        return True


class SpanMatcher:
    """Finds the spans all `strip-span` rules cut out of a line, in one search."""

    def __init__(self, rules: Sequence[Rule], timeout: float, warn: Warn | None = None) -> None:
        self.rules = list(rules)
        self.timeout = timeout
        self.warn = warn
        self._build()

    def _build(self) -> None:
        entries = [(i, p, r.case_sensitive) for i, r in enumerate(self.rules) for p in r.patterns]
        self._combined, self._owner = _combine(entries) if entries else (None, {})

    def strip(self, line: str, where: str = "") -> tuple[str, list[tuple[Rule, str]]]:
        """-> (line without the matched spans, [(rule, removed span), ...])."""
        if self._combined is None:
            return line, []
        try:
            matches = [m for m in self._combined.finditer(line, timeout=self.timeout) if m.end() > m.start()]
        except TimeoutError:
            for rule in self.rules:
                _report_slow(rule, where, self.timeout, self.warn)
            self.rules, self._combined = [], None  # cannot tell which: stop cutting spans
            return line, []
        if not matches:
            return line, []
        pieces, removed, pos = [], [], 0
        for m in matches:
            pieces.append(line[pos : m.start()])
            removed.append((self.rules[self._owner[m.lastindex]], m.group()))
            pos = m.end()
        pieces.append(line[pos:])
        return "".join(pieces).rstrip(), removed


class BlockMatcher:
    """Matches one `drop-block` rule against the lines starting at the window's head."""

    def __init__(self, rule: Rule, timeout: float, warn: Warn | None = None) -> None:
        self.rule = rule
        self.timeout = timeout
        self.warn = warn
        self.disabled = False
        flags = pattern_flags(rule.case_sensitive)
        self._elements = [(regex.compile(e.pattern, flags), e.optional) for e in rule.block]
        self.lookahead = (len(rule.block) - 1) * (rule.max_gap + 1)
        keys: set[str] | None = set()
        width = 0
        for e in rule.block:  # the head line can match the first required element or an optional before it
            k, w = analyse(e.pattern, rule.case_sensitive)
            width = max(width, w)
            keys = None if (keys is None or k is None) else keys | k
            if not e.optional:
                break
        self._head_keys, self._head_width = keys, width

    def may_start(self, core: str) -> bool:
        return not self.disabled and len(core) <= self._head_width and (self._head_keys is None or key_of(core[0]) in self._head_keys)

    def match(self, cores: Sequence[str | None]) -> int:
        """`cores`: the head line's core and those after it (None = blank line, "" = untouchable).
        -> number of lines the block covers from the head (0 = no match)."""
        pos, last = 0, 0
        for element, optional in self._elements:
            # blank lines may sit between elements, not before the first
            probe = pos
            if last:
                gaps = 0
                while probe < len(cores) and cores[probe] is None and gaps < self.rule.max_gap:
                    probe += 1
                    gaps += 1
            core = cores[probe] if probe < len(cores) else None
            try:  # "" is a line rules must not touch (part of an over-long line): it ends the block
                hit = bool(core) and element.fullmatch(core, timeout=self.timeout)
            except TimeoutError:
                _report_slow(self.rule, "a line", self.timeout, self.warn)
                self.disabled = True
                return 0
            if hit:
                pos = last = probe + 1
            elif not optional:
                return 0
        return last


def _report_slow(rule: Rule, where: str, timeout: float, warn: Warn | None) -> None:
    if warn:
        warn(f"{rule.source}: rule {rule.id}: pattern took over {timeout:g}s on {where or 'a line'} "
             "(catastrophic backtracking?); the rule is skipped for the rest of this run - rewrite the pattern")


class CompiledRules:
    """The active rules of one page, compiled: what `apply_rules` runs. Built once per set of
    active rules and reused for every page that has the same set."""

    def __init__(self, rules: Sequence[Rule], timeout: float) -> None:
        from .model import CUT_AFTER, CUT_BEFORE, DROP_BLOCK, DROP_LINE, STRIP_SPAN

        self._warn: Warn | None = None
        warn = self.warn

        def of(action: str) -> list[Rule]:
            return [r for r in rules if r.action == action]

        def line_matcher(action: str) -> LineMatcher | None:
            return LineMatcher(of(action), timeout, warn) if of(action) else None

        self.rules = tuple(rules)
        self.drop_lines = line_matcher(DROP_LINE)
        self.cut_after = line_matcher(CUT_AFTER)
        self.cut_before = line_matcher(CUT_BEFORE)
        self.spans = SpanMatcher(of(STRIP_SPAN), timeout, warn) if of(STRIP_SPAN) else None
        self.blocks = tuple(BlockMatcher(r, timeout, warn) for r in of(DROP_BLOCK))
        self.lookahead = max((b.lookahead for b in self.blocks), default=0)

    def use_warn(self, warn: Warn | None) -> None:
        """Where the matchers report slow patterns during the next run."""
        self._warn = warn

    def warn(self, message: str) -> None:
        if self._warn is not None:
            self._warn(message)
