"""Suggestion writes: createSuggestion, updateSuggestion. Rules: `registry.writes.suggestions`."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from registry.api.context import Context, GInfo
from registry.api.enums import SuggestionCategoryEnum, SuggestionStatusEnum
from registry.api.errors import UserError
from registry.api.mutations.common import DATE_HELP, on_day, opt_day, opt_ref, ref
from registry.api.mutations.runner import run
from registry.api.suggestions import Suggestion
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

    def command(self, ctx: Context) -> suggestions.CreateSuggestion:
        return suggestions.CreateSuggestion(
            code=self.code,
            place=ref(self.place, "Place"),
            category=self.category,
            text_=self.text,
            heard_by=opt_ref(self.heard_by, "Member"),
            raised_on=on_day(self.raised_on, "raisedOn"),
            task=opt_ref(self.task, "Task"),
        )


@strawberry.type
class SuggestionPayload:
    suggestion: Suggestion | None
    user_errors: list[UserError]

    @classmethod
    async def of(cls, session: AsyncSession, row: Any) -> SuggestionPayload:
        return cls(suggestion=Suggestion.from_row(row), user_errors=[])


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

    def command(self, ctx: Context) -> suggestions.UpdateSuggestion:
        return suggestions.UpdateSuggestion(
            suggestion=ref(self.suggestion, "Suggestion"),
            status=self.status,
            on=on_day(self.on, "on"),
            started_on=opt_day(self.started_on, "startedOn"),
            task=opt_ref(self.task, "Task"),
            clear_task=self.clear_task,
            category=self.category,
            reason=self.reason,
            expected_version=self.expected_version,
        )


@strawberry.type
class SuggestionMutations:
    @strawberry.mutation(description="Record a suggestion raised by residents (open).")
    async def create_suggestion(
        self, info: GInfo, input: CreateSuggestionInput
    ) -> SuggestionPayload:
        return await run(info, input, SuggestionPayload)

    @strawberry.mutation(description="Move a suggestion along, link its task, fix its category.")
    async def update_suggestion(
        self, info: GInfo, input: UpdateSuggestionInput
    ) -> SuggestionPayload:
        return await run(info, input, SuggestionPayload)
