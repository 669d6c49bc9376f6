"""Every rule and gap is worded for the reader in Chinese and English, in one place the console
and the workbooks both read."""

from __future__ import annotations

import ast
from pathlib import Path

from graph.contacts import RELATION
from registry.core.kinds import PlaceKind
from registry.reports.coverage import GapKind
from registry.reports.rules import Rule, Severity
from registry.reports.wording import LANGUAGES, templates, word

ROOT = Path(__file__).resolve().parents[1]


def reason_codes() -> set[str]:
    """Every reason code the planners can give: the codes in the first argument of each `reason` in
    graph/ and registry/planning/, the distances, and LEGACY (an explanation stored as text)."""
    codes = {"LEGACY", *RELATION.values()}
    for path in [*(ROOT / "graph").rglob("*.py"), *(ROOT / "registry" / "planning").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "reason"
                and node.args
            ):  # a constant code, or a choice of two ("KEPT" if kept else "NEW")
                codes |= {
                    c.value
                    for c in ast.walk(node.args[0])
                    if isinstance(c, ast.Constant) and isinstance(c.value, str)
                }
    return codes


def test_every_rule_gap_and_reason_has_its_wording_in_each_language() -> None:
    keys = (
        {f"rule.{r.name}" for r in Rule}
        | {f"gap.{g.name}" for g in GapKind}
        | {f"explain.{code}" for code in reason_codes()}
        # the short labels the console's columns and the workbooks' cells show
        | {f"label.{e.name}" for kinds in (Rule, GapKind, Severity, PlaceKind) for e in kinds}
    )
    assert len(keys) > 60  # the reasons were found
    for language in LANGUAGES:
        assert set(templates(language)) == keys, language


def test_a_reason_is_worded_from_its_code_and_values() -> None:
    values = {"member": "王芳", "relation": "同单元", "was": "相邻楼栋"}
    assert word("explain.CLOSER_MEMBER", values) == "王芳更近（同单元，原为相邻楼栋）"


def test_a_template_is_filled_from_the_case_and_leaves_what_is_unknown_empty() -> None:
    values = {"org": "海尔支部", "fullMembers": 2, "minimum": 3}
    small = word("rule.BRANCH_TOO_SMALL", values)
    assert small == "海尔支部正式党员 2 人，少于 3 人，应与其他支部联合组建"
    unknown = word("rule.NO_SECRETARY", {"org": "海尔支部"}, "en")
    assert unknown == "海尔支部 has no secretary ( full members)"
    assert word("rule.NOT_A_RULE", values) is None
