"""The change log of work — pairings, tasks, assignments, suggestions — is scoped like the rest:
a community sees the changes of its own work and none of another community's."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from registry.core.models import Change
from tests.support import GraphQLClient, Registry, operation
from tests.test_mobilisation import task
from tests.workbooks import mobilisation_estates
from tests.write_world import mutate

WORK = {"pairing", "task", "assignment", "suggestion"}


async def work_in(api: GraphQLClient, community: str) -> None:
    """A task mobilised, a suggestion raised and household contacts applied in `community`."""
    estate = f"{community}-E"
    made = await mutate(
        api, "CreateTask",
        task(f"T-{community}", [estate], "2026-01-01", "2026-01-31", 1)
        | {"organisation": f"{community}-DW", "skills": []},
    )  # fmt: skip
    assert made["userErrors"] == []
    assert (await mutate(api, "ApplyMobilisation", {"task": f"T-{community}"}))["userErrors"] == []
    raised = await mutate(
        api, "CreateSuggestion",
        {"place": f"{estate}-B1", "category": "PARKING", "text": "停车难",
         "code": f"S-{community}"},
    )  # fmt: skip
    assert raised["userErrors"] == []
    applied = await api(operation("ApplyHouseholdContacts"), {"scope": estate})
    assert applied["applyHouseholdContacts"]["userErrors"] == []


async def seen(api: GraphQLClient, variables: dict[str, Any]) -> set[tuple[str, int]]:
    data = await api(operation("Changes"), {"first": 500, **variables})
    return {(n["entity"], n["entityId"]) for n in data["changes"]["nodes"] if n["entity"] in WORK}


async def test_a_community_sees_the_history_of_its_own_work_only(registry: Registry) -> None:
    # Given work done in community A and in community B
    await registry.load(mobilisation_estates())
    admin = await registry.client("admin")
    await work_in(admin, "A")
    async with registry.db.read() as session:
        last_of_a = await session.scalar(select(func.max(Change.id)))
    await work_in(admin, "B")
    async with registry.db.read() as session:
        every = [(c.entity, c.entity_id, c.id) for c in await session.scalars(select(Change))]
    of_a = {(e, i) for e, i, cid in every if e in WORK and cid <= last_of_a}
    of_b = {(e, i) for e, i, cid in every if e in WORK and cid > last_of_a}
    assert {e for e, _ in of_a} == WORK and {e for e, _ in of_b} == WORK

    # When an organiser of each community reads the change log, with or without a scope
    a, b = await registry.client("organiser", "A-DW"), await registry.client("organiser", "B-DW")

    # Then each sees every change of its own work and none of the other's
    assert await seen(a, {}) == of_a
    assert await seen(a, {"scope": "A"}) == of_a
    assert await seen(b, {}) == of_b
    assert await seen(b, {"scope": "B-DW"}) == of_b
    # and the unscoped admin, asking about community A, sees exactly A's
    assert await seen(admin, {"scope": "A"}) == of_a
