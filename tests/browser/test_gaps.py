"""Acting on gaps in a real browser (headless Chromium) on the Cuntan demo: from a coverage's
gaps, by keyboard, a building without a group shows who lives there and is given an existing
group or a new one; an estate without a branch is covered by an existing branch or gets a new
one. Each gap is checked closed in the registry."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Page

from tests.browser.conftest import Demo, shot, sign_in
from tests.browser.test_console import cells, coverage

ESTATE = "CT-BS-JAMX"
COMMUNITY = "CT-BS"
PLACE = """query($code: String!) { place(code: $code) { coveredBy { nodes { code kind } }
  residents { totalCount } } }"""
CREATE_PLACE = """mutation($input: CreatePlaceInput!) { createPlace(input: $input) {
  userErrors { code } } }"""


async def gaps(demo: Demo, scope: str, kind: str) -> list[str]:
    report = await coverage(demo, scope)
    return [g["place"]["code"] for g in report["gaps"]["items"] if g["kind"] == kind]


async def ask(demo: Demo, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    return await demo.api(demo.admin)(query, variables)


async def place(demo: Demo, code: str) -> dict[str, Any]:
    return (await demo.api(demo.admin)(PLACE, {"code": code}))["place"]


async def open_gap_by_keyboard(page: Page, scope: str, code: str) -> None:
    """From the coverage of `scope`, reach the gap's link with the keyboard and follow it."""
    await page.goto(f"/console#/coverage/{scope}")
    await page.wait_for_selector("#view[data-ready=coverage]")
    rows = page.locator("[data-table=coverage-gaps] tbody tr")
    links = page.locator("[data-table=coverage-gaps] tbody tr a[href][data-gap-link]")
    assert await links.count() == await rows.count() > 0  # every gap row has its link
    link = page.locator(f"[data-gap-link='{code}']")
    await link.focus()
    assert await link.evaluate("e => e === document.activeElement && e.tabIndex === 0")
    await page.keyboard.press("Enter")
    await page.wait_for_selector(f"#view[data-ready=gap] h2[data-gap='{code}']")


async def closed(page: Page, text: str) -> None:
    note = page.locator("[data-role=done]", has_text=text)
    await note.wait_for()
    assert await note.evaluate("e => e === document.activeElement")
    assert await page.locator("[data-role=gap-state][data-closed]").is_visible()


async def test_a_building_without_a_group_is_given_an_existing_group(
    page: Page, demo: Demo
) -> None:
    open_gaps = await gaps(demo, ESTATE, "BUILDING_WITHOUT_GROUP")
    building = open_gaps[0]
    covered = (await coverage(demo, ESTATE))["buildings"]["covered"]
    await sign_in(page, demo.admin)

    await open_gap_by_keyboard(page, ESTATE, building)

    shown = await cells(page, "gap-residents", "code")
    assert len(shown) == (await place(demo, building))["residents"]["totalCount"]
    choice = page.locator("[data-form=assign-group] select[name=organisation]")
    group = await choice.input_value()
    assert group.startswith("CT-BS-JAMX-ZB")
    await shot(page, "40-gap-building")

    await page.click("[data-form=assign-group] button[type=submit]")

    await closed(page, f"由党小组 {group} 覆盖")
    assert {"code": group, "kind": "GROUP"} in (await place(demo, building))["coveredBy"]["nodes"]
    assert building not in await gaps(demo, ESTATE, "BUILDING_WITHOUT_GROUP")
    assert (await coverage(demo, ESTATE))["buildings"]["covered"] == covered + 1
    await shot(page, "41-gap-building-closed")


async def test_a_building_without_a_group_gets_a_new_group_with_members_and_a_leader(
    page: Page, demo: Demo
) -> None:
    # Given a building without a group where members of a branch of the estate live
    residents = """query($code: String!) { place(code: $code) { residents(first: 100) {
      nodes { code organisation { code kind } } } } }"""
    branches = {"CT-BS-JAMX-ZB1", "CT-BS-JAMX-ZB2"}
    for building in await gaps(demo, ESTATE, "BUILDING_WITHOUT_GROUP"):
        living = (await ask(demo, residents, {"code": building}))["place"]["residents"]["nodes"]
        ours = [m for m in living if (m["organisation"] or {}).get("code") in branches]
        if len(ours) >= 2:
            break
    else:
        raise AssertionError("no building without a group has two branch members living in it")
    branch = ours[0]["organisation"]["code"]
    ours = [m for m in ours if m["organisation"]["code"] == branch][:2]
    await sign_in(page, demo.admin)
    await open_gap_by_keyboard(page, ESTATE, building)

    form = "[data-form=create-group]"
    mutations: list[str] = []
    page.on(
        "request",
        lambda r: mutations.append(r.post_data or "")
        if r.method == "POST" and "mutation" in (r.post_data or "")
        else None,
    )
    # A group of the other branch cannot hold them: refused beside the members, nothing written
    other = (branches - {branch}).pop()
    await page.select_option(f"{form} [name=parent]", other)
    code = f"{branch}-G77"
    await page.fill(f"{form} [name=code]", code)
    for member in ours:
        await page.check(f"{form} [data-checks=members] input[value='{member['code']}']")
    await page.select_option(f"{form} [name=leader]", ours[0]["code"])
    await page.click(f"{form} button[type=submit]")

    refused = page.locator(f"{form} [data-error-for=members] [data-reason=GROUP_NOT_OWN]")
    await refused.wait_for()
    assert "不是" in await refused.inner_text()
    organisation = """query($code: String!) { organisation(code: $code) { code } }"""
    assert (await ask(demo, organisation, {"code": code}))["organisation"] is None
    assert building in await gaps(demo, ESTATE, "BUILDING_WITHOUT_GROUP")

    # In their own branch's group they are placed, the leader appointed: one mutation
    mutations.clear()
    await page.select_option(f"{form} [name=parent]", branch)
    await page.click(f"{form} button[type=submit]")

    await closed(page, "编入党员 2 名")
    assert len(mutations) == 1 and "ConsoleCreateOrganisation" in mutations[0]
    assert {"code": code, "kind": "GROUP"} in (await place(demo, building))["coveredBy"]["nodes"]
    assert building not in await gaps(demo, ESTATE, "BUILDING_WITHOUT_GROUP")
    group = """query($code: String!) { organisation(code: $code) {
      members { nodes { code } } offices { nodes { role member { code } } } } }"""
    held = (await ask(demo, group, {"code": code}))["organisation"]
    assert {m["code"] for m in held["members"]["nodes"]} == {m["code"] for m in ours}
    leader = {"role": "GROUP_LEADER", "member": {"code": ours[0]["code"]}}
    assert held["offices"]["nodes"] == [leader]


async def test_an_estate_without_a_branch_gets_one_new_or_existing(page: Page, demo: Demo) -> None:
    for code, name in (("CT-BS-XY", "新苑小区"), ("CT-BS-HY", "和园小区")):
        estate = {"code": code, "kind": "ESTATE", "name": name, "parent": COMMUNITY}
        answer = await demo.api(demo.admin)(CREATE_PLACE, {"input": estate})
        assert answer["createPlace"]["userErrors"] == []
    assert {"CT-BS-XY", "CT-BS-HY"} <= set(await gaps(demo, COMMUNITY, "ESTATE_WITHOUT_BRANCH"))
    await sign_in(page, demo.admin)

    await open_gap_by_keyboard(page, COMMUNITY, "CT-BS-XY")
    assert await page.locator("[data-form=create-branch] [name=parent]").input_value() == "CT-BS-DW"
    await shot(page, "42-gap-estate")
    await page.click("[data-form=create-branch] button[type=submit]")

    await closed(page, "已关闭缺口：新建 新苑小区党支部")
    branch = {"code": "CT-BS-XY-ZB", "kind": "BRANCH"}
    assert branch in (await place(demo, "CT-BS-XY"))["coveredBy"]["nodes"]

    await open_gap_by_keyboard(page, COMMUNITY, "CT-BS-HY")
    await page.select_option("[data-form=assign-branch] select[name=organisation]", "CT-BS-XY-ZB")
    await page.click("[data-form=assign-branch] button[type=submit]")

    await closed(page, "和园小区 由党支部 CT-BS-XY-ZB 覆盖")
    assert branch in (await place(demo, "CT-BS-HY"))["coveredBy"]["nodes"]
    remaining = await gaps(demo, COMMUNITY, "ESTATE_WITHOUT_BRANCH")
    assert "CT-BS-XY" not in remaining and "CT-BS-HY" not in remaining
