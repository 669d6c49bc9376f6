"""Offices as dated terms: appoint a full member, one secretary at a time, end a term."""

from __future__ import annotations

from tests.support import Registry
from tests.write_world import WORLD, changes, codes, member, mutate, organisation

TERM = {
    "member": "M2",
    "organisation": "BR1",
    "role": "COMMITTEE_MEMBER",
    "start": "2025-01-01",
}


async def test_appoint_to_a_dated_term(registry: Registry) -> None:
    await registry.load(WORLD)
    api = await registry.client("admin")

    payload = await mutate(api, "AppointOffice", TERM)
    leader = await mutate(
        api, "AppointOffice", {"member": "M2", "organisation": "G1", "role": "GROUP_LEADER"}
    )

    assert payload["userErrors"] == [] and leader["userErrors"] == []
    office = payload["office"]
    assert office["role"] == "COMMITTEE_MEMBER" and office["member"] == {"code": "M2"}
    assert (office["start"], office["end"]) == ("2025-01-01", None)
    held = (await organisation(api, "BR1"))["offices"]["nodes"]
    assert ("COMMITTEE_MEMBER", "M2") in {(o["role"], o["member"]["code"]) for o in held}
    logged = await changes(registry, "office")
    assert [c.action for c in logged] == ["create", "create"]


async def test_one_secretary_at_a_time_unless_replaced(registry: Registry) -> None:
    await registry.load(WORLD)
    api = await registry.client("admin")
    before = await registry.snapshot()
    second = {**TERM, "role": "SECRETARY"}

    refused = await mutate(api, "AppointOffice", second)
    assert codes(refused["userErrors"]) == ["CONFLICT"]
    assert "replaceCurrent" in refused["userErrors"][0]["message"]
    assert await registry.snapshot() == before

    replaced = await mutate(api, "AppointOffice", {**second, "replaceCurrent": True})
    assert replaced["userErrors"] == []
    assert (await organisation(api, "BR1"))["secretary"]["code"] == "M2"
    old = (await member(api, "M1"))["offices"]["nodes"]
    assert [(o["role"], o["end"]) for o in old] == [("SECRETARY", "2025-01-01")]


async def test_bad_appointments_are_refused(registry: Registry) -> None:
    await registry.load(WORLD)
    api = await registry.client("admin")
    organiser = await registry.client("organiser", scope="PB")
    before = await registry.snapshot()
    cases = [
        (api, {"member": "M3"}, "member", "INVALID", "probationary"),
        (api, {"role": "GROUP_LEADER"}, "role", "WRONG_KIND", "group"),
        (api, {"organisation": "G1", "role": "SECRETARY"}, "role", "WRONG_KIND", "group"),
        (api, {"member": "M7"}, "member", "INVALID", "not a member"),
        (api, {"member": "M5", "organisation": "BR2", "role": "DEPUTY_SECRETARY"}, "member",
         "DUPLICATE", "already"),
        (api, {"start": "2025/13/01"}, "start", "INVALID", "YYYY-MM-DD"),
        (api, {"organisation": "NOPE"}, "organisation", "NOT_FOUND", "NOPE"),
        (organiser, {}, "member", "NOT_FOUND", "M2"),
    ]  # fmt: skip
    for client, change, field, code, words in cases:
        errors = (await mutate(client, "AppointOffice", {**TERM, **change}))["userErrors"]
        assert [(e["field"], e["code"]) for e in errors] == [(field, code)], (change, errors)
        assert words in errors[0]["message"], errors
    assert await registry.snapshot() == before


async def test_end_a_term(registry: Registry) -> None:
    await registry.load(WORLD)
    api = await registry.client("admin")
    organiser = await registry.client("organiser", scope="PB")
    term = (await member(api, "M4"))["offices"]["nodes"][0]
    before = await registry.snapshot()

    too_early = await mutate(api, "EndOffice", {"office": term["id"], "end": "2020-01-01"})
    elsewhere = await mutate(organiser, "EndOffice", {"office": term["id"]})
    not_an_id = await mutate(api, "EndOffice", {"office": "BR2"})
    assert codes(too_early["userErrors"]) == ["INVALID"]
    assert codes(elsewhere["userErrors"]) == ["NOT_FOUND"]
    assert codes(not_an_id["userErrors"]) == ["NOT_FOUND"]
    assert await registry.snapshot() == before

    done = await mutate(api, "EndOffice", {"office": term["id"], "end": "2025-03-31"})
    assert done["userErrors"] == [] and done["office"]["end"] == "2025-03-31"
    assert (await organisation(api, "BR2"))["secretary"] is None
    again = await mutate(api, "EndOffice", {"office": term["id"]})
    assert codes(again["userErrors"]) == ["CONFLICT"]
