"""The reports a node's fields answer (`registry.api.context.NestedReports`), wired into
every request's context by the application."""

from __future__ import annotations

from registry.api.context import GInfo
from registry.api.coverage import CoverageReport, coverage_report
from registry.api.tasks import Assignment, task_loaders


class Reports:
    """Coverage of a place or organisation; a member's assignments on visible tasks."""

    async def coverage(
        self, info: GInfo, *, place: int | None, organisation: int | None
    ) -> CoverageReport | None:
        return await coverage_report(info, place=place, organisation=organisation)

    async def assignments(self, info: GInfo, member: int) -> list[Assignment]:
        rows = await task_loaders(info).of_member.load(member)
        return [Assignment.from_row(row) for row in rows]


REPORTS = Reports()
