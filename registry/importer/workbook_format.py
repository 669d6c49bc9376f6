"""The workbook format: its sheets, in the order they load, and their columns; a sheet as read."""

from __future__ import annotations

from dataclasses import dataclass, field

# The sheets in the order they load (each may refer to the ones before it), with every column:
# the one definition of the workbook format (seeds/workbook.py writes exactly these). REQUIRED
# are the columns a sheet cannot do without; a missing optional column leaves stored values alone.
COLUMNS: dict[str, tuple[str, ...]] = {
    "places": ("code", "parent", "kind", "name"),
    "organisations": ("code", "parent", "kind", "name", "covers", "established"),
    "members": (
        "code", "name", "gender", "status", "joined", "organisation", "workplace",
        "household", "reports_to", "phone", "skills", "task_capacity", "group",
    ),
    "offices": ("member", "organisation", "role", "start", "end"),
    "pairings": ("member", "kind", "place", "start", "end"),
    "tasks": (
        "code", "kind", "name", "organisation", "places", "headcount", "skills", "start", "end",
        "status", "leader",
    ),
    "suggestions": (
        "code", "place", "category", "text", "heard_by", "raised_on", "status", "started_on",
        "resolved_on", "task",
    ),
}  # fmt: skip
REQUIRED: dict[str, frozenset[str]] = {
    "places": frozenset({"code", "kind", "name"}),
    "organisations": frozenset({"code", "kind", "name"}),
    "members": frozenset({"code", "name", "status"}),
    "offices": frozenset({"member", "organisation", "role", "start"}),
    "pairings": frozenset({"member", "kind", "place", "start"}),
    "tasks": frozenset({"code", "kind", "name", "organisation", "places", "start", "end"}),
    "suggestions": frozenset({"code", "place", "category", "text", "raised_on"}),
}
SEPARATOR = ";"


@dataclass
class Sheet:
    """One sheet: the known columns it has, and its non-empty rows with their row numbers."""

    name: str
    columns: frozenset[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)

    def has(self, column: str) -> bool:
        return column in self.columns


def split_list(cell: str) -> list[str]:
    """The values of a `;`-separated cell (the full-width `；` too), without blanks or repeats."""
    values = (v.strip() for v in cell.replace("；", SEPARATOR).split(SEPARATOR))
    return list(dict.fromkeys(v for v in values if v))
