"""Committees by kind, and the committee roles.

A branch with 7 or more full members has a committee of 3–5, at most 7, with a secretary and
组织委员, 宣传委员, 纪检委员 (支部工作条例 第二十条); a general branch's committee has 5–7, at most
9, a Party committee's 5–9 (the Central Organisation Department's usual provision on 基层组织
领导成员职数). Probationary members hold none of these offices (选举工作条例 第五条).
"""

from __future__ import annotations

from typing import Any

from tests.support import GraphQLClient, Registry, operation
from tests.write_world import codes

ROLES = ["secretary", "deputy_secretary", "organisation_member", "publicity_member",
         "discipline_member", "committee_member", "committee_member", "committee_member",
         "committee_member", "committee_member"]  # fmt: skip


def committees_workbook(pc: int, gb: int) -> dict[str, list[dict[str, Any]]]:
    """WC ── PC (a Party committee with a committee of `pc`) ── GB (a general branch with a
    committee of `gb`) ── BR (a branch of 8 full members, committee of 3: secretary, 组织委员
    and 宣传委员 typed in Chinese; P1 probationary). Each has 10 full members of its own."""
    orgs = [("WC", "", "working_committee"), ("PC", "WC", "party_committee"),
            ("GB", "PC", "general_branch"), ("BR", "GB", "branch")]  # fmt: skip
    members = [
        {"code": f"{org}{n}", "name": f"党员{org}{n}", "status": "full", "joined": "2000-07-01",
         "organisation": org}
        for org, *_ in orgs for n in range(10 if org != "BR" else 8)
    ]  # fmt: skip
    members.append({"code": "P1", "name": "预备党员", "status": "probationary",
                    "joined": "2026-06-01", "organisation": "BR"})  # fmt: skip
    offices = [
        {"member": f"{org}{n}", "organisation": org, "role": ROLES[n], "start": "2026-01-01"}
        for org, size in (("PC", pc), ("GB", gb))
        for n in range(size)
    ]
    offices += [
        {"member": "BR0", "organisation": "BR", "role": "书记", "start": "2026-01-01"},
        {"member": "BR1", "organisation": "BR", "role": "组织委员", "start": "2026-01-01"},
        {"member": "BR2", "organisation": "BR", "role": "宣传委员", "start": "2026-01-01"},
    ]
    return {
        "organisations": [
            {"code": c, "parent": p, "kind": k, "name": f"{c}组织"} for c, p, k in orgs
        ],
        "members": members,
        "offices": offices,
    }


async def sizes(api: GraphQLClient) -> dict[str, dict[str, int]]:
    report = (await api(operation("RulesReport"), {"scope": "WC"}))["rulesReport"]
    return {
        v["organisation"]["code"]: {d["name"]: d["value"] for d in v["details"]}
        for v in report
        if v["rule"] == "COMMITTEE_SIZE"
    }


async def test_committee_sizes_follow_the_kind(registry: Registry) -> None:
    """Given a Party committee of 4 and a general branch of 10, both are reported with the
    bounds of their kind (5–9; 5–7, at most 9); the branch's committee of 3 is right."""
    await registry.load(committees_workbook(pc=4, gb=10))
    api = await registry.client("admin")

    found = await sizes(api)

    assert found == {
        "PC": {"fullMembers": 0, "committee": 4, "minimum": 5, "maximum": 9},
        "GB": {"fullMembers": 18, "committee": 10, "minimum": 5, "maximum": 9},
    }


async def test_committees_within_their_bounds_are_not_reported(registry: Registry) -> None:
    await registry.load(committees_workbook(pc=9, gb=5))
    api = await registry.client("admin")

    assert await sizes(api) == {}


async def test_a_branch_committee_counts_its_portfolios_and_says_its_article(
    registry: Registry,
) -> None:
    """Given BR (8 full members) with a secretary, 组织委员 and 宣传委员, when its 宣传委员's
    term ends, then BR's committee of 2 is too small, citing 支部工作条例 第二十条."""
    await registry.load(committees_workbook(pc=5, gb=5))
    api = await registry.client("admin")
    branch = (await api(operation("Organisation"), {"code": "BR"}))["organisation"]
    roles = {o["role"] for o in branch["offices"]["nodes"]}
    assert roles == {"SECRETARY", "ORGANISATION_MEMBER", "PUBLICITY_MEMBER"}

    office = next(o for o in await offices_of(api, "BR") if o["role"] == "PUBLICITY_MEMBER")
    ended = await api(operation("EndOffice"), {"input": {"office": office["id"]}})
    assert ended["endOffice"]["userErrors"] == []

    report = (await api(operation("RulesReport"), {"scope": "BR"}))["rulesReport"]
    [size] = [v for v in report if v["rule"] == "COMMITTEE_SIZE"]
    assert "第二十条" in size["message"]
    assert {d["name"]: d["value"] for d in size["details"]}["committee"] == 2


async def offices_of(api: GraphQLClient, code: str) -> list[dict[str, Any]]:
    query = "query($code: String!) { organisation(code: $code) { offices { nodes { id role } } } }"
    return (await api(query, {"code": code}))["organisation"]["offices"]["nodes"]


async def test_committee_roles_are_refused_to_probationary_members(registry: Registry) -> None:
    await registry.load(committees_workbook(pc=5, gb=5))
    api = await registry.client("admin")
    before = await registry.snapshot()

    for role in ("ORGANISATION_MEMBER", "PUBLICITY_MEMBER", "DISCIPLINE_MEMBER"):
        refused = await api(
            operation("AppointOffice"),
            {"input": {"member": "P1", "organisation": "BR", "role": role}},
        )
        assert codes(refused["appointOffice"]["userErrors"]) == ["INVALID"], role
    full = await api(
        operation("AppointOffice"),
        {"input": {"member": "BR3", "organisation": "BR", "role": "DISCIPLINE_MEMBER"}},
    )

    assert full["appointOffice"]["userErrors"] == []
    after = await registry.snapshot()
    assert len(after["office"]) == len(before["office"]) + 1


async def test_a_probationary_member_holding_a_committee_role_is_reported(
    registry: Registry,
) -> None:
    """Data from elsewhere may hold it: the import takes it, the report names it."""
    rows = committees_workbook(pc=5, gb=5)
    rows["offices"].append(
        {"member": "P1", "organisation": "BR", "role": "纪检委员", "start": "2026-07-01"}
    )
    await registry.load(rows)
    api = await registry.client("admin")

    report = (await api(operation("RulesReport"), {"scope": "BR"}))["rulesReport"]

    [officer] = [v for v in report if v["rule"] == "PROBATIONARY_OFFICER"]
    assert officer["member"]["code"] == "P1" and "第五条" in officer["message"]


async def test_a_probationary_officer_confirmed_as_full_member_is_no_longer_reported(
    registry: Registry,
) -> None:
    """Given P1, probationary since 2025 (their probation over), on BR's committee, when the
    branch confirms them as a full member, then the report no longer names them: a member's
    status moves the figures of the organisations where they hold office."""
    rows = committees_workbook(pc=5, gb=5)
    [p1] = [m for m in rows["members"] if m["code"] == "P1"]
    p1["joined"] = "2025-01-01"
    rows["offices"].append(
        {"member": "P1", "organisation": "BR", "role": "纪检委员", "start": "2026-07-01"}
    )
    await registry.load(rows)
    api = await registry.client("admin")

    confirmed = await api(operation("ConfirmMember"), {"input": {"member": "P1"}})
    report = (await api(operation("RulesReport"), {"scope": "BR"}))["rulesReport"]

    assert confirmed["confirmMember"]["userErrors"] == []
    assert [v for v in report if v["rule"] == "PROBATIONARY_OFFICER"] == []


async def test_a_member_reimported_as_probationary_while_in_office_is_reported(
    registry: Registry,
) -> None:
    """Given BR3, a full member of BR sitting on PC's committee, when a workbook corrects BR3's
    status to probationary, then BR's report names BR3 as a probationary officer: a member's
    status moves the figures of every organisation where they hold office."""
    rows = committees_workbook(pc=5, gb=5)
    rows["offices"].append(
        {"member": "BR3", "organisation": "PC", "role": "纪检委员", "start": "2026-01-01"}
    )
    await registry.load(rows)
    [member] = [m for m in rows["members"] if m["code"] == "BR3"]
    await registry.load({"members": [member | {"status": "probationary", "joined": "2026-06-01"}]})
    api = await registry.client("admin")

    report = (await api(operation("RulesReport"), {"scope": "BR"}))["rulesReport"]

    assert [v["member"]["code"] for v in report if v["rule"] == "PROBATIONARY_OFFICER"] == ["BR3"]
