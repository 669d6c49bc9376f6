"""Household contacts (党员联系户): proposeHouseholdContacts, applyHouseholdContacts, and the
households-per-member ratio of a scope (setContactRatio)."""

from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from registry.access.actor import Actor
from registry.api.context import Context, GInfo
from registry.api.errors import UserError
from registry.api.mutations.common import ref
from registry.api.mutations.runner import ask, run
from registry.api.pairings import AppliedPairings, ContactProposal
from registry.api.refs import scope_by_ref, scope_ref
from registry.api.types import Place
from registry.core.models import Place as PlaceRow
from registry.planning import contacts
from registry.planning.storing import Applied
from registry.writes.pairings import ApplyHouseholdContacts, SetContactRatio

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

    def command(self, ctx: Context) -> ApplyHouseholdContacts:
        return ApplyHouseholdContacts(
            scope=scope_ref(self.scope), capacity=self.capacity,
            default_ratio=ctx.settings.rules.household_contact_ratio,
            expected=self.expected_proposal,
        )  # fmt: skip


@strawberry.type
class HouseholdContactsPayload:
    proposal: ContactProposal | None
    applied: AppliedPairings | None = strawberry.field(
        description="Null for a proposal (nothing written)."
    )
    user_errors: list[UserError]

    @classmethod
    async def of(
        cls, session: AsyncSession, result: tuple[contacts.ContactPlan, Applied | None]
    ) -> HouseholdContactsPayload:
        plan, applied = result
        return cls(
            proposal=ContactProposal.of(plan),
            applied=AppliedPairings.of(applied) if applied else None,
            user_errors=[],
        )


@strawberry.input
class SetContactRatioInput:
    place: str = strawberry.field(description="An estate or a place above one.")
    ratio: int | None = strawberry.field(
        description="Households per contact member in its subtree; null clears it (the nearest "
        "ancestor's value, else the default, applies again)."
    )

    def command(self, ctx: Context) -> SetContactRatio:
        return SetContactRatio(
            place=ref(self.place, "Place"), ratio=self.ratio,
            default_ratio=ctx.settings.rules.household_contact_ratio,
        )  # fmt: skip


@strawberry.type
class SetContactRatioPayload:
    place: Place | None
    ratio: int | None = strawberry.field(description="The ratio in force at the place now.")
    user_errors: list[UserError]

    @classmethod
    async def of(
        cls, session: AsyncSession, result: tuple[PlaceRow, int]
    ) -> SetContactRatioPayload:
        row, ratio = result
        return cls(place=Place.from_row(row), ratio=ratio, user_errors=[])


@strawberry.type
class ContactMutations:
    @strawberry.mutation(
        description="Propose household contacts for a scope. Writes nothing; any token may ask."
    )
    async def propose_household_contacts(
        self, info: GInfo, input: ProposeHouseholdContactsInput
    ) -> HouseholdContactsPayload:
        default = info.context.settings.rules.household_contact_ratio

        async def question(
            session: AsyncSession, actor: Actor
        ) -> tuple[contacts.ContactPlan, None]:
            scope = await scope_by_ref(session, actor, input.scope)
            return (
                await contacts.propose_household_contacts(session, scope, input.capacity, default),
                None,
            )

        return await ask(info, question, HouseholdContactsPayload)

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
        return await run(info, input, HouseholdContactsPayload)

    @strawberry.mutation(
        description="Set the households-per-contact-member ratio of an estate or a place above."
    )
    async def set_contact_ratio(
        self, info: GInfo, input: SetContactRatioInput
    ) -> SetContactRatioPayload:
        return await run(info, input, SetContactRatioPayload)
