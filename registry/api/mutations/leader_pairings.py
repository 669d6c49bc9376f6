"""Leader pairings (班子成员包联): proposeLeaderPairings, applyLeaderPairings."""

from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from registry.access.actor import Actor
from registry.api.context import Context, GInfo
from registry.api.errors import UserError
from registry.api.mutations.runner import ask, run
from registry.api.pairings import AppliedPairings, LeaderProposal
from registry.api.refs import scope_by_ref, scope_ref
from registry.planning import leaders
from registry.planning.storing import Applied
from registry.writes.pairings import ApplyLeaderPairings

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

    def command(self, ctx: Context) -> ApplyLeaderPairings:
        return ApplyLeaderPairings(
            scope=scope_ref(self.scope), capacity=self.capacity, rules=ctx.settings.rules,
            expected=self.expected_proposal,
        )  # fmt: skip


@strawberry.type
class LeaderPairingsPayload:
    proposal: LeaderProposal | None
    applied: AppliedPairings | None = strawberry.field(
        description="Null for a proposal (nothing written)."
    )
    user_errors: list[UserError]

    @classmethod
    async def of(
        cls, session: AsyncSession, result: tuple[leaders.LeaderProposal, Applied | None]
    ) -> LeaderPairingsPayload:
        found, applied = result
        return cls(
            proposal=LeaderProposal.of(found),
            applied=AppliedPairings.of(applied) if applied else None,
            user_errors=[],
        )


@strawberry.type
class LeaderPairingMutations:
    @strawberry.mutation(
        description="Propose leader pairings for a scope's communities and estates. Writes nothing."
    )
    async def propose_leader_pairings(
        self, info: GInfo, input: ProposeLeaderPairingsInput
    ) -> LeaderPairingsPayload:
        rules = info.context.settings.rules

        async def question(
            session: AsyncSession, actor: Actor
        ) -> tuple[leaders.LeaderProposal, None]:
            scope = await scope_by_ref(session, actor, input.scope)
            return await leaders.propose_leader_pairings(
                session, scope, input.capacity, rules
            ), None

        return await ask(info, question, LeaderPairingsPayload)

    @strawberry.mutation(description="Store the leader-pairing plan of a scope in one transaction.")
    async def apply_leader_pairings(
        self, info: GInfo, input: ApplyLeaderPairingsInput
    ) -> LeaderPairingsPayload:
        return await run(info, input, LeaderPairingsPayload)
