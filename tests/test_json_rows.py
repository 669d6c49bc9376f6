"""A few related rows carried as one JSON column come back as the rows themselves."""

from __future__ import annotations

import pytest
from sqlalchemy import Boolean, Column, Table, select

from registry.core.json_rows import JsonRowsOf
from registry.core.models import Member, Organisation
from tests.support import Registry
from tests.workbooks import two_communities

MEMBERS: Table = Member.__table__  # type: ignore[assignment]
ORGANISATIONS: Table = Organisation.__table__  # type: ignore[assignment]


async def test_given_members_and_organisations_when_read_as_json_rows_then_they_are_the_rows(
    registry: Registry,
) -> None:
    await registry.load(two_communities())
    for table in (ORGANISATIONS, MEMBERS):
        carried = JsonRowsOf(list(table.columns))
        async with registry.db.read() as session:
            rows = {tuple(row) for row in (await session.execute(select(table))).all()}
            text = await session.scalar(select(carried.aggregate()))
        assert rows, table.name
        # Dates, nulls, Chinese names and integers all come back as the columns' own values.
        assert set(carried.read(text)) == rows


async def test_given_no_rows_when_read_as_json_rows_then_there_are_none(
    registry: Registry,
) -> None:
    carried = JsonRowsOf(list(ORGANISATIONS.columns))
    async with registry.db.read() as session:
        text = await session.scalar(select(carried.aggregate()))
    assert carried.read(text) == []


def test_a_column_json_cannot_carry_without_loss_is_refused_when_the_statement_is_built() -> None:
    flag = Column("flag", Boolean)
    with pytest.raises(TypeError, match="flag"):
        JsonRowsOf([flag])
