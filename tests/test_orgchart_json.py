"""Org charts written by the database as JSON answer exactly as the resolvers do: every field
of a node, aliases, fragments, counts, coverage figures, secretaries and leaders, for every
role and scope, with and without closed organisations."""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

import httpx
from sqlalchemy import text

from tests.support import Registry
from tests.test_coverage import grid_workbook
from tests.test_orgchart import more_branches

NODE_LEAVES = [
    "id", "parentId", "code", "name", "kind", "status", "depth", "level", "memberCount",
    "memberTotal", "reportingCount", "hasChildren", "childCount", "descendantCount",
    "__typename",
]  # fmt: skip
NODE_OBJECTS = [
    "estates { total covered ratio __typename }",
    "buildings { covered total }",
    "estates { ratio }",
    "secretary { code name phone organisation { code } }",
    "secretary { __typename name household { code } }",
    "leader { code name phone }",
]
# Selections the resolvers answer alone (the database does not write these).
RESOLVED = ["organisation { name }", "children { code }"]


# XB2, dissolved in the registry below, and its two open groups.
CLOSED_BRANCH = {"XB2", "XB2-G1", "XB2-G2"}
UNDER_PC2 = """query($closed: Boolean!) {
  orgChart(root: "PC2", depth: 2, includeClosed: $closed) { nodes { code } }
}"""


def node_selection(pick: random.Random) -> str:
    """A random selection of a chart node's fields: some aliased, some in a fragment."""
    fields = pick.sample(NODE_LEAVES, pick.randint(1, 6)) + pick.sample(
        NODE_OBJECTS, pick.randint(0, 2)
    )
    if pick.random() < 0.1:
        fields.append(pick.choice(RESOLVED))
    pick.shuffle(fields)
    written = [f"a{n}: {f}" if pick.random() < 0.2 else f for n, f in enumerate(fields)]
    if len(written) > 2 and pick.random() < 0.3:
        inner = " ".join(written[:2])
        written = [f"... on OrgChartNode {{ {inner} }}", *written[2:]]
    return " ".join(written)


def chart_queries(count: int) -> list[str]:
    """`count` chart queries of random shapes, the same on every run."""
    pick = random.Random(19)
    queries = []
    for _ in range(count):
        parts = [f"nodes {{ {node_selection(pick)} }}"]
        if pick.random() < 0.2:
            parts.append("__typename")
        if pick.random() < 0.1:
            parts.append(f"more: nodes {{ {node_selection(pick)} }}")
        queries.append(
            "query($root: String!, $depth: Int!, $closed: Boolean!) { orgChart(root: $root, "
            f"depth: $depth, includeClosed: $closed) {{ {' '.join(parts)} }} }}"
        )
    return queries


async def test_given_charts_of_every_shape_then_the_database_writes_what_resolvers_answer(
    registry: Registry, settings: Any
) -> None:
    """Given a sub-district with a dissolved group, a dissolved branch over open groups and a
    group whose leader sits outside a scoped caller's subtree, when charts of random shapes
    are asked by an admin, a community's organiser and a viewer, with and without closed
    organisations, then every answer equals the one the resolvers give node by node
    (compiled reads off), and the database wrote every chart whose boxes ask for neither their
    organisation nor their children; either way, the closed branch's open groups are shown
    only with closed organisations."""
    from registry.server.app import create_app

    await registry.load(grid_workbook())
    await registry.load(more_branches(3))
    # XB1's first group is led by B1's secretary, of the other community.
    leader = {"member": "M1", "organisation": "XB1-G1", "role": "group_leader"}
    await registry.load({"offices": [leader | {"start": "2024-01-01"}]})
    admin = await registry.client("admin")
    dissolved = await admin(
        'mutation { dissolveOrganisation(input: {organisation: "G3", approvedBy: "B3"}) '
        "{ userErrors { code } } }"
    )
    assert dissolved["dissolveOrganisation"]["userErrors"] == []
    # A branch closed over open groups, as data written before today's rules may hold.
    async with registry.db.write() as session:
        await session.execute(
            text("UPDATE organisation SET status = 'dissolved' WHERE code = 'XB2'")
        )
    callers = [
        (admin.token, ["WC", "PC2", "B3"]),
        (await registry.token("organiser", "PC2"), ["PC2", "XB2", "WC"]),
        (await registry.token("viewer", "PC1"), ["PC1", "B1"]),
    ]
    reference_app = create_app(replace(settings, compiled_reads=False))
    reference = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=reference_app), base_url="http://reference"
    )
    written = 0
    try:
        ask = random.Random(5)
        for query in chart_queries(60):
            token, roots = ask.choice(callers)
            root, depth = ask.choice(roots), ask.randint(1, 3)
            for closed in (False, True):
                variables = {"root": root, "depth": depth, "closed": closed}
                headers = {"Authorization": f"Bearer {token}"}
                expected = await reference.post(
                    "/graphql", json={"query": query, "variables": variables}, headers=headers
                )
                assert expected.status_code == 200, expected.text
                with registry.server.count_statements() as statements:
                    body = await admin.as_token(token).post(query, variables)
                assert body == expected.json(), (query, variables)
                by_database = any("json" in sql.lower() for sql in statements)
                charted = body["data"]["orgChart"] is not None
                assert by_database == (charted and not any(r in query for r in RESOLVED))
                written += by_database
        # Built either way, a branch closed over open groups hides them with it.
        headers = {"Authorization": f"Bearer {admin.token}"}
        for closed in (False, True):
            body = {"query": UNDER_PC2, "variables": {"closed": closed}}
            theirs = (await reference.post("/graphql", json=body, headers=headers)).json()
            for answer in (await admin(UNDER_PC2, {"closed": closed}), theirs["data"]):
                codes = {node["code"] for node in answer["orgChart"]["nodes"]}
                assert CLOSED_BRANCH & codes == (CLOSED_BRANCH if closed else set())
    finally:
        await reference.aclose()
        await reference_app.state.db.dispose()
    assert written >= 60  # most of them
