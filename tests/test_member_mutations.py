"""Writing members: one formal organisation each, transfers with history, confirmation."""

from __future__ import annotations

from sqlalchemy import select

from registry.core.models import Affiliation, Member
from tests.support import Registry
from tests.write_world import WORLD, changes, codes, member, member_codes, mutate

NEW = {
    "code": "M9",
    "name": "孙丽",
    "status": "FULL",
    "gender": "FEMALE",
    "joined": "2012-07-01",
    "organisation": "BR1",
    "household": "MX-1-101",
    "phone": "138 0000 0009",
    "skills": ["nursing", " nursing", "law"],
}


async def affiliations(registry: Registry, code: str) -> list[tuple[str | None, str | None]]:
    """(start, end) of a member's affiliation rows, oldest first."""
    async with registry.db.read() as session:
        rows = await session.execute(
            select(Affiliation.start, Affiliation.end)
            .join(Member, Member.id == Affiliation.member_id)
            .where(Member.code == code)
            .order_by(Affiliation.id)
        )
        return [(str(s) if s else None, str(e) if e else None) for s, e in rows]


async def test_create_members_with_one_formal_organisation_or_a_workplace(
    registry: Registry,
) -> None:
    await registry.load(WORLD)
    api = await registry.client("admin")

    local = await mutate(api, "CreateMember", NEW)
    in_service = await mutate(
        api,
        "CreateMember",
        {
            "code": "M10",
            "name": "吴刚",
            "status": "PROBATIONARY",
            "workplace": "市第一医院",
            "reportsTo": "PA",
            "joined": "2025-01-01",
        },
    )

    assert local["userErrors"] == [] and in_service["userErrors"] == []
    created = local["member"]
    assert created["organisation"] == {"code": "BR1"} and created["household"]["code"] == "MX-1-101"
    assert created["phone"] == "13800000009"
    assert created["skills"] == ["law", "nursing"]
    assert in_service["member"]["inService"] and in_service["member"]["reportsTo"] == {"code": "PA"}
    assert "M9" in await member_codes(api, "BR1")
    assert "M10" in await member_codes(api, "PA")
    logged = [c for c in await changes(registry, "member") if c.action == "create"]
    assert [c.after["code"] for c in logged] == ["M9", "M10"]


async def test_bad_members_are_refused(registry: Registry) -> None:
    await registry.load(WORLD)
    api = await registry.client("admin")
    before = await registry.snapshot()
    cases = [
        ({"workplace": "港务集团", "reportsTo": "BR2"}, "organisation", "INVALID"),  # two ties
        ({"organisation": None}, "organisation", "INVALID"),  # none
        ({"organisation": None, "workplace": "港务集团"}, "reportsTo", "INVALID"),
        ({"organisation": None, "workplace": "港务集团", "reportsTo": "G1"}, "reportsTo",
         "WRONG_KIND"),
        ({"organisation": "G1"}, "organisation", "WRONG_KIND"),
        ({"organisation": "NOPE"}, "organisation", "NOT_FOUND"),
        ({"reportsTo": "PA"}, "reportsTo", "INVALID"),
        ({"household": "MX"}, "household", "WRONG_KIND"),
        ({"phone": "12345"}, "phone", "INVALID"),
        ({"phone": "110101199003071234"}, "phone", "INVALID"),
        ({"name": "孙丽 11010119900307123X"}, "name", "INVALID"),
        ({"joined": "2012-7-1x"}, "joined", "INVALID"),
        ({"status": "PROBATIONARY", "fullOn": "2013-07-01"}, "fullOn", "INVALID"),
        ({"code": "M1"}, "code", "DUPLICATE"),
    ]  # fmt: skip
    for change, field, code in cases:
        errors = (await mutate(api, "CreateMember", {**NEW, **change}))["userErrors"]
        assert [(e["field"], e["code"]) for e in errors] == [(field, code)], (change, errors)
        assert errors[0]["message"]
    assert await registry.snapshot() == before


async def test_update_details_skills_and_phone(registry: Registry) -> None:
    await registry.load(WORLD)
    api = await registry.client("admin")

    payload = await mutate(
        api,
        "UpdateMember",
        {
            "member": "M2",
            "phone": "+86 139-0000-0002",
            "skills": ["plumbing"],
            "household": "MX-2-101",
            "expectedVersion": 1,
        },
    )
    cleared = await mutate(api, "UpdateMember", {"member": "M1", "phone": ""})

    assert payload["userErrors"] == []
    updated = payload["member"]
    assert updated["phone"] == "13900000002" and updated["skills"] == ["plumbing"]
    assert updated["household"] == {"code": "MX-2-101"} and updated["version"] == 2
    assert cleared["member"]["phone"] is None
    before = await registry.snapshot()
    stale = await mutate(api, "UpdateMember", {"member": "M2", "name": "x", "expectedVersion": 1})
    not_in_service = await mutate(api, "UpdateMember", {"member": "M2", "reportsTo": "PA"})
    control = await mutate(api, "UpdateMember", {"member": "M2", "skills": ["law\x1fnursing"]})
    assert codes(stale["userErrors"]) == ["STALE"]
    assert codes(not_in_service["userErrors"]) == ["INVALID"]
    assert [e["field"] for e in control["userErrors"]] == ["skills"]
    assert await registry.snapshot() == before


async def test_transfer_keeps_history_and_ends_offices_in_the_old_branch(
    registry: Registry,
) -> None:
    await registry.load(WORLD)
    api = await registry.client("admin")

    payload = await mutate(
        api, "TransferMember", {"member": "M1", "organisation": "BR2", "on": "2025-02-01"}
    )

    assert payload["userErrors"] == []
    assert payload["member"]["organisation"] == {"code": "BR2"}
    history = await affiliations(registry, "M1")
    assert [end for _, end in history] == ["2025-02-01", None]
    assert history[-1][0] == "2025-02-01"
    offices = (await member(api, "M1"))["offices"]["nodes"]
    assert [(o["organisation"]["code"], o["end"]) for o in offices] == [("BR1", "2025-02-01")]
    # to a workplace: in service, reporting to a community organisation
    out = await mutate(
        api,
        "TransferMember",
        {"member": "M2", "workplace": "两江新区管委会", "reportsTo": "PA", "on": "2025-02-02"},
    )
    assert out["userErrors"] == [] and out["member"]["inService"]
    assert out["member"]["organisation"] is None


async def test_bad_transfers_are_refused(registry: Registry) -> None:
    await registry.load(WORLD)
    api = await registry.client("admin")
    organiser = await registry.client("organiser", scope="PA")
    before = await registry.snapshot()
    cases = [
        (api, {"member": "M2", "organisation": "BR1"}, "organisation", "INVALID"),
        (api, {"member": "M2", "organisation": "BR2", "workplace": "x"}, "organisation",
         "INVALID"),
        (api, {"member": "M2", "organisation": "G2"}, "organisation", "WRONG_KIND"),
        (api, {"member": "M2", "organisation": "BR2", "on": "2025-02-31"}, "on", "INVALID"),
        (api, {"member": "NOBODY", "organisation": "BR2"}, "member", "NOT_FOUND"),
        (organiser, {"member": "M2", "organisation": "BR3"}, "organisation", "NOT_FOUND"),
        (organiser, {"member": "M7", "organisation": "BR1"}, "member", "NOT_FOUND"),
    ]  # fmt: skip
    for client, given, field, code in cases:
        errors = (await mutate(client, "TransferMember", given))["userErrors"]
        assert [(e["field"], e["code"]) for e in errors] == [(field, code)], (given, errors)
    assert await registry.snapshot() == before


async def test_confirm_a_probationary_member(registry: Registry) -> None:
    await registry.load(WORLD)
    api = await registry.client("admin")
    viewer = await registry.client("viewer", scope="WC")
    before = await registry.snapshot()

    full = await mutate(api, "ConfirmMember", {"member": "M1"})
    early = await mutate(api, "ConfirmMember", {"member": "M3", "on": "2020-01-01"})
    malformed = await mutate(api, "ConfirmMember", {"member": "M3", "on": "next year"})
    forbidden = await mutate(viewer, "ConfirmMember", {"member": "M3", "on": "2025-07-01"})
    # M3 joined on 2024-07-01: a year of probation runs to 2025-07-01 (党章 第七条).
    within = await mutate(api, "ConfirmMember", {"member": "M3", "on": "2025-06-30"})
    assert codes(full["userErrors"]) == ["CONFLICT"]
    assert codes(early["userErrors"]) == ["INVALID"]
    assert [(e["field"], e["code"]) for e in within["userErrors"]] == [("on", "CONFLICT")]
    assert "2025-07-01" in within["userErrors"][0]["message"]
    assert codes(malformed["userErrors"]) == ["INVALID"]
    assert codes(forbidden["userErrors"]) == ["FORBIDDEN"]
    assert await registry.snapshot() == before

    done = await mutate(api, "ConfirmMember", {"member": "M3", "on": "2025-07-01"})
    assert done["userErrors"] == []
    assert done["member"]["status"] == "FULL" and done["member"]["fullOn"] == "2025-07-01"
    logged = await changes(registry, "member")
    assert logged[-1].action == "confirm" and logged[-1].before["status"] == "probationary"
