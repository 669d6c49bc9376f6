"""`gridreg bench --contact-job`: the household contacts of a whole registry, estate by estate.

A city's contact pairing is too large for one request and one transaction: it runs as a job, one
`applyHouseholdContacts` per estate through the API (as an organiser's console asks it), in
path order, with a progress bar. After each estate the job writes the estate's path to its
checkpoint file, so a job stopped at any point resumes after the last estate it stored. Pairings
never cross estates, so each estate's answer is the whole registry's answer for it; and an
applied estate's proposal keeps every pairing, so an estate stored again changes nothing. It
reports estates and households per second.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from rich.progress import Progress
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from benchmarks.timing import OPERATIONS, ASGIApp, operation_caller
from registry.access.actor import Role
from registry.access.tokens import create_token, stop_keeping_actors
from registry.core.config import Settings
from registry.core.db import Database
from registry.core.kinds import PlaceKind
from registry.core.models import BuildingTally, Place


@dataclass(frozen=True)
class Estate:
    code: str
    path: str
    households: int


@dataclass(frozen=True)
class JobRun:
    """What one run of the job did: estates stored (and their households), estates skipped as
    stored by an earlier run, and the seconds it took."""

    estates: int
    households: int
    skipped: int
    seconds: float

    @property
    def households_per_second(self) -> float:
        return self.households / self.seconds if self.seconds else 0.0


async def estates_in_order(db: Database) -> list[Estate]:
    """Every estate with its households (from the building tallies), in path order."""
    building = aliased(Place)
    households = (
        select(building.parent_id, func.sum(BuildingTally.households).label("households"))
        .join(BuildingTally, BuildingTally.building_id == building.id)
        .group_by(building.parent_id)
        .subquery()
    )
    async with db.read() as session:
        rows = await session.execute(
            select(Place.code, Place.path, func.coalesce(households.c.households, 0))
            .outerjoin(households, households.c.parent_id == Place.id)
            .where(Place.kind == PlaceKind.ESTATE.value)
        )
        found = [Estate(code, path, int(count)) for code, path, count in rows]
    return sorted(found, key=lambda e: e.path)


async def run_contact_job(
    url: str, checkpoint: Path, *, stop_after: int | None = None, progress: bool = False
) -> JobRun:
    """Apply the household contacts of every estate after the checkpoint's, one request each,
    writing the checkpoint after each; stop after `stop_after` estates if given."""
    from registry.server.app import create_app

    db = Database(url)
    started = time.perf_counter()
    try:
        estates = await estates_in_order(db)
        done = checkpoint.read_text(encoding="utf-8").strip() if checkpoint.exists() else ""
        todo = [e for e in estates if e.path > done]
        skipped = len(estates) - len(todo)
        if stop_after is not None:
            todo = todo[:stop_after]
        async with db.write() as session:
            token = await create_token(session, Role.ADMIN, None, "contact job")
        app = create_app(Settings.from_env(database_url=url))
        # starlette types its ASGI messages as mutable mappings, the caller as dicts.
        call = operation_caller(cast(ASGIApp, app), token, OPERATIONS)
        checkpoint.parent.mkdir(parents=True, exist_ok=True)
        with Progress(disable=not progress) as bar:
            task = bar.add_task("household contacts", total=sum(e.households for e in todo))
            for estate in todo:
                bar.update(task, description=f"household contacts, {estate.code}")
                await call("ApplyHouseholdContacts", {"scope": estate.code})
                checkpoint.write_text(estate.path, encoding="utf-8")
                bar.advance(task, estate.households)
        await stop_keeping_actors(app.state.db)
        await app.state.db.dispose()
    finally:
        await db.dispose()
    households = sum(e.households for e in todo)
    return JobRun(len(todo), households, skipped, time.perf_counter() - started)
