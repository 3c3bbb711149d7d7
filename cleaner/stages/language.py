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
from itertools import repeat
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
    detection does not need it (see `detect_words`)."""
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
    sample: list[str] = []
    for w in words:
        if not w.isdigit():
            sample.append(w)
            if len(sample) >= VOTE_MAX_WORDS:
                break
    if not sample:
        return None
    # Each distinct word counted once, then each list's words looked up in those counts, at C
    # speed: the same hit counts as testing every sample word against every list, at a
    # fraction of the cost (58 lists x 4,000 words was ~10 ms a page).
    counts: dict[str, int] = {}
    for w in sample:
        counts[w] = counts.get(w, 0) + 1
    best, best_hits = None, 0
    for code, listed in word_lists().items():
        # each stop word is listed once, so this is the sample's count of that list's words
        hits = sum(map(counts.get, listed, repeat(0)))
        if hits > best_hits:
            best, best_hits = code, hits
    if best_hits < MIN_COVERAGE * len(sample):
        return None
    return best
