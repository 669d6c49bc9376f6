"""Pairing writes: store a planner's proposal (household contacts, leader pairings, hub
households) and set the contact ratio a proposal follows. The planners propose in a read
session and store with a fingerprint (`registry.planning`); these are their commands."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from registry.access.actor import Actor
from registry.access.lookup import Key
from registry.access.scope import ScopeRef, scope_named
from registry.core.config import RuleThresholds
from registry.core.models import Place
from registry.planning import contact_ratio, contacts, hubs, leaders
from registry.planning.storing import Applied
from registry.writes.commands import handles


@dataclass(frozen=True)
class ApplyHouseholdContacts:
    """Store the household-contact proposal of a scope, if it is still the one fingerprinted
    `expected`."""

    scope: ScopeRef
    capacity: int | None
    default_ratio: int
    expected: str | None


@handles(ApplyHouseholdContacts)
async def apply_household_contacts(
    session: AsyncSession, actor: Actor, command: ApplyHouseholdContacts
) -> tuple[contacts.ContactPlan, Applied]:
    """Store the contacts proposal; STALE if it changed since the caller saw it."""
    scope = await scope_named(session, actor, command.scope)
    return await contacts.apply_household_contacts(
        session, actor, scope, command.capacity, command.default_ratio, command.expected
    )


@dataclass(frozen=True)
class ApplyLeaderPairings:
    """Store the leader-pairing plan of a scope, if it is still the one fingerprinted
    `expected`."""

    scope: ScopeRef
    capacity: int
    rules: RuleThresholds
    expected: str | None


@handles(ApplyLeaderPairings)
async def apply_leader_pairings(
    session: AsyncSession, actor: Actor, command: ApplyLeaderPairings
) -> tuple[leaders.LeaderProposal, Applied]:
    """Store the leader pairings; STALE if the plan changed since the caller saw it."""
    scope = await scope_named(session, actor, command.scope)
    return await leaders.apply_leader_pairings(
        session, actor, scope, command.capacity, command.rules, command.expected
    )


@dataclass(frozen=True)
class ApplyHubs:
    """Store the hub-household proposal of a scope, if it is still the one fingerprinted
    `expected`."""

    scope: ScopeRef
    max_reach: int
    building_wide: bool
    expected: str | None


@handles(ApplyHubs)
async def apply_hubs(
    session: AsyncSession, actor: Actor, command: ApplyHubs
) -> tuple[hubs.HubProposal, Applied]:
    """Store the hub households; STALE if the proposal changed since the caller saw it."""
    scope = await scope_named(session, actor, command.scope)
    return await hubs.apply_hubs(
        session, actor, scope, command.max_reach, command.building_wide, command.expected
    )


@dataclass(frozen=True)
class SetContactRatio:
    """Set (ratio None: clear) the households-per-contact ratio of a place's subtree."""

    place: Key
    ratio: int | None
    default_ratio: int  # the deployment's, answered when nothing is set up the tree


@handles(SetContactRatio)
async def set_contact_ratio(
    session: AsyncSession, actor: Actor, command: SetContactRatio
) -> tuple[Place, int]:
    """Set the ratio; returns the place and the ratio now in force there."""
    row = await contact_ratio.set_contact_ratio(session, actor, command.place, command.ratio)
    ratio, _ = await contact_ratio.contact_ratio_of(session, row, command.default_ratio)
    return row, ratio
