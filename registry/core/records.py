"""Rows of organisations and members read as plain records, without ORM objects.

Reports that read hundreds or thousands of rows to answer (a chart's boxes, a rules report's
organisations and members) select these columns and make records of them: building an ORM
object costs several times more than the record, and the API types read either
(`registry.api.types`)."""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple


class OrgRecord(NamedTuple):
    """An organisation's row, the columns alone: no ORM object (building 500 of those cost a
    chart a third of its time)."""

    id: int
    code: str
    kind: str
    name: str
    parent_id: int | None
    path: str
    depth: int
    status: str
    established: date | None
    closed_on: date | None
    merged_into_id: int | None
    approved_by_id: int | None
    approved_on: date | None
    version: int


class MemberRecord(NamedTuple):
    """A member's row, the columns alone."""

    id: int
    code: str
    name: str
    gender: str | None
    status: str
    joined: date | None
    full_on: date | None
    organisation_id: int | None
    workplace: str | None
    household_id: int | None
    reports_to_id: int | None
    phone: str | None
    task_capacity: int | None
    version: int
    group_id: int | None
    probation_extended_on: date | None
    probation_extended_months: int | None
    departed_on: date | None
    in_service: bool
    reported_on: date | None
    away_since: date | None
    away_place: str | None
    away_attends_id: int | None
    away_attends: str | None
    org_path: str | None
    reports_path: str | None
    home_path: str | None


def record_columns(record: type[NamedTuple], table: Any) -> list[Any]:
    """The columns of `table` (a mapped class or an alias of one) that `record` holds, in
    its order."""
    return [getattr(table, name) for name in record._fields]
