"""Every rule and gap is worded for the reader in Chinese and English, in one place the console
and the workbooks both read."""

from __future__ import annotations

from registry.reports.coverage import GapKind
from registry.reports.rules import Rule
from registry.reports.wording import LANGUAGES, templates, word


def test_every_rule_and_gap_has_its_wording_in_each_language() -> None:
    keys = {f"rule.{r.name}" for r in Rule} | {f"gap.{g.name}" for g in GapKind}
    for language in LANGUAGES:
        assert set(templates(language)) == keys, language


def test_a_template_is_filled_from_the_case_and_leaves_what_is_unknown_empty() -> None:
    values = {"org": "海尔支部", "fullMembers": 2, "minimum": 3}
    small = word("rule.BRANCH_TOO_SMALL", values)
    assert small == "海尔支部正式党员 2 人，少于 3 人，应与其他支部联合组建"
    unknown = word("rule.NO_SECRETARY", {"org": "海尔支部"}, "en")
    assert unknown == "海尔支部 has no secretary ( full members)"
    assert word("rule.NOT_A_RULE", values) is None
