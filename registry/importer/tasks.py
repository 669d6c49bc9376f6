"""The `tasks` and `suggestions` sheets: estate tasks and residents' suggestions, upserted by code.

tasks: code, kind, name, organisation, places (`;` estates/buildings), headcount,
skills (`;`, each `skill` or `skill:count`), start, end, status (planned if empty), leader.
A stored task's scope is replaced by the sheet's `places`.

suggestions: code, place (household or building), category, text, heard_by, raised_on, status,
started_on, resolved_on, task. An empty status is worked out from the dates: resolved with a
`resolved_on`, in_progress with a `started_on`, else open; a resolved suggestion with no
`started_on` started the day it was resolved.

Rows are checked with the rest of the workbook (`validate_tasks`); a suggestion's `task` may be a
task of the sheet or one already stored (checked when loading, in the same transaction).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from registry.core.kinds import (
    PlaceKind,
    SuggestionCategory,
    SuggestionStatus,
    TaskKind,
    TaskStatus,
)
from registry.core.models import (
    CODE_MAX,
    NAME_MAX,
    SKILL_MAX,
    SUGGESTION_TEXT_MAX,
    Member,
    Organisation,
    Place,
    Suggestion,
    Task,
    TaskPlace,
)
from registry.importer.checking import Checker
from registry.importer.progress import Tracker
from registry.importer.report import ImportFailed, RowProblem
from registry.importer.stored import Stored
from registry.importer.workbook_format import Sheet, split_list


@dataclass
class TaskRow:
    row: int
    code: str
    kind: str
    name: str
    organisation: str
    places: list[str]
    headcount: int
    skills: dict[str, int]
    start: date
    end: date
    status: str
    leader: str | None


@dataclass
class SuggestionRow:
    row: int
    code: str
    place: str
    category: str
    text: str
    heard_by: str | None
    raised_on: date
    status: str
    started_on: date | None
    resolved_on: date | None
    task: str | None


def validate_tasks(
    sheets: dict[str, Sheet],
    stored: Stored,
    place_kinds: dict[str, str],
    org_kinds: dict[str, str],
    member_codes: set[str],
    problems: list[RowProblem],
    tracker: Tracker,
) -> tuple[list[TaskRow], list[SuggestionRow]]:
    """Check both sheets (if present) against the workbook and the stored registry."""
    tasks: list[TaskRow] = []
    if "tasks" in sheets:
        check = Checker("tasks", problems)
        seen: dict[str, int] = {}
        for number, cells in tracker.each("checking tasks", sheets["tasks"].rows):
            before = len(problems)
            code = cells["code"]
            check.text(number, "code", code, CODE_MAX, required=True)
            check.text(number, "name", cells["name"], NAME_MAX, required=True)
            if code in seen:
                check.add(number, "code", f"code {code!r} is already used on row {seen[code]}")
            seen.setdefault(code, number)
            kind = check.enum(number, "kind", TaskKind, cells["kind"])
            status = TaskStatus.PLANNED
            if cells.get("status"):
                status = check.enum(number, "status", TaskStatus, cells["status"]) or status
            org = cells["organisation"]
            if org not in org_kinds:
                check.add(number, "organisation", f"unknown organisation code {org!r}")
            places = split_list(cells["places"])
            if not places:
                check.add(number, "places", "give the estates or buildings in scope (`;`)")
            for p in places:
                what = place_kinds.get(p)
                if what not in (PlaceKind.ESTATE, PlaceKind.BUILDING):
                    shown = f"a {what}" if what else "an unknown place code"
                    check.add(number, "places", f"{p!r} is {shown}; a task's scope is estates "
                              "or buildings")  # fmt: skip
            headcount = 0
            if cells.get("headcount"):
                if cells["headcount"].isdigit():
                    headcount = int(cells["headcount"])
                else:
                    check.add(number, "headcount", "write a whole number of members")
            skills: dict[str, int] = {}
            for item in split_list(cells.get("skills", "")):
                name, _, count = item.partition(":")
                if count and not count.strip().isdigit():
                    check.add(number, "skills", f"{item!r}: write skill or skill:count")
                    continue
                if not check.text(number, "skills", name.strip(), SKILL_MAX, required=True):
                    continue
                skills[name.strip()] = skills.get(name.strip(), 0) + int(count or 1)
            start = check.date(number, "start", cells["start"])
            end = check.date(number, "end", cells["end"])
            if start and end and end < start:
                check.add(number, "end", f"the task ends ({end}) before it starts ({start})")
            leader = cells.get("leader") or None
            if leader and leader not in member_codes:
                check.add(number, "leader", f"unknown member code {leader!r}")
            if len(problems) == before and kind and start and end:
                tasks.append(
                    TaskRow(number, code, kind.value, cells["name"], org, places, headcount,
                            dict(sorted(skills.items())), start, end, status.value, leader)
                )  # fmt: skip
    suggestions: list[SuggestionRow] = []
    if "suggestions" in sheets:
        check = Checker("suggestions", problems)
        seen = {}
        for number, cells in tracker.each("checking suggestions", sheets["suggestions"].rows):
            before = len(problems)
            code = cells["code"]
            check.text(number, "code", code, CODE_MAX, required=True)
            check.text(number, "text", cells["text"], SUGGESTION_TEXT_MAX, required=True)
            if code in seen:
                check.add(number, "code", f"code {code!r} is already used on row {seen[code]}")
            seen.setdefault(code, number)
            place = cells["place"]
            if place_kinds.get(place) not in (PlaceKind.HOUSEHOLD, PlaceKind.BUILDING):
                what = place_kinds.get(place)
                check.add(number, "place", f"{place!r} is " + (f"a {what}" if what else
                          "an unknown place code") + "; suggestions come from a household or "
                          "a building")  # fmt: skip
            category = check.enum(number, "category", SuggestionCategory, cells["category"])
            heard_by = cells.get("heard_by") or None
            if heard_by and heard_by not in member_codes:
                check.add(number, "heard_by", f"unknown member code {heard_by!r}")
            raised = check.date(number, "raised_on", cells["raised_on"])
            started = check.date(number, "started_on", cells["started_on"]) if cells.get(
                "started_on") else None  # fmt: skip
            resolved = check.date(number, "resolved_on", cells["resolved_on"]) if cells.get(
                "resolved_on") else None  # fmt: skip
            if cells.get("status"):
                status = check.enum(number, "status", SuggestionStatus, cells["status"])
            else:
                status = (
                    SuggestionStatus.RESOLVED if resolved
                    else SuggestionStatus.IN_PROGRESS if started else SuggestionStatus.OPEN
                )  # fmt: skip
            if status is SuggestionStatus.RESOLVED and resolved is None:
                check.add(number, "resolved_on", "a resolved suggestion needs its resolved_on")
            if status is not SuggestionStatus.RESOLVED and resolved is not None:
                check.add(number, "resolved_on", f"a {status} suggestion has no resolved_on")
            if status is SuggestionStatus.RESOLVED and started is None:
                started = resolved
            if status is SuggestionStatus.OPEN and started is not None:
                check.add(number, "started_on", "an open suggestion has no started_on")
            if raised and started and started < raised:
                check.add(number, "started_on", f"work starts ({started}) before it was raised")
            if started and resolved and resolved < started:
                check.add(number, "resolved_on", f"resolved ({resolved}) before work started")
            if len(problems) == before and category and raised and status:
                suggestions.append(
                    SuggestionRow(number, code, place, category.value, cells["text"], heard_by,
                                  raised, status.value, started, resolved,
                                  cells.get("task") or None)
                )  # fmt: skip
    return tasks, suggestions


async def _ids(session: AsyncSession, model: Any, codes: set[str]) -> dict[str, int]:
    rows = await session.execute(select(model.code, model.id).where(model.code.in_(codes)))
    return {code: id_ for code, id_ in rows}


async def write_tasks(
    session: AsyncSession, tasks: list[TaskRow], suggestions: list[SuggestionRow], present: set[str]
) -> dict[str, dict[str, int]]:
    """Upsert the tasks, then the suggestions; created/updated/unchanged per sheet present."""
    counts: dict[str, dict[str, int]] = {}
    codes = {r.code for r in tasks} | {r.task for r in suggestions if r.task}
    codes |= {r.leader for r in tasks if r.leader} | {r.heard_by for r in suggestions if r.heard_by}
    place_codes = {p for r in tasks for p in r.places} | {r.place for r in suggestions}
    org_codes = {r.organisation for r in tasks}
    places = await _ids(session, Place, place_codes)
    orgs = await _ids(session, Organisation, org_codes)
    members = await _ids(session, Member, codes)
    stored_tasks = {
        t.code: t for t in await session.scalars(select(Task).where(Task.code.in_(codes)))
    }
    if "tasks" in present:
        c = {"created": 0, "updated": 0, "unchanged": 0}
        for r in tasks:
            values = {
                "kind": r.kind, "name": r.name, "organisation_id": orgs[r.organisation],
                "leader_id": members.get(r.leader) if r.leader else None,
                "headcount": r.headcount, "required_skills": r.skills, "start": r.start,
                "end": r.end, "status": r.status,
            }  # fmt: skip
            wanted = {places[p] for p in r.places}
            row = stored_tasks.get(r.code)
            if row is None:
                row = Task(code=r.code, version=1, **values)
                session.add(row)
                await session.flush()
                stored_tasks[r.code] = row
                session.add_all(TaskPlace(task_id=row.id, place_id=p) for p in sorted(wanted))
                c["created"] += 1
                continue
            have = set(await session.scalars(
                select(TaskPlace.place_id).where(TaskPlace.task_id == row.id)))  # fmt: skip
            if any(getattr(row, k) != v for k, v in values.items()) or have != wanted:
                for k, v in values.items():
                    setattr(row, k, v)
                row.version += 1
                await session.execute(delete(TaskPlace).where(TaskPlace.task_id == row.id))
                session.add_all(TaskPlace(task_id=row.id, place_id=p) for p in sorted(wanted))
                c["updated"] += 1
            else:
                c["unchanged"] += 1
        counts["tasks"] = c
    if "suggestions" in present:
        missing = [
            RowProblem("suggestions", r.row, "task", f"unknown task code {r.task!r}; add it to "
                       "tasks or correct the code")
            for r in suggestions if r.task and r.task not in stored_tasks
        ]  # fmt: skip
        if missing:
            raise ImportFailed(missing)
        c = {"created": 0, "updated": 0, "unchanged": 0}
        have_s = {
            s.code: s
            for s in await session.scalars(
                select(Suggestion).where(Suggestion.code.in_([r.code for r in suggestions]))
            )
        }
        for r in suggestions:
            values = {
                "place_id": places[r.place], "category": r.category, "text": r.text,
                "heard_by_id": members.get(r.heard_by) if r.heard_by else None,
                "raised_on": r.raised_on, "status": r.status, "started_on": r.started_on,
                "resolved_on": r.resolved_on,
                "task_id": stored_tasks[r.task].id if r.task else None,
            }  # fmt: skip
            found = have_s.get(r.code)
            if found is None:
                session.add(Suggestion(code=r.code, version=1, **values))
                c["created"] += 1
            elif any(getattr(found, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(found, k, v)
                found.version += 1
                c["updated"] += 1
            else:
                c["unchanged"] += 1
        counts["suggestions"] = c
    await session.flush()
    return counts
