"""One test per built-in rule, generated from the rule files: the evidence each rule carries
(`removes`, `keeps`, `cases`) must hold. Every rule's keep examples are checked against all
rules (site packs included), so no rule removes another rule's keep text."""
from __future__ import annotations

from pathlib import Path

import pytest

from cleaner import load_rules
from cleaner.rules.load import builtin_rules_dir
from cleaner.ruletest import check_rule, everything

RULES = load_rules()
POOL = everything(RULES)


def test_built_in_rules_are_found():
    assert len(RULES) >= 20


@pytest.mark.parametrize("rule", RULES.rules, ids=lambda r: r.id)
def test_rule_examples(rule):
    failures = check_rule(rule, POOL)
    assert not failures, "\n".join(map(str, failures))


@pytest.mark.parametrize("rule", RULES.rules, ids=lambda r: r.id)
def test_rule_carries_evidence(rule):
    """Each rule shows at least two lines it removes and two it must keep, and says why."""
    assert len(rule.removes) >= 2 and len(rule.keeps) >= 2
    assert rule.summary and rule.why and rule.risk


@pytest.mark.parametrize("rule", RULES.rules, ids=lambda r: r.id)
def test_rule_id_names_its_family_folder(rule):
    folder = Path(rule.source).resolve().relative_to(Path(builtin_rules_dir()).resolve()).parts[0]
    assert rule.family == folder or (folder == "sites" and rule.sites)
