"""Which language a page is written in, and that language's stop words: what the heuristics
stage measures prose by.

Stop words (the, of, and, der, die, que, ...) are the glue of running text and nearly absent
from menus, tag clouds and link lists, so their share of a line's words tells prose from
furniture (the jusText observation). That only works with the page's own language's list, so
the language is detected from the text itself: the language whose stop words cover the most
words of the page's longer lines wins (menus are in the page's language too, but their words
are few and mostly names). No model, no network: the lists are the only data.

The lists come from the `stopwordsiso` package (stopwords-iso, 58 languages, ISO 639-1 codes)
rather than from lists typed here: they are maintained, cover many languages, and are loaded
once per process, on first use (see `stop_lists`).
"""
from __future__ import annotations

import os
import re
from functools import lru_cache
from collections import Counter
from itertools import filterfalse, islice, repeat
from collections.abc import Iterable

# Only lines with at least this many words vote: long lines are mostly prose, short ones are
# mostly menu labels and names, which say little about the language.
VOTE_MIN_WORDS = 8
# At most this many words are looked at per detection: plenty to separate languages, and it
# keeps detection cost flat on big windows.
VOTE_MAX_WORDS = 4000
# Below this share of a page's words in its best list, no list fits (a script with no word
# spaces such as Chinese or Japanese, or a language without a list): `detect` says None and
# the heuristics fall back to features that need no language.
MIN_COVERAGE = 0.04

_WORD = re.compile(r"\w+")
_NOT_A_WORD = re.compile(r"[\d_]")


@lru_cache(maxsize=1)
def word_lists() -> dict[str, list[str]]:
    """Language code -> its stop words, lower-cased, each once, sorted. Loaded on first use;
    importing this module stays cheap (CLI start-up).

    Built from the package's data file, found without importing the package (its __init__
    imports importlib.metadata, ~30 ms), and kept in the rule cache (cleaner/rules/cache.py)
    keyed by that file's path, size and mtime: filtering 21,000 words costs ~40 ms a run,
    unpickling one string per language and splitting it well under 1 ms. Plain lists, not
    sets: hashing all 21,000 words into sets would cost ~5 ms on every call of the CLI, and
    detection does not need them (see `_hits`)."""
    from ..rules import cache

    path = _data_file()
    st = os.stat(path)
    key = (path, st.st_size, st.st_mtime_ns)
    packed = cache.data(key)
    if packed is None:
        packed = {code: "\n".join(sorted(words)) for code, words in _build_stop_lists(path).items()}
        cache.remember_data(key, packed)
    return {code: text.split("\n") if text else [] for code, text in packed.items()}


@lru_cache(maxsize=None)
def stop_words(lang: str | None) -> frozenset[str]:
    """The stop words of `lang` (empty for None or a language without a list)."""
    if lang is None:
        return frozenset()
    return frozenset(word_lists().get(lang, ()))


def stop_lists() -> dict[str, frozenset[str]]:
    """Every language's stop words as sets (for callers that test many words against many
    languages; the pipeline itself only needs `stop_words` of the page's language)."""
    return {code: stop_words(code) for code in word_lists()}


def _data_file() -> str:
    """The stopwordsiso package's JSON file. `find_spec` locates a top-level package without
    running its __init__."""
    import importlib.util

    spec = importlib.util.find_spec("stopwordsiso")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the stopwordsiso package is missing: pip install stopwordsiso (a dependency of scrapeclean)")
    return os.path.join(list(spec.submodule_search_locations)[0], "stopwords-iso.json")


def _build_stop_lists(path: str) -> dict[str, frozenset[str]]:
    import json

    with open(path, encoding="utf-8") as f:
        raw = json.load(f)
    # Some lists carry digits ("0".."9") and "_": numbers are content in every language, and
    # they would make any page with figures look like that list's language.
    return {
        code: frozenset(w.lower() for w in words if not _NOT_A_WORD.search(w))
        for code, words in sorted(raw.items())
    }


def detect(lines: Iterable[str]) -> str | None:
    """The language of a page given as lines: see `detect_words`."""
    return detect_words(
        w.lower() for line in lines for toks in (_WORD.findall(line),) if len(toks) >= VOTE_MIN_WORDS for w in toks
    )


def detect_words(words: Iterable[str]) -> str | None:
    """The language whose stop words cover most of `words` (lower-cased words of the page's
    longer lines; numbers are skipped), or None when none covers at least MIN_COVERAGE of them.
    Ties go to the alphabetically first code, so the answer depends on nothing but the text."""
    sample = list(islice(filterfalse(str.isdigit, words), VOTE_MAX_WORDS))  # (all in C)
    if not sample:
        return None
    counts = Counter(sample)
    best, best_hits = None, 0
    for code, hits in zip(word_lists(), _hits(counts)):
        if hits > best_hits:
            best, best_hits = code, hits
    if best_hits < MIN_COVERAGE * len(sample):
        return None
    return best


# The first detections of a process scan the lists; later ones use an index built once. A
# call of the CLI on one page detects twice (the classifier's second round) and should not
# pay ~10 ms for an index that saves ~1 ms a detection; a batch or a big file detects
# hundreds of times.
SCANS_BEFORE_INDEX = 2
_scans = 0


def _hits(counts: dict[str, int]) -> list[int]:
    """For each list of `word_lists()`, in order: how many of the sample's words it holds
    (`counts`: distinct word -> times in the sample). Each stop word is listed once per list,
    so both ways give the same counts."""
    global _scans
    if _scans < SCANS_BEFORE_INDEX:
        _scans += 1
        # each list's words looked up in the counts, at C speed: 21,000 lookups (~1 ms)
        return [sum(map(counts.get, listed, repeat(0))) for listed in word_lists().values()]
    index = _lists_of_word()
    hits = [0] * len(word_lists())
    for w, n in counts.items():  # a few hundred distinct words, each in a few lists
        for i in index.get(w, ()):
            hits[i] += n
    return hits


@lru_cache(maxsize=1)
def _lists_of_word() -> dict[str, list[int]]:
    """Stop word -> the positions in `word_lists()` of the lists holding it."""
    index: dict[str, list[int]] = {}
    for i, listed in enumerate(word_lists().values()):
        for w in listed:
            index.setdefault(w, []).append(i)
    return index
