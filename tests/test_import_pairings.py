"""The `pairings` sheet of the import workbook: member, kind, place, start, end."""

from __future__ import annotations

import pytest

from registry.importer import ImportFailed
from tests.support import Registry, operation
from tests.workbooks import contact_estates

COVERAGE = """query($scope: String!) { coverage(scope: $scope) { households { total covered } } }"""


def pairing(member: str, kind: str, place: str, start: str = "2025-01-01", end: str = "") -> dict:
    return {"member": member, "kind": kind, "place": place, "start": start, "end": end}


async def test_imported_pairings_count_in_coverage_and_the_chain(registry: Registry) -> None:
    """Given pairings imported with the workbook (Chinese kind aliases too), then the open
    household contacts count in coverage, an ended one does not, the leader pairing answers in
    the responsibility chain, and re-importing the sheet changes nothing; a new end updates."""
    rows = contact_estates()
    rows["pairings"] = [
        pairing("M1", "household_contact", "E-B1-U1-01"),
        pairing("M1", "household_contact", "E-B1-U1-02", end="2025-06-30"),
        pairing("M2", "household_contact", "E-B2-U1-01"),
        pairing("C1", "leader", "E"),
        pairing("M1", "hub", "E-B1-U1-01"),
    ]
    await registry.load(rows)
    api = await registry.client("admin")
    households = (await api(COVERAGE, {"scope": "E"}))["coverage"]["households"]
    assert households == {"total": 8, "covered": 2}
    chain = await api(operation("ResponsibilityChain"), {"place": "E-B2-U1-01"})
    links = {link["role"]: link for link in chain["responsibilityChain"]}
    assert links["contact member"]["member"]["code"] == "M2"
    assert links["leader pairing"]["member"]["code"] == "C1"
    assert await registry.count("pairing") == 5

    before = await registry.snapshot()
    await registry.load({"pairings": rows["pairings"]})
    after = await registry.snapshot()
    assert after["pairing"] == before["pairing"]
    ended = [pairing("M2", "household_contact", "E-B2-U1-01", end="2025-12-31")]
    await registry.load({"pairings": ended})
    assert (await api(COVERAGE, {"scope": "E"}))["coverage"]["households"]["covered"] == 1
    assert await registry.count("pairing") == 5


async def test_bad_pairing_rows_are_named_and_nothing_is_written(registry: Registry) -> None:
    await registry.load(contact_estates())
    before = await registry.snapshot()
    bad = [
        pairing("NOBODY", "household_contact", "E-B1-U1-01"),
        pairing("M1", "friendship", "E-B1-U1-01"),
        pairing("M1", "leader", "E-B1-U1-01"),
        pairing("M1", "hub", "NOWHERE"),
        pairing("M1", "household_contact", "E-B1-U1-01", start="2025-02-30"),
        pairing("M1", "household_contact", "E-B1-U1-02", start="2025-03-01", end="2025-01-01"),
        pairing("M2", "household_contact", "E-B2-U1-01"),
        pairing("M2", "household_contact", "E-B2-U1-01"),
    ]
    with pytest.raises(ImportFailed) as failed:
        await registry.load({"pairings": bad})
    where = {(p.row, p.column) for p in failed.value.problems if p.sheet == "pairings"}
    assert where == {
        (2, "member"), (3, "kind"), (4, "place"), (5, "place"), (6, "start"), (7, "end"),
        (9, None),
    }  # fmt: skip
    messages = {p.row: p.message for p in failed.value.problems}
    assert (
        messages[4] == "'E-B1-U1-01' is a household; a leader pairing is with a community or estate"
    )
    assert await registry.snapshot() == before
