"""Writing the territory: create, rename, move a subtree (cycle-safe), delete an unused place."""

from __future__ import annotations

from typing import Any

from tests.support import GraphQLClient, Registry, operation
from tests.write_world import WORLD, changes, codes, mutate


async def within(api: GraphQLClient, code: str) -> dict[str, dict[str, Any]]:
    data = await api(operation("Places"), {"filter": {"within": code}, "first": 100})
    return {n["code"]: n for n in data["places"]["nodes"]}


async def test_create_a_place_under_a_parent_that_may_hold_it(registry: Registry) -> None:
    await registry.load(WORLD)
    api = await registry.client("admin")

    payload = await mutate(
        api, "CreatePlace", {"code": "MX-3", "kind": "BUILDING", "name": "3栋", "parent": "MX"}
    )

    assert payload["userErrors"] == []
    assert payload["place"]["parent"] == {"code": "MX"} and payload["place"]["depth"] == 3
    assert "MX-3" in await within(api, "MX")
    logged = await changes(registry, "place")
    assert logged[-1].action == "create" and logged[-1].after["code"] == "MX-3"


async def test_bad_places_are_refused(registry: Registry) -> None:
    await registry.load(WORLD)
    api = await registry.client("admin")
    before = await registry.snapshot()
    good = {"code": "MX-3", "kind": "BUILDING", "name": "3栋", "parent": "MX"}
    cases = [
        ({"parent": "CA"}, "parent", "WRONG_KIND"),
        ({"parent": "NOPE"}, "parent", "NOT_FOUND"),
        ({"parent": None}, "kind", "WRONG_KIND"),
        ({"code": "MX-1"}, "code", "DUPLICATE"),
        ({"name": ""}, "name", "INVALID"),
        ({"name": "户主 110101199003071234"}, "name", "INVALID"),
    ]
    for change, field, code in cases:
        errors = (await mutate(api, "CreatePlace", {**good, **change}))["userErrors"]
        assert [(e["field"], e["code"]) for e in errors] == [(field, code)], (change, errors)
    assert await registry.snapshot() == before


async def test_moving_a_place_moves_everything_below_it(registry: Registry) -> None:
    # Given building MX-2 with a household, in estate MX
    await registry.load(WORLD)
    api = await registry.client("admin")

    # When it moves to estate MX2 and is renamed
    payload = await mutate(
        api, "UpdatePlace", {"place": "MX-2", "parent": "MX2", "name": "二期2栋"}
    )

    # Then it and its household are found within MX2 at the right depths, and not within MX
    assert payload["userErrors"] == []
    assert payload["place"]["name"] == "二期2栋" and payload["place"]["version"] == 2
    moved = await within(api, "MX2")
    assert moved["MX-2"]["parent"] == {"code": "MX2"} and moved["MX-2"]["depth"] == 3
    assert moved["MX-2-101"]["depth"] == 4
    assert set(await within(api, "MX")) == {"MX", "MX-1", "MX-1-101"}


async def test_moves_refuse_cycles_wrong_kinds_and_stale_versions(registry: Registry) -> None:
    await registry.load(WORLD)
    api = await registry.client("admin")
    before = await registry.snapshot()
    cases = [
        ({"place": "MX", "parent": "MX-1"}, "parent", "CYCLE"),
        ({"place": "CA", "parent": "MX-1-101"}, "parent", "CYCLE"),
        ({"place": "MX", "parent": "MX"}, "parent", "CYCLE"),
        ({"place": "MX-1", "parent": "CA"}, "parent", "WRONG_KIND"),
        ({"place": "MX-1", "parent": "GONE"}, "parent", "NOT_FOUND"),
        ({"place": "MX-1", "name": "x", "expectedVersion": 9}, "expectedVersion", "STALE"),
    ]
    for given, field, code in cases:
        errors = (await mutate(api, "UpdatePlace", given))["userErrors"]
        assert [(e["field"], e["code"]) for e in errors] == [(field, code)], (given, errors)
    assert await registry.snapshot() == before


async def test_only_an_unused_place_can_be_deleted(registry: Registry) -> None:
    await registry.load(WORLD)
    api = await registry.client("admin")
    created = await mutate(
        api, "CreatePlace", {"code": "TMP", "kind": "BUILDING", "name": "误建", "parent": "MX"}
    )
    before = await registry.snapshot()

    used = await mutate(api, "DeletePlace", {"place": "MX"})
    assert codes(used["userErrors"]) == ["CONFLICT"]
    assert "places below it" in used["userErrors"][0]["message"]
    assert await registry.snapshot() == before

    done = await mutate(api, "DeletePlace", {"place": created["place"]["id"]})
    assert done["userErrors"] == [] and done["deletedPlaceId"] == created["place"]["id"]
    assert "TMP" not in await within(api, "MX")


async def test_scope_and_roles_limit_place_writes(registry: Registry) -> None:
    await registry.load(WORLD)
    organiser = await registry.client("organiser", scope="PA")
    viewer = await registry.client("viewer", scope="PA")
    before = await registry.snapshot()

    elsewhere = await mutate(organiser, "UpdatePlace", {"place": "EB", "name": "x"})
    out_of_reach = await mutate(organiser, "UpdatePlace", {"place": "MX", "parent": "CB"})
    root = await mutate(organiser, "CreatePlace", {"code": "R", "kind": "SUBDISTRICT", "name": "r"})
    read_only = await mutate(viewer, "UpdatePlace", {"place": "MX", "name": "x"})

    assert codes(elsewhere["userErrors"]) == ["NOT_FOUND"]
    assert codes(out_of_reach["userErrors"]) == ["NOT_FOUND"]
    assert codes(root["userErrors"]) == ["FORBIDDEN"]
    assert codes(read_only["userErrors"]) == ["FORBIDDEN"]
    assert await registry.snapshot() == before
    mine = await mutate(organiser, "UpdatePlace", {"place": "MX", "name": "茅溪小区"})
    assert mine["userErrors"] == []


async def test_a_scope_sees_the_members_a_move_brings_into_it_and_not_those_it_takes_out(
    registry: Registry,
) -> None:
    # Given organisers of community committees PA (渝北) and PB (海尔); M7 of branch BR3 (PB)
    # lives in 海尔1栋 (EB-1)
    await registry.load(WORLD)
    api = await registry.client("admin")
    pa, pb = (
        await registry.client("organiser", scope="PA"),
        await registry.client("organiser", scope="PB"),
    )

    async def seen(client: GraphQLClient) -> set[str]:
        data = await client(operation("Members"), {"first": 100})
        return {m["code"] for m in data["members"]["nodes"]}

    assert "M7" in await seen(pb) and "M7" not in await seen(pa)

    # When M7's building moves into estate MX (渝北), PA's territory
    moved = await mutate(api, "UpdatePlace", {"place": "EB-1", "parent": "MX"})
    assert moved["userErrors"] == []
    # Then PA sees M7 (who lives there now), and PB still does (its member)
    assert "M7" in await seen(pa) and "M7" in await seen(pb)

    # When M8 of branch BRJ (江北, no home recorded) is recorded living in EB-1's household
    home = {"member": "M8", "household": "EB-1-101"}
    assert (await mutate(api, "UpdateMember", home))["userErrors"] == []
    # Then PA sees M8 too; and when the building moves back to 海尔小区, PB sees M7 and M8,
    # and PA neither: their branches are not PA's and their home no longer lies in it
    assert "M8" in await seen(pa) and "M8" not in await seen(pb)
    assert (await mutate(api, "UpdatePlace", {"place": "EB-1", "parent": "EB"}))["userErrors"] == []
    assert {"M7", "M8"} <= await seen(pb) and not {"M7", "M8"} & await seen(pa)


async def test_a_place_scope_answers_for_the_organisations_covering_what_moves_into_it(
    registry: Registry,
) -> None:
    # Given group G1 (of branch BR1, 渝北) covering building MX-1, and estate JE of 江北
    await registry.load(WORLD)
    api = await registry.client("admin")

    async def judged_in(scope: str) -> set[str]:
        report = (await api(operation("RulesReport"), {"scope": scope}))["rulesReport"]
        return {v["organisation"]["code"] for v in report if v["organisation"]}

    assert "G1" in await judged_in("MX") and "G1" not in await judged_in("JE")

    # When the building moves into estate JE
    assert (await mutate(api, "UpdatePlace", {"place": "MX-1", "parent": "JE"}))[
        "userErrors"
    ] == []

    # Then JE's rules report judges G1, the organisation covering a place inside it now;
    # and when it moves back, JE's report no longer does
    assert "G1" in await judged_in("JE")
    assert (await mutate(api, "UpdatePlace", {"place": "MX-1", "parent": "MX"}))[
        "userErrors"
    ] == []
    assert "G1" not in await judged_in("JE")
