"""What can be known about a rule pattern without running it, for the matcher's shortcuts:
the characters a match can start with (first-character dispatch), the characters it can end
with (last-character dispatch, for patterns that may start with any word), its longest match
(length prefilter), punctuation or literal text every match contains (cheap `in` prefilters), and
whether the standard library's `re`, the faster engine, runs it exactly as `regex` would.

The standard library's own parser does the reading. A pattern it cannot read (`regex`-only
syntax such as `\\p{L}`) gets no shortcuts: it is tried on every line, on `regex`."""
from __future__ import annotations

import re
import unicodedata
import re._parser as _sre  # the standard library's regex parser (Python >= 3.11)
import warnings
from functools import lru_cache
from ..record import record
from re import _constants as _C

from . import cache

LINE_LIMIT = 1 << 16  # longest line rules see (Options.max_line_chars): "unbounded" below
_REPEATS = (_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT)
_ONE_CHAR = (_C.LITERAL, _C.NOT_LITERAL, _C.IN, _C.ANY)


PREFIX = 3  # characters of a line's start used for dispatch
_MAX_MARKS = 4  # punctuation characters a prefilter looks for at most
_MAX_PREFIXES = 512
_DIGITS = [str(d) for d in range(10)]
_SPACES = [chr(c) for c in range(0x3001) if chr(c).isspace()]  # all that \\s can match


def key_of(ch: str) -> str:
    """Dispatch key of one character: its case fold, so `Ä`, `ä` share a bucket; a decimal digit
    of any script becomes its ASCII digit, so `\\d` can be dispatched by listing 0-9."""
    if ch.isdecimal() and not ch.isascii():
        return str(unicodedata.decimal(ch))
    return ch.casefold()[:1]


def prefix_key(core: str) -> str:
    """Dispatch key of a line: the keys of its first PREFIX characters (ASCII: just lower())."""
    head = core[:PREFIX]
    if head.isascii():
        return head.lower()
    return "".join(map(key_of, head))


def suffix_key(core: str) -> str:
    """Dispatch key of a line's end: the keys of its last PREFIX characters (ASCII: lower())."""
    tail = core[-PREFIX:]
    if tail.isascii():
        return tail.lower()
    return "".join(map(key_of, tail))


@record
class Analysis:  # (not a dataclass: see rules/model.py)
    keys: frozenset[str] | None  # dispatch keys of the possible first characters; None: any
    prefixes: frozenset[str] | None  # `prefix_key`s of the lines it can match; None: not known
    width: int  # longest possible match (LINE_LIMIT when unbounded)
    re_ok: bool  # `re` reads it as `regex` does: run it on `re`
    marks: frozenset[str] | None  # one of these punctuation characters occurs in every match
    literals: tuple[str, ...] | None  # one of these texts occurs in every match
    groups: int  # capturing groups in the pattern
    suffixes: frozenset[str] | None = None  # `suffix_key`s of the lines it can match; None: not known


@lru_cache(maxsize=None)
def analyse(pattern: str, case_sensitive: bool) -> Analysis:
    key = (pattern, case_sensitive)
    found = cache.analysis(key)
    if found is None:
        found = _analyse(pattern, case_sensitive)
        cache.remember_analysis(key, found)
    return found


def _analyse(pattern: str, case_sensitive: bool) -> Analysis:
    flags = 0 if case_sensitive else re.IGNORECASE
    with warnings.catch_warnings():
        # `re` warns where it reads syntax differently from `regex` (`[[:alpha:]]`)
        warnings.simplefilter("error")
        try:
            parsed = _sre.parse(pattern, flags)
        except Exception:
            return Analysis(None, None, LINE_LIMIT, False, None, None, _regex_groups(pattern, case_sensitive))
        try:
            re.compile(pattern, flags)  # `re` parses but cannot run some (variable look-behind)
            re_ok = True
        except Exception:
            re_ok = False
    firsts = _first_chars(parsed)
    keys = None if firsts is None else frozenset(k for c in firsts for k in _char_keys(c))
    width = min(parsed.getwidth()[1], LINE_LIMIT)
    prefixes = _prefixes(list(parsed))
    suffixes = _suffixes(list(parsed))
    return Analysis(keys, None if prefixes is None else frozenset(prefixes), width, re_ok, _required_chars(parsed),
                    _required_literals(parsed), parsed.state.groups - 1, None if suffixes is None else frozenset(suffixes))


def _regex_groups(pattern: str, case_sensitive: bool) -> int:
    import regex

    return regex.compile(pattern, regex.V0 | (0 if case_sensitive else regex.IGNORECASE)).groups


def _prefixes(items: list, n: int = PREFIX) -> set[str] | None:
    """Every `prefix_key` a whole match can have: the keys of its first n characters (of the
    whole match when shorter); None when there are too many or they cannot be listed."""
    return _ends(items, n, False)


def _suffixes(items: list, n: int = PREFIX) -> set[str] | None:
    """Every `suffix_key` a whole match can have: the keys of its last n characters (of the
    whole match when shorter); None when there are too many or they cannot be listed."""
    return _ends(items, n, True)


def _ends(items: list, n: int, at_end: bool) -> set[str] | None:
    """`_prefixes` (at_end False) or `_suffixes` (True) of a sequence of parse elements: built
    from that end, one key per character an element matches (`_char_keys`: every character
    that may match it ignoring case), so a line's first or last n characters line up with the
    first or last n one-character elements of the match."""
    found = {""}
    for op, av in (reversed(items) if at_end else items):
        if all(len(s) >= n for s in found):
            break
        options = _element_ends(op, av, n, at_end)
        if options is None:
            return None
        found = {_joined(s, o, n, at_end) if len(s) < n else s for s in found for o in options}
        if len(found) > _MAX_PREFIXES:
            return None
    return found


def _joined(have: str, more: str, n: int, at_end: bool) -> str:
    """Keys `more` put on the open side of `have` (after it, or before it at_end), cut to n."""
    return (more + have)[-n:] if at_end else (have + more)[:n]


def _element_ends(op, av, n: int, at_end: bool) -> set[str] | None:
    """What one parse element can match, as keys, cut to its first (or last) n (None: too many
    or unknown)."""
    if op is _C.AT or op in (_C.ASSERT, _C.ASSERT_NOT):
        return {""}
    if op is _C.LITERAL or op is _C.IN:
        items = _items((op, av))
        keys: set[str] = set()
        for item in items or [("cat", None)]:
            listed = _SPACES if item == ("cat", _C.CATEGORY_SPACE) else _DIGITS if item == ("cat", _C.CATEGORY_DIGIT) else _chars_of(item)
            if listed is None:
                return None
            keys.update(k for c in listed for k in _char_keys(c))
        return keys
    if op is _C.SUBPATTERN:
        return _ends(list(av[-1]), n, at_end)
    if op is _C.BRANCH:
        out: set[str] = set()
        for branch in av[1]:
            sub = _ends(list(branch), n, at_end)
            if sub is None:
                return None
            out |= sub
        return out if len(out) <= _MAX_PREFIXES else None
    if op in _REPEATS:
        lo, hi, item = av
        one = _ends(list(item), n, at_end)
        if one is None:
            return None
        out, current = set(), {""}
        for count in range(0, min(hi, n) + 1):
            if count >= lo:
                out |= current
            if count == hi:
                break
            current = {_joined(s, o, n, at_end) for s in current for o in one}
            if len(current) > _MAX_PREFIXES:
                return None
        if hi > n:
            out |= current
        return out if len(out) <= _MAX_PREFIXES else None
    return None


@lru_cache(maxsize=None)
def _char_keys(c: str) -> frozenset[str]:
    """The `key_of`s of every character that may match `c` when case is ignored, by `re` or by
    `regex`: its one-character case mappings (and the simple lower case `re` compares, 'i' for
    'İ'), and the extra equivalences `re` knows (`re._casefix`: i/ı, s/ſ, ...), both ways."""
    import _sre
    from re import _casefix

    extra = _casefix._EXTRA_CASES
    variants = {c, chr(_sre.unicode_tolower(ord(c)))}
    for v in (c.lower(), c.upper(), c.casefold(), c.title()):
        if len(v) == 1:
            variants.add(v)
    for v in list(variants):
        variants.update(map(chr, extra.get(ord(v), ())))
    return frozenset(key_of(v) for v in variants)


def _first_chars(parsed) -> set[str] | None:
    """The characters a match can start with (through optional parts), or None when that is
    not known (a class too large to list, or a pattern that can match nothing). Whitespace
    classes are left out: line cores never start with whitespace."""
    elements = _follow(list(parsed), None)
    if not elements:
        return None
    chars: set[str] = set()
    for element in elements:
        items = _items(element)
        if items is None:
            return None
        for kind, value in items:
            if kind == "cat" and value == _C.CATEGORY_SPACE:
                continue
            if kind == "cat" and value == _C.CATEGORY_DIGIT:
                chars.update(_DIGITS)  # key_of maps every decimal digit to its ASCII one
                continue
            listed = _chars_of((kind, value))
            if listed is None or len(listed) > 64:
                return None
            chars.update(listed)
    return chars


def _required_chars(parsed) -> frozenset[str] | None:
    """A small set of punctuation characters one of which every match contains (a cheap `in`
    prefilter for patterns that cannot be dispatched by their first character), or None. Looks
    through groups, mandatory repeats, look-aheads and alternations (`(?: > | » )`: every
    branch has its own mark; the set holds them all)."""
    for op, av in parsed:
        if op is _C.SUBPATTERN:
            found = _required_chars(av[-1])
        elif op is _C.BRANCH:
            marks = [_required_chars(branch) for branch in av[1]]
            found = frozenset().union(*marks) if all(marks) else None
            if found is not None and len(found) > _MAX_MARKS:
                found = None
        elif op in _REPEATS and av[0] >= 1:
            found = _required_chars(av[2])
        elif op is _C.ASSERT and av[0] == 1:  # a positive look-ahead: its text is in the line
            found = _required_chars(av[1])
        elif op is _C.LITERAL or op is _C.IN:
            items = _items((op, av))
            chars = [c for it in items or () for c in (_chars_of(it) or ["a"])]
            found = frozenset(chars) if chars and len(chars) <= _MAX_MARKS and not any(c.isalnum() or c.isspace() or c.lower() != c.upper() for c in chars) else None
        else:
            found = None
        if found:
            return found
    return None


def _follow(rest, outer: list | None) -> list | None:
    """The one-character elements that can start what comes after an element: the first ones
    of `rest`, through its optional parts, then `outer`; None when not known."""
    found: list = []
    for op, av in rest:
        if op is _C.AT or op in (_C.ASSERT, _C.ASSERT_NOT):
            continue
        firsts = _first_elements([(op, av)], through_optional=True)
        if firsts is None:
            return None
        found += firsts
        if _min_width(op, av) > 0:
            return found
    return None if outer is None else found + outer


def _min_width(op, av) -> int:
    if op in _REPEATS:
        return av[0] and av[2].getwidth()[0]
    if op is _C.SUBPATTERN:
        return av[-1].getwidth()[0]
    if op is _C.ATOMIC_GROUP:
        return av.getwidth()[0]
    if op is _C.BRANCH:
        return min(b.getwidth()[0] for b in av[1])
    return 0 if op in (_C.AT, _C.ASSERT, _C.ASSERT_NOT) else 1


def _first_elements(parsed, through_optional: bool = False) -> list | None:
    """The one-character parse elements a match can start with (so classes such as \\d work),
    or None when not known. With `through_optional`, an element that may match nothing gives
    its own first elements (the caller adds what follows it)."""
    for op, av in parsed:
        if op is _C.AT or op in (_C.ASSERT, _C.ASSERT_NOT):
            continue
        if op in _ONE_CHAR:
            return [(op, av)]
        if op is _C.BRANCH:
            out: list = []
            for branch in av[1]:
                if through_optional:
                    # A branch is a sequence: its start runs through its own optional parts
                    # (`(?:ab )*cd` starts with a or c); what follows the whole alternation,
                    # for a branch that may match nothing, is the caller's to add.
                    sub = _follow(list(branch), [])
                else:
                    sub = _first_elements(branch) if branch.getwidth()[0] else None
                if sub is None:
                    return None
                out += sub
            return out
        if op is _C.SUBPATTERN or op is _C.ATOMIC_GROUP:
            sub_pattern = av[-1] if op is _C.SUBPATTERN else av
            if not sub_pattern.getwidth()[0] and not through_optional:
                return None
            return _follow(sub_pattern, None) if through_optional else _first_elements(sub_pattern)
        if op in _REPEATS:
            lo, _hi, item = av
            if not (lo and item.getwidth()[0]) and not through_optional:
                return None
            return _follow(item, None) if through_optional else _first_elements(item)
        return None
    return None


def _items(element) -> list | None:
    """A one-character element as class items [(kind, value)], or None if it is negated/any."""
    op, av = element
    if op is _C.LITERAL:
        return [("lit", chr(av))]
    if op is _C.IN and not any(iop is _C.NEGATE for iop, _ in av):
        out = []
        for iop, iav in av:
            if iop is _C.LITERAL:
                out.append(("lit", chr(iav)))
            elif iop is _C.RANGE:
                out.append(("range", iav))
            elif iop is _C.CATEGORY:
                out.append(("cat", iav))
            else:
                return None
        return out
    return None


def _chars_of(item) -> list[str] | None:
    kind, value = item
    if kind == "lit":
        return [value]
    if kind == "range" and value[1] - value[0] < 256:
        return [chr(c) for c in range(value[0], value[1] + 1)]
    return None


def _required_literals(parsed) -> tuple[str, ...] | None:
    """Texts one of which every match contains (for a prefilter), or None. Takes the longest run
    of literal characters in the top-level sequence, or an alternation whose every branch has
    one."""
    best: tuple[str, ...] | None = None
    run: list[str] = []

    def consider(options: tuple[str, ...] | None) -> None:
        nonlocal best
        if options and min(map(len, options)) >= 3 and (best is None or min(map(len, options)) > min(map(len, best))):
            best = options

    for op, av in list(parsed) + [(None, None)]:
        if op is _C.LITERAL:
            run.append(chr(av))
            continue
        consider(("".join(run),) if run else None)
        run = []
        if op is _C.BRANCH:
            subs = [_required_literals(b) for b in av[1]]
            if all(subs):
                consider(tuple(t for s in subs for t in s))
        elif op is _C.SUBPATTERN:
            consider(_required_literals(av[-1]))
        elif op in _REPEATS and av[0] >= 1:
            consider(_required_literals(av[2]))
    return best
