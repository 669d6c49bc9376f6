"""Household contacts (党员联系户): proposeHouseholdContacts, applyHouseholdContacts, and the
households-per-member ratio of a scope (setContactRatio)."""

from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from registry.access.actor import Actor
from registry.api.context import GInfo
from registry.api.errors import UserError, run_write, user_errors
from registry.api.mutations.common import ref
from registry.api.pairings import AppliedPairings, ContactProposal
from registry.api.refs import scope_by_ref
from registry.api.types import Place
from registry.audit.changelog import Recorder
from registry.core.errors import UserErrors
from registry.planning import contact_ratio as settings
from registry.planning import contacts

SCOPE_HELP = (
    "An estate, a community or a sub-district (global ID or code), or an organisation (its "
    "territory's estates). Solved estate by estate; pairings never cross estates."
)
CAPACITY_HELP = (
    "Households per member for this run, overriding each estate's ratio (setContactRatio, "
    "else the deployment default)."
)


@strawberry.input
class ProposeHouseholdContactsInput:
    scope: str = strawberry.field(description=SCOPE_HELP)
    capacity: int | None = strawberry.field(default=None, description=CAPACITY_HELP)


@strawberry.input
class ApplyHouseholdContactsInput:
    scope: str = strawberry.field(description=SCOPE_HELP)
    capacity: int | None = strawberry.field(default=None, description=CAPACITY_HELP)
    expected_proposal: str | None = strawberry.field(
        default=None,
        description=(
            "The `fingerprint` of the proposal you reviewed: if the registry changed so that "
            "the proposal would now differ, nothing is written (STALE). Omit to store the "
            "current optimum."
        ),
    )


@strawberry.type
class HouseholdContactsPayload:
    proposal: ContactProposal | None
    applied: AppliedPairings | None = strawberry.field(
        description="Null for a proposal (nothing written)."
    )
    user_errors: list[UserError]


@strawberry.input
class SetContactRatioInput:
    place: str = strawberry.field(description="An estate or a place above one.")
    ratio: int | None = strawberry.field(
        description="Households per contact member in its subtree; null clears it (the nearest "
        "ancestor's value, else the default, applies again)."
    )


@strawberry.type
class SetContactRatioPayload:
    place: Place | None
    ratio: int | None = strawberry.field(description="The ratio in force at the place now.")
    user_errors: list[UserError]


@strawberry.type
class ContactMutations:
    @strawberry.mutation(
        description="Propose household contacts for a scope. Writes nothing; any token may ask."
    )
    async def propose_household_contacts(
        self, info: GInfo, input: ProposeHouseholdContactsInput
    ) -> HouseholdContactsPayload:
        ctx = info.context
        actor = ctx.require_actor()
        default = ctx.settings.rules.household_contact_ratio
        try:
            async with ctx.db.read() as session:
                scope = await scope_by_ref(session, actor, input.scope)
                plan = await contacts.propose_household_contacts(
                    session, scope, input.capacity, default
                )
        except UserErrors as refused:
            return HouseholdContactsPayload(
                proposal=None, applied=None, user_errors=user_errors(refused.problems)
            )
        return HouseholdContactsPayload(
            proposal=ContactProposal.of(plan), applied=None, user_errors=[]
        )

    @strawberry.mutation(
        description=(
            "Store the household-contact proposal of a scope in one transaction: pairings that "
            "stop end today, new ones start today. STALE if `expectedProposal` no longer "
            "matches."
        )
    )
    async def apply_household_contacts(
        self, info: GInfo, input: ApplyHouseholdContactsInput
    ) -> HouseholdContactsPayload:
        default = info.context.settings.rules.household_contact_ratio

        async def work(
            session: AsyncSession, actor: Actor, recorder: Recorder
        ) -> HouseholdContactsPayload:
            scope = await scope_by_ref(session, actor, input.scope)
            plan, applied = await contacts.apply_household_contacts(
                session, actor, recorder, scope, input.capacity, default, input.expected_proposal
            )
            return HouseholdContactsPayload(
                proposal=ContactProposal.of(plan),
                applied=AppliedPairings(opened=applied.opened, ended=applied.ended),
                user_errors=[],
            )

        result, errors = await run_write(info, work)
        return result or HouseholdContactsPayload(proposal=None, applied=None, user_errors=errors)

    @strawberry.mutation(
        description="Set the households-per-contact-member ratio of an estate or a place above."
    )
    async def set_contact_ratio(
        self, info: GInfo, input: SetContactRatioInput
    ) -> SetContactRatioPayload:
        default = info.context.settings.rules.household_contact_ratio

        async def work(
            session: AsyncSession, actor: Actor, recorder: Recorder
        ) -> SetContactRatioPayload:
            row = await settings.set_contact_ratio(
                session, actor, recorder, ref(input.place, "Place"), input.ratio
            )
            ratio, _ = await settings.contact_ratio_of(session, row, default)
            return SetContactRatioPayload(place=Place.from_row(row), ratio=ratio, user_errors=[])

        result, errors = await run_write(info, work)
        return result or SetContactRatioPayload(place=None, ratio=None, user_errors=errors)
