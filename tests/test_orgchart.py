"""Org charts: flat and nested, counts on every node, lazy expansion, ancestors, scope — and a
constant number of SQL statements however many nodes come back."""

from __future__ import annotations

import re
from typing import Any

from tests.support import Registry, operation
from tests.test_coverage import grid_workbook

ORG_CHART = operation("OrgChart")
CHILDREN = operation("OrgChartChildren")
ANCESTORS = operation("OrgAncestors")


async def chart(api: Any, root: str, depth: int = 2, include_closed: bool = False) -> Any:
    variables = {"root": root, "depth": depth, "includeClosed": include_closed}
    return (await api(ORG_CHART, variables))["orgChart"]


def by_code(nodes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {node["code"]: node for node in nodes}


async def test_flat_chart_lists_parents_before_children(registry: Registry) -> None:
    """Given the known sub-district, when WC's chart is asked two levels down, then the nodes are
    WC, its party committees and their branches, each parent before its children, the root's
    parentId null and every other parentId pointing at a node already listed."""
    await registry.load(grid_workbook())
    api = await registry.client("admin")

    nodes = (await chart(api, "WC", depth=2))["nodes"]

    assert {n["code"] for n in nodes} == {"WC", "PC1", "B1", "B2", "PC2", "B3"}
    assert nodes[0]["code"] == "WC" and nodes[0]["parentId"] is None
    seen: dict[str, dict[str, Any]] = {}
    for node in nodes:
        if node is not nodes[0]:
            assert node["parentId"] in seen
            assert node["depth"] == seen[node["parentId"]]["depth"] + 1
        seen[node["id"]] = node
    ids = await api('query { organisation(code: "PC1") { id parent { id } } }')
    assert by_code(nodes)["PC1"]["id"] == ids["organisation"]["id"]
    assert by_code(nodes)["PC1"]["parentId"] == ids["organisation"]["parent"]["id"]


async def test_every_node_carries_its_counts(registry: Registry) -> None:
    await registry.load(grid_workbook())
    api = await registry.client("admin")

    nodes = by_code((await chart(api, "WC", depth=2))["nodes"])

    wc, pc1, b1, b2, pc2, b3 = (nodes[c] for c in ("WC", "PC1", "B1", "B2", "PC2", "B3"))
    assert (wc["depth"], wc["level"], wc["kind"]) == (0, 0, "WORKING_COMMITTEE")
    assert (wc["memberCount"], wc["memberTotal"], wc["childCount"], wc["descendantCount"]) == (
        0,
        9,
        2,
        7,
    )
    assert wc["estates"] == {"total": 4, "covered": 2, "ratio": 0.5}
    assert wc["buildings"] == {"total": 4, "covered": 2, "ratio": 0.5}
    assert (pc1["memberTotal"], pc1["reportingCount"], pc1["descendantCount"]) == (6, 1, 3)
    assert pc1["estates"]["total"] == 2 and pc1["buildings"] == {
        "total": 3,
        "covered": 1,
        "ratio": 1 / 3,
    }
    assert pc2["estates"] == {"total": 2, "covered": 1, "ratio": 0.5}
    # At the depth limit: the groups were not loaded, yet they are counted.
    assert (b1["hasChildren"], b1["childCount"], b1["descendantCount"]) == (True, 1, 1)
    assert (b1["memberCount"], b1["secretary"]) == (4, {"code": "M1", "name": "张一"})
    assert b1["estates"] == {"total": 1, "covered": 1, "ratio": 1.0}
    assert b1["buildings"] == {"total": 2, "covered": 1, "ratio": 0.5}
    assert (b2["hasChildren"], b2["childCount"], b2["memberCount"]) == (False, 0, 2)
    assert b2["estates"] == {"total": 0, "covered": 0, "ratio": None}
    assert b2["secretary"] is None
    assert (b3["reportingCount"], b3["secretary"]["code"]) == (1, "M7")


async def test_nested_tree_holds_the_same_nodes(registry: Registry) -> None:
    await registry.load(grid_workbook())
    api = await registry.client("admin")

    tree = (await api(operation("OrgChartTree"), {"root": "PC1", "depth": 3}))["orgChart"]["tree"]

    assert tree["name"] == "一社区党委" and tree["depth"] == 0
    branches = {child["name"]: child for child in tree["children"]}
    assert set(branches) == {"一号小区党支部", "一社区机关党支部"}
    [group] = branches["一号小区党支部"]["children"]
    assert (group["name"], group["depth"], group["hasChildren"]) == ("一号小区1栋党小组", 2, False)
    assert group["buildings"] == {"total": 1, "covered": 1}


async def test_depth_zero_is_the_root_alone_and_depth_is_bounded(registry: Registry) -> None:
    await registry.load(grid_workbook())
    api = await registry.client("admin")

    only = (await chart(api, "PC2", depth=0))["nodes"]
    body = await api.post(ORG_CHART, {"root": "WC", "depth": 99})

    assert [(n["code"], n["hasChildren"], n["descendantCount"]) for n in only] == [("PC2", True, 2)]
    assert body["errors"][0]["extensions"]["code"] == "BAD_INPUT"
    assert "depth" in body["errors"][0]["message"]


async def test_children_come_as_a_connection_page_by_page(registry: Registry) -> None:
    await registry.load(grid_workbook())
    api = await registry.client("admin")
    whole = by_code((await chart(api, "WC", depth=1))["nodes"])

    first = (await api(CHILDREN, {"parent": "WC", "first": 1}))["orgChildren"]
    rest = (
        await api(CHILDREN, {"parent": "WC", "first": 1, "after": first["pageInfo"]["endCursor"]})
    )["orgChildren"]

    assert first["totalCount"] == 2 and first["pageInfo"]["hasNextPage"] is True
    assert rest["pageInfo"]["hasNextPage"] is False
    page = first["nodes"] + rest["nodes"]
    assert {n["code"] for n in page} == {"PC1", "PC2"}
    for node in page:
        assert node["parentId"] == whole["WC"]["id"] and node["depth"] == 1
        for field in ("id", "memberTotal", "childCount", "descendantCount", "estates"):
            assert node[field] == whole[node["code"]][field], field


async def test_ancestors_lead_from_the_top_down_to_the_hit(registry: Registry) -> None:
    await registry.load(grid_workbook())
    api = await registry.client("admin")

    chain = (await api(ANCESTORS, {"of": "G3"}))["orgAncestors"]

    assert [n["code"] for n in chain] == ["WC", "PC2", "B3", "G3"]
    assert [n["depth"] for n in chain] == [0, 1, 2, 3]
    assert chain[0]["parentId"] is None
    assert [n["parentId"] for n in chain[1:]] == [n["id"] for n in chain[:-1]]


async def test_closed_organisations_are_left_out_unless_asked_for(registry: Registry) -> None:
    await registry.load(grid_workbook())
    api = await registry.client("admin")
    body = await api(
        operation("DissolveOrganisation"), {"input": {"organisation": "G3", "approvedBy": "B3"}}
    )
    assert body["dissolveOrganisation"]["userErrors"] == []

    open_only = by_code((await chart(api, "B3", depth=1))["nodes"])
    with_closed = by_code((await chart(api, "B3", depth=1, include_closed=True))["nodes"])
    closed_root = await chart(api, "G3", depth=1)

    assert set(open_only) == {"B3"}
    assert (open_only["B3"]["hasChildren"], open_only["B3"]["childCount"]) == (False, 0)
    assert set(with_closed) == {"B3", "G3"}
    assert with_closed["G3"]["status"] == "DISSOLVED"
    assert with_closed["B3"]["childCount"] == 1
    assert closed_root == {"nodes": []}


async def test_a_scoped_token_charts_only_its_subtree(registry: Registry) -> None:
    await registry.load(grid_workbook())
    organiser = await registry.client("organiser", scope="PC1")

    assert await chart(organiser, "WC") is None
    assert await chart(organiser, "PC2") is None
    assert (await organiser(CHILDREN, {"parent": "PC2"}))["orgChildren"] is None
    assert (await organiser(ANCESTORS, {"of": "B3"}))["orgAncestors"] is None
    mine = (await chart(organiser, "PC1", depth=5))["nodes"]
    assert {n["code"] for n in mine} == {"PC1", "B1", "G1", "B2"}
    chain = (await organiser(ANCESTORS, {"of": "G1"}))["orgAncestors"]
    assert [(n["code"], n["depth"], n["parentId"]) for n in chain][:1] == [("PC1", 0, None)]
    assert [n["code"] for n in chain] == ["PC1", "B1", "G1"]


def more_branches(count: int) -> dict[str, list[dict[str, Any]]]:
    """`count` more estates under C2, each with a branch (a secretary, two members) and two
    building groups, to make a chart grow."""
    places: list[dict[str, str]] = []
    orgs: list[dict[str, str]] = []
    members: list[dict[str, str]] = []
    offices: list[dict[str, str]] = []
    for n in range(count):
        estate, branch = f"X{n}", f"XB{n}"
        places.append({"code": estate, "parent": "C2", "kind": "estate", "name": f"新{n}小区"})
        orgs.append(
            {"code": branch, "parent": "PC2", "kind": "branch", "name": f"新{n}支部"}
            | {"covers": estate}
        )
        for b in (1, 2):
            building = f"{estate}-B{b}"
            places.append({"code": building, "parent": estate, "kind": "building", "name": "栋"})
            orgs.append(
                {"code": f"{branch}-G{b}", "parent": branch, "kind": "group", "name": "小组"}
                | {"covers": building}
            )
        for m in (1, 2):
            members.append(
                {"code": f"{branch}-M{m}", "name": "党员", "status": "full"}
                | {"joined": "2001-07-01", "organisation": branch}
            )
        offices.append(
            {"member": f"{branch}-M1", "organisation": branch, "role": "secretary"}
            | {"start": "2023-03-01"}
        )
    return {"places": places, "organisations": orgs, "members": members, "offices": offices}


async def statements_for(registry: Registry, api: Any, query: str, variables: dict) -> int:
    with registry.server.count_statements() as statements:
        await api(query, variables)
    return len(statements)


async def test_statements_do_not_grow_with_the_chart(registry: Registry) -> None:
    """Given a chart of 8 nodes, then the same registry grown to 128 nodes, the org chart (and a
    children page, and an ancestor chain) costs the same number of SQL statements."""
    await registry.load(grid_workbook())
    api = await registry.client("admin")
    small_chart = await statements_for(registry, api, ORG_CHART, {"root": "WC", "depth": 3})
    small_page = await statements_for(registry, api, CHILDREN, {"parent": "PC2", "first": 50})
    shallow = await statements_for(registry, api, ORG_CHART, {"root": "WC", "depth": 1})

    await registry.load(more_branches(40))
    big = (await chart(api, "WC", depth=3))["nodes"]
    big_chart = await statements_for(registry, api, ORG_CHART, {"root": "WC", "depth": 3})
    big_page = await statements_for(registry, api, CHILDREN, {"parent": "PC2", "first": 50})
    chain = await statements_for(registry, api, ANCESTORS, {"of": "XB7-G1"})

    assert len(big) == 8 + 40 * 3
    assert big_chart == small_chart == shallow
    assert big_page == small_page
    assert chain <= small_chart
    # One session for the root, the nodes with all their counts, and the secretaries (on SQLite
    # each session also sends BEGIN).
    assert small_chart <= 5


NAMES_ONLY = """query($root: String!) {
  orgChart(root: $root, depth: 3) { nodes { code name } }
}"""
SOME_COUNTS = """query($root: String!) {
  orgChart(root: $root, depth: 3) { nodes { code memberCount ...Boxes } }
}
fragment Boxes on OrgChartNode { estates { total covered } }"""


async def test_a_chart_counts_only_what_the_request_shows(registry: Registry) -> None:
    """Given a chart asked for its names only, then its statement reads no member, coverage or
    office at all; asked for member counts and (through a fragment) estates, it counts those,
    with the same figures as a chart asking for everything."""
    await registry.load(grid_workbook())
    api = await registry.client("admin")

    with registry.server.count_statements() as statements:
        names = (await api(NAMES_ONLY, {"root": "WC"}))["orgChart"]["nodes"]
    # The chart's statement (beside the token's and the root's lookup).
    chart_sql = [s.lower() for s in statements if "depth <=" in s.lower()]
    assert names and len(chart_sql) == 1
    assert not {"coverage", "office", "member"} & set(re.findall(r"[a-z_]+", chart_sql[0]))

    some = (await api(SOME_COUNTS, {"root": "WC"}))["orgChart"]["nodes"]
    every = {n["code"]: n for n in (await chart(api, "WC", depth=3))["nodes"]}
    assert [n["code"] for n in some] == list(every)
    for node in some:
        assert node["memberCount"] == every[node["code"]]["memberCount"]
        expected = every[node["code"]]["estates"]
        assert node["estates"] == {"total": expected["total"], "covered": expected["covered"]}


def test_a_chart_record_carries_every_column_of_its_table() -> None:
    """Charts read organisations and secretaries as plain records (no ORM objects); a column
    added to the tables must be added to the records too, or the API would miss it."""
    from registry.core.models import Member as MemberRow
    from registry.core.models import Organisation as OrganisationRow
    from registry.core.records import MemberRecord, OrgRecord

    assert set(OrgRecord._fields) == set(OrganisationRow.__table__.c.keys())
    assert set(MemberRecord._fields) == set(MemberRow.__table__.c.keys())
