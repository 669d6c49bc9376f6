"""`node(id)` resolves tasks, assignments and suggestions — only within the caller's scope."""

from __future__ import annotations

from tests.support import Registry, operation
from tests.test_mobilisation import task
from tests.workbooks import mobilisation_estates
from tests.write_world import mutate


async def test_node_finds_tasks_assignments_and_suggestions_of_ones_own_community_only(
    registry: Registry,
) -> None:
    # Given a task mobilised and a suggestion raised in community A
    await registry.load(mobilisation_estates())
    own, other = (
        await registry.client("organiser", "A-DW"),
        await registry.client("organiser", "B-DW"),
    )
    created = await mutate(own, "CreateTask", task("T1", ["A-E"], "2026-01-01", "2026-01-31"))
    applied = await mutate(own, "ApplyMobilisation", {"task": "T1"})
    raised = await mutate(
        own,
        "CreateSuggestion",
        {"place": "A-E-B1", "category": "ELEVATOR", "text": "电梯坏了", "code": "SG1"},
    )
    ids = {
        "Task": created["task"]["id"],
        "Assignment": applied["assignments"][0]["id"],
        "Suggestion": raised["suggestion"]["id"],
    }

    # When community A asks for each by its global ID, it gets it
    found = {
        name: (await own(operation("WorkNode"), {"id": gid}))["node"] for name, gid in ids.items()
    }
    assert {name: node["__typename"] for name, node in found.items()} == {
        "Task": "Task", "Assignment": "Assignment", "Suggestion": "Suggestion",
    }  # fmt: skip
    assert found["Task"]["code"] == "T1" and found["Suggestion"]["code"] == "SG1"
    assert found["Assignment"]["task"]["code"] == "T1"

    # And community B, asking with the same IDs, finds nothing
    for gid in ids.values():
        assert (await other(operation("WorkNode"), {"id": gid}))["node"] is None
