"""Incremental imports (issue 18): an import reads of the stored registry only what its workbook
names — the rows of its codes, their ancestors and what its checks need — so a workbook of one
row imports as quickly into a city as into a sub-district, with the same checks and report."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import ORMExecuteState, Session

from registry.core.models import Member
from registry.importer import ImportFailed
from tests.support import Registry
from tests.test_coverage import grid_workbook
from tests.test_tallies import counted_from_scratch, stored_tallies

Rows = dict[str, list[dict[str, Any]]]
BIG = "BIG"  # every code of the unrelated community starts with it


def with_a_large_unrelated_community(estates: int = 4, homes: int = 60) -> Rows:
    """The known sub-district (tests.test_coverage) and, beside it, community BIG: `estates`
    estates of two buildings of `homes` households each, a branch and a member per two homes."""
    rows = grid_workbook()
    places = [{"code": "BIG", "parent": "S", "kind": "community", "name": "大社区"}]
    members: list[dict[str, Any]] = []
    for e in range(1, estates + 1):
        estate = f"BIG-E{e}"
        places.append({"code": estate, "parent": "BIG", "kind": "estate", "name": f"大{e}小区"})
        for b in (1, 2):
            building = f"{estate}-B{b}"
            places.append({"code": building, "parent": estate, "kind": "building",
                           "name": f"{b}栋"})  # fmt: skip
            for h in range(1, homes + 1):
                home = f"{building}-{h}"
                places.append({"code": home, "parent": building, "kind": "household",
                               "name": str(h)})  # fmt: skip
                if h % 2:
                    members.append({"code": f"BIG-M{len(members) + 1}", "name": "某",
                                    "status": "full", "organisation": "BIG-ZB",
                                    "household": home, "joined": "2010-07-01"})  # fmt: skip
    rows["places"] += places
    rows["organisations"] += [
        {"code": "BIG-DW", "parent": "WC", "kind": "party_committee", "name": "大社区党委",
         "covers": "BIG", "established": "2020-01-01"},
        {"code": "BIG-ZB", "parent": "BIG-DW", "kind": "branch", "name": "大社区支部",
         "covers": ";".join(f"BIG-E{e}" for e in range(1, estates + 1)),
         "established": "2020-01-01"},
    ]  # fmt: skip
    rows["members"] += [m | {"group": ""} for m in members]
    return rows


@contextmanager
def rows_fetched() -> Iterator[list[tuple[Any, ...]]]:
    """Every row the block's sessions fetch from SELECT statements."""
    fetched: list[tuple[Any, ...]] = []

    def count(state: ORMExecuteState) -> Any:
        if not state.is_select:
            return None
        frozen = state.invoke_statement().freeze()
        fetched.extend(tuple(row) for row in frozen().all())
        return frozen()

    event.listen(Session, "do_orm_execute", count)
    try:
        yield fetched
    finally:
        event.remove(Session, "do_orm_execute", count)


def mentions(rows: list[tuple[Any, ...]], prefix: str) -> list[tuple[Any, ...]]:
    return [r for r in rows if any(isinstance(v, str) and v.startswith(prefix) for v in r)]


async def phone_of(registry: Registry, code: str) -> str | None:
    async with registry.db.read() as session:
        return await session.scalar(select(Member.phone).where(Member.code == code))


async def test_a_one_row_workbook_reads_only_the_rows_it_names(registry: Registry) -> None:
    """Given the known sub-district beside a community of 480 households and 240 members, when
    a workbook of one member row changes M1's phone, then the import fetches a few dozen rows
    (M1, its household, organisation and group with their ancestors), none of the community."""
    await registry.load(with_a_large_unrelated_community())
    assert await registry.count("place") > 480 and await registry.count("member") > 240
    row = grid_workbook()["members"][0] | {"phone": "13900000001"}

    with rows_fetched() as fetched:
        await registry.load({"members": [row]})

    assert await phone_of(registry, "M1") == "13900000001"
    assert mentions(fetched, BIG) == []
    assert len(fetched) < 30, fetched


async def test_the_read_grows_with_the_workbook_not_with_the_registry(registry: Registry) -> None:
    """Given the community BIG twice as large, the same one-row import fetches exactly as many
    rows; a workbook naming its members fetches theirs."""
    await registry.load(with_a_large_unrelated_community(estates=2))
    row = grid_workbook()["members"][0] | {"phone": "13900000002"}
    with rows_fetched() as small:
        await registry.load({"members": [row]})
    await registry.load(with_a_large_unrelated_community(estates=4))
    row = grid_workbook()["members"][0] | {"phone": "13900000003"}
    with rows_fetched() as large:
        await registry.load({"members": [row]})
    rows = with_a_large_unrelated_community(estates=4)["members"]
    named = [m | {"phone": "13900000004"} for m in rows if m["code"] in ("BIG-M1", "BIG-M2")]
    with rows_fetched() as two_of_big:
        await registry.load({"members": named})

    assert len(small) == len(large)
    members_read = {r[1] for r in two_of_big if len(r) > 1 and str(r[1]).startswith("BIG-M")}
    assert members_read == {"BIG-M1", "BIG-M2"}


async def test_a_stored_parent_far_from_the_workbook_is_still_checked(registry: Registry) -> None:
    """Given the known sub-district, a workbook of one place that names a stored estate as its
    parent is checked against that estate's kind and the stored tree (read for the purpose):
    a household straight under an estate is refused, a loop through stored nodes too."""
    await registry.load(with_a_large_unrelated_community(estates=1))

    with pytest.raises(ImportFailed) as wrong_kind:
        await registry.load({"places": [
            {"code": "BIG-E1-B1-1", "parent": "BIG-E1", "kind": "household", "name": "1"},
        ]})  # fmt: skip
    with pytest.raises(ImportFailed) as loop:
        await registry.load({"places": [
            {"code": "BIG", "parent": "BIG-E1-B1", "kind": "community", "name": "大社区"},
        ]})  # fmt: skip

    assert [(p.sheet, p.row, p.column) for p in wrong_kind.value.problems] == [
        ("places", 2, "parent")
    ]
    assert {(p.sheet, p.column) for p in loop.value.problems} == {("places", "parent")}
    assert any("BIG-E1-B1" in p.message for p in loop.value.problems)


async def test_a_kind_change_is_checked_against_stored_children_it_does_not_name(
    registry: Registry,
) -> None:
    """Given the known sub-district, a workbook turning estate E1 (with stored buildings) into
    a grid is refused for each stored child it does not name; turning an empty building
    into a unit of another building moves its tally: the tallies equal a count from scratch."""
    await registry.load(grid_workbook())

    with pytest.raises(ImportFailed) as refused:
        await registry.load({"places": [
            {"code": "E1", "parent": "C1", "kind": "grid", "name": "一号网格"},
        ]})  # fmt: skip
    await registry.load({"places": [
        {"code": "E1-B2", "parent": "E1-B1", "kind": "unit", "name": "2单元"},
    ]})  # fmt: skip

    assert sorted(p.message.split("'")[1] for p in refused.value.problems) == ["E1-B1", "E1-B2"]
    tallies = await stored_tallies(registry)
    assert "E1-B2" not in tallies
    assert tallies == await counted_from_scratch(registry)
