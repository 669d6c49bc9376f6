"""Checking cells: each problem collected with its sheet, row and column, and what to fix."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import TypeVar

from registry.core.validation import parse_date, parse_enum
from registry.importer.report import RowProblem

E = TypeVar("E", bound=StrEnum)


class Checker:
    """Collects problems for one sheet; the helpers return None when a cell is bad."""

    def __init__(self, sheet: str, problems: list[RowProblem]) -> None:
        self.sheet = sheet
        self.problems = problems
        self._enum_cache: dict[tuple[type[StrEnum], str], StrEnum | str] = {}

    def add(self, row: int | None, column: str | None, message: str) -> None:
        self.problems.append(RowProblem(self.sheet, row, column, message))

    def enum(self, row: int, column: str, enum: type[E], raw: str) -> E | None:
        # Kinds repeat hundreds of thousands of times in a district: parse each spelling once.
        key = (enum, raw)
        parsed = self._enum_cache.get(key)
        if parsed is None:
            try:
                parsed = parse_enum(enum, raw)
            except ValueError as error:
                parsed = str(error)
            self._enum_cache[key] = parsed
        if isinstance(parsed, enum):
            return parsed
        self.add(row, column, str(parsed))
        return None

    def date(self, row: int, column: str, raw: str) -> date | None:
        try:
            return parse_date(raw)
        except ValueError as error:
            self.add(row, column, str(error))
            return None

    def text(self, row: int, column: str, raw: str, limit: int, required: bool = False) -> bool:
        if required and not raw:
            self.add(row, column, f"{column} is empty; fill it in")
            return False
        if len(raw) > limit:
            self.add(row, column, f"{len(raw)} characters is too long; at most {limit}")
            return False
        return True
