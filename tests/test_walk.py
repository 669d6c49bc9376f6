"""Walking the registry as GraphQL clients expect: every relation of an organisation, a place
and a member is reachable from the node itself, paged, counted and cut to the caller's scope."""

from __future__ import annotations

from typing import Any

from tests.support import Registry, operation
from tests.workbooks import crossing_communities, mobilisation_estates, two_communities


def pairing(member: str, place: str) -> dict[str, str]:
    return {"member": member, "kind": "household_contact", "place": place,
            "start": "2025-01-01", "end": ""}  # fmt: skip


def world() -> dict[str, list[dict[str, Any]]]:
    """Two communities; A-M1 is the contact member of two of A's households and, across the
    boundary, of one of B's."""
    rows = two_communities()
    rows["pairings"] = [
        pairing("A-M1", "A-E-B1-U1-01"),
        pairing("A-M1", "A-E-B2-U1-02"),
        pairing("A-M1", "B-E-B1-U1-01"),
    ]
    return rows


def codes(connection: dict[str, Any]) -> list[str]:
    return [node["code"] for node in connection["nodes"]]


ORG_WALK = """
query($code: String!) {
  organisation(code: $code) {
    code
    parent { code }
    children { totalCount nodes { code } }
    groups { totalCount nodes { code } }
    members { totalCount nodes { code } }
    probationary: members(filter: {status: PROBATIONARY}) { totalCount nodes { code } }
  }
}"""


async def test_given_an_organisation_then_its_children_groups_and_members_are_connections(
    registry: Registry,
) -> None:
    await registry.load(world())
    api = await registry.client()
    top = (await api(ORG_WALK, {"code": "S-DGW"}))["organisation"]
    assert top["parent"] is None
    assert codes(top["children"]) == ["A-DW", "B-DW"] and top["children"]["totalCount"] == 2
    branch = (await api(ORG_WALK, {"code": "A-ZB"}))["organisation"]
    assert branch["parent"] == {"code": "A-DW"}
    assert codes(branch["groups"]) == ["A-ZB-G1"] == codes(branch["children"])
    assert codes(branch["members"]) == ["A-M1", "A-M2", "A-M3"]
    assert branch["members"]["totalCount"] == 3
    assert codes(branch["probationary"]) == ["A-M3"]
    assert branch["probationary"]["totalCount"] == 1


PLACE_WALK = """
query($code: String!) {
  place(code: $code) {
    code
    children { totalCount nodes { code } }
    residents { totalCount nodes { code } }
    inService: residents(filter: {inService: true}) { nodes { code } }
    contact { code }
  }
}"""


async def test_given_a_place_then_its_children_residents_and_contact_are_reachable(
    registry: Registry,
) -> None:
    await registry.load(world())
    api = await registry.client()
    estate = (await api(PLACE_WALK, {"code": "A-E"}))["place"]
    assert codes(estate["children"]) == ["A-E-B1", "A-E-B2"]
    # Residents live anywhere under the place: three in building 1, one in building 2.
    assert codes(estate["residents"]) == ["A-M1", "A-M2", "A-M3", "A-W1"]
    assert estate["residents"]["totalCount"] == 4
    assert codes(estate["inService"]) == ["A-W1"]
    assert estate["contact"] is None
    home = (await api(PLACE_WALK, {"code": "A-E-B1-U1-01"}))["place"]
    assert home["contact"] == {"code": "A-M1"}
    assert home["children"]["totalCount"] == 0


MEMBER_WALK = """
query {
  members(filter: {status: FULL}, first: 10) {
    nodes { code contactFor { totalCount nodes { code } } tasks { totalCount nodes { id } } }
  }
}"""


async def test_given_a_contact_member_then_the_households_they_answer_for_are_listed(
    registry: Registry,
) -> None:
    await registry.load(world())
    admin = await registry.client()
    found = {m["code"]: m for m in (await admin(MEMBER_WALK))["members"]["nodes"]}
    assert codes(found["A-M1"]["contactFor"]) == ["A-E-B1-U1-01", "A-E-B2-U1-02", "B-E-B1-U1-01"]
    assert found["A-M2"]["contactFor"] == {"totalCount": 0, "nodes": []}
    assert found["A-M1"]["tasks"] == {"totalCount": 0, "nodes": []}


async def test_given_a_community_token_then_walking_never_leaves_its_territory(
    registry: Registry,
) -> None:
    """A's viewer walks from A's committee and from A-M1: B's household that A-M1 answers for,
    the working committee above and B's members stay out of every answer and every count."""
    await registry.load(world())
    viewer = await registry.client("viewer", scope="A-DW")
    committee = (await viewer(ORG_WALK, {"code": "A-DW"}))["organisation"]
    assert committee["parent"] is None
    assert codes(committee["children"]) == ["A-ZB"]
    found = {m["code"]: m for m in (await viewer(MEMBER_WALK))["members"]["nodes"]}
    assert set(found) == {"A-M1", "A-M2", "A-W1"}
    assert codes(found["A-M1"]["contactFor"]) == ["A-E-B1-U1-01", "A-E-B2-U1-02"]
    assert found["A-M1"]["contactFor"]["totalCount"] == 2
    assert (await viewer(PLACE_WALK, {"code": "B-E"}))["place"] is None


PAGED = """
query($after: String) {
  organisation(code: "A-ZB") {
    members(first: 2, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { code }
    }
  }
}"""


async def test_given_a_long_roster_then_it_pages_by_cursor_and_counts_them_all(
    registry: Registry,
) -> None:
    await registry.load(world())
    api = await registry.client()
    first = (await api(PAGED))["organisation"]["members"]
    assert codes(first) == ["A-M1", "A-M2"] and first["pageInfo"]["hasNextPage"]
    rest = (await api(PAGED, {"after": first["pageInfo"]["endCursor"]}))["organisation"]["members"]
    assert codes(rest) == ["A-M3"] and not rest["pageInfo"]["hasNextPage"]
    assert first["totalCount"] == rest["totalCount"] == 3


# An assignment's status is not in the read model, so this selection is answered by the
# resolvers and their loaders rather than by one compiled statement.
NESTED = """
query($first: Int!) {
  organisations(first: $first, filter: {kind: BRANCH}) {
    nodes {
      code
      children { nodes { code members { totalCount nodes { code } } } }
      members {
        nodes {
          code contactFor { nodes { code contact { code } } } tasks { nodes { status } }
          offices { nodes { role } }
        }
      }
      covers { nodes { code coveredBy { totalCount nodes { code } } } }
      offices(current: false) { totalCount nodes { role member { code } } }
      elections { totalCount }
    }
  }
}"""


async def test_given_nested_relations_then_each_level_is_one_batch_whatever_the_page_size(
    registry: Registry,
) -> None:
    await registry.load(world())
    api = await registry.client()

    async def statements(first: int) -> int:
        with registry.server.count_statements() as seen:
            answer = await api(NESTED, {"first": first})
        assert len(answer["organisations"]["nodes"]) == first
        return len(seen)

    assert await statements(1) == await statements(2)


COVERAGE = """
query($code: String!) {
  place(code: $code) { coverage { estates { total covered } households { total covered } } }
  organisation(code: "A-ZB") { coverage { buildings { total covered } } }
  byPlace: coverage(scope: $code) { estates { total covered } households { total covered } }
  byOrg: coverage(scope: "A-ZB") { buildings { total covered } }
}"""


async def test_given_a_place_or_organisation_then_its_coverage_is_the_coverage_report(
    registry: Registry,
) -> None:
    await registry.load(world())
    api = await registry.client()
    answer = await api(COVERAGE, {"code": "A-E"})
    assert answer["place"]["coverage"] == answer["byPlace"]
    assert answer["organisation"]["coverage"] == answer["byOrg"]
    assert answer["byPlace"]["households"] == {"total": 4, "covered": 2}


def nested(levels: int) -> str:
    """Children connections within children connections, `levels` deep, with edges, cursors,
    pages and counts at every level (what fattens a compiled statement most)."""
    inner = "code residents(first: 2) { totalCount }"
    for _ in range(levels):
        inner = (f"code children(first: 5) {{ totalCount pageInfo {{ endCursor }} "
                 f"edges {{ cursor node {{ {inner} }} }} }}")  # fmt: skip
    return f"{{ places(first: 3) {{ totalCount edges {{ cursor node {{ {inner} }} }} }} }}"


DEEP = nested(2)  # as deep as the depth limit lets a query go


async def test_given_connections_nested_deep_then_the_answer_comes_whole(
    registry: Registry,
) -> None:
    """However deep the connections nest, the answer is whole: a statement deeper than the
    database's parser takes (SQLite's stops at about a hundred subqueries) is answered field
    by field instead, with the same figures."""
    await registry.load(world())
    api = await registry.client()
    body = await api.post(DEEP)
    assert not body.get("errors"), body["errors"]
    top = body["data"]["places"]["edges"][0]["node"]
    assert top["code"] == "S" and top["children"]["totalCount"] == 2
    community = top["children"]["edges"][0]["node"]
    assert community["code"] == "A" and community["children"]["totalCount"] == 1
    assert community["children"]["edges"][0]["node"]["residents"] == {"totalCount": 4}


SEARCH = operation("ConsoleSearch")


async def test_given_a_search_text_then_members_are_found_by_name_or_code_within_scope(
    registry: Registry,
) -> None:
    """The console's one search box: a part of a name finds members as it finds organisations
    and places, a whole code finds its member; B's members stay out of A's viewer's answer."""
    await registry.load(world())
    admin = await registry.client("admin")
    viewer = await registry.client("viewer", scope="A-DW")

    everyone = (await admin(SEARCH, {"text": "党员1"}))["members"]
    in_a = (await viewer(SEARCH, {"text": "党员1"}))["members"]
    by_code = await viewer(SEARCH, {"text": "A-M2"})
    elsewhere = await viewer(SEARCH, {"text": "B-M2"})

    assert codes(everyone) == ["A-M1", "B-M1"] and everyone["totalCount"] == 2
    assert codes(in_a) == ["A-M1"] and in_a["totalCount"] == 1
    assert codes(by_code["memberByCode"]) == ["A-M2"]
    assert by_code["members"]["nodes"] == []
    assert elsewhere["memberByCode"]["nodes"] == [] and elsewhere["place"] is None
    places = (await viewer(SEARCH, {"text": "小区"}))["places"]
    assert codes(places) == ["A-E"]


def offices_world() -> dict[str, list[dict[str, Any]]]:
    """`crossing_communities` with a deputy secretary beside A-ZB's secretary: B-M2 leads
    A's first building's group across the boundary."""
    rows = crossing_communities()
    rows["offices"].append(
        {"member": "A-M2", "organisation": "A-ZB", "role": "deputy_secretary",
         "start": "2024-03-01", "end": ""}
    )  # fmt: skip
    return rows


BOUNDED = """
query($org: String!, $place: String!, $after: String) {
  organisation(code: $org) {
    covers { totalCount nodes { code } }
    offices(first: 1, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } nodes { role member { code } }
    }
    elections { totalCount nodes { kind heldOn } }
  }
  place(code: $place) { coveredBy { totalCount nodes { code } } }
}"""

# The same, with a field the compiled reads do not answer (transfers), so that the resolvers
# and their loaders answer it: both paths must agree.
BOUNDED_BY_RESOLVERS = BOUNDED.replace("covers {", "transfersIn { id } covers {")


async def test_given_bounded_relations_then_each_is_a_connection_paged_and_counted(
    registry: Registry,
) -> None:
    await registry.load(offices_world())
    api = await registry.client()
    for held_on in ("2016-05-01", "2021-05-01"):
        recorded = await api(
            operation("RecordElection"), {"input": {"organisation": "A-ZB", "heldOn": held_on}}
        )
        assert recorded["recordElection"]["userErrors"] == []
    for query in (BOUNDED, BOUNDED_BY_RESOLVERS):
        first = await api(query, {"org": "A-ZB", "place": "A-E-B1"})
        org = first["organisation"]
        assert codes(org["covers"]) == ["A-E"] and org["covers"]["totalCount"] == 1
        assert [e["heldOn"] for e in org["elections"]["nodes"]] == ["2016-05-01", "2021-05-01"]
        assert org["elections"]["totalCount"] == 2
        assert codes(first["place"]["coveredBy"]) == ["A-ZB-G1"]
        # Offices page in the order they were recorded: the secretary, then the deputy.
        page = org["offices"]
        assert page["totalCount"] == 2 and page["pageInfo"]["hasNextPage"]
        assert page["nodes"] == [{"role": "SECRETARY", "member": {"code": "A-M1"}}]
        after = page["pageInfo"]["endCursor"]
        rest = (await api(query, {"org": "A-ZB", "place": "A-E-B1", "after": after}))[
            "organisation"
        ]["offices"]
        assert rest["nodes"] == [{"role": "DEPUTY_SECRETARY", "member": {"code": "A-M2"}}]
        assert rest["totalCount"] == 2 and not rest["pageInfo"]["hasNextPage"]


async def test_given_a_cursor_of_another_connection_then_offices_refuse_it(
    registry: Registry,
) -> None:
    await registry.load(offices_world())
    api = await registry.client()
    members = (await api(PAGED))["organisation"]["members"]
    after = members["pageInfo"]["endCursor"]
    body = await api.post(BOUNDED, {"org": "A-ZB", "place": "A-E", "after": after})
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_INPUT"]


MEMBER_OFFICES = """
query($code: String!) {
  members(filter: {code: $code}, first: 1) {
    nodes { offices { totalCount nodes { role organisation { code } } } }
  }
}"""


async def test_given_an_office_held_across_the_boundary_then_each_side_sees_only_its_own(
    registry: Registry,
) -> None:
    """B-M2 leads a group of A's: A's viewer sees the office in A's group (its holder is
    not theirs to see); B's viewer sees B-M2 but not an office in an organisation of A."""
    await registry.load(offices_world())
    a_viewer = await registry.client("viewer", scope="A-DW")
    b_viewer = await registry.client("viewer", scope="B-DW")
    group = (await a_viewer(BOUNDED, {"org": "A-ZB-G1", "place": "A-E-B1"}))["organisation"]
    assert group["offices"]["totalCount"] == 1
    assert group["offices"]["nodes"] == [{"role": "GROUP_LEADER", "member": None}]
    b_m2 = (await b_viewer(MEMBER_OFFICES, {"code": "B-M2"}))["members"]["nodes"][0]
    assert b_m2["offices"] == {"totalCount": 0, "nodes": []}


TASKS = """
query($code: String!) {
  members(filter: {code: $code}, first: 1) {
    nodes { tasks { totalCount nodes { status role task { code } } } }
  }
}"""


async def test_given_a_mobilised_member_then_their_tasks_are_a_connection_cut_to_scope(
    registry: Registry,
) -> None:
    await registry.load(mobilisation_estates())
    organiser = await registry.client("organiser", scope="A-DW")
    task = {"code": "T1", "kind": "DOOR_TO_DOOR_VISITS", "name": "入户走访",
            "organisation": "A-DW", "places": ["A-E"], "start": "2026-01-01",
            "end": "2026-01-31", "headcount": 3, "skills": []}  # fmt: skip
    assert (await organiser(operation("CreateTask"), {"input": task}))["createTask"][
        "userErrors"
    ] == []
    applied = (await organiser(operation("ApplyMobilisation"), {"input": {"task": "T1"}}))[
        "applyMobilisation"
    ]
    chosen = {a["member"]["code"] for a in applied["assignments"]}
    member = sorted(chosen)[0]
    mine = (await organiser(TASKS, {"code": member}))["members"]["nodes"][0]["tasks"]
    assert mine["totalCount"] == 1
    assert [(t["status"], t["task"]["code"]) for t in mine["nodes"]] == [("PROPOSED", "T1")]
    # B's viewer sees none of A's members, and an unscoped admin the same one task.
    b_viewer = await registry.client("viewer", scope="B-DW")
    assert (await b_viewer(TASKS, {"code": member}))["members"]["nodes"] == []
    admin = await registry.client()
    assert (await admin(TASKS, {"code": member}))["members"]["nodes"][0]["tasks"] == mine
