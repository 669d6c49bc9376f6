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

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from registry.access.actor import Actor
from registry.access.lookup import Key, get_member, get_place
from registry.audit.changelog import Recorder, state
from registry.core.errors import ErrorCode, fail
from registry.core.kinds import PlaceKind, SuggestionCategory, SuggestionStatus
from registry.core.models import CODE_MAX, SUGGESTION_TEXT_MAX, Place, Suggestion
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
        raise fail(field, f"no suggestion with {shown} in your scope", ErrorCode.NOT_FOUND)
    return row


async def create_suggestion(
    session: AsyncSession,
    actor: Actor,
    recorder: Recorder,
    *,
    code: str | None,
    place: Key,
    category: SuggestionCategory,
    text_: str,
    heard_by: Key | None,
    raised_on: date,
    task: Key | None = None,
) -> Suggestion:
    """Record an open suggestion raised at a household or building. Without `code`, one is
    made from the id (`S000123`)."""
    actor.require_write()
    clean = text(text_, "text", SUGGESTION_TEXT_MAX, multiline=True) or ""
    where = await get_place(session, actor, place, "place")
    if PlaceKind(where.kind) not in PLACE_KINDS:
        raise fail(
            "place", f"{where.code!r} is a {where.kind}; suggestions come from a household or "
            "a building", ErrorCode.WRONG_KIND,
        )  # fmt: skip
    heard = await get_member(session, actor, heard_by, "heardBy") if heard_by is not None else None
    task_row = await get_task(session, actor, task) if task is not None else None
    clean_code = None
    if text(code, "code", CODE_MAX, required=False) is not None:
        clean_code = await free_code(session, Suggestion, code)
    row = Suggestion(
        code=clean_code or f"~{raised_on.isoformat()}",  # placeholder until the id is known
        place_id=where.id, category=category.value, text=clean,
        heard_by_id=heard.id if heard else None, raised_on=raised_on,
        status=SuggestionStatus.OPEN.value, task_id=task_row.id if task_row else None, version=1,
    )  # fmt: skip
    session.add(row)
    await session.flush()
    if clean_code is None:
        row.code = f"S{row.id:06d}"
        await session.flush()
    return row


async def update_suggestion(
    session: AsyncSession,
    actor: Actor,
    recorder: Recorder,
    *,
    suggestion: Key,
    status: SuggestionStatus | None,
    on: date,
    started_on: date | None = None,
    task: Key | None = None,
    clear_task: bool = False,
    category: SuggestionCategory | None = None,
    reason: str | None = None,
    expected_version: int | None = None,
) -> Suggestion:
    """Move a suggestion along open → in_progress → resolved (dated `on`), link or unlink
    its resolving task, or correct its category. See the module docstring for the rules."""
    actor.require_write()
    row = await get_suggestion(session, actor, suggestion)
    check_version(row, expected_version, "suggestion")
    before = state(row)
    note = text(reason, "reason", 500, required=False, multiline=True)
    if task is not None:
        row.task_id = (await get_task(session, actor, task)).id
    elif clear_task:
        row.task_id = None
    if category is not None:
        row.category = category.value
    if status is not None and status.value != row.status:
        current = SuggestionStatus(row.status)
        if ORDER[status] < ORDER[current]:
            if note is None:
                raise fail(
                    "reason",
                    f"moving a {current.value} suggestion back to {status.value} needs a reason",
                )
            if status is SuggestionStatus.OPEN:
                row.started_on = None
            row.resolved_on = None
        else:
            start = started_on or row.started_on or on
            if start < row.raised_on:
                raise fail(
                    "startedOn" if started_on else "on",
                    f"work cannot start ({start}) before the suggestion was raised "
                    f"({row.raised_on})",
                )
            row.started_on = start
            if status is SuggestionStatus.RESOLVED:
                if on < start:
                    raise fail("on", f"it cannot be resolved ({on}) before work started ({start})")
                row.resolved_on = on
        row.status = status.value
    if state(row) != before:
        row.version += 1
        recorder.message = note or recorder.message
    return row
