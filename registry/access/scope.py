"""Scopes of reports: a place subtree, or an organisation subtree with its territory.

A scope is resolved from a key (an id with its type, or a code) and reduced to two sets of
subtree tops, so every report is a handful of range conditions (`path >= p AND path < end`):

- a **place scope** is that place's subtree. Its organisations are the active organisations
  that cover (active Coverage, end IS NULL) a place inside it, with everything below them,
  cut to the caller's organisation subtree.
- an **organisation scope** is that organisation's subtree. Its territory is the subtrees of
  the places covered by any organisation in it (`registry.access.tokens.territory`).

Both are inside the caller's scope by construction: the place or organisation is found
through the caller's scope (out of scope looks like missing), a visible place's subtree is
visible, and an organisation subtree's territory lies within the territory of any subtree
containing it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    exists,
    false,
    func,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import SQLColumnExpression

from registry.access.actor import Actor, Role
from registry.access.lookup import Key, get_organisation, get_place
from registry.access.tokens import territory
from registry.core.errors import ErrorCode, UserErrors, fail
from registry.core.kinds import OrgStatus
from registry.core.models import Coverage, Member, Organisation, Place
from registry.core.org_walk import first_down
from registry.core.paths import bound_subtree, reduce_to_tops, within_any, within_bound

# The actor of a shape sees nothing ("~" sorts after every path: an empty range), so a
# statement that wrongly used it would find nothing rather than too much.
_NOBODY = Actor(token_id=None, role=Role.VIEWER, org_path="~", place_paths=())


class ScopeKind(StrEnum):
    PLACE = "place"
    ORGANISATION = "organisation"


# A scope's shape (`Scope.shape`): kind, place tops, organisation tops (None: not found yet),
# every place, every organisation.
Shape = tuple[ScopeKind, int, int | None, bool, bool]


@dataclass(frozen=True)
class ScopeRef:
    """A scope as a request names it: a place or an organisation by id or code, or (kind
    None) a code tried as a place first, then as an organisation."""

    key: Key
    kind: ScopeKind | None


@dataclass(frozen=True)
class Scope:
    """A resolved scope: what it was asked for, and the subtree tops it stands for."""

    kind: ScopeKind
    place: Place | None
    organisation: Organisation | None
    place_tops: tuple[str, ...]
    org_tops: tuple[str, ...] | None
    """None until `with_organisations` found them (only the rules need them for a place)."""
    actor: Actor
    bound: bool = False
    """A shape (`shape_of`): conditions name their bounds as parameters (`bounds()`)."""
    every_place: bool = False
    """Its territory is every place of the registry (the place tree's only root): a statement
    over all of them may leave the ranges out, and be planned as a whole (PostgreSQL's
    generic plan for a range expects a sliver and probes a city's rows one by one)."""
    every_organisation: bool = False
    """Its organisations are every organisation of the registry (`with_organisations`), as
    `every_place` for places."""

    def places(
        self, column: SQLColumnExpression[str | None] = Place.path
    ) -> ColumnElement[bool]:
        """SQL condition: the place lies in the scope's territory."""
        if self.bound:
            return _bound_ranges(column, "place", len(self.place_tops))
        return within_any(column, self.place_tops)

    def orgs(
        self, column: SQLColumnExpression[str | None] = Organisation.path
    ) -> ColumnElement[bool]:
        """SQL condition: the organisation lies in the scope's organisations."""
        if self.org_tops is None:
            raise RuntimeError("call with_organisations(session, scope) first")
        if self.bound:
            return _bound_ranges(column, "org", len(self.org_tops))
        return within_any(column, self.org_tops)

    @property
    def shape(self) -> Shape:
        """What statements built for the scope depend on, bounds aside (see `shape_of`): its
        kind, how many tops, and whether it holds every place or organisation."""
        orgs = None if self.org_tops is None else len(self.org_tops)
        return self.kind, len(self.place_tops), orgs, self.every_place, self.every_organisation

    def bounds(self) -> dict[str, str]:
        """The values of the bound parameters of statements built for `shape_of(scope.shape)`."""
        values: dict[str, str] = {}
        for prefix, tops in (("place", self.place_tops), ("org", self.org_tops or ())):
            for index, top in enumerate(tops):
                values |= bound_subtree(f"{prefix}_{index}", top)
        return values


@lru_cache(maxsize=256)
def shape_of(
    kind: ScopeKind,
    places: int,
    orgs: int | None,
    every_place: bool = False,
    every_organisation: bool = False,
) -> Scope:
    """A scope standing for every scope of this shape: its conditions are bound parameters, so
    a statement built for it once serves them all, executed with `scope.bounds()`. Composing
    a statement in SQLAlchemy costs far more than running it; only the shape may be cached,
    never a scope's values or anything of its caller."""
    org_tops = None if orgs is None else ("",) * orgs
    return Scope(kind, None, None, ("",) * places, org_tops, _NOBODY, bound=True,
                 every_place=every_place, every_organisation=every_organisation)  # fmt: skip


def _bound_ranges(
    column: SQLColumnExpression[str | None], prefix: str, count: int
) -> ColumnElement[bool]:
    ranges = [within_bound(column, f"{prefix}_{i}") for i in range(count)]
    return or_(*ranges) if ranges else false()


def member_meets_any(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    """SQL condition on Member: the member meets one of `conditions` (each on Member). A UNION
    of one select per condition, each seeking its own index: planners cannot combine indexes
    for `organisation_id IN (...) OR reports_to_id IN (...)` and scan every member. Each select
    reads the member table on its own (no correlation with the outer query)."""
    branches = [select(Member.id).where(condition).correlate(None) for condition in conditions]
    if not branches:
        return false()
    return Member.id.in_(union_all(*branches) if len(branches) > 1 else branches[0])


async def resolve_scope(
    session: AsyncSession, actor: Actor, key: Key, kind: ScopeKind | None, field: str = "scope"
) -> Scope:
    """The scope for a place or an organisation. With `kind` None, `key` is a code tried as a
    place code first, then as an organisation code. Raises a NOT_FOUND user error when
    nothing in the caller's scope matches."""
    if kind in (ScopeKind.PLACE, None):
        try:
            place = await get_place(session, actor, key, field)
        except UserErrors:
            if kind is ScopeKind.PLACE:
                raise
        else:
            return await place_scope(session, actor, place)
    try:
        org = await get_organisation(session, actor, key, field)
    except UserErrors:
        shown = f"id {key}" if isinstance(key, int) else f"code {key!r}"
        raise fail(
            field,
            f"no place or organisation with {shown} in your scope",
            ErrorCode.NOT_FOUND,
            "NOT_IN_SCOPE",
            noun="scope",
            ref=key,
        ) from None
    return await organisation_scope(session, actor, org)


async def scope_named(
    session: AsyncSession, actor: Actor, named: ScopeRef, field: str = "scope"
) -> Scope:
    """The scope a request names (`ScopeRef`), resolved in the caller's scope."""
    return await resolve_scope(session, actor, named.key, named.kind, field)


async def place_scope(session: AsyncSession, actor: Actor, place: Place) -> Scope:
    """The scope of a (visible) place: its subtree (organisations found on demand)."""
    every = await _whole_registry(session, place)
    return Scope(ScopeKind.PLACE, place, None, (place.path,), None, actor, every_place=every)


async def organisation_scope(session: AsyncSession, actor: Actor, org: Organisation) -> Scope:
    """The scope of a (visible) organisation: its subtree and its territory."""
    if actor.org_path == org.path and actor.place_paths is not None:
        tops = actor.place_paths  # the caller's own organisation: read with the token
    else:
        tops = await territory(session, org.path)
    return Scope(ScopeKind.ORGANISATION, None, org, tops, (org.path,), actor)


async def with_organisations(session: AsyncSession, scope: Scope) -> Scope:
    """The scope with its organisations: for a place, the active organisations covering a place
    inside it (and everything under them), cut to the caller's organisation subtree."""
    if scope.org_tops is not None:
        return scope
    if scope.every_place:
        tops = await covering_tops(session, scope.actor)
        every = scope.actor.unscoped and tops == await _root_organisations(session)
        return replace(scope, org_tops=tops, every_organisation=every)
    return replace(scope, org_tops=await covering_tops_inside(session, scope))


async def _root_organisations(session: AsyncSession) -> tuple[str, ...]:
    found = await session.scalars(
        select(Organisation.path).where(Organisation.parent_id.is_(None))
    )
    return tuple(sorted(found))


async def _whole_registry(session: AsyncSession, place: Place) -> bool:
    """Whether every place lies inside `place`: it is the place tree's only root."""
    if place.parent_id is not None:
        return False
    roots = select(Place.id).where(Place.parent_id.is_(None)).limit(2).subquery()
    return await session.scalar(select(func.count()).select_from(roots)) == 1


async def covering_tops_inside(session: AsyncSession, scope: Scope) -> tuple[str, ...]:
    """The tops of the active organisations covering a place inside the scope, in the caller's
    organisation subtree."""
    # The open coverage inside the scope is a range of its own index (`Coverage.place_path`):
    # the cost follows the scope, not the registry.
    covering = await session.scalars(
        select(Organisation.path)
        .join(Coverage, Coverage.organisation_id == Organisation.id)
        .where(Coverage.end.is_(None), scope.places(Coverage.place_path))
        .where(Organisation.status == OrgStatus.ACTIVE.value, scope.actor.org_clause())
        .distinct()
    )
    return reduce_to_tops(covering)


async def covering_tops(session: AsyncSession, actor: Actor) -> tuple[str, ...]:
    """The tops of the active organisations covering any place, in the actor's organisation
    subtree: `covering_tops_inside` the place tree's only root, inside which every place
    lies.

    Walked down the organisation tree from its roots (or the actor's organisation), stopping
    at the first covering organisation on each branch: a city's root reads the few
    organisations above its covering ones, not the 114,000 that cover a place."""
    if actor.unscoped:
        seed: ColumnElement[bool] = Organisation.parent_id.is_(None)
    else:
        seed = Organisation.path == actor.org_path

    def covers(org: Any) -> ColumnElement[bool]:
        return and_(
            org.status == OrgStatus.ACTIVE.value,
            exists(select(1).where(Coverage.organisation_id == org.id, Coverage.end.is_(None))),
        )

    return reduce_to_tops(await session.scalars(first_down(seed, covers)))
