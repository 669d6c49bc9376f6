"""Party groups (党小组) have members: 党章 第八条 places every member in a branch and a group.

A member's group is one of their own branch's groups, set when they are created, updated or
transferred and by the import's `group` column; a group lists its members and its leader (组长,
never a secretary); the rules report names members in no group where their branch has groups
and groups with no members; a building covered only by such a group is a coverage gap.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

import pytest

from registry.importer import ImportFailed, import_workbook
from tests.support import GraphQLClient, Registry, operation, write_workbook
from tests.write_world import WORLD, codes, mutate

GROUP = operation("Group")


async def group_of(api: GraphQLClient, code: str) -> dict[str, Any]:
    return (await api(GROUP, {"code": code}))["organisation"]


def member_codes_of(group: dict[str, Any]) -> list[str]:
    return [m["code"] for m in group["members"]["nodes"]]


async def rules(api: GraphQLClient, scope: str) -> set[tuple[str, str]]:
    report = (await api(operation("RulesReport"), {"scope": scope}))["rulesReport"]
    return {(v["rule"], (v["organisation"] or v["member"])["code"]) for v in report}


async def test_a_member_is_placed_in_a_group_of_their_branch_and_the_group_lists_them(
    registry: Registry,
) -> None:
    """Given the write world (G1 a group of BR1), when M9 is created in BR1 with group G1 and
    M2 is appointed G1's leader, then M9's group is G1, G1 lists M9 and M2 as members, and
    G1's leader is M2 (组长) while it has no secretary."""
    await registry.load(WORLD)
    api = await registry.client("admin")

    created = await mutate(
        api,
        "CreateMember",
        {"code": "M9", "name": "孙丽", "status": "FULL", "organisation": "BR1", "group": "G1"},
    )
    appointed = await api(
        operation("AppointOffice"),
        {"input": {"member": "M2", "organisation": "G1", "role": "GROUP_LEADER"}},
    )

    assert created["userErrors"] == [] and created["member"]["group"] == {"code": "G1"}
    assert appointed["appointOffice"]["userErrors"] == []
    g1 = await group_of(api, "G1")
    assert member_codes_of(g1) == ["M2", "M9"]
    assert g1["leader"]["code"] == "M2" and g1["secretary"] is None
    branch = await group_of(api, "BR1")
    assert branch["leader"] is None and "M9" in member_codes_of(branch)


async def test_a_group_outside_the_members_own_branch_is_refused_and_nothing_is_written(
    registry: Registry,
) -> None:
    await registry.load(WORLD)
    api = await registry.client("admin")
    before = await registry.snapshot()
    new = {"code": "M9", "name": "孙丽", "status": "FULL", "organisation": "BR1"}
    in_service = {"code": "M10", "name": "吴刚", "status": "FULL", "workplace": "市第一医院",
                  "reportsTo": "BR1"}  # fmt: skip
    cases = [
        (new | {"group": "G2"}, "CONFLICT"),  # G2 is a group of BR2
        (new | {"group": "BR2"}, "WRONG_KIND"),  # a branch is not a group
        (new | {"group": "NOPE"}, "NOT_FOUND"),
        (in_service | {"group": "G1"}, "CONFLICT"),  # their branch is at their workplace
    ]
    for input, code in cases:
        payload = await mutate(api, "CreateMember", input)
        assert codes(payload["userErrors"]) == [code], input
        assert payload["userErrors"][0]["field"] == "group"
    update = await mutate(api, "UpdateMember", {"member": "M1", "group": "G2"})
    both = await mutate(api, "UpdateMember", {"member": "M1", "group": "G1", "leaveGroup": True})

    assert codes(update["userErrors"]) == ["CONFLICT"]
    assert codes(both["userErrors"]) == ["INVALID"]
    assert await registry.snapshot() == before


async def test_a_member_changes_or_leaves_their_group_by_update(registry: Registry) -> None:
    await registry.load(WORLD)
    api = await registry.client("admin")

    placed = await mutate(api, "UpdateMember", {"member": "M1", "group": "G1"})
    left = await mutate(api, "UpdateMember", {"member": "M1", "leaveGroup": True})

    assert placed["member"]["group"] == {"code": "G1"}
    assert left["userErrors"] == [] and left["member"]["group"] is None
    assert member_codes_of(await group_of(api, "G1")) == []


async def test_a_transfer_to_another_branch_leaves_the_old_group_and_its_leadership(
    registry: Registry,
) -> None:
    """Given M2 in G1 and its leader, when M2 is transferred to BR2, then M2 is in no group and
    G1 has no leader; transferred with `group: G2`, they are in G2 at once."""
    await registry.load(WORLD)
    api = await registry.client("admin")
    await mutate(api, "UpdateMember", {"member": "M2", "group": "G1"})
    await api(
        operation("AppointOffice"),
        {"input": {"member": "M2", "organisation": "G1", "role": "GROUP_LEADER"}},
    )

    moved = await mutate(api, "TransferMember", {"member": "M2", "organisation": "BR2"})
    into_group = await mutate(
        api, "TransferMember", {"member": "M1", "organisation": "BR2", "group": "G2"}
    )
    wrong = await mutate(api, "TransferMember", {"member": "M3", "organisation": "BR2",
                                                 "group": "G1"})  # fmt: skip

    assert moved["userErrors"] == [] and moved["member"]["group"] is None
    g1 = await group_of(api, "G1")
    assert g1["leader"] is None and member_codes_of(g1) == []
    assert into_group["member"]["group"] == {"code": "G2"}
    assert codes(wrong["userErrors"]) == ["CONFLICT"]


async def test_a_group_leader_is_one_of_its_members(registry: Registry) -> None:
    """Appointing a member in no group as a group's leader places them in it; a member of
    another group must be moved first."""
    await registry.load(WORLD)
    api = await registry.client("admin")
    await mutate(api, "CreateMember", {"code": "M9", "name": "孙丽", "status": "FULL",
                                       "organisation": "BR2", "group": "G2"})  # fmt: skip
    rows = deepcopy(WORLD)
    rows["organisations"].append(
        {"code": "G3", "parent": "BR2", "kind": "group", "name": "二期2栋党小组", "covers": ""}
    )
    await registry.load(rows)

    refused = await api(
        operation("AppointOffice"),
        {"input": {"member": "M9", "organisation": "G3", "role": "GROUP_LEADER"}},
    )

    assert codes(refused["appointOffice"]["userErrors"]) == ["CONFLICT"]
    assert member_codes_of(await group_of(api, "G2")) == ["M9"]


async def test_members_in_no_group_and_groups_with_no_members_are_reported(
    registry: Registry,
) -> None:
    """党章 第八条 and 支部工作条例 第十三条. Given the write world, BR1 has group G1 and BR2 group
    G2 (led by M5), nobody in either; BR3 has no groups. Then M1–M5 are in no group, G1 and G2
    have no members and G1 no leader; M7 (BR3, no groups there) and M6 (in service) are not
    reported. Once everyone is placed and M1 leads G1, all of it is put right."""
    await registry.load(WORLD)
    api = await registry.client("admin")

    before = await rules(api, "WC")

    assert {f for f in before if f[0] in {"MEMBER_WITHOUT_GROUP", "GROUP_WITHOUT_MEMBERS"}} == {
        ("MEMBER_WITHOUT_GROUP", "M1"),
        ("MEMBER_WITHOUT_GROUP", "M2"),
        ("MEMBER_WITHOUT_GROUP", "M3"),
        ("MEMBER_WITHOUT_GROUP", "M4"),
        ("MEMBER_WITHOUT_GROUP", "M5"),
        ("GROUP_WITHOUT_MEMBERS", "G1"),
        ("GROUP_WITHOUT_MEMBERS", "G2"),
    }
    assert ("GROUP_WITHOUT_LEADER", "G1") in before
    assert ("GROUP_WITHOUT_LEADER", "G2") not in before
    for code, group in (("M1", "G1"), ("M2", "G1"), ("M3", "G1"), ("M4", "G2"), ("M5", "G2")):
        await mutate(api, "UpdateMember", {"member": code, "group": group})
    await api(
        operation("AppointOffice"),
        {"input": {"member": "M1", "organisation": "G1", "role": "GROUP_LEADER"}},
    )
    after = await rules(api, "WC")
    group_rules = {"MEMBER_WITHOUT_GROUP", "GROUP_WITHOUT_MEMBERS", "GROUP_WITHOUT_LEADER"}
    assert not {f for f in after if f[0] in group_rules}


async def test_members_left_in_a_dissolved_group_are_in_none_while_their_branch_has_others(
    registry: Registry,
) -> None:
    """Given BR1 with groups G1 and G3, M1 and M2 placed in G1 and M3 in G3, when G1 is
    dissolved (its members stay placed in it), then M1 and M2 are in none of BR1's groups and
    M3 is not; once G3 is dissolved too, BR1 has no groups and no one is reported."""
    await registry.load(WORLD)
    api = await registry.client("admin")
    created = await mutate(
        api, "CreateOrganisation", {"code": "G3", "kind": "GROUP", "name": "3组", "parent": "BR1"}
    )
    assert created["userErrors"] == []
    for code, group in (("M1", "G1"), ("M2", "G1"), ("M3", "G3")):
        assert (await mutate(api, "UpdateMember", {"member": code, "group": group}))[
            "userErrors"
        ] == []

    def ungrouped(found: set[tuple[str, str]]) -> set[str]:
        return {code for rule, code in found if rule == "MEMBER_WITHOUT_GROUP"}

    assert not ungrouped(await rules(api, "BR1"))
    dissolve = {"organisation": "G1", "approvedBy": "BR1"}
    assert (await mutate(api, "DissolveOrganisation", dissolve))["userErrors"] == []
    assert ungrouped(await rules(api, "BR1")) == {"M1", "M2"}
    assert ungrouped(await rules(api, "WC")) == {"M1", "M2", "M4", "M5"}  # BR2's, in no group
    dissolve = {"organisation": "G3", "approvedBy": "BR1"}
    assert (await mutate(api, "DissolveOrganisation", dissolve))["userErrors"] == []
    assert not ungrouped(await rules(api, "BR1"))


async def test_the_group_rules_cite_their_articles(registry: Registry) -> None:
    await registry.load(WORLD)
    api = await registry.client("admin")
    report = (await api(operation("RulesReport"), {"scope": "BR1"}))["rulesReport"]
    messages = {v["rule"]: v["message"] for v in report}
    assert "党章 第八条" in messages["MEMBER_WITHOUT_GROUP"]
    assert "第十三条" in messages["GROUP_WITHOUT_MEMBERS"]
    assert "组长" in messages["GROUP_WITHOUT_LEADER"]


async def test_a_building_whose_group_has_no_members_or_leader_is_a_gap(
    registry: Registry,
) -> None:
    """Given G1 covering MX-1 with no members and no leader, the estate's gaps list MX-1 as
    covered by an unstaffed group; with a member placed but still no leader it stays one; with
    a leader as well it is no longer a gap."""
    await registry.load(WORLD)
    api = await registry.client("admin")

    async def unstaffed() -> tuple[list[str], int]:
        report = (await api(operation("Coverage"), {"scope": "MX"}))["coverage"]
        gaps = report["gaps"]["items"]
        found = [g["place"]["code"] for g in gaps if g["kind"] == "BUILDING_GROUP_UNSTAFFED"]
        return found, report["gaps"]["totalCount"]

    empty, total_empty = await unstaffed()
    await mutate(api, "UpdateMember", {"member": "M2", "group": "G1"})
    leaderless, _ = await unstaffed()
    await api(
        operation("AppointOffice"),
        {"input": {"member": "M2", "organisation": "G1", "role": "GROUP_LEADER"}},
    )
    staffed, total_staffed = await unstaffed()

    assert empty == ["MX-1"] and leaderless == ["MX-1"]
    assert staffed == [] and total_staffed == total_empty - 1


async def test_the_import_places_members_in_groups_by_the_group_column(
    registry: Registry,
) -> None:
    rows = deepcopy(WORLD)
    for member in rows["members"]:
        member["group"] = {"M1": "G1", "M4": "G2"}.get(member["code"], "")
    await registry.load(rows)
    api = await registry.client("admin")

    assert member_codes_of(await group_of(api, "G1")) == ["M1"]
    assert member_codes_of(await group_of(api, "G2")) == ["M4"]

    # Re-imported without the column, the groups stay; moved to another branch, M1 leaves G1.
    kept = deepcopy(WORLD)
    kept["members"] = [m for m in kept["members"] if m["code"] in {"M1", "M4"}]
    kept["members"][0]["organisation"] = "BR2"
    await registry.load({"members": kept["members"]})
    assert member_codes_of(await group_of(api, "G1")) == []
    assert member_codes_of(await group_of(api, "G2")) == ["M4"]


async def test_the_import_refuses_a_group_outside_the_members_branch(registry: Registry) -> None:
    await registry.load(WORLD)
    rows = {"members": [{"code": "M9", "name": "孙丽", "status": "full", "organisation": "BR1",
                         "group": "G2"},
                        {"code": "M10", "name": "吴刚", "status": "full", "organisation": "BR1",
                         "group": "BR1"}]}  # fmt: skip
    with pytest.raises(ImportFailed) as failed:
        await import_workbook(registry.db, write_workbook(registry.tmp / "bad", rows))
    assert {(p.row, p.column) for p in failed.value.problems} == {(2, "group"), (3, "group")}


async def test_the_org_chart_shows_a_groups_leader_not_a_secretary(registry: Registry) -> None:
    """Given G2 led by M5 since 2021-06-01, the chart of BR2, today and as of 2022, shows M5
    as G2's leader (组长) and no secretary; BR2's box shows its secretary M4 and no leader."""
    await registry.load(WORLD)
    api = await registry.client("admin")

    query = """query($root: String!, $asOf: Date) { orgChart(root: $root, asOf: $asOf) {
        nodes { code secretary { code } leader { code } } } }"""
    for as_of in (None, "2022-01-01"):
        chart = (await api(query, {"root": "BR2", "asOf": as_of}))["orgChart"]["nodes"]
        boxes = {n["code"]: n for n in chart}
        assert boxes["G2"]["leader"]["code"] == "M5" and boxes["G2"]["secretary"] is None, as_of
        assert boxes["BR2"]["secretary"]["code"] == "M4" and boxes["BR2"]["leader"] is None


async def test_a_split_keeps_a_members_group_only_where_it_moves_with_them(
    registry: Registry,
) -> None:
    """Given M1 and M2 in G1, when BR1 is split with G1 and M1 in one part and M2 in the
    other, then M1 is still in G1 (now under the new branch) and M2 is in no group."""
    await registry.load(WORLD)
    api = await registry.client("admin")
    for code in ("M1", "M2"):
        await mutate(api, "UpdateMember", {"member": code, "group": "G1"})

    split = await mutate(api, "SplitOrganisation", {
        "source": "BR1", "approvedBy": "PA", "approvedOn": "2025-04-01",
        "into": [{"code": "BR1A", "name": "东", "members": ["M1", "M3"], "groups": ["G1"]},
                 {"code": "BR1B", "name": "西", "members": ["M2"]}],
    })  # fmt: skip

    assert split["userErrors"] == []
    assert member_codes_of(await group_of(api, "G1")) == ["M1"]
    query = '{ members(filter: {organisation: "BR1B"}) { nodes { code group { code } } } }'
    assert (await api(query, {}))["members"]["nodes"] == [{"code": "M2", "group": None}]


async def test_a_group_is_created_with_its_coverage_members_and_leader_in_one_write(
    registry: Registry,
) -> None:
    """Given the write world (2栋 MX-2 has no group; M4 and M5 are BR2's), when a group of BR2
    is created covering MX-2 with M5 as a member and M4 as its leader, then the group covers
    MX-2, lists both and M4 is its 组长 — one mutation."""
    await registry.load(WORLD)
    api = await registry.client("admin")

    created = await mutate(
        api,
        "CreateOrganisation",
        {"code": "G3", "kind": "GROUP", "name": "2栋党小组", "parent": "BR2",
         "covers": ["MX-2"], "members": ["M5"], "leader": "M4"},
    )  # fmt: skip

    assert created["userErrors"] == []
    g3 = await group_of(api, "G3")
    assert member_codes_of(g3) == ["M4", "M5"]
    assert g3["leader"]["code"] == "M4"
    place = await api(operation("ConsoleGapPlace"), {"code": "MX-2"})
    covering = place["place"]["coveredBy"]["nodes"]
    assert {"GROUP"} == {o["kind"] for o in covering if o["code"] == "G3"}


@pytest.mark.parametrize(
    ("staff", "field", "reason"),
    [
        ({"members": ["M5", "M1"], "leader": "M4"}, "members", "GROUP_NOT_OWN"),
        ({"members": ["M5"], "leader": "M1"}, "leader", "GROUP_NOT_OWN"),
        ({"members": ["M5"], "leader": "M6"}, "leader", "GROUP_NOT_OWN"),
    ],
)
async def test_a_group_whose_member_or_leader_is_refused_is_not_created_at_all(
    registry: Registry, staff: dict[str, Any], field: str, reason: str
) -> None:
    """Given the write world, when a group of BR2 is created with a member or leader from
    another branch (M1 of BR1) or in service elsewhere (M6), then the refusal names that field
    and nothing is written: no group, no coverage, nobody placed."""
    await registry.load(WORLD)
    api = await registry.client("admin")
    before = await registry.snapshot()

    created = await mutate(
        api,
        "CreateOrganisation",
        {"code": "G3", "kind": "GROUP", "name": "2栋党小组", "parent": "BR2",
         "covers": ["MX-2"], **staff},
    )  # fmt: skip

    assert [(e["field"], e["reason"]) for e in created["userErrors"]] == [(field, reason)]
    assert created["organisation"] is None
    assert await registry.snapshot() == before


async def test_only_a_group_is_created_with_members(registry: Registry) -> None:
    await registry.load(WORLD)
    api = await registry.client("admin")

    created = await mutate(
        api,
        "CreateOrganisation",
        {"code": "BR9", "kind": "BRANCH", "name": "新支部", "parent": "PA", "members": ["M1"]},
    )

    assert [(e["field"], e["reason"]) for e in created["userErrors"]] == [
        ("members", "STAFFED_ONLY_GROUP")
    ]
