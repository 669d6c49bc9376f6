"""Coverage containment for imports: a workbook may not leave an organisation covering a place
outside its parent's territory (`registry.core.containment`), as `setCoverage` may not.

The rule is checked on what the import has written, inside its transaction, before it
commits: the organisations the workbook lists and their children (whose parent's territory it
may have changed). Only pairs the import brings about are refused — coverage already stored
outside is left to the rules report, so that it never blocks the workbook that puts it right."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from registry.core.containment import outside_parent
from registry.core.errors import ErrorCode
from registry.core.models import Organisation
from registry.importer.report import RowProblem
from registry.importer.workbook_format import Sheet

Pair = tuple[str, str]  # (organisation code, place code)


async def outside_pairs(session: AsyncSession, sheet: Sheet | None) -> set[Pair]:
    """The (organisation, place) coverage pairs outside the parent's territory among the
    organisations `sheet` lists and their children, as stored now."""
    codes = _codes(sheet)
    if not codes:
        return set()
    rows = await session.execute(outside_parent(lambda org: _listed_or_child(org, codes)))
    return {(org.code, place.code) for org, place in rows.all()}


async def containment_problems(
    session: AsyncSession, sheet: Sheet | None, before: set[Pair]
) -> list[RowProblem]:
    """A problem at the row that brought it about for each pair outside its parent's territory
    that the import made: the organisation's own row, or its parent's."""
    if sheet is None:
        return []
    now = await outside_pairs(session, sheet)
    made = sorted(now - before)
    if not made:
        return []
    rows = {row["code"]: number for number, row in sheet.rows}
    parent_org = aliased(Organisation)
    found = await session.execute(
        select(Organisation.code, parent_org.code)
        .join(parent_org, parent_org.id == Organisation.parent_id)
        .where(Organisation.code.in_({code for code, _ in made}))
    )
    parents: dict[str, str] = {code: parent for code, parent in found.all()}
    problems = []
    for code, place in made:
        parent = parents.get(code, "")
        at = code if code in rows else parent
        problems.append(
            RowProblem(
                "organisations", rows.get(at), "covers",
                f"{code} would cover {place}, outside the territory of {parent}, the "
                "organisation above: an organisation covers only places inside its parent's",
                ErrorCode.CONFLICT,
                {"organisation": code, "place": place, "parent": parent},
            )
        )  # fmt: skip
    return problems


def _codes(sheet: Sheet | None) -> set[str]:
    return {row["code"] for _, row in sheet.rows if row.get("code")} if sheet else set()


def _listed_or_child(org: Any, codes: set[str]) -> ColumnElement[bool]:
    listed = select(Organisation.id).where(Organisation.code.in_(codes))
    return or_(org.code.in_(codes), org.parent_id.in_(listed))
