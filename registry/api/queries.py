"""Lookups and lists: node, place(s), organisation(s), members — all scoped to the caller."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import strawberry
from sqlalchemy import ColumnElement, Select, false, select
from sqlalchemy.sql.expression import SQLColumnExpression
from strawberry import relay

from registry.access.lookup import get_organisation, get_place
from registry.access.scope import member_meets_any
from registry.api.context import GInfo
from registry.api.enums import OrgKindEnum, OrgStatusEnum, PlaceKindEnum
from registry.api.limits import bad_input
from registry.api.lookahead import Lookahead, NotCompiled, compiled_list, compiled_object
from registry.api.paging import Connection, paginate
from registry.api.prefetch import MemberPage, selected_paths
from registry.api.refs import find_by_ref, node_key, parse_ref
from registry.api.suggestions import Suggestion
from registry.api.tasks import Assignment, Task
from registry.api.types import Member, Office, Organisation, Place, RosterFilter
from registry.core.errors import UserErrors
from registry.core.models import NAME_MAX, SKILL_MAX, MemberSkill
from registry.core.models import Member as MemberRow
from registry.core.models import Organisation as OrgRow
from registry.core.models import Place as PlaceRow
from registry.core.paths import within
from registry.reads.selection import Slot


async def _subtree(
    lookup: Awaitable[PlaceRow | OrgRow], path: SQLColumnExpression[str]
) -> ColumnElement[bool]:
    """The subtree of the looked-up node; nothing at all when it is unknown or out of scope."""
    try:
        top = await lookup
    except UserErrors:
        return false()
    return within(path, top.path)


def _nodes(node_type: Any) -> Callable[[Sequence[Any]], list[Any]]:
    return lambda rows: [node_type.from_row(row) for row in rows]


def _filter_text(text: str, field: str, longest: int) -> str:
    """A filter's text, refused (BAD_INPUT) when longer than any value it could match: such a
    pattern only costs the database (SQLite refuses LIKE patterns over 50,000 characters)."""
    if len(text) > longest:
        raise bad_input(
            f"`{field}` is {len(text)} characters long, but no stored value is longer than "
            f"{longest}: filter by a shorter part of it"
        )
    return text


def _name_pattern(text: str, field: str) -> str:
    """The LIKE pattern (escaped with a backslash) of names holding `text`."""
    text = _filter_text(text, field, NAME_MAX)
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _name_like(column: SQLColumnExpression[str], text: str, field: str) -> ColumnElement[bool]:
    return column.ilike(_name_pattern(text, field), escape="\\")


def _ref_slot(lookahead: Lookahead, ref: str, type_name: str) -> tuple[str, Slot]:
    """A reference (global ID or code) as a root filter: what it names a row by, and the
    slot holding the id or code."""
    key = parse_ref(ref, type_name)
    return ("id" if isinstance(key, int) else "code", lookahead.slot(key))


NODE_TYPES: dict[str, type] = {
    t.__name__: t for t in (Place, Organisation, Member, Office, Task, Assignment, Suggestion)
}


@strawberry.input
class PlaceFilter:
    kind: PlaceKindEnum | None = None
    name: str | None = strawberry.field(default=None, description="Part of the name.")
    within: str | None = strawberry.field(
        default=None, description="A place (global ID or code) whose subtree to search."
    )


@strawberry.input
class OrganisationFilter:
    kind: OrgKindEnum | None = None
    name: str | None = strawberry.field(default=None, description="Part of the name.")
    within: str | None = strawberry.field(
        default=None, description="An organisation (global ID or code) whose subtree to search."
    )
    status: OrgStatusEnum | None = strawberry.field(
        default=OrgStatusEnum.ACTIVE, description="Null for every status, history included."
    )


@strawberry.input
class MemberFilter(RosterFilter):
    organisation: str | None = strawberry.field(
        default=None,
        description="Members whose formal organisation, or reporting, lies in this subtree.",
    )
    place: str | None = strawberry.field(
        default=None, description="Members living in this place's subtree."
    )


@strawberry.type
class RegistryQuery:
    @strawberry.field(description="Any node by its global ID, if it lies in your scope.")
    async def node(self, info: GInfo, id: strawberry.ID) -> relay.Node | None:
        info.context.require_actor()
        try:
            gid = relay.GlobalID.from_id(id)
        except Exception:  # noqa: BLE001 - a malformed ID names nothing
            return None
        node_type = NODE_TYPES.get(gid.type_name)
        key = node_key(gid.node_id)
        if node_type is None or key is None:
            return None
        found = await node_type.resolve_nodes(info=info, node_ids=[str(key)])
        return found[0]

    @strawberry.field(description="A place by global ID or code.")
    async def place(
        self, info: GInfo, id: strawberry.ID | None = None, code: str | None = None
    ) -> Place | None:
        answer = await _compiled_lookup(info, "Place", id, code)
        if answer is not NotCompiled:
            return answer  # type: ignore[return-value]  # sent on as it is
        row = await find_by_ref(info, get_place, "Place", id, code)
        return Place.from_row(row) if row else None

    @strawberry.field(description="An organisation by global ID or code.")
    async def organisation(
        self, info: GInfo, id: strawberry.ID | None = None, code: str | None = None
    ) -> Organisation | None:
        answer = await _compiled_lookup(info, "Organisation", id, code)
        if answer is not NotCompiled:
            return answer  # type: ignore[return-value]  # sent on as it is
        row = await find_by_ref(info, get_organisation, "Organisation", id, code)
        return Organisation.from_row(row) if row else None

    @strawberry.field(description="Places in tree order (parents first).")
    async def places(
        self,
        info: GInfo,
        filter: PlaceFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Place]:
        ctx = info.context
        actor = ctx.require_actor()
        size = ctx.page_size(first)
        flt = filter or PlaceFilter()
        lookahead = Lookahead(info)
        compiled = await compiled_list(info, "Place", _place_filters(lookahead, flt), lookahead)
        if compiled is not None:
            return compiled  # type: ignore[return-value]  # sent on as it is
        async with ctx.db.read() as session:
            query: Select = actor.narrow(select(PlaceRow), actor.place_clause())
            if flt.kind is not None:
                query = query.where(PlaceRow.kind == flt.kind.value)
            if flt.name:
                query = query.where(_name_like(PlaceRow.name, flt.name, "filter.name"))
            if flt.within:
                query = query.where(
                    await _subtree(
                        get_place(session, actor, parse_ref(flt.within, "Place")), PlaceRow.path
                    )
                )
            return await paginate(session, query, PlaceRow.path, size, after, _nodes(Place))

    @strawberry.field(description="Organisations in tree order (parents first).")
    async def organisations(
        self,
        info: GInfo,
        filter: OrganisationFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Organisation]:
        ctx = info.context
        actor = ctx.require_actor()
        size = ctx.page_size(first)
        flt = filter or OrganisationFilter()
        lookahead = Lookahead(info)
        found = await compiled_list(info, "Organisation", _org_filters(lookahead, flt), lookahead)
        if found is not None:
            return found  # type: ignore[return-value]  # sent on as it is
        async with ctx.db.read() as session:
            query: Select = actor.narrow(select(OrgRow), actor.org_clause())
            if flt.kind is not None:
                query = query.where(OrgRow.kind == flt.kind.value)
            if flt.status is not None:
                query = query.where(OrgRow.status == flt.status.value)
            if flt.name:
                query = query.where(_name_like(OrgRow.name, flt.name, "filter.name"))
            if flt.within:
                top = get_organisation(session, actor, parse_ref(flt.within, "Organisation"))
                query = query.where(await _subtree(top, OrgRow.path))
            return await paginate(session, query, OrgRow.path, size, after, _nodes(Organisation))

    @strawberry.field(description="Members by code.")
    async def members(
        self,
        info: GInfo,
        filter: MemberFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Member]:
        ctx = info.context
        actor = ctx.require_actor()
        size = ctx.page_size(first)
        flt = filter or MemberFilter()
        lookahead = Lookahead(info)
        found = await compiled_list(info, "Member", _member_filters(lookahead, flt), lookahead)
        if found is not None:
            return found  # type: ignore[return-value]  # sent on as it is
        async with ctx.db.read() as session:
            query: Select = select(MemberRow)
            if not (flt.organisation or flt.place):
                # With either filter the caller's scope holds by construction: the filter's
                # organisation or place is looked up in it, and so is its whole subtree.
                query = actor.narrow(query, actor.member_clause())
            if flt.status is not None:
                query = query.where(MemberRow.status == flt.status.value)
            if flt.in_service is not None:
                query = query.where(
                    MemberRow.workplace.is_not(None)
                    if flt.in_service
                    else MemberRow.workplace.is_(None)
                )
            if flt.skill:
                skill = _filter_text(flt.skill, "filter.skill", SKILL_MAX)
                having = select(MemberSkill.member_id).where(MemberSkill.skill == skill)
                query = query.where(MemberRow.id.in_(having))
            if flt.organisation:
                top = get_organisation(session, actor, parse_ref(flt.organisation, "Organisation"))
                orgs = select(OrgRow.id).where(await _subtree(top, OrgRow.path))
                query = query.where(
                    member_meets_any(
                        MemberRow.organisation_id.in_(orgs), MemberRow.reports_to_id.in_(orgs)
                    )
                )
            if flt.place:
                home = get_place(session, actor, parse_ref(flt.place, "Place"))
                homes = select(PlaceRow.id).where(await _subtree(home, PlaceRow.path))
                query = query.where(MemberRow.household_id.in_(homes))
            wanted = selected_paths(info)
            members = MemberPage(actor, wanted)
            return await paginate(
                session,
                query,
                MemberRow.code,
                size,
                after,
                members.nodes,
                count="totalCount" in wanted,
                shape=members.statement,
            )


async def _compiled_lookup(
    info: GInfo, entity: str, id: strawberry.ID | None, code: str | None
) -> Any:
    """A root lookup answered by a compiled read (or None: nothing visible), else NotCompiled."""
    info.context.require_actor()
    ref = id or code
    if ref is None:
        return None
    key = parse_ref(ref, entity)
    return await compiled_object(info, entity, "id" if isinstance(key, int) else "code", key)


Filters = tuple[tuple[str, Any], ...]


def _place_filters(lookahead: Lookahead, flt: PlaceFilter) -> Filters:
    return (
        ("kind", None if flt.kind is None else lookahead.slot(flt.kind)),
        ("name", lookahead.slot(_name_pattern(flt.name, "filter.name")) if flt.name else None),
        ("within", _ref_slot(lookahead, flt.within, "Place") if flt.within else None),
    )


def _org_filters(lookahead: Lookahead, flt: OrganisationFilter) -> Filters:
    return (
        ("kind", None if flt.kind is None else lookahead.slot(flt.kind)),
        ("status", None if flt.status is None else lookahead.slot(flt.status)),
        ("name", lookahead.slot(_name_pattern(flt.name, "filter.name")) if flt.name else None),
        ("within", _ref_slot(lookahead, flt.within, "Organisation") if flt.within else None),
    )


def _member_filters(lookahead: Lookahead, flt: MemberFilter) -> Filters:
    skill = _filter_text(flt.skill, "filter.skill", SKILL_MAX) if flt.skill else None
    return (
        ("organisation", _ref_slot(lookahead, flt.organisation, "Organisation")
         if flt.organisation else None),
        ("place", _ref_slot(lookahead, flt.place, "Place") if flt.place else None),
        ("status", None if flt.status is None else lookahead.slot(flt.status)),
        ("inService", flt.in_service),
        ("skill", None if skill is None else lookahead.slot(skill)),
    )  # fmt: skip
