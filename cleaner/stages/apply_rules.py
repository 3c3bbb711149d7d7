"""Normalised lines -> the lines the rules keep, streaming through a bounded window.

When a line arrives, its own rules are settled at once:
1. a `drop-line` rule matching its *core* (`line_core`) marks it dropped;
2. otherwise `strip-span` rules cut their spans out of it (repeatedly, until none matches), and
   a line left empty, or whose new core a `drop-line` rule matches, is marked dropped.
Lines then wait in a window until enough of what follows is in view, and are decided in order:
3. a `drop-block` rule whose elements match this line and the next ones removes them all;
4. once a `cut-after` marker was met with enough text kept above it, everything goes (until the
   guard sees two prose paragraphs in a row: then the article goes on and the cut ends);
5. a `cut-before` marker in the page's first `HEAD_LINES` lines removes everything kept above
   it, unless that holds a prose paragraph (kept lines are held back until then);
6. a dropped line goes; the rest is kept.

So that cleaning clean text changes nothing (idempotence), blocks look past what the output
would not show: a run of blank lines is one gap (layout squeezes it to one blank line), and a
line dropped by its own rules is transparent (an element may match it or skip it). An element
matches a line as it came or as its spans left it.

Lines longer than the line cap and the pieces of over-long lines pass untouched: furniture is
never that long.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator

from ..removal import OnRemoval, Removal
from ..rules.matcher import BlockMatcher, CompiledRules
from ..rules.model import Rule
from .normalize import Fragment

HEAD_LINES = 300  # how far down (input lines) a cut-before marker is looked for
HEAD_CHARS = 1 << 18  # and how much kept text is held back meanwhile, at most
PROSE_CHARS = 200  # a line this long ending in sentence punctuation reads as a paragraph
MAX_HELD = 256  # window entries held at most, however many dropped lines pile up
_SENTENCE_END = tuple('.!?…"”’\')»')
_LIST_MARKS = frozenset("*-+•·▪◦‣>")

# Line states in the window.
KEPT, DROPPED, BLANK, RAW, DONE = range(5)  # RAW: never touched by rules; DONE: removed by a block


def line_core(line: str) -> str:
    """The line without surrounding whitespace and one leading list mark (`*`, `-`, `•`, `3.`,
    `12)` ... followed by a space): what line rules match against."""
    core = line.strip()
    if not core:
        return core
    first = core[0]
    if first in _LIST_MARKS:
        if len(core) > 2 and core[1] in " \t":
            return core[2:].lstrip()
    elif first.isdigit():
        i = 1
        while i < len(core) and i < 4 and core[i].isdigit():
            i += 1
        if i + 1 < len(core) and core[i] in ".)" and core[i + 1] in " \t":
            return core[i + 2 :].lstrip()
    return core


def is_bare_mark(core: str) -> bool:
    """A core that is only a list mark ('*', '3.'): what is left of a list item whose every
    word a span rule cut out."""
    if len(core) == 1:
        return core in _LIST_MARKS
    return core[-1] in ".)" and 1 < len(core) <= 5 and core[:-1].isdigit()


def is_prose(core: str) -> bool:
    return len(core) >= PROSE_CHARS and core.endswith(_SENTENCE_END)


class _Entry:
    """A line in the window: its number, the line as it came, and what the rules found in it
    (`_Applier._facts`)."""

    __slots__ = ("no", "line", "state", "text", "raw_core", "core", "rule", "spans", "triggers", "cut", "vis")

    def __init__(self, no: int, line: str, facts: tuple) -> None:
        self.no, self.line = no, line
        # text: the line as its spans left it; raw_core/core: `line_core` of the line / of text;
        # rule: what dropped it; spans: ((rule, removed span), ...); triggers: the blocks whose
        # trigger element it matches; cut: the cut-after marker rule it matches
        self.state, self.text, self.raw_core, self.core, self.rule, self.spans, self.triggers, self.cut = facts
        self.vis = 0  # lines not dropped in the window up to this one (see `_Applier.visible`)


_BLANK_FACTS = (BLANK, "", "", "", None, (), (), None)
MEMO_CHARS = 256  # lines up to this long have their facts remembered (furniture recurs; prose does not)
MEMO_LINES = 1 << 13  # facts remembered at most (then forgotten all at once): a few MB, under 20 MB for any text


def apply_rules(
    lines: Iterable[str],
    rules: CompiledRules,
    on_removal: OnRemoval | None = None,
    max_line_chars: int = 1 << 16,
) -> Iterator[str]:
    """Yield the kept lines, blank lines included (`layout` tidies them)."""
    return _Applier(rules, on_removal).run(lines, max_line_chars)


def apply_rules_numbered(
    lines: Iterable[str],
    rules: CompiledRules,
    on_removal: OnRemoval | None = None,
    max_line_chars: int = 1 << 16,
) -> Iterator[tuple[int, str]]:
    """`apply_rules`, each kept line with its 1-based number in the input: what a later stage
    that reports removals (heuristics) needs, since the rules have already dropped lines."""
    applier = _Applier(rules, on_removal)
    for line in applier.run(lines, max_line_chars):
        yield applier.kept_no, line


class _Applier:
    def __init__(self, rules: CompiledRules, on_removal: OnRemoval | None) -> None:
        self.r = rules
        self.report = on_removal
        self.kept_chars = 0  # text kept so far, for the cut-after guard
        self.cutting: Rule | None = None  # the cut-after rule removing the footer, if any
        self.held_prose: _Entry | None = None  # a paragraph inside a cut, waiting for a twin
        self.blank_after_held = False
        # Kept lines held back while a header cut may still come.
        self.head: list[_Entry] | None = [] if rules.cut_before else None
        self.head_chars = 0
        # Per block rule, the lines in the window that matched its trigger element, as
        # (number, `vis`): a block is only tried at a head that such a line is within its reach
        # of (`BlockMatcher.reach`).
        # Bounded: older records than the window's lines are of no use (a line may add two).
        self.trigger_lines: list[deque[tuple[int, int]]] = [deque(maxlen=2 * MAX_HELD + 4) for _ in rules.blocks]
        self.any_trigger: deque[tuple[int, int]] = deque(maxlen=MAX_HELD + 2)  # the same for all blocks
        self.visible = 0  # lines arrived in the window so far that were not dropped
        self.kept_no = 0  # the input number of the line yielded last (see apply_rules_numbered)

    def _removed(self, no: int, rule_id: str, text: str, whole: bool = True) -> None:
        if self.report is not None:
            self.report(Removal(no, rule_id, text, whole))

    # --- arrival -----------------------------------------------------------------------------

    def _arrive(self, no: int, line: str) -> _Entry:
        """The entry of a line that is not raw (`run` has the common cases inline)."""
        if not line:
            return _Entry(no, "", _BLANK_FACTS)
        # What the rules find in a line depends on nothing but the line, and furniture lines
        # recur within a page and across pages: they are looked up rather than matched again.
        memo = self.r.line_facts
        facts = memo.get(line)
        if facts is None:
            epoch = self.r.engines.epoch
            facts = self._facts(no, line)
            if len(line) <= MEMO_CHARS and self.r.engines.epoch == epoch:  # (no rule was dropped meanwhile)
                if len(memo) >= MEMO_LINES:
                    memo.clear()
                memo[line] = facts
        e = _Entry(no, "" if facts[0] == BLANK else line, facts)
        if e.triggers:
            self._triggered(e)
        return e

    def _triggered(self, e: _Entry) -> None:
        """Note a line that matches block triggers, with the `vis` it gets in `run` (a line with
        a trigger is never a skipped blank)."""
        at = (e.no, self.visible + (e.state != DROPPED))
        for i in e.triggers:
            self.trigger_lines[i].append(at)
        self.any_trigger.append(at)

    def _facts(self, no: int, line: str) -> tuple:
        """What the rules find in a line: the fields of `_Entry` after `no` and `line`."""
        core = line_core(line)
        if not core:
            return _BLANK_FACTS
        r = self.r
        if r.prescreen is not None and r.prescreen.clear(line, core):
            return (KEPT, line, core, core, None, (), (), None)  # no rule can touch it
        where = f"line {no}"
        state, text, new_core, rule, spans = KEPT, line, core, None, ()
        if r.drop_lines is not None:
            rule = r.drop_lines.match(core, where)
        if rule is None and r.spans is not None:
            stripped, removed = r.spans.strip(line, where)
            if removed:
                spans = tuple(removed)
                text, new_core = stripped, line_core(stripped)
                if not new_core or is_bare_mark(new_core):
                    rule = spans[0][0]
                elif r.drop_lines is not None:
                    rule = r.drop_lines.match(new_core, where)
        if rule is not None:
            state = DROPPED
        triggers: tuple[int, ...] = ()
        if r.blocks:
            triggers = r.triggers.triggered(core)
            if new_core != core and new_core:
                triggers += r.triggers.triggered(new_core)
        cut = r.cut_after.match(core, where) if r.cut_after is not None else None
        return (state, text, core, new_core, rule, spans, triggers, cut)

    # --- the window --------------------------------------------------------------------------

    def run(self, lines: Iterable[str], max_line_chars: int) -> Iterator[str]:
        r = self.r
        lookahead = r.lookahead
        reach = max((b.reach for b in r.blocks), default=0)
        memo = r.line_facts
        report = self.report
        triggers = self.any_trigger
        window: deque[_Entry] = deque()
        ahead = 0  # entries in the window after the head that blocks count (not dropped ones)
        in_fragment = False
        last_visible = BLANK  # state of the last line the output may show (nothing yet: blank)
        for no, line in enumerate(lines, 1):
            # --- arrival (`_arrive`, with its common cases inline: this runs per line) ---
            if in_fragment or type(line) is Fragment or len(line) > max_line_chars:
                in_fragment = type(line) is Fragment
                e = _Entry(no, line, (RAW, line, "", "", None, (), (), None))
            elif not line:
                if last_visible == BLANK:
                    continue  # blank lines with only dropped ones between are one gap: layout squeezes them
                e = _Entry(no, "", _BLANK_FACTS)
            else:
                facts = memo.get(line)
                if facts is None:
                    e = self._arrive(no, line)
                    if e.state == BLANK and last_visible == BLANK:
                        continue
                else:
                    if facts[0] == BLANK:
                        if last_visible == BLANK:
                            continue
                        e = _Entry(no, "", facts)
                    else:
                        e = _Entry(no, line, facts)
                        if e.triggers:
                            self._triggered(e)
            window.append(e)
            if e.state != DROPPED:
                ahead += 1
                last_visible = e.state
                self.visible += 1
            e.vis = self.visible
            # --- decisions (`_decide`, with the common cases inline) ---
            while ahead > lookahead or len(window) > MAX_HELD:
                head = window.popleft()
                state = head.state
                if state != DROPPED:
                    ahead -= 1
                if state == DONE:
                    continue
                if self.cutting is not None:  # `_in_cut`, but for a paragraph
                    if state == BLANK:
                        self.blank_after_held = self.held_prose is not None
                    elif state == KEPT and is_prose(head.core):
                        yield from self._in_cut(head)
                    else:
                        if self.held_prose is not None:
                            self._drop_held_prose()
                        if report is not None:
                            report(Removal(head.no, head.rule.id if head.rule else self.cutting.id, head.line, True))
                    continue
                if self.head is not None:  # a header cut may still come
                    yield from self._decide(head, window)
                    continue
                if state == BLANK:
                    self.kept_no = head.no
                    yield ""
                    continue
                if state != RAW:
                    while triggers and triggers[0][0] < head.no:
                        triggers.popleft()
                    if triggers and triggers[0][1] - (head.vis - (state != DROPPED)) <= reach:
                        yield from self._decide(head, window)  # a block may start here
                        continue
                    marker = head.cut
                    if marker is not None and self.kept_chars >= marker.min_chars_before:
                        yield from self._decide(head, window)  # the footer cut starts here
                        continue
                    if state == DROPPED:
                        if report is not None:
                            report(Removal(head.no, head.rule.id, head.line, True))
                        continue
                    if report is not None:
                        for rule, span in head.spans:
                            report(Removal(head.no, rule.id, span, False))
                    self.kept_chars += len(head.core)
                else:
                    self.kept_chars += len(head.line)
                self.kept_no = head.no
                yield head.text
        while window:
            yield from self._decide(window.popleft(), window)
        yield from self._finish()

    def _decide(self, e: _Entry, window: deque[_Entry]) -> Iterator[str]:
        if e.state == DONE:
            return
        if self.cutting is not None:
            yield from self._in_cut(e)
            return
        if e.state in (KEPT, DROPPED) and self.r.blocks and self._block_at(e, window):
            return
        if e.state in (KEPT, DROPPED):
            marker = e.cut
            if marker is not None and self.kept_chars >= marker.min_chars_before:
                self.cutting = marker
                self._removed(e.no, e.rule.id if e.rule else marker.id, e.line)
                return
        if e.state == KEPT and self.r.cut_before is not None and self.head is not None:
            marker = self.r.cut_before.match(e.raw_core, f"line {e.no}")
            if marker is not None:
                yield from self._cut_head(e, marker)
                return
        if e.state == DROPPED:
            self._report_dropped(e)
            return
        yield from self._keep(e)

    def _report_dropped(self, e: _Entry) -> None:
        assert e.rule is not None
        self._removed(e.no, e.rule.id, e.line)

    def _block_at(self, head: _Entry, window: deque[_Entry]) -> bool:
        """Remove the block starting at `head`, if one does; -> whether one did."""
        # lines not dropped before the head: a trigger line's `vis` minus this is how many
        # lines not dropped a match from the head to it would span
        before = head.vis - (head.state != DROPPED)
        for i, block in enumerate(self.r.blocks):
            triggers = self.trigger_lines[i]
            while triggers and triggers[0][0] < head.no:
                triggers.popleft()
            if triggers and triggers[0][1] - before <= block.reach:
                covered = _match_block(block, head, window)
                if covered:
                    for e in covered:
                        if e.state == KEPT:
                            self._removed(e.no, block.rule.id, e.line)
                        elif e.state == DROPPED:
                            self._report_dropped(e)
                        e.state = DONE
                    return True
        return False

    # --- keeping, and the header cut --------------------------------------------------------

    def _keep(self, e: _Entry) -> Iterator[str]:
        if e.state == KEPT:
            for rule, span in e.spans:
                self._removed(e.no, rule.id, span, False)
            self.kept_chars += len(e.core)
        elif e.state == RAW:
            self.kept_chars += len(e.line)
        if self.head is None:
            self.kept_no = e.no
            yield e.text
            return
        self.head.append(e)
        self.head_chars += len(e.text)
        if e.no >= HEAD_LINES or self.head_chars >= HEAD_CHARS:  # no marker this far down
            yield from self._release_head()

    def _release_head(self) -> Iterator[str]:
        held, self.head = self.head or [], None
        for h in held:
            self.kept_no = h.no
            yield h.text

    def _cut_head(self, marker_line: _Entry, marker: Rule) -> Iterator[str]:
        held = self.head or []
        if any(h.state == KEPT and is_prose(h.core) for h in held):  # guard: never cut a paragraph
            yield from self._release_head()
            yield from self._keep(marker_line)
            return
        self.head = None
        for h in held:
            if h.state != BLANK:
                self._removed(h.no, marker.id, h.line)
        self.kept_chars = 0
        if marker.include_marker:
            self._removed(marker_line.no, marker.id, marker_line.line)
        else:
            yield from self._keep(marker_line)

    # --- the footer cut ---------------------------------------------------------------------

    def _in_cut(self, e: _Entry) -> Iterator[str]:
        rule = self.cutting
        assert rule is not None
        if e.state == BLANK:
            self.blank_after_held = self.held_prose is not None
            return
        if e.state == KEPT and is_prose(e.core):
            if self.held_prose is not None:  # two paragraphs in a row: the article goes on
                held, self.held_prose, self.cutting = self.held_prose, None, None
                yield from self._keep(held)
                if self.blank_after_held:
                    yield ""
                yield from self._keep(e)
                return
            self.held_prose, self.blank_after_held = e, False
            return
        self._drop_held_prose()
        self._removed(e.no, e.rule.id if e.rule else rule.id, e.line)

    def _drop_held_prose(self) -> None:
        if self.held_prose is not None and self.cutting is not None:
            self._removed(self.held_prose.no, self.cutting.id, self.held_prose.line)
        self.held_prose = None

    def _finish(self) -> Iterator[str]:
        self._drop_held_prose()
        if self.head is not None:
            yield from self._release_head()


def _match_block(block: BlockMatcher, head: _Entry, window: deque[_Entry]) -> list[_Entry]:
    """The entries a block starting at `head` covers, or [] if it does not match there.

    Elements are matched in order against the lines after the head: a blank line (the window
    keeps one per run) is the gap `max_gap` allows between two elements (none before the
    first), a dropped line may be matched or skipped, a kept line must match the element (or an
    optional element is skipped), a raw line ends the block."""
    if head.state == KEPT and not _may_head(block, head):
        return []
    lines = [head, *window]
    pos = 0
    covered_to = -1
    for index, optional in enumerate(block.optional):
        probe, matched = pos, False
        while probe < len(lines):
            e = lines[probe]
            if e.state == BLANK:
                if covered_to < 0 or block.rule.max_gap == 0:
                    break
            elif e.state in (KEPT, DROPPED):
                if block.element_matches(index, e.raw_core, e.no) or (
                    e.core != e.raw_core and e.core and block.element_matches(index, e.core, e.no)
                ):
                    matched = True
                    break
                if e.state == KEPT:
                    break
            else:  # RAW or DONE
                break
            probe += 1
        if matched:
            pos = covered_to = probe
            pos += 1
        elif not optional:
            return []
    return lines[: covered_to + 1] if covered_to >= 0 else []


def _may_head(block: BlockMatcher, head: _Entry) -> bool:
    """Whether a kept line can be the first line of a block: it must match one of the elements
    up to the first required one (the walk in `_match_block` stops at a kept line that does not
    match). Checked first because blocks are tried at many heads and few of them qualify."""
    for index, optional in enumerate(block.optional):
        if block.element_matches(index, head.raw_core, head.no) or (
            head.core != head.raw_core and head.core and block.element_matches(index, head.core, head.no)
        ):
            return True
        if not optional:
            return False
    return False
