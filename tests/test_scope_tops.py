"""Tops found walking down the organisation tree (`registry.core.org_walk`) equal those read
from every coverage row: a place scope's organisations (the active organisations covering a
place inside it, cut to the caller's organisation subtree), for the whole registry's scope (its
only root place); and the organisations serving a community, which decide a term's length."""

from __future__ import annotations

import copy
import random
from dataclasses import replace

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from registry.access.actor import SYSTEM, Actor, Role
from registry.access.scope import (
    covering_tops,
    covering_tops_inside,
    resolve_scope,
    with_organisations,
)
from registry.core.kinds import COMMUNITY_TERM_KINDS, OrgStatus
from registry.core.models import Coverage, Organisation, Place
from registry.core.paths import reduce_to_tops
from registry.core.terms import community_tops
from tests.support import Registry
from tests.write_world import WORLD

# The sub-district of `WORLD` alone: one root place (寸滩街道), one root organisation.
ONE_ROOT = copy.deepcopy(WORLD)
ONE_ROOT["places"] = [p for p in WORLD["places"] if p["code"] not in ("JB", "JC", "JE")]
ONE_ROOT["organisations"] = [
    o for o in WORLD["organisations"] if o["code"] not in ("WJ", "PJ", "BRJ")
]
ONE_ROOT["members"] = [m for m in WORLD["members"] if m["code"] != "M8"]


async def test_the_whole_registry_finds_the_same_organisations_walking_down(
    registry: Registry,
) -> None:
    """Given a registry with one root place, when organisations are closed and coverage ended
    at random (closing the top, leaving covering children under a closed parent, ending a
    committee's coverage while its branches still cover), then for the admin and for an
    organiser of every organisation, the walk down finds the tops the coverage rows give; and
    around every organisation, the same organisations serving a community."""
    await registry.load(ONE_ROOT)
    chance = random.Random(20261206)
    for _ in range(40):
        async with registry.db.write() as session:
            orgs = list(await session.scalars(select(Organisation).order_by(Organisation.path)))
            covers = list(await session.scalars(select(Coverage.id).order_by(Coverage.id)))
            closed = [o.id for o in orgs if chance.random() < 0.3]
            ended = [c for c in covers if chance.random() < 0.3]
            await session.execute(
                update(Organisation)
                .where(Organisation.id.in_(closed))
                .values(status=OrgStatus.DISSOLVED.value)
            )
            await session.execute(
                update(Coverage).where(Coverage.id.in_(ended)).values(end=Coverage.start)
            )
            root = await resolve_scope(session, SYSTEM, "CT", None)
            actors = [SYSTEM, *(Actor(None, Role.ORGANISER, o.path, ()) for o in orgs)]
            for actor in actors:
                scope = replace(root, actor=actor)
                walked = await covering_tops(session, actor)
                assert walked == await covering_tops_inside(session, scope), (closed, ended)
                assert (await with_organisations(session, scope)).org_tops == walked
            for org in orgs:
                assert await community_tops(session, (org.path,)) == await serving_above_or_in(
                    session, org.path
                ), (org.code, closed, ended)
            await session.rollback()


async def serving_above_or_in(session: AsyncSession, path: str) -> tuple[str, ...]:
    """The tops of the active community-level organisations covering a community, grid or
    estate, above or inside the organisation at `path`: counted in Python from every row."""
    rows = await session.execute(
        select(Organisation.path, Organisation.kind, Organisation.status, Place.kind)
        .join(Coverage, Coverage.organisation_id == Organisation.id)
        .join(Place, Place.id == Coverage.place_id)
        .where(Coverage.end.is_(None))
    )
    serving = {
        org_path
        for org_path, kind, status, place_kind in rows
        if kind in {k.value for k in COMMUNITY_TERM_KINDS}
        and status == OrgStatus.ACTIVE.value
        and place_kind in ("community", "grid", "estate")
        and (org_path.startswith(path) or path.startswith(org_path))
    }
    return reduce_to_tops(serving)


async def test_beside_another_root_a_root_place_holds_only_what_covers_inside_it(
    registry: Registry,
) -> None:
    """Given two sub-districts, each the root of its places and of its organisations, when the
    scope is one of them, then its organisations are its own committee's subtree only."""
    await registry.load(WORLD)
    async with registry.db.read() as session:
        scope = await with_organisations(session, await resolve_scope(session, SYSTEM, "CT", None))
        committee = await session.scalar(
            select(Organisation.path).where(Organisation.code == "WC")
        )
    assert scope.org_tops == (committee,)
