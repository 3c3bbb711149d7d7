"""The matcher skips lines a pattern cannot match by cheap checks (rules/matcher.py): a line's
start (first-character and prefix dispatch), its length, punctuation and literal text every
match needs, and the way a line ends (`suffix_key`, for patterns that may start with any word).
None of them may hide a match: for every shape below the engine drops exactly the lines the
pattern itself fully matches, on `re` as on `regex`, whatever the case of the line."""
from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import clean_text, dropped_lines, fullmatched_lines, rule_toml, ruleset

from cleaner.rules.analysis import _char_keys, analyse, key_of, suffix_key
from cleaner.rules.matcher import CompiledRules

# Patterns that may start with any word (so no dispatch on the line's start) and end in a few
# known ways: optional endings, repeats, classes, digits, case-folding oddities (ß, ı/İ, ſ, K).
ANYWHERE = [
    r"(?:\w+ ){0,3}is not (?:responsible|liable) for (?:it|them)\.?",
    r"[^|]{1,20} ends here(?: now| today)?[.!]?",
    r".*\bstop \d{1,2}",
    r"(?:\w+ ){0,2}(?:Straße|Strasse)",
    r"\w+ k[ae]p[ae]lı|\w+ a[cç][iı]k",  # (no literal text of 3 characters: see the xfail below)
    r"(?:\w+ ){0,2}w[iı]k[iı]",
    r"\w+ (?:ok|x{0,2})",
    r"(?:[\w.-]+ ){0,3}(?:sites|pages|links)\.?(?: Read more[^.!]{0,20}[.!])?",
]
LINES = [
    "The BBC is not responsible for it.", "WE ARE NOT LIABLE FOR THEM", "is not liable for them.",
    "It is not responsible for it, the court said.", "one two three four is not liable for it",
    "so it ends here", "SO IT ENDS HERE NOW!", "it ends here today.", "ends here", "a|b ends here",
    "please stop 12", "PLEASE STOP 7", "stop 123", "Hauptstraße", "Haupt Straße", "AN DER STRASSE",
    "an der straße x", "Yol kapalı", "YOL KAPALI", "YOL KAPALİ", "kapı açık", "KAPI AÇIK",
    "the wiki", "THE WİKİ", "THE WIKI", "the wıkı", "that is ok", "THAT IS OK", "that is", "that is xx",
    "Example is not responsible for external sites.", "see other sites", "see other sites. Read more here.",
    "see other SITES. READ MORE!", "SITES", "a quiet line of prose that no rule should touch.",
]


@pytest.mark.parametrize("pattern", ANYWHERE)
def test_the_engine_drops_exactly_the_lines_a_pattern_that_starts_anywhere_matches(pattern):
    expected = fullmatched_lines(pattern, LINES)
    assert dropped_lines(pattern, LINES) == expected


@settings(max_examples=80, deadline=None)
@given(st.lists(st.text(alphabet="abkopswixıİIßẞ .", min_size=1, max_size=8).map(str.strip).filter(bool),
                min_size=1, max_size=10, unique=True))
def test_no_line_is_missed_whatever_its_case(lines):
    lines = [line for line in lines if line.strip() == line and not line[0] in "*-+"]
    for pattern in (r"(?:\w+ ){0,2}w[iı]k[iı]", r"\w+ (?:ok|x{0,2})", r"(?:\w+ ){0,2}(?:Straße|ss)", r"\w* ?k[ao]p[ao]lı"):
        expected = fullmatched_lines(pattern, lines)
        assert dropped_lines(pattern, lines) == expected, pattern


def test_the_line_ends_a_pattern_can_have():
    assert analyse(r"(?:\w+ ){0,3}(?:sites|pages|links)\.?", False).suffixes == {"tes", "es.", "ges", "nks", "ks."}
    assert analyse(r"a\d{2}", False).suffixes == {f"a{i}{j}" for i in range(10) for j in range(10)}
    assert analyse(r"x(?:y|zz)?", False).suffixes == {"x", "xy", "xzz"}
    # unknown: the end may be any character
    assert analyse(r"(?:\w+ )?end.*", False).suffixes is None
    assert analyse(r"\w+ k[ae]p[ae]lı", False).suffixes == {"alı", "ali", "elı", "eli"}  # ı is I upper-cased: i when folded


def test_the_literal_screen_finds_turkish_dotted_and_dotless_i_in_every_case():
    # re matches 'ı' and 'İ' to 'I' and 'i' ignoring case; casefold() maps them apart, fold() alike
    lines = ["YOL KAPALI", "Yol kapalı", "YOL KAPALİ", "yol kapali", "yol açık"]
    assert dropped_lines(r"(?:\w+ )?kapalı", lines) == fullmatched_lines(r"(?:\w+ )?kapalı", lines)
    assert dropped_lines(r"(?:\w+ )?kapalı", lines) == set(lines[:4])


# Every character of the Basic Multilingual Plane this Python's Unicode database knows.
_BMP = "".join(chr(c) for c in range(0x10000) if unicodedata.category(chr(c)) not in ("Cs", "Cn"))
# Latin, Greek, Cyrillic and Latin Extended Additional: the scripts with case that rules use.
_CASED = "".join(map(chr, [*range(0x30, 0x7B), *range(0xB5, 0x250), *range(0x370, 0x530), *range(0x1E00, 0x1F00)]))


def _case_partners(engine: str, extra: str):
    """(c, x) for c in _CASED + extra and every x in the BMP that `engine` ("re" or "regex")
    matches to c ignoring case (c itself included)."""
    if engine == "regex":
        import regex as engine_mod

        flags = engine_mod.IGNORECASE | engine_mod.V0
    else:
        engine_mod, flags = re, re.IGNORECASE
    for c in _CASED + extra:
        for x in engine_mod.findall(engine_mod.escape(c), _BMP, flags):
            yield c, x


@pytest.mark.parametrize("engine", ["re", "regex"])
def test_a_line_end_key_covers_every_character_a_pattern_character_matches(engine):
    """`suffix_key` folds a line's characters with `key_of`; the analysis lists, per pattern
    character, the keys of all characters that may match it ignoring case. Checked against the
    engines themselves over the whole Basic Multilingual Plane (the characters this Python's
    Unicode database knows: `regex` may know newer case pairs, which no dispatch can see)."""
    for c, x in _case_partners(engine, "ß\u212aǅϐﬀ٣ĳǰẞ"):
        assert key_of(x) in _char_keys(c), (c, x)


def test_a_pattern_that_cannot_end_a_line_so_is_not_tried_on_it():
    """The screen itself: the literal text is in the line, but the line ends otherwise."""
    rules = ruleset(rule_toml("test.anywhere", "drop-line", patterns=[r"(?:\w+ ){0,3}not responsible for (?:this|that)\.?"]))
    compiled = CompiledRules(rules.rules, 0.25)
    dispatch = compiled.drop_lines._dispatch
    assert dispatch.candidates("we are not responsible for this, the court said") == []
    assert dispatch.candidates("We are NOT responsible for THIS.") != []
    assert suffix_key("We are NOT responsible for THIS.") == "is."


# --- block triggers ------------------------------------------------------------------------

CAPTION = r".{0,60}(?:Photo|Resim|Foto) ?: ?\w+(?: \w+)?"  # the trigger: marks ':', texts photo/resim/foto
TRIGGER_LINES = ["Crowds in the square Photo: AFP", "CROWDS PHOTO: REUTERS", "Kalabalık RESİM: AA", "kalabalık resım: aa",
                 "Menge Foto: dpa", "Photo", "Photo: a b c", "Time: 12:30", "Note: nothing to see", "photographer: x"]


def _trigger_rules():
    rules = ruleset(rule_toml("media.caption-block", "drop-block", block=[r"[^.:]{3,80}", CAPTION]))
    return CompiledRules(rules.rules, 0.25)


def test_a_block_trigger_matches_exactly_the_lines_its_pattern_matches():
    compiled = _trigger_rules()
    with compiled.watchdog:
        for line in TRIGGER_LINES:
            assert bool(compiled.triggers.triggered(line)) == bool(re.fullmatch(CAPTION, line, re.IGNORECASE)), line


def test_a_block_trigger_is_not_tried_on_a_line_without_its_text(monkeypatch):
    """'Time: 12:30' has the mark ':' but none of photo/resim/foto: the pattern is not run."""
    compiled = _trigger_rules()
    block = compiled.blocks[0]
    tried = []
    real = type(block).element_matches
    monkeypatch.setattr(type(block), "element_matches", lambda self, i, core, no: tried.append(core) or real(self, i, core, no))
    with compiled.watchdog:
        assert compiled.triggers.triggered("Time: 12:30") == ()
        assert compiled.triggers.triggered("Note: nothing to see") == ()
        assert compiled.triggers.triggered("Menge Foto: dpa") == (0,)
    assert tried == ["Menge Foto: dpa"]


@pytest.mark.parametrize("engine", ["re", "regex"])
def test_fold_maps_alike_every_character_a_character_matches_ignoring_case(engine):
    """The literal-text screens compare `fold`ed texts: a character and every one an engine
    matches it to ignoring case must fold to the same text."""
    from cleaner.rules.matcher import fold

    for c, x in _case_partners(engine, "ß\u212aǅϐﬀﬅ٣ĳǰẞ"):
        assert fold(x) == fold(c), (c, x)


def test_a_symbol_with_a_case_variant_is_not_taken_for_a_mark():
    # 'ⓐ' is no letter (category So) but has an upper case, 'Ⓐ', which re matches to it
    assert analyse(r"\w+ ⓐ \w+", False).marks is None
    assert dropped_lines(r"\w+ ⓐ \w+", ["X Ⓐ Y"]) == {"X Ⓐ Y"}


# --- one check for all, before the checks of each ------------------------------------------

GATED = [r"\w+(?: \w+)* \| \w+(?: \w+)*",  # needs '|'
         r"(?:\w+ ){0,3}not responsible for (?:this|that) (?:site|page|\w+ \w+)",  # needs ' not responsible for '
         r"(?:\w+ ){0,2}(?:›|»)(?: \w+){1,3}(?: (?:site|page))?"]  # needs '›' or '»'
GATED_LINES = ["News | World", "NEWS | WORLD | EUROPE", "News / World", "We are NOT RESPONSIBLE FOR THIS SITE",
               "we are not responsible for that other page", "We are responsible for this site", "Home › News",
               "HOME » NEWS » EUROPE PAGE", "Home > News", "a quiet line of prose that no rule should touch."]


def test_patterns_that_start_anywhere_behind_one_gate_still_match_exactly_their_lines():
    rules = ruleset(*(rule_toml(f"test.gated{i}", "drop-line", patterns=[p]) for i, p in enumerate(GATED)))
    kept = set(clean_text("\n\n".join(GATED_LINES) + "\n", rules).split("\n"))
    expected = {line for line in GATED_LINES if any(re.fullmatch(p, line, re.IGNORECASE) for p in GATED)}
    assert {line for line in GATED_LINES if line not in kept} == expected
    dispatch = CompiledRules(rules.rules, 0.25).drop_lines._dispatch
    assert dispatch.anywhere_gate == (("|", "»", "›"), ("not responsible for th",))


def test_a_line_with_no_mark_of_any_span_rule_is_not_searched(monkeypatch):
    from cleaner.rules.matcher import SpanMatcher

    rules = ruleset(rule_toml("test.ad", "strip-span", patterns=[r"\[ad\]"]),
                    rule_toml("test.credit", "strip-span", patterns=[r"\(Photo: \w+\)"]))
    spans = CompiledRules(rules.rules, 0.25).spans
    searched = []
    real = SpanMatcher._spans
    monkeypatch.setattr(SpanMatcher, "_spans", lambda self, line, where: searched.append(line) or real(self, line, where))
    assert spans.strip("Plain text, no marks at all") == ("Plain text, no marks at all", [])
    assert spans.strip("Text [ad] more")[0] == "Text  more"
    assert spans.strip("A view (Photo: AFP)")[0] == "A view"
    assert searched[0] == "Text [ad] more" and "Plain text, no marks at all" not in searched


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="abc ", min_size=1, max_size=4), min_size=1, max_size=8),
       st.text(alphabet="abc ", max_size=12))
def test_a_text_screen_without_the_texts_that_hold_another_finds_the_same_lines(texts, line):
    from cleaner.rules.matcher import _fewest_texts

    fewest = _fewest_texts(texts)
    assert set(fewest) <= set(texts)
    assert any(t in line for t in fewest) == any(t in line for t in texts)


def test_a_gate_does_not_search_for_a_text_that_holds_another_of_its_texts():
    rules = ruleset(rule_toml("test.fee", "drop-line", patterns=[r".{0,40}\bcommission fees?\b.{0,40}"]),
                    rule_toml("test.any", "drop-line", patterns=[r".{0,40}\bcommission\b.{0,40}"]))
    dispatch = CompiledRules(rules.rules, 0.25).drop_lines._dispatch
    assert dispatch.anywhere_gate == ((), ("commission",))
    lines = ["A commission fee was due.", "The Commission met.", "A fee was due.", "Commissions rose."]
    kept = set(clean_text("\n\n".join(lines) + "\n", rules).split("\n"))
    assert {line for line in lines if line not in kept} == {"A commission fee was due.", "The Commission met."}
