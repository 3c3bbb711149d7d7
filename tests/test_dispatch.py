"""The matcher only tries a pattern on lines its analysis says it can start (rules/analysis.py).
That shortcut must never hide a match: for every pattern shape below, the engine drops exactly
the lines the pattern itself fully matches. A wrong set of first characters would make a rule
silently never fire on some of its own lines."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import dropped_lines, fullmatched_lines

# Shapes that have gone wrong or easily could: optional parts at the start of a branch, nested
# alternations, repeats that may match nothing, classes, anchors.
SHAPES = [
    r"zz|(?:ab )*c\w+",
    r"zz|(?:ab )*cd",
    r"(?:x)?y\w*|q\w",
    r"(?:a|(?:b )?c)d+",
    r"(?:zz|(?:ab )?)c\w",
    r"(?:Please )?subscribe(?: now)?|Follow (?:us )?on \w+",
    r"\d+ (?:min|minutes?) read|(?:Read|Reading) time:? \d+",
    r"(?:[«»\"] ?)?Top (?:story|stories)",
    r"^(?:Share|Teilen)(?: this)?$",
]
LINES = ["cat", "cd", "ab cd", "ab ab cd", "zz", "y", "yes", "xyz", "qa", "ad", "b cd", "cdd",
         "zzc1", "ab c1", "cx", "subscribe", "Please subscribe now", "Follow on Twitter",
         "Follow us on Mastodon", "5 min read", "Reading time 3", "» Top stories", "Top story",
         "Share", "Teilen this", "a quiet line of prose that no rule should touch."]


@pytest.mark.parametrize("pattern", SHAPES)
def test_the_engine_drops_exactly_the_lines_the_pattern_matches(pattern):
    expected = fullmatched_lines(pattern, LINES)
    assert dropped_lines(pattern, LINES) == expected


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="abcdz q1", min_size=1, max_size=6).map(str.strip).filter(bool),
                min_size=1, max_size=12, unique=True))
def test_no_line_a_pattern_matches_is_missed(lines):
    for pattern in SHAPES[:5]:
        expected = fullmatched_lines(pattern, lines)
        assert dropped_lines(pattern, lines) == expected


def test_a_line_starts_where_re_says_it_does_ignoring_case():
    # re matches the dotless 'ı' to 'I' and 'i' ignoring case (and 'ſ' to 's'): the keys a
    # pattern is dispatched by must list every such character, by prefix and by first character
    shapes = [r"Iyi haber(?:ler)?", r"I\w+ geldi", r"Son dakika"]
    lines = ["ıyi haber", "IYI HABERLER", "iyi haber", "ılık geldi", "Işık geldi", "ſon dakika", "SON DAKİKA",
             "uyı haber"]
    for pattern in shapes:
        expected = fullmatched_lines(pattern, lines)
        assert expected and dropped_lines(pattern, lines) == expected, pattern
