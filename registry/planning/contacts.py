"""Household contacts (党员联系户): propose, and apply what was proposed.

**Propose** writes nothing: it loads the scope's estates (`territory`), gives every candidate
the ratio k of their estate (`settings`, or the `capacity` asked for), and calls
`graph.contacts.propose_contacts`, which keeps today's pairings unless the optimum needs them
changed and explains every pairing, every removal and every household left unpaired.

**Apply** recomputes the proposal in the write transaction and stores it: pairings that stop
are ended today, new ones start today, one change row each. The proposal carries a
`fingerprint` of what it would write; when the caller passes the fingerprint of the proposal
they reviewed and the registry has changed since (so the proposal would differ), apply refuses
with STALE and writes nothing — "apply what was proposed", never something else. Without a
fingerprint apply stores the current optimum. The algorithm is deterministic, so an unchanged
registry gives the same proposal, and re-proposing after an apply changes nothing.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from graph.contacts import ContactProposal, propose_contacts
from graph.model import Pairing as GraphPairing
from registry.access.actor import Actor
from registry.access.scope import Scope
from registry.core import calendar
from registry.core.errors import ErrorCode, fail
from registry.core.kinds import PairingKind
from registry.planning.contact_ratio import MAX_CONTACT_RATIO, contact_ratios
from registry.planning.estates import (
    Territory,
    estate_paths,
    read_territory,
    require_estate_scope,
)
from registry.planning.locking import lock_scope_estates
from registry.planning.storing import Applied, apply_plan


@dataclass(frozen=True)
class ContactPlan:
    """A proposal with the territory it was made on, the k of each estate and its fingerprint."""

    territory: Territory
    proposal: ContactProposal
    ratios: dict[str, int]
    fingerprint: str

    @property
    def changed(self) -> int:
        """Households whose contact member would change (gained, lost or handed over)."""
        touched = {p.household_id for p in self.proposal.pairings if not p.kept}
        touched |= {r.household_id for r in self.proposal.removals}
        return len(touched)


def fingerprint(proposal: ContactProposal) -> str:
    """A short digest of what applying the proposal would leave and end."""
    digest = hashlib.sha256()
    for p in sorted((str(p.member_id), str(p.household_id)) for p in proposal.pairings):
        digest.update(f"+{p[0]}|{p[1]}\n".encode())
    for r in sorted((str(r.member_id), str(r.household_id)) for r in proposal.removals):
        digest.update(f"-{r[0]}|{r[1]}\n".encode())
    return digest.hexdigest()[:16]


def check_capacity(capacity: int | None) -> None:
    if capacity is not None and not 0 <= capacity <= MAX_CONTACT_RATIO:
        raise fail(
            "capacity", f"give households per member from 0 to {MAX_CONTACT_RATIO}",
            ErrorCode.INVALID, "OUT_OF_RANGE", minimum=0, maximum=MAX_CONTACT_RATIO,
        )  # fmt: skip


async def propose_household_contacts(
    session: AsyncSession, scope: Scope, capacity: int | None, default_ratio: int
) -> ContactPlan:
    """The contact proposal for the estates of `scope`; `capacity` (households per member)
    overrides every estate's ratio for this run. Writes nothing."""
    require_estate_scope(scope)
    check_capacity(capacity)
    found = await read_territory(session, scope, PairingKind.HOUSEHOLD_CONTACT)
    if capacity is None:
        ratios = await contact_ratios(session, estate_paths(found), default_ratio)
    else:
        ratios = dict.fromkeys(found.estates, capacity)
    members = [
        replace(m, contact_capacity=ratios.get(str(m.estate_id), default_ratio))
        for m in found.candidates
    ]
    existing = [
        GraphPairing(found.member_code[e.member_id], found.place_code[e.place_id])
        for e in found.existing
    ]
    proposal = propose_contacts(found.households, found.buildings, members, default_ratio, existing)
    return ContactPlan(found, proposal, ratios, fingerprint(proposal))


async def apply_household_contacts(
    session: AsyncSession,
    actor: Actor,
    scope: Scope,
    capacity: int | None,
    default_ratio: int,
    expected: str | None,
    today: date | None = None,
) -> tuple[ContactPlan, Applied]:
    """Store the proposal (see the module docstring); STALE if `expected` no longer matches."""
    actor.require_write()
    await lock_scope_estates(session, scope)
    plan = await propose_household_contacts(session, scope, capacity, default_ratio)
    refuse_if_stale(expected, plan.fingerprint)
    found = plan.territory
    wanted = {(str(p.member_id), str(p.household_id)) for p in plan.proposal.pairings}
    applied = await apply_diff(session, found, PairingKind.HOUSEHOLD_CONTACT, wanted, today)
    return plan, applied


def refuse_if_stale(expected: str | None, actual: str) -> None:
    """STALE when the caller reviewed a different proposal than the one that would be stored."""
    if expected is not None and expected.strip() and expected.strip() != actual:
        raise fail(
            "expectedProposal",
            "the registry changed since this proposal was made, so it would now store something "
            "else; propose again, review, and apply the new proposal",
            ErrorCode.STALE,
            "STALE_PROPOSAL",
        )


async def apply_diff(
    session: AsyncSession,
    found: Territory,
    kind: PairingKind,
    wanted: set[tuple[str, str]],
    today: date | None,
    notes: dict[tuple[str, str], dict[str, object]] | None = None,
) -> Applied:
    """Make the current pairings of `kind` on the territory exactly `wanted` (member code,
    place code): keep one row per wanted pair, end every other, open the missing ones."""
    member_id = {code: m.id for code, m in found.members.items()}
    place_id = {code: r.id for code, r in found.places.items()}
    claimed: set[tuple[str, str]] = set()
    ended: list[int] = []
    for e in found.existing:
        pair = (found.member_code[e.member_id], found.place_code[e.place_id])
        if pair in wanted and pair not in claimed:
            claimed.add(pair)
        else:
            ended.append(e.id)
    new = sorted(wanted - claimed)
    by_ids: dict[tuple[int, int], dict[str, object]] = defaultdict(dict)
    for m, p in new:
        by_ids[(member_id[m], place_id[p])] = (notes or {}).get((m, p), {})
    return await apply_plan(
        session, kind, ended, list(by_ids), today or calendar.today(), dict(by_ids)
    )
