"""Golden files: each raw page in fixtures/ has a reviewed expected clean text.

fixtures/golden/<name>.expected.txt is the clean text of fixtures/seeds/<name>.txt (or of
fixtures/golden/<name>.input.txt for our own pages), reviewed line by line by a person when it
changes. Each is also re-checked for idempotence: cleaning clean text changes nothing."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from cleaner import load_rules
from conftest import clean_binary, clean_text  # rules only: the heuristic stage has goldens of its own

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
GOLDEN = FIXTURES / "golden"
RULES = load_rules()


def _cases():
    for expected in sorted(GOLDEN.glob("*.expected.txt")):
        name = expected.name[: -len(".expected.txt")]
        raw = GOLDEN / f"{name}.input.txt"
        if not raw.exists():
            raw = FIXTURES / "seeds" / f"{name}.txt"
        yield pytest.param(raw, expected, id=name)


CASES = list(_cases())


def test_there_are_golden_files_for_both_seed_pages():
    names = {c.id for c in CASES}
    assert {p.stem for p in (FIXTURES / "seeds").glob("*.txt")} <= names


@pytest.mark.parametrize("raw, expected", CASES)
def test_golden(raw: Path, expected: Path):
    want = expected.read_text(encoding="utf-8")
    out = io.BytesIO()
    with raw.open("rb") as src:
        clean_binary(src, out, RULES, name=str(raw))
    assert out.getvalue().decode("utf-8") == want


@pytest.mark.parametrize("raw, expected", CASES)
def test_golden_is_idempotent(raw: Path, expected: Path):
    text = expected.read_text(encoding="utf-8")
    assert clean_text(text, RULES) == text


SEED_FURNITURE = [
    "Skip to content", "Skip to main menu", "Skip to more DW sites", "ConflictsUkraine",
    "Image: YVES HERMAN/REUTERS", "00:36", "02:33", "This browser does not support the video element",
    "jsi/rs (Reuters, dpa, AFP)", "Skip next section", "DW's Top Story", "More stories from DW",
    "| News | DW |", "Visit the new DW website", "Take a look at the beta version", "Go to the new dw.com",
    "We use cookies", "More info OK", "Inhalt", "Metanavigation", "Weitere Inhalte", "Suche",
    "Choose from 30 Languages", "Advertisement", "Click here to watch live",
    "NATO Secretary General Jens Stoltenberg gives a news conference ahead",  # the image's alt text
    "'We will step up our support for Ukraine'", "Zelenskyy: Repair work already underway",  # video titles
]


@pytest.mark.parametrize("seed", sorted((FIXTURES / "seeds").glob("*.txt")), ids=lambda p: p.stem)
def test_seed_furniture_is_gone(seed: Path):
    out = clean_text(seed.read_text(encoding="utf-8"), RULES)
    left = [f for f in SEED_FURNITURE if f in out]
    assert not left


@pytest.mark.parametrize("seed", sorted((FIXTURES / "seeds").glob("*.txt")), ids=lambda p: p.stem)
def test_seed_article_paragraphs_survive_word_for_word(seed: Path):
    """Every line of 60+ characters that is not furniture (all of them prose here) and every
    subheading comes through unchanged, apart from the documented space normalisation."""
    raw = seed.read_text(encoding="utf-8").replace("\u00a0", " ")
    out = clean_text(raw, RULES).splitlines()
    furniture = ("We use cookies", "Take a look at the beta", "NATO chief Jens Stoltenberg said the military alliance",
                 " NATO Secretary General Jens Stoltenberg gives", " date 2017")
    prose = [line.rstrip() for line in raw.splitlines() if len(line) >= 60 and not line.startswith(furniture)]
    assert prose
    for line in prose:
        assert line in out
    for heading in ("NATO nuclear response exercise to go ahead", "NATO 'doubles' Baltic and North Sea presence",
                    "'Russia is actually losing on the battlefield,' says Stoltenberg"):
        if heading in raw:
            assert heading in out
