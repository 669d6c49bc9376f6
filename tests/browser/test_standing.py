"""A member's standing in a real browser (headless Chromium) on the Cuntan demo, as an organiser
records it: lost contact, then restored; then death, after which the member view keeps the
history, offers no form, and the branch's list no longer names them. Checked through the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from playwright.async_api import Page

from registry.core import calendar
from tests.browser.conftest import Demo, accessibility_violations, shot, sign_in
from tests.browser.test_edit import ZB1, done, fill, open_edit, submit

ROSTER = """query($code: String!) { organisation(code: $code) { members(first: 100) {
  nodes { id code name } } } }"""
STANDINGS = """query($code: String!) { members(filter: { code: $code, includeDeparted: true }) {
  nodes { departedOn standings { kind on restoredOn decidedBy { code } } } } }"""


async def roster(demo: Demo) -> list[dict[str, Any]]:
    found = await demo.api(demo.admin)(ROSTER, {"code": ZB1})
    return list(found["organisation"]["members"]["nodes"])


async def test_lost_contact_is_recorded_and_restored_and_death_ends_the_record(
    page: Page, demo: Demo
) -> None:
    who = (await roster(demo))[-1]
    await sign_in(page, demo.admin)
    await open_edit(page, f"member/{who['id']}")
    assert await page.locator("[data-role=standing]").inner_text() == "正常"
    lost_on = (calendar.today() - timedelta(days=200)).isoformat()

    await fill(page, "record-standing", {"kind": "LOST_CONTACT", "on": lost_on, "note": "未遇"})
    await submit(page, "record-standing")
    await done(page, f"已登记：{who['name']}，失去联系")
    assert await page.locator("[data-role=standing]").inner_text() == f"失去联系（自 {lost_on} 起）"
    assert await accessibility_violations(page) == []

    await submit(page, "restore-standing")
    await done(page, f"已恢复：{who['name']}")
    assert await page.locator("[data-role=standing]").inner_text() == "正常"
    history = page.locator("[data-role=standings] li")
    assert await history.all_inner_texts() == [
        f"失去联系：{lost_on} 至 {calendar.today().isoformat()}"
    ]

    await fill(page, "record-standing", {"kind": "LEFT"})
    await submit(page, "record-standing")
    refusal = page.locator("[data-form=record-standing] [data-error-for=way]")
    await refusal.wait_for()
    assert "请注明出党方式" in await refusal.inner_text()

    await fill(page, "record-standing", {"kind": "DIED", "way": ""})
    await submit(page, "record-standing")
    await done(page, f"已登记：{who['name']}，去世")
    await page.wait_for_selector("[data-role=departed]")
    assert await page.locator("[data-form]").count() == 0
    await shot(page, "40-edit-member-standing", full_page=True)

    assert who["code"] not in {m["code"] for m in await roster(demo)}
    [record] = (await demo.api(demo.admin)(STANDINGS, {"code": who["code"]}))["members"]["nodes"]
    assert record["departedOn"] == calendar.today().isoformat()
    assert [(s["kind"], s["restoredOn"]) for s in record["standings"]] == [
        ("LOST_CONTACT", calendar.today().isoformat()),
        ("DIED", None),
    ]


async def test_a_member_away_from_home_is_recorded_and_back(page: Page, demo: Demo) -> None:
    who = (await roster(demo))[0]
    await sign_in(page, demo.admin)
    await open_edit(page, f"member/{who['id']}")
    assert await page.locator("[data-role=away]").inner_text() == "未外出"

    await fill(page, "record-away", {"since": "2026-06-01", "place": "深圳市南山区",
                                     "attends": "某科技公司党支部"})  # fmt: skip
    await submit(page, "record-away")
    await done(page, f"已登记外出：{who['name']}")
    assert await page.locator("[data-role=away]").inner_text() == (
        "自 2026-06-01 起在 深圳市南山区，参加 某科技公司党支部 的组织生活"
    )
    assert await accessibility_violations(page) == []

    await submit(page, "record-return")
    await done(page, f"已返回：{who['name']}")
    assert await page.locator("[data-role=away]").inner_text() == "未外出"
