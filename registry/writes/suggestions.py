"""Suggestions (民意): what residents raise, from a household or a building, tracked to resolution.

Lifecycle: open → in_progress → resolved. `started_on` is set when work starts (in_progress),
`resolved_on` when resolved; a suggestion resolved straight from open starts and resolves the
same day unless `startedOn` is given. Moving backwards (reopening) needs a `reason`, which goes
into the change log; reopening clears the dates of the later stages. Dates never precede the
date the suggestion was raised, and resolution never precedes the start.

A suggestion is visible to callers who see its place; `heardBy` is a member the caller sees;
the resolving task is one the caller sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from registry.access.actor import Actor
from registry.access.lookup import Key, get_member, get_place
from registry.audit.changelog import describe, state
from registry.core.errors import ErrorCode, fail
from registry.core.kinds import PlaceKind, SuggestionCategory, SuggestionStatus
from registry.core.models import CODE_MAX, SUGGESTION_TEXT_MAX, Place, Suggestion
from registry.writes.commands import handles
from registry.writes.common import check_version, free_code, text
from registry.writes.tasks import get_task

ORDER = {SuggestionStatus.OPEN: 0, SuggestionStatus.IN_PROGRESS: 1, SuggestionStatus.RESOLVED: 2}
PLACE_KINDS = frozenset({PlaceKind.HOUSEHOLD, PlaceKind.BUILDING})


async def get_suggestion(
    session: AsyncSession, actor: Actor, key: Key, field: str = "suggestion"
) -> Suggestion:
    """The suggestion with this id or code whose place the actor sees; else NOT_FOUND."""
    column = Suggestion.id if isinstance(key, int) else Suggestion.code
    row = await session.scalar(
        select(Suggestion)
        .join(Place, Place.id == Suggestion.place_id)
        .where(column == key, actor.place_clause())
        .with_for_update(of=Suggestion)
    )
    if row is None:
        shown = f"id {key}" if isinstance(key, int) else f"code {key!r}"
        raise fail(
            field, f"no suggestion with {shown} in your scope", ErrorCode.NOT_FOUND,
            "NOT_IN_SCOPE", noun="suggestion", ref=key,
        )  # fmt: skip
    return row


@dataclass(frozen=True)
class CreateSuggestion:
    """What `create_suggestion` is asked to do."""

    code: str | None
    place: Key
    category: SuggestionCategory
    text_: str
    heard_by: Key | None
    raised_on: date
    task: Key | None = None


@handles(CreateSuggestion)
async def create_suggestion(
    session: AsyncSession, actor: Actor, command: CreateSuggestion
) -> Suggestion:
    """Record an open suggestion raised at a household or building. Without `code`, one is
    made from the id (`S000123`)."""
    actor.require_write()
    clean = text(command.text_, "text", SUGGESTION_TEXT_MAX, multiline=True) or ""
    where = await get_place(session, actor, command.place, "place")
    if PlaceKind(where.kind) not in PLACE_KINDS:
        raise fail(
            "place", f"{where.code!r} is a {where.kind}; suggestions come from a household or "
            "a building", ErrorCode.WRONG_KIND, "SUGGESTION_PLACE_KIND", code=where.code,
            kind=where.kind,
        )  # fmt: skip
    heard = (
        await get_member(session, actor, command.heard_by, "heardBy")
        if command.heard_by is not None
        else None
    )
    task_row = await get_task(session, actor, command.task) if command.task is not None else None
    clean_code = None
    if text(command.code, "code", CODE_MAX, required=False) is not None:
        clean_code = await free_code(session, Suggestion, command.code)
    row = Suggestion(
        code=clean_code or f"~{command.raised_on.isoformat()}",  # placeholder until the id is known
        place_id=where.id, category=command.category.value, text=clean,
        heard_by_id=heard.id if heard else None, raised_on=command.raised_on,
        status=SuggestionStatus.OPEN.value, task_id=task_row.id if task_row else None, version=1,
    )  # fmt: skip
    session.add(row)
    await session.flush()
    if clean_code is None:
        row.code = f"S{row.id:06d}"
        await session.flush()
    return row


@dataclass(frozen=True)
class UpdateSuggestion:
    """What `update_suggestion` is asked to do."""

    suggestion: Key
    status: SuggestionStatus | None
    on: date
    started_on: date | None = None
    task: Key | None = None
    clear_task: bool = False
    category: SuggestionCategory | None = None
    reason: str | None = None
    expected_version: int | None = None


@handles(UpdateSuggestion)
async def update_suggestion(
    session: AsyncSession, actor: Actor, command: UpdateSuggestion
) -> Suggestion:
    """Move a suggestion along open → in_progress → resolved (dated `on`), link or unlink
    its resolving task, or correct its category. See the module docstring for the rules."""
    actor.require_write()
    row = await get_suggestion(session, actor, command.suggestion)
    check_version(row, command.expected_version, "suggestion")
    before = state(row)
    note = text(command.reason, "reason", 500, required=False, multiline=True)
    if command.task is not None:
        row.task_id = (await get_task(session, actor, command.task)).id
    elif command.clear_task:
        row.task_id = None
    if command.category is not None:
        row.category = command.category.value
    if command.status is not None and command.status.value != row.status:
        current = SuggestionStatus(row.status)
        if ORDER[command.status] < ORDER[current]:
            if note is None:
                raise fail(
                    "reason",
                    f"moving a {current.value} suggestion back to {command.status.value} "
                    "needs a reason",
                    ErrorCode.INVALID,
                    "REASON_NEEDED",
                )
            if command.status is SuggestionStatus.OPEN:
                row.started_on = None
            row.resolved_on = None
        else:
            start = command.started_on or row.started_on or command.on
            if start < row.raised_on:
                raise fail(
                    "startedOn" if command.started_on else "on",
                    f"work cannot start ({start}) before the suggestion was raised "
                    f"({row.raised_on})",
                    ErrorCode.INVALID,
                    "BEFORE_RAISED",
                    day=start,
                    raised=row.raised_on,
                )
            row.started_on = start
            if command.status is SuggestionStatus.RESOLVED:
                if command.on < start:
                    raise fail(
                        "on", f"it cannot be resolved ({command.on}) before work started ({start})",
                        ErrorCode.INVALID, "BEFORE_STARTED", day=command.on, started=start,
                    )  # fmt: skip
                row.resolved_on = command.on
        row.status = command.status.value
    if state(row) != before:
        row.version += 1
        if note is not None:
            describe(session, note)
    return row
