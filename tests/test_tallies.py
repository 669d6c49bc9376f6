"""Per-building resident tallies: every write keeps them equal to a count from scratch, and
coverage read from them is what counting the members and places themselves gives."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from registry.access.actor import SYSTEM
from registry.access.scope import resolve_scope
from registry.core import calendar
from registry.core import tallies as building_tallies
from registry.core.calendar import years_after
from registry.core.models import BuildingTally, Member, Place
from registry.importer import ImportFailed
from registry.reports.coverage import CoverageSummary, live_coverage_summary
from tests.support import Registry, operation
from tests.test_coverage import coverage, grid_workbook
from tests.test_races import pause_after

CREATE_MEMBER = operation("CreateMember")
UPDATE_MEMBER = operation("UpdateMember")
TRANSFER_MEMBER = operation("TransferMember")
CONFIRM_MEMBER = operation("ConfirmMember")
CREATE_PLACE = operation("CreatePlace")
UPDATE_PLACE = operation("UpdatePlace")
DELETE_PLACE = operation("DeletePlace")

Counts = tuple[int, int, int, int, int]
# Scopes of every shape the tallies serve, and two they must not (a unit, a group covering one).
SCOPES = ("S", "C1", "C2", "E1", "E2", "E1-B1", "E2-B1", "PC1", "B3", "G1", "E1-B1-U1", "GU")


async def stored_tallies(registry: Registry) -> dict[str, Counts]:
    """The tally rows, by building code."""
    async with registry.db.read() as session:
        rows = await session.execute(
            select(Place.code, BuildingTally).join(Place, Place.id == BuildingTally.building_id)
        )
        return {
            code: (
                t.households,
                t.members,
                t.full_members,
                t.probationary_members,
                t.in_service_members,
            )
            for code, t in rows
        }


async def counted_from_scratch(registry: Registry) -> dict[str, Counts]:
    """What each building's tally should say, counted in Python from every place and member:
    the households in the building's subtree (by path) and the members living in them."""
    async with registry.db.read() as session:
        places = (await session.execute(select(Place.id, Place.code, Place.kind, Place.path))).all()
        members = (
            await session.execute(select(Member.household_id, Member.status, Member.workplace))
        ).all()
    path_of = {p.id: p.path for p in places}
    expected: dict[str, Counts] = {}
    for building in (p for p in places if p.kind == "building"):
        inside = {p.id for p in places if p.path.startswith(building.path)}
        homes = [p for p in places if p.id in inside and p.kind == "household"]
        living = [m for m in members if m.household_id in inside]
        assert all(path_of[m.household_id].startswith(building.path) for m in living)
        expected[building.code] = (
            len(homes),
            len(living),
            sum(m.status == "full" for m in living),
            sum(m.status == "probationary" for m in living),
            sum(m.workplace is not None for m in living),
        )
    return expected


def as_reported(summary: CoverageSummary) -> dict[str, Any]:
    """A summary in the shape the Coverage operation reports it."""

    def tally(t: Any) -> dict[str, Any]:
        return {"total": t.total, "covered": t.covered, "ratio": t.ratio}

    return {
        "estates": tally(summary.estates),
        "buildings": tally(summary.buildings),
        "buildingsWithMembers": tally(summary.buildings_with_members),
        "households": tally(summary.households),
        "membersLiving": summary.members_living,
        "membersPer100Households": summary.members_per_100_households,
        "members": {
            "total": summary.members.total,
            "full": summary.members.full,
            "probationary": summary.members.probationary,
            "inService": summary.members.in_service,
        },
    }


async def assert_tallies_hold(registry: Registry, api: Any) -> None:
    """The tallies equal a count from scratch, and every scope's coverage over the API (from
    the tallies) equals the live count, gaps included."""
    assert await stored_tallies(registry) == await counted_from_scratch(registry)
    for code in SCOPES:
        report = await coverage(api, code)
        assert report is not None, code
        async with registry.db.read() as session:
            scope = await resolve_scope(session, SYSTEM, code, None)
            live = as_reported(await live_coverage_summary(session, scope))
        assert {key: report[key] for key in live} == live, code
        without_member = {
            gap["place"]["code"]
            for gap in report["gaps"]["items"]
            if gap["kind"] == "BUILDING_WITHOUT_MEMBER"
        }
        lived_in = {c for c, t in (await stored_tallies(registry)).items() if t[1] > 0}
        in_scope = await buildings_in(registry, scope)
        assert without_member == in_scope - lived_in, code


async def buildings_in(registry: Registry, scope: Any) -> set[str]:
    async with registry.db.read() as session:
        found = await session.scalars(
            select(Place.code).where(Place.kind == "building", scope.places(Place.path))
        )
        return set(found)


def workbook_with_a_unit_group() -> dict[str, list[dict[str, Any]]]:
    """The known sub-district of tests.test_coverage, with a group GU covering one unit."""
    book = grid_workbook()
    book["organisations"].append(
        {
            "code": "GU",
            "parent": "B1",
            "kind": "group",
            "name": "1单元党小组",
            "covers": "E1-B1-U1",
            "established": "2020-01-01",
        }
    )
    return book


async def ok(api: Any, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """The payload of a mutation, asserting it raised no user errors."""
    data = await api(query, {"input": variables})
    (payload,) = data.values()
    assert payload["userErrors"] == [], payload["userErrors"]
    return dict(payload)


async def test_a_freshly_imported_registry_has_a_tally_for_every_building(
    registry: Registry,
) -> None:
    """Given the known sub-district imported, then every building has its row (E1-B2, where
    nobody lives, with zeros) and coverage from the rows is the live count."""
    await registry.load(workbook_with_a_unit_group())
    api = await registry.client("admin")

    tallies = await stored_tallies(registry)

    assert tallies == {
        "E1-B1": (2, 2, 2, 0, 0),
        "E1-B2": (2, 0, 0, 0, 0),
        "E2-B1": (2, 1, 1, 0, 1),
        "E3-B1": (1, 2, 1, 1, 1),
    }
    await assert_tallies_hold(registry, api)


async def test_every_kind_of_write_keeps_the_tallies_and_coverage_exact(
    registry: Registry,
) -> None:
    """Given the known sub-district, when members and places are written in every way that
    changes who lives where, then after each write the tallies equal a count from scratch and
    coverage from them equals the live count for every scope."""
    await registry.load(workbook_with_a_unit_group())
    api = await registry.client("admin")
    today = calendar.today().isoformat()

    # A member comes to live in E1-B2, where nobody lived.
    await ok(api, CREATE_MEMBER, {
        "code": "M20", "name": "新党员", "status": "PROBATIONARY", "organisation": "B1",
        "household": "E1-B2-101", "joined": today,
    })  # fmt: skip
    assert (await stored_tallies(registry))["E1-B2"] == (2, 1, 0, 1, 0)
    await assert_tallies_hold(registry, api)

    # M1 moves house to another estate's building.
    await ok(api, UPDATE_MEMBER, {"member": "M1", "household": "E2-B1-102"})
    tallies = await stored_tallies(registry)
    assert tallies["E1-B1"] == (2, 1, 1, 0, 0) and tallies["E2-B1"] == (2, 2, 2, 0, 1)
    await assert_tallies_hold(registry, api)

    # Status and workplace: a confirmation, a move into service, a move out of it, a new
    # workplace (still in service), and a change that is none of these (the name).
    # (M12 joined 100 days ago: confirmed the day the year of probation ends.)
    confirmed = years_after(calendar.today() - timedelta(days=100), 1).isoformat()
    await ok(api, CONFIRM_MEMBER, {"member": "M12", "on": confirmed})
    await ok(api, TRANSFER_MEMBER, {
        "member": "M8", "workplace": "寸滩街道社区卫生服务中心", "reportsTo": "B3", "on": today,
    })  # fmt: skip
    await ok(api, TRANSFER_MEMBER, {"member": "M11", "organisation": "B1", "on": today})
    await ok(api, UPDATE_MEMBER, {"member": "M12", "workplace": "江北区财政局"})
    await ok(api, UPDATE_MEMBER, {"member": "M2", "name": "王二二"})
    tallies = await stored_tallies(registry)
    assert tallies["E3-B1"] == (1, 2, 2, 0, 2) and tallies["E2-B1"] == (2, 2, 2, 0, 0)
    await assert_tallies_hold(registry, api)

    # A unit, with its households and M2, moves to another building.
    await ok(api, UPDATE_PLACE, {"place": "E1-B1-U1", "parent": "E2-B1"})
    tallies = await stored_tallies(registry)
    assert tallies["E1-B1"] == (0, 0, 0, 0, 0) and tallies["E2-B1"] == (4, 3, 3, 0, 0)
    await assert_tallies_hold(registry, api)

    # A household moves straight under another building; a whole estate moves community.
    await ok(api, UPDATE_PLACE, {"place": "E2-B1-102", "parent": "E3-B1"})
    await ok(api, UPDATE_PLACE, {"place": "E2", "parent": "C2"})
    await assert_tallies_hold(registry, api)

    # New places: a household in a building, a building (with its own empty row), a unit and
    # a household in it; then a member moves into the new household.
    await ok(api, CREATE_PLACE, {"code": "E3-B1-102", "kind": "HOUSEHOLD", "name": "102",
                                 "parent": "E3-B1"})  # fmt: skip
    await ok(api, CREATE_PLACE, {"code": "E4-B1", "kind": "BUILDING", "name": "1栋",
                                 "parent": "E4"})  # fmt: skip
    assert (await stored_tallies(registry))["E4-B1"] == (0, 0, 0, 0, 0)
    await ok(api, CREATE_PLACE, {"code": "E4-B1-U1", "kind": "UNIT", "name": "1单元",
                                 "parent": "E4-B1"})  # fmt: skip
    await ok(api, CREATE_PLACE, {"code": "E4-B1-U1-101", "kind": "HOUSEHOLD", "name": "101",
                                 "parent": "E4-B1-U1"})  # fmt: skip
    await ok(api, UPDATE_MEMBER, {"member": "M20", "household": "E4-B1-U1-101"})
    assert (await stored_tallies(registry))["E4-B1"] == (1, 1, 0, 1, 0)
    await assert_tallies_hold(registry, api)

    # Deleting an empty household and an empty building.
    await ok(api, DELETE_PLACE, {"place": "E1-B2-102"})
    await ok(api, CREATE_PLACE, {"code": "E4-B2", "kind": "BUILDING", "name": "2栋",
                                 "parent": "E4"})  # fmt: skip
    await ok(api, DELETE_PLACE, {"place": "E4-B2"})
    tallies = await stored_tallies(registry)
    assert tallies["E1-B2"] == (1, 0, 0, 0, 0) and "E4-B2" not in tallies
    await assert_tallies_hold(registry, api)

    # An import adds a building with a household and a member, moves M7 into E1-B2, and
    # moves a unit back to its first building.
    await registry.load({
        "places": [
            {"code": "E4-B3", "parent": "E4", "kind": "building", "name": "3栋"},
            {"code": "E4-B3-101", "parent": "E4-B3", "kind": "household", "name": "101"},
            {"code": "E1-B1-U1", "parent": "E1-B1", "kind": "unit", "name": "1单元"},
        ],
        "members": [
            {"code": "M30", "name": "导入党员", "status": "full", "organisation": "B3",
             "joined": "2015-07-01", "household": "E4-B3-101"},
            {"code": "M7", "name": "周七", "status": "full", "organisation": "B3",
             "joined": "2010-07-01", "household": "E1-B2-101"},
        ],
    })  # fmt: skip
    tallies = await stored_tallies(registry)
    assert tallies["E4-B3"] == (1, 1, 1, 0, 0)
    assert tallies["E1-B2"] == (1, 1, 1, 0, 0)
    assert tallies["E1-B1"][0] == 2
    await assert_tallies_hold(registry, api)


async def test_a_write_straight_on_the_tables_keeps_the_tallies_too(registry: Registry) -> None:
    """Given the known sub-district, when a tool (not the API) moves a member to a household
    in another building and deletes an empty household, then the tallies still equal a count
    from scratch: they follow the logged changes, not the write path."""
    await registry.load(workbook_with_a_unit_group())
    api = await registry.client("admin")
    async with registry.db.write() as session:
        member = await session.scalar(select(Member).where(Member.household_id.is_not(None)))
        assert member is not None
        homes = list(await session.scalars(select(Place).where(Place.kind == "household")))
        lived_in = set(await session.scalars(select(Member.household_id)))
        empty = [home for home in homes if home.id not in lived_in]
        member.household_id = empty[0].id
        await session.delete(empty[1])

    await assert_tallies_hold(registry, api)


async def test_a_failed_import_leaves_the_tallies_as_they_were(registry: Registry) -> None:
    await registry.load(grid_workbook())
    before = await stored_tallies(registry)

    with pytest.raises(ImportFailed):
        await registry.load({
            "members": [
                {"code": "M40", "name": "某", "status": "full", "organisation": "B1",
                 "household": "E1-B2-101"},
                {"code": "M41", "name": "某", "status": "full", "organisation": "B1",
                 "household": "NOWHERE"},
            ],
        })  # fmt: skip

    assert await stored_tallies(registry) == before


async def test_a_scope_inside_a_building_counts_only_its_own_homes(registry: Registry) -> None:
    """Given E1-B1 with a unit U1 (two households) and a household directly under the building,
    when coverage is asked of the unit, or of a group covering only the unit, then only the
    unit's households and residents count, not the whole building's."""
    book = workbook_with_a_unit_group()
    book["places"].append(
        {"code": "E1-B1-001", "parent": "E1-B1", "kind": "household", "name": "底商"}
    )
    book["members"].append(
        {
            "code": "M13",
            "name": "楼下",
            "gender": "male",
            "status": "full",
            "joined": "2010-07-01",
            "organisation": "B1",
            "household": "E1-B1-001",
        }
    )
    await registry.load(book)
    api = await registry.client("admin")

    unit = await coverage(api, "E1-B1-U1")
    group = await coverage(api, "GU")
    building = await coverage(api, "E1-B1")

    assert unit is not None and group is not None and building is not None
    for report in (unit, group):
        assert report["households"]["total"] == 2
        assert report["membersLiving"] == 2
    assert building["households"]["total"] == 3 and building["membersLiving"] == 3
    await assert_tallies_hold(registry, api)


async def test_two_members_moving_into_one_building_at_once_are_both_counted(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given a building where nobody lives, when two members are registered into two of its
    households by concurrent requests, each pausing after writing the building's tally (so
    that the second counts while the first has not committed), then both are counted."""
    await registry.load(grid_workbook())
    api = await registry.client("admin")
    pause_after(monkeypatch, building_tallies, "locked_upsert")

    def newcomer(code: str, branch: str, home: str) -> dict[str, Any]:
        return {"input": {"code": code, "name": "新党员", "status": "FULL",
                          "organisation": branch, "household": home}}  # fmt: skip

    # Different branches: a write locks the member's organisation, which would queue them.
    payloads = await asyncio.gather(
        api(CREATE_MEMBER, newcomer("M21", "B1", "E1-B2-101")),
        api(CREATE_MEMBER, newcomer("M22", "B2", "E1-B2-102")),
    )

    assert [p["createMember"]["userErrors"] for p in payloads] == [[], []]
    assert (await stored_tallies(registry))["E1-B2"] == (2, 2, 2, 0, 0)
    assert await stored_tallies(registry) == await counted_from_scratch(registry)
