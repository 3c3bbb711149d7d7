"""Fast matching: all rules compiled into a few combined patterns, each compiled on first use.

Per line, the cost must not grow with the number of rules (a loop over 300 patterns per line
runs at well under 1 MB/s). So:
- line rules are grouped into *buckets* by the characters their matches can start with
  (first-character dispatch, see `analysis`); a bucket's rules are one alternation tried with
  `fullmatch`, and only on lines no longer than the longest match in the bucket (length
  prefilter). Patterns whose first character is not known are tried on every line, behind a
  check for a punctuation mark they all need where they have one;
- span rules are one alternation searched once per line, behind `in` checks for the marks or
  literal text each needs;
- which rule matched is read off the wrapper group that matched (`lastindex`);
- block rules are only tried while a line matching their most selective element is in view.

Engines: a pattern runs on the standard library's `re` (the faster engine) when `re` reads it
as `regex` does and the `Watchdog` is active to stop a runaway match; otherwise on `regex` with
its per-call `timeout=`. A rule whose pattern times out is reported through `warn` and skipped
for the rest of the run.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from . import cache
from .analysis import LINE_LIMIT, PREFIX, Analysis, analyse, key_of, prefix_key, suffix_key
from .load import pattern_flags
from .model import CUT_AFTER, CUT_BEFORE, DROP_BLOCK, DROP_LINE, STRIP_SPAN, Rule
from .watchdog import Watchdog

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see record.py)
if TYPE_CHECKING:
    from .prescreen import Prescreen

Warn = Callable[[str], None]
Entry = tuple[int, str, bool]  # (owner index, pattern, case_sensitive)


class _Engines:
    """Runs compiled alternations on the right engine for this run."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.watchdog = Watchdog(timeout)
        # What the rules found in lines already seen (`apply_rules` fills it), and a count of
        # the changes to the rules that make it stale: a rule dropped for being too slow.
        self.line_facts: dict[str, tuple] = {}
        self.epoch = 0

    def rules_changed(self) -> None:
        self.epoch += 1
        self.line_facts.clear()

    def fullmatch(self, alt: _Alternation, text: str):
        wd = self.watchdog
        if alt.re_ok and wd.active:
            wd.count += 1
            wd.current = wd.count
            m = alt.on_re().fullmatch(text)
            wd.current = 0
            return m
        return alt.on_regex().fullmatch(text, timeout=self.timeout)

    def finditer(self, alt: _Alternation, text: str) -> list:
        wd = self.watchdog
        if alt.re_ok and wd.active:
            wd.count += 1
            wd.current = wd.count
            found = list(alt.on_re().finditer(text))
            wd.current = 0
            return found
        return list(alt.on_regex().finditer(text, timeout=self.timeout))


class _Alternation:
    """`(?i:(p0))|(?-i:(p1))|...` over some entries, compiled for an engine on first use."""

    __slots__ = ("entries", "width", "re_ok", "_re", "_regex", "_owners")

    def __init__(self, entries: Sequence[Entry], width: int, re_ok: bool) -> None:
        self.entries, self.width, self.re_ok = list(entries), width, re_ok
        self._re = self._regex = None
        self._owners: dict[int, int] = {}

    def _source(self) -> str:
        parts, group = [], 1
        for owner, pattern, case_sensitive in self.entries:
            parts.append(f"{'(?-i:' if case_sensitive else '(?i:'}({pattern}))")
            self._owners[group] = owner
            group += 1 + analyse(pattern, case_sensitive).groups
        return "|".join(parts)

    def on_re(self):
        if self._re is None:
            self._re = cache.compile_re(self._source())
        return self._re

    def on_regex(self):
        if self._regex is None:
            import regex  # only patterns `re` cannot run, or runs without the watchdog, need it

            self._regex = regex.compile(self._source(), regex.V0)
        return self._regex

    def owner(self, m) -> int:
        return self._owners[m.lastindex]


def _alternations(entries: list[tuple[int, str, bool, Analysis]]) -> list[_Alternation]:
    """Split into one alternation of `re`-readable patterns and one of the rest."""
    out = []
    for re_ok in (True, False):
        group = [e for e in entries if e[3].re_ok == re_ok]
        if group:
            out.append(_Alternation([e[:3] for e in group], max(e[3].width for e in group), re_ok))
    return out


def _union_suffixes(entries: list[tuple[int, str, bool, Analysis]]) -> frozenset[str] | None:
    """The line ends (`suffix_key`) at least one of these patterns can match; None: any."""
    if any(e[3].suffixes is None for e in entries):
        return None
    return frozenset().union(*(e[3].suffixes for e in entries))


class _Dispatch:
    """Dispatch of line patterns by how a line starts. Patterns whose matches can only begin
    with a few known 3-character prefixes are found by the line's first 3 characters; patterns
    whose first character only is known, by that; the rest are tried on every line that ends
    as they can end (where their last 3 characters are known: a pattern that may start with any
    word often ends with a fixed one) and holds the punctuation marks and literal texts they
    need (where they have such), checked with `in`. Patterns that share their dispatch keys
    share one alternation, so each is compiled once."""

    def __init__(self, entries: list[tuple[int, str, bool, Analysis]]) -> None:
        by_prefixes: dict[frozenset[str], list] = {}
        by_keys: dict[frozenset[str], list] = {}
        by_needs: dict[tuple, list] = {}
        for entry in entries:
            a = entry[3]
            if a.prefixes is not None:
                by_prefixes.setdefault(a.prefixes, []).append(entry)
            elif a.keys is not None:
                by_keys.setdefault(a.keys, []).append(entry)
            else:
                needs = (a.marks, frozenset(fold(t) for t in a.literals) if a.literals else None)
                by_needs.setdefault(needs, []).append(entry)
        self.by_first = _index(by_keys)
        # A line's prefix key gives the alternations of its prefix and then those of its first
        # character (whose key is the prefix key's first one): both lists joined once here.
        self.by_prefix = {k: alts + self.by_first.get(k[:1], _NONE) for k, alts in _index(by_prefixes).items()}
        # (longest match, marks or None, literals or None, alternations) for patterns that may
        # start anywhere: a line longer than all of them is not searched for their marks. Marks
        # are a tuple of characters, each looked for with `in` (a C search per character beats
        # one search for a class); literals a tuple of texts for `in`, or a test (`_any_text`).
        # `anywhere` lists the groups whose line ends are not known, `anywhere_at` for a line's
        # `suffix_key` those and the groups that can end so, in the same (rule) order.
        groups = []
        for (m, l), g in by_needs.items():
            alternations = _alternations(g)
            texts = _fewest_texts(l) if l else None
            groups.append(((max(alt.width for alt in alternations), tuple(sorted(m)) if m is not None else None,
                            (texts if len(texts) <= IN_TEXTS else _any_text(texts)) if texts else None, alternations),
                           _union_suffixes(g)))
        self.anywhere = [group for group, ends in groups if ends is None]
        # For `anywhere` (tried on most lines): where each of its groups needs a mark or one of
        # a few texts, (all those marks, all the texts of the groups with no mark) looked for
        # first, once, instead of group by group; None: no such gate
        self.anywhere_gate = None
        if all(g[1] is not None or type(g[2]) is tuple for g in self.anywhere):
            self.anywhere_gate = (_marks({c for g in self.anywhere if g[1] is not None for c in g[1]}),
                                  _fewest_texts(t for g in self.anywhere if g[1] is None for t in g[2]))
        self.anywhere_at: dict[str, list] = {}
        for key in sorted({k for _, ends in groups if ends is not None for k in ends}):
            self.anywhere_at[key] = [group for group, ends in groups if ends is None or key in ends]
        self.some_anywhere = bool(groups)

    def candidates(self, core: str) -> list[_Alternation]:
        head = core[:PREFIX]
        # most lines are ASCII: their keys are the lower-case characters (see key_of)
        pk = head.lower() if head.isascii() else prefix_key(core)
        found = self.by_prefix.get(pk)
        if found is None:
            found = self.by_first.get(pk[:1], _NONE)
        if self.some_anywhere:
            tail = core[-PREFIX:]
            groups = self.anywhere_at.get(tail.lower() if tail.isascii() else suffix_key(core), self.anywhere)
            folded = None
            if groups is self.anywhere and self.anywhere_gate is not None:
                marks, texts = self.anywhere_gate
                for mark in marks:
                    if mark in core:
                        break
                else:
                    if not texts:
                        return found
                    folded = fold(core)
                    for text in texts:
                        if text in folded:
                            break
                    else:
                        return found
            size = len(core)
            for width, marks, literals, alternations in groups:
                if size > width:
                    continue
                if marks is not None:
                    for mark in marks:
                        if mark in core:
                            break
                    else:
                        continue
                if literals is not None:
                    folded = fold(core) if folded is None else folded
                    if not _has_text(folded, literals):
                        continue
                found = found + alternations
        return found


def _marks(chars) -> tuple[str, ...]:
    """Punctuation marks a line must hold one of, for a loop of `in` checks written out where
    it runs per line: `c in text` is a C search for one character (memchr), several times
    cheaper than one `re` search for the class of them all, and than a call of a helper."""
    return tuple(sorted(chars))


def fold(text: str) -> str:
    """Text folded so that whatever a pattern's literal text matches ignoring case (on `re` or
    `regex`) holds the literal folded alike: `casefold()`, with the dotted and dotless i of
    Turkish folded to i (`re` matches 'i' to 'İ' and 'ı', casefold() maps them apart)."""
    folded = text.casefold()
    if folded.isascii():
        return folded
    return folded.replace("i\u0307", "i").replace("ı", "i")


def _has_mark(text: str, marks: tuple[str, ...]) -> bool:
    for mark in marks:
        if mark in text:
            return True
    return False


def _has_text(folded: str, texts) -> bool:
    """Whether one of `texts` (a tuple, or a test made by `_any_text`) is in `folded`."""
    if type(texts) is not tuple:
        return texts(folded)
    for text in texts:
        if text in folded:
            return True
    return False


def _fewest_texts(texts) -> tuple[str, ...]:
    """The texts of a test for "one of these is in the line", without those that hold another
    of them (where 'commission ' is, 'commission' is too): the same test with fewer searches.
    Longest first, for a fixed order."""
    unique = sorted(set(texts), key=lambda t: (-len(t), t))
    return tuple(t for i, t in enumerate(unique) if not any(u in t for u in unique[i + 1:]))


IN_TEXTS = 16  # up to this many texts, `in` for each beats one search for their alternation


def _any_text(texts) -> Callable[[str], bool]:
    """A test for "one of these texts is in the text" (plain substrings, no flags). For a few
    texts, `in` for each: a substring search in C that skips ahead, where `re` tries every
    branch of an alternation at every position (3-4x slower for two texts, measured on a news
    corpus; worst for texts that start with a space or are not ASCII). For many, one search."""
    texts = _fewest_texts(texts)
    if len(texts) > IN_TEXTS:
        # (through the cache: a literal alternation of hundreds of texts takes ms to compile,
        # and every call of the CLI builds these)
        search = cache.compile_re("|".join(map(re.escape, texts))).search
        return lambda text: search(text) is not None
    texts_ = tuple(texts)

    def any_in(text: str) -> bool:
        for t in texts_:
            if t in text:
                return True
        return False

    return any_in


_NONE: list = []


def _index(groups: dict[frozenset[str], list]) -> dict[str, list[_Alternation]]:
    """key -> the alternations of the groups listing that key, earliest rule first."""
    index: dict[str, list[_Alternation]] = {}
    for keys, group in groups.items():
        alternations = _alternations(group)
        for k in keys:
            index.setdefault(k, []).extend(alternations)
    for alternations in index.values():
        alternations.sort(key=lambda alt: alt.entries[0][0])
    return index


class LineMatcher:
    """Which rule (if any) matches a whole line core."""

    def __init__(self, rules: Sequence[Rule], engines: _Engines, warn: Warn) -> None:
        self.rules = list(rules)
        self.engines = engines
        self.warn = warn
        self._build()

    def _build(self) -> None:
        entries = [(i, p, r.case_sensitive, analyse(p, r.case_sensitive)) for i, r in enumerate(self.rules) for p in r.patterns]
        self._dispatch = _Dispatch(entries)

    def match(self, core: str, where: str = "") -> Rule | None:
        try:
            wd = self.engines.watchdog
            for alt in self._dispatch.candidates(core):
                if len(core) <= alt.width:
                    if alt.re_ok and wd.active:  # `_Engines.fullmatch`, inlined: this runs per line
                        wd.count += 1
                        wd.current = wd.count
                        m = (alt._re or alt.on_re()).fullmatch(core)
                        wd.current = 0
                    else:
                        m = self.engines.fullmatch(alt, core)
                    if m:
                        return self.rules[alt.owner(m)]
        except TimeoutError:
            if self._drop_slow_rules(core, where):
                return self.match(core, where)
        return None

    def _drop_slow_rules(self, core: str, where: str) -> bool:
        """Find the rules too slow on `core`, report them and rebuild without them."""
        slow = {i for i, rule in enumerate(self.rules) if _too_slow(rule, core, self.engines.timeout)}
        for i in sorted(slow):
            _report_slow(self.rules[i], where, self.engines.timeout, self.warn)
        self.rules = [r for i, r in enumerate(self.rules) if i not in slow]
        self._build()
        self.engines.rules_changed()
        return bool(slow)


class SpanMatcher:
    """Cuts the spans of `strip-span` rules out of a line.

    Every rule's matches are found in the same text and all of them are cut at once (where two
    overlap, their union goes), then again on what is left until nothing matches: so adding a
    rule can only cut more, and cutting a cut line changes nothing. Span rules are few, and
    each is tried only on lines that hold one of the punctuation marks and one of the literal
    texts all its matches need (checked with `in`: a case-insensitive search for an
    alternation of literals costs tens of microseconds)."""

    MAX_ROUNDS = 4

    def __init__(self, rules: Sequence[Rule], engines: _Engines, warn: Warn) -> None:
        self.engines = engines
        self.warn = warn
        self.rules = tuple(rules)
        self._rules = []  # (rule, alternation, marks, literals); marks/literals None: always try
        for rule in rules:
            analyses = [analyse(p, rule.case_sensitive) for p in rule.patterns]
            entries = [(0, p, rule.case_sensitive) for p in rule.patterns]
            alt = _Alternation(entries, LINE_LIMIT, all(a.re_ok for a in analyses))
            # Both are necessary conditions; None where some pattern does not have one.
            marks = None if not all(a.marks for a in analyses) else tuple({c for a in analyses for c in a.marks})
            literals = None if not all(a.literals for a in analyses) else tuple(
                {fold(t) for a in analyses for t in a.literals})
            self._rules.append((rule, alt, _marks(marks) if marks else None, _any_text(literals) if literals else None))
        # Where every rule needs a mark: all their marks, looked for first (most lines hold none)
        self._any_marks = None if any(e[2] is None for e in self._rules) else _marks({c for e in self._rules for c in e[2]})

    def strip(self, line: str, where: str = "") -> tuple[str, list[tuple[Rule, str]]]:
        """-> (line without the matched spans, [(rule, removed span), ...])."""
        removed: list[tuple[Rule, str]] = []
        if self._any_marks is not None:
            for mark in self._any_marks:
                if mark in line:
                    break
            else:
                return line, removed
        for _ in range(self.MAX_ROUNDS):
            spans = self._spans(line, where)
            if not spans:
                break
            pieces, pos = [], 0
            for start, end, rule in spans:
                pieces.append(line[pos:start])
                removed.append((rule, line[start:end]))
                pos = end
            pieces.append(line[pos:])
            line = "".join(pieces).rstrip()
        return line, removed

    def _spans(self, line: str, where: str) -> list[tuple[int, int, Rule]]:
        """All rules' matches in `line`, overlapping ones merged (credited to the first)."""
        found = []
        folded = None
        for entry in list(self._rules):
            rule, alt, marks, literals = entry
            if marks is not None:
                for mark in marks:
                    if mark in line:
                        break
                else:
                    continue
            if literals is not None:
                folded = fold(line) if folded is None else folded
                if not literals(folded):
                    continue
            try:
                found += [(m.start(), m.end(), rule) for m in self.engines.finditer(alt, line) if m.end() > m.start()]
            except TimeoutError:
                _report_slow(rule, where, self.engines.timeout, self.warn)
                self._rules.remove(entry)  # only this rule stops cutting
                self.engines.rules_changed()
        found.sort(key=lambda s: (s[0], -s[1]))
        merged: list[tuple[int, int, Rule]] = []
        for start, end, rule in found:
            if merged and start < merged[-1][1]:
                if end > merged[-1][1]:
                    merged[-1] = (merged[-1][0], end, merged[-1][2])
            else:
                merged.append((start, end, rule))
        return merged


class BlockMatcher:
    """The patterns of one `drop-block` rule; `apply_rules` walks the lines.

    Trying every line as a block's head would cost matches on every line; instead each arriving
    line is checked against the block's most selective required element (the *trigger*, e.g.
    the `00:36` duration of a video block), and a head is only tried while a line that matched
    the trigger is in the window, within the block's `reach` of the head."""

    def __init__(self, rule: Rule, engines: _Engines, warn: Warn) -> None:
        self.rule = rule
        self.engines = engines
        self.warn = warn
        self.disabled = False
        self._elements = []
        for e in rule.block:
            a = analyse(e.pattern, rule.case_sensitive)
            self._elements.append((_Alternation([(0, e.pattern, rule.case_sensitive)], a.width, a.re_ok), a))
        self.optional = tuple(e.optional for e in rule.block)
        # Blank-line runs are one line in the window, so each gap is at most one line.
        self.lookahead = (len(rule.block) - 1) * (2 if rule.max_gap else 1)
        self._trigger = trigger_index(rule)
        # How many lines that are not dropped a match can span from its head to the line its
        # trigger element matches, both included: one per element up to the trigger, and one
        # blank line (a blank run is one line in the window) between two of them where gaps
        # are allowed; dropped lines may lie anywhere between. A head farther than this from
        # every trigger line cannot start a block: `apply_rules` does not try it.
        self.reach = self._trigger + 1 + (self._trigger if rule.max_gap else 0)
        trigger = self._elements[self._trigger][1]
        self._trigger_width = trigger.width
        self._trigger_marks = _marks(trigger.marks) if trigger.marks else None
        # literal texts every match of the trigger holds (`fold`ed; a test for many of them)
        texts = _fewest_texts(fold(t) for t in trigger.literals) if trigger.literals else None
        self._trigger_texts = texts if texts is None or len(texts) <= IN_TEXTS else _any_text(texts)

    @property
    def trigger_analysis(self) -> Analysis:
        return self._elements[self._trigger][1]

    def triggers(self, core: str) -> bool:
        """Whether this line matches the trigger element (checked on every arriving line): the
        cheap necessary conditions first (start, length, punctuation), then the pattern."""
        if not core:
            return False
        a = self._elements[self._trigger][1]
        if a.prefixes is not None:
            if prefix_key(core) not in a.prefixes:
                return False
        elif a.keys is not None and key_of(core[0]) not in a.keys:
            return False
        return self.triggers_after_dispatch(core)

    def triggers_after_dispatch(self, core: str) -> bool:
        """`triggers` for a line whose start the trigger's dispatch keys admit."""
        if len(core) > self._trigger_width:
            return False
        if self._trigger_marks is not None and not _has_mark(core, self._trigger_marks):
            return False
        if self._trigger_texts is not None and not _has_text(fold(core), self._trigger_texts):
            return False
        return self.element_matches(self._trigger, core, 0)


    def element_matches(self, index: int, core: str, line_no: int) -> bool:
        alt, a = self._elements[index]
        if self.disabled or len(core) > a.width:
            return False
        try:
            wd = self.engines.watchdog
            if alt.re_ok and wd.active:  # `_Engines.fullmatch`, inlined: this runs per line
                wd.count += 1
                wd.current = wd.count
                m = (alt._re or alt.on_re()).fullmatch(core)
                wd.current = 0
                return m is not None
            return bool(self.engines.fullmatch(alt, core))
        except TimeoutError:
            _report_slow(self.rule, f"line {line_no}" if line_no else "a line", self.engines.timeout, self.warn)
            self.disabled = True
            self.engines.rules_changed()
            return False


class TriggerDispatch:
    """Which blocks' triggers a line matches, with one dispatch on the line's start for all
    blocks (rather than every block's checks on every line)."""

    def __init__(self, blocks: Sequence[BlockMatcher]) -> None:
        self.blocks = tuple(blocks)
        self.by_prefix: dict[str, tuple[int, ...]] = {}
        self.by_first: dict[str, tuple[int, ...]] = {}
        self.always: tuple[int, ...] = ()
        for i, block in enumerate(self.blocks):
            a = block.trigger_analysis
            if a.prefixes is not None:
                for k in a.prefixes:
                    self.by_prefix[k] = self.by_prefix.get(k, ()) + (i,)
            elif a.keys is not None:
                for k in a.keys:
                    self.by_first[k] = self.by_first.get(k, ()) + (i,)
            else:
                self.always += (i,)

        # Each prefix key's blocks joined with its first character's and those always tried,
        # once here rather than per line.
        self.by_first = {k: blocks + self.always for k, blocks in self.by_first.items()}
        self.by_prefix = {k: blocks + self.by_first.get(k[:1], self.always) for k, blocks in self.by_prefix.items()}
        # per block, the checks of `triggers_after_dispatch` before the pattern
        self._quick = tuple((b._trigger_width, b._trigger_marks, b._trigger_texts) for b in self.blocks)

    def triggered(self, core: str) -> tuple[int, ...]:
        """The indices of the blocks whose trigger matches `core` (== `block.triggers(core)`)."""
        if not core:
            return ()
        head = core[:PREFIX]
        pk = head.lower() if head.isascii() else prefix_key(core)
        admitted = self.by_prefix.get(pk)
        if admitted is None:
            admitted = self.by_first.get(pk[:1], self.always)
        if not admitted:
            return ()
        found: tuple[int, ...] = ()
        size = len(core)
        folded = None
        for i in admitted:  # `triggers_after_dispatch`, inline: this runs per line
            width, marks, texts = self._quick[i]
            if size > width:
                continue
            if marks is not None:
                for mark in marks:
                    if mark in core:
                        break
                else:
                    continue
            if texts is not None:
                if folded is None:
                    folded = fold(core)
                if not _has_text(folded, texts):
                    continue
            block = self.blocks[i]
            if block.element_matches(block._trigger, core, 0):
                found += (i,)
        return found


def trigger_index(rule: Rule) -> int:
    """Which element of a `drop-block` rule is its trigger: its most selective required one."""
    required = [i for i, e in enumerate(rule.block) if not e.optional]
    return min(required, key=lambda i: _selectivity(analyse(rule.block[i].pattern, rule.case_sensitive)))


def _selectivity(a: Analysis) -> float:
    """Rough share of lines that pass an element's quick checks (lower is more selective)."""
    share = 1.0
    if a.prefixes is not None:
        share = min(1.0, len(a.prefixes) / 2000)
    elif a.keys is not None:
        share = min(1.0, len(a.keys) / 40)
    if a.marks:
        share *= 0.1
    return share


def _too_slow(rule: Rule, text: str, timeout: float, search: bool = False) -> bool:
    """Whether one of the rule's patterns alone takes longer than `timeout` on `text`."""
    import regex

    flags = pattern_flags(rule.case_sensitive)
    for p in rule.patterns or tuple(e.pattern for e in rule.block):
        compiled = regex.compile(p, flags)
        try:
            (compiled.search if search else compiled.fullmatch)(text, timeout=timeout)
        except TimeoutError:
            return True
    return False


def _report_slow(rule: Rule, where: str, timeout: float, warn: Warn) -> None:
    warn(f"{rule.source}: rule {rule.id}: pattern took over {timeout:g}s on {where or 'a line'} "
         "(catastrophic backtracking?); the rule is skipped for the rest of this run - rewrite the pattern")


class CompiledRules:
    """The active rules of one page, compiled: what `apply_rules` runs. Built once per set of
    active rules and reused for every page that has the same set; `with compiled.watchdog:`
    around a run lets it use the fast engine."""

    def __init__(self, rules: Sequence[Rule], timeout: float, screen: Prescreen | None = None) -> None:
        self._warn: Warn | None = None
        engines = self.engines = _Engines(timeout)
        self.watchdog = engines.watchdog
        self.line_facts = engines.line_facts  # (see `_Engines`)
        warn = self.warn

        def of(action: str) -> list[Rule]:
            return [r for r in rules if r.action == action]

        def line_matcher(action: str) -> LineMatcher | None:
            return LineMatcher(of(action), engines, warn) if of(action) else None

        self.rules = tuple(rules)
        self.drop_lines = line_matcher(DROP_LINE)
        self.cut_after = line_matcher(CUT_AFTER)
        self.cut_before = line_matcher(CUT_BEFORE)
        self.spans = SpanMatcher(of(STRIP_SPAN), engines, warn) if of(STRIP_SPAN) else None
        self.blocks = tuple(BlockMatcher(r, engines, warn) for r in of(DROP_BLOCK))
        self.triggers = TriggerDispatch(self.blocks)
        self.lookahead = max((b.lookahead for b in self.blocks), default=0)
        # --engine fast: a screen that clears most lines of every rule at once (rules/prescreen.py),
        # built for all the loaded rules and answering for these
        self.prescreen = screen.only(*screened_patterns(self.rules)) if screen is not None else None

    def use_warn(self, warn: Warn | None) -> None:
        """Where the matchers report slow patterns during the next run."""
        self._warn = warn

    def warn(self, message: str) -> None:
        if self._warn is not None:
            self._warn(message)


def screened_patterns(rules: Sequence[Rule]) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    """What `apply_rules` matches on every arriving line, as (pattern, case_sensitive) pairs:
    drop-line and cut-after patterns and block triggers, matched against the line's core, and
    span patterns, searched in the line (the fast engine's screen is built from these)."""
    anchored = [(p, r.case_sensitive) for r in rules if r.action in (DROP_LINE, CUT_AFTER) for p in r.patterns]
    anchored += [(r.block[trigger_index(r)].pattern, r.case_sensitive) for r in rules if r.action == DROP_BLOCK]
    spans = [(p, r.case_sensitive) for r in rules if r.action == STRIP_SPAN for p in r.patterns]
    return anchored, spans
