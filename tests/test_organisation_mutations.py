"""Writing the organisation tree: create, rename, re-parent (cycle-safe), dissolve, coverage."""

from __future__ import annotations

from tests.support import Registry, operation
from tests.write_world import WORLD, changes, codes, member_codes, mutate, organisation

NEW_BRANCH = {
    "code": "BR4",
    "kind": "BRANCH",
    "name": "茅溪第三支部",
    "parent": "PA",
    "approvedBy": "WC",
    "approvedOn": "2025-05-04",
    "covers": ["MX2"],
}


async def test_create_an_organisation_approved_by_a_higher_one(registry: Registry) -> None:
    await registry.load(WORLD)
    api = await registry.client("admin")

    payload = await mutate(api, "CreateOrganisation", NEW_BRANCH)

    assert payload["userErrors"] == []
    created = payload["organisation"]
    assert created["parent"] == {"code": "PA"} and created["depth"] == 2
    assert created["approvedBy"] == {"code": "WC"} and created["approvedOn"] == "2025-05-04"
    assert created["status"] == "ACTIVE" and created["version"] == 1
    stored = await organisation(api, "BR4")
    assert stored["covers"]["nodes"] == [{"code": "MX2"}]
    logged = [c for c in await changes(registry, "organisation") if c.action == "create"]
    assert logged[-1].after["code"] == "BR4" and logged[-1].before is None
    assert [c.after["place_id"] for c in await changes(registry, "coverage")]


async def test_bad_organisations_are_refused(registry: Registry) -> None:
    await registry.load(WORLD)
    api = await registry.client("admin")
    before = await registry.snapshot()
    cases = [
        ({"parent": "NOPE"}, "parent", "NOT_FOUND"),
        ({"parent": "G1"}, "parent", "WRONG_KIND"),
        ({"kind": "GROUP", "parent": "PA"}, "parent", "WRONG_KIND"),
        ({"parent": None, "approvedBy": None}, "kind", "WRONG_KIND"),
        ({"code": "BR1"}, "code", "DUPLICATE"),
        ({"code": " "}, "code", "INVALID"),
        ({"established": "2025-13-01"}, "established", "INVALID"),
        ({"approvedBy": "PB"}, "approvedBy", "INVALID"),
        ({"approvedBy": "BR1"}, "approvedBy", "INVALID"),
        ({"covers": ["MX", "NOWHERE"]}, "covers[1]", "NOT_FOUND"),
    ]
    for change, field, code in cases:
        errors = (await mutate(api, "CreateOrganisation", {**NEW_BRANCH, **change}))["userErrors"]
        assert [(e["field"], e["code"]) for e in errors] == [(field, code)], (change, errors)
    assert await registry.snapshot() == before


async def test_reparenting_moves_the_whole_subtree(registry: Registry) -> None:
    # Given branch BR2 (with group G2) under community A's party committee, and community B's
    # committee answering for community A's estates too (a branch moves only where its
    # estates lie in its new committee's territory)
    await registry.load(WORLD)
    api = await registry.client("admin")
    await mutate(api, "SetCoverage", {"organisation": "PB", "cover": ["CA"]})

    # When it moves under community B's party committee
    payload = await mutate(
        api, "UpdateOrganisation", {"organisation": "BR2", "parent": "PB", "name": "海尔第二支部"}
    )

    # Then the branch and everything under it is found within PB, and no longer within PA
    assert payload["userErrors"] == []
    assert payload["organisation"]["name"] == "海尔第二支部"
    assert payload["organisation"]["version"] == 2
    data = await api(operation("Organisations"), {"filter": {"within": "PB"}})
    assert {n["code"] for n in data["organisations"]["nodes"]} == {"PB", "BR3", "BR2", "G2"}
    data = await api(operation("Organisations"), {"filter": {"within": "PA"}})
    assert {n["code"] for n in data["organisations"]["nodes"]} == {"PA", "BR1", "G1"}
    assert sorted(await member_codes(api, "PB")) == ["M4", "M5", "M6", "M7"]


async def test_reparenting_refuses_cycles_wrong_kinds_and_stale_versions(
    registry: Registry,
) -> None:
    await registry.load(WORLD)
    api = await registry.client("admin")
    before = await registry.snapshot()
    cases = [
        ({"organisation": "PA", "parent": "G1"}, "parent", "CYCLE"),
        ({"organisation": "PA", "parent": "PA"}, "parent", "CYCLE"),
        ({"organisation": "BR1", "parent": "BR3"}, "parent", "WRONG_KIND"),
        ({"organisation": "G2", "parent": "PB"}, "parent", "WRONG_KIND"),
        ({"organisation": "BR1", "parent": "NOPE"}, "parent", "NOT_FOUND"),
        ({"organisation": "BR1", "name": "x", "expectedVersion": 5}, "expectedVersion", "STALE"),
        ({"organisation": "BR1", "name": "  "}, "name", "INVALID"),
    ]
    for given, field, code in cases:
        errors = (await mutate(api, "UpdateOrganisation", given))["userErrors"]
        assert [(e["field"], e["code"]) for e in errors] == [(field, code)], (given, errors)
    assert await registry.snapshot() == before
    ok = await mutate(
        api, "UpdateOrganisation", {"organisation": "BR1", "name": "新名", "expectedVersion": 1}
    )
    assert ok["userErrors"] == [] and ok["organisation"]["version"] == 2


async def test_dissolve_refuses_to_orphan_members_then_closes_an_empty_one(
    registry: Registry,
) -> None:
    await registry.load(WORLD)
    api = await registry.client("admin")
    before = await registry.snapshot()

    refused = await mutate(api, "DissolveOrganisation", {"organisation": "BR1", "approvedBy": "PA"})
    with_children = await mutate(
        api, "DissolveOrganisation", {"organisation": "PB", "approvedBy": "WC"}
    )
    bad_date = await mutate(
        api,
        "DissolveOrganisation",
        {"organisation": "G1", "approvedBy": "PA", "approvedOn": "01/02/2025"},
    )

    assert codes(refused["userErrors"]) == ["CONFLICT"]
    message = refused["userErrors"][0]["message"]
    assert "3 member(s)" in message and "transfer" in message and "merge" in message
    assert codes(with_children["userErrors"]) == ["CONFLICT"]
    assert codes(bad_date["userErrors"]) == ["INVALID"]
    assert await registry.snapshot() == before

    # A group holds no members: dissolving it ends its coverage.
    done = await mutate(
        api,
        "DissolveOrganisation",
        {"organisation": "G1", "approvedBy": "PA", "approvedOn": "2025-06-01"},
    )
    assert done["userErrors"] == []
    assert done["organisation"]["status"] == "DISSOLVED"
    assert done["organisation"]["closedOn"] == "2025-06-01"
    assert (await organisation(api, "G1"))["covers"]["nodes"] == []


async def test_cover_and_uncover_places(registry: Registry) -> None:
    await registry.load(WORLD)
    api = await registry.client("admin")

    # G1 stops covering 1栋 first: BR1 keeps every estate a group below it covers in.
    await mutate(api, "SetCoverage", {"organisation": "G1", "uncover": ["MX-1"]})
    payload = await mutate(
        api, "SetCoverage", {"organisation": "BR1", "cover": ["MX2"], "uncover": ["MX"]}
    )
    assert payload["userErrors"] == []
    assert payload["organisation"]["covers"]["nodes"] == [{"code": "MX2"}]

    before = await registry.snapshot()
    not_covered = await mutate(api, "SetCoverage", {"organisation": "BR1", "uncover": ["EB"]})
    assert codes(not_covered["userErrors"]) == ["INVALID"]
    assert await registry.snapshot() == before


async def test_scope_and_roles_limit_organisation_writes(registry: Registry) -> None:
    await registry.load(WORLD)
    organiser = await registry.client("organiser", scope="PA")
    viewer = await registry.client("viewer", scope="PA")
    before = await registry.snapshot()

    others = await mutate(organiser, "UpdateOrganisation", {"organisation": "BR3", "name": "x"})
    into_other = await mutate(
        organiser, "UpdateOrganisation", {"organisation": "BR2", "parent": "PB"}
    )
    create_there = await mutate(organiser, "CreateOrganisation", {**NEW_BRANCH, "parent": "PB"})
    read_only = await mutate(viewer, "UpdateOrganisation", {"organisation": "BR1", "name": "x"})

    assert codes(others["userErrors"]) == ["NOT_FOUND"]
    assert codes(into_other["userErrors"]) == ["NOT_FOUND"]
    assert codes(create_there["userErrors"]) == ["NOT_FOUND"]
    assert codes(read_only["userErrors"]) == ["FORBIDDEN"]
    assert await registry.snapshot() == before
    mine = await mutate(organiser, "CreateOrganisation", {**NEW_BRANCH, "approvedBy": None})
    assert mine["userErrors"] == [] and mine["organisation"]["approvedBy"] == {"code": "PA"}
