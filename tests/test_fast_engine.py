"""`--engine fast` (rules/prescreen.py): the Hyperscan screen must never clear a line a rule
touches, so that its output is the default engine's byte for byte.

Checked three ways: the rewrite of single patterns on the constructs where Python's dialect
and Hyperscan's differ (each a case that a naive translation gets wrong); every built-in rule's
examples, and lines mutated from them (hypothesis), through the screen of all built-in rules;
and whole pages (fixtures, and a page made of every rule example) cleaned by both engines,
removal records included. The fast engine's extra (hyperscan) is part of the test extras, so
these tests run in CI."""
from __future__ import annotations

import io
import os
import re
import string

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

from conftest import REPO, SEED_PAGES, rule_toml, run_cli

from cleaner.errors import UsageError
from cleaner.options import Options
from cleaner.pipeline import check_engine, clean_binary, compiled_rules, default_rules
from cleaner.rules import prescreen
from cleaner.rules.prescreen import Prescreen, Unsupported, image_superset, screen_image
from cleaner.stages.apply_rules import KEPT, _Applier, line_core

hyperscan = pytest.importorskip("hyperscan", reason="the fast engine's tests need the test extras (hyperscan)")


def _hs_matches(expression: str, text: str | bytes) -> bool:
    """Whether Hyperscan finds the expression in a line's image (or in these bytes)."""
    db = hyperscan.Database()
    db.compile(expressions=[expression.encode()], ids=[0], elements=1,
               flags=[hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_ALLOWEMPTY])
    hits = []
    db.scan(text if isinstance(text, bytes) else screen_image(text), match_event_handler=lambda *a: hits.append(a))
    return bool(hits)


# (pattern, case_sensitive, lines Python's `re` fullmatches): where the two dialects differ, and
# where a line's image (a non-ASCII character as '?') must still be matched
DIALECT_CASES = [
    ("Mu[ſ]t", False, ["must", "MUST"]),  # long s folds to s (Python), not in Hyperscan's ASCII caseless
    ("\u212aeep", False, ["keep", "Keep"]),  # the Kelvin sign folds to k
    ("\u0130yi haber", False, ["iyi haber", "Iyi haber"]),  # Turkish dotted capital I folds to i
    ("x{,3}y", True, ["y", "xxxy"]),  # {,n} is {0,n} in Python, a literal in PCRE
    ("a\\s+b", True, ["a\x1fb", "a\x1c\x1db"]),  # Python's \s holds the information separators
    ("(?<=\\d)px", True, []),  # a look-behind at the start: fullmatch never matches, search may
    ("(\\w+) and \\1", True, ["this and this"]),  # a back-reference
    ("(?>ab|a)c", True, ["abc"]),  # an atomic group
    ("a++b", True, ["aab"]),  # a possessive repeat
    ("(a)?(?(1)b|c)", True, ["ab", "c"]),  # a conditional
    ("Read more\\Z", True, ["Read more"]),
    ("(?i:share) this", True, ["SHARE this"]),  # a caseless group in a case-sensitive rule
    ("(?-i:NEWS) today", False, ["NEWS TODAY", "NEWS today"]),  # and the other way round
    ("[^\\W\\d_]{2,200}!", False, ["ab!", "x" * 150 + "!"]),  # long bounded repeats relaxed
    ("\\bAd\\b|Ads", True, ["Ad", "Ads"]),
    ("caf\u00e9?", False, ["caf", "CAF"]),  # an optional non-ASCII letter
    ("[\u0100-\u024f]nd", False, ["snd", "Snd", "\u0101nd"]),  # a range holding the long s (U+017F) holds 's' ignoring case
    ("caf\u00e9", False, ["caf\u00e9", "CAF\u00c9"]),  # a non-ASCII letter, in either case
    ("keep", False, ["\u212aeep", "\u212aEEP"]),  # an ASCII letter that a non-ASCII one folds to
    ("is", False, ["\u0130\u017f", "\u0131s"]),  # Turkish dotted and dotless i, the long s
    ("don[’']t", True, ["don’t", "don't"]),  # typographic punctuation
    ("\\w+ news", True, ["\u00dcber news", "\u4e2d\u6587 news", "\u00e0 news"]),  # any letter
    ("\\W+", True, ["\u2014", "\u00a0\u2028", "\U0001f600"]),  # dashes, spaces, separators, emoji
    ("(?i:\u00fc)ber (?-i:\u00dc)", False, ["\u00dcber \u00dc"]),
    ("\\S+ \\d+", True, ["\u00e9t\u00e9 \u0664\u0662"]),  # Arabic-Indic digits are \\d
]


@pytest.mark.parametrize("pattern, case_sensitive, lines", DIALECT_CASES)
def test_rewrite_matches_at_least_what_python_matches(pattern, case_sensitive, lines):
    flags = 0 if case_sensitive else re.IGNORECASE
    expression = "^(?:" + image_superset(pattern, case_sensitive) + ")$"
    for line in lines:
        assert re.fullmatch(pattern, line, flags), (pattern, line)  # the case itself is right
        assert _hs_matches(expression, line), (pattern, line, expression)
    # the rewrite is not "anything": a line unlike the pattern is screened out
    assert not _hs_matches(expression, "The council met on Tuesday.")


# the characters with a byte of their own in an image: Windows-1252's, and the four outside it
# that re folds to an ASCII letter (found here by asking re, as the module doc says)
_CP1252 = [bytes((b,)).decode("cp1252") for b in range(256) if b not in (10, 0x81, 0x8d, 0x8f, 0x90, 0x9d)]
_FOLDED = [c for c in map(chr, range(128, 0x110000))
           if c not in _CP1252 and re.fullmatch("[\\x00-\\x7f]", c, re.IGNORECASE)]
_IMAGE_CHARS = _CP1252 + _FOLDED
_OTHERS = "\u2028\u0664\u0436\u03a3\u4e2d\u0301\U0001f600\ufeff\ud800"  # with no byte: '?'
# classes that match no character without a byte, either way of case ('[a-z]': 'ſ' has one)
_NO_OTHERS = ("[0-9]", "[a-z]", "(?a:\\w)", "(?a:\\d)", ":", "\u00e9", "[\u2018\u2019']", "\u00a9", "\u20ac")
_CLASSES = ("\\w", "\\W", "\\s", "\\S", "\\d", ".", "[^a-z]", "[A-Z\u00c0-\u00d6]", "[\u017f]", "\\u212a", "[0-9]", "[a-z]",
            "(?a:\\w)", "(?a:\\d)", ":", "\u00e9", "[\u2018\u2019']", "\u00a9", "\u20ac")


@pytest.mark.parametrize("cls", _CLASSES)
def test_rewrite_of_a_class_takes_the_exact_bytes_python_matches(cls):
    # a single-character element becomes the exact set of image bytes whose characters Python
    # matches, flags included, and takes '?' when Python matches a character with no byte
    for case_sensitive in (True, False):
        flags = 0 if case_sensitive else re.IGNORECASE
        expression = "^(?:" + image_superset(cls, case_sensitive) + ")$"
        python = {screen_image(c) for c in _IMAGE_CHARS if re.fullmatch(cls, c, flags)}
        screened = {bytes((b,)) for b in range(256) if b != 10 and _hs_matches(expression, bytes((b,)))}
        others = [c for c in _OTHERS if re.fullmatch(cls, c, flags)]
        assert screened - {b"?"} == python - {b"?"}, (cls, case_sensitive)
        assert all(_hs_matches(expression, c) for c in others), (cls, case_sensitive)
        if cls in _NO_OTHERS:
            assert b"?" not in screened, (cls, case_sensitive)  # '?' is not let in everywhere


def test_the_image_keeps_windows_1252_characters_apart_and_others_as_one_byte():
    assert sorted(_FOLDED) == ["\u0130", "\u0131", "\u017f", "\u212a"]  # what prescreen.py maps to their letters
    assert screen_image("\u0130stanbul \u0131\u017f \u212a \u00e9") == "istanbul is k \u00e9".encode("cp1252")
    assert screen_image("\u201cCaf\u00e9\u201d \u00a9 \u20ac5") == "\u201cCaf\u00e9\u201d \u00a9 \u20ac5".encode("cp1252")
    assert screen_image("\u0436\u4e2d\U0001f600 \u0081") == b"??? ?"  # one byte a character
    assert not _hs_matches("^(?:" + image_superset("\u00a9.*", True) + ")$", "\u201cQuoted\u201d")  # '©' is not '“'
    assert _hs_matches("^(?:" + image_superset("s", False) + ")$", "\u017f")  # the long s has no byte: '?'
    assert not _hs_matches("^(?:" + image_superset("[0-9]+", True) + ")$", "\u0664\u0662")  # ranges are code points


def test_patterns_only_regex_reads_are_screened_as_matching_everything():
    with pytest.raises(Unsupported):
        image_superset("\\p{Lu}\\w+", True)  # `regex` syntax `re` reads otherwise
    for anchored, spans in (([("\\p{Lu}\\w+", True), ("Advertisement", False)], []), ([], [("\\p{Lu}\\w+", True)])):
        screen = Prescreen(anchored, spans)
        for line in ("Hello", "hello there, world", "Advertisement"):
            assert not screen.clear(line, line)
    assert Prescreen([("Advertisement", False)], []).clear("Hello", "Hello")  # (a rewritable one does clear)


# --- the screen of all built-in rules ---------------------------------------------------------


def _facts(compiled, line: str):
    applier = _Applier(compiled, None)
    with compiled.watchdog:
        return applier._facts(1, line)


@pytest.fixture(scope="module")
def built_in():
    """The built-in rules with every site pack on, on both engines."""
    rules = default_rules()
    sites = frozenset(s for r in rules.rules for s in r.sites)
    return (compiled_rules(rules, sites, Options(heuristics=False)),
            compiled_rules(rules, sites, Options(heuristics=False, engine="fast")))


def _example_lines() -> list[str]:
    lines = []
    for r in default_rules().rules:
        for text in (*r.removes, *r.keeps):
            lines += text.split("\n")
        for case in r.cases:
            lines += case.input.split("\n")
    return [ln for ln in dict.fromkeys(lines) if ln.strip()]


EXAMPLES = _example_lines()


def test_the_screen_never_clears_a_rule_example_a_rule_touches(built_in):
    default, fast = built_in
    touched = cleared = cleared_other = 0
    for line in EXAMPLES:
        facts = _facts(default, line)
        untouched = facts == (KEPT, line, line_core(line), line_core(line), None, (), (), None)
        if not untouched:
            touched += 1
            assert not fast.prescreen.clear(line, line_core(line)), (line, facts[4])
        elif fast.prescreen.clear(line, line_core(line)):
            cleared += 1
            cleared_other += not line.isascii()
    # both kinds are really there, and lines in other scripts and accented ones are screened too
    assert touched > 300 and cleared > 50 and cleared_other > 10


def test_accented_and_typographic_lines_no_rule_touches_are_cleared(built_in):
    # their characters have bytes of their own in the image (Windows-1252); a line in another
    # script is mostly '?' there, and often not cleared: it takes the default path
    default, fast = built_in
    prose = ["Die Bundesregierung hat am Mittwoch beschlossen, die Förderung zu verlängern.",
             "Le président a annoncé jeudi une réforme des retraites très contestée.",
             "“We’re not done yet,” she said — and the crowd cheered at Café Müller.",
             "El Gobierno aprobó el martes una subida del 3,5 % de las pensiones… según fuentes oficiales."]
    for line in prose:
        assert _facts(default, line) == (KEPT, line, line, line, None, (), (), None)
        assert fast.prescreen.clear(line, line), line
    for furniture in ("Über uns", "© 2024 Müller Verlag", "Política de privacidad", "Читайте также"):
        assert _facts(default, furniture) != (KEPT, furniture, furniture, furniture, None, (), (), None)
        assert not fast.prescreen.clear(furniture, furniture), furniture


_NOISE = string.ascii_letters + string.digits + " .,:;!?'\"()[]|/-_&@#%*+=<>\t\x1f\u00e9\u00c9\u00df\u2019\u201c\u2014\u00a0\u00a9" + _OTHERS


_MARKS = ["", "* ", "- ", "+\t", "> ", "12. ", "3) ", "1234. ", "  ", "\t", " \x1f", "*  "]  # what line_core strips


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(EXAMPLES), st.lists(st.tuples(st.integers(0, 400), st.sampled_from(["upper", "lower", "insert", "delete", "cut"]),
                                               st.text(_NOISE, max_size=4)), max_size=4),
       st.sampled_from(_MARKS), st.sampled_from(["", " ", "\t ", "\x1c"]))
def test_lines_near_rule_examples_give_the_same_facts_on_both_engines(built_in, example, edits, mark, trail):
    default, fast = built_in
    line = mark + example + trail
    for at, how, text in edits:
        at %= len(line) + 1
        if how == "upper":
            line = line[:at] + line[at:].upper()
        elif how == "lower":
            line = line[:at] + line[at:].lower()
        elif how == "insert":
            line = line[:at] + text + line[at:]
        elif how == "delete":
            line = line[:at] + line[at + len(text):]
        else:
            line = line[:at]
    if not line:
        return
    core = line_core(line)
    if core and fast.prescreen.clear(line, core):
        assert _facts(default, line) == (KEPT, line, core, core, None, (), (), None), line


def test_every_site_and_language_is_screened_by_one_database_that_answers_for_its_own_rules(built_in):
    # the database is built for all loaded rules; a page's active rules take a view of it, so
    # a site pack or a language choice costs no new build (seconds each)
    rules = default_rules()
    default = compiled_rules(rules, frozenset(), Options(heuristics=False))
    no_site, dw, english = (compiled_rules(rules, sites, Options(heuristics=False, engine="fast", languages=languages)).prescreen
                            for sites, languages in ((frozenset(), ()), (frozenset({"dw.com"}), ()), (frozenset(), ("en",))))
    assert no_site._anchored is dw._anchored is english._anchored is built_in[1].prescreen._anchored
    site_line = "ConflictsUkraine"  # only the dw.com site pack removes it
    assert _facts(default, site_line)[0] == KEPT
    assert no_site.clear(site_line, site_line)  # its pattern is in the database, but not active here
    assert not dw.clear(site_line, site_line) and not built_in[1].prescreen.clear(site_line, site_line)
    german = "Zum Inhalt springen"  # a skip link the rules for other languages than English remove
    assert _facts(default, german)[0] != KEPT and not no_site.clear(german, german)
    assert english.clear(german, german)
    screen = Prescreen([("Advertisement", False), ("Cookie settings", False)], [("Sponsored", False)])
    assert not screen.clear("Cookie settings", "Cookie settings")
    view = screen.only([("Advertisement", False)], [])
    assert view.clear("Cookie settings", "Cookie settings") and view.clear("Sponsored", "Sponsored")
    assert not view.clear("Advertisement", "Advertisement")
    assert not screen.clear("Cookie settings", "Cookie settings")  # the view changed nothing in the screen


# --- whole pages ---------------------------------------------------------------------------------


def _clean(data: bytes, options: Options) -> tuple[bytes, list]:
    removed, out = [], io.BytesIO()
    clean_binary(io.BytesIO(data), out, default_rules(), options, on_removal=removed.append)
    return out.getvalue(), removed


PAGES = [*SEED_PAGES, *sorted((REPO / "fixtures" / "golden").glob("*.txt")), *sorted((REPO / "fixtures" / "heuristics").glob("*.txt"))]


@pytest.mark.parametrize("heuristics", [True, False])
def test_pages_clean_the_same_on_both_engines(heuristics):
    pages = [p.read_bytes() for p in PAGES]
    pages.append("\n\n".join(EXAMPLES).encode())  # every rule example, as one page
    assert len(pages) >= 5
    for data in pages:
        default = _clean(data, Options(heuristics=heuristics))
        fast = _clean(data, Options(heuristics=heuristics, engine="fast"))
        assert fast == default


def test_cli_engine_fast_same_bytes_and_bad_engine_named(tmp_path):
    page = SEED_PAGES[0]
    code, default, _ = run_cli(page)
    code_fast, fast, err = run_cli("--engine", "fast", page)
    assert (code, code_fast) == (0, 0) and fast == default and err == ""
    code, out, err = run_cli("--engine", "turbo", page)
    assert code == 2 and out == b"" and "--engine turbo" in err and "default or fast" in err


def test_engine_fast_without_hyperscan_names_the_install(monkeypatch):
    monkeypatch.setattr(prescreen, "available", lambda: False)
    with pytest.raises(UsageError, match=re.escape("pip install 'scrapeclean[fast]'")):
        check_engine("fast")


def test_an_expression_hyperscan_refuses_is_screened_as_matching_every_line(monkeypatch):
    compile_ = Prescreen._compile
    refused = image_superset("Cookie settings", False).encode()

    def refusing(self, expressions, flags):
        if any(refused in e for e in expressions):
            raise hyperscan.error("refused")
        return compile_(self, expressions, flags)

    monkeypatch.setattr(Prescreen, "_compile", refusing)
    monkeypatch.setenv("SCRAPECLEAN_NO_CACHE", "1")  # built here, not loaded from an earlier run
    for screen in (Prescreen([("Advertisement", False), ("Cookie settings", False)], []),
                   Prescreen([("Advertisement", False)], [("Cookie settings", False)])):
        assert not screen.clear("Hello", "Hello")


def test_batch_on_the_fast_engine_writes_the_same_tree_and_counts_default_outputs_as_up_to_date(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for page in PAGES:
        (src / page.name).write_bytes(page.read_bytes())
    assert run_cli("batch", src, "--out", tmp_path / "a", "-q")[0] == 0
    assert run_cli("batch", src, "--out", tmp_path / "b", "-q", "--engine", "fast")[0] == 0
    for page in PAGES:
        assert (tmp_path / "b" / page.name).read_bytes() == (tmp_path / "a" / page.name).read_bytes()
    # the engine does not change outputs, so it is not part of what makes one out of date
    code, _, err = run_cli("batch", src, "--out", tmp_path / "a", "--engine", "fast")
    assert code == 0 and f"{len(PAGES)} up to date" in err


def test_a_batch_on_two_workers_builds_the_screen_once_before_they_start(tmp_path, monkeypatch):
    # building the screen's database takes seconds: the parent does it once and the forked
    # workers inherit it, instead of each worker building it at its first page
    import cleaner.batch as batch

    made = tmp_path / "screens-made"
    real = Prescreen.__init__

    def noting(self, anchored, spans):
        with open(made, "a") as f:
            f.write(f"{os.getpid()}\n")
        real(self, anchored, spans)

    monkeypatch.setattr(Prescreen, "__init__", noting)
    rules = tmp_path / "rules.toml"
    rules.write_text(rule_toml("t.ad", "drop-line", patterns=["Advertisement"], removes=["Advertisement"]), encoding="utf-8")
    src = tmp_path / "src"
    src.mkdir()
    for i in range(8):
        (src / f"p{i}.txt").write_text(f"Page {i} says something.\nAdvertisement\nThe end of page {i}.\n", encoding="utf-8")
    request = batch.BatchRequest(sources=(str(src),), out=str(tmp_path / "out"), jobs=2, quiet=True, rule_paths=(str(rules),),
                                 no_builtin=True, options=Options(engine="fast"))
    assert batch.run_batch(request, print, None) == 0
    assert made.read_text().split() == [str(os.getpid())]  # once, in this (the parent) process
    assert (tmp_path / "out" / "p3.txt").read_text(encoding="utf-8") == "Page 3 says something.\nThe end of page 3.\n"


def test_screens_made_at_the_same_time_on_a_cold_cache_build_the_database_once(tmp_path, monkeypatch):
    # processes started together (xargs -P, batch workers) must not each spend seconds on the
    # same build: the first builds under a lock, the others wait for it and load its result
    import threading
    import time

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("SCRAPECLEAN_NO_CACHE", raising=False)
    builds = []
    real = Prescreen._build

    def slow_build(self, patterns, anchored):
        builds.append(anchored)
        time.sleep(0.5)  # (a real build of the built-in rules takes seconds)
        return real(self, patterns, anchored)

    monkeypatch.setattr(Prescreen, "_build", slow_build)
    patterns = [("Cold cache test \\d+", False)]
    screens = []
    threads = [threading.Thread(target=lambda: screens.append(Prescreen(patterns, []))) for _ in range(3)]
    for t in threads:
        t.start()
        time.sleep(0.1)
    for t in threads:
        t.join()
    assert builds == [True]  # one build; the two others loaded it from the cache
    assert len(screens) == 3 and all(not s.clear("Cold cache test 42", "Cold cache test 42") for s in screens)
    assert all(s.clear("Warm", "Warm") for s in screens)
