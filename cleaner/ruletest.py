"""Runs every rule's embedded examples (`removes`, `keeps`, `cases`): the evidence that travels
with each rule. Used by `scrapeclean rules test` and by the test suite, which generates one test
per rule from the rule files. It sits above the pipeline and uses it like any caller.

- each `removes` example, cleaned with only its rule, must change (for `cut-after` rules the
  example is the marker line, checked with the guard off);
- each `keeps` example must come through unchanged, both with only its rule (guard off) and
  with every loaded rule, site packs included: so no rule removes another rule's keep text;
- each case's `input`, cleaned with only its rule, must give its `output` (both normalised).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .options import Options
from .pipeline import clean_text
from .removal import Removal
from .rules.model import CUT_AFTER, Rule, RuleSet

_NO_RULES = RuleSet(())


@dataclass(frozen=True)
class Failure:
    rule: Rule
    key: str  # e.g. "removes[2]"
    problem: str

    def __str__(self) -> str:
        return f"{self.rule.source}: rule {self.rule.id}: {self.key}: {self.problem}"


def _alone(rule: Rule) -> RuleSet:
    """The rule on its own, site limits lifted and any cut-after guard off."""
    changes: dict = {"sites": ()}
    if rule.action == CUT_AFTER:
        changes["min_chars_before"] = 0
    return RuleSet((rule._replace(**changes),))


def everything(rules: RuleSet) -> RuleSet:
    """All rules with their site limits lifted: the pool every keep example is checked against."""
    return RuleSet(tuple(r._replace(sites=()) for r in rules.rules))


def _short(text: str, limit: int = 80) -> str:
    text = text.replace("\n", "\\n")
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def check_rule(rule: Rule, pool: RuleSet) -> list[Failure]:
    """All failures of one rule's examples; `pool` is `everything(all loaded rules)`."""
    options = Options(site="none", heuristics=False)  # examples are about the rules alone
    alone = _alone(rule)
    failures = []

    def normal(text: str) -> str:
        return clean_text(text, _NO_RULES, options)

    for i, example in enumerate(rule.removes):
        if clean_text(example, alone, options) == normal(example):
            failures.append(Failure(rule, f"removes[{i}]", f"{_short(example)} came through unchanged"))
    for i, example in enumerate(rule.keeps):
        for rules, label in ((alone, "this rule"), (pool, "the loaded rules")):
            removed: list[Removal] = []
            if clean_text(example, rules, options, removed.append) != normal(example):
                by = ", ".join(sorted({r.rule_id for r in removed})) or "?"
                failures.append(Failure(rule, f"keeps[{i}]", f"{_short(example)} was changed by {by} ({label})"))
                break
    as_is = RuleSet((rule._replace(sites=()),))  # cases show the guards at work
    for i, case in enumerate(rule.cases):
        got, want = clean_text(case.input, as_is, options), normal(case.output)
        if got != want:
            failures.append(Failure(rule, f"cases[{i}]", f"output differs: expected {_short(want, 200)}, got {_short(got, 200)}"))
    return failures


def check_rules(under_test: Iterable[Rule], loaded: RuleSet) -> list[Failure]:
    pool = everything(loaded)
    return [f for rule in under_test for f in check_rule(rule, pool)]
