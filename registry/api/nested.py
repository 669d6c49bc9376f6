"""The reports a node's fields answer (`registry.api.context.NestedReports`), wired into
every request's context by the application."""

from __future__ import annotations

from registry.api.context import GInfo
from registry.api.coverage import CoverageReport, coverage_report
from registry.api.paging import Connection
from registry.api.tasks import Assignment
from registry.api.types import related_page


class Reports:
    """Coverage of a place or organisation; a member's assignments on visible tasks."""

    async def coverage(
        self, info: GInfo, *, place: int | None, organisation: int | None
    ) -> CoverageReport | None:
        return await coverage_report(info, place=place, organisation=organisation)

    async def tasks(
        self, info: GInfo, member: int, first: int | None, after: str | None
    ) -> Connection[Assignment]:
        return await related_page(
            info, ("Member", member), "tasks", (), first, after, Assignment.from_row
        )


REPORTS = Reports()
