"""Properties of the engine that must hold for any page (hypothesis, derandomised for CI).

The rule set is small, fixed and made up here (not the built-in rules); it has one or more rules
of every action, so every code path of `apply_rules` is exercised.
"""
from __future__ import annotations

import io
import unicodedata

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cleaner import InputError, Options, RuleSet
from conftest import clean_binary, clean_chunks, clean_text, prose, rule_toml, ruleset

# Derandomised and without the example database: every run (and CI) tries the same examples.
SETTINGS = settings(derandomize=True, database=None, max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
FEW = settings(SETTINGS, max_examples=60)

# --- the fixed rule set -------------------------------------------------------------------

DROP_ADS = rule_toml("ads.label", "drop-line", patterns=["Advertisement", "Anzeige"])
DROP_NAV = rule_toml("nav.skip", "drop-line", patterns=["Skip to (?:content|menu)", "Share this"])
SPAN_CREDIT = rule_toml("credits.image", "strip-span", pattern=r"Image: [A-Z]+(?: [A-Z]+)*")
SPAN_AD = rule_toml("ads.inline", "strip-span", pattern=r"\s*\[ad\]")
# Overlaps credits.image: a longer credit with an agency after a slash.
SPAN_CREDIT_AGENCY = rule_toml("credits.agency", "strip-span", pattern=r"Image: [A-Z]+(?: [A-Z]+)*/[A-Z]+")
BLOCK_VIDEO = rule_toml("media.video", "drop-block", max_gap=1,
                        block=["Video", r"\d\d:\d\d", {"pattern": "Play", "optional": True}])
CUT_FOOTER = rule_toml("footer.related", "cut-after", pattern="Related stories", min_chars_before=40)
CUT_HEADER = rule_toml("header.start", "cut-before", pattern="Start of article")

ALL_ACTIONS = [DROP_ADS, DROP_NAV, SPAN_CREDIT, SPAN_AD, BLOCK_VIDEO, CUT_FOOTER, CUT_HEADER]
RULES = ruleset("".join(ALL_ACTIONS))
LINE_RULES = ruleset(DROP_ADS + DROP_NAV + SPAN_CREDIT + SPAN_AD + SPAN_CREDIT_AGENCY)
CONTEXT_IDS = {"media.video", "footer.related", "header.start"}
NO_RULES = RuleSet(())


def _without(rules: RuleSet, rule_id: str) -> RuleSet:
    return RuleSet(tuple(r for r in rules.rules if r.id != rule_id), rules.sites)


# --- page strategies ----------------------------------------------------------------------

PROSE = prose("Officials said")
PROSE2 = prose("Diplomats added", 240, "!")
VOCAB = [
    "Advertisement", "ANZEIGE", "Advertisement spending fell by a third.", "Skip to content",
    "Skip to menu", "Share this", "Share this story with a friend",
    "Caption of a photoImage: AFP", "Image: YVES HERMAN/REUTERS", "Image: DW", "Photo text [ad] goes on",
    "[ad]", "[ad] [ad]", "Advertisement [ad]", "Video", "00:36", "Play", "Video games are popular",
    "Related stories", "Related stories are below", "Start of article", "Start of article text",
    PROSE, PROSE2, "A short line of text.", "Another line", "Secretary General Jens Stoltenberg said.",
    "", "", "", "   ", "\t",
]
PREFIXES = ["", "", "", "* ", "1. ", "  ", "• ", "12) ", "- "]
NOISE = ["", "", "", "\u00a0", "\u200b", "\u00ad", "e\u0301", "\u2003", " \t", "\ufeff", "\u3000", "\u200d", "ß", "€", "😀"]
ENDS = ["\n", "\n", "\n", "\r\n", "\r"]


@st.composite
def decorated_line(draw) -> str:
    line = draw(st.sampled_from(PREFIXES)) + draw(st.sampled_from(VOCAB))
    if line and draw(st.booleans()):
        at = draw(st.integers(0, len(line)))
        line = line[:at] + draw(st.sampled_from(NOISE)) + line[at:]
    return line + draw(st.sampled_from(["", "", " ", "\t", "\u00a0"]))


CHARS = list("aA é:.[]/ \t0369\u0301\u00a0\u200b\u00ad\u2003\ufeff\u3000\u200dß€😀")
random_line = st.text(alphabet=st.sampled_from(CHARS), max_size=24)
line_st = st.one_of(decorated_line(), decorated_line(), random_line)


@st.composite
def page(draw, max_lines: int = 40) -> str:
    lines = draw(st.lists(st.tuples(line_st, st.sampled_from(ENDS)), max_size=max_lines))
    text = "".join(a + b for a, b in lines)
    if text and draw(st.booleans()):
        text = text.rstrip("\r\n")  # no final line end
    return text


# --- an independent reference of the documented normalisation ----------------------------

ODD_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\x0b\x0c"
INVISIBLE = "\u200b\u2060\ufeff\u00ad"


def reference_lines(text: str) -> list[str]:
    """README, "What normalisation does": line ends, odd spaces, invisibles, NFC, trailing blanks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(" " if c in ODD_SPACES else "" if c in INVISIBLE else c for c in text)
    text = unicodedata.normalize("NFC", text)
    lines = [line.rstrip(" \t") for line in text.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()  # the final LF ends the last line
    return lines


def reference_clean_no_rules(text: str) -> str:
    """Normalisation + layout: blank-line runs become one, none at the start or end, LF endings."""
    out: list[str] = []
    for line in reference_lines(text):
        if line == "":
            if out and out[-1] != "":
                out.append("")
        else:
            out.append(line)
    while out and out[-1] == "":
        out.pop()
    return "".join(line + "\n" for line in out)


def is_subsequence(small: str, big: str) -> bool:
    it = iter(big)
    return all(c in it for c in small)


def kept_by_line_no(text: str, rules: RuleSet, options: Options = Options()) -> tuple[dict[int, str], dict[int, str]]:
    """-> ({input line number: output line} for kept non-blank lines, {line number: rule id} for
    lines removed whole). Line numbers are those of the normalised input."""
    removed = []
    out = clean_text(text, rules, options, removed.append)
    whole = {}
    for r in removed:
        if r.whole_line:
            whole.setdefault(r.line_no, r.rule_id)
    numbers = [no for no, line in enumerate(reference_lines(text), 1) if line.strip() and no not in whole]
    out_lines = [line for line in out.split("\n") if line.strip()]
    assert len(numbers) == len(out_lines), (numbers, out_lines)
    return dict(zip(numbers, out_lines)), whole


# --- the properties ------------------------------------------------------------------------


@SETTINGS
@given(page())
@example("Advertisement [ad]\n")  # a span cut leaves a line that is itself furniture
@example("Video\nAdvertisement\n00:36\n")  # a dropped line between two block elements
@example("Video\n\n\n00:36\n")  # two blank lines (over max_gap) squeezed into one
def test_cleaning_is_idempotent(text):
    once = clean_text(text, RULES)
    assert clean_text(once, RULES) == once


@SETTINGS
@given(page())
def test_output_is_the_normalised_input_with_parts_deleted(text):
    """Each output line, in order, is a character-subsequence of a distinct normalised input
    line (the line itself, or the line with spans cut out): nothing is added or reordered."""
    out_lines = clean_text(text, RULES).split("\n")
    assert out_lines[-1] == ""  # every output line ends in LF
    source = reference_lines(text)
    i = 0
    for line in out_lines[:-1]:
        while i < len(source) and not is_subsequence(line, source[i]):
            i += 1
        assert i < len(source), f"output line {line!r} is not part of an input line (in order)"
        i += 1


@settings(SETTINGS, max_examples=200)
@given(st.binary(max_size=600), st.sampled_from([None, None, "utf-8", "cp1252", "utf-16", "utf-7", "shift_jis"]),
       st.booleans())
@example(b"+2D0-abc\n", "utf-7", False)  # decodes to a lone surrogate, which UTF-8 cannot encode
@example(b"h\x00i\x00\n\x00", "utf-16", False)  # --encoding utf-16 on text without a byte-order mark
@example(b"\xff\xfe" + b"a\x00\x00\xd8\n\x00", None, False)  # UTF-16 BOM, then a lone surrogate
@example(b"abc\xff" * 3, None, True)  # a pipe: the bad byte becomes U+FFFD
def test_arbitrary_bytes_raise_nothing_but_input_error(data, encoding, pipe):
    src = io.BytesIO(data)
    if pipe:  # not seekable: decided on the first chunk, like a pipe
        src = _PipeLike(data)
    out = io.BytesIO()
    try:
        clean_binary(src, out, RULES, Options(encoding=encoding), name="page.txt")
    except InputError as e:
        assert "page.txt" in e.message
        return
    out.getvalue().decode("utf-8")  # the output is always valid UTF-8


class _PipeLike(io.RawIOBase):
    def __init__(self, data: bytes) -> None:
        self._src = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def read(self, size: int = -1) -> bytes:
        return self._src.read(size)


@st.composite
def chunked(draw, text_st=page()):
    text = draw(text_st)
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=12)))
    # a CRLF cut between its CR and LF, whenever there is one
    crlf = text.find("\r\n")
    if crlf >= 0 and draw(st.booleans()):
        cuts = sorted(cuts + [crlf + 1])
    chunks, prev = [], 0
    for c in cuts + [len(text)]:
        chunks.append(text[prev:c])
        prev = c
    return text, chunks


@SETTINGS
@given(chunked(), st.sampled_from([3, 5, 8, 16, 1 << 16]))
@example(("a\r\nb\r\n", ["a\r", "\nb\r", "\n"]), 1 << 16)
@example(("e\u0301t\u00e9\n", ["e", "\u0301t\u00e9", "\n"]), 1 << 16)
@example(("x" + " " * 10 + "y\n", ["x" + " " * 10, "y\n"]), 4)  # a blank run longer than the line cap
@example(("Ad\u00a0vertisement\n", ["Ad\u00a0vertisement", "\n"]), 3)  # a no-break space at a cut
@example(("Some text   \n\nNext\n", ["Some text   ", "\n\nNext\n"]), 4)  # last piece only trailing blanks
def test_chunking_does_not_change_the_output(text_chunks, cap):
    text, chunks = text_chunks
    options = Options(max_line_chars=cap)
    assert "".join(chunks) == text
    whole = "".join(clean_chunks([text], RULES, options))
    assert "".join(clean_chunks(iter(chunks), RULES, options)) == whole


@FEW
@given(page(), st.integers(1, 9), st.sampled_from([4, 16, 1 << 16]))
@example("caf\u00e9 \u20ac \u00e9t\u00e9 \U0001f600\r\n\r\nend\r\n", 1, 1 << 16)
@example("*    \n", 1, 4)  # an over-long line whose last piece is only trailing blanks
def test_byte_chunks_cut_inside_characters_do_not_change_the_output(text, chunk_bytes, cap):
    """The decode stage reads `chunk_bytes` at a time: multi-byte characters and CRLFs are cut."""
    data = text.encode("utf-8")
    whole = io.BytesIO()
    clean_binary(io.BytesIO(data), whole, RULES, Options(max_line_chars=cap))
    for src in (io.BytesIO(data), _PipeLike(data)):
        out = io.BytesIO()
        clean_binary(src, out, RULES, Options(chunk_bytes=chunk_bytes, max_line_chars=cap))
        assert out.getvalue() == whole.getvalue()


@SETTINGS
@given(page())
@example("Image: YVES HERMAN/REUTERS\n")  # credits.agency alone removes the line; with credits.image too?
def test_fewer_line_rules_never_remove_more(text):
    """drop-line and strip-span rules decide on each line alone, so the statement is strict:
    without one of them, every line the full set kept is still there, with at least the
    characters the full set kept (in order)."""
    kept_full, _ = kept_by_line_no(text, LINE_RULES)
    for rule in LINE_RULES.rules:
        kept_less, removed_less = kept_by_line_no(text, _without(LINE_RULES, rule.id))
        for no, line in kept_full.items():
            assert no in kept_less, f"without {rule.id}, line {no} ({line!r}) was removed by {removed_less.get(no)}"
            assert is_subsequence(line, kept_less[no]), (rule.id, line, kept_less[no])


@SETTINGS
@given(page())
def test_fewer_rules_remove_more_only_through_context_rules(text):
    """With blocks and cuts in the set, removing a rule *can* remove more: a line coming back
    counts towards the cut-after guard (`min_chars_before`), a header no longer cut leaves
    more text above a footer marker, a footer no longer cut may hold a header marker, and two
    drop-block rules may overlap. What stays true: a line the full set kept that the smaller
    set removes is removed by a drop-block, cut-after or cut-before rule, never by a drop-line
    or strip-span rule; and lines both keep keep at least the same characters."""
    kept_full, _ = kept_by_line_no(text, RULES)
    for rule in RULES.rules:
        kept_less, removed_less = kept_by_line_no(text, _without(RULES, rule.id))
        for no, line in kept_full.items():
            if no in kept_less:
                assert is_subsequence(line, kept_less[no]), (rule.id, line, kept_less[no])
            else:
                assert removed_less[no] in CONTEXT_IDS, f"without {rule.id}, {removed_less[no]} removed line {no} ({line!r})"


def test_fewer_rules_can_remove_more_through_the_footer_guard():
    """The documented non-monotone case (so the property above is not vacuous): without the
    ad rule, the kept text above the footer marker reaches min_chars_before and the footer goes."""
    text = "Advertisement " * 4 + "\nShort.\nRelated stories\nA line below.\n"
    assert "A line below." in clean_text(text, ruleset(rule_toml("ads.long", "drop-line", pattern="(?:Advertisement ?)+"), CUT_FOOTER))
    assert "A line below." not in clean_text(text, ruleset(CUT_FOOTER))


@SETTINGS
@given(page())
@example("a\u00a0b\u200bc\u00add e\u0301 \t\r\n\r\n\r\n\u2060x\u3000\x0cy\r")
def test_no_rules_is_normalisation_only(text):
    assert clean_text(text, NO_RULES) == reference_clean_no_rules(text)


@SETTINGS
@given(chunked(), st.sampled_from([3, 4, 8]))
@example(("x" + " " * 10 + "y\n", ["x" + " " * 10, "y\n"]), 4)
def test_no_rules_is_normalisation_only_for_lines_longer_than_the_cap(text_chunks, cap):
    """A line over `max_line_chars` travels in pieces, but is normalised all the same."""
    text, chunks = text_chunks
    got = "".join(clean_chunks(iter(chunks), NO_RULES, Options(max_line_chars=cap)))
    assert got == reference_clean_no_rules(text)
