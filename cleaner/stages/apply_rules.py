"""Normalised lines -> the lines the rules keep, streaming through a bounded window.

Per line, in this order:
1. once a `cut-after` footer cut is running, the line goes (until the guard sees two prose
   paragraphs in a row: then the article goes on and the cut ends);
2. a `drop-block` rule whose elements match this line and the next ones removes them all
   (lines wait in a window of `lookahead` lines for this);
3. a `cut-after` marker starts the footer cut, if enough text was kept above it;
4. a `cut-before` marker in the page's first `HEAD_LINES` lines removes everything kept above
   it, unless that holds a prose paragraph (kept lines are held back until then);
5. a `drop-line` rule removes the line;
6. `strip-span` rules cut spans out of it (a line left empty goes).
Rules see each line's *core* (`line_core`). Lines longer than the line cap and the pieces of
over-long lines pass untouched: furniture is never that long.

Window entries carry the core: a str for a line rules may match, None for a blank line, ""
for a line rules must not touch.
"""
from __future__ import annotations

from collections import deque
from typing import Iterable, Iterator

from ..removal import OnRemoval, Removal
from ..rules.matcher import CompiledRules
from ..rules.model import Rule
from .normalize import Fragment

HEAD_LINES = 300  # how far down a cut-before marker is looked for
PROSE_CHARS = 200  # a line this long ending in sentence punctuation reads as a paragraph
_SENTENCE_END = tuple('.!?…"”’\')»')
_LIST_MARKS = frozenset("*-+•·▪◦‣>")


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


def is_prose(core: str) -> bool:
    return len(core) >= PROSE_CHARS and core.endswith(_SENTENCE_END)


def apply_rules(
    lines: Iterable[str],
    rules: CompiledRules,
    on_removal: OnRemoval | None = None,
    max_line_chars: int = 1 << 16,
) -> Iterator[str]:
    """Yield the kept lines, blank lines included (`layout` tidies them)."""
    return _Applier(rules, on_removal).run(lines, max_line_chars)


class _Applier:
    def __init__(self, rules: CompiledRules, on_removal: OnRemoval | None) -> None:
        self.r = rules
        self.report = on_removal
        self.kept_chars = 0  # text kept so far, for the cut-after guard
        self.cutting: Rule | None = None  # the cut-after rule removing the footer, if any
        self.held_prose: tuple[int, str] | None = None  # a paragraph inside a cut, waiting for a twin
        self.blank_after_held = False
        # Kept lines held back while a header cut may still come.
        self.head: list[tuple[int, str]] | None = [] if rules.cut_before else None
        # Per block rule, the number of the last line that matched its trigger element: a block
        # is only tried at a head line while such a line is in the window.
        self.last_trigger = [0] * len(rules.blocks)

    def _removed(self, no: int, rule_id: str, text: str, whole: bool = True) -> None:
        if self.report is not None:
            self.report(Removal(no, rule_id, text, whole))

    def run(self, lines: Iterable[str], max_line_chars: int) -> Iterator[str]:
        lookahead = self.r.lookahead
        window: deque[tuple[int, str, str | None]] = deque()
        block_left, block_rule = 0, ""  # lines the block at the head still covers
        in_fragment = False
        lines_iter = iter(lines)
        no = 0
        while True:
            if len(window) <= lookahead:  # fill the window (or drain it at the end)
                line = next(lines_iter, None)
                if line is not None:
                    no += 1
                    if in_fragment or type(line) is Fragment or len(line) > max_line_chars:
                        core: str | None = ""
                        in_fragment = type(line) is Fragment
                    else:
                        core = line_core(line) or None
                        if core:
                            for i, block in enumerate(self.r.blocks):
                                if block.triggers(core):
                                    self.last_trigger[i] = no
                    window.append((no, line, core))
                    continue
                if not window:
                    break
            head_no, head, head_core = window.popleft()
            if block_left:
                block_left -= 1
                if head_core:
                    self._removed(head_no, block_rule, head)
                continue
            if head_core and self.cutting is None and self.r.blocks:
                block_left, block_rule = self._block_at(head_no, head, head_core, window)
                if block_rule:  # the head line was the block's first
                    continue
            yield from self._line(head_no, head, head_core)
        yield from self._finish()

    def _block_at(self, no: int, line: str, core: str, window: deque) -> tuple[int, str]:
        """A block starting at the head line: report the head, return (lines after it, rule id)."""
        cores = None
        for i, block in enumerate(self.r.blocks):
            if self.last_trigger[i] >= no:
                cores = cores or [core] + [c for _, _, c in window]
                n = block.match(no, cores)
                if n:
                    self._removed(no, block.rule.id, line)
                    return n - 1, block.rule.id
        return 0, ""

    def _line(self, no: int, line: str, core: str | None) -> Iterator[str]:
        r = self.r
        if self.cutting is not None:
            yield from self._in_cut(no, line, core)
            return
        if not core:  # blank, or not to be touched
            yield from self._keep(no, line, core)
            return
        where = f"line {no}"
        if r.cut_after is not None:
            marker = r.cut_after.match(core, where)
            if marker is not None and self.kept_chars >= marker.min_chars_before:
                self.cutting = marker
                self._removed(no, marker.id, line)
                return
        if r.cut_before is not None and self.head is not None:
            marker = r.cut_before.match(core, where)
            if marker is not None:
                yield from self._cut_head(no, line, core, marker)
                return
        if r.drop_lines is not None:
            rule = r.drop_lines.match(core, where)
            if rule is not None:
                self._removed(no, rule.id, line)
                return
        if r.spans is not None:
            stripped, spans = r.spans.strip(line, where)
            if spans:
                gone = not stripped.strip()
                for rule, span in spans:
                    self._removed(no, rule.id, line if gone else span, gone)
                if gone:
                    return
                line, core = stripped, line_core(stripped)
        yield from self._keep(no, line, core)

    def _keep(self, no: int, line: str, core: str | None) -> Iterator[str]:
        self.kept_chars += len(core) if core else len(line) if core == "" else 0
        if self.head is None:
            yield line
            return
        self.head.append((no, line))
        if len(self.head) >= HEAD_LINES:  # no header marker this far down: let the head go
            held, self.head = self.head, None
            for _, held_line in held:
                yield held_line

    def _cut_head(self, no: int, line: str, core: str, marker: Rule) -> Iterator[str]:
        held, self.head = self.head or [], None
        if any(is_prose(line_core(h)) for _, h in held):  # guard: never cut a paragraph
            for _, h in held:
                yield h
            yield from self._keep(no, line, core)
            return
        for held_no, h in held:
            if h.strip():
                self._removed(held_no, marker.id, h)
        self.kept_chars = 0
        if marker.include_marker:
            self._removed(no, marker.id, line)
        else:
            yield from self._keep(no, line, core)

    def _in_cut(self, no: int, line: str, core: str | None) -> Iterator[str]:
        rule = self.cutting
        assert rule is not None
        if core is None:  # blank
            self.blank_after_held = self.held_prose is not None
            return
        if core and is_prose(core):
            if self.held_prose is not None:  # two paragraphs in a row: the article goes on
                held_no, held = self.held_prose
                self.cutting, self.held_prose = None, None
                yield from self._keep(held_no, held, line_core(held))
                if self.blank_after_held:
                    yield ""
                yield from self._line(no, line, core)
                return
            self.held_prose, self.blank_after_held = (no, line), False
            return
        self._drop_held_prose()
        self._removed(no, rule.id, line)

    def _drop_held_prose(self) -> None:
        if self.held_prose is not None and self.cutting is not None:
            self._removed(self.held_prose[0], self.cutting.id, self.held_prose[1])
        self.held_prose = None

    def _finish(self) -> Iterator[str]:
        self._drop_held_prose()
        if self.head is not None:
            held, self.head = self.head, None
            for _, h in held:
                yield h
