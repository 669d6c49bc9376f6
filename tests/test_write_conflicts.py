"""Writes that collide in the database itself: two organisers creating the same code at the same
moment, a deadlock or serialization failure, two applies of the same plan — against the live
server over HTTP, on SQLite and PostgreSQL. The loser is told in a userError (never a masked
INTERNAL error) and the database is consistent."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from registry.core.models import Assignment, Change, Member, Pairing, Place, Task
from registry.planning import contacts, hubs, leaders
from registry.writes import commands, merging
from registry.writes import places as place_services
from registry.writes import tasks as task_services
from tests.support import Registry, operation
from tests.test_mobilisation import task
from tests.test_races import MERGE, PAUSE, consistent, outcome, pause_after
from tests.workbooks import contact_estates, mobilisation_estates
from tests.write_world import WORLD, field_of, mutate

NEW_ESTATE = {"code": "NEW", "kind": "ESTATE", "name": "新小区", "parent": "CA"}


async def places_coded(registry: Registry, code: str) -> int:
    async with registry.db.read() as session:
        return await session.scalar(select(func.count()).where(Place.code == code)) or 0


async def test_two_organisers_create_the_same_code_at_once_one_is_told_duplicate(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given two organisers who both check that code NEW is free, then pause
    await registry.load(WORLD)
    first, second = await registry.client("admin"), await registry.client("admin")
    pause_after(monkeypatch, place_services, "free_code")

    # When both create a place coded NEW at the same moment
    results = await asyncio.gather(
        mutate(first, "CreatePlace", NEW_ESTATE),
        mutate(second, "CreatePlace", {**NEW_ESTATE, "name": "另一个新小区"}),
    )

    # Then one wins and the other is told the code is taken (on PostgreSQL the unique
    # constraint catches it at insert; on SQLite the writers queue and the check does)
    assert sorted(outcome(r) for r in results) == ["DUPLICATE", "won"]
    loser = next(r for r in results if r["userErrors"])["userErrors"][0]
    assert loser["field"] == "code"
    assert await places_coded(registry, "NEW") == 1


async def test_a_unique_constraint_tripping_at_write_is_a_duplicate_naming_the_field(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a registry with place MX, and a create whose own check misses it (as a race would)
    await registry.load(WORLD)
    api = await registry.client("admin")

    async def check_nothing(session: Any, model: Any, code: str, field: str = "code") -> str:
        return code

    monkeypatch.setattr(place_services, "free_code", check_nothing)
    before = await registry.snapshot()

    # When a place coded MX is created
    payload = await mutate(api, "CreatePlace", {**NEW_ESTATE, "code": "MX"})

    # Then the database's unique constraint answers: DUPLICATE on `code`, nothing written
    assert payload["place"] is None
    [error] = payload["userErrors"]
    assert (error["field"], error["code"]) == ("code", "DUPLICATE")
    assert "code" in error["message"]
    assert await registry.snapshot() == before


class FakeDriverError(Exception):
    """What a PostgreSQL driver raises on a deadlock."""

    sqlstate = "40P01"


def deadlocking(monkeypatch: pytest.MonkeyPatch, times: int) -> list[int]:
    """Make create_place fail with a deadlock (after writing) its first `times` calls."""
    original = place_services.create_place
    calls: list[int] = []

    async def create_place(session: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        row = await original(session, *args, **kwargs)
        if len(calls) <= times:
            raise OperationalError("INSERT ...", {}, FakeDriverError("deadlock detected"))
        return row

    monkeypatch.setitem(commands.SERVICES, place_services.CreatePlace, create_place)
    return calls


async def test_a_deadlock_is_retried_once_and_then_succeeds(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a registry where the next write will be chosen as a deadlock victim once
    await registry.load(WORLD)
    api = await registry.client("admin")
    calls = deadlocking(monkeypatch, times=1)

    # When a place is created
    payload = await mutate(api, "CreatePlace", NEW_ESTATE)

    # Then it was run again and committed once, with one change row
    assert payload["userErrors"] == [] and payload["place"]["code"] == "NEW"
    assert len(calls) == 2
    assert await places_coded(registry, "NEW") == 1
    async with registry.db.read() as session:
        created = await session.scalar(
            select(func.count()).where(
                Change.entity == "place", Change.action == "create", Change.token_id.is_not(None)
            )
        )
    assert created == 1


async def test_a_deadlock_twice_is_a_conflict_and_writes_nothing(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a registry where writes keep deadlocking
    await registry.load(WORLD)
    api = await registry.client("admin")
    calls = deadlocking(monkeypatch, times=2)
    before = await registry.snapshot()

    # When a place is created
    payload = await mutate(api, "CreatePlace", NEW_ESTATE)

    # Then after one retry the caller is told to try again, and nothing was written
    [error] = payload["userErrors"]
    assert error["code"] == "CONFLICT" and "try again" in error["message"]
    assert len(calls) == 2
    assert await registry.snapshot() == before


def applied_outcome(payload: dict[str, Any]) -> str:
    """ "won" (wrote something), "no-op" (found nothing left to write) or the error code."""
    if payload["userErrors"]:
        return outcome(payload)
    return "no-op" if payload["applied"] == {"opened": 0, "ended": 0} else "won"


async def current_pairings(registry: Registry, kind: str) -> list[tuple[int, int]]:
    async with registry.db.read() as session:
        rows = await session.execute(
            select(Pairing.member_id, Pairing.place_id).where(
                Pairing.kind == kind, Pairing.end.is_(None)
            )
        )
        return sorted(tuple(r) for r in rows)


async def pairing_changes(registry: Registry) -> int:
    async with registry.db.read() as session:
        return await session.scalar(select(func.count()).where(Change.entity == "pairing")) or 0


@pytest.mark.parametrize(
    ("module", "reader", "propose", "apply", "scope", "extra", "kind"),
    [
        (contacts, "propose_household_contacts", "ProposeHouseholdContacts",
         "ApplyHouseholdContacts", "S", {}, "household_contact"),
        (leaders, "propose_leader_pairings", "ProposeLeaderPairings", "ApplyLeaderPairings",
         "S", {}, "leader"),
        (hubs, "propose_hubs", "ProposeHubHouseholds", "ApplyHubHouseholds", "E",
         {"maxReach": 3}, "hub"),
    ],
    ids=["household-contacts", "leader-pairings", "hub-households"],
)  # fmt: skip
async def test_two_organisers_apply_the_same_pairings_at_once_only_one_writes(
    registry: Registry,
    monkeypatch: pytest.MonkeyPatch,
    module: Any,
    reader: str,
    propose: str,
    apply: str,
    scope: str,
    extra: dict[str, Any],
    kind: str,
) -> None:
    # Given a proposal two organisers both reviewed
    await registry.load(contact_estates())
    first, second = await registry.client("admin"), await registry.client("admin")
    variables = {"scope": scope, **extra}
    reviewed = (await first(operation(propose), variables))[field_of(propose)]["proposal"]
    opened = reviewed["addedCount"]
    assert opened > 0
    pause_after(monkeypatch, module, reader)

    # When both apply it at the same moment
    results = await asyncio.gather(
        *(
            api(operation(apply), {**variables, "expectedProposal": reviewed["fingerprint"]})
            for api in (first, second)
        )
    )
    payloads = [r[field_of(apply)] for r in results]

    # Then one stores it; the other finds it stored (nothing left to write) or is told STALE
    outcomes = sorted(applied_outcome(p) for p in payloads)
    assert outcomes in (["no-op", "won"], ["STALE", "won"])
    winner = next(p for p in payloads if applied_outcome(p) == "won")
    assert winner["applied"] == {"opened": opened, "ended": 0}
    # and each pairing is stored (and logged) once
    stored = await current_pairings(registry, kind)
    assert len(stored) == len(set(stored)) == opened
    assert await pairing_changes(registry) == opened


async def test_two_tasks_mobilised_at_once_never_double_book_a_member(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given two tasks over the same estate whose windows overlap
    await registry.load(mobilisation_estates())
    first, second = (
        await registry.client("organiser", "A-DW"),
        await registry.client("organiser", "A-DW"),
    )
    for code in ("T1", "T2"):
        created = await mutate(first, "CreateTask", task(code, ["A-E"], "2026-01-01", "2026-01-31"))
        assert created["userErrors"] == []
    pause_after(monkeypatch, task_services, "propose_mobilisation")

    # When both are mobilised at the same moment, and T1 once more at that moment too
    results = await asyncio.gather(
        mutate(first, "ApplyMobilisation", {"task": "T1"}),
        mutate(second, "ApplyMobilisation", {"task": "T2"}),
        mutate(second, "ApplyMobilisation", {"task": "T1"}),
    )

    # Then all succeed, but nobody is booked on both tasks (no override was given)
    assert [r["userErrors"] for r in results] == [[], [], []]
    async with registry.db.read() as session:
        rows = (
            await session.execute(
                select(Task.code, Member.code)
                .join(Assignment, Assignment.task_id == Task.id)
                .join(Member, Member.id == Assignment.member_id)
            )
        ).all()
    booked: dict[str, list[str]] = {}
    for task_code, member_code in rows:
        booked.setdefault(member_code, []).append(task_code)
    assert rows and all(len(tasks) == 1 for tasks in booked.values()), booked


async def test_re_tying_a_member_while_their_branch_is_merged_deadlocks_nobody(
    registry: Registry, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Given BR2 being merged into BR1 while another organiser makes M6 (in service, reporting
    # to BR2) report to BR1 — the merge locks BR1 and BR2, then the members reporting to BR2
    await registry.load(WORLD)
    merger, editor = await registry.client("admin"), await registry.client("admin")
    pause_after(monkeypatch, merging, "lock_in_order")
    caplog.set_level(logging.INFO, logger="registry.api.errors")

    async def update_a_moment_later() -> dict[str, Any]:
        await asyncio.sleep(PAUSE / 3)  # the merge has its organisation locks by now
        return await mutate(editor, "UpdateMember", {"member": "M6", "reportsTo": "BR1"})

    merged, updated = await asyncio.gather(
        mutate(merger, "MergeOrganisations", {**MERGE, "source": "BR2", "into": "BR1"}),
        update_a_moment_later(),
    )

    # Then the update waits for the merge (organisations before members, as merges lock)
    # instead of deadlocking with it, and both succeed
    assert (outcome(merged), outcome(updated)) == ("won", "won")
    assert not [r for r in caplog.records if "40P01" in r.getMessage()]
    assert updated["member"]["reportsTo"]["code"] == "BR1"
    assert updated["member"]["version"] == 3  # the merge re-tied M6 first (version 2)
    await consistent(registry)


async def test_tasks_and_suggestions_refuse_a_stale_version_and_count_each_change(
    registry: Registry,
) -> None:
    # Given task T1 and suggestion SG1, both at version 1
    await registry.load(mobilisation_estates())
    api = await registry.client("organiser", "A-DW")
    created = await mutate(api, "CreateTask", task("T1", ["A-E"], "2026-01-01", "2026-01-31"))
    assert created["userErrors"] == []
    raised = await mutate(
        api,
        "CreateSuggestion",
        {"place": "A-E-B1-U1-01", "category": "PARKING", "text": "停车难", "code": "SG1",
         "raisedOn": "2025-12-01"},
    )  # fmt: skip
    assert raised["userErrors"] == []

    # When each is changed at the version read, it moves to version 2, with a change row
    renamed = await mutate(
        api, "UpdateTask", {"task": "T1", "name": "选举筹备", "expectedVersion": 1}
    )
    assert renamed["userErrors"] == [] and renamed["task"]["version"] == 2
    started = await mutate(
        api, "UpdateSuggestion",
        {"suggestion": "SG1", "status": "IN_PROGRESS", "on": "2025-12-02", "expectedVersion": 1},
    )  # fmt: skip
    assert started["userErrors"] == [] and started["suggestion"]["version"] == 2
    async with registry.db.read() as session:
        updates = (
            await session.execute(
                select(Change.entity, func.count())
                .where(Change.action == "update")
                .group_by(Change.entity)
            )
        ).all()
    assert dict(updates) == {"task": 1, "suggestion": 1}

    # When anyone writes again passing the old version 1, they are told STALE, nothing written
    before = await registry.snapshot()
    refused = [
        await mutate(api, "UpdateTask", {"task": "T1", "headcount": 5, "expectedVersion": 1}),
        await mutate(api, "ApplyMobilisation", {"task": "T1", "expectedVersion": 1}),
        await mutate(
            api, "UpdateSuggestion",
            {"suggestion": "SG1", "status": "RESOLVED", "on": "2025-12-03", "expectedVersion": 1},
        ),
    ]  # fmt: skip
    assert [[(e["field"], e["code"]) for e in r["userErrors"]] for r in refused] == [
        [("expectedVersion", "STALE")]
    ] * 3
    assert await registry.snapshot() == before

    # And applying a mobilisation at the current version turns the planned task mobilising
    applied = await mutate(api, "ApplyMobilisation", {"task": "T1", "expectedVersion": 2})
    assert applied["userErrors"] == []
    assert {a["task"]["status"] for a in applied["assignments"]} == {"MOBILISING"}
