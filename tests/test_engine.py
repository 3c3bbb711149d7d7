"""What each rule action does on small pages, and the switches that turn rules on and off.

Every rule here is made up in the test (built-in rules are left out), so these tests pin the
engine's semantics, not the content of the rule packs.
"""
from __future__ import annotations

import pytest

from cleaner import Options, Removal, UsageError
from conftest import clean_chunks, clean_lines, clean_text
from conftest import assert_no_traceback, prose, rule_toml, run_cli, run_cli_many, ruleset, site_toml

P1 = prose("The minister said")
P2 = prose("Her deputy added", 230, "!")
P3 = prose("Later the ministry said", 210, "?")
assert len(P1) >= 200 and len(P2) >= 200 and len(P3) >= 200


def page(*lines: str) -> str:
    return "".join(line + "\n" for line in lines)


def removals(text: str, rules, options: Options = Options()) -> list[Removal]:
    out: list[Removal] = []
    clean_text(text, rules, options, out.append)
    return out


# --- drop-line ---------------------------------------------------------------------------

SKIP = ruleset(rule_toml("nav.skip", "drop-line", pattern="Skip to content"))


def test_drop_line_matches_the_line_core_without_list_marks_and_indentation():
    for line in ["Skip to content", "1. Skip to content", "  2. Skip to content", "12) Skip to content",
                 "* Skip to content", "- Skip to content", "• Skip to content", "· Skip to content",
                 "> Skip to content", "\tSkip to content   ", "Skip to content\u00a0"]:
        assert clean_text(page("Title", line, "Body text."), SKIP) == page("Title", "Body text."), line


def test_drop_line_pattern_must_match_the_whole_core():
    for line in ["Skip to content now", "Please Skip to content", "Skip to contents", "1.Skip to content",
                 "** Skip to content", "Users skip to content they like."]:
        assert clean_text(page(line), SKIP) == page(line), line


def test_drop_line_is_case_insensitive_unless_the_rule_says_otherwise():
    assert clean_text(page("SKIP TO CONTENT", "skip to Content", "kept"), SKIP) == page("kept")
    strict = ruleset(rule_toml("nav.skip", "drop-line", pattern="Skip to content", case_sensitive=True))
    assert clean_text(page("SKIP TO CONTENT", "Skip to content"), strict) == page("SKIP TO CONTENT")


def test_drop_line_with_several_patterns_and_unicode_classes():
    rules = ruleset(rule_toml("ads.label", "drop-line", patterns=["Advertisement", r"Anzeige", r"\p{Lu}{3} AD"]))
    text = page("Advertisement", "Intro.", "ANZEIGE", "ÄÖÜ AD", "Advertisement spending fell by a third.")
    assert clean_text(text, rules) == page("Intro.", "Advertisement spending fell by a third.")


def test_removing_lines_squeezes_the_blank_lines_left_behind():
    text = page("", "Skip to content", "", "", "Title", "", "Skip to content", "", "Body", "", "Skip to content", "")
    assert clean_text(text, SKIP) == page("Title", "", "Body")


# --- strip-span --------------------------------------------------------------------------

CREDIT = ruleset(rule_toml("credits.image", "strip-span", pattern=r"Image: [\p{Lu} ]+(?:/[\p{Lu} ]+)?", case_sensitive=True),
                 rule_toml("ads.inline", "strip-span", pattern=r"\s*\[ad\]"))


def test_strip_span_cuts_a_credit_glued_to_a_caption():
    caption = "NATO chief Jens Stoltenberg said the alliance would step up its support following days of attacks"
    assert clean_text(page(caption + "Image: YVES HERMAN/REUTERS"), CREDIT) == page(caption)


def test_strip_span_cuts_every_match_anywhere_in_the_line():
    assert clean_text(page("One [ad]two [ad]three"), CREDIT) == page("Onetwothree")
    assert clean_text(page("  * Photo [ad] text"), CREDIT) == page("  * Photo text")


def test_strip_span_drops_a_line_left_empty():
    text = page("Caption", "Image: DW", "", "[ad] [ad]", "", "Body text.")
    assert clean_text(text, CREDIT) == page("Caption", "", "Body text.")


def test_strip_span_drops_a_list_item_left_with_only_its_mark():
    """'   * [ad]' is an item whose every word was furniture: the bare '*' must not stay behind."""
    text = page("   * [ad]", "  12. [ad] [ad]", "*", "  * Photo [ad] text", "", "Body text.")
    assert clean_text(text, CREDIT) == page("*", "  * Photo text", "", "Body text.")


def test_strip_span_is_case_insensitive_like_line_rules():
    assert clean_text(page("Text [AD]"), CREDIT) == page("Text")


def test_strip_span_leaves_lines_without_a_match_alone():
    text = page("Image: the new world", "An image: DW archive")
    assert clean_text(text, CREDIT) == text


def test_overlapping_span_rules_each_cut_their_whole_match():
    """'every match is cut out of the line': a longer credit rule must not be defeated by a
    shorter one listed before it that matches at the same place."""
    rules = ruleset(rule_toml("credits.short", "strip-span", pattern=r"Image: \p{Lu}+"),
                    rule_toml("credits.agency", "strip-span", pattern=r"Image: \p{Lu}+/\p{Lu}+"))
    caption = "The minister arrives in Brussels"
    assert clean_text(page(caption + "Image: HERMAN/REUTERS"), rules) == page(caption)


# --- drop-block --------------------------------------------------------------------------

VIDEO = ruleset(rule_toml(
    "media.video-block", "drop-block", max_gap=1,
    block=[r"[^.]{1,80}", r"\d{1,2}:\d\d",
           {"pattern": r"This browser does not support the video element\.", "optional": True}],
))


def test_drop_block_removes_the_run_with_gaps_up_to_max_gap():
    text = page("Article text.", "", "'We will step up our support'", "", "00:36", "",
                "This browser does not support the video element.", "", "More article text.")
    assert clean_text(text, VIDEO) == page("Article text.", "", "More article text.")


def test_drop_block_optional_element_may_be_absent():
    text = page("Article text.", "", "Watch the briefing", "00:36", "", "More article text.")
    assert clean_text(text, VIDEO) == page("Article text.", "", "More article text.")


def test_drop_block_does_not_fire_when_a_required_element_is_missing():
    text = page("Article text.", "", "Watch the briefing", "",
                "This browser does not support the video element.", "", "More article text.")
    assert clean_text(text, VIDEO) == text
    alone = page("Article text.", "", "00:36", "", "More article text.")
    assert clean_text(alone, VIDEO) == alone


def test_drop_block_gap_is_a_run_of_blank_lines_and_max_gap_0_allows_none():
    """Layout squeezes a run of blank lines to one, so a run is one gap: otherwise cleaning the
    output again could find a block the first pass did not (cleaning must be idempotent)."""
    text = page("Watch the briefing", "", "", "00:36", "", "More article text.")
    assert clean_text(text, VIDEO) == page("More article text.")
    tight = ruleset(rule_toml("media.tight", "drop-block", max_gap=0, block=["Watch", r"\d\d:\d\d"]))
    assert clean_text(page("Watch", "", "00:36", "x"), tight) == page("Watch", "", "00:36", "x")
    assert clean_text(page("Watch", "00:36", "x"), tight) == page("x")


def test_drop_block_sees_through_lines_other_rules_drop():
    """A line its own rule drops is not in the output, so a block may skip it (or match it)."""
    rules = ruleset(rule_toml("ads.label", "drop-line", pattern="Advertisement"),
                    rule_toml("media.video", "drop-block", max_gap=1, block=[r"[^.]{1,80}", r"\d{1,2}:\d\d"]))
    text = page("Body text.", "", "Video title", "Advertisement", "00:36", "", "More body text.")
    once = clean_text(text, rules)
    assert once == page("Body text.", "", "More body text.")
    assert clean_text(once, rules) == once


def test_drop_block_elements_must_come_in_order_and_be_whole_lines():
    text = page("00:36", "Watch the briefing", "Tail.")
    assert clean_text(text, VIDEO) == text
    text = page("Watch the briefing", "Duration 00:36", "Tail.")
    assert clean_text(text, VIDEO) == text


def test_drop_block_optional_element_in_the_middle():
    rules = ruleset(rule_toml("media.player", "drop-block", max_gap=1,
                              block=["Video", {"pattern": "Play", "optional": True}, r"\d\d:\d\d"]))
    assert clean_text(page("Video", "Play", "00:36", "Body."), rules) == page("Body.")
    assert clean_text(page("Video", "", "00:36", "Body."), rules) == page("Body.")
    assert clean_text(page("Video", "Pause", "00:36", "Body."), rules) == page("Video", "Pause", "00:36", "Body.")


# --- cut-after ---------------------------------------------------------------------------

FOOTER = ruleset(rule_toml("footer.related", "cut-after", pattern="Related content", min_chars_before=100))
ENOUGH = "An article paragraph that is long enough to count as kept text above the footer marker here."
assert len(ENOUGH) < 100 <= 2 * len(ENOUGH)


def test_cut_after_removes_the_marker_and_everything_after_it():
    text = page(ENOUGH, ENOUGH, "", "Related content", "", "Story one", "Story two", P1, "Imprint")
    assert clean_text(text, FOOTER) == page(ENOUGH, ENOUGH)


def test_cut_after_needs_min_chars_before_of_kept_text_above():
    text = page(ENOUGH, "", "Related content", "", "Story one")
    assert clean_text(text, FOOTER) == text
    # removed lines above do not count as kept text
    with_ads = ruleset(rule_toml("footer.related", "cut-after", pattern="Related content", min_chars_before=100),
                       rule_toml("ads.label", "drop-line", pattern="Advertisement.*"))
    ad = "Advertisement " + "x" * 100
    assert clean_text(page(ad, ENOUGH, "Related content", "Story one"), with_ads) == page(ENOUGH, "Related content", "Story one")


def test_cut_after_default_guard_is_300_characters():
    rules = ruleset(rule_toml("footer.related", "cut-after", pattern="Related content"))
    short = page(ENOUGH, ENOUGH, "Related content", "Story one")
    assert clean_text(short, rules) == short
    long = page(ENOUGH, ENOUGH, ENOUGH, ENOUGH, "Related content", "Story one")
    assert clean_text(long, rules) == page(ENOUGH, ENOUGH, ENOUGH, ENOUGH)


def test_cut_after_ends_when_two_prose_paragraphs_follow_in_a_row():
    text = page(ENOUGH, ENOUGH, "Related content", "Story one", P1, "", P2, "Short tail")
    assert clean_text(text, FOOTER) == page(ENOUGH, ENOUGH, P1, "", P2, "Short tail")
    text = page(ENOUGH, ENOUGH, "Related content", P1, P2)
    assert clean_text(text, FOOTER) == page(ENOUGH, ENOUGH, P1, P2)


def test_cut_after_one_prose_paragraph_alone_does_not_end_the_cut():
    text = page(ENOUGH, ENOUGH, "Related content", P1, "Story one", P2, "Story two")
    assert clean_text(text, FOOTER) == page(ENOUGH, ENOUGH)


def test_cut_after_prose_needs_200_characters_and_sentence_punctuation():
    no_stop = P1[:-1] + "x"
    short = P1[:150] + "."
    for a, b in [(no_stop, P2), (P2, short)]:
        text = page(ENOUGH, ENOUGH, "Related content", a, b)
        assert clean_text(text, FOOTER) == page(ENOUGH, ENOUGH)


def test_cut_after_can_start_again_at_a_later_marker():
    text = page(ENOUGH, ENOUGH, "Related content", "x", P1, P2, "Related content", "Story")
    assert clean_text(text, FOOTER) == page(ENOUGH, ENOUGH, P1, P2)


# --- cut-before --------------------------------------------------------------------------

HEADER = ruleset(rule_toml("header.start", "cut-before", pattern="Start of article"))


def test_cut_before_removes_everything_above_the_marker():
    text = page("Home", "News", "", "Menu", "Start of article", "Title", "Body.")
    assert clean_text(text, HEADER) == page("Start of article", "Title", "Body.")


def test_cut_before_include_marker_drops_the_marker_too():
    rules = ruleset(rule_toml("header.start", "cut-before", pattern="Start of article", include_marker=True))
    assert clean_text(page("Home", "Start of article", "Title"), rules) == page("Title")


def test_cut_before_does_not_cut_a_prose_paragraph():
    text = page("Home", P1, "Start of article", "Title")
    assert clean_text(text, HEADER) == text


def test_cut_before_only_looks_in_the_first_300_lines():
    at_300 = page(*[f"menu item {i}" for i in range(1, 300)], "Start of article", "Title")
    assert clean_text(at_300, HEADER) == page("Start of article", "Title")
    at_301 = page(*[f"menu item {i}" for i in range(1, 301)], "Start of article", "Title")
    assert clean_text(at_301, HEADER) == at_301


def test_cut_before_cuts_only_at_the_first_marker():
    text = page("Home", "Start of article", "Title", "Start of article", "Body.")
    assert clean_text(text, HEADER) == page("Start of article", "Title", "Start of article", "Body.")


def test_cut_before_without_a_marker_keeps_everything():
    text = page("Home", "Title", "", "Body.")
    assert clean_text(text, HEADER) == text
    assert list(clean_lines(text.splitlines(), HEADER)) == ["Home", "Title", "", "Body."]


# --- site packs --------------------------------------------------------------------------

SITE_PACK = site_toml("example.com", [r"Example News$", r"(?:^|\s)example\.com\b"], min_fingerprints=2) + rule_toml(
    "sites.example-share", "drop-line", pattern="Share on Example", removes=["Share on Example"], keeps=["Share it"])
SITE_RULES = ruleset(SITE_PACK)
BOTH_PRINTS = page("Title | Example News", "Body.", "Share on Example", "Visit example.com today")


def test_site_pack_rules_are_on_when_the_site_is_named():
    text = page("Body.", "Share on Example")
    assert clean_text(text, SITE_RULES, Options(site="example.com")) == page("Body.")
    assert clean_text(text, SITE_RULES) == text  # auto: no fingerprints in the page


def test_site_pack_rules_are_off_with_site_none_even_when_fingerprints_are_there():
    assert clean_text(BOTH_PRINTS, SITE_RULES, Options(site="none")) == BOTH_PRINTS


def test_site_pack_auto_detection_needs_min_fingerprints_distinct_fingerprints():
    assert clean_text(BOTH_PRINTS, SITE_RULES) == page("Title | Example News", "Body.", "Visit example.com today")
    one = page("Title | Example News", "Body.", "Share on Example", "Other | Example News")
    assert clean_text(one, SITE_RULES) == one  # the same fingerprint twice is one fingerprint


def test_site_pack_fingerprints_match_in_any_case_behind_their_text_screen(monkeypatch):
    # a fingerprint is only searched in a head that holds its text, compared case-folded
    import cleaner.pipeline as pipeline

    shouting = page("TITLE | EXAMPLE NEWS", "Body.", "Share on Example", "VISIT EXAMPLE.COM TODAY")
    assert "Share on Example" not in clean_text(shouting, SITE_RULES)
    searched = []
    real = pipeline._fingerprint

    def spy(pattern):
        texts, search = real(pattern)
        return texts, lambda text: searched.append(pattern) or search(text)

    monkeypatch.setattr(pipeline, "_fingerprint", spy)
    other = page("Title | Example News", "Body.", "Share on Example")
    assert clean_text(other, SITE_RULES) == other
    assert searched == [r"Example News$"]  # 'example.com' is nowhere in the page: not searched


def test_site_pack_fingerprints_are_only_looked_for_in_the_head():
    text = page("Body.", "Share on Example") + page("filler line") * 50 + page("Title | Example News", "example.com")
    assert clean_text(text, SITE_RULES, Options(site_sniff_chars=200)) == text
    assert "Share on Example" not in clean_text(text, SITE_RULES)


def test_site_pack_via_cli(rules_file):
    path = rules_file(SITE_PACK, "sites/example.toml")
    src = page("Body.", "Share on Example")
    base = ("--no-builtin", "--rules", path)
    named, off, auto, unknown = run_cli_many(
        {"args": base + ("--site", "example.com"), "stdin": src},
        {"args": base + ("--site", "none"), "stdin": BOTH_PRINTS},
        {"args": base, "stdin": BOTH_PRINTS},
        {"args": base + ("--site", "unknown.org"), "stdin": src},
    )
    assert named == (0, page("Body.").encode(), "")
    assert off == (0, BOTH_PRINTS.encode(), "")
    assert auto[0] == 0 and b"Share on Example" not in auto[1] and b"Body." in auto[1]
    code, out, err = unknown
    assert code == 2 and out == b""
    assert err.startswith("scrapeclean: ") and "unknown.org" in err and "example.com" in err
    assert_no_traceback(err)


# --- --select / --ignore / --lang ----------------------------------------------------------

FAMILIES = (rule_toml("ads.label", "drop-line", pattern="Advertisement")
            + rule_toml("ads.inline", "strip-span", pattern=r"\s*\[ad\]")
            + rule_toml("nav.skip", "drop-line", pattern="Skip to content"))
FAMILY_PAGE = page("Skip to content", "Advertisement", "Text [ad]")


def test_select_and_ignore_by_id_prefix():
    assert clean_text(FAMILY_PAGE, ruleset(FAMILIES, select=["ads"])) == page("Skip to content", "Text")
    assert clean_text(FAMILY_PAGE, ruleset(FAMILIES, select=["ads.label"])) == page("Skip to content", "Text [ad]")
    assert clean_text(FAMILY_PAGE, ruleset(FAMILIES, ignore=["ads"])) == page("Advertisement", "Text [ad]")
    assert clean_text(FAMILY_PAGE, ruleset(FAMILIES, select=["ads"], ignore=["ads.inline"])) == page("Skip to content", "Text [ad]")
    assert clean_text(FAMILY_PAGE, ruleset(FAMILIES, select=["ads", "nav"])) == page("Text")


def test_select_and_ignore_via_cli(rules_file):
    path = rules_file(FAMILIES)
    selected, ignored = run_cli_many(
        {"args": ("--no-builtin", "--rules", path, "--select", "ads"), "stdin": FAMILY_PAGE},
        {"args": ("--no-builtin", "--rules", path, "--ignore", "ads.label", "--ignore", "nav"), "stdin": FAMILY_PAGE},
    )
    assert selected == (0, page("Skip to content", "Text").encode(), "")
    assert ignored == (0, page("Skip to content", "Advertisement", "Text").encode(), "")


def test_a_prefix_is_a_whole_id_part():
    """`ad` is not a family here: it selects nothing, which is a usage error."""
    with pytest.raises(UsageError):
        ruleset(FAMILIES, select=["ad"])
    with pytest.raises(UsageError):
        ruleset(FAMILIES, ignore=["ads.lab"])


LANG_RULES = (rule_toml("ads.en", "drop-line", pattern="Advertisement", languages=["en"])
              + rule_toml("ads.de", "drop-line", pattern="Anzeige", languages=["de"])
              + rule_toml("ads.any", "drop-line", pattern="Sponsored"))
LANG_PAGE = page("Advertisement", "Anzeige", "Sponsored", "Text")


def test_lang_turns_off_rules_tagged_with_other_languages():
    rules = ruleset(LANG_RULES)
    assert clean_text(LANG_PAGE, rules) == page("Text")
    assert clean_text(LANG_PAGE, rules, Options(languages=("de",))) == page("Advertisement", "Text")
    assert clean_text(LANG_PAGE, rules, Options(languages=("fr",))) == page("Advertisement", "Anzeige", "Text")
    assert clean_text(LANG_PAGE, rules, Options(languages=("en", "de"))) == page("Text")


def test_lang_via_cli(rules_file):
    path = rules_file(LANG_RULES)
    code, out, err = run_cli("--no-builtin", "--rules", path, "--lang", "en", stdin=LANG_PAGE)
    assert (code, out.decode()) == (0, page("Anzeige", "Text")), err


# --- catastrophic backtracking -----------------------------------------------------------

SLOW = r"(?:a|aa)+b"  # backtracks exponentially on a long run of a's with no b (checked in `regex`)
LONG_A = "a" * 5000


def test_a_catastrophic_line_pattern_is_cut_off_reported_and_skipped(rules_file):
    path = rules_file(rule_toml("x.slow", "drop-line", pattern=SLOW)
                      + rule_toml("x.ads", "drop-line", pattern="Advertisement"), "slow.toml")
    text = page("Title", LONG_A, "Advertisement", LONG_A + "b", LONG_A, "End.")
    code, out, err = run_cli("--no-builtin", "--rules", path, stdin=text, timeout=60)  # a hang guard, not a timing
    assert code == 0, err
    # the other rule still works; the slow rule is skipped from then on (so the a...ab line stays)
    assert out.decode() == page("Title", LONG_A, LONG_A + "b", LONG_A, "End.")
    warnings = [line for line in err.splitlines() if "x.slow" in line]
    assert len(warnings) == 1 and warnings[0].startswith("scrapeclean: ") and "slow.toml" in warnings[0]
    assert "x.ads" not in err
    assert_no_traceback(err)


def test_slow_pattern_warning_goes_to_the_warn_callback_and_quiet_silences_it(rules_file):
    rules = ruleset(rule_toml("x.slow", "drop-line", pattern=SLOW))
    said: list[str] = []
    out = "".join(clean_chunks([page(LONG_A, "ok")], rules, warn=said.append))
    assert out == page(LONG_A, "ok")
    assert len(said) == 1 and "x.slow" in said[0] and "line 1" in said[0]
    path = rules_file(rule_toml("x.slow", "drop-line", pattern=SLOW))
    code, out, err = run_cli("-q", "--no-builtin", "--rules", path, stdin=page(LONG_A))
    assert (code, err) == (0, "")


def test_a_catastrophic_span_pattern_does_not_stop_the_other_span_rules():
    rules = ruleset(rule_toml("x.slow", "strip-span", pattern=SLOW),
                    rule_toml("x.ads", "strip-span", pattern=r"\s*\[ad\]"))
    said: list[str] = []
    out = "".join(clean_chunks([page("One [ad]", LONG_A, "Two [ad]")], rules, warn=said.append))
    assert any("x.slow" in s for s in said)
    assert not any("x.ads" in s for s in said), said  # the innocent rule is not blamed...
    assert out == page("One", LONG_A, "Two")  # ...and goes on cutting


def test_a_catastrophic_block_pattern_is_cut_off_and_reported():
    rules = ruleset(rule_toml("x.slow-block", "drop-block", block=[SLOW, "Play"]))
    said: list[str] = []
    out = "".join(clean_chunks([page(LONG_A, "Play", "ab", "Play")], rules, warn=said.append))
    assert out == page(LONG_A, "Play", "ab", "Play")
    assert len(said) == 1 and "x.slow-block" in said[0]


# --- Removal records ---------------------------------------------------------------------

def test_removal_records_give_line_numbers_rule_ids_and_span_or_whole_line():
    rules = ruleset(
        rule_toml("nav.skip", "drop-line", pattern="Skip to content"),
        rule_toml("credits.image", "strip-span", pattern=r"Image: [\p{Lu}/ ]+"),
        rule_toml("media.video", "drop-block", block=["Video", r"\d\d:\d\d"]),
        rule_toml("footer.related", "cut-after", pattern="Related content", min_chars_before=10),
    )
    text = page("1. Skip to content", "", "CaptionImage: DW/AFP", "Image: AP", "Video", "", "00:36",
                "Body text here.", "Related content", "", "Story")
    got = removals(text, rules)
    assert got == [
        Removal(1, "nav.skip", "1. Skip to content", True),
        Removal(3, "credits.image", "Image: DW/AFP", False),
        Removal(4, "credits.image", "Image: AP", True),
        Removal(5, "media.video", "Video", True),
        Removal(7, "media.video", "00:36", True),
        Removal(9, "footer.related", "Related content", True),
        Removal(11, "footer.related", "Story", True),
    ]
    assert got[1].family() == "credits"


def test_removal_records_for_a_header_cut_and_normalised_line_numbers():
    text = "Home\r\nMenu\r\n\r\nStart of article\r\nBody.\r\n"
    assert removals(text, HEADER) == [Removal(1, "header.start", "Home", True), Removal(2, "header.start", "Menu", True)]
