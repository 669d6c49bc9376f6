"""Hub households (党员中心户): member households that link their neighbours.

A hub is stored as a `hub` pairing whose place is the hub household and whose member lives
there. Its **reach** (the households it links) is not stored: it is computed on read by the
same greedy cover (`graph.hubs.choose_hubs`) run over the building's stored hubs only, so it
always reflects today's households; the change record of a new hub notes its reach at apply.

Propose runs the greedy cover over every member household of the scope's estates (buildings
in id order, hubs of today preferred on ties: a hub of today whose member still lives there
is the candidate for its household); apply stores it like the other pairings (propose writes
nothing; STALE when the reviewed fingerprint no longer matches).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from graph.hubs import HubPlan, choose_hubs
from graph.model import Member as GraphMember
from graph.model import Reason, reason
from registry.access.actor import Actor
from registry.access.scope import Scope
from registry.core.errors import ErrorCode, fail
from registry.core.kinds import PairingKind
from registry.planning.contacts import apply_diff, refuse_if_stale
from registry.planning.estates import Territory, read_territory, require_estate_scope
from registry.planning.locking import lock_scope_estates
from registry.planning.storing import Applied

MAX_REACH = 200


@dataclass(frozen=True)
class HubProposal:
    territory: Territory
    plan: HubPlan
    removed: tuple[tuple[str, str, Reason], ...]  # (member, household, reason) of today's hubs
    fingerprint: str

    @property
    def kept(self) -> int:
        today = self.current
        return sum((str(h.member_id), str(h.household_id)) in today for h in self.plan.hubs)

    @property
    def current(self) -> set[tuple[str, str]]:
        found = self.territory
        return {
            (found.member_code[e.member_id], found.place_code[e.place_id]) for e in found.existing
        }


def check_reach(max_reach: int) -> None:
    if not 1 <= max_reach <= MAX_REACH:
        raise fail(
            "maxReach", f"give households per hub from 1 to {MAX_REACH}", ErrorCode.INVALID,
            "OUT_OF_RANGE", minimum=1, maximum=MAX_REACH,
        )  # fmt: skip


async def propose_hubs(
    session: AsyncSession, scope: Scope, max_reach: int, building_wide: bool
) -> HubProposal:
    """Hub households for the scope's estates, each with its reach. Writes nothing."""
    require_estate_scope(scope)
    check_reach(max_reach)
    found = await read_territory(session, scope, PairingKind.HUB)
    today = {(found.member_code[e.member_id], found.place_code[e.place_id]) for e in found.existing}
    hosts = {h: m for m, h in today}
    candidates = [
        m
        for m in found.candidates
        if m.home_household_id is not None and hosts.get(str(m.home_household_id), m.id) == m.id
    ]
    plan = choose_hubs(found.households, candidates, max_reach, building_wide, preferred=set(hosts))
    chosen = {(str(h.member_id), str(h.household_id)) for h in plan.hubs}
    homes = {m.id: m.home_household_id for m in found.candidates}
    removed = tuple((m, h, _why_removed(m, h, homes, chosen)) for m, h in sorted(today - chosen))
    digest = hashlib.sha256()
    for m, h in sorted(chosen):
        digest.update(f"+{m}|{h}\n".encode())
    for m, h, _ in removed:
        digest.update(f"-{m}|{h}\n".encode())
    return HubProposal(found, plan, removed, digest.hexdigest()[:16])


def _why_removed(
    member: str, household: str, homes: dict[object, object], chosen: set[tuple[str, str]]
) -> Reason:
    if homes.get(member) != household:
        return reason("HUB_MOVED_OUT", member=member, household=household)
    if any(h == household for _, h in chosen):
        return reason("HUB_HOUSEHOLD_TAKEN", household=household)
    return reason("HUB_NEIGHBOURS_REACHED")


async def apply_hubs(
    session: AsyncSession,
    actor: Actor,
    scope: Scope,
    max_reach: int,
    building_wide: bool,
    expected: str | None,
    today: date | None = None,
) -> tuple[HubProposal, Applied]:
    """Store the proposal as `hub` pairings; STALE if `expected` no longer matches."""
    actor.require_write()
    await lock_scope_estates(session, scope)
    proposal = await propose_hubs(session, scope, max_reach, building_wide)
    refuse_if_stale(expected, proposal.fingerprint)
    wanted = {(str(h.member_id), str(h.household_id)) for h in proposal.plan.hubs}
    notes: dict[tuple[str, str], dict[str, object]] = {
        (str(h.member_id), str(h.household_id)): {"reach": [str(x) for x in h.reach]}
        for h in proposal.plan.hubs
    }
    applied = await apply_diff(session, proposal.territory, PairingKind.HUB, wanted, today, notes)
    return proposal, applied


def stored_reach(found: Territory, max_reach: int = 10) -> dict[str, set[str]]:
    """Household code -> members whose stored hub reaches it (computed on read, see above)."""
    hubs = [
        GraphMember(found.member_code[e.member_id], home_household_id=found.place_code[e.place_id])
        for e in found.existing
    ]
    plan = choose_hubs(found.households, hubs, max_reach, True)
    reached: dict[str, set[str]] = defaultdict(set)
    for hub in plan.hubs:
        for household in hub.reach:
            reached[str(household)].add(str(hub.member_id))
    return reached
