"""Leader pairings (班子成员包联): proposeLeaderPairings, applyLeaderPairings."""

from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from registry.access.actor import Actor
from registry.api.context import GInfo
from registry.api.errors import UserError, run_write, user_errors
from registry.api.pairings import AppliedPairings, LeaderProposal
from registry.api.refs import scope_by_ref
from registry.audit.changelog import Recorder
from registry.core.errors import UserErrors
from registry.planning import leaders

SCOPE_HELP = "A sub-district, community or estate (global ID or code), or an organisation."
CAPACITY_HELP = "Places (communities or estates) per leader at most."


@strawberry.input
class ProposeLeaderPairingsInput:
    scope: str = strawberry.field(description=SCOPE_HELP)
    capacity: int = strawberry.field(default=3, description=CAPACITY_HELP)


@strawberry.input
class ApplyLeaderPairingsInput:
    scope: str = strawberry.field(description=SCOPE_HELP)
    capacity: int = strawberry.field(default=3, description=CAPACITY_HELP)
    expected_proposal: str | None = strawberry.field(
        default=None,
        description="The `fingerprint` of the plan you reviewed (STALE if it would now differ).",
    )


@strawberry.type
class LeaderPairingsPayload:
    proposal: LeaderProposal | None
    applied: AppliedPairings | None = strawberry.field(
        description="Null for a proposal (nothing written)."
    )
    user_errors: list[UserError]


@strawberry.type
class LeaderPairingMutations:
    @strawberry.mutation(
        description="Propose leader pairings for a scope's communities and estates. Writes nothing."
    )
    async def propose_leader_pairings(
        self, info: GInfo, input: ProposeLeaderPairingsInput
    ) -> LeaderPairingsPayload:
        ctx = info.context
        actor = ctx.require_actor()
        try:
            async with ctx.db.read() as session:
                scope = await scope_by_ref(session, actor, input.scope)
                found = await leaders.propose_leader_pairings(
                    session, scope, input.capacity, ctx.settings.rules
                )
        except UserErrors as refused:
            return LeaderPairingsPayload(
                proposal=None, applied=None, user_errors=user_errors(refused.problems)
            )
        return LeaderPairingsPayload(
            proposal=LeaderProposal.of(found), applied=None, user_errors=[]
        )

    @strawberry.mutation(description="Store the leader-pairing plan of a scope in one transaction.")
    async def apply_leader_pairings(
        self, info: GInfo, input: ApplyLeaderPairingsInput
    ) -> LeaderPairingsPayload:
        rules = info.context.settings.rules

        async def work(
            session: AsyncSession, actor: Actor, recorder: Recorder
        ) -> LeaderPairingsPayload:
            scope = await scope_by_ref(session, actor, input.scope)
            found, applied = await leaders.apply_leader_pairings(
                session, actor, recorder, scope, input.capacity, rules, input.expected_proposal
            )
            return LeaderPairingsPayload(
                proposal=LeaderProposal.of(found),
                applied=AppliedPairings(opened=applied.opened, ended=applied.ended),
                user_errors=[],
            )

        result, errors = await run_write(info, work)
        return result or LeaderPairingsPayload(proposal=None, applied=None, user_errors=errors)
