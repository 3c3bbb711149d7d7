"""The optional fast engine (`--engine fast`, `pip install 'scrapeclean[fast]'`): a Hyperscan
pre-screen that tells, for a line, whether any rule *could* touch it. A line none could touch
skips the rule matchers altogether (`apply_rules` takes its facts as "kept, untouched");
every other line goes through them as before. So the output is the default engine's, byte for
byte: the screen only ever says "maybe" too often, never "no" wrongly.

How "never wrongly" is made to hold: Hyperscan does not read Python's regex dialect the same
way (case folding, `\\s`, `{,n}`, look-arounds...), and it scans bytes, so neither patterns nor
lines are handed to it as written. A line is scanned as its *image* (`screen_image`), one byte
per character: the line in Windows-1252 (ASCII, the Western European letters, typographic
quotes and dashes, '©', '€'...), the four characters outside it that Python folds to an ASCII
letter ignoring case ('İ', 'ı', 'ſ', the Kelvin sign) as that letter, and every other
character (Cyrillic, Greek, CJK, emoji...) as '?'. Each pattern is parsed by `re`'s own parser
and rewritten into one that matches, in images, at least the image of every string the
original matches:
- every single-character element (a literal, a class, `.`, `\\w`...) becomes the exact set of
  bytes whose characters Python's `re` matches with it under the flags in force, found by
  asking `re` itself (case folding: 'ſ' matches 's', the Kelvin sign 'k'; `\\s` holds
  \\x1c-\\x1f and the no-break space), plus '?' when it matches any character that has no byte
  (again as `re` finds it: `\\w`, 'k' ignoring case for the Kelvin sign);
- look-arounds and anchors inside a pattern are dropped, back-references become `.*`,
  atomic groups and possessive repeats plain ones, a condition both its branches: each only
  lets more through;
- long bounded repeats become unbounded ones (Hyperscan compiles `{0,200}` into a large
  automaton; `{0,}` is cheap and matches more).
A pattern that `re` cannot parse as `regex` reads it (so cannot be rewritten safely) is
screened as "matches every line". Line rules, cut markers and block triggers are anchored at
both ends and scanned on the line's core; span rules are scanned on the whole line.

The compiled database is cached on disk (building it takes seconds; loading it, milliseconds).
A pattern that times out on the default engine is the one difference: the default engine
reports it and skips the rule for the rest of the run, and such a run's output can then
differ from what the fast engine, which never runs the pattern on lines it screened out,
gives.
"""
from __future__ import annotations

import copy
import re
import re._compiler as _re_compiler
import re._parser as _sre
import warnings
from functools import lru_cache
from re import _constants as _C

from . import cache
from .analysis import analyse

INSTALL_HINT = "pip install 'scrapeclean[fast]'"
REPEAT_CAP = 8  # bounded repeats above this many become unbounded (see the module doc)
MIN_CAP = 16  # and a repeat's minimum above this is lowered to it (also only lets more through)
IMAGE_CODEC = "cp1252"  # Windows-1252: one byte per character, Western European text (see the module doc)
OTHER = ord("?")  # what a character with no byte in it is in a line's image
EVERY_LINE = ".*"  # what a pattern that cannot be rewritten is screened as (no line holds a line break)
_NEVER = r"\x81"  # a byte no image holds (Windows-1252 leaves it undefined): an element that matches no character


# Outside Windows-1252, but folded to an ASCII letter by `re` ignoring case (every such
# character: checked in the tests). As '?', they would put '?' beside 'i', 's' and 'k' in every
# caseless pattern: the built-in rules' database then took 14.5 s to build instead of 11.5.
_FOLDED = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}
_FOLDED_TABLE = str.maketrans(_FOLDED)
_HAS_FOLDED = re.compile("[" + "".join(_FOLDED) + "]").search


def _image_chars() -> tuple[tuple[int, str], ...]:
    """(byte, a character it stands for in an image), for every character that has a byte."""
    chars = []
    for b in range(256):
        try:
            chars.append((b, bytes((b,)).decode(IMAGE_CODEC)))
        except UnicodeDecodeError:
            pass
    return tuple(chars) + tuple((ord(a), c) for c, a in _FOLDED.items())


_IMAGE_CHARS = _image_chars()
_IMAGE_BYTE = {c: b for b, c in _IMAGE_CHARS}
_SINGLE = (_C.LITERAL, _C.NOT_LITERAL, _C.IN, _C.ANY, _C.CATEGORY)


class Unsupported(Exception):
    """A pattern the rewrite cannot carry over safely: screened as matching every line."""


def available() -> bool:
    try:
        import hyperscan  # noqa: F401
    except ImportError:
        return False
    return True


def screen_image(text: str) -> bytes:
    """The line as the screen scans it: one byte per character (see the module doc)."""
    # (an ASCII line is copied, 40 ns; the codec with the replace handler runs in C, ~0.5 us)
    if text.isascii():
        return text.encode()
    image = text.encode(IMAGE_CODEC, "replace")
    if b"?" in image and _HAS_FOLDED(text):  # (rare)
        image = text.translate(_FOLDED_TABLE).encode(IMAGE_CODEC, "replace")
    return image


def image_superset(pattern: str, case_sensitive: bool) -> str:
    """A pattern for Hyperscan (byte mode) that matches the `screen_image` of every string
    the Python pattern matches (and perhaps more). Raises Unsupported."""
    if not analyse(pattern, case_sensitive).re_ok:
        raise Unsupported(pattern)
    flags = 0 if case_sensitive else re.IGNORECASE
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # `re` reading syntax unlike `regex` (see analysis)
            parsed = _sre.parse(pattern, flags)
    except Exception as e:
        raise Unsupported(pattern) from e
    return _items(list(parsed), parsed.state.flags)


def _items(items: list, flags: int) -> str:
    return "".join(_item(op, av, flags) for op, av in items)


def _item(op, av, flags: int) -> str:
    if op in _SINGLE:
        return _char_class(op, av, flags)
    if op is _C.SUBPATTERN:
        _group, add, remove, sub = av
        return "(?:" + _items(list(sub), (flags | add) & ~remove) + ")"
    if op is _C.BRANCH:
        return "(?:" + "|".join(_items(list(b), flags) for b in av[1]) + ")"
    if op in (_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT):
        low, high, sub = av
        low = min(low, MIN_CAP)
        bound = "" if high is _C.MAXREPEAT or high > REPEAT_CAP else str(high)
        return "(?:" + _items(list(sub), flags) + "){%d,%s}" % (low, bound)
    if op is _C.ATOMIC_GROUP:
        return "(?:" + _items(list(av), flags) + ")"
    if op in (_C.AT, _C.ASSERT, _C.ASSERT_NOT):
        return ""  # an assertion dropped: the rest matches at least as much
    if op is _C.GROUPREF:
        return ".*"  # whatever the group held: no line holds a line break
    if op is _C.GROUPREF_EXISTS:
        _group, yes, no = av
        return "(?:" + _items(list(yes), flags) + "|" + (_items(list(no), flags) if no else "") + ")"
    raise Unsupported(str(op))


def _char_class(op, av, flags: int) -> str:
    key = (op, _freeze(av), flags & (re.IGNORECASE | re.ASCII | re.DOTALL | re.LOCALE))
    members = _image_members(*key)
    if _matches_other(*key):
        members = tuple(sorted({*members, OTHER}))
    if not members:
        return _NEVER
    return "[" + "".join(r"\x%02x-\x%02x" % (a, b) if a != b else r"\x%02x" % a for a, b in _runs(members)) + "]"


def _freeze(av):
    """A parse-tree argument as nested tuples (hashable, for the caches of `_image_members`
    and `_matches_other`)."""
    return tuple(_freeze(x) for x in av) if isinstance(av, (list, tuple)) else av


@lru_cache(maxsize=None)
def _image_members(op, av, flags: int) -> tuple[int, ...]:
    """The bytes whose characters one single-character element matches, as `re` runs it."""
    if op is _C.LITERAL and not flags & re.IGNORECASE:
        b = _IMAGE_BYTE.get(chr(av))
        return () if b is None else (b,)
    matcher = _element(op, av, flags).fullmatch
    return tuple(sorted({b for b, c in _IMAGE_CHARS if matcher(c)}))


@lru_cache(maxsize=None)
def _matches_other(op, av, flags: int) -> bool:
    """Whether one single-character element matches any character that has no byte in an
    image, as `re` runs it (searched for in a text of them all: most elements that do, match
    one of the first)."""
    if op is _C.LITERAL and not flags & re.IGNORECASE:
        return chr(av) not in _IMAGE_BYTE
    if op in (_C.NOT_LITERAL, _C.ANY):
        return True
    return _element(op, av, flags).search(_other_text()) is not None


def _element(op, av, flags: int):
    """One single-character element compiled alone, under the flags in force around it."""
    state = _sre.State()
    state.flags = flags | (0 if flags & (re.ASCII | re.LOCALE) else re.UNICODE)
    items = [(op, list(av) if op is _C.IN else av)]
    return _re_compiler.compile(_sre.SubPattern(state, items), state.flags)


@lru_cache(maxsize=1)
def _other_text() -> str:
    """Every character that has no byte in an image, once, lone surrogates included: 4 MB,
    only while a screen's databases are built (`Prescreen` lets it go)."""
    return "".join(c for c in map(chr, range(128, 0x110000)) if c not in _IMAGE_BYTE)


def _runs(codes: tuple[int, ...]):
    start = prev = codes[0]
    for c in codes[1:]:
        if c != prev + 1:
            yield start, prev
            start = c
        prev = c
    yield start, prev


class Prescreen:
    """`clear(line, core)`: whether no rule can touch this line.

    Built from (pattern, case_sensitive) pairs: anchored ones (tried on a line's core with
    `fullmatch`: drop-line, cut-after, block triggers) and spans (searched in the line), those
    of every loaded rule (`matcher.screened_patterns`). `only(anchored, spans)` is the screen of
    some of them, the rules active on a page (its site packs, its languages): it shares the
    databases and ignores the other patterns' matches. So a page of another site or language
    costs no new database (each takes seconds to build). Not for use from two threads at once
    (one scratch space per database)."""

    def __init__(self, anchored: list[tuple[str, bool]], spans: list[tuple[str, bool]]) -> None:
        import hyperscan

        self._hs = hyperscan
        self._anchored = self._database(anchored, True) if anchored else None
        self._spans = self._database(spans, False) if spans else None
        _other_text.cache_clear()  # (4 MB, needed again only for another build)
        self._anchored_ids = _ids(anchored)
        self._span_ids = _ids(spans)
        self._sizes = (len(anchored), len(spans))
        self._hit = False
        self._on_anchored = self._on_spans = self._on_match  # every pattern counts

    def only(self, anchored: list[tuple[str, bool]], spans: list[tuple[str, bool]]) -> Prescreen:
        """The screen of these patterns, some of those it was built from (KeyError otherwise)."""
        view = copy.copy(self)
        view._hit = False
        view._anchored, view._on_anchored = view._subset(self._anchored, self._anchored_ids, self._sizes[0], anchored)
        view._spans, view._on_spans = view._subset(self._spans, self._span_ids, self._sizes[1], spans)
        return view

    def _subset(self, db, ids: dict, size: int, patterns: list[tuple[str, bool]]):
        """(database, match handler) for a subset of a database's patterns (None: none of them)."""
        active = [False] * size
        for pattern in patterns:
            for i in ids[pattern]:
                active[i] = True
        if not any(active):
            return None, self._on_match
        if all(active):
            return db, self._on_match

        def on_match(i, *_args) -> None:
            if active[i]:
                self._hit = True

        return db, on_match

    def _database(self, patterns: list[tuple[str, bool]], anchored: bool):
        hs = self._hs
        # Cached by the patterns, not by their rewrite (rewriting them all takes ~0.3 s), and by
        # what else decides the rewrite: this code, re's parser, the pattern analysis (cache.py).
        key = cache.digest(repr((hs.__version__, _code_version(), cache.version_tag(), anchored, patterns)).encode())
        name = f"hs-{key[:32]}.db"
        db = self._load(name)
        if db is None:
            with cache.building_blobs():  # another process may be building it: wait, then look again
                db = self._load(name)
                if db is None:
                    db = self._build(patterns, anchored)
                    cache.remember_blob(name, hs.dumpb(db))
        return db

    def _load(self, name: str):
        """The database kept in the cache under this name, or None."""
        stored = cache.blob(name)
        if stored is None:
            return None
        hs = self._hs
        try:
            db = hs.loadb(stored, hs.HS_MODE_BLOCK)
            db.scratch = hs.Scratch(db)  # (a loaded database comes without one)
            return db
        except Exception:
            return None

    def _build(self, patterns: list[tuple[str, bool]], anchored: bool):
        hs = self._hs
        expressions = []
        for pattern, case_sensitive in patterns:
            try:
                body = image_superset(pattern, case_sensitive)
            except Unsupported:
                body = EVERY_LINE
            expressions.append((f"^(?:{body})$" if anchored else body).encode())
        try:
            return self._compile(expressions, 0)
        except hs.error:
            # Too large for Hyperscan as it stands: approximated (HS_FLAG_PREFILTER only ever
            # matches more), and an expression it still refuses screened as matching every line.
            for i, expression in enumerate(expressions):
                try:
                    self._compile([expression], hs.HS_FLAG_PREFILTER)
                except hs.error:
                    expressions[i] = (f"^(?:{EVERY_LINE})$" if anchored else EVERY_LINE).encode()
            return self._compile(expressions, hs.HS_FLAG_PREFILTER)

    def _compile(self, expressions: list[bytes], flags: int):
        hs = self._hs
        db = hs.Database(mode=hs.HS_MODE_BLOCK)
        flags |= hs.HS_FLAG_SINGLEMATCH | hs.HS_FLAG_ALLOWEMPTY
        db.compile(expressions=expressions, ids=list(range(len(expressions))),
                   elements=len(expressions), flags=[flags] * len(expressions))
        return db

    def _on_match(self, *_args) -> None:
        self._hit = True

    def clear(self, line: str, core: str) -> bool:
        self._hit = False
        if self._anchored is not None:
            self._anchored.scan(screen_image(core), match_event_handler=self._on_anchored)
            if self._hit:
                return False
        if self._spans is not None:
            self._spans.scan(screen_image(line), match_event_handler=self._on_spans)
        return not self._hit


def _ids(patterns: list[tuple[str, bool]]) -> dict[tuple[str, bool], list[int]]:
    """Each (pattern, case_sensitive) pair -> its ids in a database (a pattern may be there twice)."""
    ids: dict[tuple[str, bool], list[int]] = {}
    for i, pattern in enumerate(patterns):
        ids.setdefault(pattern, []).append(i)
    return ids


@lru_cache(maxsize=1)
def _code_version() -> str:
    """This module's source: a cached database was built by the rewrite of this very code."""
    with open(__file__, "rb") as f:
        return cache.digest(f.read())
