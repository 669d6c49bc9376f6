"""Import: one path for seeds and user data (issue 2, point 6).

A workbook (a folder of CSV files or an .xlsx) is validated whole against itself and the
registry; on any problem nothing is written and every bad row is reported; otherwise its rows
are upserted by the user's own codes in one transaction.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from registry.core import calendar
from registry.core.models import Affiliation, Change, Coverage, Member
from registry.importer import ImportFailed, RowProblem, import_workbook
from seeds import CUNTAN
from tests.support import Registry, operation, reset_tables, write_workbook

Rows = dict[str, list[dict[str, Any]]]


def grid() -> Rows:
    """A small sub-district: two communities, estates, a building, a unit and two households,
    its organisations, three members (one in service) and two offices."""
    return {
        "places": [
            {"code": "S", "parent": "", "kind": "subdistrict", "name": "寸滩街道"},
            {"code": "C1", "parent": "S", "kind": "community", "name": "保税商圈社区"},
            {"code": "C2", "parent": "S", "kind": "社区", "name": "寸滩社区"},
            # children before their parents: order within a sheet does not matter
            {"code": "H1", "parent": "U1", "kind": "household", "name": "101"},
            {"code": "H2", "parent": "U1", "kind": "户", "name": "102"},
            {"code": "U1", "parent": "B1", "kind": "unit", "name": "1单元"},
            {"code": "B1", "parent": "E1", "kind": "building", "name": "1栋"},
            {"code": "E1", "parent": "C1", "kind": "estate", "name": "吉安园茅溪小区"},
            {"code": "E2", "parent": "C1", "kind": "estate", "name": "港城小区"},
        ],
        "organisations": [
            {"code": "WC", "parent": "", "kind": "working_committee", "name": "寸滩街道党工委",
             "covers": "S", "established": "2001-08-16"},
            {"code": "PC", "parent": "WC", "kind": "社区党委", "name": "保税商圈社区党委",
             "covers": "C1", "established": "2009-05-01"},
            {"code": "BR1", "parent": "PC", "kind": "branch", "name": "茅溪第一支部",
             "covers": "E1", "established": "2015-03-01"},
            {"code": "BR2", "parent": "PC", "kind": "branch", "name": "港城支部",
             "covers": "E2", "established": "2016-03-01"},
            {"code": "G1", "parent": "BR1", "kind": "group", "name": "1栋党小组",
             "covers": "B1", "established": ""},
        ],
        "members": [
            {"code": "M1", "name": "张中举", "gender": "男", "status": "full",
             "joined": "1996-06-28", "organisation": "BR1", "workplace": "", "household": "H1",
             "reports_to": "", "phone": "13900000001", "skills": "law;mediation"},
            {"code": "M2", "name": "叶浩", "gender": "female", "status": "预备",
             "joined": "2025-01-10", "organisation": "BR1", "workplace": "", "household": "H2",
             "reports_to": "", "phone": "", "skills": ""},
            {"code": "M3", "name": "秦鑫", "gender": "male", "status": "full",
             "joined": "2003-03-13", "organisation": "", "workplace": "重庆港务集团",
             "household": "H2", "reports_to": "PC", "phone": "", "skills": "it"},
        ],
        "offices": [
            {"member": "M1", "organisation": "BR1", "role": "书记", "start": "2021-04-12",
             "end": ""},
            {"member": "M1", "organisation": "G1", "role": "group_leader", "start": "2022-01-01",
             "end": ""},
        ],
    }  # fmt: skip


def row(rows: Rows, sheet: str, code: str, **changes: str) -> None:
    """Change the row of `sheet` whose code (or member) is `code`."""
    key = "member" if sheet == "offices" else "code"
    for r in rows[sheet]:
        if r[key] == code:
            r.update(changes)
            return
    raise KeyError(code)


async def codes_within(api: Any, place: str) -> set[str]:
    data = await api(operation("Places"), {"filter": {"within": place}, "first": 100})
    return {node["code"] for node in data["places"]["nodes"]}


async def import_rows(registry: Registry, rows: Rows, name: str) -> Any:
    return await import_workbook(registry.db, write_workbook(registry.tmp / name, rows))


async def refused(registry: Registry, rows: Rows | Path) -> list[RowProblem]:
    """Import a workbook that must be refused; return its problems."""
    source = rows if isinstance(rows, Path) else write_workbook(registry.tmp / "bad", rows)
    with pytest.raises(ImportFailed) as failed:
        await import_workbook(registry.db, source)
    return failed.value.problems


def where(problems: list[RowProblem]) -> set[tuple[str, int | None, str | None]]:
    return {(p.sheet, p.row, p.column) for p in problems}


async def test_a_valid_workbook_loads_and_is_queryable(registry: Registry) -> None:
    report = await import_rows(registry, grid(), "grid")
    api = await registry.client("admin")

    assert report.created == {"places": 9, "organisations": 5, "members": 3, "offices": 2}
    assert await codes_within(api, "E1") == {"E1", "B1", "U1", "H1", "H2"}
    branch = (await api(operation("Organisation"), {"code": "BR1"}))["organisation"]
    assert branch["parent"] == {"code": "PC"}
    assert branch["covers"]["nodes"] == [{"code": "E1"}]
    assert branch["secretary"]["code"] == "M1"
    members = await api(operation("Members"), {"filter": {"organisation": "PC"}, "first": 10})
    by_code = {m["code"]: m for m in members["members"]["nodes"]}
    assert by_code["M1"]["skills"] == ["law", "mediation"]
    assert by_code["M2"]["status"] == "PROBATIONARY"
    assert by_code["M3"]["inService"] and by_code["M3"]["reportsTo"] == {"code": "PC"}
    assert by_code["M3"]["organisation"] is None


async def test_the_import_records_each_record_it_creates_and_a_summary_per_sheet(
    registry: Registry,
) -> None:
    report = await import_rows(registry, grid(), "grid")

    async with registry.db.read() as session:
        changes = (await session.execute(select(Change))).scalars().all()
    assert {c.request_id for c in changes} == {report.request_id}
    summaries = {c.entity for c in changes if c.action == "import"}
    assert summaries == {"places", "organisations", "members", "offices"}
    created = [(c.entity, c.after["code"]) for c in changes if c.action == "create"]
    assert sorted(e for e, _ in created) == ["member"] * 3 + ["organisation"] * 5 + ["place"] * 9
    assert ("organisation", "BR1") in created and ("member", "M1") in created
    places = next(c for c in changes if c.entity == "places")
    assert places.after == {"created": 9, "updated": 0, "unchanged": 0}


async def test_reimporting_the_same_workbook_changes_nothing(registry: Registry) -> None:
    await import_rows(registry, grid(), "first")
    before = await registry.snapshot()

    report = await import_rows(registry, grid(), "again")

    assert not report.changed
    assert report.counts["places"] == {"created": 0, "updated": 0, "unchanged": 9}
    assert await registry.snapshot() == before


async def test_an_upsert_renames_and_moves_a_subtree(registry: Registry) -> None:
    await import_rows(registry, grid(), "first")
    rows = grid()
    row(rows, "places", "E1", parent="C2", name="茅溪新村")

    report = await import_rows(registry, rows, "moved")

    api = await registry.client("admin")
    assert report.counts["places"]["updated"] == 1
    assert await codes_within(api, "C2") == {"C2", "E1", "B1", "U1", "H1", "H2"}
    assert await codes_within(api, "C1") == {"C1", "E2"}
    household = await api(operation("Places"), {"filter": {"within": "H1"}})
    assert household["places"]["nodes"][0]["depth"] == 5


async def test_a_workbook_of_only_the_moved_rows_moves_them(registry: Registry) -> None:
    """Rows not in the workbook stay; a new child of a moved node lands under its new path."""
    await import_rows(registry, grid(), "first")

    await import_rows(
        registry,
        {
            "places": [
                {"code": "E1", "parent": "C2", "kind": "estate", "name": "吉安园茅溪小区"},
                {"code": "H3", "parent": "U1", "kind": "household", "name": "103"},
            ]
        },
        "partial",
    )

    api = await registry.client("admin")
    assert await codes_within(api, "C2") == {"C2", "E1", "B1", "U1", "H1", "H2", "H3"}


async def test_a_covers_change_ends_the_old_coverage(registry: Registry) -> None:
    await import_rows(registry, grid(), "first")
    rows = grid()
    row(rows, "organisations", "BR1", covers="E2;E1")
    row(rows, "organisations", "BR2", covers="")
    await import_rows(registry, rows, "both")
    # BR1 gives up E1, so its group gives up 1栋 there (a group covers only inside its branch)
    row(rows, "organisations", "BR1", covers="E2")
    row(rows, "organisations", "G1", covers="")

    await import_rows(registry, rows, "second")

    api = await registry.client("admin")
    branch = (await api(operation("Organisation"), {"code": "BR1"}))["organisation"]
    assert branch["covers"]["nodes"] == [{"code": "E2"}]
    other = (await api(operation("Organisation"), {"code": "BR2"}))["organisation"]
    assert other["covers"]["nodes"] == []
    async with registry.db.read() as session:
        ended = (await session.execute(select(Coverage).where(Coverage.end.is_not(None)))).all()
    assert len(ended) == 3  # BR2 of E2, then BR1 of E1 and G1 of 1栋: kept as history


async def test_a_member_transfer_keeps_history(registry: Registry) -> None:
    await import_rows(registry, grid(), "first")
    rows = grid()
    row(rows, "members", "M1", organisation="BR2")
    row(rows, "members", "M3", workplace="", organisation="BR2", reports_to="")

    report = await import_rows(registry, rows, "transfer")

    api = await registry.client("admin")
    assert report.counts["members"] == {"created": 0, "updated": 2, "unchanged": 1}
    members = await api(operation("Members"), {"filter": {"organisation": "BR2"}})
    assert {m["code"] for m in members["members"]["nodes"]} == {"M1", "M3"}
    async with registry.db.read() as session:
        member_id = await session.scalar(select(Member.id).where(Member.code == "M1"))
        query = select(Affiliation).where(Affiliation.member_id == member_id)
        ties = (await session.scalars(query.order_by(Affiliation.id))).all()
    assert [t.end is None for t in ties] == [False, True]
    assert ties[0].end == ties[1].start == calendar.today()


async def test_every_bad_row_is_reported_and_nothing_written(registry: Registry) -> None:
    await import_rows(registry, grid(), "first")
    before = await registry.snapshot()
    rows = grid()
    rows["places"] += [
        {"code": "E3", "parent": "NOWHERE", "kind": "estate", "name": "x"},  # row 11
        {"code": "B9", "parent": "C1", "kind": "building", "name": "x"},  # row 12: wrong kind
        {"code": "C1", "parent": "S", "kind": "community", "name": "dup"},  # row 13: duplicate
        {"code": "X1", "parent": "S", "kind": "castle", "name": "x"},  # row 14: unknown kind
    ]
    rows["organisations"] += [
        {"code": "G2", "parent": "PC", "kind": "group", "name": "x", "covers": "NOPE",
         "established": "2020-13-01"},  # row 7: wrong parent kind, unknown cover, bad date
    ]  # fmt: skip
    rows["members"] += [
        {"code": "M4", "name": "x", "status": "full", "organisation": "BR1",
         "workplace": "某公司"},  # row 5: two formal organisations
        {"code": "M5", "name": "x", "status": "probationary", "organisation": "BR1"},  # row 6
        {"code": "M6", "name": "x", "status": "full", "organisation": "G1",  # row 7: a group
         "household": "B1", "reports_to": "WC", "joined": "2020-02-30"},
        {"code": "M7", "name": "x", "status": "veteran", "organisation": "",
         "workplace": ""},  # row 8: bad status, no formal tie
    ]  # fmt: skip
    rows["offices"] += [
        {"member": "M404", "organisation": "BR1", "role": "secretary", "start": "2021-01-01",
         "end": "2020-01-01"},  # row 4: unknown member, ends before it starts
        {"member": "M1", "organisation": "BR9", "role": "chief", "start": ""},  # row 5
    ]  # fmt: skip

    problems = await refused(registry, rows)

    assert where(problems) >= {
        ("places", 11, "parent"),
        ("places", 12, "parent"),
        ("places", 13, "code"),
        ("places", 14, "kind"),
        ("organisations", 7, "parent"),
        ("organisations", 7, "covers"),
        ("organisations", 7, "established"),
        ("members", 5, "workplace"),
        ("members", 6, "joined"),
        ("members", 7, "organisation"),
        ("members", 7, "household"),
        ("members", 7, "reports_to"),
        ("members", 7, "joined"),
        ("members", 8, "status"),
        ("members", 8, "organisation"),
        ("offices", 4, "member"),
        ("offices", 4, "end"),
        ("offices", 5, "organisation"),
        ("offices", 5, "role"),
        ("offices", 5, "start"),
    }
    assert len(problems) == 20
    assert await registry.snapshot() == before
    messages = {(p.sheet, p.row, p.column): str(p) for p in problems}
    assert messages[("organisations", 7, "established")] == (
        "organisations row 7, column established: '2020-13-01' is not a date; "
        "write it as YYYY-MM-DD"
    )
    assert "two formal organisations" in messages[("members", 5, "workplace")]
    assert "group" in messages[("members", 7, "organisation")]


async def test_a_loop_of_parents_is_refused(registry: Registry) -> None:
    """Moving a place under its own descendant (through the stored tree) is a loop."""
    await import_rows(registry, grid(), "first")
    before = await registry.snapshot()
    rows = {"places": [{"code": "E1", "parent": "H1", "kind": "estate", "name": "x"}]}
    loop = {"places": [{"code": "A", "parent": "B", "kind": "community", "name": "a"},
                       {"code": "B", "parent": "A", "kind": "community", "name": "b"}]}  # fmt: skip

    moved_inside = await refused(registry, rows)
    circle = await refused(registry, loop)

    assert any("inside each other" in p.message and p.row == 2 for p in moved_inside)
    assert {(p.row, p.column) for p in circle if "inside each other" in p.message} == {
        (2, "parent"),
        (3, "parent"),
    }
    assert await registry.snapshot() == before


async def test_a_missing_required_column_is_reported(registry: Registry) -> None:
    problems = await refused(registry, {"places": [{"code": "S", "name": "寸滩街道"}]})

    assert [str(p) for p in problems] == [
        "places row 1, column kind: the header has no 'kind' column; add it"
    ]
    assert await registry.count("place") == 0


async def test_a_skill_with_a_control_character_is_refused(registry: Registry) -> None:
    rows = grid()
    row(rows, "members", "M1", skills="law;media\ttion")

    problems = await refused(registry, rows)

    skills = [p for p in problems if (p.sheet, p.column) == ("members", "skills")]
    assert [p.row for p in skills] == [2]  # the first data row, under the header
    assert "tab" in skills[0].message
    assert await registry.count("member") == 0


async def test_an_xlsx_workbook_loads_like_csv(registry: Registry) -> None:
    rows = grid()
    await import_rows(registry, rows, "csv")
    from_csv = await registry.snapshot()
    await reset_tables(registry.db)
    path = registry.tmp / "grid.xlsx"
    book = Workbook()
    book.remove(book.active)
    for sheet, records in rows.items():
        ws = book.create_sheet(sheet.capitalize())
        columns = list(records[0])
        ws.append([*columns, "notes"])  # an extra column is ignored
        for record in records:
            cells: list[Any] = [record.get(c) or None for c in columns]
            for i, c in enumerate(columns):  # cells as Excel types them: dates and numbers
                if c in {"joined", "start", "established"} and cells[i]:
                    cells[i] = date.fromisoformat(cells[i])
                if c == "phone" and cells[i]:
                    cells[i] = int(cells[i])
            ws.append([*cells, "ignored"])
        ws.append([None] * len(columns))  # an empty row is skipped
    book.save(path)

    await import_workbook(registry.db, path)

    def without_log(tables: dict[str, Any]) -> dict[str, Any]:
        return {name: rows for name, rows in tables.items() if name != "change"}

    assert without_log(await registry.snapshot()) == without_log(from_csv)


async def test_bad_rows_of_an_xlsx_are_numbered_as_excel_shows_them(registry: Registry) -> None:
    path = registry.tmp / "bad.xlsx"
    book = Workbook()
    ws = book.active
    ws.title = "places"
    ws.append(["code", "parent", "kind", "name"])
    ws.append(["S", None, "subdistrict", "寸滩街道"])
    ws.append([None, None, None, None])
    ws.append(["C1", "S", "village", "x"])
    book.save(path)

    problems = await refused(registry, path)

    assert where(problems) == {("places", 4, "kind")}


@pytest.mark.skipif(not CUNTAN.exists(), reason="no Cuntan workbook")
async def test_the_cuntan_workbook_loads(registry: Registry) -> None:
    report = await import_workbook(registry.db, CUNTAN)

    api = await registry.client("admin")
    assert report.created["places"] > 10_000
    estates = await api(operation("Places"), {"filter": {"kind": "ESTATE"}, "first": 1})
    assert estates["places"]["totalCount"] == 29


async def test_only_an_unscoped_writer_may_import(registry: Registry) -> None:
    from registry.access.actor import Actor, Role

    source = write_workbook(registry.tmp / "grid", grid())
    for actor in (Actor(None, Role.VIEWER), Actor(None, Role.ORGANISER, "/1/", ("/1/",))):
        with pytest.raises(ImportFailed) as failed:
            await import_workbook(registry.db, source, actor=actor)
        assert "unscoped admin token" in str(failed.value.problems[0])
    assert await registry.count("place") == 0
