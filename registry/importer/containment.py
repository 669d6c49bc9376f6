"""Coverage containment for imports: a workbook may not leave an organisation covering a place
outside its parent's territory (`registry.core.containment`), as `setCoverage` may not.

The rule is checked on what the import has written, inside its transaction, before it
commits: the organisations the workbook lists and their children (whose parent's territory it
may have changed). Only pairs the workbook's coverage or parents bring about are refused —
coverage already stored outside, or left outside by a place the workbook moves, is the rules
report's to name, so that it never blocks the workbook that puts it right."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, String, any_, bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from registry.core.containment import outside_parent
from registry.core.errors import ErrorCode
from registry.core.models import Coverage, Organisation, Place
from registry.importer.report import RowProblem
from registry.importer.workbook_format import Sheet

Pair = tuple[str, str]  # (organisation code, place code)


@dataclass(frozen=True)
class Ties:
    """What containment depends on, for the organisations a workbook lists and their
    children: the pairs outside now, each one's parent and what it and its parent cover."""

    outside: frozenset[Pair] = frozenset()
    parents: Mapping[str, str | None] = field(default_factory=dict)
    covers: Mapping[str, frozenset[str]] = field(default_factory=dict)


async def ties_of(session: AsyncSession, sheet: Sheet | None) -> Ties:
    """The `Ties` of the organisations `sheet` lists and their children, as stored now."""
    codes = _codes(sheet)
    if not codes:
        return Ties()
    postgres = session.get_bind().dialect.name == "postgresql"
    org, parent = aliased(Organisation), aliased(Organisation)
    found = await session.execute(
        select(org.code, parent.code)
        .outerjoin(parent, parent.id == org.parent_id)
        .where(_listed_or_child(org, codes, postgres))
    )
    parents: dict[str, str | None] = {code: above for code, above in found.all()}
    judged = set(parents) | {above for above in parents.values() if above}
    covered = await session.execute(
        select(Organisation.code, Place.code)
        .join(Coverage, Coverage.organisation_id == Organisation.id)
        .join(Place, Place.id == Coverage.place_id)
        .where(Coverage.end.is_(None), _among(Organisation.code, judged, postgres))
    )
    covers: dict[str, set[str]] = {}
    for code, place in covered.all():
        covers.setdefault(code, set()).add(place)
    outside = await session.execute(outside_parent(lambda o: _listed_or_child(o, codes, postgres)))
    return Ties(
        frozenset((o.code, p.code) for o, p in outside.all()),
        parents,
        {code: frozenset(places) for code, places in covers.items()},
    )


async def containment_problems(
    session: AsyncSession, sheet: Sheet | None, before: Ties
) -> list[RowProblem]:
    """A problem at the row that brought it about for each pair outside its parent's territory
    that the workbook's coverage or parents made (a place moved under an organisation is the
    rules report's to name, as a move through the API is): the organisation's own row, or
    its parent's."""
    if sheet is None:
        return []
    after = await ties_of(session, sheet)
    empty: frozenset[str] = frozenset()

    def made_here(code: str, place: str) -> bool:
        parent = after.parents.get(code)
        return (
            place not in before.covers.get(code, empty)
            or before.parents.get(code) != parent
            or (parent is not None and before.covers.get(parent) != after.covers.get(parent))
        )

    made = sorted(pair for pair in after.outside - before.outside if made_here(*pair))
    rows = {row["code"]: number for number, row in sheet.rows}
    problems = []
    for code, place in made:
        parent = after.parents.get(code) or ""
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


def _listed_or_child(org: Any, codes: set[str], postgres: bool) -> ColumnElement[bool]:
    listed = select(Organisation.id).where(_among(Organisation.code, codes, postgres))
    return or_(_among(org.code, codes, postgres), org.parent_id.in_(listed))


def _among(column: Any, codes: set[str], postgres: bool) -> ColumnElement[bool]:
    """`column IN codes`; on PostgreSQL one array parameter, as a city lists more
    organisations than asyncpg takes parameters (32,767)."""
    if postgres:
        return column == any_(bindparam(None, sorted(codes), ARRAY(String), unique=True))
    return column.in_(codes)
