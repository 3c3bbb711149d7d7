"""One line -> its *key* (what "the same line" means when counting across pages), the features
the guards read (words, stop words, sentence shape), and, for learned keys, the regex a rule
file gets.

The key of a line is its core (`line_core`: no indentation, no list mark) cut into tokens:

- letter runs, lower-cased (so case differences are one line);
- digit groups (`12`, `22:15`, `17.02.2013`, `1,234`) masked as `0`, so `12 comments` and
  `3 comments` are one line; a word right after a number loses a plural `s` (`1 comment`);
- month and weekday names next to a number masked (`17 February 2013` = `3 March 2012`), and
  time units after a number (`3 hours ago` = `2 days ago`);
- punctuation and spacing dropped (`More…` = `More ...`): that and the masking are all the
  "near-duplicate" matching there is. It is simple on purpose: a rule must say exactly what it
  removes, and each masked token has an obvious regex to write back.

A line with no letters at all (`*`, `,`, `2013`, `00:36`) has no key: masked, it would match
every such line, and it carries no words to score anyway.

A line that starts with a short label and a colon (`Filed under: Economy, Taxes`, `Tags: ...`)
also has a *prefix key*, the label alone: the label recurs where what follows it differs on
every page, and is learned as `label:` followed by anything.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

# Digit groups are one token whatever separates their parts; letters are \w minus digits and _.
_TOKEN = re.compile(r"(\d+(?:[.,:/]\d+)*)|([^\W\d_]+)")
NUM = "0"
MONTH = "<month>"
WEEKDAY = "<weekday>"
UNIT = "<unit>"

_MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec "
    "januar februar märz mai juni juli oktober dezember"
).split()
_WEEKDAYS = (
    "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun"
).split()
_UNITS = "second seconds sec secs minute minutes min mins hour hours hr hrs day days week weeks month months year years".split()
_MONTH_SET, _WEEKDAY_SET, _UNIT_SET = frozenset(_MONTHS), frozenset(_WEEKDAYS), frozenset(_UNITS)

# The regex written back for each masked token (rules are case-insensitive).
NUM_RE = r"\d+(?:[.,:/]\d+)*"
MONTH_RE = (r"(?:jan(?:uary|uar)?|feb(?:ruary|ruar)?|mar(?:ch)?|märz|apr(?:il)?|ma[iy]|jun[ei]?|jul[iy]?"
            r"|aug(?:ust)?|sept?(?:ember)?|o[ck]t(?:ober)?|nov(?:ember)?|de[cz](?:ember)?)\.?")
WEEKDAY_RE = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|rsday|urday|sday)?\.?"
UNIT_RE = r"(?:second|sec|minute|min|hour|hr|day|week|month|year)s?"

# Small stop-word lists: enough to tell running text from labels in the languages scraped most.
_STOP = frozenset(
    """a an the of to in on at by for with from and or but not no is are was were be been being
    has have had it its this that these those he she they we you i his her their our your who
    which what when where as if than then so such also into over about after before will would
    can could should may might must said says there here do does did all more most some any
    der die das den dem des ein eine einer eines und oder aber nicht ist sind war waren wird
    werden hat haben mit von zu im in am auf für aus bei nach über sich es er sie wir ihr dass
    le la les un une des du de et ou mais est sont été dans sur pour par avec que qui ce cette
    il elle ils nous vous el los las y o pero es son fue en con por para que se su del al lo""".split()
)
_SENTENCE_END = tuple('.!?…"”’\')»')

# Prose thresholds (see `is_prose`, `is_sentence`).
PROSE_WORDS = 15  # a line this long that ends like a sentence or is full of stop words is prose
LONG_WORDS = 30  # a line this long is prose whatever it looks like
SENTENCE_WORDS = 7  # a shorter sentence: furniture can be that ("Read the full story here.")


@dataclass(frozen=True)
class LineKey:
    tokens: tuple[str, ...]  # masked tokens (see the module's docstring); LONG for a long line
    digest: int  # 64-bit hash of the tokens: what is counted


LONG = ("<long>",)  # the tokens of a line too long to be furniture (see `line_key`)
PREFIX = "<prefix>"  # first token of a prefix key (see `prefix_key`)
PREFIX_WORDS = 4  # a label has at most this many words
_LABEL = re.compile(r"([^\W\d_][^:]{0,40}?):\s*(?=\S)")
LONG_CHARS = 300  # lines longer than this are keyed whole, without tokens: never learned
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")


def tokens_of(core: str) -> list[tuple[str, str, int, int]]:
    """(kind, text, start, end) for each token of a core; kind is "num" or "word"."""
    return [("num" if m.group(1) else "word", m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(core)]


def mask(pairs: list[tuple[str, str]]) -> tuple[str, ...]:
    """Masked key tokens from `_TOKEN.findall` pairs (number, word)."""
    out: list[str] = []
    n = len(pairs)
    for i, (num, word) in enumerate(pairs):
        if num:
            out.append(NUM)
            continue
        w = word.lower()
        after_num = i > 0 and pairs[i - 1][0] != ""
        before_num = i + 1 < n and pairs[i + 1][0] != ""
        if not (after_num or before_num):
            out.append(w)
        elif w in _MONTH_SET:
            out.append(MONTH)
        elif w in _WEEKDAY_SET:
            out.append(WEEKDAY)
        elif after_num and w in _UNIT_SET:
            out.append(UNIT)
        elif after_num and len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
            out.append(w[:-1] + "(s)")  # "12 comments"
        elif after_num and len(w) > 2 and i == n - 1:
            out.append(w + "(s)")  # "1 comment" at the end of the line
        else:
            out.append(w)
    return tuple(out)


def digest(tokens: tuple[str, ...]) -> int:
    return int.from_bytes(hashlib.blake2b("\x1f".join(tokens).encode(), digest_size=8).digest(), "little")


@dataclass(frozen=True)
class LineInfo:
    """What the learner needs to know about one line, computed once."""

    key: LineKey | None
    words: int
    prose: bool  # `is_prose`
    sentence: bool  # `is_sentence`


def analyse(core: str) -> LineInfo:
    """Key and prose features of a core. A line longer than LONG_CHARS is never furniture to
    learn (it is counted only to tell recurring text from the page's own): it is keyed as its
    lower-cased text with digits masked, without tokenising, which is most of the time saved."""
    if len(core) > LONG_CHARS:
        key = line_key(core)
        words = core.split()
        n = len(words)
        stops = sum(1 for w in words if w.lower().strip(".,;:!?\"'()“”‘’«»") in _STOP) / n if n else 0.0
        prose = n >= LONG_WORDS or (n >= PROSE_WORDS and (core.endswith(_SENTENCE_END) or stops >= 0.3))
        return LineInfo(key, n, prose,
                        n >= SENTENCE_WORDS and core.endswith(_SENTENCE_END) and stops >= 0.15)
    pairs = _TOKEN.findall(core)
    words = [w for _n, w in pairs if w]
    key = LineKey(m, digest(m)) if words and (m := mask(pairs)) else None
    return LineInfo(key, len(words), is_prose(core, words), is_sentence(core, words))


def line_key(core: str) -> LineKey | None:
    """The key of a core, or None for a line without letters (what `analyse` says, faster)."""
    if len(core) > LONG_CHARS:
        return LineKey(LONG, digest(LONG + (_SPACES.sub(" ", _DIGITS.sub("0", core.lower())),)))
    pairs = _TOKEN.findall(core)
    if not any(w for _n, w in pairs):
        return None
    m = mask(pairs)
    return LineKey(m, digest(m))


def prefix_key(core: str) -> LineKey | None:
    """The key of a core's leading label (`Filed under:`), or None."""
    m = _LABEL.match(core)
    if m is None or len(core) > LONG_CHARS:
        return None
    pairs = _TOKEN.findall(m.group(1))
    if not pairs or len(pairs) > PREFIX_WORDS or any(n for n, _w in pairs):
        return None
    masked = (PREFIX,) + mask(pairs)
    return LineKey(masked, digest(masked))


def label_of(core: str) -> str:
    """The label part of a core that has a prefix key (`Filed under:`)."""
    m = _LABEL.match(core)
    return core[: m.end()].rstrip() if m else core


def words_of(core: str) -> list[str]:
    return [w for _n, w in _TOKEN.findall(core) if w]


def is_stop_word(word: str) -> bool:
    return word.lower() in _STOP


def stop_share(words: list[str]) -> float:
    return sum(1 for w in words if w.lower() in _STOP) / len(words) if words else 0.0


def is_prose(core: str, words: list[str] | None = None) -> bool:
    """Running text: never learned, however often it recurs (a syndicated or quoted paragraph
    recurs too). Long, and ending like a sentence or full of stop words."""
    words = words_of(core) if words is None else words
    n = len(words)
    if n >= LONG_WORDS:
        return True
    return n >= PROSE_WORDS and (core.endswith(_SENTENCE_END) or stop_share(words) >= 0.3)


def is_sentence(core: str, words: list[str] | None = None) -> bool:
    """A shorter sentence (7+ words, sentence end, some stop words): learned only where the
    page's article is not (see choose.py)."""
    words = words_of(core) if words is None else words
    return len(words) >= SENTENCE_WORDS and core.endswith(_SENTENCE_END) and stop_share(words) >= 0.15


# --- back to a regex --------------------------------------------------------------------------

_META = re.compile(r"([.^$*+?{}\[\]\\|()])")


def escape(text: str) -> str:
    """Escape regex syntax, but leave spaces and most punctuation readable."""
    return _META.sub(r"\\\1", text)


def pattern_for(tokens: tuple[str, ...], cores: list[str]) -> str:
    """The regex for a key (see `_pattern_for`); for a prefix key, its label and then anything."""
    if tokens[:1] == (PREFIX,):
        return _pattern_for(tokens[1:], [label_of(c) for c in cores]) + r"\s*\S.*"
    return _pattern_for(tokens, cores)


def _pattern_for(tokens: tuple[str, ...], cores: list[str]) -> str:
    """The regex (matched against a whole core) for a key, from the cores seen with it.

    Token by token: a masked token becomes its class (`\\d+...`, month names, units), a word
    after a number takes an optional plural `s`, other words are written as they were seen
    (rules are case-insensitive). The text between tokens is written as seen when every example
    agrees, else as `\\W*` (any punctuation and spaces)."""
    splits = [_separators(c) for c in cores]
    splits = [s for s in splits if len(s) == len(tokens) + 1] or [[""] + [" "] * (len(tokens) - 1) + [""]]
    first = tokens_of(cores[0]) if cores else []
    out = []
    for i in range(len(tokens) + 1):
        seps = {s[i] for s in splits}
        if len(seps) == 1:
            sep = seps.pop()
            out.append(escape(sep) if not sep.isspace() or sep == " " else r"\s+")
        else:
            out.append(r"\W+" if all(seps) else r"\W*")
        if i == len(tokens):
            break
        tok = tokens[i]
        seen = first[i][1] if i < len(first) else tok
        if tok == NUM:
            out.append(NUM_RE)
        elif tok == MONTH:
            out.append(MONTH_RE)
        elif tok == WEEKDAY:
            out.append(WEEKDAY_RE)
        elif tok == UNIT:
            out.append(UNIT_RE)
        elif tok.endswith("(s)"):
            stem = tok[:-3]
            out.append(escape(seen[: len(stem)]) + "s?")
        else:
            out.append(escape(seen))
    return "".join(out)


def _separators(core: str) -> list[str]:
    """The text before, between and after the tokens of a core."""
    seps, at = [], 0
    for _kind, _t, s, e in tokens_of(core):
        seps.append(core[at:s])
        at = e
    seps.append(core[at:])
    return seps
