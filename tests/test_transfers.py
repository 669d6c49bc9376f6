"""Transfers of a member's tie (组织关系) in two steps: transferred out by their organisation,
received by the other; pending in between, seen by both sides, cancelled by either before it is
received, reported after a month."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from registry.core import calendar
from tests.support import GraphQLClient, Registry, operation
from tests.write_world import WORLD, codes, member, mutate

TRANSFERS = operation("Transfers")


async def transfers(api: GraphQLClient, code: str) -> dict[str, Any]:
    return (await api(TRANSFERS, {"code": code}))["organisation"]


async def test_a_transfer_is_pending_for_both_sides_until_received(registry: Registry) -> None:
    """Given M2 in BR1 (and in its group G1), when the sub-district transfers M2 out to BR3
    (in another community), then both BR1's and BR3's organisers see it pending, BR3's by the
    member's name only (M2 is not theirs yet), and M2 still belongs to BR1; when BR3's
    organiser receives it, M2 belongs to BR3, in no group, and nothing is pending."""
    await registry.load(WORLD)
    admin = await registry.client("admin")
    await mutate(admin, "UpdateMember", {"member": "M2", "group": "G1"})
    subdistrict = await registry.client("organiser", scope="WC")
    sender = await registry.client("organiser", scope="BR1")
    receiver = await registry.client("organiser", scope="BR3")

    out = await mutate(subdistrict, "TransferOut", {"member": "M2", "to": "BR3"})
    beyond = await mutate(sender, "TransferOut", {"member": "M1", "to": "BR3"})
    seen_out = (await transfers(sender, "BR1"))["transfersOut"]
    seen_in = (await transfers(receiver, "BR3"))["transfersIn"]
    member = (await admin(operation("Members"), {"filter": {"organisation": "BR1"}}))

    assert out["userErrors"] == [] and out["transfer"]["pending"]
    assert codes(beyond["userErrors"]) == ["NOT_FOUND"]  # BR3 lies outside BR1's scope
    assert [t["memberCode"] for t in seen_out] == ["M2"] and seen_out[0]["to"] is None
    assert [(t["memberName"], t["member"]) for t in seen_in] == [("李强", None)]
    assert "M2" in [m["code"] for m in member["members"]["nodes"]]

    number = seen_in[0]["id"]
    refused = await mutate(sender, "ReceiveTransfer", {"transfer": number})
    received = await mutate(receiver, "ReceiveTransfer", {"transfer": number})
    again = await mutate(receiver, "ReceiveTransfer", {"transfer": number})

    assert codes(refused["userErrors"]) == ["NOT_FOUND"]  # not the sender's to receive
    assert received["userErrors"] == []
    moved = received["transfer"]["member"]
    assert moved == {"code": "M2", "organisation": {"code": "BR3"}, "group": None}
    assert received["transfer"]["receivedOn"] == calendar.today().isoformat()
    assert codes(again["userErrors"]) == ["CONFLICT"]
    assert (await transfers(sender, "BR1"))["transfersOut"] == []
    history = await transfers(admin, "BR3")
    assert history["transfersIn"] == []
    done = (await admin(TRANSFERS, {"code": "BR3", "pendingOnly": False}))["organisation"]
    assert [t["pending"] for t in done["transfersIn"]] == [False]


async def test_a_transfer_out_is_refused_where_it_cannot_go(registry: Registry) -> None:
    await registry.load(WORLD)
    api = await registry.client("admin")
    await mutate(api, "TransferOut", {"member": "M1", "to": "BR2"})
    before = await registry.snapshot()

    cases = [
        ({"member": "M1", "to": "BR3"}, "CONFLICT"),  # already on its way to BR2
        ({"member": "M2", "to": "G1"}, "WRONG_KIND"),  # a group holds no ties
        ({"member": "M2", "to": "BR1"}, "INVALID"),  # already there
        ({"member": "M6", "to": "BR1"}, "INVALID"),  # in service: tie at the workplace
    ]
    for input, code in cases:
        assert codes((await mutate(api, "TransferOut", input))["userErrors"]) == [code], input
    assert await registry.snapshot() == before


async def test_a_transfer_pending_more_than_a_month_is_reported_on_both_sides(
    registry: Registry,
) -> None:
    """Given M2's tie transferred out of BR1 to BR3 40 days ago and M4's out of BR2 10 days
    ago, then BR1's report names M2, BR3's names the transfer without the member (not
    theirs), and M4's recent transfer is not reported."""
    await registry.load(WORLD)
    api = await registry.client("admin")
    forty = (calendar.today() - timedelta(days=40)).isoformat()
    ten = (calendar.today() - timedelta(days=10)).isoformat()
    await mutate(api, "TransferOut", {"member": "M2", "to": "BR3", "on": forty})
    await mutate(api, "TransferOut", {"member": "M4", "to": "BR3", "on": ten})

    async def pending(scope: str) -> list[dict[str, Any]]:
        report = (await api(operation("RulesReport"), {"scope": scope}))["rulesReport"]
        return [v for v in report if v["rule"] == "TRANSFER_PENDING"]

    [out] = await pending("BR1")
    [into] = await pending("BR3")
    assert out["member"]["code"] == "M2" and out["organisation"]["code"] == "BR1"
    assert into["member"] is None and into["organisation"]["code"] == "BR3"
    assert {d["name"]: d["value"] for d in out["details"]} == {"daysPending": 40}
    assert out["since"] == forty and out["severity"] == "BREACH"
    assert await pending("BR2") == []


async def test_either_side_cancels_a_pending_transfer_and_the_member_stays(
    registry: Registry,
) -> None:
    """Given M2 transferred out of BR1 to BR3 and M4 out of BR2 to BR3, when BR3's organiser
    (the receiving side) cancels M2's and the sub-district, for BR2 (the sending side), cancels
    M4's, then neither is pending, both members stay where they were, the cancelled transfer
    can be neither received nor cancelled again, and M2 may be transferred out anew."""
    await registry.load(WORLD)
    admin = await registry.client("admin")
    receiver = await registry.client("organiser", scope="BR3")
    sender = await registry.client("organiser", scope="BR2")
    await mutate(admin, "TransferOut", {"member": "M2", "to": "BR3"})
    await mutate(admin, "TransferOut", {"member": "M4", "to": "BR3"})
    into = {t["memberCode"]: t["id"] for t in (await transfers(admin, "BR3"))["transfersIn"]}

    by_receiver = await mutate(receiver, "CancelTransfer", {"transfer": into["M2"]})
    by_sender = await mutate(sender, "CancelTransfer", {"transfer": into["M4"]})

    today = calendar.today().isoformat()
    for payload, code, home in ((by_receiver, "M2", "BR1"), (by_sender, "M4", "BR2")):
        assert payload["userErrors"] == []
        assert payload["transfer"]["cancelledOn"] == today and not payload["transfer"]["pending"]
        assert (await member(admin, code))["organisation"] == {"code": home}
    assert (await transfers(admin, "BR3"))["transfersIn"] == []
    received = await mutate(receiver, "ReceiveTransfer", {"transfer": into["M2"]})
    again = await mutate(receiver, "CancelTransfer", {"transfer": into["M2"]})
    assert [e["reason"] for e in received["userErrors"]] == ["TRANSFER_CANCELLED"]
    assert [e["reason"] for e in again["userErrors"]] == ["TRANSFER_CANCELLED"]
    anew = await mutate(admin, "TransferOut", {"member": "M2", "to": "BR3"})
    assert anew["userErrors"] == []


async def test_a_transfer_is_cancelled_only_while_pending_and_by_its_sides(
    registry: Registry,
) -> None:
    await registry.load(WORLD)
    admin = await registry.client("admin")
    await mutate(admin, "TransferOut", {"member": "M2", "to": "BR3", "on": "2026-01-10"})
    await mutate(admin, "TransferOut", {"member": "M4", "to": "BR1"})
    into = {t["memberCode"]: t["id"] for t in (await transfers(admin, "BR3"))["transfersIn"]}
    done = (await transfers(admin, "BR1"))["transfersIn"][0]["id"]
    await mutate(admin, "ReceiveTransfer", {"transfer": done})
    before = await registry.snapshot()
    stranger = await registry.client("organiser", scope="BRJ")
    tomorrow = (calendar.today() + timedelta(days=1)).isoformat()

    cases = [
        (stranger, {"transfer": into["M2"]}, "NOT_IN_SCOPE"),  # neither side's organiser
        (admin, {"transfer": done}, "TRANSFER_RECEIVED"),
        (admin, {"transfer": into["M2"], "on": "2026-01-09"}, "BEFORE_TRANSFERRED"),
        (admin, {"transfer": into["M2"], "on": tomorrow}, "DAY_FUTURE"),
        (admin, {"transfer": "x1"}, "TRANSFER_NUMBER"),
    ]
    for api, input, reason in cases:
        refused = await mutate(api, "CancelTransfer", input)
        assert [e["reason"] for e in refused["userErrors"]] == [reason], input
    assert await registry.snapshot() == before
