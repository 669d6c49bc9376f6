"""Household contacts (党员联系户): propose, apply, coverage that changes exactly as proposed."""

from __future__ import annotations

from sqlalchemy import select

from registry.core.models import Change, Member, Pairing, Place
from seeds import CUNTAN
from tests.support import GraphQLClient, Registry, operation, said
from tests.workbooks import contact_estates

PROPOSE = operation("ProposeHouseholdContacts")
APPLY = operation("ApplyHouseholdContacts")
SET_RATIO = operation("SetContactRatio")
COVERAGE = """query($scope: String!) { coverage(scope: $scope) { households { total covered } } }"""


async def propose(api: GraphQLClient, scope: str, capacity: int | None = None) -> dict:
    data = await api(PROPOSE, {"scope": scope, "capacity": capacity})
    payload = data["proposeHouseholdContacts"]
    assert payload["userErrors"] == []
    return payload["proposal"]


async def stored_pairings(registry: Registry) -> set[tuple[str, str]]:
    async with registry.db.read() as session:
        rows = await session.execute(
            select(Member.code, Place.code)
            .join(Pairing, Pairing.member_id == Member.id)
            .join(Place, Place.id == Pairing.place_id)
            .where(Pairing.kind == "household_contact", Pairing.end.is_(None))
        )
        return {(m, h) for m, h in rows}


def pairs(proposal: dict) -> set[tuple[str, str]]:
    return {(p["member"]["code"], p["household"]["code"]) for p in proposal["pairings"]}


async def covered(api: GraphQLClient, scope: str) -> int:
    return (await api(COVERAGE, {"scope": scope}))["coverage"]["households"]["covered"]


async def test_propose_then_apply_changes_coverage_exactly_as_proposed(registry: Registry) -> None:
    """Given two estates whose optimum is known (tests.workbooks.contact_estates) and a ratio of
    2 households per member set on estate E, when an organiser proposes for the sub-district,
    then the proposal is the optimum, with every pairing and gap explained; applying it adds
    exactly those pairings to coverage; and proposing again changes nothing."""
    await registry.load(contact_estates())
    api = await registry.client("organiser", scope="S-DGW")
    ratio = await api(SET_RATIO, {"place": "E", "ratio": 2})
    assert ratio["setContactRatio"] == {"place": {"code": "E"}, "ratio": 2, "userErrors": []}
    before = await registry.snapshot()

    proposal = await propose(api, "S")
    assert await registry.snapshot() == before  # a proposal writes nothing
    assert pairs(proposal) == {
        ("M1", "E-B1-U1-01"), ("M1", "E-B1-U1-02"), ("M2", "E-B2-U1-01"), ("M2", "E-B2-U1-02"),
        ("W1", "F-B1-U1-01"), ("W1", "F-B1-U1-02"),
    }  # fmt: skip
    assert proposal["totalCost"] == 4 * 1 + 2 * 4
    assert {said(p["explanation"]) for p in proposal["pairings"]} == {
        "SAME_UNIT; NEW",
        "SAME_ESTATE; NEW",
    }
    assert (proposal["keptCount"], proposal["addedCount"], proposal["removedCount"]) == (0, 6, 0)
    assert proposal["changedCount"] == 6
    assert {c["estate"]["code"]: c["capacity"] for c in proposal["capacities"]} == {"E": 2, "F": 10}
    unpaired = {u["household"]["code"]: said(u["reason"]) for u in proposal["unpaired"]}
    assert set(unpaired) == {"E-B1-U2-01", "E-B1-U2-02", "E-B3-U1-01", "E-B3-U1-02"}
    assert set(unpaired.values()) == {"ESTATE_MEMBERS_FULL(estate=E, members=2, households=4)"}

    assert await covered(api, "S") == 0
    applied = await api(APPLY, {"scope": "S", "expectedProposal": proposal["fingerprint"]})
    payload = applied["applyHouseholdContacts"]
    assert payload["userErrors"] == []
    assert payload["applied"] == {"opened": 6, "ended": 0}
    assert await stored_pairings(registry) == pairs(proposal)
    assert await covered(api, "S") == 6
    assert await covered(api, "E") == 4 and await covered(api, "F") == 2
    for household in unpaired:
        assert await covered(api, household) == 0

    again = await propose(api, "S")
    assert pairs(again) == pairs(proposal)
    assert (again["keptCount"], again["addedCount"], again["removedCount"]) == (6, 0, 0)
    assert again["changedCount"] == 0
    assert again["fingerprint"] == proposal["fingerprint"]
    async with registry.db.read() as session:
        changes = (await session.scalars(select(Change).where(Change.entity == "pairing"))).all()
    assert len(changes) == 6 and {c.action for c in changes} == {"create"}


async def test_existing_pairings_are_kept_unless_the_optimum_needs_them_changed(
    registry: Registry,
) -> None:
    """Given E paired at k = 2, when the ratio becomes 4 then the four pairings stay and four
    are added (M1 the rest of E-B1, M2 the neighbouring E-B3); when M3 moves into E-B3, the two
    neighbouring-building pairings go to M3 and the proposal says why."""
    await registry.load(contact_estates())
    api = await registry.client("admin")
    await api(APPLY, {"scope": "E", "capacity": 2})

    wider = await propose(api, "E", capacity=4)
    assert (wider["keptCount"], wider["addedCount"], wider["removedCount"]) == (4, 4, 0)
    assert wider["totalCost"] == (1 + 1 + 2 + 2) + (1 + 1 + 3 + 3)
    added = {(p["member"]["code"], p["household"]["code"][:4]) for p in wider["pairings"]}
    assert added == {("M1", "E-B1"), ("M2", "E-B2"), ("M2", "E-B3")}
    await api(APPLY, {"scope": "E", "capacity": 4, "expectedProposal": wider["fingerprint"]})

    rows = contact_estates()
    await registry.load(
        {"members": [r | {"household": "E-B3-U1-01"} for r in rows["members"] if r["code"] == "M3"]}
    )
    moved = await propose(api, "E", capacity=4)
    assert (moved["keptCount"], moved["addedCount"], moved["removedCount"]) == (6, 2, 2)
    assert moved["changedCount"] == 2
    assert moved["totalCost"] == (1 + 1 + 2 + 2) + (1 + 1) + (1 + 1)
    for removed in moved["removed"]:
        assert removed["member"]["code"] == "M2" and removed["newMember"]["code"] == "M3"
        assert said(removed["reason"]) == (
            "CLOSER_MEMBER(member=M3, relation=SAME_UNIT, was=NEIGHBOURING_BUILDING)"
        )
    applied = await api(APPLY, {"scope": "E", "capacity": 4})
    assert applied["applyHouseholdContacts"]["applied"] == {"opened": 2, "ended": 2}
    assert await stored_pairings(registry) == pairs(moved)


async def test_apply_refuses_a_stale_proposal_and_writes_nothing(registry: Registry) -> None:
    """Given a proposal reviewed at k = 2, when the ratio changes before it is applied with its
    fingerprint, then apply answers STALE and the database is unchanged."""
    await registry.load(contact_estates())
    api = await registry.client("admin")
    proposal = await propose(api, "E", capacity=None)
    await api(SET_RATIO, {"place": "C", "ratio": 1})
    before = await registry.snapshot()
    body = await api(APPLY, {"scope": "E", "expectedProposal": proposal["fingerprint"]})
    errors = body["applyHouseholdContacts"]["userErrors"]
    assert [e["code"] for e in errors] == ["STALE"]
    assert "propose again" in errors[0]["message"]
    assert await registry.snapshot() == before


async def test_scope_and_rights(registry: Registry) -> None:
    """Viewers may propose but not apply; a building is no scope for contacts; a place outside
    the caller's scope looks missing; a bad ratio is refused; nothing is written."""
    await registry.load(contact_estates())
    viewer = await registry.client("viewer", scope="S-DGW")
    assert (await propose(viewer, "E"))["addedCount"] == 8
    before = await registry.snapshot()
    body = await viewer(APPLY, {"scope": "E"})
    assert [e["code"] for e in body["applyHouseholdContacts"]["userErrors"]] == ["FORBIDDEN"]
    branch = await registry.client("organiser", scope="F-ZB")
    body = await branch(PROPOSE, {"scope": "E"})
    assert [e["code"] for e in body["proposeHouseholdContacts"]["userErrors"]] == ["NOT_FOUND"]
    body = await branch(PROPOSE, {"scope": "F-ZB"})  # an organisation: its territory's estates
    assert pairs(body["proposeHouseholdContacts"]["proposal"]) == {
        ("W1", "F-B1-U1-01"),
        ("W1", "F-B1-U1-02"),
    }
    admin = await registry.client("admin")
    body = await admin(PROPOSE, {"scope": "E-B1"})
    assert [e["code"] for e in body["proposeHouseholdContacts"]["userErrors"]] == ["WRONG_KIND"]
    body = await admin(PROPOSE, {"scope": "E", "capacity": -1})
    assert [e["field"] for e in body["proposeHouseholdContacts"]["userErrors"]] == ["capacity"]
    body = await admin(SET_RATIO, {"place": "E-B1-U1-01", "ratio": 3})
    assert [e["code"] for e in body["setContactRatio"]["userErrors"]] == ["WRONG_KIND"]
    body = await admin(SET_RATIO, {"place": "E", "ratio": 0})
    assert [e["field"] for e in body["setContactRatio"]["userErrors"]] == ["ratio"]
    assert await registry.snapshot() == before


async def test_cuntan_estate_is_paired_whole_and_stays_put(registry: Registry) -> None:
    """Given the Cuntan seeds, when the 1,224 households of 吉安园茅溪小区 are paired at the
    default ratio, then every household gets a contact member living in the estate, nobody
    takes more than 10, coverage counts all of them, and proposing again changes nothing."""
    await registry.load(CUNTAN)
    api = await registry.client("organiser", scope="CT-BS-DW")
    proposal = await propose(api, "CT-BS-JAMX")
    assert len(proposal["pairings"]) == 1224 and proposal["unpaired"] == []
    load: dict[str, int] = {}
    for p in proposal["pairings"]:
        load[p["member"]["code"]] = load.get(p["member"]["code"], 0) + 1
    assert max(load.values()) <= 10
    applied = await api(APPLY, {"scope": "CT-BS-JAMX", "expectedProposal": proposal["fingerprint"]})
    assert applied["applyHouseholdContacts"]["applied"] == {"opened": 1224, "ended": 0}
    assert await covered(api, "CT-BS-JAMX") == 1224
    again = await api(operation("ProposeHouseholdContactsSummary"), {"scope": "CT-BS-JAMX"})
    summary = again["proposeHouseholdContacts"]["proposal"]
    assert (summary["keptCount"], summary["changedCount"]) == (1224, 0)
