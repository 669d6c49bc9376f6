"""Ids an import hands out, and the batches its bulk statements go in."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

BATCH = 5_000  # rows per executemany, and ids per IN (...) list: under every driver's limit


def batches(rows: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


class Ids:
    """Ids of one tree or table after the import: stored ones, and new ones handed out here."""

    def __init__(self, stored: dict[str, int], next_id: int) -> None:
        self.stored = stored
        self.new: dict[str, int] = {}
        self.next_id = next_id

    def assign(self, code: str) -> int:
        self.new[code] = self.next_id
        self.next_id += 1
        return self.new[code]

    def __getitem__(self, code: str) -> int:
        found = self.new.get(code)
        return found if found is not None else self.stored[code]

    def get(self, code: str | None) -> int | None:
        return None if code is None else self[code]
