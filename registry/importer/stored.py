"""What the database holds that a workbook names, read before an import.

An import compares every row of the workbook with the stored row of the same code, and checks
each reference against the stored registry. It reads only what the workbook names: the rows of
its codes, their ancestors (from their materialised paths), and what its checks need of the
rest — the stored children of a node whose kind it changes, the open coverage of the
organisations it lists, the skills and formal ties of the members it lists, the offices of the
members its offices name. Each is one indexed statement per batch of codes or ids (columns it
needs only, no ORM objects), so an import's cost follows the workbook, not the registry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from registry.core.kinds import OrgKind, PlaceKind
from registry.core.models import (
    Affiliation,
    Coverage,
    Member,
    MemberSkill,
    Office,
    Organisation,
    Place,
)
from registry.core.paths import ids_of
from registry.core.validation import character_problem, parse_enum
from registry.importer.ids import batches
from registry.importer.workbook_format import Sheet, split_list


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
    """Stored nodes of one tree by code, and codes by id: those an import reads, each with its
    ancestors; `max_id` is the table's."""

    by_code: dict[str, StoredNode] = field(default_factory=dict)
    code_of: dict[int, str] = field(default_factory=dict)
    max_id: int = 0

    def add(self, node: StoredNode) -> None:
        self.by_code[node.code] = node
        self.code_of[node.id] = node.code

    def parent_code(self, code: str) -> str | None:
        parent_id = self.by_code[code].parent_id
        return None if parent_id is None else self.code_of[parent_id]


@dataclass
class Stored:
    """What an import compares against: the rows its workbook names (`read_stored`)."""

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
                  "office", "change", "building_tally", "org_tally")  # fmt: skip


async def lock_tables(session: AsyncSession) -> None:
    """On PostgreSQL, take the tables an import writes for the length of its transaction.

    Ids are assigned in Python from max(id)+1, so a concurrent insert must wait (SQLite's
    BEGIN IMMEDIATE already serialises writers). Readers are not blocked."""
    if session.get_bind().dialect.name == "postgresql":
        names = ", ".join(WRITTEN_TABLES)
        await session.execute(text(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE"))


@dataclass(frozen=True)
class Named:
    """The codes a workbook names, wherever it names them, per table."""

    places: frozenset[str]
    organisations: frozenset[str]
    members: frozenset[str]


def named_codes(sheets: dict[str, Sheet], empty: frozenset[str] = frozenset()) -> Named:
    """Every place, organisation and member code the cells of `sheets` hold; none of the
    tables named in `empty` (nothing stored there can be named)."""
    found: dict[str, set[str]] = {"place": set(), "organisation": set(), "member": set()}
    # (sheet, column, the codes' table, whether the cell lists several codes)
    references = (
        ("places", "code", "place", False), ("places", "parent", "place", False),
        ("organisations", "code", "organisation", False),
        ("organisations", "parent", "organisation", False),
        ("organisations", "covers", "place", True),
        ("members", "code", "member", False), ("members", "organisation", "organisation", False),
        ("members", "reports_to", "organisation", False),
        ("members", "group", "organisation", False), ("members", "household", "place", False),
        ("offices", "member", "member", False), ("offices", "organisation", "organisation", False),
        ("pairings", "member", "member", False), ("pairings", "place", "place", False),
        ("tasks", "organisation", "organisation", False), ("tasks", "places", "place", True),
        ("tasks", "leader", "member", False),
        ("suggestions", "place", "place", False), ("suggestions", "heard_by", "member", False),
    )  # fmt: skip
    for sheet_name, column, table, listed in references:
        sheet = sheets.get(sheet_name)
        if sheet is None or not sheet.has(column) or table in empty:
            continue
        for _, cells in sheet.rows:
            cell = cells[column]
            named = split_list(cell) if listed else (cell,) if cell else ()
            # A code no text may hold names nothing stored (PostgreSQL refuses even to look
            # for one with NUL in it); validation reports the cell.
            found[table].update(c for c in named if character_problem(c, multiline=False) is None)
    return Named(*(frozenset(found[t]) for t in ("place", "organisation", "member")))


async def read_stored(session: AsyncSession, sheets: dict[str, Sheet]) -> Stored:
    """The stored rows the import of `sheets` needs (see the module docstring)."""
    # A table with nothing stored (a first import) is not searched code by code: a city's
    # millions of codes would be looked up in thousands of statements for nothing.
    stored_any = {
        table.__tablename__: await session.scalar(select(table.id).limit(1)) is not None
        for table in (Place, Organisation, Member)
    }
    named = named_codes(sheets, frozenset(t for t, found in stored_any.items() if not found))
    places = await _read_tree(session, PLACE_COLUMNS, named.places, sheets.get("places"), PlaceKind)
    organisations = await _read_tree(
        session, ORG_COLUMNS, named.organisations, sheets.get("organisations"), OrgKind
    )
    members: dict[str, StoredMember] = {}
    for chunk in batches(sorted(named.members)):
        for row in await session.execute(select(*MEMBER_COLUMNS).where(Member.code.in_(chunk))):
            members[row.code] = StoredMember(**row._mapping)
    listed = _stored_ids(sheets.get("members"), "code", members)
    skill_sets: dict[int, set[str]] = {}
    for chunk in batches(listed):
        statement = select(MemberSkill.member_id, MemberSkill.skill).where(
            MemberSkill.member_id.in_(chunk)
        )
        for member_id, skill in await session.execute(statement):
            skill_sets.setdefault(member_id, set()).add(skill)
    affiliated: set[int] = set()
    for chunk in batches(listed):
        affiliated.update(await session.scalars(
            select(Affiliation.member_id).where(
                Affiliation.member_id.in_(chunk), Affiliation.end.is_(None)
            )
        ))  # fmt: skip
    offices = {}
    for chunk in batches(_stored_ids(sheets.get("offices"), "member", members)):
        offices.update({
            (member_id, org_id, role, start): (office_id, end)
            for office_id, member_id, org_id, role, start, end in await session.execute(
                select(Office.id, Office.member_id, Office.organisation_id, Office.role,
                       Office.start, Office.end).where(Office.member_id.in_(chunk))
            )
        })  # fmt: skip
    coverage: dict[int, dict[int, int]] = {}
    org_sheet = sheets.get("organisations")
    covering = _stored_ids(org_sheet, "code", organisations.by_code)
    for chunk in batches(covering if org_sheet is not None and org_sheet.has("covers") else []):
        cover_rows = await session.execute(
            select(Coverage.id, Coverage.organisation_id, Coverage.place_id).where(
                Coverage.organisation_id.in_(chunk), Coverage.end.is_(None)
            )
        )
        for cover_id, org_id, place_id in cover_rows:
            coverage.setdefault(org_id, {})[place_id] = cover_id
    return Stored(
        places=places,
        organisations=organisations,
        members=members,
        member_max_id=await session.scalar(select(func.max(Member.id))) or 0,
        skills={k: frozenset(v) for k, v in skill_sets.items()},
        open_coverage=coverage,
        open_affiliation=affiliated,
        offices=offices,
    )


PLACE_COLUMNS = (Place.id, Place.code, Place.kind, Place.name, Place.parent_id, Place.path,
                 Place.depth)  # fmt: skip
ORG_COLUMNS = (Organisation.id, Organisation.code, Organisation.kind, Organisation.name,
               Organisation.parent_id, Organisation.path, Organisation.depth,
               Organisation.status, Organisation.established)  # fmt: skip
MEMBER_COLUMNS = (Member.id, Member.code, Member.name, Member.gender, Member.status,
                  Member.joined, Member.organisation_id, Member.workplace, Member.household_id,
                  Member.reports_to_id, Member.phone, Member.task_capacity,
                  Member.group_id, Member.departed_on, Member.in_service,
                  Member.reported_on)  # fmt: skip


async def _read_tree(
    session: AsyncSession,
    columns: tuple[InstrumentedAttribute[Any], ...],
    codes: frozenset[str],
    sheet: Sheet | None,
    kinds: type[PlaceKind] | type[OrgKind],
) -> Tree:
    """The stored nodes of these codes and all their ancestors (so every stored node's parent
    is there too), and the stored children of those the sheet gives another kind."""
    table = columns[0].class_
    tree = Tree(max_id=await session.scalar(select(func.max(table.id))) or 0)
    for chunk in batches(sorted(codes)):
        for row in await session.execute(select(*columns).where(table.code.in_(chunk))):
            tree.add(StoredNode(*row))
    above = {i for node in tree.by_code.values() for i in ids_of(node.path)} - tree.code_of.keys()
    for chunk in batches(sorted(above)):
        for row in await session.execute(select(*columns).where(table.id.in_(chunk))):
            tree.add(StoredNode(*row))
    for chunk in batches(_kind_changed(sheet, tree, kinds)):
        statement = select(*columns).where(table.parent_id.in_(chunk)).order_by(table.id)
        for row in await session.execute(statement):
            tree.add(StoredNode(*row))
    return tree


def _kind_changed(
    sheet: Sheet | None, tree: Tree, kinds: type[PlaceKind] | type[OrgKind]
) -> list[int]:
    """Ids of the stored nodes the sheet gives another kind (a bad kind is the validator's)."""
    changed: set[int] = set()
    for _, cells in sheet.rows if sheet is not None else ():
        node = tree.by_code.get(cells["code"])
        if node is None:
            continue
        try:
            kind = parse_enum(kinds, cells["kind"])
        except ValueError:
            continue
        if kind.value != node.kind:
            changed.add(node.id)
    return sorted(changed)


def _stored_ids(sheet: Sheet | None, column: str, stored: Mapping[str, Any]) -> list[int]:
    """The ids of the stored rows whose codes the sheet's `column` holds."""
    if sheet is None:
        return []
    return sorted({stored[c].id for _, cells in sheet.rows if (c := cells[column]) in stored})
