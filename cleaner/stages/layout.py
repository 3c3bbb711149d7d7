"""Kept lines -> output text pieces: blank-line runs become one blank line, with none at the
start or the end of the page; every line ends in LF (a `Fragment` is followed by the rest of
its line instead).

Removing lines leaves runs of blanks behind; squeezing them is the one layout change cleaning
makes, and it is part of what "normalised" means in the README and the tests."""
from __future__ import annotations

from typing import Iterable, Iterator

from .normalize import Fragment


def layout(lines: Iterable[str]) -> Iterator[str]:
    started = blank = False
    for line in lines:
        if not line:
            blank = started
            continue
        if blank:
            yield "\n"
            blank = False
        started = True
        yield line if type(line) is Fragment else line + "\n"
