"""In how many pages of a group each line key occurs, in bounded memory: lossy counting
(Manku & Motwani, 2002) over pages.

Why not a plain dict: on a crawl, nearly every article line occurs on one page only. 100,000
pages of 150 lines would leave ~15 million keys in a dict (gigabytes), to learn a few hundred.

How: pages arrive in buckets of `width` = ceil(1/epsilon) pages. A key first seen in bucket b
gets `delta` = b - 1 (the most it can have been missed by before). At the end of each bucket,
every key whose `count + delta` is at most the bucket number is dropped. So a key seen on one
page is gone at the end of the next bucket boundary, and the table holds about
width x (lines per page) x log(epsilon x pages) keys, whatever the number of pages.

The guarantee: a key on at least epsilon x N of the group's N pages is never dropped, and
`count + delta` never undercounts it. The learner asks for keys on at least `min_share` x N
pages with epsilon = min_share / EPSILON_DIVISOR, so every key that can be learned survives and
is a candidate; the evidence pass then counts the candidates exactly (evidence.py). A group of
fewer than `width` pages is never pruned: counts are exact.

A safety valve for the worst case (thousands of small groups that are never pruned):
when the table passes `max_keys`, keys counted once are dropped in every group (they would
have to recur on `min_pages` more pages to count). `pruned_singletons` says whether it fired.
"""
from __future__ import annotations

import math
from typing import Iterable

EPSILON_DIVISOR = 4


class LossyCounter:
    """Page counts of keys for one group."""

    __slots__ = ("width", "pages", "counts", "deltas")

    def __init__(self, min_share: float) -> None:
        epsilon = max(min_share, 1e-6) / EPSILON_DIVISOR
        self.width = max(1, math.ceil(1 / epsilon))
        self.pages = 0
        self.counts: dict[int, int] = {}
        self.deltas: dict[int, int] = {}

    def add_page(self, keys: Iterable[int]) -> None:
        """Count a page's distinct keys (each once)."""
        self.pages += 1
        bucket = (self.pages - 1) // self.width + 1
        counts, deltas = self.counts, self.deltas
        for k in keys:
            c = counts.get(k)
            if c is None:
                counts[k] = 1
                if bucket > 1:
                    deltas[k] = bucket - 1
            else:
                counts[k] = c + 1
        if self.pages % self.width == 0:
            self._prune(bucket)

    def _prune(self, bucket: int) -> None:
        counts, deltas = self.counts, self.deltas
        gone = [k for k, c in counts.items() if c + deltas.get(k, 0) <= bucket]
        for k in gone:
            del counts[k]
            deltas.pop(k, None)

    def drop_singletons(self) -> None:
        for k in [k for k, c in self.counts.items() if c == 1]:
            del self.counts[k]
            self.deltas.pop(k, None)

    def at_least(self, threshold: int) -> set[int]:
        """Keys that may be on `threshold` pages or more (a superset: count + delta)."""
        deltas = self.deltas
        return {k for k, c in self.counts.items() if c + deltas.get(k, 0) >= threshold}

    def __len__(self) -> int:
        return len(self.counts)


def threshold(pages: int, min_pages: int, min_share: float) -> int:
    """Pages a key must be on to be learned in a group of `pages` pages."""
    return max(min_pages, math.ceil(min_share * pages - 1e-9))
