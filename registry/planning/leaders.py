"""Leader pairings (班子成员包联): leadership members answer for communities and estates.

- **Leaders**: members holding a current secretary, deputy-secretary or committee-member office
  in the working committee covering the scope's sub-district (eligible for any place), or in
  a community committee — an organisation of a community-level kind covering a community of
  the scope (eligible for that community and its estates). Holding both: sub-district level.
- **Places**: the communities and estates of the scope.
- **Load** of a place = households in it + 5 x open suggestions + 20 x open rule violations
  (`graph.leaders.WorkloadWeights`). A community's load counts all its households. Violations come
  from `registry.reports.rules.rules_report`: an organisation's count for every place
  holding a place it covers, a member's for the places holding their home. Open suggestions
  come from `open_suggestions` (suggestions not yet resolved, raised anywhere inside the place).

Propose/apply as for household contacts (`registry.planning.contacts`): propose writes nothing,
apply recomputes, refuses STALE if the reviewed fingerprint no longer matches, and stores the
plan as dated `leader` pairings.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from graph.leaders import Leader, LeaderPlan, LeadPlace, pair_leaders
from registry.access.actor import Actor
from registry.access.scope import Scope
from registry.core.config import RuleThresholds
from registry.core.errors import ErrorCode, fail
from registry.core.kinds import (
    COMMUNITY_TERM_KINDS,
    OrgKind,
    OrgStatus,
    PairingKind,
    PlaceKind,
    SuggestionStatus,
)
from registry.core.models import Coverage, Member, Office, Organisation, Pairing, Place, Suggestion
from registry.core.paths import ids_of, in_subtree_of, reduce_to_tops, within_any
from registry.core.sql import one_of
from registry.core.terms import COMMITTEE_ROLES
from registry.planning.contacts import apply_diff, refuse_if_stale
from registry.planning.estates import PLACE_COLUMNS, Existing, Territory, read_member_codes
from registry.planning.locking import lock_scope_estates
from registry.planning.storing import Applied
from registry.reports.rules import rules_report

# Every member of a committee, whatever their portfolio (组织委员, 宣传委员, ...).
LEADER_ROLES = COMMITTEE_ROLES
MAX_PLACES_PER_LEADER = 50


@dataclass(frozen=True)
class LeaderProposal:
    territory: Territory
    places: dict[str, LeadPlace]
    plan: LeaderPlan
    fingerprint: str

    @property
    def kept(self) -> int:
        return sum(p.kept for p in self.plan.pairings)

    @property
    def added(self) -> int:
        return len(self.plan.pairings) - self.kept


async def open_suggestions(session: AsyncSession, places: Mapping[str, str]) -> dict[str, int]:
    """Suggestions not yet resolved per place code (given code -> path), counting everything
    raised inside the place's subtree. Open suggestions are few, so their paths are fetched once
    and counted here."""
    if not places:
        return {}
    open_paths = (
        await session.scalars(
            select(Place.path)
            .join(Suggestion, Suggestion.place_id == Place.id)
            .where(Suggestion.status != SuggestionStatus.RESOLVED.value)
            .where(within_any(Place.path, reduce_to_tops(places.values())))
        )
    ).all()
    return {
        code: sum(1 for raised in open_paths if raised.startswith(path))
        for code, path in places.items()
    }


async def propose_leader_pairings(
    session: AsyncSession, scope: Scope, capacity: int, rules: RuleThresholds
) -> LeaderProposal:
    """The leader-pairing plan for the communities and estates of `scope`. Writes nothing."""
    if not 1 <= capacity <= MAX_PLACES_PER_LEADER:
        raise fail(
            "capacity", f"give places per leader from 1 to {MAX_PLACES_PER_LEADER}",
            ErrorCode.INVALID, "OUT_OF_RANGE", minimum=1, maximum=MAX_PLACES_PER_LEADER,
        )  # fmt: skip
    found = Territory()
    rows = (
        await session.execute(
            select(*PLACE_COLUMNS).where(
                one_of(Place.kind, (PlaceKind.COMMUNITY, PlaceKind.ESTATE)),
                scope.places(Place.path),
            )
        )
    ).all()
    above = {i for r in rows for i in ids_of(r.path)} - {r.id for r in rows}
    ancestors = (
        (await session.execute(select(*PLACE_COLUMNS).where(Place.id.in_(sorted(above))))).all()
        if above
        else []
    )
    everything = {r.id: r for r in [*rows, *ancestors]}
    found.places = {r.code: r for r in everything.values()}
    found.place_code = {r.id: r.code for r in everything.values()}
    community = {
        r.code: next(
            (everything[i].code for i in ids_of(r.path) if i in everything
             and everything[i].kind == PlaceKind.COMMUNITY.value),
            r.code,
        )
        for r in rows
    }  # fmt: skip
    paths = {r.code: r.path for r in rows}
    households = await _households(session, [r.id for r in rows])
    suggestions = await open_suggestions(session, paths)
    violations = await _violations(session, scope, rules, paths)
    places = {
        r.code: LeadPlace(
            r.code, r.kind, community[r.code], households.get(r.id, 0),
            suggestions.get(r.code, 0), violations.get(r.code, 0),
        )
        for r in rows
    }  # fmt: skip
    subdistricts = [r.id for r in everything.values() if r.kind == PlaceKind.SUBDISTRICT.value]
    communities = [r.id for r in rows if r.kind == PlaceKind.COMMUNITY.value]
    leaders = await _leaders(session, scope.actor, found, subdistricts, communities, capacity)
    existing = (
        await session.execute(
            select(Pairing.id, Pairing.member_id, Pairing.place_id)
            .where(Pairing.kind == PairingKind.LEADER.value, Pairing.end.is_(None))
            .where(Pairing.place_id.in_([r.id for r in rows]))
            .order_by(Pairing.id)
        )
    ).all() if rows else []  # fmt: skip
    found.existing = [Existing(r.id, r.member_id, r.place_id) for r in existing]
    await read_member_codes(session, scope.actor, found, {r.member_id for r in existing})
    pairs = [(found.member_code[e.member_id], found.place_code[e.place_id]) for e in found.existing]
    plan = pair_leaders(places.values(), leaders, pairs)
    return LeaderProposal(found, places, plan, _fingerprint(plan))


async def apply_leader_pairings(
    session: AsyncSession,
    actor: Actor,
    scope: Scope,
    capacity: int,
    rules: RuleThresholds,
    expected: str | None,
    today: date | None = None,
) -> tuple[LeaderProposal, Applied]:
    """Store the plan as `leader` pairings; STALE if `expected` no longer matches."""
    actor.require_write()
    await lock_scope_estates(session, scope)
    proposal = await propose_leader_pairings(session, scope, capacity, rules)
    refuse_if_stale(expected, proposal.fingerprint)
    wanted = {(str(p.leader_id), str(p.place_id)) for p in proposal.plan.pairings}
    applied = await apply_diff(session, proposal.territory, PairingKind.LEADER, wanted, today)
    return proposal, applied


def _fingerprint(plan: LeaderPlan) -> str:
    digest = hashlib.sha256()
    for leader, place in sorted((str(p.leader_id), str(p.place_id)) for p in plan.pairings):
        digest.update(f"+{leader}|{place}\n".encode())
    for leader, place in sorted((str(r.leader_id), str(r.place_id)) for r in plan.released):
        digest.update(f"-{leader}|{place}\n".encode())
    return digest.hexdigest()[:16]


async def _households(session: AsyncSession, place_ids: list[int]) -> dict[int, int]:
    """Households in the subtree of each place, in one grouped statement."""
    if not place_ids:
        return {}
    top = aliased(Place)
    rows = await session.execute(
        select(top.id, func.count(Place.id))
        .join(Place, in_subtree_of(Place.path, top.path))
        .where(top.id.in_(place_ids), Place.kind == PlaceKind.HOUSEHOLD.value)
        .group_by(top.id)
    )
    return {place_id: int(n) for place_id, n in rows}


async def _violations(
    session: AsyncSession, scope: Scope, rules: RuleThresholds, paths: Mapping[str, str]
) -> dict[str, int]:
    """Open rule violations per place code: each counts for every place holding a place its
    organisation covers (or the member's home)."""
    found = await rules_report(session, scope, rules)
    org_ids = {v.organisation.id for v in found if v.organisation is not None}
    covered: dict[int, list[str]] = {}
    if org_ids:
        rows = await session.execute(
            select(Coverage.organisation_id, Place.path)
            .join(Place, Place.id == Coverage.place_id)
            .where(Coverage.organisation_id.in_(sorted(org_ids)), Coverage.end.is_(None))
        )
        for org_id, path in rows:
            covered.setdefault(org_id, []).append(path)
    homes = {v.member.household_id for v in found if v.member is not None and v.member.household_id}
    home_paths: dict[int, str] = {}
    if homes:
        rows = await session.execute(
            select(Place.id, Place.path).where(Place.id.in_(sorted(homes)))
        )
        home_paths = {place_id: path for place_id, path in rows}
    counts: Counter[str] = Counter()
    for v in found:
        if v.organisation is not None:
            where = covered.get(v.organisation.id, [])
        elif v.member is not None and v.member.household_id in home_paths:
            where = [home_paths[v.member.household_id]]
        else:
            where = []
        for code, top in paths.items():
            if any(_inside(p, top) for p in where):
                counts[code] += 1
    return dict(counts)


def _inside(path: str, top: str) -> bool:
    return path.startswith(top)


async def _leaders(
    session: AsyncSession,
    actor: Actor,
    found: Territory,
    subdistricts: Iterable[int],
    communities: Iterable[int],
    capacity: int,
) -> list[Leader]:
    """Office holders of the covering working committee (anywhere) and community committees."""
    community_kinds = sorted(k.value for k in COMMUNITY_TERM_KINDS)
    rows = (
        await session.execute(
            select(Member, Organisation.kind, Coverage.place_id)
            .join(Office, Office.member_id == Member.id)
            .join(Organisation, Organisation.id == Office.organisation_id)
            .join(Coverage, Coverage.organisation_id == Organisation.id)
            .where(Office.end.is_(None), one_of(Office.role, LEADER_ROLES))
            .where(Organisation.status == OrgStatus.ACTIVE.value, Coverage.end.is_(None))
            .where(
                (
                    (Organisation.kind == OrgKind.WORKING_COMMITTEE.value)
                    & Coverage.place_id.in_(sorted(subdistricts))
                )
                | (
                    one_of(Organisation.kind, community_kinds)
                    & Coverage.place_id.in_(sorted(communities))
                )
            )
            .order_by(Member.code)
        )
    ).all()
    where: dict[str, str | None] = {}
    for member, kind, place_id in rows:
        found.members[member.code] = member
        found.member_code[member.id] = member.code
        level = None if kind == OrgKind.WORKING_COMMITTEE.value else found.place_code[place_id]
        where[member.code] = None if member.code in where and where[member.code] is None else level
        if level is None:
            where[member.code] = None
    if where and not actor.unscoped:
        ids = [found.members[c].id for c in where]
        found.visible_members |= set(
            await session.scalars(
                select(Member.code).where(Member.id.in_(ids), actor.member_clause())
            )
        )
    elif where:
        found.visible_members |= set(where)
    return [Leader(code, community, capacity) for code, community in sorted(where.items())]
