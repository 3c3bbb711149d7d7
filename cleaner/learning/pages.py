"""The pages to learn from: which files (walking each SRC), and each page as its non-blank
lines, read exactly as the cleaning pipeline reads them (decode, normalise, `line_core`), so a
learned pattern sees what a rule will see.

Only one page is in memory at a time, and of it only its first MAX_PAGE_LINES non-blank lines
(a page longer than that is learned from its head; furniture repeats in every page anyway).
"""
from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from typing import Iterator, Sequence

from ..errors import InputError, UsageError
from ..fileio import open_input
from ..stages.apply_rules import line_core
from ..stages.decode import decode
from ..stages.normalize import Fragment, normalize_lines

MAX_PAGE_LINES = 20000
MAX_CORE_CHARS = 2000  # longer lines are never furniture: kept as text, never keyed


@dataclass(frozen=True, slots=True)  # one per page is held: no per-instance dict
class Source:
    path: str  # as opened
    folder: str  # its folder, relative to the SRC it was found under (for --group-by folder)


@dataclass
class Line:
    no: int  # line number in the page (1-based, blank lines counted)
    raw: str
    core: str


def find_sources(srcs: Sequence[str], globs: Sequence[str] = ()) -> tuple[list[Source], list[str]]:
    """Files under each SRC (recursively, in name order, hidden files and folders skipped;
    `globs` keep files whose name, or path under SRC when the pattern has a `/`, matches).
    -> (sources, problems): a SRC that does not exist is a problem (named), not a stop."""
    if not srcs:
        raise UsageError("learn: give at least one SRC (a folder of pages, or page files)")
    out: list[Source] = []
    problems: list[str] = []
    for src in srcs:
        if src == "-":
            raise UsageError("learn: pages are read twice, so stdin (-) cannot be a SRC; give files or folders")
        if os.path.isdir(src):
            base = src.rstrip("/") or "/"
            for root, dirs, files in os.walk(src):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                rel_root = os.path.relpath(root, src)
                folder = base if rel_root == "." else os.path.join(base, rel_root)
                for name in sorted(files):
                    if name.startswith("."):
                        continue
                    rel = name if rel_root == "." else os.path.join(rel_root, name)
                    if globs and not any(_matches(g, rel, name) for g in globs):
                        continue
                    out.append(Source(os.path.join(root, name), folder))
        elif os.path.exists(src):
            out.append(Source(src, os.path.dirname(src) or "."))
        else:
            problems.append(f"{src}: no such file or folder")
    return out, problems


def _matches(pattern: str, rel: str, name: str) -> bool:
    return fnmatch.fnmatchcase(rel if "/" in pattern else name, pattern)


def read_lines(path: str, encoding: str | None = None) -> Iterator[Line]:
    """The non-blank lines of a page. Raises InputError (before yielding anything) for a file
    that cannot be read or decoded."""
    with open_input(path) as (stream, name):
        try:
            _enc, chunks = decode(stream, name, encoding)
        except OSError as e:
            raise InputError(f"{path}: cannot read: {e.strerror or e}") from None
        kept = 0
        in_fragment = False
        try:
            for no, line in enumerate(normalize_lines(chunks), 1):
                if in_fragment or type(line) is Fragment or len(line) > MAX_CORE_CHARS:
                    in_fragment = type(line) is Fragment
                    continue
                core = line_core(line)
                if not core:
                    continue
                yield Line(no, line, core)
                kept += 1
                if kept >= MAX_PAGE_LINES:
                    return
        except OSError as e:
            raise InputError(f"{path}: cannot read: {e.strerror or e}") from None
