"""The read model: for every node type of the API, the table it is read from, its fields as SQL,
the scope rule that cuts it, and its relations to the others.

This is the one table both read paths follow: the compiled reads (`registry.reads.compile`:
a request's selection as one SQL statement answering JSON) and the batch loaders the API's
resolvers use when a selection cannot be compiled (`registry.reads.loading`). A field, a
relation or a scope rule is written here once.

Each field is a function of a table alias and the caller's shape (`Viewer`) giving a SQL
expression whose value is the field's answer as JSON: enums by their GraphQL names, ids as
relay global IDs, phones masked for viewers, booleans as JSON booleans.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from sqlalchemy import ColumnElement, Integer, Table, and_, exists, func, literal, or_, select, true

from registry.core.config import RuleThresholds
from registry.core.kinds import OfficeRole, OrgKind, OrgStatus, PairingKind
from registry.core.models import (
    Assignment,
    Coverage,
    Election,
    Member,
    MemberSkill,
    Office,
    Organisation,
    Pairing,
    Place,
    Task,
    TaskPlace,
)
from registry.core.paths import in_subtree_of
from registry.core.terms import current_holder, current_secretary
from registry.reads.json_sql import (
    as_json,
    enum_name,
    global_id,
    json_array_of_scalars,
    json_bool,
    masked_phone,
)
from registry.reads.viewer import Viewer

Alias = Any  # a table alias (sqlalchemy.sql.Alias) with `.c` columns
Value = Callable[[Alias, Viewer], ColumnElement[Any]]
Link = Callable[[Alias, Alias], ColumnElement[bool]]
Filter = Callable[[Alias, Any], ColumnElement[bool] | None]

PLACE: Table = Place.metadata.tables[Place.__tablename__]
ORGANISATION: Table = Organisation.metadata.tables[Organisation.__tablename__]
MEMBER: Table = Member.metadata.tables[Member.__tablename__]
OFFICE: Table = Office.metadata.tables[Office.__tablename__]
COVERAGE: Table = Coverage.metadata.tables[Coverage.__tablename__]
PAIRING: Table = Pairing.metadata.tables[Pairing.__tablename__]
SKILL: Table = MemberSkill.metadata.tables[MemberSkill.__tablename__]
ELECTION: Table = Election.metadata.tables[Election.__tablename__]
ASSIGNMENT: Table = Assignment.metadata.tables[Assignment.__tablename__]
TASK: Table = Task.metadata.tables[Task.__tablename__]
TASK_PLACE: Table = TaskPlace.metadata.tables[TaskPlace.__tablename__]


@dataclass(frozen=True)
class ToOne:
    """A relation to at most one row of `target` meeting `link(owner, target)`; a row the
    caller may not see reads as none."""

    target: str
    link: Link


@dataclass(frozen=True)
class ToMany:
    """A relation to the rows of `target` meeting `link(owner, target)` and the caller's scope,
    answered as a connection that pages them by the target's key (`first`, `after`,
    `totalCount`). `filters` are its arguments: each gives a condition on the target (or None
    for no condition) from the argument's value; `defaults` the values of those not given."""

    target: str
    link: Link
    filters: Mapping[str, Filter] = field(default_factory=dict)
    defaults: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Entity:
    """A node type: its table, the unique column its connections page by (a code or path, or
    for records with neither, the id: the order they were recorded in), its fields,
    relations, and who may see a row (None: anyone who may see the type at all)."""

    name: str
    table: Table
    key: str
    fields: Mapping[str, Value]
    to_one: Mapping[str, ToOne]
    to_many: Mapping[str, ToMany]
    visible: Callable[[Alias, Viewer], ColumnElement[bool] | None]
    # Whether a scoped caller's rows are found from the scope's own indexes (ranges of paths
    # on the row) rather than by walking the key's index: see `page_order`.
    found_by_scope: bool = False

    def page_order(self, key: ColumnElement[Any], viewer: Viewer) -> ColumnElement[Any]:
        """What a page of this entity is ordered by: its key. For a caller scoped below the
        top of the tree, of an entity `found_by_scope`, the key as an expression, which orders
        alike but which no index serves: the database then gathers the scope's rows from the
        path indexes and sorts them (a sub-district's 4,000 members: ~2 ms), where walking
        the key's index visits every row before the scope's first in key order (40,000
        members of other sub-districts: ~16 ms, and growing with the registry). A scope of
        the whole tree is met at once by walking the key's index."""
        if self.found_by_scope and viewer.scoped and not viewer.whole_tree:
            return key.concat("")
        return key

    def key_value(self, text: str) -> str | int | None:
        """The key a cursor's text names, as the key column holds it; None when it cannot be
        one (a cursor of another connection)."""
        if isinstance(self.table.c[self.key].type, Integer):
            return int(text) if text.isascii() and text.isdigit() else None
        return text


def _column(name: str) -> Value:
    return lambda t, _v: t.c[name]


def _enum(name: str) -> Value:
    return lambda t, _v: enum_name(t.c[name])


def _id(type_name: str) -> Value:
    return lambda t, _v: global_id(type_name, t.c.id)


def _phone(t: Alias, viewer: Viewer) -> ColumnElement[Any]:
    return masked_phone(t.c.phone) if viewer.masks_phones else t.c.phone


def _skills(t: Alias, _v: Viewer) -> ColumnElement[Any]:
    skills = select(SKILL.c.skill).where(SKILL.c.member_id == t.c.id).order_by(SKILL.c.skill)
    inner = skills.correlate(t).subquery()
    return as_json(select(json_array_of_scalars(inner.c.skill)).scalar_subquery())


def _task_capacity(t: Alias, _v: Viewer) -> ColumnElement[Any]:
    return func.coalesce(t.c.task_capacity, literal(RuleThresholds.default_task_capacity))


def _place_visible(t: Alias, viewer: Viewer) -> ColumnElement[bool] | None:
    return viewer.territory(t.c.path)


def _org_visible(t: Alias, viewer: Viewer) -> ColumnElement[bool] | None:
    return viewer.orgs(t.c.path)


def _member_visible(t: Alias, viewer: Viewer) -> ColumnElement[bool] | None:
    return viewer.members(t.c.org_path, t.c.reports_path, t.c.home_path)


def _office_visible(t: Alias, viewer: Viewer) -> ColumnElement[bool] | None:
    # An office, or an election, is seen with its organisation.
    org = viewer.orgs(ORGANISATION.c.path)
    if org is None:
        return None
    return t.c.organisation_id.in_(select(ORGANISATION.c.id).where(org))


def _assignment_visible(t: Alias, viewer: Viewer) -> ColumnElement[bool] | None:
    # An assignment is seen with its task: the organisation running it or a place in its
    # scope is visible (as `registry.writes.tasks.task_clause` says of tasks).
    org = viewer.orgs(ORGANISATION.c.path)
    territory = viewer.territory(PLACE.c.path)
    if org is None or territory is None:
        return None
    running = select(TASK.c.id).where(
        TASK.c.organisation_id.in_(select(ORGANISATION.c.id).where(org))
    )
    in_territory = exists(
        select(1)
        .select_from(TASK_PLACE.join(PLACE, PLACE.c.id == TASK_PLACE.c.place_id))
        .where(TASK_PLACE.c.task_id == t.c.task_id, territory)
        .correlate(t)
    )
    return or_(t.c.task_id.in_(running), in_territory)


def _current_only(t: Alias, current: Any) -> ColumnElement[bool] | None:
    return t.c.end.is_(None) if current else None


def _active_unless(t: Alias, include_closed: Any) -> ColumnElement[bool] | None:
    return None if include_closed else t.c.status == OrgStatus.ACTIVE.value


def _member_filters() -> dict[str, Filter]:
    def status(t: Alias, value: Any) -> ColumnElement[bool] | None:
        return None if value is None else t.c.status == _stored(value)

    def in_service(t: Alias, value: Any) -> ColumnElement[bool] | None:
        if value is None:
            return None
        return t.c.in_service if value else ~t.c.in_service

    def skill(t: Alias, value: Any) -> ColumnElement[bool] | None:
        if value is None:
            return None
        return t.c.id.in_(select(SKILL.c.member_id).where(SKILL.c.skill == value))

    def include_departed(t: Alias, value: Any) -> ColumnElement[bool] | None:
        # Those who left the Party or died are history: listed only when asked for.
        return None if value else t.c.departed_on.is_(None)

    return {
        "status": status,
        "inService": in_service,
        "skill": skill,
        "includeDeparted": include_departed,
    }


def _stored(value: Any) -> Any:
    """A filter value as stored: an enum's value, anything else (a bound parameter too) as it
    is."""
    return value.value if isinstance(value, Enum) else value


def _covering(owner: Alias, t: Alias) -> ColumnElement[bool]:
    covering = (
        select(COVERAGE.c.organisation_id)
        .where(COVERAGE.c.place_id == owner.c.id, COVERAGE.c.end.is_(None))
        .correlate(owner)
    )
    return t.c.id.in_(covering)


def _covered(owner: Alias, t: Alias) -> ColumnElement[bool]:
    covered = (
        select(COVERAGE.c.place_id)
        .where(COVERAGE.c.organisation_id == owner.c.id, COVERAGE.c.end.is_(None))
        .correlate(owner)
    )
    return t.c.id.in_(covered)


def _contact_of(owner: Alias, t: Alias) -> ColumnElement[bool]:
    # A household's contact member: the open household-contact pairing started last.
    contact = (
        select(PAIRING.c.member_id)
        .where(PAIRING.c.place_id == owner.c.id, PAIRING.c.end.is_(None))
        .where(PAIRING.c.kind == PairingKind.HOUSEHOLD_CONTACT.value)
        .order_by(PAIRING.c.start.desc().nulls_last(), PAIRING.c.id.desc())
        .limit(1)
        .correlate(owner)
        .scalar_subquery()
    )
    return t.c.id == contact


def _contact_for(owner: Alias, t: Alias) -> ColumnElement[bool]:
    households = (
        select(PAIRING.c.place_id)
        .where(
            PAIRING.c.member_id == owner.c.id,
            PAIRING.c.end.is_(None),
            PAIRING.c.kind == PairingKind.HOUSEHOLD_CONTACT.value,
        )
        .correlate(owner)
    )
    return t.c.id.in_(households)


def _residents(owner: Alias, t: Alias) -> ColumnElement[bool]:
    # Members whose household lies in the place's subtree (the place itself included).
    homes = select(PLACE.c.id).where(in_subtree_of(PLACE.c.path, owner.c.path)).correlate(owner)
    return t.c.household_id.in_(homes)


# Filters of every list of members (and of the root `members` list).
MEMBER_FILTERS: Mapping[str, Filter] = _member_filters()
MEMBER_DEFAULTS: Mapping[str, Any] = {"includeDeparted": False}

PLACE_ENTITY = Entity(
    name="Place",
    table=PLACE,
    key="path",
    fields={
        "id": _id("Place"),
        "code": _column("code"),
        "kind": _enum("kind"),
        "name": _column("name"),
        "depth": _column("depth"),
        "version": _column("version"),
    },
    to_one={
        "parent": ToOne("Place", lambda o, t: t.c.id == o.c.parent_id),
        "contact": ToOne("Member", _contact_of),
    },
    to_many={
        "children": ToMany("Place", lambda o, t: t.c.parent_id == o.c.id),
        "residents": ToMany(
            "Member", _residents, filters=MEMBER_FILTERS, defaults=MEMBER_DEFAULTS
        ),
        "coveredBy": ToMany("Organisation", _covering),
    },
    visible=_place_visible,
)

ORGANISATION_ENTITY = Entity(
    name="Organisation",
    table=ORGANISATION,
    key="path",
    fields={
        "id": _id("Organisation"),
        "code": _column("code"),
        "kind": _enum("kind"),
        "name": _column("name"),
        "depth": _column("depth"),
        "status": _enum("status"),
        "established": _column("established"),
        "closedOn": _column("closed_on"),
        "approvedOn": _column("approved_on"),
        "version": _column("version"),
    },
    to_one={
        "parent": ToOne("Organisation", lambda o, t: t.c.id == o.c.parent_id),
        "mergedInto": ToOne("Organisation", lambda o, t: t.c.id == o.c.merged_into_id),
        "approvedBy": ToOne("Organisation", lambda o, t: t.c.id == o.c.approved_by_id),
        "secretary": ToOne("Member", lambda o, t: t.c.id == current_secretary(o.c.id, o)),
        "leader": ToOne(
            "Member", lambda o, t: t.c.id == current_holder(o.c.id, OfficeRole.GROUP_LEADER, o)
        ),
    },
    to_many={
        "children": ToMany(
            "Organisation",
            lambda o, t: t.c.parent_id == o.c.id,
            filters={"includeClosed": _active_unless},
            defaults={"includeClosed": False},
        ),
        "groups": ToMany(
            "Organisation",
            lambda o, t: and_(t.c.parent_id == o.c.id, t.c.kind == OrgKind.GROUP.value),
            filters={"includeClosed": _active_unless},
            defaults={"includeClosed": False},
        ),
        "members": ToMany(
            "Member",
            # A group's members are those placed in it; anything else's, those it holds.
            lambda o, t: or_(t.c.organisation_id == o.c.id, t.c.group_id == o.c.id),
            filters=MEMBER_FILTERS,
            defaults=MEMBER_DEFAULTS,
        ),
        "covers": ToMany("Place", _covered),
        "offices": ToMany(
            "Office",
            lambda o, t: t.c.organisation_id == o.c.id,
            filters={"current": _current_only},
            defaults={"current": True},
        ),
        "elections": ToMany(
            "Election", lambda o, t: t.c.organisation_id == o.c.id
        ),
    },
    visible=_org_visible,
)

MEMBER_ENTITY = Entity(
    name="Member",
    table=MEMBER,
    key="code",
    fields={
        "id": _id("Member"),
        "code": _column("code"),
        "name": _column("name"),
        "gender": _enum("gender"),
        "status": _enum("status"),
        "joined": _column("joined"),
        "fullOn": _column("full_on"),
        "probationExtendedOn": _column("probation_extended_on"),
        "probationExtendedMonths": _column("probation_extended_months"),
        "departedOn": _column("departed_on"),
        "workplace": _column("workplace"),
        "inService": lambda t, _v: json_bool(t.c.in_service),
        "reportedOn": _column("reported_on"),
        "awaySince": _column("away_since"),
        "awayPlace": _column("away_place"),
        "awayAttends": _column("away_attends"),
        "version": _column("version"),
        "phone": _phone,
        "skills": _skills,
        "taskCapacity": _task_capacity,
    },
    to_one={
        "organisation": ToOne("Organisation", lambda o, t: t.c.id == o.c.organisation_id),
        "reportsTo": ToOne("Organisation", lambda o, t: t.c.id == o.c.reports_to_id),
        "household": ToOne("Place", lambda o, t: t.c.id == o.c.household_id),
        "group": ToOne("Organisation", lambda o, t: t.c.id == o.c.group_id),
        "awayAttendsOrganisation": ToOne(
            "Organisation", lambda o, t: t.c.id == o.c.away_attends_id
        ),
    },
    to_many={
        "offices": ToMany(
            "Office",
            lambda o, t: t.c.member_id == o.c.id,
            filters={"current": _current_only},
            defaults={"current": True},
        ),
        "contactFor": ToMany("Place", _contact_for),
        "tasks": ToMany("Assignment", lambda o, t: t.c.member_id == o.c.id),
    },
    visible=_member_visible,
    found_by_scope=True,
)

OFFICE_ENTITY = Entity(
    name="Office",
    table=OFFICE,
    key="id",
    fields={
        "id": _id("Office"),
        "role": _enum("role"),
        "start": _column("start"),
        "end": _column("end"),
    },
    to_one={
        "member": ToOne("Member", lambda o, t: t.c.id == o.c.member_id),
        "organisation": ToOne("Organisation", lambda o, t: t.c.id == o.c.organisation_id),
    },
    to_many={},
    visible=_office_visible,
)

ELECTION_ENTITY = Entity(
    name="Election",
    table=ELECTION,
    key="id",
    fields={
        "kind": _enum("kind"),
        "heldOn": _column("held_on"),
        "months": _column("months"),
    },
    to_one={
        "organisation": ToOne("Organisation", lambda o, t: t.c.id == o.c.organisation_id),
        "approvedBy": ToOne("Organisation", lambda o, t: t.c.id == o.c.approved_by_id),
    },
    to_many={},
    visible=_office_visible,
)

# A member's tasks are their assignments; the fields of an assignment are answered by the
# API's resolvers (its task and building come through the task's own loaders).
ASSIGNMENT_ENTITY = Entity(
    name="Assignment",
    table=ASSIGNMENT,
    key="id",
    fields={"id": _id("Assignment")},
    to_one={
        "member": ToOne("Member", lambda o, t: t.c.id == o.c.member_id),
        "building": ToOne("Place", lambda o, t: t.c.id == o.c.building_id),
    },
    to_many={},
    visible=_assignment_visible,
)

ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in (
        PLACE_ENTITY,
        ORGANISATION_ENTITY,
        MEMBER_ENTITY,
        OFFICE_ENTITY,
        ELECTION_ENTITY,
        ASSIGNMENT_ENTITY,
    )
}


def visible(entity: Entity, alias: Alias, viewer: Viewer) -> ColumnElement[bool]:
    """SQL condition: the caller may see the row (true for an unscoped caller)."""
    condition = entity.visible(alias, viewer)
    return true() if condition is None else condition
