"""Pairings over GraphQL: proposal types, the responsibility chain and resilience queries.

Proposal objects are built up front from the rows the service loaded (no per-field database
work): a proposal of a whole sub-district is thousands of pairings.
"""

from __future__ import annotations

from typing import Any

import strawberry

from graph.leaders import place_workload
from registry.api.context import GInfo
from registry.api.reasons import Reason, reasons
from registry.api.refs import parse_ref, scope_by_ref
from registry.api.types import Member, Organisation, Place
from registry.core.errors import UserErrors
from registry.planning import chain, resilience
from registry.planning.contacts import ContactPlan
from registry.planning.estates import Territory
from registry.planning.hubs import HubProposal as HubProposalRows
from registry.planning.leaders import LeaderProposal as LeaderProposalRows
from registry.planning.storing import Applied


class Rows:
    """Node types for a territory's rows, one object per member and place."""

    def __init__(self, found: Territory) -> None:
        self.found = found
        self._members: dict[str, Member | None] = {}
        self._places: dict[str, Place] = {}

    def member(self, code: Any) -> Member | None:
        """The member, or None when the caller may not see them."""
        code = str(code)
        if code not in self._members:
            row = self.found.members.get(code)
            visible = row is not None and code in self.found.visible_members
            self._members[code] = Member.from_row(row) if row is not None and visible else None
        return self._members[code]

    def place(self, code: Any) -> Place:
        code = str(code)
        if code not in self._places:
            self._places[code] = Place.from_row(self.found.places[code])
        return self._places[code]


@strawberry.type(description="A member paired with a household, and why.")
class ContactPairing:
    member: Member | None = strawberry.field(description="Null if outside your scope.")
    household: Place
    relation: str = strawberry.field(
        description="SAME_UNIT, SAME_BUILDING, NEIGHBOURING_BUILDING or SAME_ESTATE: the "
        "distance's reason code."
    )
    cost: int = strawberry.field(description="Distance: 1 same unit … 4 same estate.")
    explanation: list[Reason]
    kept: bool = strawberry.field(description="True when the pairing exists today.")


@strawberry.type(description="A household the proposal leaves without a contact member.")
class UnpairedHousehold:
    household: Place
    reason: Reason


@strawberry.type(description="A pairing of today the proposal ends, and why.")
class RemovedContact:
    member: Member | None = strawberry.field(description="Null if outside your scope.")
    household: Place
    reason: Reason
    new_member: Member | None = strawberry.field(description="Who takes the household over.")


@strawberry.type(description="The households-per-member ratio k used for an estate.")
class EstateCapacity:
    estate: Place
    capacity: int


@strawberry.type(
    description=(
        "A household-contact proposal: most households paired, then least distance (same unit "
        "< same building < neighbouring building < same estate, never across estates), then "
        "fewest changes to today's pairings. `fingerprint` names what applying it would store."
    )
)
class ContactProposal:
    pairings: list[ContactPairing]
    unpaired: list[UnpairedHousehold]
    removed: list[RemovedContact]
    kept_count: int
    added_count: int
    removed_count: int
    changed_count: int = strawberry.field(
        description="Households whose contact member changes (gained, lost or handed over)."
    )
    total_cost: int
    capacities: list[EstateCapacity]
    fingerprint: str

    @classmethod
    def of(cls, plan: ContactPlan) -> ContactProposal:
        rows = Rows(plan.territory)
        proposal = plan.proposal
        return cls(
            pairings=[
                ContactPairing(
                    member=rows.member(p.member_id),
                    household=rows.place(p.household_id),
                    relation=p.relation,
                    cost=p.cost,
                    explanation=reasons(p.explanation),
                    kept=p.kept,
                )
                for p in proposal.pairings
            ],
            unpaired=[
                UnpairedHousehold(household=rows.place(u.household_id), reason=Reason.of(u.reason))
                for u in proposal.unpaired
            ],
            removed=[
                RemovedContact(
                    member=rows.member(r.member_id),
                    household=rows.place(r.household_id),
                    reason=Reason.of(r.reason),
                    new_member=None if r.new_member_id is None else rows.member(r.new_member_id),
                )
                for r in proposal.removals
            ],
            kept_count=proposal.kept,
            added_count=proposal.added,
            removed_count=proposal.removed,
            changed_count=plan.changed,
            total_cost=proposal.total_cost,
            capacities=[
                EstateCapacity(estate=rows.place(code), capacity=k)
                for code, k in sorted(plan.ratios.items())
            ],
            fingerprint=plan.fingerprint,
        )


@strawberry.type(description="What an apply wrote.")
class AppliedPairings:
    opened: int = strawberry.field(description="Pairings started today.")
    ended: int = strawberry.field(description="Pairings ended today.")

    @classmethod
    def of(cls, applied: Applied) -> AppliedPairings:
        return cls(opened=applied.opened, ended=applied.ended)


# -- leader pairings -------------------------------------------------------------------------


@strawberry.type(description="A community or estate with the load a leader takes on with it.")
class PlaceLoad:
    place: Place
    households: int
    open_suggestions: int
    open_violations: int
    load: int = strawberry.field(
        description="households + 5 x open suggestions + 20 x open rule violations."
    )


@strawberry.type(description="A leadership member paired with a community or estate.")
class LeaderPairing:
    leader: Member | None = strawberry.field(description="Null if outside your scope.")
    place: Place
    load: int
    kept: bool
    explanation: list[Reason]


@strawberry.type(description="A place the plan leaves without a leader, and why.")
class UnpairedPlace:
    place: Place
    reason: Reason


@strawberry.type(description="A leader pairing of today the plan ends, and why.")
class ReleasedLeaderPairing:
    leader: Member | None
    place: Place
    reason: Reason


@strawberry.type(description="A leader's total load after the plan.")
class LeaderLoad:
    leader: Member | None
    load: int
    places: int


@strawberry.type(
    description=(
        "A leader-pairing plan: today's pairings kept unless invalid, over capacity or too "
        "unbalanced; the rest paired heaviest place first with the least-loaded eligible leader."
    )
)
class LeaderProposal:
    pairings: list[LeaderPairing]
    unpaired: list[UnpairedPlace]
    released: list[ReleasedLeaderPairing]
    leaders: list[LeaderLoad]
    places: list[PlaceLoad]
    kept_count: int
    added_count: int
    released_count: int
    fingerprint: str

    @classmethod
    def of(cls, proposal: LeaderProposalRows) -> LeaderProposal:
        rows = Rows(proposal.territory)
        plan = proposal.plan
        count: dict[str, int] = {}
        for p in plan.pairings:
            count[str(p.leader_id)] = count.get(str(p.leader_id), 0) + 1
        return cls(
            pairings=[
                LeaderPairing(
                    leader=rows.member(p.leader_id),
                    place=rows.place(p.place_id),
                    load=p.workload,
                    kept=p.kept,
                    explanation=reasons(p.explanation),
                )
                for p in plan.pairings
            ],
            unpaired=[
                UnpairedPlace(place=rows.place(u.place_id), reason=Reason.of(u.reason))
                for u in plan.unpaired
            ],
            released=[
                ReleasedLeaderPairing(
                    leader=rows.member(r.leader_id),
                    place=rows.place(r.place_id),
                    reason=Reason.of(r.reason),
                )
                for r in plan.released
            ],
            leaders=[
                LeaderLoad(leader=rows.member(code), load=load, places=count.get(str(code), 0))
                for code, load in sorted(plan.workloads.items())
            ],
            places=[
                PlaceLoad(
                    place=rows.place(code),
                    households=p.households,
                    open_suggestions=p.open_suggestions,
                    open_violations=p.open_violations,
                    load=place_workload(p),
                )
                for code, p in sorted(proposal.places.items())
            ],
            kept_count=proposal.kept,
            added_count=proposal.added,
            released_count=len(plan.released),
            fingerprint=proposal.fingerprint,
        )


# -- hub households --------------------------------------------------------------------------


@strawberry.type(description="A hub household, its member and the households it links.")
class HubHousehold:
    household: Place
    member: Member | None
    building: Place
    reach: list[Place] = strawberry.field(description="Households it links, itself first.")
    reach_count: int
    kept: bool


@strawberry.type(description="A household no hub reaches, and why.")
class UnreachedHousehold:
    household: Place
    reason: Reason


@strawberry.type(description="A hub of today the proposal ends, and why.")
class RemovedHub:
    member: Member | None
    household: Place
    reason: Reason


@strawberry.type(
    description=(
        "Hub households by greedy set cover per building: repeatedly the member household that "
        "links most still-unreached households (its own unit first), today's hubs on ties."
    )
)
class HubProposal:
    hubs: list[HubHousehold]
    unreached: list[UnreachedHousehold]
    removed: list[RemovedHub]
    kept_count: int
    added_count: int
    removed_count: int
    fingerprint: str

    @classmethod
    def of(cls, proposal: HubProposalRows) -> HubProposal:
        rows = Rows(proposal.territory)
        today = proposal.current
        hubs = [
            HubHousehold(
                household=rows.place(h.household_id),
                member=rows.member(h.member_id),
                building=rows.place(h.building_id),
                reach=[rows.place(x) for x in h.reach],
                reach_count=len(h.reach),
                kept=(str(h.member_id), str(h.household_id)) in today,
            )
            for h in proposal.plan.hubs
        ]
        kept = sum(h.kept for h in hubs)
        return cls(
            hubs=hubs,
            unreached=[
                UnreachedHousehold(household=rows.place(u.household_id), reason=Reason.of(u.reason))
                for u in proposal.plan.unreached
            ],
            removed=[
                RemovedHub(member=rows.member(m), household=rows.place(h), reason=Reason.of(why))
                for m, h, why in proposal.removed
            ],
            kept_count=kept,
            added_count=len(hubs) - kept,
            removed_count=len(proposal.removed),
            fingerprint=proposal.fingerprint,
        )


# -- responsibility chain --------------------------------------------------------------------


@strawberry.type(description="One link of a responsibility chain.")
class ResponsibilityLink:
    role: str = strawberry.field(
        description="contact member, building group leader, branch secretary, community "
        "secretary, leader pairing or working committee secretary."
    )
    place: Place
    organisation: Organisation | None = strawberry.field(
        description="The organisation whose office this is (null for pairings)."
    )
    member: Member | None = strawberry.field(
        description="Who answers; null for a gap, or when `hidden`."
    )
    hidden: bool = strawberry.field(
        description="Someone holds it, outside your scope: the person is not shown."
    )
    gap: str | None = strawberry.field(description="Why nobody answers here, if nobody does.")

    @classmethod
    def of(cls, link: chain.ChainLink) -> ResponsibilityLink:
        return cls(
            role=link.role,
            place=Place.from_row(link.place),
            organisation=Organisation.from_row(link.organisation) if link.organisation else None,
            member=Member.from_row(link.member) if link.member else None,
            hidden=link.hidden,
            gap=link.gap,
        )


# -- resilience ------------------------------------------------------------------------------


@strawberry.type(description="A building or household covered by one member only.")
class SinglePoint:
    place: Place
    member: Member | None = strawberry.field(description="Null if outside your scope.")


@strawberry.type(
    description=(
        "Coverage that hangs on one member. A building is covered by the members living in it "
        "and its group's leader; a household by its contact member and the hubs reaching it."
    )
)
class SinglePointsOfFailure:
    buildings: list[SinglePoint]
    households: list[SinglePoint]
    building_count: int
    household_count: int


@strawberry.type(description="A member chosen to lead a building left without cover.")
class RecoverBuildingLead:
    member: Member | None
    building: Place
    explanation: list[Reason]


@strawberry.type(description="A building nobody could be found for, and why.")
class BuildingLeftUncovered:
    building: Place
    reason: Reason


@strawberry.type(description="What loses cover if a member leaves, and how to re-cover it.")
class MemberDeparture:
    member: Member
    buildings_losing_cover: list[Place]
    households_losing_contact: list[Place]
    contacts: ContactProposal = strawberry.field(
        description="The orphaned households paired with the remaining members' spare capacity."
    )
    building_leads: list[RecoverBuildingLead]
    uncovered_buildings: list[BuildingLeftUncovered]


@strawberry.type
class PairingQuery:
    @strawberry.field(
        description=(
            "Who answers for a household, building or estate, bottom to top, up to the "
            "working-committee secretary, with gaps named. Null when the place is not in your "
            "scope."
        )
    )
    async def responsibility_chain(
        self, info: GInfo, place: str
    ) -> list[ResponsibilityLink] | None:
        actor = info.context.require_actor()
        try:
            async with info.context.db.read() as session:
                links = await chain.chain_of(session, actor, parse_ref(place.strip(), "Place"))
        except UserErrors:
            return None
        return [ResponsibilityLink.of(link) for link in links]

    @strawberry.field(
        description=(
            "Buildings and households of a scope (estate or above, or an organisation) whose "
            "coverage hangs on one member, the first `first` of each. Null when out of scope."
        )
    )
    async def single_points_of_failure(
        self, info: GInfo, scope: str, first: int = 100
    ) -> SinglePointsOfFailure | None:
        actor = info.context.require_actor()
        size = max(0, min(first, info.context.settings.page_size_max * 10))
        try:
            async with info.context.db.read() as session:
                found = await scope_by_ref(session, actor, scope)
                cover, points = await resilience.single_points(session, found)
        except UserErrors:
            return None
        rows = Rows(cover.territory)
        return SinglePointsOfFailure(
            buildings=[
                SinglePoint(place=rows.place(p.target_id), member=rows.member(p.member_id))
                for p in points.buildings[:size]
            ],
            households=[
                SinglePoint(place=rows.place(p.target_id), member=rows.member(p.member_id))
                for p in points.households[:size]
            ],
            building_count=len(points.buildings),
            household_count=len(points.households),
        )

    @strawberry.field(
        description=(
            "If this member left: the buildings and households that would lose all cover, and "
            "a proposal to re-cover them. Writes nothing. Null when the member is not in your "
            "scope."
        )
    )
    async def if_member_leaves(self, info: GInfo, member: str) -> MemberDeparture | None:
        actor = info.context.require_actor()
        default = info.context.settings.rules.household_contact_ratio
        try:
            async with info.context.db.read() as session:
                gone = await resilience.member_leaves(
                    session, actor, parse_ref(member.strip(), "Member"), default
                )
        except UserErrors:
            return None
        rows = Rows(gone.cover.territory)
        impact = gone.impact
        return MemberDeparture(
            member=Member.from_row(gone.member),
            buildings_losing_cover=[rows.place(b) for b in impact.buildings_losing_cover],
            households_losing_contact=[rows.place(h) for h in impact.households_losing_contact],
            contacts=ContactProposal.of(gone.contacts),
            building_leads=[
                RecoverBuildingLead(
                    member=rows.member(c.member_id),
                    building=rows.place(c.building_id),
                    explanation=reasons(c.explanation),
                )
                for c in impact.buildings.choices
                if c.building_id is not None
            ],
            uncovered_buildings=[
                BuildingLeftUncovered(
                    building=rows.place(u.building_id), reason=Reason.of(u.reason)
                )
                for u in impact.buildings.uncovered
            ],
        )
