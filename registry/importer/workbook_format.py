"""The workbook format: its sheets, in the order they load, and their columns; a sheet as read."""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from itertools import islice

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


# Columns whose values repeat from row to row (kinds, statuses, parents, organisations): one
# string object per distinct value is kept, not one per row.
REPEATING = frozenset({"parent", "kind", "status", "gender", "organisation", "reports_to",
                       "group", "role", "workplace", "category", "joined", "start", "end",
                       "established", "task_capacity"})  # fmt: skip
# Columns that repeat in one sheet only: households are named "101", "102", ... in every unit.
REPEATING_IN = {"places": frozenset({"name"})}


class Rows:
    """A sheet's rows, held compactly: the cells of every row in one flat list (in
    `Sheet.order`) and the row numbers in an array. Iterating yields (row number, {column:
    cell}) as a person reads the sheet, one short-lived dict at a time, so that a city's
    households fit in memory."""

    def __init__(self, order: tuple[str, ...]) -> None:
        self.order = order
        self._numbers = array("Q")
        self._cells: list[str] = []

    def append(self, row: tuple[int, dict[str, str]]) -> None:
        number, cells = row
        self.add(number, tuple(cells[c] for c in self.order))

    def add(self, number: int, cells: tuple[str, ...]) -> None:
        """Keep a row's cells, in `order`."""
        self._numbers.append(number)
        self._cells.extend(cells)

    def __len__(self) -> int:
        return len(self._numbers)

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        order, cells, width = self.order, self._cells, len(self.order)
        for at, number in enumerate(self._numbers):
            start = at * width
            yield number, dict(zip(order, cells[start : start + width], strict=True))

    def clear(self) -> None:
        """Let the cells go once the rows are validated (the plan keeps what is written)."""
        self._numbers = array("Q")
        self._cells = []

    def column(self, name: str) -> Iterator[str]:
        """The cells of one column, row by row (without building a row's dict)."""
        return islice(self._cells, self.order.index(name), None, len(self.order))


class Sheet:
    """One sheet: the known columns it has, and its non-empty rows with their row numbers."""

    def __init__(
        self, name: str, columns: frozenset[str], order: tuple[str, ...] | None = None
    ) -> None:
        self.name = name
        self.columns = columns
        # Cells are kept in the format's column order, whatever the header's.
        order = order or tuple(c for c in COLUMNS.get(name, ()) if c in columns)
        self.rows = Rows(order)

    def has(self, column: str) -> bool:
        return column in self.columns

    def __repr__(self) -> str:
        return f"Sheet({self.name!r}, {sorted(self.columns)!r}, {len(self.rows)} rows)"


def split_list(cell: str) -> list[str]:
    """The values of a `;`-separated cell (the full-width `；` too), without blanks or repeats."""
    values = (v.strip() for v in cell.replace("；", SEPARATOR).split(SEPARATOR))
    return list(dict.fromkeys(v for v in values if v))
