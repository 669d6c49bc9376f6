"""Suggestions (民意) in the API: the node type, the `suggestions` list, coverage figures."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import strawberry
from sqlalchemy import Select, false, select
from strawberry import relay

from registry.api.context import GInfo
from registry.api.enums import (
    SUGGESTION_CATEGORY,
    SUGGESTION_STATUS,
    SuggestionCategoryEnum,
    SuggestionStatusEnum,
)
from registry.api.paging import Connection, paginate
from registry.api.refs import find_by_ref, find_scope
from registry.api.tasks import Task, task_loaders
from registry.api.types import Member, Place
from registry.core import models
from registry.reports.coverage import SuggestionFigures as Figures
from registry.writes.suggestions import get_suggestion


def _ids(node_ids: Iterable[str]) -> list[int]:
    return [int(i) if str(i).isdigit() else -1 for i in node_ids]


@strawberry.type
class Suggestion(relay.Node):
    """What a resident raised at a household or building; open → in progress → resolved."""

    id: relay.NodeID[int]
    code: str
    category: SuggestionCategoryEnum
    text: str
    status: SuggestionStatusEnum
    raised_on: date
    started_on: date | None
    resolved_on: date | None
    version: int
    place_key: strawberry.Private[int]
    heard_by_key: strawberry.Private[int | None]
    task_key: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: models.Suggestion) -> Suggestion:
        return cls(
            id=row.id, code=row.code, category=SUGGESTION_CATEGORY(row.category),
            text=row.text, status=SUGGESTION_STATUS(row.status), raised_on=row.raised_on,
            started_on=row.started_on, resolved_on=row.resolved_on, version=row.version,
            place_key=row.place_id, heard_by_key=row.heard_by_id, task_key=row.task_id,
        )  # fmt: skip

    @strawberry.field(description="The household or building it was raised at.")
    async def place(self, info: GInfo) -> Place | None:
        row = await info.context.loaders.place.load(self.place_key)
        return Place.from_row(row) if row else None

    @strawberry.field(description="The member who heard it.")
    async def heard_by(self, info: GInfo) -> Member | None:
        if self.heard_by_key is None:
            return None
        row = await info.context.loaders.member.load(self.heard_by_key)
        return Member.from_row(row) if row else None

    @strawberry.field(description="The task that resolves it.")
    async def task(self, info: GInfo) -> Task | None:
        if self.task_key is None:
            return None
        row = await task_loaders(info).task.load(self.task_key)
        return Task.from_row(row) if row else None

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # relay.Node types it loosely per overload
        cls, *, info: GInfo, node_ids: Iterable[str], required: bool = False
    ) -> list[Suggestion | None]:
        actor = info.context.require_actor()
        keys = _ids(node_ids)
        async with info.context.db.read() as session:
            rows = await session.scalars(
                select(models.Suggestion)
                .join(models.Place, models.Place.id == models.Suggestion.place_id)
                .where(models.Suggestion.id.in_(keys), actor.place_clause())
            )
            found: dict[int, Any] = {r.id: r for r in rows}
        return [cls.from_row(found[k]) if k in found else None for k in keys]


@strawberry.type
class SuggestionFigures:
    """Suggestions raised at places in the scope, resolved, their ratio, and the median days
    from raised to resolved."""

    raised: int
    resolved: int
    ratio: float | None
    median_days_to_resolve: float | None

    @classmethod
    def of(cls, figures: Figures) -> SuggestionFigures:
        return cls(
            raised=figures.raised,
            resolved=figures.resolved,
            ratio=figures.ratio,
            median_days_to_resolve=figures.median_days_to_resolve,
        )


@strawberry.input
class SuggestionFilter:
    scope: str | None = strawberry.field(
        default=None,
        description="A place or organisation (global ID or code): suggestions raised in its "
        "territory.",
    )
    status: SuggestionStatusEnum | None = None
    category: SuggestionCategoryEnum | None = None


@strawberry.type
class SuggestionQuery:
    @strawberry.field(description="A suggestion by global ID or code, if it lies in your scope.")
    async def suggestion(
        self, info: GInfo, id: strawberry.ID | None = None, code: str | None = None
    ) -> Suggestion | None:
        row = await find_by_ref(info, get_suggestion, "Suggestion", id, code)
        return Suggestion.from_row(row) if row else None

    @strawberry.field(description="Suggestions by code, scoped to you.")
    async def suggestions(
        self,
        info: GInfo,
        filter: SuggestionFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Suggestion]:

        ctx = info.context
        actor = ctx.require_actor()
        size = ctx.page_size(first)
        flt = filter or SuggestionFilter()
        query: Select = actor.narrow(
            select(models.Suggestion).join(
                models.Place, models.Place.id == models.Suggestion.place_id
            ),
            actor.place_clause(),
        )
        if flt.status is not None:
            query = query.where(models.Suggestion.status == flt.status.value)
        if flt.category is not None:
            query = query.where(models.Suggestion.category == flt.category.value)
        if flt.scope:
            scope = await find_scope(info, actor, flt.scope)
            query = query.where(false() if scope is None else scope.places(models.Place.path))
        async with ctx.db.read() as session:
            return await paginate(
                session, query, models.Suggestion.code, size, after,
                lambda rows: list(map(Suggestion.from_row, rows)),
            )  # fmt: skip
