"""Estate tasks through GraphQL: creating, listing, status changes, scope and refusals."""

from __future__ import annotations

from typing import Any

from tests.support import operation
from tests.workbooks import mobilisation_estates


def task_input(**overrides: Any) -> dict[str, Any]:
    base = {
        "code": "T1", "kind": "DOOR_TO_DOOR_VISITS", "name": "进家入户", "organisation": "A-DW",
        "places": ["A-E"], "start": "2026-01-01", "end": "2026-01-31", "headcount": 3,
        "skills": [{"skill": "law", "count": 1}],
    }  # fmt: skip
    return base | overrides


async def test_an_organiser_creates_a_planned_task_over_an_estate_and_lists_it(registry):
    await registry.load(mobilisation_estates())
    api = await registry.client("organiser", scope="A-DW")
    data = await api(operation("CreateTask"), {"input": task_input(leader="M1")})
    payload = data["createTask"]
    assert payload["userErrors"] == []
    task = payload["task"]
    assert (task["code"], task["status"], task["headcount"]) == ("T1", "PLANNED", 3)
    assert task["requiredSkills"] == [{"skill": "law", "count": 1}]
    assert [p["code"] for p in task["places"]] == ["A-E"]
    detail = (await api(operation("Task"), {"code": "T1"}))["task"]
    assert detail["leader"]["code"] == "M1"
    assert detail["organisation"]["code"] == "A-DW"
    listed = (await api(operation("Tasks"), {"filter": {"scope": "A-E"}}))["tasks"]
    assert [t["code"] for t in listed["nodes"]] == ["T1"]
    assert (await api(operation("Tasks"), {"filter": {"scope": "A-F"}}))["tasks"]["nodes"] == []
    planned = await api(operation("Tasks"), {"filter": {"status": "DONE"}})
    assert planned["tasks"]["totalCount"] == 0


async def test_bad_task_input_is_refused_and_nothing_is_written(registry):
    await registry.load(mobilisation_estates())
    api = await registry.client("admin")
    before = await registry.snapshot()
    cases = [
        (task_input(places=["A-E-B1-U1-01"]), "places", "WRONG_KIND"),
        (task_input(end="2025-12-01"), "end", "INVALID"),
        (task_input(places=["NOPE"]), "places", "NOT_FOUND"),
        (task_input(skills=[{"skill": "law", "count": 0}]), "skills", "INVALID"),
        (task_input(start="2026-13-01"), "start", "INVALID"),
    ]
    for given, field, code in cases:
        errors = (await api(operation("CreateTask"), {"input": given}))["createTask"]["userErrors"]
        assert [(e["field"], e["code"]) for e in errors] == [(field, code)], given
    assert await registry.snapshot() == before
    await api(operation("CreateTask"), {"input": task_input()})
    again = await api(operation("CreateTask"), {"input": task_input()})
    assert again["createTask"]["userErrors"][0]["code"] == "DUPLICATE"


async def test_task_status_follows_its_lifecycle_and_ending_it_withdraws_proposals(registry):
    await registry.load(mobilisation_estates())
    api = await registry.client("admin")
    await api(operation("CreateTask"), {"input": task_input()})
    await api(operation("ApplyMobilisation"), {"input": {"task": "T1", "on": "2025-12-20"}})
    task = (await api(operation("Task"), {"code": "T1"}))["task"]
    assert task["status"] == "MOBILISING"
    before = await registry.snapshot()
    back = await api(operation("UpdateTask"), {"input": {"task": "T1", "status": "DONE"}})
    assert back["updateTask"]["userErrors"][0]["code"] == "CONFLICT"
    assert "mobilising task cannot become done" in back["updateTask"]["userErrors"][0]["message"]
    assert await registry.snapshot() == before
    active = await api(operation("UpdateTask"), {"input": {"task": "T1", "status": "ACTIVE"}})
    assert active["updateTask"]["task"]["status"] == "ACTIVE"
    done = await api(operation("UpdateTask"), {"input": {"task": "T1", "status": "DONE"}})
    assert done["updateTask"]["task"]["status"] == "DONE"
    assert {a["status"] for a in done["updateTask"]["task"]["assignments"]} == {"WITHDRAWN"}


async def test_tasks_are_scoped_to_the_callers_subtree_and_viewers_only_read(registry):
    await registry.load(mobilisation_estates())
    admin = await registry.client("admin")
    await admin(operation("CreateTask"), {"input": task_input()})
    other = await registry.client("organiser", scope="B-DW")
    assert (await other(operation("Task"), {"code": "T1"}))["task"] is None
    assert (await other(operation("Tasks")))["tasks"]["totalCount"] == 0
    refused = await other(operation("ProposeMobilisation"), {"input": {"task": "T1"}})
    assert refused["proposeMobilisation"]["userErrors"][0]["code"] == "NOT_FOUND"
    foreign = await other(
        operation("CreateTask"),
        {"input": task_input(code="T9", organisation="B-DW", places=["A-E"])},
    )
    assert foreign["createTask"]["userErrors"][0]["field"] == "places"
    viewer = await registry.client("viewer", scope="A-DW")
    assert (await viewer(operation("Task"), {"code": "T1"}))["task"]["code"] == "T1"
    before = await registry.snapshot()
    blocked = await viewer(operation("ApplyMobilisation"), {"input": {"task": "T1"}})
    assert blocked["applyMobilisation"]["userErrors"][0]["code"] == "FORBIDDEN"
    assert await registry.snapshot() == before
