"""Mobilisation through GraphQL: propose → apply, accept/decline (re-planning only the gap),
overlapping windows (refused unless overridden, and recorded), capacity, uncovered buildings,
and turning a mobilisation into a functional organisation.

Workbook `mobilisation_estates`: estate A-E has buildings B1 (M1 with law, M4), B2 (M2, M3)
and B3 (nobody); estate A-F has one building where nobody lives.
"""

from __future__ import annotations

from typing import Any

import pytest

from registry.importer import ImportFailed
from tests.support import operation, said
from tests.workbooks import mobilisation_estates


def task(code: str, places: list[str], start: str, end: str, headcount: int = 3) -> dict:
    return {
        "code": code, "kind": "OWNERS_COMMITTEE_ELECTION_PREPARATION", "name": code,
        "organisation": "A-DW", "places": places, "start": start, "end": end,
        "headcount": headcount, "skills": [{"skill": "law", "count": 1}],
    }  # fmt: skip


async def setup(registry) -> Any:
    await registry.load(mobilisation_estates())
    api = await registry.client("organiser", scope="A-DW")
    data = await api(
        operation("CreateTask"), {"input": task("T1", ["A-E"], "2026-01-01", "2026-01-31")}
    )
    assert data["createTask"]["userErrors"] == []
    return api


def leads(plan: dict) -> dict[str, str]:
    return {c["building"]["code"]: c["member"]["code"] for c in plan["choices"] if c["building"]}


async def test_propose_covers_every_building_explains_each_choice_and_writes_nothing(registry):
    api = await setup(registry)
    before = await registry.snapshot()
    plan = (await api(operation("ProposeMobilisation"), {"input": {"task": "T1"}}))[
        "proposeMobilisation"
    ]["plan"]
    assert await registry.snapshot() == before
    chosen = leads(plan)
    assert set(chosen) == {"A-E-B1", "A-E-B2", "A-E-B3"}
    assert chosen["A-E-B1"] in {"M1", "M4"}  # residents lead their building
    assert chosen["A-E-B2"] in {"M2", "M3"}
    assert "M1" in chosen.values()  # the one member with the required skill (law)
    b3 = next(c for c in plan["choices"] if c["building"]["code"] == "A-E-B3")
    assert said(b3["explanation"]).startswith("LEADS_FROM_ESTATE(building=A-E-B3, estate=A-E)")
    assert plan["uncovered"] == [] and plan["skillShortfalls"] == []
    assert plan["headcountShortfall"] == 0 and plan["kept"] == 0
    applied = (await api(operation("ApplyMobilisation"), {"input": {"task": "T1"}}))[
        "applyMobilisation"
    ]
    assert leads(applied["plan"]) == chosen  # apply stores exactly what was proposed
    assert {a["status"] for a in applied["assignments"]} == {"PROPOSED"}
    again = (await api(operation("ProposeMobilisation"), {"input": {"task": "T1"}}))[
        "proposeMobilisation"
    ]["plan"]
    assert (again["choices"], again["kept"]) == ([], 3)  # nothing left to do


async def test_a_building_nobody_can_reach_is_named_with_its_reason(registry):
    api = await setup(registry)
    await api(
        operation("CreateTask"), {"input": task("TF", ["A-F"], "2026-05-01", "2026-05-31", 1)}
    )
    plan = (await api(operation("ProposeMobilisation"), {"input": {"task": "TF"}}))[
        "proposeMobilisation"
    ]["plan"]
    assert [(u["building"]["code"], said(u["reason"])) for u in plan["uncovered"]] == [
        ("A-F-B1", "NO_MEMBER_IN_ESTATE(estate=A-F)")
    ]
    assert plan["skillShortfalls"] == [{"skill": "law", "needed": 1, "found": 0}]


async def test_a_decline_replans_only_the_gap(registry):
    api = await setup(registry)
    applied = (await api(operation("ApplyMobilisation"), {"input": {"task": "T1"}}))[
        "applyMobilisation"
    ]
    by_building = {a["building"]["code"]: a for a in applied["assignments"]}
    spare = ({"M2", "M3", "M4"} - {a["member"]["code"] for a in applied["assignments"]}).pop()
    accepted = by_building["A-E-B1"]
    ok = await api(
        operation("RespondToAssignment"),
        {"input": {"assignment": accepted["id"], "response": "ACCEPT"}},
    )
    assert ok["respondToAssignment"]["assignment"]["status"] == "ACCEPTED"
    decliner = by_building["A-E-B3"]
    out = (
        await api(
            operation("RespondToAssignment"),
            {"input": {"assignment": decliner["id"], "response": "DECLINE", "on": "2025-12-22"}},
        )
    )["respondToAssignment"]
    assert out["userErrors"] == []
    assert out["assignment"]["status"] == "DECLINED"
    assert [
        (r["member"]["code"], r["building"]["code"], r["status"]) for r in out["replacements"]
    ] == [(spare, "A-E-B3", "PROPOSED")]
    detail = (await api(operation("Task"), {"code": "T1"}))["task"]["assignments"]
    current = {a["member"]["code"]: a["status"] for a in detail}
    assert current[accepted["member"]["code"]] == "ACCEPTED"  # the rest is untouched
    assert current[by_building["A-E-B2"]["member"]["code"]] == "PROPOSED"
    # Declining again leaves B3 uncovered: everyone left is on the task or declined.
    last = next(r for r in out["replacements"])
    out2 = (
        await api(
            operation("RespondToAssignment"),
            {"input": {"assignment": last["id"], "response": "DECLINE"}},
        )
    )["respondToAssignment"]
    assert out2["replacements"] == []
    assert [u["building"]["code"] for u in out2["plan"]["uncovered"]] == ["A-E-B3"]
    before = await registry.snapshot()
    twice = await api(
        operation("RespondToAssignment"),
        {"input": {"assignment": last["id"], "response": "ACCEPT"}},
    )
    assert twice["respondToAssignment"]["userErrors"][0]["code"] == "CONFLICT"
    assert await registry.snapshot() == before


async def test_overlapping_windows_are_refused_unless_overridden_and_the_override_is_recorded(
    registry,
):
    api = await setup(registry)
    await api(operation("ApplyMobilisation"), {"input": {"task": "T1"}})
    await api(
        operation("CreateTask"), {"input": task("T2", ["A-E-B1"], "2026-01-20", "2026-02-20", 1)}
    )
    plan = (await api(operation("ProposeMobilisation"), {"input": {"task": "T2"}}))[
        "proposeMobilisation"
    ]["plan"]
    on_t1 = {c["member"]["code"] for c in plan["choices"]}
    assert "M1" not in on_t1  # booked on overlapping T1
    assert all(not c["override"] for c in plan["choices"])
    overridden = (
        await api(operation("ApplyMobilisation"), {"input": {"task": "T2", "overrides": ["M1"]}})
    )["applyMobilisation"]
    choice = next(c for c in overridden["plan"]["choices"] if c["member"]["code"] == "M1")
    assert (choice["override"], choice["overrideTasks"], choice["building"]["code"]) == (
        True, ["T1"], "A-E-B1",
    )  # fmt: skip
    stored = next(a for a in overridden["assignments"] if a["member"]["code"] == "M1")
    assert stored["override"] is True and stored["overrideAt"] is not None
    assert "OVERRIDE(tasks=T1)" in said(stored["explanation"])
    # Capacity (2 tasks at once) holds even with an override.
    await api(
        operation("CreateTask"), {"input": task("T3", ["A-E-B1"], "2026-01-10", "2026-01-12", 1)}
    )
    third = (
        await api(operation("ProposeMobilisation"), {"input": {"task": "T3", "overrides": ["M1"]}})
    )["proposeMobilisation"]["plan"]
    assert "M1" not in {c["member"]["code"] for c in third["choices"]}


async def test_accepted_members_become_a_functional_organisation_beside_their_formal_tie(registry):
    api = await setup(registry)
    before = await registry.snapshot()
    early = await api(
        operation("FormFunctionalOrganisation"),
        {"input": {"task": "T1", "code": "A-E-GN", "name": "业委会选举功能型党组织"}},
    )
    assert early["formFunctionalOrganisation"]["userErrors"][0]["code"] == "CONFLICT"
    assert await registry.snapshot() == before
    applied = (await api(operation("ApplyMobilisation"), {"input": {"task": "T1"}}))[
        "applyMobilisation"
    ]
    for a in applied["assignments"]:
        await api(
            operation("RespondToAssignment"),
            {"input": {"assignment": a["id"], "response": "ACCEPT"}},
        )
    formed = (
        await api(
            operation("FormFunctionalOrganisation"),
            {"input": {"task": "T1", "code": "A-E-GN", "name": "业委会选举功能型党组织",
                       "on": "2026-01-05"}},
        )
    )["formFunctionalOrganisation"]  # fmt: skip
    assert formed["userErrors"] == []
    org = formed["organisation"]
    assert (org["kind"], org["parent"]["code"], [c["code"] for c in org["covers"]["nodes"]]) == (
        "FUNCTIONAL", "A-DW", ["A-E"],
    )  # fmt: skip
    accepted = sorted(a["member"]["code"] for a in applied["assignments"])
    assert [m["code"] for m in formed["members"]] == accepted
    assert {m["organisation"]["code"] for m in formed["members"]} == {"A-ZB"}  # formal tie kept
    listed = await api(operation("FunctionalMembers"), {"organisation": "A-E-GN"})
    assert [m["code"] for m in listed["functionalMembers"]] == accepted


async def test_each_member_holds_no_more_tasks_than_their_own_capacity(registry):
    """Given M2 with capacity 1 and M3 with capacity 2 (from the workbook), both already on
    one open task, when a later, non-overlapping task on their building is proposed, then
    M2 is left out at capacity and M3 is proposed; capacity 0 is refused by the import and
    by updateMember, naming the row or field and changing nothing."""
    world = mobilisation_estates()
    capacities = {"M1": "1", "M2": "1", "M3": "2", "M4": "1"}
    world["members"] = [
        m | {"task_capacity": capacities.get(m["code"], "")} for m in world["members"]
    ]
    await registry.load(world)
    api = await registry.client("organiser", scope="A-DW")
    await api(
        operation("CreateTask"), {"input": task("TA", ["A-E"], "2026-01-01", "2026-01-31", 4)}
    )
    booked = (await api(operation("ApplyMobilisation"), {"input": {"task": "TA"}}))[
        "applyMobilisation"
    ]["assignments"]
    assert {a["member"]["code"] for a in booked} == {"M1", "M2", "M3", "M4"}
    await api(
        operation("CreateTask"), {"input": task("TB", ["A-E-B2"], "2026-03-01", "2026-03-31", 2)}
    )
    plan = (await api(operation("ProposeMobilisation"), {"input": {"task": "TB"}}))[
        "proposeMobilisation"
    ]["plan"]
    assert {c["member"]["code"] for c in plan["choices"]} == {"M3"}

    before = await registry.snapshot()
    refused = (
        await api(operation("UpdateMember"), {"input": {"member": "M3", "taskCapacity": 0}})
    )["updateMember"]
    assert refused["member"] is None
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [("taskCapacity", "INVALID")]
    assert "1 to 10" in refused["userErrors"][0]["message"]
    assert await registry.snapshot() == before
    updated = (
        await api(operation("UpdateMember"), {"input": {"member": "M3", "taskCapacity": 3}})
    )["updateMember"]
    assert updated["member"]["taskCapacity"] == 3

    bad = mobilisation_estates()
    bad["members"] = [
        m | {"task_capacity": "0" if m["code"] == "M2" else ""} for m in bad["members"]
    ]
    before = await registry.snapshot()
    with pytest.raises(ImportFailed) as failed:
        await registry.load(bad)
    problem = next(p for p in failed.value.problems if p.column == "task_capacity")
    row = next(i for i, m in enumerate(bad["members"], start=2) if m["code"] == "M2")
    assert (problem.sheet, problem.row) == ("members", row)
    assert "whole number from 1 to 10" in str(problem)
    assert await registry.snapshot() == before


async def test_tasks_at_the_ends_of_the_calendar_are_planned_like_any_other(registry):
    """Given tasks running to 9999-12-31 or from 0001-01-01, booked members and all, then
    proposing a mobilisation answers with a plan rather than failing on the day after."""
    await registry.load(mobilisation_estates())
    api = await registry.client("organiser", scope="A-DW")
    for code, start, end in (("FOREVER", "2026-01-01", "9999-12-31"),
                             ("EVER", "0001-01-01", "2026-01-31")):  # fmt: skip
        made = await api(operation("CreateTask"), {"input": task(code, ["A-E"], start, end)})
        assert made["createTask"]["userErrors"] == []
        applied = await api(operation("ApplyMobilisation"), {"input": {"task": code}})
        assert applied["applyMobilisation"]["userErrors"] == []
    for code in ("FOREVER", "EVER"):
        body = await api.post(operation("ProposeMobilisation"), {"input": {"task": code}})
        assert not body.get("errors"), body["errors"]
        plan = body["data"]["proposeMobilisation"]["plan"]
        assert plan["kept"] >= 1  # the members it was applied with stay planned


PROPOSE_FINGERPRINT = """mutation($input: MobilisationInput!) {
  proposeMobilisation(input: $input) {
    plan { fingerprint choices { member { code } } } userErrors { code }
  }
}"""
APPLY_EXPECTING = """mutation($input: MobilisationInput!) {
  applyMobilisation(input: $input) {
    assignments { member { code } } userErrors { field code }
  }
}"""


async def test_mobilisation_follows_the_planners_contract_propose_reads_apply_checks(registry):
    """Like every planner: anyone who sees the task may propose (a read, nothing written); apply
    stores exactly the reviewed proposal, and refuses STALE once the registry changed so that
    it would store another."""
    api = await setup(registry)
    viewer = await registry.client("viewer", scope="A-DW")
    before = await registry.snapshot()
    seen = await viewer(PROPOSE_FINGERPRINT, {"input": {"task": "T1"}})
    proposal = seen["proposeMobilisation"]
    assert proposal["userErrors"] == [] and proposal["plan"]["choices"]
    assert await registry.snapshot() == before

    # The registry changes: the member the plan picked first moves to another task's booking.
    stale = proposal["plan"]["fingerprint"]
    made = await api(operation("CreateTask"), {"input": task("T2", ["A-E"], "2026-01-01",
                                                                    "2026-01-31", 1)})
    assert made["createTask"]["userErrors"] == []
    await api(operation("ApplyMobilisation"), {"input": {"task": "T2"}})
    now = (await api(PROPOSE_FINGERPRINT, {"input": {"task": "T1"}}))["proposeMobilisation"]
    assert now["plan"]["fingerprint"] != stale
    before = await registry.snapshot()
    refused = await api(APPLY_EXPECTING, {"input": {"task": "T1", "expectedProposal": stale}})
    assert refused["applyMobilisation"]["userErrors"] == [
        {"field": "expectedProposal", "code": "STALE"}
    ]
    assert await registry.snapshot() == before

    fresh = now["plan"]["fingerprint"]
    stored = await api(APPLY_EXPECTING, {"input": {"task": "T1", "expectedProposal": fresh}})
    assert stored["applyMobilisation"]["userErrors"] == []
    assert [a["member"]["code"] for a in stored["applyMobilisation"]["assignments"]] == [
        c["member"]["code"] for c in now["plan"]["choices"]
    ]
