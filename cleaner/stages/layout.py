"""Kept lines -> output text pieces: blank-line runs become one blank line, with none at the
start or the end of the page; every line ends in LF (a `Fragment` is followed by the rest of
its line instead).

Removing lines leaves runs of blanks behind; squeezing them is the one layout change cleaning
makes, and it is part of what "normalised" means in the README and the tests."""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from .normalize import Fragment


def layout(lines: Iterable[str]) -> Iterator[str]:
    started = blank = in_line = False
    for line in lines:
        if in_line:  # the rest of an over-long line, even if empty, ends it
            in_line = type(line) is Fragment
            yield line if in_line else line + "\n"
            continue
        if not line:
            blank = started
            continue
        if blank:
            yield "\n"
            blank = False
        started = True
        in_line = type(line) is Fragment
        yield line if in_line else line + "\n"
