"""Text chunks -> normalised lines. Exactly this, and nothing else, is changed:

1. Line ends: CRLF and lone CR become LF.
2. Odd spaces become a plain space: no-break space (U+00A0), the U+2000-U+200A spaces, narrow
   no-break (U+202F), medium mathematical (U+205F), ideographic (U+3000), Ogham (U+1680), and
   vertical tab / form feed.
3. Invisible characters are deleted: zero-width space (U+200B), word joiner (U+2060), a BOM
   inside the text (U+FEFF) and soft hyphens (U+00AD). Zero-width (non-)joiners (U+200C/D)
   stay: Persian, Indic scripts and emoji need them.
4. Unicode NFC.
5. Trailing spaces and tabs are removed from every line (so a line of blanks becomes empty).

Leading indentation stays. A line longer than `max_line_chars` is passed on in pieces
(`Fragment`s, each followed by the rest of the line), cut just before a space or another
character that cannot join with what precedes it, so memory stays flat on a one-line input of
any size and NFC is unaffected by the cut.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Iterable, Iterator

_ODD_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\x0b\x0c"
_INVISIBLE = "\u200b\u2060\ufeff\u00ad"
_TABLE = str.maketrans({**{c: " " for c in _ODD_SPACES}, **{c: None for c in _INVISIBLE}})
_TRAILING_BLANKS = re.compile(r"[ \t]+$", re.MULTILINE)


class Fragment(str):
    """A piece of an over-long line; the line goes on in the next item."""

    __slots__ = ()


def normalize_text(text: str) -> str:
    """Steps 2-5 on text whose line ends are already LF."""
    text = text.translate(_TABLE)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return _TRAILING_BLANKS.sub("", text)


def normalize_lines(chunks: Iterable[str], max_line_chars: int = 1 << 16) -> Iterator[str]:
    """Split a stream of text chunks (cut anywhere) into normalised lines, without their LF.
    The result does not depend on where the chunks were cut."""
    pending = ""  # the unfinished last line, never longer than max_line_chars
    for chunk in chunks:
        text = pending + chunk if pending else chunk
        # A CR at the very end may be the first half of a CRLF cut by the chunking: wait for more.
        held_cr = text.endswith("\r")
        if held_cr:
            text = text[:-1]
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        end = text.rfind("\n")
        if end >= 0:
            yield from normalize_text(text[:end]).split("\n")
            text = text[end + 1 :]
        while len(text) > max_line_chars:
            cut = _safe_cut(text, max_line_chars)
            yield Fragment(normalize_text(text[:cut]))
            text = text[cut:]
        pending = text + "\r" if held_cr else text
    if pending:
        # a final lone CR ends the last line, like a final LF
        yield normalize_text(pending.rstrip("\r").replace("\r", "\n"))


def _safe_cut(text: str, limit: int) -> int:
    """Where to cut an over-long line at or before `limit`: before a run of blanks (so no piece
    ends in blanks that trail the line), else before a character that never combines with the
    one before it under NFC (ASCII, CJK ideographs, Hangul syllables)."""
    space = max(text.rfind(" ", 0, limit + 1), text.rfind("\t", 0, limit + 1))
    if space > 0:
        start = len(text[:space].rstrip(" \t"))
        if start > 0:
            return start
    for i in range(limit, 0, -1):
        c = ord(text[i])
        if c < 0x80 or 0x4E00 <= c <= 0x9FFF or 0xAC00 <= c <= 0xD7A3:
            return i
    return limit  # no safe place in the whole window: cut anyway
