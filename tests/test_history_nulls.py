"""History after creations: an organisation created, split off or formed today leaves a change
row with no "before"; the org chart as of any day still answers, for every token."""

from __future__ import annotations

from datetime import timedelta

from registry.core import calendar
from tests.support import Registry, operation
from tests.write_world import WORLD, mutate, organisation


async def test_the_chart_as_of_yesterday_answers_after_a_create_split_and_functional_form(
    registry: Registry,
) -> None:
    # Given the world, a new group, a branch split in two, and today's change log
    await registry.load(WORLD)
    admin = await registry.client("admin")
    created = await mutate(
        admin, "CreateOrganisation",
        {"code": "G3", "kind": "GROUP", "name": "3组", "parent": "BR1"},
    )  # fmt: skip
    assert created["userErrors"] == []
    split = await mutate(
        admin, "SplitOrganisation",
        {"source": "BR2", "approvedBy": "PA",
         "keepSource": True,
         "into": [{"code": "BR2A", "name": "茅溪第二支部甲", "members": ["M4"]}]},
    )  # fmt: skip
    assert split["userErrors"] == [], split

    # When anyone asks for the chart as it stood yesterday and today
    yesterday = (calendar.today() - timedelta(days=1)).isoformat()
    for api in (admin, await registry.client("viewer", scope="WC")):
        for as_of in (yesterday, calendar.today().isoformat()):
            body = await api.post(
                operation("OrgChartAsOf"), {"root": "WC", "asOf": as_of, "depth": 3}
            )
            # Then it answers, without the organisations not yet created on that day
            assert not body.get("errors"), body["errors"]
            codes = {node["code"] for node in body["data"]["orgChart"]["nodes"]}
            assert ("G3" in codes) is (as_of != yesterday)
            assert "BR1" in codes


async def test_the_chart_before_an_import_shows_the_parents_and_reporting_of_then(
    registry: Registry,
) -> None:
    # Given the world, and a second import that moves a branch to another community committee
    # (giving up its estate there: a branch covers only inside its committee's territory)
    await registry.load(WORLD)
    await registry.load(
        {
            "organisations": [
                {"code": "BR3", "parent": "PA", "kind": "branch", "name": "海尔支部",
                 "covers": ""},
            ],
        }
    )  # fmt: skip
    admin = await registry.client("admin")
    yesterday = (calendar.today() - timedelta(days=1)).isoformat()

    async def parents(as_of: str | None) -> dict[str, str | None]:
        data = await admin(operation("OrgChartAsOf"), {"root": "WC", "asOf": as_of, "depth": 3})
        nodes = data["orgChart"]["nodes"]
        code_of = {node["id"]: node["code"] for node in nodes}
        return {node["code"]: code_of.get(node["parentId"]) for node in nodes}

    # Then the chart as of yesterday has the branch under its old committee, today's under the new
    assert (await parents(yesterday))["BR3"] == "PB"
    assert (await parents(None))["BR3"] == "PA"

    # And the change log tells the branch's own story, the move included
    history = await admin(
        "query($o: String!) { changes(object: $o) { nodes { action before after } } }",
        {"o": "BR3"},
    )
    actions = [node["action"] for node in history["changes"]["nodes"]]
    assert actions[0] == "create" and "update" in actions


async def test_change_snapshots_name_references_by_code_and_hide_what_is_out_of_scope(
    registry: Registry,
) -> None:
    # Given a branch of community A moved under community B's committee, and back again (having
    # given up its estates first: a branch covers only inside its committee's territory)
    await registry.load(WORLD)
    admin = await registry.client("admin")
    covers = (await organisation(admin, "BR2"))["covers"]["nodes"]
    uncovered = await mutate(
        admin, "SetCoverage", {"organisation": "BR2", "uncover": [p["code"] for p in covers]}
    )
    assert uncovered["userErrors"] == [], uncovered
    for parent in ("PB", "PA"):
        moved = await mutate(admin, "UpdateOrganisation", {"organisation": "BR2", "parent": parent})
        assert moved["userErrors"] == [], moved

    # When an organiser of community A reads the branch's history
    organiser = await registry.client("organiser", scope="PA")
    query = "query($o: String!) { changes(object: $o) { nodes { action before after } } }"
    nodes = (await organiser(query, {"o": "BR2"}))["changes"]["nodes"]
    updates = [node for node in nodes if node["action"] == "update"]

    # Then references are codes, B's committee is null, and no internal id or path is shown
    assert [(u["before"]["parent"], u["after"]["parent"]) for u in updates] == [
        ("PA", None), (None, "PA"),
    ]  # fmt: skip
    for node in nodes:
        for values in (node["before"], node["after"]):
            assert not any(key.endswith("_id") or key == "path" for key in values or {})
    # And an admin sees both committees by code
    nodes = (await admin(query, {"o": "BR2"}))["changes"]["nodes"]
    assert [n["after"]["parent"] for n in nodes if n["action"] == "update"] == ["PB", "PA"]


async def test_odd_moments_and_cursors_of_the_change_log_get_coded_answers(
    registry: Registry,
) -> None:
    # Given a registry with a change log
    await registry.load(WORLD)
    admin = await registry.client("admin")
    query = "query($s: DateTime, $a: String) { changes(since: $s, after: $a) { totalCount } }"

    # When `since` is at the ends of time, with or without a zone, the log answers
    for since in ("0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00", "9999-12-31T23:59:59-12:00",
                  "2000-01-01T00:00:00+05:45"):  # fmt: skip
        body = await admin.post(query, {"s": since})
        assert not body.get("errors"), (since, body)
        assert body["data"]["changes"]["totalCount"] == (0 if since.startswith("9999") else
                                                         body["data"]["changes"]["totalCount"])
    everything = (await admin(query, {"s": "0001-01-01T00:00:00+14:00"}))["changes"]
    assert everything["totalCount"] > 0

    # And a cursor that is not one of the log's is refused as such, never INTERNAL
    import base64

    for key in ("k:²", "k:99999999999999999999", "k:2147483648", "k:-1", "garbage"):
        cursor = base64.b64encode(key.encode()).decode()
        body = await admin.post(query, {"a": cursor})
        codes = {e["extensions"]["code"] for e in body.get("errors", [])}
        assert codes <= {"BAD_INPUT"} and "INTERNAL" not in codes, (key, body)
