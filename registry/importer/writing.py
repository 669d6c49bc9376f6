"""Writing a validated workbook: upserts by code, in the caller's one write transaction.

Rows go in as Core bulk statements (executemany over plain dicts, no ORM objects) with ids
assigned here from max(id)+1, so a district of 400,000 rows loads in seconds. Materialised paths
are computed here too; a stored subtree whose root moves is re-pathed by one set-based UPDATE
over its path range.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Table, bindparam, delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from registry.audit.changelog import Entry, Recorder
from registry.core import calendar, org_tallies
from registry.core.kinds import PlaceKind
from registry.core.models import (
    Affiliation,
    BuildingTally,
    Coverage,
    Member,
    MemberSkill,
    Office,
    Organisation,
    Place,
)
from registry.core.paths import depth_of, ids_of
from registry.core.placements import regrouped, sync_placements
from registry.core.tallies import covered_places, refresh_all, refresh_places, touched_places
from registry.importer.final_paths import FinalPaths, member_paths
from registry.importer.ids import COPY_BATCH, Ids, batches, insert_rows
from registry.importer.pairings import write_pairings
from registry.importer.progress import Tracker
from registry.importer.stored import Stored, StoredMember, StoredNode, Tree
from registry.importer.tasks import write_tasks
from registry.importer.validation import MemberRow, NodeRow, OfficeRow, Plan
from registry.writes.common import repath_subtree

PLACE: Table = Place.metadata.tables[Place.__tablename__]
ORGANISATION: Table = Organisation.metadata.tables[Organisation.__tablename__]
COVERAGE: Table = Coverage.metadata.tables[Coverage.__tablename__]
MEMBER: Table = Member.metadata.tables[Member.__tablename__]
SKILL: Table = MemberSkill.metadata.tables[MemberSkill.__tablename__]
AFFILIATION: Table = Affiliation.metadata.tables[Affiliation.__tablename__]
OFFICE: Table = Office.metadata.tables[Office.__tablename__]
BUILDING_TALLY: Table = BuildingTally.metadata.tables[BuildingTally.__tablename__]


@dataclass
class Created:
    """What the members an import creates move, gathered as they are written (their change
    rows are recorded then, not kept): the households they live in and the members placed
    in a group."""

    households: set[int] = field(default_factory=set)
    grouped: set[int] = field(default_factory=set)


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


async def write_plan(
    session: AsyncSession, plan: Plan, tracker: Tracker, recorder: Recorder
) -> dict[str, dict[str, int]]:
    """Write the plan; return created/updated/unchanged counts per sheet present.

    Every place, organisation and member created or changed gets its own change row (before
    and after, as the API's writes record them), so that answers "as of" a date before the
    import see the registry as it was."""
    stored, today = plan.stored, calendar.today()
    counts: dict[str, dict[str, int]] = {}
    log: list[Entry] = []
    created = Created()
    places = _tree_ids(stored.places, plan.places)
    orgs = _tree_ids(stored.organisations, plan.organisations)
    place_paths = FinalPaths(plan.places, stored.places, places)
    org_paths = FinalPaths(plan.organisations, stored.organisations, orgs)
    if "places" in plan.sheets:
        changed = await _write_tree(
            session, PLACE, plan.places, stored.places, places, place_paths, tracker, "places",
            log, recorder,
        )  # fmt: skip
        counts["places"] = _count(plan.places, stored.places.by_code, changed).as_dict()
    if "organisations" in plan.sheets:
        changed = await _write_tree(
            session, ORGANISATION, plan.organisations, stored.organisations, orgs, org_paths,
            tracker, "organisations", log, recorder,
        )  # fmt: skip
        changed |= await _write_coverage(
            session, plan.organisations, stored, orgs, places, place_paths, today
        )
        counts["organisations"] = _count(
            plan.organisations, stored.organisations.by_code, changed
        ).as_dict()
    members = Ids({code: m.id for code, m in stored.members.items()}, stored.member_max_id + 1)
    place_paths.narrow(m.household for m in plan.members)
    if "members" in plan.sheets:
        counts["members"] = (
            await _write_members(
                session, plan, members, orgs, places, (org_paths, place_paths), today, tracker,
                log, recorder, created,
            )  # fmt: skip
        ).as_dict()
    if "offices" in plan.sheets:
        offices = await _write_offices(session, plan.offices, stored, members, orgs)
        counts["offices"] = offices.as_dict()
    if "pairings" in plan.sheets:
        counts["pairings"] = await write_pairings(session, plan.pairings, members, places)
    counts |= await write_tasks(session, plan.tasks, plan.suggestions, set(plan.sheets))
    organisations = await _refresh_org_tallies(session, plan, orgs, places, log)
    await _refresh_tallies(session, plan, (orgs, places), log, created.households, organisations)
    # Groups the sheet set or changed enter those members' group history as of the import.
    moved = regrouped((e, i, b, a) for e, i, _, b, a in log) | created.grouped
    await sync_placements(session, moved, today)
    await _advance_sequences(session)
    await recorder.record_many(log)
    return counts


# Above this many places whose buildings' tallies may move (a bulk load), one set-based
# recompute of every building costs less than seeking them in batches.
WHOLESALE_TALLIES = 50_000
TALLY_BATCH = 1_000  # places per refresh: their lineages stay under every driver's limit


async def _refresh_tallies(
    session: AsyncSession,
    plan: Plan,
    ids: tuple[Ids, Ids],
    log: list[Entry],
    households: set[int],
    organisations: set[int] | None,
) -> None:
    """Recompute the tallies of the buildings the import's places, members and organisations
    may have moved, in its transaction (a failed import leaves them as they were): the
    buildings at or above each place created, moved or given another kind (where it was and
    where it is), each household a member joined or left (`touched_places`), and each
    place covered, before and after, by an organisation whose figures it refreshed
    (`organisations`; None when it refreshed every one)."""
    orgs, places = ids
    if organisations is None:
        await refresh_all(session)
        return
    touched = touched_places((e[0], e[3], e[4]) for e in log if e[0] == "member")
    touched |= households
    touched |= await covered_places(session, organisations)
    for r in plan.organisations:  # coverage the sheet ended
        touched.update(plan.stored.open_coverage.get(orgs[r.code], {}))
    gone: list[int] = []  # buildings the workbook makes something else: their rows go
    for r, old in _moved_places(plan, places):
        if old is None:
            touched.add(places[r.code])
        else:
            touched.update([old.id, *ids_of(old.path)])
            if old.kind == PlaceKind.BUILDING and r.kind != PlaceKind.BUILDING:
                gone.append(old.id)
    if len(touched) > WHOLESALE_TALLIES:
        await refresh_all(session)
        return
    for chunk in batches(sorted(touched), TALLY_BATCH):
        await refresh_places(session, chunk)
    for chunk in batches(gone):
        await session.execute(delete(BUILDING_TALLY).where(BUILDING_TALLY.c.building_id.in_(chunk)))


async def _refresh_org_tallies(
    session: AsyncSession, plan: Plan, orgs: Ids, places: Ids, log: list[Entry]
) -> set[int] | None:
    """Recompute the figures of the organisations the import's rows may have moved, in its
    transaction (`org_tallies.Touched`): each organisation of the sheet, where it was and
    where it is, with its coverage; each a member row, a group or an office names; each a
    changed member left; whoever covers a place moved or retyped. Every organisation's after
    a bulk load. Returns the ids refreshed, None for every organisation."""
    rows = len(plan.places) + len(plan.organisations) + len(plan.members) + len(plan.offices)
    if rows > WHOLESALE_TALLIES:
        if session.get_bind().dialect.name == "postgresql":
            # Planned on the statistics of the empty tables, each organisation's counts
            # walked every member: a district's load took a minute instead of seconds.
            # ANALYZE in the transaction counts the rows it inserted.
            await session.execute(text("ANALYZE member, organisation, office, coverage, election"))
        await org_tallies.refresh_all(session)
        return None
    touched = org_tallies.Touched().add((e[0], e[1], e[3], e[4]) for e in log if e[0] == "member")
    stored = plan.stored.organisations.by_code
    for r in plan.organisations:
        touched.counted.add(orgs[r.code])
        touched.covering.add(orgs[r.code])
        if (old := stored.get(r.code)) is not None:
            touched.counted.update(ids_of(old.path))
    for m in plan.members:
        if m.organisation is not None:
            touched.counted.add(orgs[m.organisation])
        if m.group is not None:
            touched.own.add(orgs[m.group])
    touched.own.update(orgs[o.organisation] for o in plan.offices)
    moved = [old for _, old in _moved_places(plan, places) if old is not None]
    touched.places.update(old.path for old in moved)
    for chunk in batches([old.id for old in moved], TALLY_BATCH):  # where they are now
        touched.places.update(
            await session.scalars(select(PLACE.c.path).where(PLACE.c.id.in_(chunk)))
        )
    return await touched.refresh(session)


def _moved_places(plan: Plan, places: Ids) -> Iterator[tuple[NodeRow, StoredNode | None]]:
    """The rows of the places sheet that create a place (stored None) or move or retype a
    stored one, with the stored place."""
    stored = plan.stored.places.by_code
    for r in plan.places:
        old = stored.get(r.code)
        if old is None or old.kind != r.kind or old.parent_id != places.get(r.parent):
            yield r, old


def _count(rows: Sequence[NodeRow], stored: dict[str, Any], changed: set[str]) -> Counts:
    created = sum(1 for r in rows if r.code not in stored)
    return Counts(created, len(changed), len(rows) - created - len(changed))


def _tree_ids(stored: Tree, rows: Sequence[NodeRow]) -> Ids:
    """Stored ids, and new ones level by level (in row order within a level), so parents get
    smaller ids than their children and siblings keep the order of the sheet."""
    ids = Ids({code: node.id for code, node in stored.by_code.items()}, stored.max_id + 1)
    # Only the nodes with children in the sheet are kept by code (their parents and depths):
    # leaves are most of a city, and a map of its 8 million places was the import's peak.
    parents = {r.parent for r in rows if r.parent is not None}
    parent_of = {r.code: r.parent for r in rows if r.code in parents}
    depths: dict[str, int] = {}

    def depth(code: str) -> int:
        """The depth of a node with children in the sheet, or of a stored one."""
        found = depths.get(code)
        if found is None:
            if code in parent_of:
                parent = parent_of[code]
                found = 0 if parent is None else depth(parent) + 1
            else:
                found = stored.by_code[code].depth
            depths[code] = found
        return found

    levels: dict[int, list[str]] = {}
    for r in rows:
        if r.code not in stored.by_code:
            level = 0 if r.parent is None else depth(r.parent) + 1
            levels.setdefault(level, []).append(r.code)
    for level in sorted(levels):
        for code in levels.pop(level):
            ids.assign(code)
    return ids


async def _write_tree(
    session: AsyncSession,
    table: Table,
    rows: Sequence[NodeRow],
    stored: Tree,
    ids: Ids,
    final_path: FinalPaths,
    tracker: Tracker,
    sheet: str,
    log: list[Entry],
    recorder: Recorder,
) -> set[str]:
    """Upsert one tree; return the codes of stored nodes that changed (renamed, moved, ...).
    Their change rows go to `log`; those of created nodes are recorded as they are written."""
    entity = table.name
    with_established = "established" in table.c
    moved: list[NodeRow] = []
    changed: list[dict[str, Any]] = []
    new: list[NodeRow] = []
    for r in rows:
        old = stored.by_code.get(r.code)
        if old is None:
            new.append(r)
            continue
        values = _node_values(r, with_established)
        is_moved = old.parent_id != ids.get(r.parent)
        if is_moved:
            moved.append(r)
        if is_moved or _differs(old, values):
            changed.append({"b_id": old.id, **{f"b_{k}": v for k, v in values.items()}})
            after = values | {"code": r.code, "parent_id": ids.get(r.parent)}
            log.append((entity, old.id, "update", _stored_state(old, after), after))
    tracker.start(f"writing {sheet}", len(rows))
    # Top-down in the final tree, so each parent's path is final when a child moves under it.
    for r in sorted(moved, key=lambda r: len(final_path(r.code))):
        await _move(session, table, ids[r.code], ids.get(r.parent), final_path(r.code))
    if changed:
        columns = [k[2:] for k in changed[0] if k != "b_id"]
        statement = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values({c: bindparam(f"b_{c}") for c in columns} | {"version": table.c.version + 1})
        )
        for chunk in batches(changed):
            await session.execute(statement, list(chunk))
    # Parents first (foreign keys are checked row by row): new ids were handed out level by
    # level. Rows and their change rows are made a batch at a time, never all at once.
    new.sort(key=lambda r: ids[r.code])
    for chunk in batches(new, COPY_BATCH):
        values_of = [_new_node(r, ids, final_path(r.code), with_established) for r in chunk]
        await insert_rows(session, table, values_of)
        await recorder.record_many(
            [(entity, v["id"], "create", None, _node_state(v)) for v in values_of]
        )
        tracker.advance(f"writing {sheet}", len(chunk))
    tracker.advance(f"writing {sheet}", len(rows) - len(new))
    return {stored.code_of[c["b_id"]] for c in changed}


def _node_values(r: NodeRow, with_established: bool) -> dict[str, Any]:
    """The columns a row of a tree sheet sets, on a node created or updated."""
    values: dict[str, Any] = {"kind": r.kind, "name": r.name}
    if with_established:
        values["established"] = r.established
    return values


def _new_node(r: NodeRow, ids: Ids, path: str, with_established: bool) -> dict[str, Any]:
    """The columns of a node the import creates."""
    values = _node_values(r, with_established)
    values |= {"id": ids[r.code], "code": r.code, "parent_id": ids.get(r.parent),
               "path": path, "depth": depth_of(path), "version": 1}  # fmt: skip
    if with_established:
        values["status"] = "active"
    return values


def _differs(old: Any, values: dict[str, Any]) -> bool:
    return any(getattr(old, k) != v for k, v in values.items())


def _node_state(values: dict[str, Any]) -> dict[str, Any]:
    """A new node's fields as its change row shows them (ids and paths as stored)."""
    return {k: v for k, v in values.items() if k not in ("id", "path", "depth", "version")}


def _stored_state(old: StoredNode | StoredMember, after: dict[str, Any]) -> dict[str, Any]:
    """The stored values of the fields an import is about to set."""
    return {k: getattr(old, k) for k in after}


async def _move(
    session: AsyncSession, table: Table, node_id: int, parent_id: int | None, new_path: str
) -> None:
    """Put a stored node under a new parent and re-path its whole subtree in one UPDATE."""
    old_path = await session.scalar(select(table.c.path).where(table.c.id == node_id))
    assert old_path is not None
    await session.execute(update(table).where(table.c.id == node_id).values(parent_id=parent_id))
    await repath_subtree(session, table, old_path, new_path)


async def _write_coverage(
    session: AsyncSession,
    rows: Sequence[NodeRow],
    stored: Stored,
    orgs: Ids,
    places: Ids,
    place_paths: FinalPaths,
    today: date,
) -> set[str]:
    """Make each listed organisation cover exactly its `covers` now: open new coverage rows
    (with their places' final paths), end (today) the ones no longer listed. Returns the codes
    of stored organisations changed."""
    added: list[dict[str, Any]] = []
    ended: list[int] = []
    changed: set[str] = set()
    for r in rows:
        if r.covers is None:
            continue
        org_id = orgs[r.code]
        wanted = {places[code]: code for code in r.covers}
        current = stored.open_coverage.get(org_id, {})
        is_new = r.code in orgs.new
        start = r.established if is_new else today
        opened = sorted(wanted.keys() - current.keys())
        added.extend(
            {"organisation_id": org_id, "place_id": p, "start": start, "end": None,
             "place_path": place_paths(wanted[p])}
            for p in opened
        )  # fmt: skip
        gone = [cover_id for place_id, cover_id in current.items() if place_id not in wanted]
        ended.extend(gone)
        if not is_new and (gone or opened):
            changed.add(r.code)
    await insert_rows(session, COVERAGE, added)
    for chunk in batches(ended):
        await session.execute(update(COVERAGE).where(COVERAGE.c.id.in_(chunk)).values(end=today))
    return changed


MEMBER_FIELDS = ("name", "gender", "status", "joined", "organisation_id", "workplace",
                 "household_id", "reports_to_id", "phone", "task_capacity",
                 "group_id", "in_service", "reported_on")  # fmt: skip
# Sheet columns that may be absent (then the stored value stays), and the fields they fill.
OPTIONAL_MEMBER_COLUMNS = {
    "gender": ("gender",), "joined": ("joined",), "household": ("household_id",),
    "reports_to": ("reports_to_id",), "phone": ("phone",), "task_capacity": ("task_capacity",),
    "group": ("group_id",),
}  # fmt: skip


async def _write_members(
    session: AsyncSession,
    plan: Plan,
    ids: Ids,
    orgs: Ids,
    places: Ids,
    paths: tuple[FinalPaths, FinalPaths],
    today: date,
    tracker: Tracker,
    log: list[Entry],
    recorder: Recorder,
    created: Created,
) -> Counts:
    """Upsert members; a new formal tie closes the open affiliation and opens another.
    Change rows of changed members go to `log`; created members are written and recorded a
    batch at a time (`_create_members`)."""
    stored, columns = plan.stored, plan.sheets["members"].columns
    kept = {f for c, fs in OPTIONAL_MEMBER_COLUMNS.items() if c not in columns for f in fs}
    # organisation and workplace are one tie: either column present sets both.
    if "organisation" not in columns and "workplace" not in columns:
        kept |= {"organisation_id", "workplace", "in_service"}
    counts = Counts()
    new: list[tuple[int, MemberRow]] = []
    changed: list[dict[str, Any]] = []
    ties: list[dict[str, Any]] = []
    closed_ties: list[int] = []
    skill_rows: list[dict[str, Any]] = []
    skills_replaced: list[int] = []
    for m in plan.members:
        old = stored.members.get(m.code)
        if old is None:  # written with its tie and skills a batch at a time, below
            new.append((ids.assign(m.code), m))
            counts.created += 1
            continue
        values = _member_values(m, orgs, places) | {f: getattr(old, f) for f in kept}
        # The sheet has no 报到 column: an in-service member keeps theirs.
        values["reported_on"] = old.reported_on if values["in_service"] else None
        if "group" not in columns and values["organisation_id"] != old.organisation_id:
            values["group_id"] = None  # a member leaves the old branch's group with it
        member_id = old.id
        tie = {"member_id": member_id, "organisation_id": values["organisation_id"],
               "workplace": values["workplace"], "end": None}  # fmt: skip
        skills = set(m.skills) if m.skills is not None else None
        is_changed = any(getattr(old, f) != values[f] for f in MEMBER_FIELDS)
        moved = (old.organisation_id, old.workplace) != (
            tie["organisation_id"],
            tie["workplace"],
        )
        if moved or member_id not in stored.open_affiliation:
            closed_ties.append(member_id)
            ties.append(tie | {"start": today if moved else None})
        if skills is not None and skills != stored.skills.get(member_id, frozenset()):
            skills_replaced.append(member_id)
            is_changed = True
        else:
            skills = None
        if is_changed:
            changed.append({"b_id": member_id, **{f"b_{f}": values[f] for f in MEMBER_FIELDS}})
            after = {"code": m.code, **{f: values[f] for f in MEMBER_FIELDS}}
            if skills is not None:
                after["skills"] = sorted(skills)
            before = _stored_state(old, {k: v for k, v in after.items() if k != "skills"})
            if skills is not None:
                before["skills"] = sorted(stored.skills.get(member_id, frozenset()))
            log.append(("member", member_id, "update", before, after))
            counts.updated += 1
        else:
            counts.unchanged += 1
        skill_rows.extend({"member_id": member_id, "skill": s} for s in sorted(skills or ()))
    tracker.start("writing members", len(plan.members))
    for chunk in batches(new, COPY_BATCH):
        await _create_members(session, chunk, orgs, places, paths, recorder, created)
        tracker.advance("writing members", len(chunk))
    if changed:
        statement = (
            update(MEMBER)
            .where(MEMBER.c.id == bindparam("b_id"))
            .values({f: bindparam(f"b_{f}") for f in MEMBER_FIELDS})
            .values(version=MEMBER.c.version + 1)
        )
        for chunk in batches(changed):
            await session.execute(statement, list(chunk))
    tracker.advance("writing members", len(plan.members) - len(new))
    for chunk in batches(closed_ties):
        await session.execute(
            update(AFFILIATION)
            .where(AFFILIATION.c.member_id.in_(chunk), AFFILIATION.c.end.is_(None))
            .values(end=today)
        )
    await insert_rows(session, AFFILIATION, ties)
    for chunk in batches(skills_replaced):
        await session.execute(delete(SKILL).where(SKILL.c.member_id.in_(chunk)))
    await insert_rows(session, SKILL, skill_rows)
    return counts


async def _create_members(
    session: AsyncSession,
    rows: Sequence[tuple[int, MemberRow]],
    orgs: Ids,
    places: Ids,
    paths: tuple[FinalPaths, FinalPaths],
    recorder: Recorder,
    created: Created,
) -> None:
    """Insert one batch of new members with their formal ties and skills, record their change
    rows, and note the households and groups they join. Each row carries its ties' final paths:
    the database fills only paths a writer leaves out, and a lookup per row costs a city's
    import most of a minute."""
    members: list[dict[str, Any]] = []
    ties: list[dict[str, Any]] = []
    skills: list[dict[str, Any]] = []
    entries: list[Entry] = []
    for member_id, m in rows:
        values = _member_values(m, orgs, places)
        members.append({"id": member_id, "code": m.code, "version": 1, "full_on": None, **values,
                        **member_paths(m, *paths)})  # fmt: skip
        entries.append(("member", member_id, "create", None, {"code": m.code, **values}))
        ties.append({"member_id": member_id, "organisation_id": values["organisation_id"],
                     "workplace": values["workplace"], "end": None, "start": None})  # fmt: skip
        skills.extend({"member_id": member_id, "skill": s} for s in sorted(set(m.skills or ())))
        if values["household_id"] is not None:
            created.households.add(values["household_id"])
        if values["group_id"] is not None:
            created.grouped.add(member_id)
    await insert_rows(session, MEMBER, members)
    await insert_rows(session, AFFILIATION, ties)
    await insert_rows(session, SKILL, skills)
    await recorder.record_many(entries)


def _member_values(m: MemberRow, orgs: Ids, places: Ids) -> dict[str, Any]:
    return {
        "name": m.name,
        "gender": m.gender,
        "status": m.status,
        "joined": m.joined,
        "organisation_id": orgs.get(m.organisation),
        "workplace": m.workplace,
        "household_id": places.get(m.household),
        "reports_to_id": orgs.get(m.reports_to),
        "phone": m.phone,
        "task_capacity": m.task_capacity,
        "group_id": orgs.get(m.group) if m.group else None,
        # The sheet's tie says it: a workplace is the in-service tie (在职党员); the 报到 day
        # is entered in the registry, not in the sheet.
        "in_service": m.workplace is not None,
        "reported_on": None,
    }


async def _write_offices(
    session: AsyncSession, rows: Sequence[OfficeRow], stored: Stored, members: Ids, orgs: Ids
) -> Counts:
    """Insert new terms (keyed by member, organisation, role and start); update their end."""
    counts = Counts()
    new: list[dict[str, Any]] = []
    ends: list[dict[str, Any]] = []
    for o in rows:
        key = (members[o.member], orgs[o.organisation], o.role, o.start)
        found = stored.offices.get(key)
        if found is None:
            new.append({"member_id": key[0], "organisation_id": key[1], "role": o.role,
                        "start": o.start, "end": o.end})  # fmt: skip
            counts.created += 1
        elif found[1] != o.end:
            ends.append({"b_id": found[0], "b_end": o.end})
            counts.updated += 1
        else:
            counts.unchanged += 1
    await insert_rows(session, OFFICE, new)
    if ends:
        statement = (
            update(OFFICE).where(OFFICE.c.id == bindparam("b_id")).values(end=bindparam("b_end"))
        )
        await session.execute(statement, ends)
    return counts


async def _advance_sequences(session: AsyncSession) -> None:
    """On PostgreSQL, move the id sequences past the ids assigned here."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in ("place", "organisation", "member"):
        await session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT max(id) FROM {table}), 1), "
                f"(SELECT max(id) IS NOT NULL FROM {table}))"
            )
        )
