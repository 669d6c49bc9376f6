"""What an import says back: the problems that stopped it, or what it changed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from registry.core.errors import ErrorCode

# Codes of problems with the file itself rather than a value in it (a value's is INVALID).
LIMIT_EXCEEDED = "LIMIT_EXCEEDED"  # params: limit (what is bounded), value (the bound)
BAD_ENCODING = "BAD_ENCODING"  # params: file, encodings (those gridreg reads)


@dataclass(frozen=True)
class RowProblem:
    """One thing wrong in a workbook, addressed to the cell a person must fix.

    `row` is the row number the user sees in Excel or a CSV editor (the header is row 1);
    None for a problem with the whole sheet. `column` is None for a problem with the whole row.
    `code` and `params` say the same as `message` for programs, as a user error's do.
    """

    sheet: str
    row: int | None
    column: str | None
    message: str
    code: str = ErrorCode.INVALID
    params: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __str__(self) -> str:
        where = self.sheet if self.row is None else f"{self.sheet} row {self.row}"
        if self.column is not None:
            where += f", column {self.column}" if self.row is not None else f" column {self.column}"
        return f"{where}: {self.message}"


class ImportFailed(Exception):
    """The workbook was refused; nothing was written. `problems` lists every bad cell."""

    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"nothing was imported: {len(problems)} problem(s)\n{shown}{more}")


@dataclass
class ImportReport:
    """What an import changed (or, not `written`, would change): per sheet, rows created,
    updated and left unchanged."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    request_id: str = ""
    written: bool = True

    @property
    def created(self) -> dict[str, int]:
        """Rows created, per sheet."""
        return {sheet: c.get("created", 0) for sheet, c in self.counts.items()}

    @property
    def updated(self) -> dict[str, int]:
        """Rows updated, per sheet."""
        return {sheet: c.get("updated", 0) for sheet, c in self.counts.items()}

    @property
    def changed(self) -> bool:
        """Whether the import wrote anything."""
        return any(c.get("created", 0) or c.get("updated", 0) for c in self.counts.values())

    def summary(self) -> str:
        """One line per sheet, for the command line."""
        lines = [
            f"{sheet}: {c.get('created', 0)} created, {c.get('updated', 0)} updated, "
            f"{c.get('unchanged', 0)} unchanged"
            for sheet, c in self.counts.items()
        ]
        return "\n".join(lines + [f"request id {self.request_id}"])
