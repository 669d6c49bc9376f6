"""Merging the two branches of 吉安园茅溪小区 into one, and splitting a branch: each one
transaction, refused whole on bad input."""

from __future__ import annotations

from tests.support import Registry, operation
from tests.write_world import WORLD, changes, codes, member, member_codes, mutate, organisation

MERGE = {"source": "BR2", "into": "BR1", "approvedBy": "PA", "approvedOn": "2025-03-01"}


async def test_merge_moves_members_groups_places_and_offices_and_keeps_the_source(
    registry: Registry,
) -> None:
    # Given the two unmerged branches of 吉安园茅溪小区
    await registry.load(WORLD)
    api = await registry.client("admin")

    # When the community party committee merges the second into the first
    payload = await mutate(api, "MergeOrganisations", {**MERGE, "message": "两支部合并"})

    # Then nothing is refused, and the source is closed, pointing at the survivor
    assert payload["userErrors"] == []
    merged = payload["merged"]
    assert merged["status"] == "MERGED"
    assert merged["mergedInto"] == {"code": "BR1"}
    assert merged["closedOn"] == "2025-03-01"
    assert merged["approvedBy"] == {"code": "PA"}
    # and it stays readable by its code
    source = await organisation(api, "BR2")
    assert source["status"] == "MERGED" and source["mergedInto"] == {"code": "BR1"}
    assert source["covers"]["nodes"] == [] and source["offices"]["nodes"] == []

    # Members (formal and reporting) now belong or report to the survivor, with history kept
    assert sorted(await member_codes(api, "BR1")) == ["M1", "M2", "M3", "M4", "M5", "M6"]
    assert await member_codes(api, "BR2") == []
    m6 = await member(api, "M6")
    assert m6["reportsTo"] == {"code": "BR1"} and m6["workplace"] == "重庆港务集团"

    # The group moved under the survivor (its path too: it is found within BR1)
    data = await api(operation("Organisations"), {"filter": {"within": "BR1"}, "first": 50})
    nodes = {n["code"]: n for n in data["organisations"]["nodes"]}
    assert set(nodes) == {"BR1", "G1", "G2"}
    assert nodes["G2"]["parent"] == {"code": "BR1"} and nodes["G2"]["depth"] == 3

    # Covered places moved (MX once, not twice)
    survivor = payload["survivor"]
    assert sorted(p["code"] for p in survivor["covers"]["nodes"]) == ["MX", "MX2"]

    # Open offices: the survivor keeps its secretary; the deputy continues in the survivor
    assert survivor["secretary"] == {"code": "M1"}
    m4 = await member(api, "M4")
    assert [(o["role"], o["organisation"]["code"], o["end"]) for o in m4["offices"]["nodes"]] == [
        ("SECRETARY", "BR2", "2025-03-01")
    ]
    m5 = {
        (o["role"], o["organisation"]["code"], o["end"])
        for o in (await member(api, "M5"))["offices"]["nodes"]
    }
    assert ("DEPUTY_SECRETARY", "BR2", "2025-03-01") in m5
    assert ("DEPUTY_SECRETARY", "BR1", None) in m5
    assert ("GROUP_LEADER", "G2", None) in m5  # the group itself lives on

    # Every changed row is in the change log, with the message
    logged = await changes(registry, "organisation")
    merge_row = next(c for c in logged if c.action == "merged")
    assert merge_row.message == "两支部合并"
    assert merge_row.before["status"] == "active" and merge_row.after["status"] == "merged"
    assert len([c for c in await changes(registry, "member") if c.action == "transfer"]) == 2


async def test_a_merged_branch_cannot_be_merged_again_or_written_into(registry: Registry) -> None:
    await registry.load(WORLD)
    api = await registry.client("admin")
    assert (await mutate(api, "MergeOrganisations", MERGE))["userErrors"] == []
    before = await registry.snapshot()

    again = await mutate(api, "MergeOrganisations", MERGE)
    transfer = await mutate(api, "TransferMember", {"member": "M7", "organisation": "BR2"})

    assert codes(again["userErrors"]) == ["CONFLICT"]
    assert codes(transfer["userErrors"]) == ["CONFLICT"]
    assert "merged" in transfer["userErrors"][0]["message"]
    assert await registry.snapshot() == before


async def test_bad_merges_are_refused_whole(registry: Registry) -> None:
    await registry.load(WORLD)
    api = await registry.client("admin")
    before = await registry.snapshot()
    cases = [
        ({**MERGE, "into": "BR2"}, "into", "INVALID", "itself"),
        ({**MERGE, "into": "NOPE"}, "into", "NOT_FOUND", "NOPE"),
        ({**MERGE, "into": "BRJ", "approvedBy": "WC"}, "into", "INVALID", "sub-district"),
        ({**MERGE, "into": "G1"}, "into", "WRONG_KIND", "group"),
        ({**MERGE, "into": "PB"}, "into", "WRONG_KIND", "party_committee"),
        ({**MERGE, "approvedBy": "BR1"}, "approvedBy", "INVALID", "higher organisation"),
        ({**MERGE, "into": "BR3", "approvedBy": "PA"}, "approvedBy", "INVALID", "BR3"),
        ({**MERGE, "approvedOn": "2025-02-30"}, "approvedOn", "INVALID", "YYYY-MM-DD"),
        ({**MERGE, "approvedOn": "yesterday"}, "approvedOn", "INVALID", "YYYY-MM-DD"),
        ({**MERGE, "expectedVersion": 7}, "expectedVersion", "STALE", "version"),
    ]
    for given, field, code, words in cases:
        errors = (await mutate(api, "MergeOrganisations", given))["userErrors"]
        assert [(e["field"], e["code"]) for e in errors] == [(field, code)], (given, errors)
        assert words in errors[0]["message"], (given, errors)
    # Across communities but within the sub-district, approved by the working committee: fine.
    assert await registry.snapshot() == before


async def test_a_scoped_organiser_cannot_merge_with_another_community(registry: Registry) -> None:
    await registry.load(WORLD)
    organiser = await registry.client("organiser", scope="PA")
    viewer = await registry.client("viewer", scope="WC")
    before = await registry.snapshot()

    across = await mutate(
        organiser, "MergeOrganisations", {**MERGE, "into": "BR3", "approvedBy": "WC"}
    )
    seen = await mutate(viewer, "MergeOrganisations", MERGE)

    assert codes(across["userErrors"]) == ["NOT_FOUND"]
    assert codes(seen["userErrors"]) == ["FORBIDDEN"]
    assert await registry.snapshot() == before
    # Within its own community, approved by the sub-district above it, the organiser may merge.
    done = await mutate(organiser, "MergeOrganisations", {**MERGE, "approvedBy": "WC"})
    assert done["userErrors"] == [] and done["merged"]["status"] == "MERGED"
    # (the approving sub-district lies above the organiser's scope, so only an admin sees it)
    admin = await registry.client("admin")
    assert (await organisation(admin, "BR2"))["approvedBy"] == {"code": "WC"}


SPLIT = {
    "source": "BR1",
    "approvedBy": "PA",
    "approvedOn": "2025-04-01",
    "into": [
        {"code": "BR1A", "name": "茅溪一支部（东）", "members": ["M1", "M3"],
         "groups": ["G1"], "covers": ["MX"]},
        {"code": "BR1B", "name": "茅溪一支部（西）", "members": ["M2"]},
    ],
}  # fmt: skip


async def test_split_moves_what_is_listed_and_closes_the_source(registry: Registry) -> None:
    await registry.load(WORLD)
    api = await registry.client("admin")

    payload = await mutate(api, "SplitOrganisation", SPLIT)

    assert payload["userErrors"] == []
    assert payload["source"]["status"] == "DISSOLVED"
    assert payload["source"]["closedOn"] == "2025-04-01"
    created = {o["code"]: o for o in payload["created"]}
    assert set(created) == {"BR1A", "BR1B"}
    assert created["BR1A"]["parent"] == {"code": "PA"} and created["BR1A"]["kind"] == "BRANCH"
    assert created["BR1A"]["approvedBy"] == {"code": "PA"}
    assert created["BR1A"]["covers"]["nodes"] == [{"code": "MX"}]
    assert sorted(await member_codes(api, "BR1A")) == ["M1", "M3"]
    assert await member_codes(api, "BR1B") == ["M2"]
    data = await api(operation("Organisations"), {"filter": {"within": "BR1A"}})
    assert {n["code"] for n in data["organisations"]["nodes"]} == {"BR1A", "G1"}
    # The old secretary's term ended; the new branches elect their own.
    m1 = await member(api, "M1")
    ended = [(o["organisation"]["code"], o["end"]) for o in m1["offices"]["nodes"]]
    assert ended == [("BR1", "2025-04-01")]


async def test_a_split_that_would_orphan_members_is_refused(registry: Registry) -> None:
    await registry.load(WORLD)
    api = await registry.client("admin")
    before = await registry.snapshot()
    orphaning = {**SPLIT, "into": [SPLIT["into"][0], {"code": "BR1B", "name": "西"}]}

    refused = await mutate(api, "SplitOrganisation", orphaning)
    twice = await mutate(
        api,
        "SplitOrganisation",
        {**SPLIT, "into": [SPLIT["into"][0], {"code": "BR1B", "name": "西", "members": ["M1"]}]},
    )
    stranger = await mutate(
        api,
        "SplitOrganisation",
        {**SPLIT, "keepSource": True, "into": [{"code": "X", "name": "x", "members": ["M7"]}]},
    )

    # A problem found half-way through the writes (the second name) undoes the first part too.
    unnamed = await mutate(
        api,
        "SplitOrganisation",
        {**SPLIT, "into": [SPLIT["into"][0], {**SPLIT["into"][1], "name": " "}]},
    )

    assert codes(refused["userErrors"]) == ["CONFLICT"]
    assert "M2" in refused["userErrors"][0]["message"]
    assert codes(twice["userErrors"]) == ["DUPLICATE"]
    assert codes(stranger["userErrors"]) == ["INVALID"]
    assert [(e["field"], e["code"]) for e in unnamed["userErrors"]] == [("into[1].name", "INVALID")]
    assert await registry.snapshot() == before


async def test_split_keeping_the_source_moves_only_the_listed(registry: Registry) -> None:
    await registry.load(WORLD)
    api = await registry.client("admin")

    payload = await mutate(
        api,
        "SplitOrganisation",
        {
            **SPLIT,
            "keepSource": True,
            "into": [{"code": "BR1C", "name": "新支部", "members": ["M2"]}],
        },
    )

    assert payload["userErrors"] == []
    assert payload["source"]["status"] == "ACTIVE"
    assert sorted(await member_codes(api, "BR1")) == ["M1", "M3"]
    assert await member_codes(api, "BR1C") == ["M2"]
