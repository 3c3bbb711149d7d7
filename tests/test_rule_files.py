"""Bad rule files are refused, through the real command, with one line on stderr:
`scrapeclean: PATH: rule ID: KEY: problem` (the parts that apply), exit status 2, nothing on
stdout (nothing is cleaned) and no traceback."""
from __future__ import annotations

import re

import pytest

from cleaner import RuleError, load_rules
from conftest import SEED_PAGE, assert_no_traceback, rule_toml, run_cli, run_cli_many, site_toml

GOOD = rule_toml("ads.label", "drop-line", pattern="Advertisement")


def refused(path, *args: str) -> str:
    """Run the CLI on the seed page with this rule file; -> the one stderr line (prefix cut)."""
    return one_line_refusal(*run_cli("--no-builtin", "--rules", path, *args, SEED_PAGE))


def one_line_refusal(code: int, out: bytes, err: str) -> str:
    assert code == 2, err
    assert out == b"", "nothing may be cleaned when a rule file is bad"
    assert_no_traceback(err)
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("scrapeclean: "), err
    return lines[0][len("scrapeclean: "):]


def assert_shape(message: str, path, rule_id: str | None, key: str | None, problem: str) -> None:
    where = [re.escape(str(path))]
    if rule_id:
        where.append(re.escape(f"rule {rule_id}"))
    if key:
        where.append(re.escape(key))
    pattern = ": ".join(where) + ": " + problem
    assert re.fullmatch(pattern, message), f"{message!r} !~ {pattern!r}"


BAD_RULES = {
    # name: (file text, rule id in the message, key in the message, problem regex)
    "unknown key": (rule_toml("ads.label", "drop-line", pattern="Ad", colour="red"), "ads.label", "colour", r"unknown key.*"),
    "unknown action": (rule_toml("ads.label", "drop", pattern="Ad"), "ads.label", "action", r"unknown action 'drop'.*"),
    "missing action": (rule_toml("ads.label", "drop-line", pattern="Ad", omit=["action"]), "ads.label", "action", r"unknown action None.*"),
    "pattern does not compile": (rule_toml("ads.label", "drop-line", pattern="Ad(vert"), "ads.label", "pattern", r"pattern does not compile: .+"),
    "one of patterns does not compile": (rule_toml("ads.label", "drop-line", patterns=["Ad", "[Ad"]), "ads.label", r"patterns[1]", r"pattern does not compile: .+"),
    "named group": (rule_toml("ads.label", "drop-line", pattern="(?P<word>Ad)"), "ads.label", "pattern", r"named groups are not allowed.*"),
    "named group in a block": (rule_toml("media.v", "drop-block", block=["Video", r"(?P<t>\d\d:\d\d)"]), "media.v", "block[1]", r"named groups .*"),
    "missing summary": (rule_toml("ads.label", "drop-line", pattern="Ad", omit=["summary"]), "ads.label", "summary", r"missing: .+"),
    "blank summary": (rule_toml("ads.label", "drop-line", pattern="Ad", summary="  "), "ads.label", "summary", r"missing: .+"),
    "missing why": (rule_toml("ads.label", "drop-line", pattern="Ad", omit=["why"]), "ads.label", "why", r"missing: .+"),
    "missing risk": (rule_toml("ads.label", "drop-line", pattern="Ad", omit=["risk"]), "ads.label", "risk", r"missing: .+"),
    "missing removes": (rule_toml("ads.label", "drop-line", pattern="Ad", omit=["removes"]), "ads.label", "removes", r"missing: .+"),
    "empty removes": (rule_toml("ads.label", "drop-line", pattern="Ad", removes=[]), "ads.label", "removes", r"missing: .+"),
    "missing keeps": (rule_toml("ads.label", "drop-line", pattern="Ad", omit=["keeps"]), "ads.label", "keeps", r"missing: .+"),
    "removes not a list": (rule_toml("ads.label", "drop-line", pattern="Ad", removes="Ad"), "ads.label", "removes", r"must be a list of strings"),
    "bad id (upper case)": (rule_toml("Ads.Label", "drop-line", pattern="Ad"), "Ads.Label", "id", r"must be a dotted lower-case id.*"),
    "bad id (no family)": (rule_toml("adlabel", "drop-line", pattern="Ad"), "adlabel", "id", r"must be a dotted lower-case id.*"),
    "missing id": (rule_toml("ads.label", "drop-line", pattern="Ad", omit=["id"]), None, "id", r"must be a dotted lower-case id.*"),
    "duplicate id in one file": (GOOD + GOOD, "ads.label", "id", r"already defined in .+"),
    "drop-block with pattern": (rule_toml("media.v", "drop-block", pattern="Video", block=["Video", "00:36"]), "media.v", "pattern", r"a drop-block rule lists its line patterns in `block`.*"),
    "drop-block with one element": (rule_toml("media.v", "drop-block", block=["Video"]), "media.v", "block", r"must list at least two line patterns"),
    "drop-block all optional": (rule_toml("media.v", "drop-block", block=[{"pattern": "a", "optional": True}, {"pattern": "b", "optional": True}]), "media.v", "block", r"at least one element must be required"),
    "block on a drop-line rule": (rule_toml("ads.label", "drop-line", pattern="Ad", block=["a", "b"]), "ads.label", "block", r"only drop-block rules have a block.*"),
    "pattern and patterns": (rule_toml("ads.label", "drop-line", pattern="Ad", patterns=["Ad"]), "ads.label", "pattern", r"give exactly one of .+"),
    "no pattern": (rule_toml("ads.label", "drop-line"), "ads.label", "pattern", r"give exactly one of .+"),
    "empty patterns": (rule_toml("ads.label", "drop-line", patterns=[]), "ads.label", "patterns", r"must not be empty"),
    "max_gap on a drop-line rule": (rule_toml("ads.label", "drop-line", pattern="Ad", max_gap=2), "ads.label", "max_gap", r"does not apply to drop-line rules"),
    "negative min_chars_before": (rule_toml("footer.f", "cut-after", pattern="Footer", min_chars_before=-1), "footer.f", "min_chars_before", r"must be a whole number >= 0"),
    "case_sensitive not a bool": (rule_toml("ads.label", "drop-line", pattern="Ad", case_sensitive="yes"), "ads.label", "case_sensitive", r"must be true or false"),
    "bad language code": (rule_toml("ads.label", "drop-line", pattern="Ad", languages=["English"]), "ads.label", "languages", r"'English' is not an ISO 639 code.*"),
    "bad case": (rule_toml("ads.label", "drop-line", pattern="Ad") + '[[rule.cases]]\ninput = "Ad"\n', "ads.label", "cases[0]", r"must have exactly the string keys .+"),
    "TOML syntax error": ('[[rule]]\nid = "ads.label"\naction = drop-line\n', None, None, r"TOML syntax error: .+"),
    "unknown top-level key": ("title = 'my rules'\n" + GOOD, None, "title", r"unknown top-level key.*"),
    "rule not an array of tables": ('[rule]\nid = "ads.label"\n', None, "rule", r"must be an array of tables.*"),
    # [site] tables
    "site: bad domain": (site_toml("Example.COM", ["x"]) + GOOD, None, "site.domain", r"must be a lower-case domain.*"),
    "site: missing domain": ('[site]\nfingerprints = ["x"]\n\n' + GOOD, None, "site.domain", r"must be a lower-case domain.*"),
    "site: unknown key": ('[site]\ndomain = "example.com"\nfingerprint = "x"\n\n' + GOOD, None, "site.fingerprint", r"unknown key.*"),
    "site: fingerprint does not compile": (site_toml("example.com", ["ok", "(bad"]) + GOOD, None, r"site.fingerprints[1]", r"pattern does not compile: .+"),
    "site: min_fingerprints 0": (site_toml("example.com", ["x"], 0) + GOOD, None, "site.min_fingerprints", r"must be a whole number >= 1"),
    "site: not a table": ('site = "example.com"\n' + GOOD, None, "site", r"must be a table.*"),
}


# The kinds of bad file every user meets, run through the real command (all at once: process
# start-up is most of the cost); every kind in BAD_RULES is also checked in-process below.
CLI_KINDS = ["TOML syntax error", "unknown key", "unknown action", "pattern does not compile",
             "named group", "missing summary", "missing why", "missing risk", "missing removes",
             "missing keeps", "duplicate id in one file", "bad id (upper case)", "drop-block with pattern",
             "site: bad domain", "site: unknown key"]


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("bad-rules")
    paths = {}
    for i, name in enumerate(CLI_KINDS):
        path = base / f"case{i:02d}" / "bad.toml"
        path.parent.mkdir()
        path.write_text(BAD_RULES[name][0], encoding="utf-8")
        paths[name] = path
    results = run_cli_many(*[("--no-builtin", "--rules", paths[name], SEED_PAGE) for name in CLI_KINDS])
    return {name: (paths[name], result) for name, result in zip(CLI_KINDS, results)}


@pytest.mark.parametrize("name", CLI_KINDS)
def test_bad_rule_file_is_refused_by_the_command_with_one_line(name, cli_runs):
    _, rule_id, key, problem = BAD_RULES[name]
    path, result = cli_runs[name]
    assert_shape(one_line_refusal(*result), path, rule_id, key, problem)


@pytest.mark.parametrize("name", list(BAD_RULES))
def test_bad_rule_file_is_refused_by_load_rules(name, rules_file):
    text, rule_id, key, problem = BAD_RULES[name]
    path = rules_file(text, "bad.toml")
    with pytest.raises(RuleError) as e:
        load_rules([path], builtin=False)
    assert_shape(e.value.message, path, rule_id, key, problem)
    assert e.value.exit_code == 2


def test_duplicate_id_across_files_names_both(tmp_path, rules_file):
    first = rules_file(GOOD, "rules/a.toml")
    second = rules_file(GOOD, "rules/b.toml")
    message = refused(tmp_path / "rules")
    assert_shape(message, second, "ads.label", "id", re.escape(f"already defined in {first}") + ".*")


def test_a_bad_file_in_a_folder_is_named(tmp_path, rules_file):
    rules_file(GOOD, "rules/good.toml")
    bad = rules_file(rule_toml("nav.skip", "drop-line", pattern="Skip(", removes=["Skip"]), "rules/sub/bad.toml")
    assert_shape(refused(tmp_path / "rules"), bad, "nav.skip", "pattern", r"pattern does not compile: .+")


def test_rule_file_that_is_not_utf8(rules_file, tmp_path):
    path = tmp_path / "latin.toml"
    path.write_bytes(GOOD.replace("Test rule", "R\xe8gle").encode("latin-1"))
    assert_shape(refused(path), path, None, None, r"not UTF-8 text.*")


def test_rules_path_that_does_not_exist(tmp_path):
    missing = tmp_path / "nope.toml"
    assert_shape(refused(missing), missing, None, None, r"no such file or folder.*")


def test_bad_rule_file_is_refused_by_rules_subcommands_too(rules_file):
    path = rules_file(rule_toml("ads.label", "drop", pattern="Ad"), "bad.toml")
    calls = (("rules", "list", "--no-builtin", "--rules", path), ("rules", "test", "--no-builtin", path),
             ("rules", "show", "ads.label", "--no-builtin", "--rules", path))
    for args, (code, out, err) in zip(calls, run_cli_many(*calls)):
        assert code == 2 and out == b"", (args, err)
        assert err.splitlines() == [f"scrapeclean: {path}: rule ads.label: action: unknown action 'drop' (expected one of drop-line, strip-span, drop-block, cut-after, cut-before)"]


def test_select_or_ignore_that_matches_no_rule(rules_file):
    path = rules_file(GOOD)
    calls = [("--no-builtin", "--rules", path, option, "nosuchprefix", SEED_PAGE) for option in ("--select", "--ignore")]
    for code, out, err in run_cli_many(*calls):
        assert code == 2 and out == b""
        assert_no_traceback(err)
        assert len(err.splitlines()) == 1 and err.startswith("scrapeclean: ")
        assert "nosuchprefix" in err and "no rule id starts with it" in err


def test_a_good_rule_file_is_accepted(rules_file):
    path = rules_file(GOOD)
    code, out, err = run_cli("--no-builtin", "--rules", path, stdin="Advertisement\nText\n")
    assert (code, out, err) == (0, b"Text\n", "")
