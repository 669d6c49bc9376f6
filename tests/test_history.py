"""History: every write lands in the change log, readable (scoped) over GraphQL, and the org
chart and coverage answer "as of" a past date — the org chart before the merge."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from registry.core import calendar
from registry.core.models import ApiToken, Change, Member, Place, PlaceSetting
from tests.support import GraphQLClient, Registry, operation
from tests.write_world import WORLD, mutate

MERGE = {"source": "BR2", "into": "BR1", "approvedBy": "PA", "approvedOn": "2025-03-01"}


async def changes(api: GraphQLClient, **variables: Any) -> dict[str, Any]:
    return (await api(operation("Changes"), variables))["changes"]


async def chart(api: GraphQLClient, root: str, as_of: str | None = None) -> dict[str, dict]:
    data = await api(operation("OrgChartAsOf"), {"root": root, "asOf": as_of, "depth": 3})
    return {node["code"]: node for node in data["orgChart"]["nodes"]}


async def test_every_write_records_who_when_what_before_and_after(registry: Registry) -> None:
    # Given the world and an organiser of the community party committee
    await registry.load(WORLD)
    api = await registry.client("organiser", scope="PA")
    async with registry.db.read() as session:
        token_id = await session.scalar(select(ApiToken.id).order_by(ApiToken.id.desc()))

    # When they make one write of every kind their scope allows
    writes = [
        ("CreatePlace", {"code": "MX-3", "parent": "MX", "kind": "BUILDING", "name": "3栋"}),
        ("UpdatePlace", {"place": "MX-3", "name": "三栋"}),
        ("DeletePlace", {"place": "MX-3"}),
        ("CreateOrganisation", {"code": "G3", "kind": "GROUP", "name": "3组", "parent": "BR1"}),
        ("UpdateOrganisation", {"organisation": "G3", "name": "第三组"}),
        ("SetCoverage", {"organisation": "G3", "cover": ["MX-2"]}),
        ("CreateMember", {"code": "M9", "name": "吴刚", "status": "PROBATIONARY",
                          "joined": "2025-01-01", "organisation": "BR1"}),
        ("UpdateMember", {"member": "M9", "phone": "13900000009"}),
        ("ConfirmMember", {"member": "M9", "on": "2026-01-02"}),
        ("TransferMember", {"member": "M9", "organisation": "BR2", "on": "2026-01-03"}),
        ("AppointOffice", {"member": "M2", "organisation": "BR1", "role": "DEPUTY_SECRETARY",
                           "start": "2024-01-01"}),
        ("DissolveOrganisation", {"organisation": "G3", "approvedBy": "BR1"}),
        ("MergeOrganisations", {**MERGE, "message": "两支部合并"}),
    ]  # fmt: skip
    for name, input in writes:
        async with registry.db.read() as session:
            last = await session.scalar(select(Change.id).order_by(Change.id.desc()).limit(1))
        payload = await mutate(api, name, input)
        assert payload["userErrors"] == [], (name, payload)

        # Then each request left change rows: one request id, the caller's token, before/after
        async with registry.db.read() as session:
            rows = list(
                await session.scalars(select(Change).where(Change.id > last).order_by(Change.id))
            )
        assert rows, f"{name} wrote nothing to the change log"
        assert {r.request_id for r in rows} == {rows[0].request_id}, name
        assert {r.token_id for r in rows} == {token_id}, name
        assert all(r.before is not None or r.after is not None for r in rows), name
        assert all(r.at is not None for r in rows), name
    merged = [r for r in rows if r.entity == "organisation" and r.action == "merged"]
    assert merged[0].message == "两支部合并"
    assert merged[0].before["status"] == "active" and merged[0].after["status"] == "merged"


async def test_changes_are_paged_scoped_and_mask_phones(registry: Registry) -> None:
    # Given a merge in community A and a phone changed in community B
    await registry.load(WORLD)
    admin = await registry.client("admin")
    assert (await mutate(admin, "MergeOrganisations", MERGE))["userErrors"] == []
    update = {"member": "M7", "phone": "13912345678"}
    assert (await mutate(admin, "UpdateMember", update))["userErrors"] == []

    # Then the history of the merged branch tells the merge, its coverage and its offices
    history = await changes(admin, object="BR2", first=100)
    actions = {(c["entity"], c["action"]) for c in history["nodes"]}
    assert {("organisation", "merged"), ("coverage", "end"), ("office", "end")} <= actions
    merged = next(c for c in history["nodes"] if c["action"] == "merged")
    assert merged["after"]["merged_into"] == "BR1" and merged["objectId"]

    # Pages follow one another without overlap, in the log's order
    everything = await changes(admin, first=1000)
    first = await changes(admin, first=3)
    rest = await changes(admin, first=1000, after=first["pageInfo"]["endCursor"])
    ids = [c["id"] for c in first["nodes"] + rest["nodes"]]
    assert ids == sorted(ids) == [c["id"] for c in everything["nodes"]]
    assert first["totalCount"] == everything["totalCount"] == len(ids)
    # `since` in the future finds nothing
    assert (await changes(admin, since="2999-01-01T00:00:00+00:00"))["totalCount"] == 0

    # An organiser of community B sees B's change, none of A's, and not the import summary
    b = await registry.client("organiser", scope="PB")
    seen = await changes(b, first=100)
    created = {c["after"]["code"] for c in seen["nodes"] if c["action"] == "create"}
    assert {"CB", "EB", "PB", "BR3", "M7"} <= created
    assert not created & {"CA", "MX", "MX-1", "PA", "BR1", "BR2", "G1", "M1", "M4"}
    assert {(c["entity"], c["entityId"]) for c in seen["nodes"] if c["action"] != "create"} == {
        ("member", next(c["entityId"] for c in everything["nodes"] if c["entity"] == "member"
                        and c["after"].get("phone") == "13912345678"))
    }  # fmt: skip
    assert await api_null(b, object="BR2") and await api_null(b, scope="PA")
    # Scoped to community A, community B's change is not there
    in_a = await changes(admin, scope="PA", first=1000)
    assert all(
        c["after"] is None or c["after"].get("phone") != "13912345678" for c in in_a["nodes"]
    )
    assert any(c["action"] == "merged" for c in in_a["nodes"])

    # A viewer sees the change with the phone masked, before and after
    viewer = await registry.client("viewer", scope="PB")
    masked = (await changes(viewer, object="M7"))["nodes"]
    update_row = next(c for c in masked if c["action"] == "update")
    assert update_row["after"]["phone"] == "139****5678"
    assert "13912345678" not in str(masked)


async def api_null(api: GraphQLClient, **variables: Any) -> bool:
    return (await api(operation("Changes"), variables))["changes"] is None


async def test_org_chart_as_of_the_day_before_the_merge(registry: Registry) -> None:
    # Given the two branches of 吉安园茅溪小区 merged on 2025-03-01
    await registry.load(WORLD)
    api = await registry.client("admin")
    before = await chart(api, "PA")
    assert (await mutate(api, "MergeOrganisations", MERGE))["userErrors"] == []

    # When the chart is asked for as of the day before the merge
    then = await chart(api, "PA", "2025-02-28")

    # Then it is the chart before the merge: BR2 active with its group, members and secretary
    assert then == before
    assert then["G2"]["parentId"] == then["BR2"]["id"]
    assert then["BR2"]["status"] == "ACTIVE" and then["BR2"]["secretary"]["code"] == "M4"
    assert (then["BR2"]["memberCount"], then["BR2"]["reportingCount"]) == (2, 1)
    assert then["BR2"]["estates"] == {"total": 2, "covered": 2, "ratio": 1.0}

    # And as of the merge day, and today, it is the chart after the merge, as served now
    now = await chart(api, "PA")
    assert "BR2" not in now and now["G2"]["parentId"] == now["BR1"]["id"]
    assert await chart(api, "PA", "2025-03-01") == now
    assert await chart(api, "PA", calendar.today().isoformat()) == now
    # Before BR2 was founded (2016-03-01) there was BR1 only, and before 2012 no PA at all
    early = await chart(api, "PA", "2015-06-01")
    assert "BR2" not in early and early["PA"]["childCount"] == 1
    assert (await api(operation("OrgChartAsOf"), {"root": "PA", "asOf": "2011-01-01"}))["orgChart"][
        "nodes"
    ] == []


async def test_a_move_is_rolled_back_in_charts_of_earlier_days(registry: Registry) -> None:
    # Given group G1 moved from BR1 to BR2 today
    await registry.load(WORLD)
    api = await registry.client("admin")
    moved = await mutate(api, "UpdateOrganisation", {"organisation": "G1", "parent": "BR2"})
    assert moved["userErrors"] == []
    yesterday = (calendar.today() - timedelta(days=1)).isoformat()
    # Then yesterday's chart has it under BR1, today's under BR2
    then, now = await chart(api, "PA", yesterday), await chart(api, "PA")
    assert then["G1"]["parentId"] == then["BR1"]["id"]
    assert now["G1"]["parentId"] == now["BR2"]["id"]
    assert then["BR1"]["descendantCount"] == 1 and now["BR1"]["descendantCount"] == 0


async def test_a_move_leaves_the_sibling_order_of_earlier_charts_as_it_was(
    registry: Registry,
) -> None:
    # Given the chart of WC as answered before branch BR1 moved (BR1 listed before BR2), and
    # the other community's committee answering for BR1's estate too
    await registry.load(WORLD)
    api = await registry.client("admin")
    await mutate(api, "SetCoverage", {"organisation": "PB", "cover": ["CA"]})
    before = list(await chart(api, "WC"))
    assert before.index("BR1") < before.index("BR2")

    # When BR1 moves under the other community's committee
    moved = await mutate(api, "UpdateOrganisation", {"organisation": "BR1", "parent": "PB"})
    assert moved["userErrors"] == []
    yesterday = (calendar.today() - timedelta(days=1)).isoformat()

    # Then the chart of a day before the move lists every organisation in the order of then
    then = [code for code in await chart(api, "WC", yesterday) if code in before]
    assert then == before


async def test_a_rename_is_rolled_back_in_charts_of_earlier_days(registry: Registry) -> None:
    # Given branch BR1 renamed today
    await registry.load(WORLD)
    api = await registry.client("admin")
    before = (await chart(api, "PA"))["BR1"]["name"]
    renamed = await mutate(api, "UpdateOrganisation", {"organisation": "BR1", "name": "新支部"})
    assert renamed["userErrors"] == []
    yesterday = (calendar.today() - timedelta(days=1)).isoformat()
    # Then yesterday's chart shows the name it had then, today's the new one
    assert (await chart(api, "PA", yesterday))["BR1"]["name"] == before != "新支部"
    assert (await chart(api, "PA"))["BR1"]["name"] == "新支部"


async def test_coverage_as_of_a_date(registry: Registry) -> None:
    # Given BR1 covering 茅溪 since 2015-03-01 and BR2 covering 茅溪二期 since 2016-03-01
    await registry.load(WORLD)
    api = await registry.client("admin")

    async def coverage(as_of: str | None) -> dict[str, Any]:
        return (await api(operation("CoverageAsOf"), {"scope": "CA", "asOf": as_of}))["coverage"]

    # Then coverage of community A grows with the branches' founding
    assert (await coverage("2014-01-01"))["estates"] == {"total": 2, "covered": 0}
    mid = await coverage("2015-06-01")
    assert mid["estates"] == {"total": 2, "covered": 1} and mid["asOf"] == "2015-06-01"
    assert [g["place"]["code"] for g in mid["gaps"]["items"] if g["kind"] ==
            "ESTATE_WITHOUT_BRANCH"] == ["MX2"]  # fmt: skip
    assert (await coverage(None))["estates"] == {"total": 2, "covered": 2}
    # Members counted as of then: only those who had joined (M4 in 1990 of M1, M2, M4 at home)
    assert (await coverage("1995-01-01"))["members"]["total"] == 1
    assert (await coverage(None))["members"]["total"] == 3

    # When BR1 stops covering 茅溪 today, yesterday's coverage still has it
    stop = {"organisation": "BR1", "uncover": ["MX"], "on": calendar.today().isoformat()}
    assert (await mutate(api, "SetCoverage", stop))["userErrors"] == []
    assert (await mutate(api, "SetCoverage", {**stop, "organisation": "BR2"}))["userErrors"] == []
    yesterday = (calendar.today() - timedelta(days=1)).isoformat()
    assert (await coverage(yesterday))["estates"] == {"total": 2, "covered": 2}
    assert (await coverage(None))["estates"] == {"total": 2, "covered": 1}


async def test_a_write_that_names_nothing_is_logged_all_the_same(registry: Registry) -> None:
    # Given the world, and a write made straight on the tables (a tool, not the API): it renames
    # a place, moves a member's household and adds a place setting, naming no change at all
    await registry.load(WORLD)
    async with registry.db.write() as session:
        estate = await session.scalar(select(Place).where(Place.code == "MX"))
        member = await session.scalar(select(Member).where(Member.code == "M2"))
        flat = await session.scalar(select(Place).where(Place.code == "EB-1-101"))
        assert estate is not None and member is not None and flat is not None
        old_name, old_home = estate.name, member.household_id
        estate.name = "明星小区（新）"
        member.household_id = flat.id
        session.add(PlaceSetting(place_id=estate.id, key="note", value="x"))

    # Then the change log holds each change, before and after, with no token
    async with registry.db.read() as session:
        last = await session.scalar(select(Change).order_by(Change.id.desc()).limit(1))
        assert last is not None
        rows = list(
            await session.scalars(select(Change).where(Change.request_id == last.request_id))
        )
    by_entity = {row.entity: row for row in rows}
    assert by_entity["place"].before["name"] == old_name
    assert by_entity["place"].after["name"] == "明星小区（新）"
    assert by_entity["member"].before["household_id"] == old_home
    assert by_entity["member"].after["household_id"] == flat.id
    # (what the writer set, not the home's path the database derives from it)
    assert "home_path" not in by_entity["member"].after
    assert by_entity["place_setting"].action == "create"
    assert by_entity["place_setting"].after == {"place_id": estate.id, "key": "note", "value": "x"}
    assert len(rows) == 3 and {row.token_id for row in rows} == {None}


def test_every_table_is_logged_or_says_why_not() -> None:
    # A new table is logged unless it is named as derived, secret or part of a parent's record.
    from registry.audit.changelog import UNAUDITED
    from registry.core.models import Base

    tables = {table.name for table in Base.metadata.sorted_tables}
    assert tables >= UNAUDITED
    assert {"place", "organisation", "member", "office", "coverage", "pairing", "task",
            "assignment", "suggestion", "affiliation"} <= tables - UNAUDITED  # fmt: skip
