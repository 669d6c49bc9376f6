"""History after creations: an organisation created, split off or formed today leaves a change
row with no "before"; the org chart as of any day still answers, for every token."""

from __future__ import annotations

from datetime import date, timedelta

from tests.support import Registry, operation
from tests.write_world import WORLD, mutate


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
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    for api in (admin, await registry.client("viewer", scope="WC")):
        for as_of in (yesterday, date.today().isoformat()):
            body = await api.post(
                operation("OrgChartAsOf"), {"root": "WC", "asOf": as_of, "depth": 3}
            )
            # Then it answers, without the organisations not yet created on that day
            assert not body.get("errors"), body["errors"]
            codes = {node["code"] for node in body["data"]["orgChart"]["nodes"]}
            assert ("G3" in codes) is (as_of != yesterday)
            assert "BR1" in codes
