"""The optional fast engine (`--engine fast`, `pip install 'scrapeclean[fast]'`): a Hyperscan
pre-screen that tells, for a line, whether any rule *could* touch it. A line none could touch
skips the rule matchers altogether (`apply_rules` takes its facts as "kept, untouched");
every other line goes through them as before. So the output is the default engine's, byte for
byte: the screen only ever says "maybe" too often, never "no" wrongly.

How "never wrongly" is made to hold: Hyperscan does not read Python's regex dialect the same
way (case folding, `\\s`, `{,n}`, look-arounds...), so patterns are not handed to it as written.
Each is parsed by `re`'s own parser and rewritten into a pattern that matches at least what
the original matches, on ASCII text (the only text screened: 80-90% of the distinct lines of
real pages):
- every single-character element (a literal, a class, `.`, `\\w`...) becomes the exact set of
  ASCII characters Python's `re` matches with it under the flags in force, found by asking
  `re` itself: case folding ('ſ' matches 's', 'K' the Kelvin sign), `\\s` holding \\x1c-\\x1f,
  all as Python has it;
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
_ASCII = tuple(chr(c) for c in range(128))
EVERY_LINE = ".*"  # what a pattern that cannot be rewritten is screened as (no line holds a line break)
_NEVER = r"[\x80-\xff]"  # a byte no ASCII text holds: an element that matches no ASCII character
_SINGLE = (_C.LITERAL, _C.NOT_LITERAL, _C.IN, _C.ANY, _C.CATEGORY)


class Unsupported(Exception):
    """A pattern the rewrite cannot carry over safely: screened as matching every line."""


def available() -> bool:
    try:
        import hyperscan  # noqa: F401
    except ImportError:
        return False
    return True


def ascii_superset(pattern: str, case_sensitive: bool) -> str:
    """A pattern for Hyperscan (byte mode) that matches, in ASCII text, every string the
    Python pattern matches there (and perhaps more). Raises Unsupported."""
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
    members = _ascii_members(op, _freeze(av), flags & (re.IGNORECASE | re.ASCII | re.DOTALL | re.LOCALE))
    if not members:
        return _NEVER
    return "[" + "".join(r"\x%02x-\x%02x" % (a, b) if a != b else r"\x%02x" % a for a, b in _runs(members)) + "]"


def _freeze(av):
    """A parse-tree argument as nested tuples (hashable, for the cache of `_ascii_members`)."""
    return tuple(_freeze(x) for x in av) if isinstance(av, (list, tuple)) else av


@lru_cache(maxsize=None)
def _ascii_members(op, av, flags: int) -> tuple[int, ...]:
    """The ASCII characters one single-character element matches, as Python's `re` runs it."""
    if op is _C.LITERAL and not flags & re.IGNORECASE:
        return (av,) if av < 128 else ()
    state = _sre.State()
    state.flags = flags | (0 if flags & (re.ASCII | re.LOCALE) else re.UNICODE)
    items = [(op, list(av) if op is _C.IN else av)]
    matcher = _re_compiler.compile(_sre.SubPattern(state, items), state.flags).fullmatch
    return tuple(i for i, c in enumerate(_ASCII) if matcher(c))


def _runs(codes: tuple[int, ...]):
    start = prev = codes[0]
    for c in codes[1:]:
        if c != prev + 1:
            yield start, prev
            start = c
        prev = c
    yield start, prev


class Prescreen:
    """`clear(line, core)`: whether no rule can touch this line (True only for ASCII lines).
    Built from the patterns of the active rules: anchored ones (tried on a line's core with
    `fullmatch`: drop-line, cut-after, block triggers) and spans (searched in the line).
    One per set of compiled rules; not for use from two threads at once (one scratch space)."""

    def __init__(self, anchored: list[tuple[str, bool]], spans: list[tuple[str, bool]]) -> None:
        import hyperscan

        self._hs = hyperscan
        self._anchored = self._database(anchored, True) if anchored else None
        self._spans = self._database(spans, False) if spans else None
        self._hit = False

    def _database(self, patterns: list[tuple[str, bool]], anchored: bool):
        hs = self._hs
        # Cached by the patterns, not by their rewrite (rewriting them all takes ~0.3 s), and by
        # what else decides the rewrite: this code, re's parser, the pattern analysis (cache.py).
        key = cache.digest(repr((hs.__version__, _code_version(), cache.version_tag(), anchored, patterns)).encode())
        stored = cache.blob(f"hs-{key[:32]}.db")
        if stored is not None:
            try:
                db = hs.loadb(stored, hs.HS_MODE_BLOCK)
                db.scratch = hs.Scratch(db)  # (a loaded database comes without one)
                return db
            except Exception:
                pass
        expressions = []
        for pattern, case_sensitive in patterns:
            try:
                body = ascii_superset(pattern, case_sensitive)
            except Unsupported:
                body = EVERY_LINE
            expressions.append((f"^(?:{body})$" if anchored else body).encode())
        try:
            db = self._compile(expressions, 0)
        except hs.error:
            # Too large for Hyperscan as it stands: approximated (HS_FLAG_PREFILTER only ever
            # matches more), and an expression it still refuses screened as matching every line.
            for i, expression in enumerate(expressions):
                try:
                    self._compile([expression], hs.HS_FLAG_PREFILTER)
                except hs.error:
                    expressions[i] = (f"^(?:{EVERY_LINE})$" if anchored else EVERY_LINE).encode()
            db = self._compile(expressions, hs.HS_FLAG_PREFILTER)
        cache.remember_blob(f"hs-{key[:32]}.db", hs.dumpb(db))
        return db

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
        if not line.isascii():
            return False
        self._hit = False
        if self._anchored is not None:
            self._anchored.scan(core.encode(), match_event_handler=self._on_match)
            if self._hit:
                return False
        if self._spans is not None:
            self._spans.scan(line.encode(), match_event_handler=self._on_match)
        return not self._hit


@lru_cache(maxsize=1)
def _code_version() -> str:
    """This module's source: a cached database was built by the rewrite of this very code."""
    with open(__file__, "rb") as f:
        return cache.digest(f.read())
