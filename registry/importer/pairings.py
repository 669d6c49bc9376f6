"""The `pairings` sheet: member, kind, place, start, end — dated pairings, upserted by key.

kind is household_contact (place: a household), leader (a community or an estate) or hub (a
household: the hub household). A row is keyed by (member, kind, place, start): a new key is a
new pairing, a stored one has its `end` updated. Rows are checked with the rest of the workbook
(`validate_pairings`) and written in bulk after the members (`write_pairings`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from registry.core.kinds import PairingKind, PlaceKind
from registry.core.models import Pairing
from registry.core.validation import parse_date, parse_enum
from registry.importer.ids import Ids, batches
from registry.importer.progress import Tracker
from registry.importer.report import RowProblem
from registry.importer.workbook_format import Sheet

PLACE_KINDS: dict[PairingKind, frozenset[PlaceKind]] = {
    PairingKind.HOUSEHOLD_CONTACT: frozenset({PlaceKind.HOUSEHOLD}),
    PairingKind.HUB: frozenset({PlaceKind.HOUSEHOLD}),
    PairingKind.LEADER: frozenset({PlaceKind.COMMUNITY, PlaceKind.ESTATE}),
}
PAIRING: Table = Pairing.metadata.tables[Pairing.__tablename__]


@dataclass
class PairingRow:
    row: int
    member: str
    kind: str
    place: str
    start: date
    end: date | None


def validate_pairings(
    sheets: dict[str, Sheet],
    place_kinds: dict[str, str],
    member_codes: set[str],
    problems: list[RowProblem],
    tracker: Tracker,
) -> list[PairingRow]:
    """The valid rows of the `pairings` sheet (none if absent); problems for the rest."""
    sheet = sheets.get("pairings")
    if sheet is None:
        return []
    rows: list[PairingRow] = []
    first_row: dict[tuple[str, str, str, date], int] = {}

    def add(number: int, column: str | None, message: str) -> None:
        problems.append(RowProblem("pairings", number, column, message))

    for number, cells in tracker.each("checking pairings", sheet.rows):
        before = len(problems)
        member, place = cells["member"], cells["place"]
        if not member:
            add(number, "member", "member is empty; write the member's code")
        elif member not in member_codes:
            add(number, "member", f"unknown member code {member!r}; add it to members or "
                "correct the code")  # fmt: skip
        kind = None
        try:
            kind = parse_enum(PairingKind, cells["kind"]) if cells["kind"] else None
        except ValueError as error:
            add(number, "kind", str(error))
        if not cells["kind"]:
            add(number, "kind", "kind is empty; write one of: "
                f"{', '.join(k.value for k in PairingKind)}")  # fmt: skip
        place_kind = place_kinds.get(place) if place else None
        if not place:
            add(number, "place", "place is empty; write the place's code")
        elif place_kind is None:
            add(number, "place", f"unknown place code {place!r}; add it to places or correct "
                "the code")  # fmt: skip
        elif kind is not None and PlaceKind(place_kind) not in PLACE_KINDS[kind]:
            wanted = " or ".join(sorted(k.value for k in PLACE_KINDS[kind]))
            add(number, "place", f"{place!r} is a {place_kind}; a {kind.value} pairing is with "
                f"a {wanted}")  # fmt: skip
        start = end = None
        try:
            start = parse_date(cells["start"]) if cells["start"] else None
            if not cells["start"]:
                add(number, "start", "start is empty; write the date the pairing began")
        except ValueError as error:
            add(number, "start", str(error))
        try:
            end = parse_date(cells["end"]) if cells.get("end") else None
        except ValueError as error:
            add(number, "end", str(error))
        if start and end and end < start:
            add(number, "end", f"the pairing ends ({end}) before it starts ({start})")
        if kind is not None and start is not None:
            key = (member, kind.value, place, start)
            if key in first_row:
                add(number, None, f"the same pairing is already on row {first_row[key]}")
            else:
                first_row[key] = number
        if len(problems) == before and kind is not None and start is not None:
            rows.append(PairingRow(number, member, kind.value, place, start, end))
    return rows


async def write_pairings(
    session: AsyncSession, rows: list[PairingRow], members: Ids, places: Ids
) -> dict[str, int]:
    """Insert new pairings, update the end of stored ones; created/updated/unchanged counts."""
    stored: dict[tuple[int, str, int, date | None], tuple[int, date | None]] = {}
    # The stored pairings of the sheet's members only: the cost follows the sheet.
    for chunk in batches(sorted({members[r.member] for r in rows})):
        result = await session.execute(
            select(Pairing.id, Pairing.member_id, Pairing.kind, Pairing.place_id, Pairing.start,
                   Pairing.end).where(Pairing.member_id.in_(chunk))
        )  # fmt: skip
        for pairing_id, member_id, kind, place_id, start, end in result:
            stored[(member_id, kind, place_id, start)] = (pairing_id, end)
    new: list[dict[str, Any]] = []
    ends: list[dict[str, Any]] = []
    unchanged = 0
    for r in rows:
        key = (members[r.member], r.kind, places[r.place], r.start)
        found = stored.get(key)
        if found is None:
            new.append({"member_id": key[0], "kind": r.kind, "place_id": key[2],
                        "start": r.start, "end": r.end})  # fmt: skip
        elif found[1] != r.end:
            ends.append({"b_id": found[0], "b_end": r.end})
        else:
            unchanged += 1
    for chunk in batches(new):
        await session.execute(insert(PAIRING), list(chunk))
    if ends:
        statement = (
            update(PAIRING).where(PAIRING.c.id == bindparam("b_id")).values(end=bindparam("b_end"))
        )
        await session.execute(statement, ends)
    return {"created": len(new), "updated": len(ends), "unchanged": unchanged}
