"""Suggestion writes: createSuggestion, updateSuggestion. Rules: `registry.writes.suggestions`."""

from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from registry.access.actor import Actor
from registry.api.context import GInfo
from registry.api.enums import SuggestionCategoryEnum, SuggestionStatusEnum
from registry.api.errors import UserError, run_write
from registry.api.mutations.common import DATE_HELP, on_day, opt_day, opt_ref, ref
from registry.api.suggestions import Suggestion
from registry.audit.changelog import Recorder
from registry.writes import suggestions


@strawberry.input
class CreateSuggestionInput:
    place: str = strawberry.field(description="The household or building it was raised at.")
    category: SuggestionCategoryEnum
    text: str
    heard_by: str | None = strawberry.field(default=None, description="The member who heard it.")
    raised_on: str | None = strawberry.field(
        default=None, description=f"{DATE_HELP} Today if omitted."
    )
    code: str | None = strawberry.field(
        default=None, description="Your own code; S000123 (from its id) if omitted."
    )
    task: str | None = strawberry.field(default=None, description="The task resolving it.")


@strawberry.type
class SuggestionPayload:
    suggestion: Suggestion | None
    user_errors: list[UserError]


@strawberry.input
class UpdateSuggestionInput:
    suggestion: str
    status: SuggestionStatusEnum | None = strawberry.field(
        default=None,
        description="open → in_progress → resolved; moving back needs a `reason`.",
    )
    on: str | None = strawberry.field(
        default=None, description=f"{DATE_HELP} When the status changed; today if omitted."
    )
    started_on: str | None = strawberry.field(
        default=None, description=f"{DATE_HELP} When work started, if not `on`."
    )
    task: str | None = strawberry.field(default=None, description="Link the resolving task.")
    clear_task: bool = strawberry.field(default=False, description="Unlink the task.")
    category: SuggestionCategoryEnum | None = None
    reason: str | None = strawberry.field(
        default=None, description="Why (needed to move back); kept in the change log."
    )
    expected_version: int | None = strawberry.field(
        default=None, description="Refuse (STALE) unless the suggestion is still at this version."
    )


@strawberry.type
class SuggestionMutations:
    @strawberry.mutation(description="Record a suggestion raised by residents (open).")
    async def create_suggestion(
        self, info: GInfo, input: CreateSuggestionInput
    ) -> SuggestionPayload:
        async def work(session: AsyncSession, actor: Actor, recorder: Recorder) -> Suggestion:
            row = await suggestions.create_suggestion(
                session, actor, recorder, code=input.code, place=ref(input.place, "Place"),
                category=input.category, text_=input.text,
                heard_by=opt_ref(input.heard_by, "Member"),
                raised_on=on_day(input.raised_on, "raisedOn"),
                task=opt_ref(input.task, "Task"),
            )  # fmt: skip
            return Suggestion.from_row(row)

        found, errors = await run_write(info, work)
        return SuggestionPayload(suggestion=found, user_errors=errors)

    @strawberry.mutation(description="Move a suggestion along, link its task, fix its category.")
    async def update_suggestion(
        self, info: GInfo, input: UpdateSuggestionInput
    ) -> SuggestionPayload:
        async def work(session: AsyncSession, actor: Actor, recorder: Recorder) -> Suggestion:
            row = await suggestions.update_suggestion(
                session, actor, recorder, suggestion=ref(input.suggestion, "Suggestion"),
                status=input.status, on=on_day(input.on, "on"),
                started_on=opt_day(input.started_on, "startedOn"),
                task=opt_ref(input.task, "Task"), clear_task=input.clear_task,
                category=input.category, reason=input.reason,
                expected_version=input.expected_version,
            )  # fmt: skip
            return Suggestion.from_row(row)

        found, errors = await run_write(info, work)
        return SuggestionPayload(suggestion=found, user_errors=errors)
