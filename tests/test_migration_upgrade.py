"""Migrations upgrade a populated database without loss: data written with plain SQL at the
first revision ("0001") is all there, unchanged, after upgrading to head — on SQLite, and on
PostgreSQL (a database of its own) when the suite runs there."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from registry.core.db import Database, create_engine
from registry.core.migrate import upgrade
from tests.support import derived_paths_match_their_ties, scratch_postgres

# Rows of every table revision 0001 has, written the way an old release would have.
ROWS: dict[str, list[str]] = {
    "place": [
        "1, 'CT', 'subdistrict', '寸滩街道', NULL, '/1/', 0, 1",
        "2, 'CA', 'community', '渝北社区', 1, '/1/2/', 1, 3",
        "3, 'MX', 'estate', '茅溪', 2, '/1/2/3/', 2, 1",
        "4, 'MX-1-101', 'household', '101', 3, '/1/2/3/4/', 3, 1",
        "5, 'MX-2', 'building', '2栋', 3, '/1/2/3/5/', 3, 1",
        "6, 'MX-2-1', 'unit', '1单元', 5, '/1/2/3/5/6/', 4, 1",
        "7, 'MX-2-1-101', 'household', '101', 6, '/1/2/3/5/6/7/', 5, 1",
        "8, 'MX-2-102', 'household', '102', 5, '/1/2/3/5/8/', 4, 1",
        "9, 'MX-3', 'building', '3栋', 3, '/1/2/3/9/', 3, 1",
    ],
    "organisation": [
        "1, 'WC', 'working_committee', '党工委', NULL, '/1/', 0, 'active', '2010-01-01', "
        "NULL, NULL, NULL, NULL, 1",
        "2, 'BR1', 'branch', '一支部', 1, '/1/2/', 1, 'active', '2015-03-01', NULL, NULL, 1, "
        "'2015-03-01', 2",
        "3, 'BR2', 'branch', '二支部', 1, '/1/3/', 1, 'merged', '2016-03-01', '2025-03-01', 2, 1, "
        "'2025-03-01', 3",
    ],
    "coverage": ["1, 2, 3, '2015-03-01', NULL", "2, 3, 3, '2016-03-01', '2025-03-01'"],
    "member": [
        "1, 'M1', '王芳', 'female', 'full', '1998-07-01', '1999-07-01', 2, NULL, 4, NULL, "
        "'13800000001', 4",
        "2, 'M6', '杨帆', 'male', 'probationary', '2024-07-01', NULL, NULL, '港务集团', 7, 2, "
        "NULL, 1",
    ],
    "member_skill": ["1, 'medical'", "1, 'law'"],
    "affiliation": [
        "1, 1, 3, NULL, NULL, '2025-03-01'",
        "2, 1, 2, NULL, '2025-03-01', NULL",
        "3, 2, NULL, '港务集团', '2024-07-01', NULL",
    ],
    "office": ["1, 1, 2, 'secretary', '2021-06-01', NULL"],
    "pairing": ["1, 1, 'household_contact', 4, '2024-01-01', NULL"],
    "change": [
        "1, '2025-03-01 08:00:00', 1, 'r1', 'organisation', 3, 'merged', "
        """'{"status": "active"}', '{"status": "merged"}', '两支部合并'""",
    ],
    "api_token": [
        "1, 'abc123', 'admin', NULL, 'old', '2025-01-01 00:00:00', NULL, NULL",
    ],
}


# A task with assignments as the planner of revision 0010 explained them, and one it did not.
TASK_ROWS = [
    "INSERT INTO task (id, code, kind, name, organisation_id, leader_id, headcount, "
    "required_skills, start, \"end\", status, version) VALUES (1, 'T1', 'other', '选举', 2, "
    "NULL, 2, '{}', '2026-01-01', '2026-02-01', 'planned', 1)",
    *(
        "INSERT INTO assignment (id, task_id, member_id, status, role, building_id, explanation,"
        f" override, proposed_on) VALUES ({i}, 1, {member}, 'proposed', '{role}', {building}, "
        f"'{explanation}', {override}, '2026-01-01')"
        for i, member, role, building, explanation, override in (
            (1, 1, "building", 5, "leads building MX-2: lives in estate MX, no available "
             "resident; override: overlaps task T0, T9 (load 1)", "TRUE"),
            (2, 2, "skill", "NULL", "has law, medical (load 0)", "FALSE"),
            (3, 2, "headcount", "NULL", "组织员手工指派", "FALSE"),
        )
    ),
]
# What those explanations say, as reasons.
TASK_REASONS = [
    [
        {"code": "LEADS_FROM_ESTATE", "params": {"building": "MX-2", "estate": "MX"}},
        {"code": "OVERRIDE", "params": {"tasks": "T0,T9"}},
        {"code": "LOAD", "params": {"load": "1"}},
    ],
    [
        {"code": "HAS_SKILLS", "params": {"skills": "law,medical"}},
        {"code": "LOAD", "params": {"load": "0"}},
    ],
    [{"code": "LEGACY", "params": {"text": "组织员手工指派"}}],
]


pytestmark = pytest.mark.postgresql


@pytest.fixture(params=["sqlite", "postgresql"])
async def old_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database at no revision, of each kind the run can reach."""
    if request.param == "sqlite":
        if os.environ.get("GRIDREG_TEST_DATABASE_URL"):
            pytest.skip("independent of the database under test: the SQLite pass")
        yield f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}"
        return
    if not os.environ.get("GRIDREG_TEST_DATABASE_URL"):
        pytest.skip("PostgreSQL runs with GRIDREG_TEST_DATABASE_URL")
    async with scratch_postgres("_upgrade") as url:
        yield url


async def _read_all(url: str) -> dict[str, list[tuple]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return {
                table: [
                    tuple(row)
                    for row in await connection.execute(
                        text(f'SELECT * FROM "{table}" ORDER BY 1, 2')
                    )
                ]
                for table in ROWS
            }
    finally:
        await engine.dispose()


async def _columns(url: str, table: str) -> list[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return list((await connection.execute(text(f'SELECT * FROM "{table}"'))).keys())
    finally:
        await engine.dispose()


async def _column_values(url: str, table: str, columns: str) -> list[tuple]:
    return await _column_values_by(url, table, columns, "id")


async def _column_values_by(url: str, table: str, columns: str, order: str) -> list[tuple]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            query = text(f'SELECT {columns} FROM "{table}" ORDER BY {order}')
            return [tuple(row) for row in await connection.execute(query)]
    finally:
        await engine.dispose()


async def test_upgrading_a_populated_database_loses_nothing(old_database: str) -> None:
    # Given a database at revision 0001 holding rows in every table
    await asyncio.to_thread(upgrade, old_database, "0001")
    engine = create_engine(old_database)
    async with engine.begin() as connection:
        for table, rows in ROWS.items():
            for values in rows:
                await connection.execute(text(f'INSERT INTO "{table}" VALUES ({values})'))
    await engine.dispose()
    before = await _read_all(old_database)
    assert all(len(before[t]) == len(ROWS[t]) for t in ROWS)
    # and, once tasks came (revision 0010), assignments explained in English sentences
    await asyncio.to_thread(upgrade, old_database, "0010")
    engine = create_engine(old_database)
    async with engine.begin() as connection:
        for statement in TASK_ROWS:
            await connection.execute(text(statement))
    await engine.dispose()

    # When it is upgraded to the latest revision
    await asyncio.to_thread(upgrade, old_database)

    # Then every row is there, unchanged, and the registry works on it
    # (columns added since 0001 come last and start empty)
    after = await _read_all(old_database)
    assert {t: [r[: len(b[0])] for r in after[t]] for t, b in before.items()} == before
    # (but in service, 0011, carried forward from the tie: the test below)
    added = {t: [r[len(b[0]) :] for r in after[t]] for t, b in before.items()}
    # (and the paths of a member's ties, 0013, and of a covered place, 0015, copied from the
    # trees: checked below)
    carried = {"member": ("in_service", "org_path", "reports_path", "home_path"),
               "coverage": ("place_path",)}  # fmt: skip
    for table, names in carried.items():
        n = len(before[table][0])
        columns = await _columns(old_database, table)
        derived = {columns.index(c) - n for c in names}
        added[table] = [
            tuple(v for at, v in enumerate(r) if at not in derived) for r in added[table]
        ]
    assert all(set(r) <= {None} for rows in added.values() for r in rows)
    engine = create_engine(old_database)
    try:
        assert await derived_paths_match_their_ties(engine)
    finally:
        await engine.dispose()
    db = Database(old_database)
    try:
        async with db.read() as session:
            head = await session.scalar(text("SELECT version_num FROM alembic_version"))
            from registry.core.models import Organisation
            from registry.reports.orgchart import org_chart

            root = await session.get(Organisation, 1)
            chart = await org_chart(session, root, 2)
    finally:
        await db.dispose()
    assert head != "0001"
    assert [(n.organisation.code, n.member_total) for n in chart] == [("WC", 1), ("BR1", 1)]
    # Every building has its resident tally, counted from what was stored: MX-2 holds two
    # households (one under a unit) and M6; MX-3 is empty; MX-1-101 is in no building.
    engine = create_engine(old_database)
    try:
        async with engine.connect() as connection:
            tallies = [tuple(row) for row in await connection.execute(text(
                "SELECT building_id, households, members, full_members, probationary_members,"
                " in_service_members FROM building_tally ORDER BY building_id"
            ))]  # fmt: skip
    finally:
        await engine.dispose()
    assert tallies == [(5, 2, 1, 0, 1, 1), (9, 0, 0, 0, 0, 0)]
    # Every organisation has the figures the rules judge it by, as the writes recount them.
    db = Database(old_database)
    try:
        async with db.read() as session:
            from registry.core.models import OrgTally
            from registry.core.org_tallies import tally_rows

            kept = OrgTally.__table__
            stored = (await session.execute(select(kept).order_by(kept.c.organisation_id))).all()
            recount = tally_rows().subquery()
            counted = (
                await session.execute(select(recount).order_by(recount.c.organisation_id))
            ).all()
    finally:
        await db.dispose()
    assert stored and [tuple(r) for r in stored] == [tuple(r) for r in counted]
    # and every explanation stored in English reads as the reasons it stated
    db = Database(old_database)
    try:
        async with db.read() as session:
            from registry.core.models import Assignment

            stored = await session.scalars(select(Assignment).order_by(Assignment.id))
            assert [a.explanation for a in stored] == TASK_REASONS
    finally:
        await db.dispose()


async def test_upgrading_carries_groups_and_in_service_into_their_new_columns(
    old_database: str,
) -> None:
    # Given a database at 0010 with a member placed in a group and one in service
    await asyncio.to_thread(upgrade, old_database, "0010")
    engine = create_engine(old_database)
    async with engine.begin() as connection:
        for statement in (
            "INSERT INTO organisation (id, code, kind, name, parent_id, path, depth, status, "
            "version) VALUES (1, 'BR1', 'branch', '一支部', NULL, '/1/', 0, 'active', 1), "
            "(2, 'G1', 'group', '1栋党小组', 1, '/1/2/', 1, 'active', 1)",
            "INSERT INTO member (id, code, name, status, organisation_id, workplace, "
            "reports_to_id, group_id, version) VALUES "
            "(1, 'M1', '王芳', 'full', 1, NULL, NULL, 2, 1), "
            "(2, 'M6', '杨帆', 'full', NULL, '港务集团', 1, NULL, 1)",
        ):
            await connection.execute(text(statement))
    await engine.dispose()

    # When it is upgraded
    await asyncio.to_thread(upgrade, old_database)

    # Then M1's group history starts with that placement, undated; M6 is in service, the
    # day they reported unknown
    placements = await _column_values(old_database, "group_placement", "member_id, group_id, "
                                      'start, "end"')  # fmt: skip
    assert placements == [(1, 2, None, None)]
    served = await _column_values(old_database, "member", "code, in_service, reported_on")
    assert [(code, bool(flag), day) for code, flag, day in served] == [
        ("M1", False, None), ("M6", True, None),
    ]  # fmt: skip


async def test_upgrading_counts_the_groups_covering_each_building(old_database: str) -> None:
    # Given a database at 0017 where G1 (with M1 placed in it and as its leader) covers
    # building B1, G2 (no one placed, no leader) covers B2, and G3, dissolved, covers B3
    await asyncio.to_thread(upgrade, old_database, "0017")
    engine = create_engine(old_database)
    async with engine.begin() as connection:
        for statement in (
            "INSERT INTO place (id, code, kind, name, parent_id, path, depth, version) VALUES "
            "(1, 'E', 'estate', '茅溪', NULL, '/1/', 0, 1), "
            "(2, 'B1', 'building', '1栋', 1, '/1/2/', 1, 1), "
            "(3, 'B2', 'building', '2栋', 1, '/1/3/', 1, 1), "
            "(4, 'B3', 'building', '3栋', 1, '/1/4/', 1, 1)",
            "INSERT INTO organisation (id, code, kind, name, parent_id, path, depth, status, "
            "version) VALUES (1, 'BR1', 'branch', '一支部', NULL, '/1/', 0, 'active', 1), "
            "(2, 'G1', 'group', '1栋党小组', 1, '/1/2/', 1, 'active', 1), "
            "(3, 'G2', 'group', '2栋党小组', 1, '/1/3/', 1, 'active', 1), "
            "(4, 'G3', 'group', '3栋党小组', 1, '/1/4/', 1, 'dissolved', 1)",
            "INSERT INTO coverage (id, organisation_id, place_id, start, \"end\") VALUES "
            "(1, 2, 2, NULL, NULL), (2, 3, 3, NULL, NULL), (3, 4, 4, NULL, NULL)",
            "INSERT INTO member (id, code, name, status, organisation_id, group_id, version) "
            "VALUES (1, 'M1', '王芳', 'full', 1, 2, 1)",
            "INSERT INTO office (id, member_id, organisation_id, role, start, \"end\") VALUES "
            "(1, 1, 2, 'group_leader', NULL, NULL)",
        ):
            await connection.execute(text(statement))
    await engine.dispose()
    from registry.core.tallies import refresh_all

    db = Database(old_database)
    try:
        async with db.write() as session:  # the tallies of 0006, as an import leaves them
            await session.execute(text("DELETE FROM building_tally"))
            await session.execute(text(
                "INSERT INTO building_tally (building_id, households, members, full_members, "
                "probationary_members, in_service_members) VALUES "
                "(2, 0, 0, 0, 0, 0), (3, 0, 0, 0, 0, 0), (4, 0, 0, 0, 0, 0)"
            ))  # fmt: skip
    finally:
        await db.dispose()

    # When it is upgraded
    await asyncio.to_thread(upgrade, old_database)

    # Then each building counts the active groups covering it, and the staffed ones
    tallies = await _column_values_by(old_database, "building_tally", "building_id, groups, "
                                      "staffed_groups", "building_id")  # fmt: skip
    assert tallies == [(2, 1, 1), (3, 1, 0), (4, 0, 0)]
    # as the writes recount them
    db = Database(old_database)
    try:
        async with db.write() as session:
            await refresh_all(session)
    finally:
        await db.dispose()
    recounted = await _column_values_by(old_database, "building_tally", "building_id, groups, "
                                        "staffed_groups", "building_id")  # fmt: skip
    assert recounted == tallies
