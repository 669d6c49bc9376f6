"""Lookups and lists: node, place(s), organisation(s), members — all scoped to the caller."""

from __future__ import annotations

from inspect import isawaitable
from typing import Any

import strawberry
from strawberry import relay

from registry.access.lookup import get_organisation, get_place
from registry.api.context import GInfo
from registry.api.enums import OrgKindEnum, OrgStatusEnum, PlaceKindEnum
from registry.api.limits import filter_text
from registry.api.lookahead import Lookahead, NotCompiled, compiled_object, root_list
from registry.api.paging import Connection
from registry.api.refs import find_by_ref, node_key, parse_ref
from registry.api.suggestions import Suggestion
from registry.api.tasks import Assignment, Task
from registry.api.types import Member, Office, Organisation, Place, RosterFilter
from registry.core.models import NAME_MAX, SKILL_MAX
from registry.reads.selection import Slot


def _name_pattern(text: str, field: str) -> str:
    """The LIKE pattern (escaped with a backslash) of names holding `text`."""
    text = filter_text(text, field, NAME_MAX)
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _ref_slot(lookahead: Lookahead, ref: str, type_name: str) -> tuple[str, Slot]:
    """A reference (global ID or code) as a root filter: what it names a row by, and the
    slot holding the id or code."""
    key = parse_ref(ref, type_name)
    return ("id" if isinstance(key, int) else "code", lookahead.slot(key))


NODE_TYPES: dict[str, type[relay.Node]] = {
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
    name: str | None = strawberry.field(default=None, description="Part of the name.")
    code: str | None = strawberry.field(default=None, description="The whole code.")


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
        found = node_type.resolve_nodes(info=info, node_ids=[str(key)])
        if isawaitable(found):  # every node type of the registry resolves asynchronously
            found = await found
        return next(iter(found), None)

    @strawberry.field(description="A place by global ID or code.")
    async def place(
        self, info: GInfo, id: strawberry.ID | None = None, code: str | None = None
    ) -> Place | None:
        answer = await _compiled_lookup(info, "Place", id, code)
        if answer is not NotCompiled:
            return answer  # sent on as it is
        row = await find_by_ref(info, get_place, "Place", id, code)
        return Place.from_row(row) if row else None

    @strawberry.field(description="An organisation by global ID or code.")
    async def organisation(
        self, info: GInfo, id: strawberry.ID | None = None, code: str | None = None
    ) -> Organisation | None:
        answer = await _compiled_lookup(info, "Organisation", id, code)
        if answer is not NotCompiled:
            return answer  # sent on as it is
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
        info.context.require_actor()
        lookahead = Lookahead(info)
        filters = _place_filters(lookahead, filter or PlaceFilter())
        return await root_list(  # type: ignore[return-value]  # compiled: sent on as it is
            info, "Place", filters, lookahead, first, after, Place.from_row
        )

    @strawberry.field(description="Organisations in tree order (parents first).")
    async def organisations(
        self,
        info: GInfo,
        filter: OrganisationFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Organisation]:
        info.context.require_actor()
        lookahead = Lookahead(info)
        filters = _org_filters(lookahead, filter or OrganisationFilter())
        return await root_list(  # type: ignore[return-value]  # compiled: sent on as it is
            info, "Organisation", filters, lookahead, first, after, Organisation.from_row
        )

    @strawberry.field(description="Members by code.")
    async def members(
        self,
        info: GInfo,
        filter: MemberFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Member]:
        info.context.require_actor()
        lookahead = Lookahead(info)
        filters = _member_filters(lookahead, filter or MemberFilter())
        return await root_list(  # type: ignore[return-value]  # compiled: sent on as it is
            info, "Member", filters, lookahead, first, after, Member.from_row
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
    skill = filter_text(flt.skill, "filter.skill", SKILL_MAX) if flt.skill else None
    return (
        ("organisation", _ref_slot(lookahead, flt.organisation, "Organisation")
         if flt.organisation else None),
        ("place", _ref_slot(lookahead, flt.place, "Place") if flt.place else None),
        ("status", None if flt.status is None else lookahead.slot(flt.status)),
        ("inService", flt.in_service),
        ("includeDeparted", flt.include_departed),
        ("skill", None if skill is None else lookahead.slot(skill)),
        ("name", lookahead.slot(_name_pattern(flt.name, "filter.name")) if flt.name else None),
        ("code", lookahead.slot(filter_text(flt.code, "filter.code", NAME_MAX))
         if flt.code else None),
    )  # fmt: skip
