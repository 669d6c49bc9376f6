"""Editing the registry in a real browser (headless Chromium) on the Cuntan demo, as an organiser
does it: places and organisations created, renamed and moved; coverage and offices; members
registered, edited, transferred and confirmed; the two branches of 吉安园茅溪小区 merged after a
preview; a branch split and dissolved. Every path is checked in the registry through the API;
refusals show beside their field in Chinese, and a form loaded before someone else's change
says so and reloads.

The tests share one registry and build on each other, in the order written."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Page, expect

from tests.browser.conftest import Demo, shot, sign_in

ESTATE = "CT-BS-JAMX"
ZB1, ZB2 = "CT-BS-JAMX-ZB1", "CT-BS-JAMX-ZB2"

PLACE = """query($code: String!) { place(code: $code) { code name version parent { code }
  coveredBy { nodes { code } } } }"""
ORGANISATION = """query($code: String!) { organisation(code: $code) { code name kind status version
  closedOn parent { code } mergedInto { code } approvedBy { code } covers { nodes { code } }
  offices { nodes { role member { code } } }
  members(first: 100) { totalCount nodes { id code name status organisation { code } workplace
    reportsTo { code } phone skills fullOn group { code } } }
  groups { totalCount nodes { code } } } }"""


async def place(demo: Demo, code: str) -> dict[str, Any] | None:
    return (await demo.api(demo.admin)(PLACE, {"code": code}))["place"]


async def organisation(demo: Demo, code: str) -> dict[str, Any] | None:
    return (await demo.api(demo.admin)(ORGANISATION, {"code": code}))["organisation"]


async def open_edit(page: Page, path: str) -> None:
    await page.goto(f"/console#/edit/{path}")
    await page.wait_for_selector("#view[data-ready=edit]")


async def fill(page: Page, form: str, values: dict[str, str]) -> None:
    for name, value in values.items():
        field = page.locator(f"[data-form={form}] [name={name}]")
        if await field.evaluate("e => e.tagName") == "SELECT":
            await field.select_option(value)
        else:
            await field.fill(value)


async def submit(page: Page, form: str) -> None:
    await page.click(f"[data-form={form}] button[type=submit]")


async def done(page: Page, text: str) -> None:
    """The write's confirmation says `text` and holds the focus."""
    note = page.locator("[data-role=done]", has_text=text)
    await note.wait_for()
    await page.wait_for_function("document.activeElement?.dataset.role === 'done'")
    assert text in await page.evaluate("document.activeElement.textContent")


async def test_a_place_is_created_renamed_and_moved(page: Page, demo: Demo) -> None:
    await sign_in(page, demo.admin)
    await open_edit(page, f"place/{ESTATE}")

    await fill(page, "create-place", {"kind": "BUILDING", "code": f"{ESTATE}-B99", "name": "99栋"})
    await submit(page, "create-place")

    await done(page, "已创建：99栋")
    assert await page.locator(f"h2[data-edit='{ESTATE}-B99']").is_visible()
    created = await place(demo, f"{ESTATE}-B99")
    assert created and created["name"] == "99栋" and created["parent"]["code"] == ESTATE

    await fill(page, "update-place", {"name": "99号楼"})
    await submit(page, "update-place")

    await done(page, "已保存：99号楼")
    renamed = await place(demo, f"{ESTATE}-B99")
    assert renamed and renamed["name"] == "99号楼" and renamed["version"] > created["version"]

    await fill(page, "update-place", {"parent": "CT-BS-GCJY"})
    await submit(page, "update-place")

    await done(page, "已保存：99号楼")
    moved = await place(demo, f"{ESTATE}-B99")
    assert moved and moved["parent"]["code"] == "CT-BS-GCJY"
    await fill(page, "update-place", {"parent": ESTATE})
    await submit(page, "update-place")
    await done(page, "已保存：99号楼")
    assert (await place(demo, f"{ESTATE}-B99"))["parent"]["code"] == ESTATE


async def test_a_refusal_is_shown_beside_its_field_in_chinese(page: Page, demo: Demo) -> None:
    await sign_in(page, demo.admin)
    await open_edit(page, f"place/{ESTATE}")

    await fill(page, "create-place", {"parent": "CT-NOWHERE", "code": "CT-X1", "name": "无处"})
    await submit(page, "create-place")

    beside = page.locator("[data-form=create-place] [data-error-for=parent]")
    await beside.locator("[data-code=NOT_FOUND]").wait_for()
    assert await beside.inner_text() == "在您的范围内找不到地域 CT-NOWHERE"
    assert await page.locator("[data-form=create-place] [name=parent]").get_attribute(
        "aria-invalid"
    ) == "true"
    assert await place(demo, "CT-X1") is None
    await shot(page, "20-edit-refused")


async def test_a_group_is_created_covers_a_building_gets_a_leader_and_moves(
    page: Page, demo: Demo
) -> None:
    await sign_in(page, demo.admin)
    await page.click("[data-role=details] [data-role=to-edit]")  # from the chart's box
    await page.wait_for_selector("#view[data-ready=edit] h2[data-edit=CT-DGW]")
    await open_edit(page, f"org/{ZB1}")
    leader = (await organisation(demo, ZB1))["members"]["nodes"][0]

    await fill(
        page,
        "create-organisation",
        {"kind": "GROUP", "code": f"{ZB1}-G99", "name": "99号楼党小组", "covers": f"{ESTATE}-B99"},
    )
    await submit(page, "create-organisation")

    await done(page, "已创建：99号楼党小组")
    group = await organisation(demo, f"{ZB1}-G99")
    assert group and group["kind"] == "GROUP" and group["parent"]["code"] == ZB1
    assert group["covers"]["nodes"] == [{"code": f"{ESTATE}-B99"}]

    await fill(page, "set-coverage", {"cover": f"{ESTATE}-B99-U1；"})
    await submit(page, "set-coverage")
    beside = page.locator("[data-form=set-coverage] [data-error-for=cover]")
    await beside.wait_for()
    await fill(page, "set-coverage", {"cover": ""})
    await page.check(f"[data-form=set-coverage] [data-checks=uncover] input[value='{ESTATE}-B99']")
    await submit(page, "set-coverage")
    await done(page, "现覆盖 0 处")
    assert (await organisation(demo, f"{ZB1}-G99"))["covers"]["nodes"] == []

    await fill(page, "set-coverage", {"cover": f"{ESTATE}-B99"})
    await submit(page, "set-coverage")
    await done(page, "现覆盖 1 处")

    # A leader in another group is refused beside the member: move them into this group first
    await fill(page, "appoint-office", {"member": leader["code"], "role": "GROUP_LEADER"})
    await submit(page, "appoint-office")
    beside = page.locator("[data-form=appoint-office] [data-error-for=member] [data-code=CONFLICT]")
    await beside.wait_for()
    assert "属于另一个党小组" in await beside.inner_text()

    await open_edit(page, f"member/{leader['id']}")
    await fill(page, "update-member", {"group": f"{ZB1}-G99"})
    await submit(page, "update-member")
    await done(page, f"已保存：{leader['name']}")
    assert await page.locator("[data-role=group]").inner_text() == f"99号楼党小组（{ZB1}-G99）"
    await page.click("[data-role=group]")
    await page.wait_for_selector(f"h2[data-edit='{ZB1}-G99']")

    await fill(page, "appoint-office", {"member": leader["code"], "role": "GROUP_LEADER"})
    await submit(page, "appoint-office")

    await done(page, f"已任命：{leader['name']} 为组长")
    offices = (await organisation(demo, f"{ZB1}-G99"))["offices"]["nodes"]
    assert offices == [{"role": "GROUP_LEADER", "member": {"code": leader["code"]}}]
    assert leader["name"] in await page.locator("[data-role=offices]").inner_text()

    await submit(page, "end-office")
    await done(page, "已结束任期：组长")
    assert (await organisation(demo, f"{ZB1}-G99"))["offices"]["nodes"] == []

    await fill(page, "update-organisation", {"parent": ZB2})
    await submit(page, "update-organisation")
    await done(page, "已保存：99号楼党小组")
    assert (await organisation(demo, f"{ZB1}-G99"))["parent"]["code"] == ZB2


async def test_a_member_is_registered_edited_transferred_and_confirmed(
    page: Page, demo: Demo
) -> None:
    await sign_in(page, demo.admin)
    await open_edit(page, f"org/{ZB1}")

    await fill(
        page,
        "create-member",
        {
            "code": "M900001",
            "name": "测试党员",
            "status": "PROBATIONARY",
            "gender": "FEMALE",
            "joined": "2025-03-01",
            "household": f"{ESTATE}-B02-U2-702",
        },
    )
    await submit(page, "create-member")

    await done(page, "已创建：测试党员")
    await page.wait_for_selector("h2[data-edit=M900001]")
    members = {m["code"]: m for m in (await organisation(demo, ZB1))["members"]["nodes"]}
    assert members["M900001"]["status"] == "PROBATIONARY"

    await fill(page, "update-member", {"phone": "13900000001", "skills": "law、publicity"})
    await submit(page, "update-member")
    await done(page, "已保存：测试党员")
    members = {m["code"]: m for m in (await organisation(demo, ZB1))["members"]["nodes"]}
    assert members["M900001"]["phone"] == "13900000001"
    assert members["M900001"]["skills"] == ["law", "publicity"]

    await fill(page, "confirm-member", {"on": "2026-03-01"})
    await submit(page, "confirm-member")
    await done(page, "已转正：测试党员，2026-03-01")
    assert await page.locator("[data-role=status]").inner_text() == "正式"

    await fill(page, "transfer-member", {"organisation": ZB2})
    await submit(page, "transfer-member")
    await done(page, "已转接：测试党员 → 吉安园茅溪小区第二党支部")
    moved = {m["code"]: m for m in (await organisation(demo, ZB2))["members"]["nodes"]}
    assert moved["M900001"]["status"] == "FULL" and moved["M900001"]["fullOn"] == "2026-03-01"
    assert "M900001" not in {m["code"] for m in (await organisation(demo, ZB1))["members"]["nodes"]}
    await shot(page, "21-edit-member", full_page=True)


async def test_an_in_service_member_is_registered_with_workplace_and_reporting(
    page: Page, demo: Demo
) -> None:
    await sign_in(page, demo.admin)
    await open_edit(page, "")

    await fill(
        page,
        "create-member",
        {
            "code": "M900002",
            "name": "在职测试",
            "status": "FULL",
            "workplace": "重庆市江北区某局",
            "reportsTo": "CT-BS-DW",
            "reportedOn": "2024-05-01",
            "household": f"{ESTATE}-B03-U1-101",
        },
    )
    await submit(page, "create-member")

    await done(page, "已创建：在职测试")
    assert await page.locator("[data-role=reported-on]").inner_text() == "2024-05-01"
    living = """query($code: String!) { place(code: $code) { residents(first: 100) {
      nodes { code workplace inService reportedOn reportsTo { code }
        organisation { code } } } } }"""
    home = {"code": f"{ESTATE}-B03-U1-101"}
    nodes = (await demo.api(demo.admin)(living, home))["place"]["residents"]["nodes"]
    found = {m["code"]: m for m in nodes}["M900002"]
    assert found["workplace"] == "重庆市江北区某局" and found["reportsTo"] == {"code": "CT-BS-DW"}
    assert found["inService"] and found["reportedOn"] == "2024-05-01"
    assert found["organisation"] is None


async def test_a_form_loaded_before_someone_elses_change_says_so_and_reloads(
    page: Page, demo: Demo
) -> None:
    await sign_in(page, demo.admin)
    await open_edit(page, f"org/{ZB1}")
    rename = """mutation($input: UpdateOrganisationInput!) { updateOrganisation(input: $input) {
      organisation { name } userErrors { code } } }"""
    answer = await demo.api(demo.admin)(
        rename, {"input": {"organisation": ZB1, "name": "吉安园茅溪小区党支部"}}
    )
    assert answer["updateOrganisation"]["userErrors"] == []

    await fill(page, "update-organisation", {"name": "吉安园茅溪小区第一党支部（改）"})
    await submit(page, "update-organisation")

    stale = page.locator("[data-form=update-organisation] [data-code=STALE]")
    await stale.wait_for()
    assert "已被他人修改" in await stale.inner_text()
    assert (await organisation(demo, ZB1))["name"] == "吉安园茅溪小区党支部"
    await shot(page, "22-edit-stale")

    await page.click("[data-form=update-organisation] [data-role=reload]")

    name = page.locator("[data-form=update-organisation] [name=name]")
    await expect(name).to_have_value("吉安园茅溪小区党支部")


async def test_the_two_cuntan_branches_are_merged_after_a_preview(page: Page, demo: Demo) -> None:
    before_into = await organisation(demo, ZB1)
    before_source = await organisation(demo, ZB2)
    members = before_into["members"]["totalCount"] + before_source["members"]["totalCount"]
    groups = before_into["groups"]["totalCount"] + before_source["groups"]["totalCount"]
    await sign_in(page, demo.admin)
    # The chart has drawn the branch about to be merged
    await page.fill("input[name=search]", "吉安园茅溪小区第二党支部")
    await page.click("form.search button[type=submit]")
    await page.wait_for_selector(f"[data-role=chart][data-focus='{ZB2}']")
    assert await page.locator(f"[data-role=outline] li[data-code='{ZB2}']").count() == 1
    await page.click("[data-role=details] [data-role=to-edit]")  # within the page, no reload
    await page.wait_for_selector(f"#view[data-ready=edit] h2[data-edit='{ZB2}']")

    await fill(page, "merge", {"into": ZB2, "approvedBy": "CT-DGW"})
    await submit(page, "merge")
    await page.click("[data-form=merge] [data-role=confirm]")
    beside = page.locator("[data-form=merge] [data-error-for=into]")
    await beside.wait_for()
    assert "不能合并到自身" in await beside.inner_text()

    await fill(page, "merge", {"into": ZB1, "message": "两个党支部优化合并为一个党支部"})
    await submit(page, "merge")

    preview = page.locator("[data-role=merge-preview]")
    await preview.wait_for()
    shown = await preview.locator("tr[data-code=members] td[data-key=value]").inner_text()
    assert shown == f"{before_source['members']['totalCount']} → {members}"
    assert (await organisation(demo, ZB2))["status"] == "ACTIVE"
    await shot(page, "23-edit-merge-preview")

    await page.click("[data-form=merge] [data-role=confirm]")

    await done(page, f"现有党员 {members} 名、党小组 {groups} 个")
    await page.wait_for_selector(f"h2[data-edit='{ZB1}']")
    merged = await organisation(demo, ZB2)
    assert merged["status"] == "MERGED" and merged["mergedInto"] == {"code": ZB1}
    assert merged["approvedBy"] == {"code": "CT-DGW"}
    survivor = await organisation(demo, ZB1)
    assert survivor["members"]["totalCount"] == members
    assert survivor["groups"]["totalCount"] == groups
    await shot(page, "24-edit-merged")

    # and, shown again after the merge, no longer holds it: it is drawn from the registry anew
    await page.click("[data-tab=chart]")
    await page.wait_for_selector("#view[data-ready=chart] [data-role=outline] li[data-code]")
    assert await page.locator(f"[data-role=outline] li[data-code='{ZB2}']").count() == 0


async def test_a_branch_is_split_off_then_dissolved(page: Page, demo: Demo) -> None:
    await sign_in(page, demo.admin)
    await open_edit(page, f"org/{ZB1}")
    covers = (await organisation(demo, ZB1))["covers"]["nodes"]
    assert len(covers) >= 1

    # A code already taken is refused beside the new code, in Chinese, and nothing is split
    await fill(page, "split", {"code": ZB2, "name": "吉安园茅溪小区临时党支部"})
    await submit(page, "split")
    await page.click("[data-form=split] [data-role=confirm]")
    beside = page.locator("[data-form=split] [data-error-for=code]")
    await beside.locator("[data-code]").wait_for()
    assert f"编码 {ZB2} 已被使用" in await beside.inner_text()

    await fill(page, "split", {"code": "CT-BS-JAMX-ZB9"})
    await page.check(f"[data-form=split] [data-checks=covers] input[value='{covers[0]['code']}']")
    await submit(page, "split")
    await page.locator("[data-role=split-preview]").wait_for()
    moves = await page.locator(
        "[data-role=split-preview] tr[data-code=members] td"
    ).all_inner_texts()
    assert moves[1:] == ["0", str((await organisation(demo, ZB1))["members"]["totalCount"])]
    await page.click("[data-form=split] [data-role=confirm]")

    await done(page, "已拆分：新建 吉安园茅溪小区临时党支部")
    split = await organisation(demo, "CT-BS-JAMX-ZB9")
    assert split and split["covers"]["nodes"] == [covers[0]]
    assert split["parent"]["code"] == "CT-BS-DW"

    await fill(page, "dissolve", {"approvedBy": "CT-BS-DW", "message": "临时支部完成任务"})
    await submit(page, "dissolve")
    await page.locator("[data-role=dissolve-preview]").wait_for()
    await page.click("[data-form=dissolve] [data-role=confirm]")

    await done(page, "已撤销：吉安园茅溪小区临时党支部")
    assert (await organisation(demo, "CT-BS-JAMX-ZB9"))["status"] == "DISSOLVED"


async def test_a_branch_is_split_into_two_new_ones_at_once(page: Page, demo: Demo) -> None:
    await sign_in(page, demo.admin)
    await open_edit(page, f"org/{ZB1}")
    before = await organisation(demo, ZB1)
    total = before["members"]["totalCount"]
    assert total >= 2

    # Two new organisations, each taking a member of its own
    await page.select_option("[data-role=split-parts]", "2")
    await fill(page, "split", {"code": "CT-BS-JAMX-ZB7", "name": "茅溪东区党支部",
                               "code2": "CT-BS-JAMX-ZB8", "name2": "茅溪西区党支部"})  # fmt: skip
    await page.locator("[data-form=split] [data-checks=members] input").nth(0).check()
    await page.locator("[data-form=split] [data-checks=members2] input").nth(1).check()
    await submit(page, "split")

    # The preview shows what each takes and what stays, before anything is written
    await page.locator("[data-role=split-preview]").wait_for()
    members = await page.locator(
        "[data-role=split-preview] tr[data-code=members] td"
    ).all_inner_texts()
    assert members[1:] == ["1", "1", str(total - 2)]
    assert await organisation(demo, "CT-BS-JAMX-ZB7") is None
    await shot(page, "24b-edit-split-two")
    await page.click("[data-form=split] [data-role=confirm]")

    await done(page, "已拆分：新建 茅溪东区党支部、茅溪西区党支部")
    east = await organisation(demo, "CT-BS-JAMX-ZB7")
    west = await organisation(demo, "CT-BS-JAMX-ZB8")
    assert east and west
    assert (east["members"]["totalCount"], west["members"]["totalCount"]) == (1, 1)
    assert {east["parent"]["code"], west["parent"]["code"]} == {before["parent"]["code"]}
    assert (await organisation(demo, ZB1))["members"]["totalCount"] == total - 2


async def test_a_viewer_sees_what_is_held_but_no_form(page: Page, demo: Demo) -> None:
    await sign_in(page, demo.viewer)
    await open_edit(page, f"org/{ZB1}")

    assert await page.locator("[data-role=read-only]").is_visible()
    assert await page.locator("form[data-form]").count() == 0


async def test_the_forms_and_their_refusals_read_in_english_with_lang_en(
    page: Page, demo: Demo
) -> None:
    await sign_in(page, demo.admin, lang="en")
    await open_edit(page, f"place/{ESTATE}")
    assert await page.locator("[data-form=create-place] h3").inner_text() == "New place below"

    await fill(page, "create-place", {"parent": "CT-NOWHERE", "code": "CT-X2", "name": "nowhere"})
    await submit(page, "create-place")

    beside = page.locator("[data-form=create-place] [data-error-for=parent] [data-code=NOT_FOUND]")
    await beside.wait_for()
    assert await beside.inner_text() == "No place CT-NOWHERE in your scope"
