"""Leader pairings (班子成员包联): leadership members answer for communities and estates."""

from __future__ import annotations

from sqlalchemy import select

from registry.core.models import Member, Pairing, Place
from tests.support import Registry, operation, said
from tests.workbooks import contact_estates

PROPOSE = operation("ProposeLeaderPairings")
APPLY = operation("ApplyLeaderPairings")


async def test_leaders_are_paired_heaviest_place_first_and_kept_on_rerun(
    registry: Registry,
) -> None:
    """Given working-committee secretary S1 and community committee C1, C2, and places C (10
    households), E (8) and F (2 households, but a branch breaking the rules), when proposed,
    then each place's load is households + 20 x violations, the heaviest place goes to the
    least-loaded eligible leader first (C → C1, F → C2, E → S1), applying stores exactly
    that, and proposing again keeps all of it."""
    await registry.load(contact_estates())
    api = await registry.client("organiser", scope="S-DGW")
    payload = (await api(PROPOSE, {"scope": "S"}))["proposeLeaderPairings"]
    assert payload["userErrors"] == []
    proposal = payload["proposal"]
    places = {p["place"]["code"]: p for p in proposal["places"]}
    assert {code: p["households"] for code, p in places.items()} == {"C": 10, "E": 8, "F": 2}
    assert places["F"]["openViolations"] >= 1 and places["E"]["openViolations"] == 0
    assert places["C"]["openViolations"] >= places["F"]["openViolations"]
    for p in places.values():
        assert p["load"] == p["households"] + 5 * p["openSuggestions"] + 20 * p["openViolations"]
    pairs = {(p["leader"]["code"], p["place"]["code"]) for p in proposal["pairings"]}
    assert pairs == {("C1", "C"), ("C2", "F"), ("S1", "E")}
    assert proposal["unpaired"] == [] and proposal["addedCount"] == 3

    applied = await api(APPLY, {"scope": "S", "expectedProposal": proposal["fingerprint"]})
    assert applied["applyLeaderPairings"]["applied"] == {"opened": 3, "ended": 0}
    async with registry.db.read() as session:
        rows = await session.execute(
            select(Member.code, Place.code)
            .join(Pairing, Pairing.member_id == Member.id)
            .join(Place, Place.id == Pairing.place_id)
            .where(Pairing.kind == "leader", Pairing.end.is_(None))
        )
        assert {(m, p) for m, p in rows} == pairs
    again = (await api(PROPOSE, {"scope": "S"}))["proposeLeaderPairings"]["proposal"]
    assert (again["keptCount"], again["addedCount"], again["releasedCount"]) == (3, 0, 0)
    assert again["fingerprint"] == proposal["fingerprint"]


async def test_capacity_leaves_places_unpaired_and_bad_input_writes_nothing(
    registry: Registry,
) -> None:
    """With one place per leader and C2's office ended, two leaders take C and F and E is
    named as unpaired, with the reason. A viewer cannot apply; capacity 0 is refused."""
    rows = contact_estates()
    rows["offices"] = [o for o in rows["offices"] if o["member"] != "C2"]
    await registry.load(rows)
    api = await registry.client("admin")
    proposal = (await api(PROPOSE, {"scope": "S", "capacity": 1}))["proposeLeaderPairings"][
        "proposal"
    ]
    assert [(u["place"]["code"], said(u["reason"])) for u in proposal["unpaired"]] == [
        ("E", "ELIGIBLE_LEADERS_FULL(kind=estate, place=E)")
    ]
    before = await registry.snapshot()
    viewer = await registry.client("viewer", scope="S-DGW")
    body = await viewer(APPLY, {"scope": "S"})
    assert [e["code"] for e in body["applyLeaderPairings"]["userErrors"]] == ["FORBIDDEN"]
    body = await api(APPLY, {"scope": "S", "capacity": 0})
    assert [e["field"] for e in body["applyLeaderPairings"]["userErrors"]] == ["capacity"]
    assert await registry.snapshot() == before


async def test_open_suggestions_weigh_on_the_place_they_were_raised_in(
    registry: Registry,
) -> None:
    """Given two suggestions raised in estate F, one of them resolved, when leader pairings are
    proposed, then F (and its community C) count one open suggestion, E none, and F's load
    grows by the suggestion weight."""
    await registry.load(contact_estates())
    api = await registry.client("organiser", scope="S-DGW")
    before = (await api(PROPOSE, {"scope": "S"}))["proposeLeaderPairings"]["proposal"]
    for text in ("停车难", "电梯坏了"):
        created = await api(
            operation("CreateSuggestion"),
            {"input": {"place": "F-B1-U1-01" if text == "电梯坏了" else "F-B1", "category":
                       "PARKING", "text": text}},
        )  # fmt: skip
        assert created["createSuggestion"]["userErrors"] == []
    resolved = created["createSuggestion"]["suggestion"]["code"]
    update = await api(
        operation("UpdateSuggestion"), {"input": {"suggestion": resolved, "status": "RESOLVED"}}
    )
    assert update["updateSuggestion"]["userErrors"] == []

    after = (await api(PROPOSE, {"scope": "S"}))["proposeLeaderPairings"]["proposal"]
    counts = {p["place"]["code"]: p["openSuggestions"] for p in after["places"]}
    assert counts == {"C": 1, "E": 0, "F": 1}
    loads = {p["place"]["code"]: p["load"] for p in before["places"]}
    assert {p["place"]["code"]: p["load"] for p in after["places"]}["F"] == loads["F"] + 5


async def test_every_committee_member_may_lead_whatever_their_portfolio(
    registry: Registry,
) -> None:
    """Given C2 on the community committee as its 组织委员 rather than a plain member, then C2
    is still one of the leaders paired (every committee office counts, 支部工作条例 第二十条)."""
    rows = contact_estates()
    for office in rows["offices"]:
        if office["member"] == "C2":
            office["role"] = "组织委员"
    await registry.load(rows)
    api = await registry.client("organiser", scope="S-DGW")

    proposal = (await api(PROPOSE, {"scope": "S"}))["proposeLeaderPairings"]["proposal"]

    assert "C2" in {p["leader"]["code"] for p in proposal["pairings"]}
