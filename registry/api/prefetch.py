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

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
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
        masked = actor.masks_phones
        for member in members:
            member.ready["phone"] = member.phone_for(masked)
    orgs_wanted = {"nodes.organisation", "nodes.reportsTo"} & wanted
    if orgs_wanted:
        keys = {m.organisation_key for m in members} | {m.reports_to_key for m in members}
        secretaries = bool({"nodes.organisation.secretary", "nodes.reportsTo.secretary"} & wanted)
        orgs = await _organisations(session, actor, keys - {None}, secretaries)
        for member in members:
            member.ready["organisation"] = orgs.get(member.organisation_key)
            member.ready["reports_to"] = orgs.get(member.reports_to_key)
    if "nodes.household" in wanted:
        keys = {m.household_key for m in members} - {None}
        homes = await _places(session, actor, keys, "nodes.household.parent" in wanted)
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
    session: AsyncSession, actor: Actor, keys: set[int], secretaries: bool
) -> dict[int, Organisation]:
    """As `Loaders.organisation` (in the caller's organisation subtree); with `secretaries`,
    each with its current secretary as `Loaders.secretary` gives it (the latest term when two
    are open), in the same statement."""
    if not keys:
        return {}
    query = select(OrgRow).where(OrgRow.id.in_(keys), actor.org_clause())
    if not secretaries:
        return {row.id: Organisation.from_row(row) for row in await session.scalars(query)}
    term = and_(
        Office.organisation_id == OrgRow.id,
        Office.end.is_(None),
        Office.role == OfficeRole.SECRETARY.value,
    )
    rows = await session.execute(
        query.add_columns(MemberRow)
        .outerjoin(Office, term)
        .outerjoin(MemberRow, MemberRow.id == Office.member_id)
        .order_by(Office.start)
    )
    found: dict[int, Organisation] = {}
    for row, secretary in rows:
        org = found.get(row.id) or Organisation.from_row(row)
        if secretary is not None or org.ready is None:
            org.ready = {"secretary": Member.from_row(secretary) if secretary else None}
        found[row.id] = org
    return found


# One alias for every request: adapting columns to a fresh alias costs more than the query.
_PARENT = aliased(PlaceRow)


async def _places(
    session: AsyncSession, actor: Actor, keys: set[int], parents: bool
) -> dict[int, Place]:
    """As `Loaders.place` (in the caller's territory); with `parents`, each with its parent
    place as the same loader gives it (None outside the territory), in the same statement."""
    if not keys:
        return {}
    query = select(PlaceRow).where(PlaceRow.id.in_(keys), actor.place_clause())
    if not parents:
        return {row.id: Place.from_row(row) for row in await session.scalars(query)}
    above = and_(_PARENT.id == PlaceRow.parent_id, actor.place_clause(_PARENT.path))
    found: dict[int, Place] = {}
    for row, up in await session.execute(query.add_columns(_PARENT).outerjoin(_PARENT, above)):
        place = Place.from_row(row)
        place.ready = {"parent": Place.from_row(up) if up is not None else None}
        found[row.id] = place
    return found
