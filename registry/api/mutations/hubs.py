"""Hub households (党员中心户): proposeHubHouseholds, applyHubHouseholds."""

from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from registry.access.actor import Actor
from registry.api.context import GInfo
from registry.api.errors import UserError, run_write, user_errors
from registry.api.pairings import AppliedPairings, HubProposal
from registry.api.refs import scope_by_ref
from registry.audit.changelog import Recorder
from registry.core.errors import UserErrors
from registry.planning import hubs

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


@strawberry.type
class HubHouseholdsPayload:
    proposal: HubProposal | None
    applied: AppliedPairings | None = strawberry.field(
        description="Null for a proposal (nothing written)."
    )
    user_errors: list[UserError]


@strawberry.type
class HubMutations:
    @strawberry.mutation(description="Propose hub households for a scope. Writes nothing.")
    async def propose_hub_households(
        self, info: GInfo, input: ProposeHubHouseholdsInput
    ) -> HubHouseholdsPayload:
        ctx = info.context
        actor = ctx.require_actor()
        try:
            async with ctx.db.read() as session:
                scope = await scope_by_ref(session, actor, input.scope)
                found = await hubs.propose_hubs(
                    session, scope, input.max_reach, input.building_wide
                )
        except UserErrors as refused:
            return HubHouseholdsPayload(
                proposal=None, applied=None, user_errors=user_errors(refused.problems)
            )
        return HubHouseholdsPayload(proposal=HubProposal.of(found), applied=None, user_errors=[])

    @strawberry.mutation(description="Store the hub-household proposal of a scope.")
    async def apply_hub_households(
        self, info: GInfo, input: ApplyHubHouseholdsInput
    ) -> HubHouseholdsPayload:
        async def work(
            session: AsyncSession, actor: Actor, recorder: Recorder
        ) -> HubHouseholdsPayload:
            scope = await scope_by_ref(session, actor, input.scope)
            found, applied = await hubs.apply_hubs(
                session, actor, recorder, scope, input.max_reach, input.building_wide,
                input.expected_proposal,
            )  # fmt: skip
            return HubHouseholdsPayload(
                proposal=HubProposal.of(found),
                applied=AppliedPairings(opened=applied.opened, ended=applied.ended),
                user_errors=[],
            )

        result, errors = await run_write(info, work)
        return result or HubHouseholdsPayload(proposal=None, applied=None, user_errors=errors)
