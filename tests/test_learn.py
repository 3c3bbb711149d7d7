"""`scrapeclean learn`: the furniture a site repeats becomes an ordinary rule file.

Sites are built here, in tmp_path (never from ../shared): pages with a menu, a byline with a
comment counter, a unique article, a footer marker followed by teasers that differ from page to
page, and a legal footer. What must hold: the furniture is learned and removed, every article
line stays, text that recurs because it is syndicated is never learned, counters are one rule,
the file loads and passes its own examples, two sites in one folder are told apart, bad input
gets one-line errors and exit codes, and memory does not grow with the number of pages.
"""
from __future__ import annotations

import random
import tomllib
import tracemalloc
from pathlib import Path

import pytest
import regex

from cleaner.errors import InputError, UsageError
from cleaner.learn import LearnOptions, learn, learn_rules, run_learn
from cleaner.learning.counting import LossyCounter
from cleaner.learning.keys import line_key, pattern_for
from cleaner.learning.pages import find_sources
from cleaner.options import Options
from cleaner.pipeline import clean_text
from cleaner.rules.load import load_rules
from cleaner.ruletest import check_rules

from conftest import assert_no_traceback, run_cli, run_cli_many

NOUNS = """minister council budget river harbour school hospital railway court museum festival
factory union mayor farmer teacher bridge library market station report election treaty
vaccine border company tunnel airport theatre garden village""".split()
VERBS = """approved delayed criticised welcomed rejected funded reviewed announced opened closed
defended questioned expanded postponed""".split()
PLACES = """Lisbon Oslo Quito Hanoi Lagos Perth Turin Krakow Leeds Porto Bergen Ghent Split Cork
Graz Malmo Tartu Aarhus Lyon Basel""".split()
SYNDICATED = (
    "The agency said on Monday that the new rules would apply to every member state from the "
    "start of next year, and that the costs of the change would be shared between the regions."
)
SYNDICATED_STORY = [
    "Wire report",
    "Officials in the capital said the talks had been going on for several weeks and that a "
    "deal was expected before the summer, although several of the details were still open.",
    "What comes next",
    "The agreement still has to be approved by the parliament, where the government does not "
    "have a majority of its own and will need the support of at least one of the smaller parties.",
]


def sentence(rng: random.Random) -> str:
    n1, n2, n3 = rng.sample(NOUNS, 3)
    return (f"The {n1} in {rng.choice(PLACES)} {rng.choice(VERBS)} the plan for the {n2} on "
            f"{rng.choice(['Monday', 'Tuesday', 'Friday'])}, and the {n3} said it was {rng.randint(2, 99)} "
            f"percent of what had been asked for in the first place.")


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(2, 3)))


def headline(rng: random.Random, i: int) -> str:
    return f"{rng.choice(PLACES)} {rng.choice(NOUNS)} {rng.choice(VERBS)} in story number {i}"


MENUS = {
    "Harbour Gazette": (["World news", "Business desk", "Culture and arts", "Weather forecast", "Podcasts and radio"],
                        ["Privacy policy and cookie settings", "Terms of use for readers"]),
    "Valley Courier": (["Local politics", "Farming and land", "Schools and colleges", "Valley sport", "Letters to the editor"],
                       ["Our privacy notice", "Subscribe to the print edition"]),
}


def site_page(site: str, i: int, headlines: list[str], rng: random.Random,
              syndicated: bool = False, story: bool = False, inline: bool = False) -> tuple[str, list[str]]:
    """-> (page text, the article's lines). `inline`: one paragraph names the site's second
    menu item in a link that the dump put on a line of its own."""
    menu, legal = MENUS[site]
    article = [headlines[i]]
    body = [paragraph(rng) for _ in range(rng.randint(4, 6))]
    if syndicated:
        body.insert(len(body) // 2, SYNDICATED)
    if story:
        body[2:2] = SYNDICATED_STORY
    if inline:
        body[1:1] = ["Readers can send their questions to the", menu[1], "of the paper, which answers them on Sundays."]
    article += body
    teasers = [headlines[(i + k) % len(headlines)] for k in (1, 2, 3)]
    lines = [
        f"{headlines[i]} | {site}",
        "",
        f"  * {site} home",
        *(f"  * {item}" for item in menu),
        "  * Facebook",
        "  * Twitter",
        "",
        f"Search the {site} archive",
        "",
        headlines[i],
        f"By the {site} newsroom, {rng.randint(1, 28)} March 20{rng.randint(10, 23)}",
        f"{rng.randint(2, 300)} shares",
        "",
        *sum(([p] if p in (menu[1], "Readers can send their questions to the") else [p, ""] for p in body), []),
        f"Filed under: {', '.join(rng.sample(NOUNS, 3))}",
        f"More from {site}",
        *sum(([t, paragraph(rng)[:120] + "...", ""] for t in teasers), []),
        f"© 20{rng.randint(10, 23)} {site} Media Group",
        *legal,
        f"Contact the {site} newsroom",
    ]
    return "\n".join(lines) + "\n", article


def make_site(folder: Path, site: str, n: int, seed: int, prefix: str = "", **kinds) -> dict[Path, list[str]]:
    """Write n pages; -> path -> the page's article lines. `kinds`: syndicated=every k-th page
    has the syndicated paragraph, story=every k-th page has the syndicated story."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    headlines = [headline(rng, i) for i in range(n)]
    out = {}
    for i in range(n):
        flags = {kind: i % every == 0 for kind, every in kinds.items()}
        text, article = site_page(site, i, headlines, rng, **flags)
        path = folder / f"{prefix}page{i:03d}.txt"
        path.write_text(text, encoding="utf-8")
        out[path] = article
    return out


def learned(tmp_path: Path, srcs, **options) -> tuple[Path, str]:
    out = tmp_path / "learned.toml"
    status = run_learn([str(s) for s in srcs], str(out), LearnOptions(**options), pytest.fail, None)
    assert status == 0
    return out, out.read_text(encoding="utf-8")


def cleaned(path: Path, rules) -> str:
    return clean_text(path.read_text(encoding="utf-8"), rules, Options(heuristics=False))


def patterns_of(text: str) -> list[str]:
    return [p for rule in tomllib.loads(text).get("rule", []) for p in rule.get("patterns", [])]


def matches_any(text: str, line: str) -> bool:
    return any(regex.fullmatch(p, line.strip(), regex.IGNORECASE | regex.V0) for p in patterns_of(text))


# --- what is learned --------------------------------------------------------------------------

def test_menus_and_footers_are_learned_and_removed_and_the_article_stays(tmp_path):
    pages = make_site(tmp_path / "site", "Harbour Gazette", 20, seed=1)
    rules_path, text = learned(tmp_path, [tmp_path / "site"])
    rules = load_rules([rules_path])
    for path, article in pages.items():
        out = cleaned(path, rules)
        for furniture in ("World news", "Business desk", "Search the Harbour Gazette archive",
                          "Privacy policy and cookie settings", "More from Harbour Gazette"):
            assert furniture not in out
        for line in article:
            assert line in out, f"{path.name}: article line lost: {line[:60]}"
    # the teasers below the footer marker differ from page to page: the cut-after rule takes them
    assert "action = 'cut-after'" in text
    assert "pages" in text and "why = " in text


def test_counters_and_dates_are_masked_into_one_pattern(tmp_path):
    make_site(tmp_path / "site", "Harbour Gazette", 12, seed=2)
    _, text = learned(tmp_path, [tmp_path / "site"])
    counters = [p for p in patterns_of(text) if regex.fullmatch(p, "12 shares", regex.I) and regex.fullmatch(p, "1 share", regex.I)]
    assert len(counters) == 1
    assert regex.fullmatch(counters[0], "307 Shares", regex.I)
    assert not regex.fullmatch(counters[0], "shares", regex.I)
    dates = [p for p in patterns_of(text) if regex.fullmatch(p, "By the Harbour Gazette newsroom, 3 March 2019", regex.I)]
    assert len(dates) == 1


def test_masking_keeps_words_and_near_duplicates_meet():
    assert line_key("12 comments").tokens == line_key("3 Comments").tokens == line_key("1 comment").tokens
    assert line_key("More…").tokens == line_key("More ...").tokens
    assert line_key("Updated 3 hours ago").tokens == line_key("Updated 2 days ago").tokens
    assert line_key("May I help you") != line_key("June I help you")  # month names only next to numbers
    assert line_key("2013") is None and line_key("* , *") is None  # no letters: never a rule
    pattern = pattern_for(line_key("17 February 2013, 22:15").tokens, ["17 February 2013, 22:15"])
    assert regex.fullmatch(pattern, "3 march 2012, 09:05", regex.I)


def test_a_syndicated_paragraph_recurring_on_many_pages_is_not_learned(tmp_path):
    # on half the pages, in the middle of the article: recurs far more than the threshold
    pages = make_site(tmp_path / "site", "Harbour Gazette", 20, seed=3, syndicated=2)
    rules_path, text = learned(tmp_path, [tmp_path / "site"])
    assert SYNDICATED.split(",")[0] not in text  # not in a pattern, not even as an example
    rules = load_rules([rules_path])
    with_it = [p for p in pages if SYNDICATED in pages[p]]
    assert len(with_it) == 10
    for path in with_it:
        assert SYNDICATED in cleaned(path, rules)


def test_a_syndicated_story_with_short_lines_is_not_learned(tmp_path):
    # a whole story (subheadings, paragraphs) repeated in the middle of every third page: its
    # short lines recur too, but stand between recurring paragraphs
    pages = make_site(tmp_path / "site", "Harbour Gazette", 18, seed=4, story=3)
    rules_path, text = learned(tmp_path, [tmp_path / "site"])
    for line in SYNDICATED_STORY:
        assert not matches_any(text, line), line
    rules = load_rules([rules_path])
    for path, article in pages.items():
        out = cleaned(path, rules)
        assert all(line in out for line in article)


SIDEBAR = ("Our readers' panel meets every month to tell the editors which of the stories they "
           "read were worth their time, and which were not.")


def test_a_recurring_paragraph_beside_every_article_is_learned(tmp_path):
    # a sidebar blurb, a full sentence of prose, on 9 pages in 10, always beside the article
    pages = make_site(tmp_path / "site", "Harbour Gazette", 20, seed=21)
    for n, path in enumerate(pages):
        if n % 10:
            text = path.read_text(encoding="utf-8").replace("\n\nSearch the", f"\n\n{SIDEBAR}\n\nSearch the", 1)
            path.write_text(text, encoding="utf-8")
    rules_path, text = learned(tmp_path, [tmp_path / "site"])
    assert matches_any(text, SIDEBAR)
    rules = load_rules([rules_path])
    for path, article in pages.items():
        out = cleaned(path, rules)
        assert SIDEBAR not in out and all(line in out for line in article)


def test_an_article_copied_onto_several_pages_is_not_learned(tmp_path):
    # the same article at four addresses (print view, syndication): its paragraphs recur on
    # 4 of 12 pages, above the threshold, but are the article on every one of them
    pages = make_site(tmp_path / "site", "Harbour Gazette", 12, seed=22)
    first, *others = list(pages)
    for copy in others[:3]:
        copy.write_text(first.read_text(encoding="utf-8"), encoding="utf-8")
    rules_path, text = learned(tmp_path, [tmp_path / "site"])
    for line in pages[first]:
        assert not matches_any(text, line), line
    out = cleaned(others[0], load_rules([rules_path]))
    assert all(line in out for line in pages[first])


def test_a_menu_line_that_is_also_a_link_in_an_article_is_learned_in_context(tmp_path):
    # "Business desk" is a menu item on every page, and, on two pages, a link inside a sentence
    pages = make_site(tmp_path / "site", "Harbour Gazette", 20, seed=15, inline=10)
    rules_path, text = learned(tmp_path, [tmp_path / "site"])
    assert not matches_any(text, "Business desk")  # not a drop-line of its own
    data = tomllib.loads(text)
    blocks = [r for r in data["rule"] if r["action"] == "drop-block"]
    assert len(blocks) == 1 and "Business desk" in blocks[0]["block"]
    assert {"World news", "Culture and arts"} & set(blocks[0]["block"])  # with its menu neighbour
    rules = load_rules([rules_path])
    for path, article in pages.items():
        out = cleaned(path, rules)
        assert all(line in out for line in article)
        assert "\nBusiness desk\n" not in out.split("Readers can send")[0]  # gone from the menu


def test_a_label_with_varying_text_after_it_is_one_rule(tmp_path):
    pages = make_site(tmp_path / "site", "Harbour Gazette", 12, seed=16)
    rules_path, text = learned(tmp_path, [tmp_path / "site"])
    labels = [p for p in patterns_of(text) if p.startswith("Filed under:")]
    assert labels == [r"Filed under:\s*\S.*"]
    rules = load_rules([rules_path])
    for path in pages:
        assert "Filed under" not in cleaned(path, rules)


def test_headline_of_a_page_that_others_link_to_is_kept_there(tmp_path):
    # every page's teasers name three other pages' headlines: each headline recurs on 4 pages
    pages = make_site(tmp_path / "site", "Harbour Gazette", 10, seed=5)
    rules_path, text = learned(tmp_path, [tmp_path / "site"], min_share=0.2)
    rules = load_rules([rules_path])
    for path, article in pages.items():
        assert article[0] in cleaned(path, rules)


def test_rule_file_loads_and_passes_its_examples(tmp_path):
    make_site(tmp_path / "site", "Harbour Gazette", 15, seed=6)
    rules_path, text = learned(tmp_path, [tmp_path / "site"])
    data = tomllib.loads(text)
    assert data["rule"], "rules were learned"
    for rule in data["rule"]:
        assert rule["id"].startswith("learned.harbour-gazette.")
        assert rule["removes"] and rule["keeps"] and rule["why"] and rule["risk"]
        assert "pages" in rule["why"]
    loaded = load_rules([rules_path])
    mine = [r for r in loaded.rules if r.source == str(rules_path)]
    assert check_rules(mine, loaded) == []
    # keep examples are the pages' own text, not furniture
    keeps = [k for rule in data["rule"] for k in rule["keeps"]]
    assert any(k.startswith("The ") and k.endswith(("...", ".")) for k in keeps)
    code, out, err = run_cli("rules", "test", rules_path)
    assert code == 0, out.decode() + err
    assert b"0 failed" in out


# --- sites ---------------------------------------------------------------------------------

def test_two_sites_in_one_folder_are_grouped_apart(tmp_path):
    folder = tmp_path / "mixed"
    a = make_site(folder, "Harbour Gazette", 12, seed=7, prefix="a-")
    b = make_site(folder, "Valley Courier", 12, seed=8, prefix="b-")
    report = learn(find_sources([str(folder)])[0], LearnOptions(), pytest.fail)
    assert sorted(g.pages for g in report.groups) == [12, 12]
    assert {g.name for g in report.groups} == {"Harbour Gazette", "Valley Courier"}  # from the title lines
    # one site pack per site: each switches on by itself on its own pages only
    packs = tmp_path / "packs"
    packs.mkdir()
    assert run_learn([str(folder)], str(packs) + "/", LearnOptions(), pytest.fail, None) == 0
    files = sorted(p.name for p in packs.iterdir())
    assert files == ["harbour-gazette.toml", "valley-courier.toml"]
    gazette = tomllib.loads((packs / "harbour-gazette.toml").read_text())
    assert gazette["site"]["fingerprints"] and gazette["site"]["domain"] == "harbour-gazette.learned"
    rules = load_rules([packs])
    page_a, page_b = next(iter(a)), next(iter(b))
    removed: list = []
    clean_text(page_b.read_text(), rules, Options(heuristics=False), on_removal=removed.append)
    assert removed and not any(r.rule_id.startswith("learned.harbour-gazette.") for r in removed)
    assert "Search the Harbour Gazette archive" not in cleaned(page_a, rules)


def test_group_by_folder_and_one_named_site(tmp_path):
    make_site(tmp_path / "one", "Harbour Gazette", 6, seed=9)
    make_site(tmp_path / "two", "Harbour Gazette", 6, seed=10)
    sources = find_sources([str(tmp_path / "one"), str(tmp_path / "two")])[0]
    by_folder = learn(sources, LearnOptions(group_by="folder"), pytest.fail)
    assert sorted(g.pages for g in by_folder.groups) == [6, 6]
    one = learn(sources, LearnOptions(site="gazette.example"), pytest.fail)
    assert [(g.name, g.pages) for g in one.groups] == [("gazette.example", 12)]
    _, text = learned(tmp_path, [tmp_path / "one", tmp_path / "two"], site="gazette.example")
    assert "domain = 'gazette.example'" in text and "learned.gazette-example." in text


# --- the command ---------------------------------------------------------------------------

def test_cli_learn_then_clean_with_the_rules(tmp_path):
    pages = make_site(tmp_path / "site", "Harbour Gazette", 10, seed=11)
    out = tmp_path / "site.toml"
    code, stdout, err = run_cli("learn", tmp_path / "site", "-o", out)
    assert code == 0, err
    assert stdout == b""
    assert "learned" in err and "per 1,000 pages" in err
    page = next(iter(pages))
    code, clean, err = run_cli("--rules", out, "--no-heuristics", page)
    assert code == 0, err
    assert b"World news" not in clean and pages[page][1].encode() in clean


def test_cli_bad_input(tmp_path):
    make_site(tmp_path / "site", "Harbour Gazette", 6, seed=12)
    (tmp_path / "site" / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "empty").mkdir()
    out = tmp_path / "out.toml"
    results = run_cli_many(
        ("learn", tmp_path / "site", tmp_path / "missing", "-o", out),
        ("learn", tmp_path / "site"),
        ("learn", tmp_path / "site", "-o", out, "--min-pages", "1"),
        ("learn", tmp_path / "site", "-o", out, "--min-share", "1.5"),
        ("learn", tmp_path / "site", "-o", out, "--group-by", "colour"),
        ("learn", tmp_path / "site", "-o", tmp_path / "no" / "such" / "out.toml"),
        ("learn", tmp_path / "empty", "-o", tmp_path / "never.toml"),
        ("learn", "-", "-o", out),
    )
    (code, _, err) = results[0]
    assert code == 3
    assert "missing: no such file or folder" in err and "binary.txt" in err and "binary" in err
    assert out.exists() and tomllib.loads(out.read_text())["rule"]  # the others were learned from
    assert [r[0] for r in results[1:]] == [2, 2, 2, 2, 4, 3, 2]
    for code, stdout, err in results:
        assert_no_traceback(err)
        assert stdout == b""
        assert all(line.startswith("scrapeclean: ") for line in err.strip().splitlines())
    assert "-o FILE" in results[1][2]
    assert "--min-pages 1" in results[2][2]
    assert "nothing learned" in results[6][2] and not (tmp_path / "never.toml").exists()


def test_learn_rules_for_batch_writes_a_loadable_file(tmp_path):
    pages = make_site(tmp_path / "site", "Harbour Gazette", 8, seed=13)
    errors: list[str] = []
    path = learn_rules(sorted(map(str, pages)) + [str(tmp_path / "gone.txt")], error=errors.append)
    try:
        assert errors == [f"{tmp_path / 'gone.txt'}: no such file"]
        rules = load_rules([path])
        assert any(r.id.startswith("learned.") for r in rules.rules)
    finally:
        path.unlink()
    target = learn_rules(map(str, pages), LearnOptions(min_share=0.5), output=tmp_path / "l.toml")
    assert target == tmp_path / "l.toml" and target.exists()
    with pytest.raises(UsageError):
        learn_rules([], LearnOptions(min_pages=0))


def test_no_readable_page_is_an_input_error(tmp_path):
    (tmp_path / "bin.txt").write_bytes(b"\x00" * 50)
    with pytest.raises(InputError):
        run_learn([str(tmp_path)], str(tmp_path / "x.toml"), LearnOptions(), lambda m: None, None)


# --- bounded memory ---------------------------------------------------------------------------

def test_lossy_counter_keeps_what_recurs_and_forgets_the_rest():
    counter = LossyCounter(min_share=0.3)
    pages = 20_000
    for p in range(pages):
        unique = range(1_000_000 + p * 100, 1_000_000 + p * 100 + 100)  # 100 one-page lines
        recurring = [1, 2, 3] if p % 2 == 0 else [1]  # on every page / every other page
        counter.add_page([*unique, *recurring])
    assert len(counter) < 100 * counter.width * 2  # two million keys were seen
    assert counter.at_least(int(0.3 * pages)) == {1, 2, 3}
    assert counter.counts[1] == pages and counter.counts[2] + counter.deltas.get(2, 0) >= pages // 2


def _generated(folder: Path, n: int) -> None:
    rng = random.Random(14)
    folder.mkdir()
    headlines = [headline(rng, i) for i in range(n)]
    for i in range(n):
        (folder / f"p{i:05d}.txt").write_text(site_page("Harbour Gazette", i, headlines, rng)[0], encoding="utf-8")


def _peak(folder: Path) -> int:
    sources = find_sources([str(folder)])[0]
    tracemalloc.start()
    try:
        learn(sources, LearnOptions(), pytest.fail)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_number_of_pages(tmp_path):
    _generated(tmp_path / "small", 200)
    _generated(tmp_path / "large", 1000)
    _peak(tmp_path / "small")  # warm: the built-in rules are loaded and compiled once per process
    small, large = _peak(tmp_path / "small"), _peak(tmp_path / "large")
    # five times the pages, and five times the lines seen once: the peak grows by the list of
    # files and the page-to-site array only (a few bytes a page)
    assert large < small * 1.3 + 100_000, (small, large)
