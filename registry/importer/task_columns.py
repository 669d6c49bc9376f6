"""Columns of the `tasks` and `suggestions` sheets (see `registry.importer.tasks`)."""

from __future__ import annotations

TASK_COLUMNS = (
    "code", "kind", "name", "organisation", "places", "headcount", "skills", "start", "end",
    "status", "leader",
)  # fmt: skip
TASK_REQUIRED = frozenset({"code", "kind", "name", "organisation", "places", "start", "end"})
SUGGESTION_COLUMNS = (
    "code", "place", "category", "text", "heard_by", "raised_on", "status", "started_on",
    "resolved_on", "task",
)  # fmt: skip
SUGGESTION_REQUIRED = frozenset({"code", "place", "category", "text", "raised_on"})
