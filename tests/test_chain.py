"""The responsibility chain of a household, building or estate, up to the working committee."""

from __future__ import annotations

from tests.support import Registry, operation
from tests.workbooks import contact_estates

CHAIN = operation("ResponsibilityChain")


def holders(chain: list[dict]) -> list[tuple[str, str, str | None]]:
    return [
        (link["role"], link["place"]["code"], (link["member"] or {}).get("code")) for link in chain
    ]


async def test_chain_names_every_holder_bottom_up_and_every_gap(registry: Registry) -> None:
    """Given E paired at k = 2 and its leaders paired, when asked about a paired household,
    then the chain runs contact member → group leader → branch secretary → community
    secretary → leader pairing → working-committee secretary; an unpaired household in a
    building without a group shows those two gaps, named."""
    await registry.load(contact_estates())
    api = await registry.client("admin")
    await api(operation("ApplyHouseholdContacts"), {"scope": "S", "capacity": 2})
    before = (await api(CHAIN, {"place": "E-B1-U1-01"}))["responsibilityChain"]
    assert holders(before)[4] == ("leader pairing", "E", None)
    assert before[4]["gap"] == "neither estate E nor community C has a leader pairing"
    await api(operation("ApplyLeaderPairings"), {"scope": "S"})

    chain = (await api(CHAIN, {"place": "E-B1-U1-01"}))["responsibilityChain"]
    assert holders(chain) == [
        ("contact member", "E-B1-U1-01", "M1"),
        ("building group leader", "E-B1", "M1"),
        ("branch secretary", "E", "M1"),
        ("community secretary", "C", "C1"),
        ("leader pairing", "E", "S1"),
        ("working committee secretary", "S", "S1"),
    ]
    assert [link["organisation"] and link["organisation"]["code"] for link in chain] == [
        None, "E-ZB-G1", "E-ZB", "C-DW", None, "S-DGW",
    ]  # fmt: skip
    assert all(link["gap"] is None and not link["hidden"] for link in chain)

    gappy = (await api(CHAIN, {"place": "E-B3-U1-01"}))["responsibilityChain"]
    assert [(link["role"], link["gap"]) for link in gappy[:2]] == [
        ("contact member", "household E-B3-U1-01 has no contact member"),
        ("building group leader", "building E-B3 has no building group leader"),
    ]
    estate = (await api(CHAIN, {"place": "E"}))["responsibilityChain"]
    assert [link["role"] for link in estate][0] == "branch secretary"


async def test_chain_is_scoped_and_masks_phones(registry: Registry) -> None:
    """A branch organiser sees their own people but only the roles above them (hidden, not a
    gap); a viewer sees masked phones; a place outside the scope or above an estate is null."""
    await registry.load(contact_estates())
    branch = await registry.client("organiser", scope="E-ZB")
    chain = (await branch(CHAIN, {"place": "E-B1-U1-02"}))["responsibilityChain"]
    top = chain[-1]
    assert top["role"] == "working committee secretary"
    assert top["member"] is None and top["hidden"] is True and top["gap"] is None
    assert chain[2]["member"]["code"] == "M1"
    assert (await branch(CHAIN, {"place": "F-B1-U1-01"}))["responsibilityChain"] is None
    viewer = await registry.client("viewer", scope="S-DGW")
    chain = (await viewer(CHAIN, {"place": "E-B1"}))["responsibilityChain"]
    assert chain[-1]["member"]["phone"] == "139****5678"
    assert (await viewer(CHAIN, {"place": "C"}))["responsibilityChain"] is None


async def test_chain_reads_in_a_handful_of_statements(registry: Registry) -> None:
    await registry.load(contact_estates())
    api = await registry.client("admin")
    with registry.server.count_statements() as statements:
        await api(CHAIN, {"place": "E-B1-U1-01"})
    assert len([s for s in statements if "api_token" not in s]) <= 8
