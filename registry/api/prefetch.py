"""Related rows of a page of members, fetched up front in a constant number of statements.

A list query knows which nested fields its caller selected; fetching their rows in the page's
own session and handing ready objects to the types (`ready`) spares every item its async
loader fields, which cost graphql-core far more per item than the rows themselves. Each fetch
applies the same scope as the loader it stands in for (`registry.api.loaders`), so the answer
is the one the loaders would have given. Fields not fetched here still resolve through them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField

from registry.api.context import GInfo
from registry.api.types import Member, Organisation, Place
from registry.auth import Actor
from registry.kinds import OfficeRole
from registry.models import Member as MemberRow
from registry.models import MemberSkill, Office
from registry.models import Organisation as OrgRow
from registry.models import Place as PlaceRow


def selected_paths(info: GInfo) -> set[str]:
    """Dotted paths of the fields selected under this resolver's field (fragments flattened,
    `edges.node` read as `nodes`), e.g. {"totalCount", "nodes.household.parent"}. Fields
    under @include/@skip count as selected: fetching them anyway only costs a statement."""
    paths: set[str] = set()

    def walk(selections: Iterable[Any], prefix: str) -> None:
        for selection in selections:
            if isinstance(selection, (FragmentSpread, InlineFragment)):
                walk(selection.selections, prefix)
            elif isinstance(selection, SelectedField):
                path = f"{prefix}{selection.name}"
                if path == "edges.node":
                    path = "nodes"
                paths.add(path)
                walk(selection.selections, "" if path == "edges" else f"{path}.")

    for field in info.selected_fields:
        walk(field.selections, "")
    return paths


async def prefetch_members(
    session: AsyncSession, actor: Actor, members: list[Member], wanted: set[str]
) -> None:
    """Fill `ready` on a page of members (and the organisations and homes handed with them)
    for the nested fields in `wanted` (paths under `nodes`): one statement per kind of row."""
    if not members:
        return
    for member in members:
        member.ready = {}
    if "nodes.phone" in wanted:
        for member in members:
            member.ready["phone"] = member.phone_for(actor.masks_phones)
    orgs_wanted = {"nodes.organisation", "nodes.reportsTo"} & wanted
    if orgs_wanted:
        keys = {m.organisation_key for m in members} | {m.reports_to_key for m in members}
        orgs = await _organisations(session, actor, keys - {None})
        if {"nodes.organisation.secretary", "nodes.reportsTo.secretary"} & wanted:
            await _secretaries(session, list(orgs.values()))
        for member in members:
            member.ready["organisation"] = orgs.get(member.organisation_key)
            member.ready["reports_to"] = orgs.get(member.reports_to_key)
    if "nodes.household" in wanted:
        homes = await _places(session, actor, {m.household_key for m in members} - {None})
        if "nodes.household.parent" in wanted:
            parents = await _places(session, actor, {p.parent_key for p in homes.values()} - {None})
            for home in homes.values():
                home.ready = {"parent": parents.get(home.parent_key)}
        for member in members:
            member.ready["household"] = homes.get(member.household_key)
    if "nodes.skills" in wanted:
        skills: dict[int, list[str]] = defaultdict(list)
        rows = await session.execute(
            select(MemberSkill.member_id, MemberSkill.skill)
            .where(MemberSkill.member_id.in_([m.id for m in members]))
            .order_by(MemberSkill.skill)
        )
        for member_id, skill in rows:
            skills[member_id].append(skill)
        for member in members:
            member.ready["skills"] = skills.get(member.id, [])


async def _organisations(
    session: AsyncSession, actor: Actor, keys: set[int]
) -> dict[int, Organisation]:
    """As `Loaders.organisation`: in the caller's organisation subtree."""
    if not keys:
        return {}
    rows = await session.scalars(select(OrgRow).where(OrgRow.id.in_(keys), actor.org_clause()))
    return {row.id: Organisation.from_row(row) for row in rows}


async def _places(session: AsyncSession, actor: Actor, keys: set[int]) -> dict[int, Place]:
    """As `Loaders.place`: in the caller's territory."""
    if not keys:
        return {}
    rows = await session.scalars(
        select(PlaceRow).where(PlaceRow.id.in_(keys), actor.place_clause())
    )
    return {row.id: Place.from_row(row) for row in rows}


async def _secretaries(session: AsyncSession, orgs: list[Organisation]) -> None:
    """As `Loaders.secretary`: the current secretary (the latest term when two are open)."""
    found: dict[int, MemberRow] = {}
    if orgs:
        rows = await session.execute(
            select(Office.organisation_id, MemberRow)
            .join(MemberRow, MemberRow.id == Office.member_id)
            .where(Office.organisation_id.in_([org.id for org in orgs]), Office.end.is_(None))
            .where(Office.role == OfficeRole.SECRETARY.value)
            .order_by(Office.start)
        )
        found = {org_id: member for org_id, member in rows}
    for org in orgs:
        row = found.get(org.id)
        org.ready = {"secretary": Member.from_row(row) if row is not None else None}
