"""Hub households (党员中心户): proposeHubHouseholds, applyHubHouseholds."""

from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from registry.access.actor import Actor
from registry.api.context import Context, GInfo
from registry.api.errors import UserError
from registry.api.mutations.runner import ask, run
from registry.api.pairings import AppliedPairings, HubProposal
from registry.api.refs import scope_by_ref, scope_ref
from registry.planning import hubs
from registry.planning.storing import Applied
from registry.writes.pairings import ApplyHubs

SCOPE_HELP = "An estate, a community or a sub-district (global ID or code), or an organisation."
REACH_HELP = "Households a hub links at most, itself included."
WIDE_HELP = "A hub may link its whole building (else its own unit only)."


@strawberry.input
class ProposeHubHouseholdsInput:
    scope: str = strawberry.field(description=SCOPE_HELP)
    max_reach: int = strawberry.field(default=10, description=REACH_HELP)
    building_wide: bool = strawberry.field(default=True, description=WIDE_HELP)


@strawberry.input
class ApplyHubHouseholdsInput:
    scope: str = strawberry.field(description=SCOPE_HELP)
    max_reach: int = strawberry.field(default=10, description=REACH_HELP)
    building_wide: bool = strawberry.field(default=True, description=WIDE_HELP)
    expected_proposal: str | None = strawberry.field(
        default=None,
        description="The `fingerprint` of the proposal you reviewed (STALE if it would now "
        "differ).",
    )

    def command(self, ctx: Context) -> ApplyHubs:
        return ApplyHubs(
            scope=scope_ref(self.scope), max_reach=self.max_reach,
            building_wide=self.building_wide, expected=self.expected_proposal,
        )  # fmt: skip


@strawberry.type
class HubHouseholdsPayload:
    proposal: HubProposal | None
    applied: AppliedPairings | None = strawberry.field(
        description="Null for a proposal (nothing written)."
    )
    user_errors: list[UserError]

    @classmethod
    async def of(
        cls, session: AsyncSession, result: tuple[hubs.HubProposal, Applied | None]
    ) -> HubHouseholdsPayload:
        found, applied = result
        return cls(
            proposal=HubProposal.of(found),
            applied=AppliedPairings.of(applied) if applied else None,
            user_errors=[],
        )


@strawberry.type
class HubMutations:
    @strawberry.mutation(description="Propose hub households for a scope. Writes nothing.")
    async def propose_hub_households(
        self, info: GInfo, input: ProposeHubHouseholdsInput
    ) -> HubHouseholdsPayload:
        async def question(session: AsyncSession, actor: Actor) -> tuple[hubs.HubProposal, None]:
            scope = await scope_by_ref(session, actor, input.scope)
            found = await hubs.propose_hubs(session, scope, input.max_reach, input.building_wide)
            return found, None

        return await ask(info, question, HubHouseholdsPayload)

    @strawberry.mutation(description="Store the hub-household proposal of a scope.")
    async def apply_hub_households(
        self, info: GInfo, input: ApplyHubHouseholdsInput
    ) -> HubHouseholdsPayload:
        return await run(info, input, HubHouseholdsPayload)
