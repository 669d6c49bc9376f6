"""Lists are relay connections: filtered, paged with cursors, capped, without N+1 queries."""

from __future__ import annotations

from tests.support import operation
from tests.workbooks import two_communities


async def test_places_page_through_the_whole_tree_in_parent_first_order(registry) -> None:
    await registry.load(two_communities())
    api = await registry.client()
    seen: list[str] = []
    after = None
    while True:
        page = (await api(operation("Places"), {"first": 5, "after": after}))["places"]
        seen += [p["code"] for p in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == page["totalCount"]
    assert seen.index("A") < seen.index("A-E") < seen.index("A-E-B1") < seen.index("A-E-B1-U1-01")


async def test_every_page_counts_the_whole_filtered_list(registry) -> None:
    """Given a filtered list paged in twos, when each page is read, the last page and a page
    past the end included, then each counts every match, whatever it holds itself."""
    await registry.load(two_communities())
    api = await registry.client()
    flt = {"organisation": "A-DW"}
    counts: list[int] = []
    after = None
    while True:
        page = await api(operation("Members"), {"filter": flt, "first": 2, "after": after})
        counts.append(page["members"]["totalCount"])
        if not page["members"]["pageInfo"]["hasNextPage"]:
            break
        after = page["members"]["pageInfo"]["endCursor"]
    last = page["members"]["pageInfo"]["endCursor"]
    beyond = await api(operation("Members"), {"filter": flt, "first": 2, "after": last})
    assert beyond["members"]["nodes"] == []
    assert counts + [beyond["members"]["totalCount"]] == [4, 4, 4]
    empty = await api(operation("Members"), {"filter": {"organisation": "NO-SUCH-ORG"}})
    assert empty["members"]["totalCount"] == 0 and empty["members"]["nodes"] == []


async def test_page_sizes_are_capped(registry, settings) -> None:
    await registry.load(two_communities(households_per_unit=60))
    api = await registry.client()
    page = (await api(operation("Places"), {"first": 10_000}))["places"]
    assert len(page["nodes"]) == settings.page_size_max
    assert page["pageInfo"]["hasNextPage"] is True


async def test_filters_by_kind_name_and_subtree(registry) -> None:
    await registry.load(two_communities())
    api = await registry.client()
    estates = await api(operation("Places"), {"filter": {"kind": "ESTATE"}})
    assert [p["code"] for p in estates["places"]["nodes"]] == ["A-E", "B-E"]
    within = await api(operation("Places"), {"filter": {"within": "B-E", "kind": "BUILDING"}})
    assert [p["code"] for p in within["places"]["nodes"]] == ["B-E-B1", "B-E-B2"]
    named = await api(operation("Organisations"), {"filter": {"name": "A小区"}})
    assert {o["code"] for o in named["organisations"]["nodes"]} == {"A-ZB", "A-ZB-G1"}


async def test_members_filter_by_organisation_place_status_service_and_skill(registry) -> None:
    await registry.load(two_communities())
    api = await registry.client()

    async def codes(**flt: object) -> set[str]:
        page = await api(operation("Members"), {"filter": flt, "first": 100})
        return {m["code"] for m in page["members"]["nodes"]}

    assert await codes(organisation="A-DW") == {"A-M1", "A-M2", "A-M3", "A-W1"}
    assert await codes(place="A-E-B2") == {"A-W1"}
    assert await codes(status="PROBATIONARY") == {"A-M3", "B-M3"}
    assert await codes(inService=True) == {"A-W1"}
    assert await codes(skill="accounting") == {"A-W1"}
    assert await codes(organisation="NO-SUCH-ORG") == set()


async def test_a_bad_cursor_is_a_clear_error(registry) -> None:
    api = await registry.client()
    body = await api.post(operation("Places"), {"after": "not-a-cursor"})
    assert body["errors"][0]["extensions"]["code"] == "BAD_INPUT"


async def test_a_members_page_runs_a_fixed_number_of_statements(registry) -> None:
    """Nested organisation, secretary, household, parent and skills come with the page."""
    await registry.load(two_communities())
    api = await registry.client()
    query = operation("Members")

    async def statements(first: int) -> int:
        with registry.server.count_statements() as seen:
            page = await api(query, {"first": first})
        assert len(page["members"]["nodes"]) == first
        return len(seen)

    assert await statements(2) == await statements(7)


MEMBER_RELATIONS = """
    organisation { code name secretary { code name } }
    reportsTo { code secretary { code } }
    household { code parent { code } }
    skills
    phone
"""


async def test_a_members_page_answers_its_nested_fields_as_one_member_at_a_time(registry) -> None:
    """Given members whose organisation, reporting target or home lie outside a token's scope,
    and a branch with two open secretary terms, when a page of members is read, then every
    member's nested fields are what `node(id)` gives for that member alone (the page fetches
    them up front, `node` through its loaders)."""
    rows = two_communities()
    rows["members"] += [
        {"code": "B-X1", "name": "乙", "gender": "male", "status": "full", "joined": "2011-07-01",
         "organisation": "B-ZB", "workplace": "", "household": "A-E-B2-U1-02",
         "reports_to": "", "phone": "13700000001", "skills": ""},
        {"code": "A-X2", "name": "甲", "gender": "female", "status": "full",
         "joined": "2012-07-01", "organisation": "A-ZB", "workplace": "",
         "household": "B-E-B1-U1-02", "reports_to": "B-DW", "phone": "13700000002",
         "skills": "law"},
    ]  # fmt: skip
    rows["offices"].append(
        {
            "member": "A-M2",
            "organisation": "A-ZB",
            "role": "secretary",
            "start": "2025-01-01",
            "end": "",
        }
    )
    await registry.load(rows)
    page_query = "query($first: Int) { members(first: $first) { nodes { id code %s } } }"
    node_query = "query($id: ID!) { node(id: $id) { ... on Member { code %s } } }"
    for role, scope in (("admin", None), ("organiser", "A-DW"), ("viewer", "A-ZB")):
        api = await registry.client(role, scope=scope)
        page = (await api(page_query % MEMBER_RELATIONS, {"first": 100}))["members"]["nodes"]
        assert page, f"{role} sees members"
        for member in page:
            alone = (await api(node_query % MEMBER_RELATIONS, {"id": member.pop("id")}))["node"]
            assert member == alone, f"{role} {scope}: {member['code']}"
    organiser = await registry.client("organiser", scope="A-DW")
    page = (await organiser(page_query % MEMBER_RELATIONS, {"first": 100}))["members"]["nodes"]
    seen = {m["code"]: m for m in page}
    assert seen["A-X2"]["reportsTo"] is None and seen["A-X2"]["household"] is None
    assert seen["B-X1"]["organisation"] is None
    assert seen["B-X1"]["household"] == {"code": "A-E-B2-U1-02", "parent": {"code": "A-E-B2-U1"}}
    assert seen["A-M3"]["organisation"]["secretary"]["code"] == "A-M2", "the latest open term"
