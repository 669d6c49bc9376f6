"""No lost updates: two organisers writing the same things at the same moment, for real —
concurrent HTTP requests against the live server, on SQLite and PostgreSQL. One wins, the other
is told (STALE or CONFLICT), and the database is consistent.

To make the two requests overlap every time, the server is slowed down right after a request
has read (and locked) what it is about to change: without row locks and version checks both
requests would read the same state during that pause and both would "win"."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from registry.core.kinds import OrgStatus
from registry.core.models import Affiliation, Coverage, Member, Organisation
from registry.writes import members as member_services
from registry.writes import merging
from tests.support import Registry
from tests.write_world import WORLD, mutate

MERGE = {"approvedBy": "WC", "approvedOn": "2025-03-01"}
PAUSE = 0.3


def pause_after(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> None:
    """Make `module.name` (an async function the server calls) wait PAUSE s after it returns."""
    original: Callable[..., Any] = getattr(module, name)

    @functools.wraps(original)
    async def slowed(*args: Any, **kwargs: Any) -> Any:
        result = await original(*args, **kwargs)
        await asyncio.sleep(PAUSE)
        return result

    monkeypatch.setattr(module, name, slowed)


def outcome(payload: dict[str, Any]) -> str:
    """ "won", or the one error code the loser was told."""
    errors = payload["userErrors"]
    if not errors:
        return "won"
    assert len(errors) == 1, errors
    return errors[0]["code"]


async def consistent(registry: Registry) -> None:
    """The invariants a lost update would break."""
    async with registry.db.read() as session:
        # Every member has exactly one open affiliation, and it agrees with the member row.
        open_ties = dict(
            (
                await session.execute(
                    select(Affiliation.member_id, func.count())
                    .where(Affiliation.end.is_(None))
                    .group_by(Affiliation.member_id)
                )
            ).all()
        )
        people = list(await session.scalars(select(Member)))
        assert {m.id: open_ties.get(m.id) for m in people} == {m.id: 1 for m in people}
        for m in people:
            tie = await session.scalar(
                select(Affiliation).where(Affiliation.member_id == m.id, Affiliation.end.is_(None))
            )
            assert tie is not None and tie.organisation_id == m.organisation_id, m.code
        # Nobody belongs or reports to, and nothing is covered by, a closed organisation.
        closed = select(Organisation.id).where(Organisation.status != OrgStatus.ACTIVE.value)
        assert not list(await session.scalars(select(Member.code).where(
            Member.organisation_id.in_(closed) | Member.reports_to_id.in_(closed))))  # fmt: skip
        assert not list(await session.scalars(select(Coverage.id).where(
            Coverage.end.is_(None), Coverage.organisation_id.in_(closed))))  # fmt: skip
        # No active organisation sits under a closed one.
        parent = select(Organisation.parent_id).where(
            Organisation.status == OrgStatus.ACTIVE.value, Organisation.parent_id.is_not(None)
        )
        assert not list(await session.scalars(closed.where(Organisation.id.in_(parent))))


async def test_two_organisers_transfer_the_same_member_one_is_told_stale(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given member M7, read at version 1 by two organisers of the sub-district
    await registry.load(WORLD)
    first, second = (
        await registry.client("organiser", "WC"),
        await registry.client("organiser", "WC"),
    )
    pause_after(monkeypatch, member_services, "writable_member")

    # When both transfer M7 at the same moment, to different branches, passing that version
    results = await asyncio.gather(
        mutate(first, "TransferMember", {"member": "M7", "organisation": "BR1",
                                         "expectedVersion": 1}),
        mutate(second, "TransferMember", {"member": "M7", "organisation": "BR2",
                                          "expectedVersion": 1}),
    )  # fmt: skip

    # Then exactly one wins and the other is told its version is stale
    assert sorted(outcome(r) for r in results) == ["STALE", "won"]
    winner = next(r for r in results if not r["userErrors"])["member"]
    assert winner["version"] == 2
    # and the database holds the winner's transfer only, consistently
    async with registry.db.read() as session:
        m7 = await session.scalar(select(Member).where(Member.code == "M7"))
        org = await session.get(Organisation, m7.organisation_id)
        ties = await session.scalar(select(func.count()).where(Affiliation.member_id == m7.id))
    assert org.code == winner["organisation"]["code"] and m7.version == 2
    assert ties == 2  # the imported tie, closed, and the winner's
    await consistent(registry)


async def test_two_organisers_merge_the_same_branch_into_different_ones(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given branch BR2, which one organiser merges into BR1 and another into BR3
    await registry.load(WORLD)
    first, second = (
        await registry.client("organiser", "WC"),
        await registry.client("organiser", "WC"),
    )
    pause_after(monkeypatch, merging, "lock_in_order")

    # When both merge at the same moment
    results = await asyncio.gather(
        mutate(first, "MergeOrganisations", {**MERGE, "source": "BR2", "into": "BR1"}),
        mutate(second, "MergeOrganisations", {**MERGE, "source": "BR2", "into": "BR3"}),
    )

    # Then one wins; the other is told BR2 is merged already
    assert sorted(outcome(r) for r in results) == ["CONFLICT", "won"]
    survivor = next(r for r in results if not r["userErrors"])["survivor"]["code"]
    async with registry.db.read() as session:
        br2 = await session.scalar(select(Organisation).where(Organisation.code == "BR2"))
        into = await session.get(Organisation, br2.merged_into_id)
        m4 = await session.scalar(select(Member).where(Member.code == "M4"))
        home = await session.get(Organisation, m4.organisation_id)
    assert into.code == survivor == home.code and br2.version == 2
    await consistent(registry)


async def test_merging_a_into_b_and_b_into_a_at_once_deadlocks_nobody(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    await registry.load(WORLD)
    first, second = await registry.client("admin"), await registry.client("admin")
    pause_after(monkeypatch, merging, "lock_in_order")
    # Passing the versions read: the loser is refused, whichever check catches it first
    results = await asyncio.gather(
        mutate(first, "MergeOrganisations", {**MERGE, "source": "BR1", "into": "BR2",
                                             "expectedVersion": 1, "intoExpectedVersion": 1}),
        mutate(second, "MergeOrganisations", {**MERGE, "source": "BR2", "into": "BR1",
                                              "expectedVersion": 1, "intoExpectedVersion": 1}),
    )  # fmt: skip
    assert sorted(outcome(r) for r in results) == ["STALE", "won"]
    async with registry.db.read() as session:
        statuses = dict(
            (await session.execute(
                select(Organisation.code, Organisation.status)
                .where(Organisation.code.in_(["BR1", "BR2"]))
            )).all()
        )  # fmt: skip
    assert sorted(statuses.values()) == ["active", "merged"]
    await consistent(registry)


async def test_a_transfer_into_a_branch_being_merged_away_waits_and_is_refused(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given BR2 being merged into BR1 while another organiser transfers M7 into BR2
    await registry.load(WORLD)
    merger, mover = await registry.client("admin"), await registry.client("admin")
    pause_after(monkeypatch, merging, "lock_in_order")

    async def transfer_a_moment_later() -> dict[str, Any]:
        await asyncio.sleep(PAUSE / 3)  # the merge has its locks by now
        return await mutate(mover, "TransferMember", {"member": "M7", "organisation": "BR2"})

    merged, moved = await asyncio.gather(
        mutate(merger, "MergeOrganisations", {**MERGE, "source": "BR2", "into": "BR1"}),
        transfer_a_moment_later(),
    )
    # Then the merge wins and the transfer is told BR2 is merged (not left in a closed branch)
    assert outcome(merged) == "won" and outcome(moved) == "CONFLICT"
    assert "merged" in moved["userErrors"][0]["message"]
    await consistent(registry)
