"""What the database holds before an import, read in one query per table.

An import compares every row of the workbook with the stored row of the same code, so it
reads the stored rows of each table once (columns it needs only, no ORM objects) instead of
looking codes up row by row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from registry.core.models import (
    Affiliation,
    Coverage,
    Member,
    MemberSkill,
    Office,
    Organisation,
    Place,
)


@dataclass(frozen=True)
class StoredNode:
    """A stored place or organisation."""

    id: int
    code: str
    kind: str
    name: str
    parent_id: int | None
    path: str
    depth: int
    status: str = "active"
    established: date | None = None


@dataclass(frozen=True)
class StoredMember:
    id: int
    code: str
    name: str
    gender: str | None
    status: str
    joined: date | None
    organisation_id: int | None
    workplace: str | None
    household_id: int | None
    reports_to_id: int | None
    phone: str | None
    task_capacity: int | None
    group_id: int | None
    departed_on: date | None = None  # left the Party or died: history, not re-imported
    in_service: bool = False
    reported_on: date | None = None


@dataclass
class Tree:
    """The stored nodes of one tree by code, and codes by id."""

    by_code: dict[str, StoredNode] = field(default_factory=dict)
    code_of: dict[int, str] = field(default_factory=dict)
    max_id: int = 0

    def add(self, node: StoredNode) -> None:
        self.by_code[node.code] = node
        self.code_of[node.id] = node.code
        self.max_id = max(self.max_id, node.id)

    def parent_code(self, code: str) -> str | None:
        parent_id = self.by_code[code].parent_id
        return None if parent_id is None else self.code_of[parent_id]


@dataclass
class Stored:
    """Everything an import compares against."""

    places: Tree
    organisations: Tree
    members: dict[str, StoredMember]
    member_max_id: int
    skills: dict[int, frozenset[str]]
    open_coverage: dict[int, dict[int, int]]  # organisation id -> place id -> coverage id
    open_affiliation: set[int]  # member ids with an open affiliation row
    offices: dict[tuple[int, int, str, date | None], tuple[int, date | None]]  # key -> (id, end)


# Tables an import writes; on PostgreSQL it locks them so no one inserts ids behind its back.
WRITTEN_TABLES = ("place", "organisation", "coverage", "member", "member_skill", "affiliation",
                  "office", "change", "building_tally")  # fmt: skip


async def lock_tables(session: AsyncSession) -> None:
    """On PostgreSQL, take the tables an import writes for the length of its transaction.

    Ids are assigned in Python from max(id)+1, so a concurrent insert must wait (SQLite's
    BEGIN IMMEDIATE already serialises writers). Readers are not blocked."""
    if session.bind.dialect.name == "postgresql":
        names = ", ".join(WRITTEN_TABLES)
        await session.execute(text(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE"))


async def read_stored(session: AsyncSession) -> Stored:
    """The stored rows an import needs, one query per table."""
    places = Tree()
    place_rows = await session.execute(
        select(Place.id, Place.code, Place.kind, Place.name, Place.parent_id, Place.path,
               Place.depth)
    )  # fmt: skip
    for row in place_rows:
        places.add(StoredNode(*row))
    organisations = Tree()
    org_rows = await session.execute(
        select(Organisation.id, Organisation.code, Organisation.kind, Organisation.name,
               Organisation.parent_id, Organisation.path, Organisation.depth,
               Organisation.status, Organisation.established)
    )  # fmt: skip
    for row in org_rows:
        organisations.add(StoredNode(*row))
    members: dict[str, StoredMember] = {}
    member_max_id = 0
    member_rows = await session.execute(
        select(Member.id, Member.code, Member.name, Member.gender, Member.status, Member.joined,
               Member.organisation_id, Member.workplace, Member.household_id,
               Member.reports_to_id, Member.phone, Member.task_capacity, Member.group_id,
               Member.departed_on, Member.in_service, Member.reported_on)
    )  # fmt: skip
    for row in member_rows:
        member = StoredMember(*row)
        members[member.code] = member
        member_max_id = max(member_max_id, member.id)
    skill_sets: dict[int, set[str]] = {}
    for member_id, skill in await session.execute(select(MemberSkill.member_id, MemberSkill.skill)):
        skill_sets.setdefault(member_id, set()).add(skill)
    coverage: dict[int, dict[int, int]] = {}
    cover_rows = await session.execute(
        select(Coverage.id, Coverage.organisation_id, Coverage.place_id).where(
            Coverage.end.is_(None)
        )
    )
    for cover_id, org_id, place_id in cover_rows:
        coverage.setdefault(org_id, {})[place_id] = cover_id
    affiliated = set(
        await session.scalars(select(Affiliation.member_id).where(Affiliation.end.is_(None)))
    )
    offices = {
        (member_id, org_id, role, start): (office_id, end)
        for office_id, member_id, org_id, role, start, end in await session.execute(
            select(Office.id, Office.member_id, Office.organisation_id, Office.role,
                   Office.start, Office.end)
        )
    }  # fmt: skip
    return Stored(
        places=places,
        organisations=organisations,
        members=members,
        member_max_id=member_max_id,
        skills={k: frozenset(v) for k, v in skill_sets.items()},
        open_coverage=coverage,
        open_affiliation=affiliated,
        offices=offices,
    )
