"""The `tasks` and `suggestions` sheets of the import workbook, and the Cuntan demo's 2021 work."""

from __future__ import annotations

import pytest

from registry.importer import ImportFailed
from seeds import CUNTAN
from tests.support import operation
from tests.workbooks import mobilisation_estates


def with_tasks() -> dict:
    wb = mobilisation_estates()
    wb["tasks"] = [
        {"code": "T1", "kind": "owners_committee_election_preparation",
         "name": "业委会选举筹备", "organisation": "A-DW", "places": "A-E;A-F", "headcount": "4",
         "skills": "law:2;publicity", "start": "2026-01-01", "end": "2026-03-31", "status": "",
         "leader": "M1"},
    ]  # fmt: skip
    wb["suggestions"] = [
        {"code": "S1", "place": "A-E-B1-U1-01", "category": "parking", "text": "停车难",
         "heard_by": "M2", "raised_on": "2026-01-02", "status": "", "started_on": "",
         "resolved_on": "2026-01-09", "task": "T1"},
        {"code": "S2", "place": "A-E-B2", "category": "elevator", "text": "电梯坏了",
         "heard_by": "", "raised_on": "2026-01-03", "status": "", "started_on": "2026-01-04",
         "resolved_on": "", "task": ""},
    ]  # fmt: skip
    return wb


async def test_tasks_and_suggestions_import_by_code_and_reimport_changes_nothing(registry):
    await registry.load(with_tasks())
    api = await registry.client("admin")
    task = (await api(operation("Task"), {"code": "T1"}))["task"]
    assert (task["status"], task["leader"]["code"]) == ("PLANNED", "M1")
    assert [p["code"] for p in task["places"]] == ["A-E", "A-F"]
    nodes = (await api(operation("Suggestions")))["suggestions"]["nodes"]
    assert [
        (n["code"], n["status"], n["resolvedOn"], (n["task"] or {}).get("code")) for n in nodes
    ] == [
        ("S1", "RESOLVED", "2026-01-09", "T1"),
        ("S2", "IN_PROGRESS", None, None),
    ]
    before = await registry.snapshot()
    await registry.load(with_tasks())
    after = await registry.snapshot()
    assert {k: v for k, v in after.items() if k != "change"} == {
        k: v for k, v in before.items() if k != "change"
    }


async def test_bad_task_and_suggestion_rows_are_all_reported_and_nothing_is_written(registry):
    await registry.load(mobilisation_estates())
    wb = with_tasks()
    wb["tasks"][0] |= {"places": "A-E-B1-U1-01", "end": "2025-01-01", "leader": "NOBODY"}
    wb["suggestions"][0] |= {"place": "A-E-B1-U1", "category": "noise"}
    wb["suggestions"][1] |= {"status": "open"}
    before = await registry.snapshot()
    with pytest.raises(ImportFailed) as failed:
        await registry.load(wb)
    where = {(p.sheet, p.column) for p in failed.value.problems}
    assert where >= {
        ("tasks", "places"), ("tasks", "end"), ("tasks", "leader"),
        ("suggestions", "place"), ("suggestions", "category"), ("suggestions", "started_on"),
    }  # fmt: skip
    assert await registry.snapshot() == before
    missing = with_tasks()
    missing.pop("tasks")
    with pytest.raises(ImportFailed, match="unknown task code 'T1'"):
        await registry.load(missing)
    assert await registry.snapshot() == before


async def test_cuntan_demo_has_34_resolved_suggestions_and_the_election_task(registry):
    await registry.load(CUNTAN)
    api = await registry.client("admin")
    figures = (await api(operation("SuggestionCoverage"), {"scope": "CT-BS-JAMX"}))["coverage"]
    assert figures["suggestions"]["raised"] == 34
    assert figures["suggestions"]["resolved"] == 34
    assert figures["suggestions"]["ratio"] == 1.0
    assert figures["suggestions"]["medianDaysToResolve"] > 0
    election = (await api(operation("Task"), {"code": "CT-BS-JAMX-YWH"}))["task"]
    assert election["kind"] == "OWNERS_COMMITTEE_ELECTION_PREPARATION"
    assert (election["leader"]["code"], election["organisation"]["code"]) == ("M000003", "CT-DGW")
    assert [p["code"] for p in election["places"]] == ["CT-BS-JAMX"]
