"""Resilience: coverage hanging on one member, and what one member's departure breaks."""

from __future__ import annotations

from tests.support import Registry, operation
from tests.workbooks import contact_estates

SPOF = operation("SinglePointsOfFailure")
LEAVES = operation("IfMemberLeaves")


def world() -> dict:
    rows = contact_estates()
    for r in rows["members"]:
        if r["code"] == "M3":
            r["household"] = "E-B1-U2-01"
    return rows


async def test_single_points_and_what_a_departure_breaks(registry: Registry) -> None:
    """Given M1 and M3 living in E-B1 (M1 its group leader), M2 alone in E-B2, and contacts
    paired at 2 each while E's ratio is 3: E-B2 and every paired household hang on one
    member; if M2 leaves, E-B2 and its two households lose cover, and the proposal re-pairs
    them with M1's and M3's spare capacity (one each, neighbouring building) and names a
    building lead for E-B2."""
    await registry.load(world())
    api = await registry.client("organiser", scope="S-DGW")
    await api(operation("ApplyHouseholdContacts"), {"scope": "S", "capacity": 2})
    await api(operation("SetContactRatio"), {"place": "E", "ratio": 3})

    spof = (await api(SPOF, {"scope": "S"}))["singlePointsOfFailure"]
    assert [(b["place"]["code"], b["member"]["code"]) for b in spof["buildings"]] == [
        ("E-B2", "M2")
    ]
    assert spof["householdCount"] == 8
    assert {(h["place"]["code"], h["member"]["code"]) for h in spof["households"]} >= {
        ("E-B2-U1-01", "M2"), ("F-B1-U1-01", "W1"),
    }  # fmt: skip

    gone = (await api(LEAVES, {"member": "M2"}))["ifMemberLeaves"]
    assert [b["code"] for b in gone["buildingsLosingCover"]] == ["E-B2"]
    assert [h["code"] for h in gone["householdsLosingContact"]] == ["E-B2-U1-01", "E-B2-U1-02"]
    repaired = {(p["member"]["code"], p["relation"]) for p in gone["contacts"]["pairings"]}
    assert repaired == {("M1", "NEIGHBOURING_BUILDING"), ("M3", "NEIGHBOURING_BUILDING")}
    assert gone["contacts"]["unpaired"] == []
    assert [lead["building"]["code"] for lead in gone["buildingLeads"]] == ["E-B2"]
    assert gone["buildingLeads"][0]["member"]["code"] in {"M1", "M3"}


async def test_resilience_is_scoped(registry: Registry) -> None:
    await registry.load(world())
    branch = await registry.client("viewer", scope="F-ZB")
    assert (await branch(LEAVES, {"member": "M2"}))["ifMemberLeaves"] is None
    assert (await branch(SPOF, {"scope": "E"}))["singlePointsOfFailure"] is None
    spof = (await branch(SPOF, {"scope": "F-ZB"}))["singlePointsOfFailure"]
    assert spof == {"buildings": [], "households": [], "buildingCount": 0, "householdCount": 0}
