"""A member's Party group (党小组) over time, as their formal tie is (`Affiliation`): every write
that places, moves or takes out a member — the API, a transfer, leaving the Party, an import —
leaves a dated placement behind."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from sqlalchemy import delete, update

from registry.core import calendar
from registry.core.models import GroupPlacement
from registry.core.placements import sync_placements
from tests.support import GraphQLClient, Registry, operation
from tests.write_world import WORLD, mutate


def m1_in_g1() -> dict[str, list[dict[str, Any]]]:
    """The write world with M1 placed in BR1's group G1 by the roster."""
    world = copy.deepcopy(WORLD)
    for member in world["members"]:
        if member["code"] == "M1":
            member["group"] = "G1"
    return world


async def history(api: GraphQLClient, code: str) -> list[tuple[str, str | None, str | None]]:
    [found] = (await api(operation("MemberGroups"), {"code": code}))["members"]["nodes"]
    return [(p["group"]["code"], p["start"], p["end"]) for p in found["groupHistory"]]


async def test_each_placement_move_and_leaving_is_kept_with_its_day(registry: Registry) -> None:
    """Given M2 of BR1 in no group, when M2 is placed in G1, moved to a new group G3 of BR1,
    taken out of it, placed in G1 again and transferred to BR2 (leaving BR1's group), then
    M2's group history holds each placement in order, all closed."""
    await registry.load(WORLD)
    api = await registry.client("admin")
    today = calendar.today().isoformat()
    created = await mutate(api, "CreateOrganisation", {
        "code": "G3", "kind": "GROUP", "name": "2栋党小组", "parent": "BR1", "covers": ["MX-2"],
        "approvedOn": "2026-01-01",
    })  # fmt: skip
    assert created["userErrors"] == []

    steps: list[dict[str, Any]] = [
        {"member": "M2", "group": "G1"},
        {"member": "M2", "group": "G3"},
        {"member": "M2", "leaveGroup": True},
        {"member": "M2", "group": "G1"},
    ]
    for step in steps:
        assert (await mutate(api, "UpdateMember", step))["userErrors"] == []
    assert await history(api, "M2") == [
        ("G1", today, today), ("G3", today, today), ("G1", today, None),
    ]  # fmt: skip
    moved = await mutate(api, "TransferMember", {"member": "M2", "organisation": "BR2"})

    assert moved["userErrors"] == []
    assert await history(api, "M2") == [
        ("G1", today, today), ("G3", today, today), ("G1", today, today),
    ]  # fmt: skip


async def test_an_import_and_a_death_enter_the_group_history(registry: Registry) -> None:
    """Given a roster placing M1 in G1, then M1 recorded as having died, then M1's history
    has the placement from the day of the import, closed the day it was recorded."""
    await registry.load(m1_in_g1())
    api = await registry.client("admin")
    today = calendar.today().isoformat()
    assert await history(api, "M1") == [("G1", today, None)]

    await mutate(api, "RecordStanding", {"member": "M1", "kind": "DIED"})

    assert await history(api, "M1") == [("G1", today, today)]


async def test_a_move_dated_in_the_past_closes_the_placement_on_that_day(
    registry: Registry,
) -> None:
    """Given M1 placed in G1 since 2025-01-01, when M1 is transferred to BR2 on 2025-06-30,
    then the placement in G1 ends on 2025-06-30, not on the day the transfer was recorded."""
    await registry.load(m1_in_g1())
    async with registry.db.write() as session:  # a placement recorded before this registry
        await session.execute(update(GroupPlacement).values(start=date(2025, 1, 1)))
    api = await registry.client("admin")

    moved = await mutate(
        api, "TransferMember", {"member": "M1", "organisation": "BR2", "on": "2025-06-30"}
    )

    assert moved["userErrors"] == []
    assert await history(api, "M1") == [("G1", "2025-01-01", "2025-06-30")]


async def test_placements_of_more_members_than_a_statement_takes_parameters_are_synced(
    registry: Registry,
) -> None:
    """Given a registry, when the placements of 40,000 members are synced at once (as an
    import of a district does; PostgreSQL takes 32,767 parameters a statement), then it
    succeeds and a member placed in a group has their placement."""
    await registry.load(m1_in_g1())
    async with registry.db.write() as session:
        await session.execute(delete(GroupPlacement))
        await sync_placements(session, range(1, 40_001), date(2025, 1, 1))
    api = await registry.client("admin")

    assert await history(api, "M1") == [("G1", "2025-01-01", None)]
