"""Streaming holds bounded memory: 30 MB pages go through while the peak of Python allocations
(tracemalloc) stays at a few MB. The input is generated chunk by chunk and the output counted
and dropped, so neither is ever held whole by the test itself.

This measures memory, not time; the pages are made of paragraph-length lines so that the run
stays short even under tracemalloc."""
from __future__ import annotations

import io
import tracemalloc
from typing import Iterator

import pytest

from cleaner import Options, RuleSet
from conftest import clean_binary, clean_chunks, rule_toml, ruleset

SIZE = 30_000_000  # characters (ASCII: also bytes)
LIMIT = 4_000_000  # bytes of peak allocation allowed: a few chunks and windows, with a wide margin

RULES = ruleset(
    rule_toml("ads.label", "drop-line", pattern="Advertisement"),
    rule_toml("credits.image", "strip-span", pattern=r"Image: [A-Z]+"),
    rule_toml("media.video", "drop-block", block=["Video", r"\d\d:\d\d"]),
    rule_toml("footer.related", "cut-after", pattern="Related stories"),
    rule_toml("header.start", "cut-before", pattern="Start of article"),
)

PARA = ("The minister said the talks would go on through the night, and both sides had agreed on a text. " * 30).strip()
UNIT = "".join(line + "\n" for line in (
    PARA, "Advertisement", "", PARA, "A caption Image: AFP", "", "Video", "00:36", "", PARA, "Short line.", ""))
BLOCK = UNIT * (65536 // len(UNIT))  # ~64 KiB of page, handed out again and again


def page_chunks(size: int = SIZE) -> Iterator[str]:
    done = 0
    while done < size:
        yield BLOCK
        done += len(BLOCK)


def one_line_chunks(size: int = SIZE) -> Iterator[str]:
    piece = ("word " * 13108)[:65536]
    done = 0
    while done < size:
        yield piece
        done += len(piece)
    yield "\n"


def peak_while(run) -> tuple[int, object]:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        result = run()
        return tracemalloc.get_traced_memory()[1], result
    finally:
        tracemalloc.stop()


def drain(pieces) -> int:
    return sum(len(p) for p in pieces)


def test_a_30mb_page_streams_in_bounded_memory():
    peak, out = peak_while(lambda: drain(clean_chunks(page_chunks(), RULES)))
    assert 0.8 * SIZE < out < SIZE  # it really went through, and the furniture went
    assert peak < LIMIT, f"peak {peak / 1e6:.1f} MB"


@pytest.mark.parametrize("rules", [RuleSet(()), RULES], ids=["no-rules", "every-action"])
def test_a_30mb_single_line_streams_in_bounded_memory(rules):
    peak, out = peak_while(lambda: drain(clean_chunks(one_line_chunks(), rules)))
    assert out > SIZE * 0.99
    assert peak < LIMIT, f"peak {peak / 1e6:.1f} MB"


class _Generated(io.RawIOBase):
    """A non-seekable byte stream made on the fly from text chunks (like a pipe)."""

    def __init__(self, chunks: Iterator[str]) -> None:
        self._chunks = chunks
        self._buf = b""

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        while not self._buf:
            nxt = next(self._chunks, None)
            if nxt is None:
                return 0
            self._buf = nxt.encode("utf-8")
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n


class _Counter(io.RawIOBase):
    def __init__(self) -> None:
        self.count = 0

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        self.count += len(b)
        return len(b)


def test_the_whole_binary_pipeline_streams_a_30mb_single_line():
    sink = _Counter()
    peak, _ = peak_while(lambda: clean_binary(io.BufferedReader(_Generated(one_line_chunks())), sink, RULES, Options()))
    assert sink.count > SIZE * 0.99
    assert peak < LIMIT, f"peak {peak / 1e6:.1f} MB"
