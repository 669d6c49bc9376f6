"""Hub households (党员中心户): member households linking their neighbours, with their reach."""

from __future__ import annotations

from sqlalchemy import select

from registry.core.models import Change
from tests.support import Registry, operation, said
from tests.workbooks import contact_estates

PROPOSE = operation("ProposeHubHouseholds")
APPLY = operation("ApplyHubHouseholds")


async def test_hubs_reach_their_building_and_name_what_they_cannot(registry: Registry) -> None:
    """Given members at home in E-B1-U1-01 and E-B2-U1-01, when hubs of reach 3 are proposed
    for E, then M1's household links its own unit first, then its building, up to 3; M2's
    links E-B2; the rest of E-B1 and all of E-B3 are unreached, each with its reason; applying
    stores two hub pairings (the reach noted in the change log) and re-proposing keeps them."""
    await registry.load(contact_estates())
    api = await registry.client("organiser", scope="C-DW")
    proposal = (await api(PROPOSE, {"scope": "E", "maxReach": 3}))["proposeHubHouseholds"][
        "proposal"
    ]
    hubs = {h["household"]["code"]: h for h in proposal["hubs"]}
    assert set(hubs) == {"E-B1-U1-01", "E-B2-U1-01"}
    assert [p["code"] for p in hubs["E-B1-U1-01"]["reach"]] == [
        "E-B1-U1-01", "E-B1-U1-02", "E-B1-U2-01",
    ]  # fmt: skip
    assert hubs["E-B1-U1-01"]["member"]["code"] == "M1"
    assert hubs["E-B2-U1-01"]["reachCount"] == 2
    unreached = {u["household"]["code"]: said(u["reason"]) for u in proposal["unreached"]}
    assert unreached == {
        "E-B1-U2-02": "HUBS_FULL(households=3)",
        "E-B3-U1-01": "NO_MEMBER_IN_BUILDING(building=E-B3)",
        "E-B3-U1-02": "NO_MEMBER_IN_BUILDING(building=E-B3)",
    }
    applied = await api(APPLY, {"scope": "E", "maxReach": 3,
                                "expectedProposal": proposal["fingerprint"]})  # fmt: skip
    assert applied["applyHubHouseholds"]["applied"] == {"opened": 2, "ended": 0}
    async with registry.db.read() as session:
        notes = [
            c.after["reach"]
            for c in await session.scalars(select(Change).where(Change.entity == "pairing"))
        ]
    assert sorted(len(n) for n in notes) == [2, 3]
    again = (await api(PROPOSE, {"scope": "E", "maxReach": 3}))["proposeHubHouseholds"]["proposal"]
    assert (again["keptCount"], again["addedCount"], again["removedCount"]) == (2, 0, 0)


async def test_a_hub_whose_member_moved_away_is_removed(registry: Registry) -> None:
    await registry.load(contact_estates())
    api = await registry.client("admin")
    await api(APPLY, {"scope": "E"})
    rows = contact_estates()
    await registry.load(
        {"members": [r | {"household": "E-B3-U1-01"} for r in rows["members"] if r["code"] == "M2"]}
    )
    proposal = (await api(PROPOSE, {"scope": "E"}))["proposeHubHouseholds"]["proposal"]
    assert [
        (r["member"]["code"], r["household"]["code"], said(r["reason"]))
        for r in proposal["removed"]
    ] == [("M2", "E-B2-U1-01", "HUB_MOVED_OUT(member=M2, household=E-B2-U1-01)")]
    assert {h["household"]["code"] for h in proposal["hubs"]} == {"E-B1-U1-01", "E-B3-U1-01"}
    body = await api(PROPOSE, {"scope": "E", "maxReach": 0})
    assert [e["field"] for e in body["proposeHubHouseholds"]["userErrors"]] == ["maxReach"]
