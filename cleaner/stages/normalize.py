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
from collections.abc import Iterable, Iterator

_ODD_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\x0b\x0c"
_INVISIBLE = "\u200b\u2060\ufeff\u00ad"
# str.translate looks every character up in a dict (~4 MB/s on wide text), and a regex class
# search is not much better; an `in` test per odd character runs at C speed, and only the
# characters present are replaced.
_REPLACEMENT = tuple((c, " ") for c in _ODD_SPACES) + tuple((c, "") for c in _INVISIBLE)
_BLANKS = " \t" + _ODD_SPACES + _INVISIBLE  # what becomes (part of) a trailing blank once translated


class Fragment(str):
    """A piece of an over-long line; the line goes on in the next item (the last piece of a
    line is a plain str, possibly empty)."""

    __slots__ = ()


_SURROGATES = re.compile("[\ud800-\udfff]")


def _translate(text: str) -> str:
    """Steps 2-4 (no line structure involved). Lone surrogates, which only broken input can
    produce (e.g. through --encoding utf-7), become U+FFFD: they cannot be written as UTF-8."""
    if not text.isascii():
        for odd, replacement in _REPLACEMENT:
            if odd in text:
                text = text.replace(odd, replacement)
    elif "\x0b" in text or "\x0c" in text:
        text = text.replace("\x0b", " ").replace("\x0c", " ")
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if not text.isascii():
        # Encoding to UTF-8 fails on a lone surrogate and on nothing else: several times
        # faster than searching for one with a character class.
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = _SURROGATES.sub("\ufffd", text)
    return text


def normalize_text(text: str) -> str:
    """Steps 2-5 on text whose line ends are already LF."""
    return "\n".join(normalize_block(text))


def normalize_block(text: str) -> list[str]:
    """Steps 2-5 on text whose line ends are already LF; -> its lines. (A regex for trailing
    blanks tries every space in the text: two `in` tests tell whether any line has them.)"""
    text = _translate(text)
    lines = text.split("\n")
    if " \n" in text or "\t\n" in text or text.endswith((" ", "\t")):
        lines = [line.rstrip(" \t") for line in lines]
    return lines


def normalize_lines(chunks: Iterable[str], max_line_chars: int = 1 << 16) -> Iterator[str]:
    """Split a stream of text chunks (cut anywhere) into normalised lines, without their LF.
    The result does not depend on where the chunks were cut: a line longer than
    `max_line_chars` (as it came) is always cut into the same pieces, whether it arrived whole
    or in parts."""
    pending = ""  # the unfinished last line as it came, at most max_line_chars long
    cutter = _Cutter(max_line_chars)
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
            complete = text[:end]
            if len(complete) <= max_line_chars and not cutter.cutting:  # no line in it can be over-long
                yield from normalize_block(complete)
            else:
                for line in complete.split("\n"):
                    if len(line) <= max_line_chars and not cutter.cutting:
                        yield normalize_text(line)
                    else:
                        yield from cutter.end_line(line)
            text = text[end + 1 :]
        if len(text) > max_line_chars:
            text = yield from cutter.pieces(text)
        pending = text + "\r" if held_cr else text
    if pending or cutter.cutting:
        # a final lone CR ends the last line, like a final LF
        yield from cutter.end_line(pending.rstrip("\r").replace("\r", "\n"))


class _Cutter:
    """Cuts over-long lines into `Fragment`s. Pieces are normalised without trimming, since only
    the line's end is trimmed; a cut is never placed inside a run of blanks that could be that
    end, and pieces that are all blank are held back (up to `HOLD` of them) until the line
    shows whether they trail it."""

    HOLD = 16

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.cutting = False  # inside an over-long line
        self.blank: list[Fragment] = []

    def pieces(self, text: str):
        """Yield pieces off the front while more than `limit` characters are left; return the rest."""
        while len(text) > self.limit:
            self.cutting = True
            cut = _safe_cut(text, self.limit)
            piece = Fragment(_translate(text[:cut]))
            text = text[cut:]
            if not piece.strip(" \t"):
                self.blank.append(piece)
                if len(self.blank) <= self.HOLD:
                    continue
            yield from self._release()
            if piece.strip(" \t"):
                yield piece
        return text

    def end_line(self, text: str):
        """Yield the rest of a line (its pieces and its trimmed end)."""
        rest = yield from self.pieces(text)
        last = normalize_text(rest)
        if last or not self.cutting:
            yield from self._release()
        self.blank.clear()  # blank pieces right before the end trail the line: trimmed
        self.cutting = False
        yield last

    def _release(self):
        held, self.blank = self.blank, []
        yield from held


def _safe_cut(text: str, limit: int) -> int:
    """Where to cut an over-long line at or before `limit`: before a run of blanks (so no piece
    ends in blanks that may trail the line), else before a character that never combines with
    the one before it under NFC (ASCII, CJK ideographs, Hangul syllables)."""
    space = max(text.rfind(" ", 0, limit + 1), text.rfind("\t", 0, limit + 1))
    if space > 0:
        start = len(text[:space].rstrip(_BLANKS))
        if start > 0:
            return start
    for i in range(limit, 0, -1):
        c = ord(text[i])
        if c < 0x80 and text[i] not in _BLANKS or 0x4E00 <= c <= 0x9FFF or 0xAC00 <= c <= 0xD7A3:
            return i
    return limit  # no safe place in the whole window: cut anyway
