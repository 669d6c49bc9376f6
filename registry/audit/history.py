"""History: reading the change log, and the registry's state "as of" a past date.

The change log (`Change`) holds every write: who (token), when, what, before and after, the
request id grouping a bulk change, and the caller's message. It is read here, scoped like
everything else: a scoped caller sees the changes of the places, organisations and members in
its scope (and of their coverage, offices and affiliations; of the pairings and suggestions at
its places; of the tasks its organisations run or that cover its places, and of their
assignments), judged by where they are now;
the one-row-per-sheet summaries an import writes (entity_id 0), and the changes of rows since
deleted, are shown to unscoped callers only.

"As of" a date D answers from dated relations where the model has them, and from the change
log where it has not:

- a relation (coverage, office term, affiliation, pairing) is *in force* on D when it started
  on or before D (or has no start) and had not ended by D (`end` is the first day without it);
- an organisation *exists* on D when it was established on or before D (or has no date), and
  is *active* on D unless it was closed (merged, dissolved) on or before D;
- an organisation's parent and name and a member's reporting organisation on D are the
  current ones with later changes rolled back from the change log's before/after; a change
  takes effect on its `effective_on` (merges and splits record their approval date) or else
  the day it was written.

Not reconstructed (answered as now): the place tree, places' names, codes, members'
households, skills and phones, and whether a member is in service. Rows deleted since are gone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from registry.access.actor import Actor
from registry.access.scope import Scope
from registry.core import calendar
from registry.core.kinds import OrgStatus
from registry.core.models import (
    Affiliation,
    Assignment,
    Change,
    Coverage,
    Member,
    Office,
    Organisation,
    Pairing,
    Place,
    Suggestion,
    Task,
    TaskPlace,
)
from registry.core.sql import row_limit


def in_force(start: Any, end: Any, on: date) -> ColumnElement[bool]:
    """SQL condition: a dated relation (start, end) holds on day `on`."""
    return and_(or_(start.is_(None), start <= on), or_(end.is_(None), end > on))


def current_or_on(start: Any, end: Any, on: date | None) -> ColumnElement[bool]:
    """SQL condition: the relation holds now (end IS NULL), or on `on` when a date is given."""
    return end.is_(None) if on is None else in_force(start, end, on)


def existed_on(org: Any, on: date) -> ColumnElement[bool]:
    """SQL condition: organisation `org` (an alias) had been established by `on`."""
    return or_(org.established.is_(None), org.established <= on)


def active_on(org: Any, on: date | None) -> ColumnElement[bool]:
    """SQL condition: `org` was active on `on` (or is active now, without a date): established
    by then and not yet closed. A closed organisation with no closing date was never active."""
    if on is None:
        return org.status == OrgStatus.ACTIVE.value
    not_closed = or_(
        org.closed_on > on, and_(org.closed_on.is_(None), org.status == OrgStatus.ACTIVE.value)
    )
    return and_(existed_on(org, on), not_closed)


def member_existed_on(on: date | None) -> ColumnElement[bool]:
    """SQL condition on Member: they had joined by `on` and not yet left the Party or died
    (without a date: they have not left or died)."""
    if on is None:
        return Member.departed_on.is_(None)
    return and_(
        or_(Member.joined.is_(None), Member.joined <= on),
        or_(Member.departed_on.is_(None), Member.departed_on > on),
    )


def org_status_on(row: Organisation, on: date) -> str | None:
    """An organisation's status on `on`: active, its closed status, or None if not yet founded."""
    if row.established is not None and row.established > on:
        return None
    if row.closed_on is not None:
        return OrgStatus.ACTIVE.value if row.closed_on > on else row.status
    return row.status


# ---------------------------------------------------------------------------------------------
# Rolling attributes back through the change log


def effective_day(change: Change) -> date:
    """The day a change took effect: its recorded `effective_on`, else the day written (in the
    registry's zone), never after the registry's today (a pinned day may be behind the clock)."""
    recorded = (change.after or {}).get("effective_on")
    if recorded:
        return date.fromisoformat(recorded)
    at = change.at if change.at.tzinfo else change.at.replace(tzinfo=UTC)
    return min(calendar.day_of(at), calendar.today())


async def values_on(
    session: AsyncSession, entity: str, attribute: str, on: date, ids: list[int] | None = None
) -> dict[int, Any]:
    """`attribute` of the `entity` rows whose value changed after `on`, as it was on `on`
    (rows not in the answer still hold their value of then). Reads only the change rows that
    changed that attribute."""
    before = Change.before[attribute].as_string()
    after = Change.after[attribute].as_string()
    query = (
        select(Change)
        .where(Change.entity == entity, Change.before.is_not(None), Change.after.is_not(None))
        .where(before.is_distinct_from(after))
        .order_by(Change.id)
    )
    if ids is not None:
        query = query.where(Change.entity_id.in_(ids))
    found: dict[int, Any] = {}
    for change in await session.scalars(query):
        # A create or delete has no before or after: it changed no attribute's value.
        if not isinstance(change.before, dict) or not isinstance(change.after, dict):
            continue
        if change.entity_id not in found and effective_day(change) > on:
            found[change.entity_id] = change.before.get(attribute)
    return found


# ---------------------------------------------------------------------------------------------
# Which changes a caller sees


def _about(entity: str, model: Any, condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return and_(
        Change.entity == entity, exists(select(1).where(model.id == Change.entity_id, condition))
    )


def _change_condition(
    orgs: ColumnElement[bool] | None,
    places: ColumnElement[bool] | None,
    members: ColumnElement[bool] | None,
) -> ColumnElement[bool]:
    """Changes of the organisations meeting `orgs`, the places meeting `places`, the members
    meeting `members` (conditions on Organisation, Place, Member), and of their coverage,
    offices and affiliations; of the pairings and suggestions at those places; of the tasks
    run by those organisations or over those places, and of those tasks' assignments."""
    parts: list[ColumnElement[bool]] = []
    if orgs is not None:
        org_ids = select(Organisation.id).where(orgs)
        parts += [
            _about("organisation", Organisation, orgs),
            _about("coverage", Coverage, Coverage.organisation_id.in_(org_ids)),
            _about("office", Office, Office.organisation_id.in_(org_ids)),
        ]
    if places is not None:
        place_ids = select(Place.id).where(places)
        parts += [
            _about("place", Place, places),
            _about("pairing", Pairing, Pairing.place_id.in_(place_ids)),
            _about("suggestion", Suggestion, Suggestion.place_id.in_(place_ids)),
        ]
    # A task by its running organisation or one of its scope places; an assignment by its task.
    task_parts: list[ColumnElement[bool]] = []
    if orgs is not None:
        task_parts.append(Task.organisation_id.in_(select(Organisation.id).where(orgs)))
    if places is not None:
        task_parts.append(
            Task.id.in_(
                select(TaskPlace.task_id).join(Place, Place.id == TaskPlace.place_id).where(places)
            )
        )
    if task_parts:
        tasks = or_(*task_parts)
        parts += [
            _about("task", Task, tasks),
            _about("assignment", Assignment, Assignment.task_id.in_(select(Task.id).where(tasks))),
        ]
    if members is not None:
        member_ids = select(Member.id).where(members)
        parts += [
            _about("member", Member, members),
            _about("affiliation", Affiliation, Affiliation.member_id.in_(member_ids)),
        ]
    return or_(*parts) if parts else Change.id.is_(None)


def visible_changes(actor: Actor) -> ColumnElement[bool]:
    """SQL condition on Change: the caller may read it."""
    if actor.unscoped and actor.place_paths is None:
        return true()
    return _change_condition(actor.org_clause(), actor.place_clause(), actor.member_clause())


def changes_in_scope(scope: Scope) -> ColumnElement[bool]:
    """SQL condition on Change: it concerns the scope (`registry.access.scope`, organisations
    resolved): its organisations, the places of its territory, and the members who belong,
    report or live there."""
    orgs = scope.orgs(Organisation.path)
    org_ids = select(Organisation.id).where(orgs)
    homes = select(Place.id).where(scope.places(Place.path))
    members = or_(
        Member.organisation_id.in_(org_ids),
        Member.reports_to_id.in_(org_ids),
        Member.household_id.in_(homes),
    )
    return _change_condition(orgs, scope.places(Place.path), members)


def changes_of(entity: str, entity_id: int) -> ColumnElement[bool]:
    """SQL condition on Change: the history of one place, organisation or member, with the
    coverage, office terms and affiliations that hang on it."""
    own = and_(Change.entity == entity, Change.entity_id == entity_id)
    related: list[ColumnElement[bool]] = []
    if entity == "organisation":
        related = [
            _about("coverage", Coverage, Coverage.organisation_id == entity_id),
            _about("office", Office, Office.organisation_id == entity_id),
        ]
    elif entity == "place":
        related = [_about("coverage", Coverage, Coverage.place_id == entity_id)]
    elif entity == "member":
        related = [
            _about("office", Office, Office.member_id == entity_id),
            _about("affiliation", Affiliation, Affiliation.member_id == entity_id),
        ]
    return or_(own, *related)


# ---------------------------------------------------------------------------------------------
# What a caller is shown of a change row's before and after

# Snapshot fields that hold another row's id, by the table that row is in ("parent_id" is in
# the changed row's own table). They are shown as the row's code, under the field's name
# without "_id", and as null when the row is outside the caller's scope: internal ids say
# nothing to a user and would let a scoped caller count and probe the rest of the registry.
_REFERENCES = {
    "organisation_id": "organisation", "reports_to_id": "organisation",
    "merged_into_id": "organisation", "approved_by_id": "organisation",
    "household_id": "place", "place_id": "place", "building_id": "place",
    "member_id": "member", "leader_id": "member", "heard_by_id": "member", "task_id": "task",
}  # fmt: skip
# Paths spell the ids of every ancestor; the parent's code says where a node stands.
_HIDDEN = frozenset({"path"})
_CODED: dict[str, Any] = {"place": Place, "organisation": Organisation, "member": Member,
                          "task": Task}  # fmt: skip


def _reference_table(entity: str, field: str) -> str | None:
    return entity if field == "parent_id" else _REFERENCES.get(field)


async def shown_snapshots(
    session: AsyncSession, actor: Actor, rows: list[Change]
) -> list[tuple[dict[str, Any] | None, dict[str, Any] | None]]:
    """Each change's before and after as the caller may see them: references as codes (null
    outside the caller's scope), paths left out. One statement per kind of row referred to."""
    wanted: dict[str, set[int]] = {}
    for row in rows:
        for values in (row.before, row.after):
            for field, value in (values or {}).items() if isinstance(values, dict) else ():
                table = _reference_table(row.entity, field)
                if table and isinstance(value, int):
                    wanted.setdefault(table, set()).add(value)
    codes: dict[str, dict[int, str]] = {}
    for table, ids in wanted.items():
        model = _CODED[table]
        query = select(model.id, model.code).where(model.id.in_(sorted(ids)))
        if not actor.unscoped:
            query = query.where(_visible(table, actor))
        codes[table] = {id_: code for id_, code in await session.execute(query)}

    def shown(entity: str, values: Any) -> dict[str, Any] | None:
        if not isinstance(values, dict):
            return None
        out: dict[str, Any] = {}
        for field, value in values.items():
            table = _reference_table(entity, field)
            if field in _HIDDEN:
                continue
            if table is None:
                out[field] = value
            else:
                out[field.removesuffix("_id")] = codes.get(table, {}).get(value)
        return out

    return [(shown(row.entity, row.before), shown(row.entity, row.after)) for row in rows]


def _visible(table: str, actor: Actor) -> ColumnElement[bool]:
    if table == "place":
        return actor.place_clause()
    if table == "organisation":
        return actor.org_clause()
    if table == "member":
        return actor.member_clause()
    # A task is the caller's when one of its organisations runs it or it covers their places.
    orgs = select(Organisation.id).where(actor.org_clause())
    places = select(TaskPlace.task_id).join(Place, Place.id == TaskPlace.place_id)
    return or_(Task.organisation_id.in_(orgs), Task.id.in_(places.where(actor.place_clause())))


def as_utc(moment: datetime) -> datetime:
    """`moment` in UTC (a naive one is taken as UTC). A moment at the ends of the calendar
    whose UTC lies beyond them (0001-01-01T00:00+14:00) is the calendar's first or last."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        edge = datetime.min if moment.year == datetime.min.year else datetime.max
        return edge.replace(tzinfo=UTC)


async def read_changes(
    session: AsyncSession,
    conditions: list[ColumnElement[bool]],
    since: datetime | None,
    size: int,
    after_id: int | None,
) -> tuple[list[Change], int, bool]:
    """One page of the changes meeting `conditions`, oldest first, written at or after `since`:
    the rows, how many there are in all, and whether more follow."""
    where = list(conditions)
    if since is not None:
        since = as_utc(since)
        if session.get_bind().dialect.name == "sqlite":
            # SQLite keeps UTC text without a zone.
            since = since.replace(tzinfo=None)
        where.append(Change.at >= since)
    total = await session.scalar(select(func.count(Change.id)).where(*where))
    query = select(Change).where(*where).order_by(Change.id).limit(row_limit(size + 1))
    if after_id is not None:
        query = query.where(Change.id > after_id)
    rows = list(await session.scalars(query))
    return rows[:size], int(total or 0), len(rows) > size
