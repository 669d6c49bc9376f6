"""Bulk imports: CSV sheets bounded apart from .xlsx parts, a bad row deep in a large sheet
refused with nothing written, and rows COPYed on PostgreSQL exactly as INSERT writes them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from registry.core.models import Change
from registry.importer import ImportFailed, archive, ids, import_workbook
from tests.support import Registry, derived_paths_match_their_ties, reset_tables, write_workbook
from tests.test_coverage import grid_workbook
from tests.workbooks import two_communities

Rows = dict[str, list[dict[str, Any]]]


def a_large_estate(buildings: int = 20, homes: int = 500) -> Rows:
    """Sub-district S, community C, estate E of `buildings` buildings of `homes` households,
    a branch covering the estate and a member in every tenth household."""
    places = [
        {"code": "S", "parent": "", "kind": "subdistrict", "name": "街道"},
        {"code": "C", "parent": "S", "kind": "community", "name": "社区"},
        {"code": "E", "parent": "C", "kind": "estate", "name": "小区"},
    ]
    members = []
    for b in range(1, buildings + 1):
        places.append({"code": f"E-B{b}", "parent": "E", "kind": "building", "name": f"{b}栋"})
        for h in range(1, homes + 1):
            home = f"E-B{b}-{h}"
            places.append({"code": home, "parent": f"E-B{b}", "kind": "household",
                           "name": str(h)})  # fmt: skip
            if h % 10 == 0:
                members.append({"code": f"M{b}-{h}", "name": "某", "status": "full",
                                "organisation": "ZB", "household": home,
                                "joined": "2010-07-01"})  # fmt: skip
    organisations = [
        {"code": "GW", "parent": "", "kind": "working_committee", "name": "党工委",
         "covers": "S", "established": "2005-01-01"},
        {"code": "ZB", "parent": "GW", "kind": "branch", "name": "支部", "covers": "E",
         "established": "2020-01-01"},
    ]  # fmt: skip
    return {"places": places, "organisations": organisations, "members": members}


async def test_a_csv_sheet_over_the_xlsx_part_limit_imports(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a folder of CSV files whose places sheet is larger than an .xlsx part may be
    folder = write_workbook(tmp_path / "csv", two_communities())
    monkeypatch.setattr(archive, "MAX_PART_BYTES", (folder / "places.csv").stat().st_size // 2)

    # When it is imported
    report = await import_workbook(registry.db, folder)

    # Then it loads: a CSV sheet is bounded by MAX_CSV_BYTES, streamed from disk
    assert report.created["places"] == await registry.count("place")
    assert archive.MAX_CSV_BYTES > archive.MAX_PART_BYTES


async def test_a_bad_row_deep_in_a_large_sheet_is_reported_and_nothing_written(
    registry: Registry, tmp_path: Path
) -> None:
    # Given a large sheet with one bad kind on row 9,001 and one unknown household far below
    rows = a_large_estate()
    rows["places"][9_000]["kind"] = "mansion"
    rows["members"][-1]["household"] = "NOWHERE"
    folder = write_workbook(tmp_path / "bad", rows)
    before = await registry.snapshot()

    # When it is imported
    with pytest.raises(ImportFailed) as failed:
        await import_workbook(registry.db, folder)

    # Then both cells are named, with their code, and nothing is written
    found = {(p.sheet, p.row, p.column) for p in failed.value.problems}
    assert ("places", 9_002, "kind") in found
    assert ("members", len(rows["members"]) + 1, "household") in found
    assert all(p.code for p in failed.value.problems)
    assert await registry.snapshot() == before


async def test_copied_rows_equal_inserted_rows(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a large workbook, imported by COPY (on PostgreSQL) and again by INSERT
    folder = write_workbook(tmp_path / "large", a_large_estate(buildings=4, homes=300))
    await import_workbook(registry.db, folder)
    copied = await _without_moments(registry)
    await reset_tables(registry.db)
    monkeypatch.setattr(ids, "COPY", False)

    await import_workbook(registry.db, folder)

    # Then the two registries and their change logs are the same
    assert await _without_moments(registry) == copied


async def test_new_rows_carry_the_final_paths_of_their_ties(registry: Registry) -> None:
    """Given the known sub-district, when one workbook moves estate E3 and its branch B3 to
    community C1, adds members tied to nodes it creates, moves, names or leaves unnamed
    (household E3-B1-101 is stored and moves with its estate; B9 is new under a stored
    committee) and new coverage of a new building of the moved estate, then every member's
    stored paths are those of their organisation, reporting organisation and home after the
    import, and every coverage row's the path of its place, as the database would derive them."""
    await registry.load(grid_workbook())
    added = [
        {"code": "N1", "organisation": "B3", "household": "E3-B1-101", "reports_to": ""},
        {"code": "N2", "organisation": "B9", "group": "G9", "household": "E3-B9-1",
         "reports_to": "PC2"},
        {"code": "N3", "organisation": "", "household": "E2-B1-102", "reports_to": "B1",
         "workplace": "某单位"},
        {"code": "N4", "organisation": "B2", "household": "", "reports_to": ""},
    ]  # fmt: skip

    await registry.load({
        "places": [
            {"code": "E3", "parent": "C1", "kind": "estate", "name": "三号小区"},
            {"code": "E3-B9", "parent": "E3", "kind": "building", "name": "9栋"},
            {"code": "E3-B9-1", "parent": "E3-B9", "kind": "household", "name": "1"},
        ],
        "organisations": [
            {"code": "B3", "parent": "PC1", "kind": "branch", "name": "三号小区党支部",
             "covers": "E3"},
            {"code": "B9", "parent": "PC2", "kind": "branch", "name": "九支部", "covers": ""},
            {"code": "G9", "parent": "B9", "kind": "group", "name": "9栋党小组",
             "covers": "E3-B9"},
        ],
        "members": [
            {"name": "新", "status": "full", "joined": "2010-07-01", "workplace": ""} | m
            for m in added
        ],
    })  # fmt: skip

    assert await registry.count("member") == len(grid_workbook()["members"]) + len(added)
    assert await derived_paths_match_their_ties(registry.db.engine)


async def test_every_change_row_of_a_bulk_import_has_one_moment(
    registry: Registry, tmp_path: Path
) -> None:
    # Given a workbook whose change rows are written by several calls (as its sheets load)
    folder = write_workbook(tmp_path / "large", a_large_estate(buildings=2, homes=300))

    # When it is imported
    report = await import_workbook(registry.db, folder)

    # Then its change rows share one moment, so that history "as of" sees all or none of it
    async with registry.db.read() as session:
        changes = (await session.execute(select(Change))).scalars().all()
    assert len(changes) > 600
    assert {c.request_id for c in changes} == {report.request_id}
    assert len({c.at for c in changes}) == 1


async def _without_moments(registry: Registry) -> dict[str, list[tuple[Any, ...]]]:
    """Every registry table, the change log without its ids, moments and request ids."""
    tables = await registry.snapshot()
    async with registry.db.read() as session:
        changes = (await session.execute(select(Change))).scalars().all()
    tables["change"] = sorted(
        (c.entity, c.entity_id, c.action, repr(c.before), repr(c.after)) for c in changes
    )
    return tables
