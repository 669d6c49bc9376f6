"""The Work view of an estate in a real browser (headless Chromium) on the Cuntan demo:
吉安园茅溪小区's responsibility chain, its 34 suggestions, its tasks, and household contacts
proposed, previewed and applied. Screenshots of every step are kept in test-artifacts/console/.

The last test applies household contacts, so it stays last in this module."""

from __future__ import annotations

from typing import Any

from openpyxl import load_workbook
from playwright.async_api import Page

from tests.browser.conftest import Demo, shot, sign_in
from tests.browser.test_console import cells, coverage, saved
from tests.support import operation

ESTATE = "CT-BS-JAMX"
PROPOSE = operation("ConsoleProposeHouseholdContacts")


async def open_work(page: Page, estate: str = ESTATE) -> None:
    await page.goto(f"/console#/work/{estate}")
    await page.wait_for_selector("#view[data-ready=work]")


async def figure(page: Page, table: str, code: str) -> str:
    return await page.locator(
        f"[data-table={table}] tr[data-code='{code}'] td[data-key=value]"
    ).inner_text()


async def proposal(demo: Demo, token: str) -> dict[str, Any]:
    data = await demo.api(token)(PROPOSE, {"scope": ESTATE})
    assert data["proposeHouseholdContacts"]["userErrors"] == []
    return data["proposeHouseholdContacts"]["proposal"]


async def test_an_estates_work_shows_its_chain_tasks_and_suggestions(
    page: Page, demo: Demo
) -> None:
    await sign_in(page, demo.admin)
    await page.goto("/console#/coverage/CT-BS")
    await page.wait_for_selector("#view[data-ready=coverage]")

    await page.click(f"[data-work-link='{ESTATE}']")

    await page.wait_for_selector(f"#view[data-ready=work] h2[data-work='{ESTATE}']")
    roles = await cells(page, "work-chain", "role")
    people = await cells(page, "work-chain", "member")
    assert roles[0] == "街道党工委书记" and people[0] == "张中举"
    assert roles[-1] == "小区党支部书记"
    chain = page.locator("[data-table=work-chain] tbody tr.gap")
    assert await chain.count() == len([g for g in await cells(page, "work-chain", "gap") if g])
    await shot(page, "10-work")

    statuses = await cells(page, "work-suggestions", "status")
    report = await coverage(demo, ESTATE)
    assert len(statuses) == 34 == report["suggestions"]["raised"]
    assert set(statuses) == {"已办结"}
    assert await figure(page, "work-figures", "suggestions.resolved") == "34"
    assert await figure(page, "work-figures", "suggestions.ratio") == "100.0%"
    election = page.locator("[data-table=work-tasks] tr[data-code='CT-BS-JAMX-YWH']")
    assert await election.locator("td[data-key=status]").inner_text() == "已完成"
    assert await election.locator("td[data-key=kind]").inner_text() == "业委会选举筹备"
    assert await election.locator("td[data-key=leader]").inner_text() == "秦鑫"

    async with page.expect_download() as download:
        await page.click("[data-export=work-suggestions]")
    rows = list(load_workbook(await saved(await download.value)).active.iter_rows(values_only=True))
    assert len(rows) == 1 + 34 and all(row[3] == "已办结" for row in rows[1:])
    await page.locator("[data-table=work-suggestions]").scroll_into_view_if_needed()
    await shot(page, "11-work-suggestions")


async def test_a_viewer_previews_contacts_without_apply_and_sees_masked_phones(
    page: Page, demo: Demo
) -> None:
    await sign_in(page, demo.viewer)
    await open_work(page)

    await page.click("[data-role=propose-contacts]")

    await page.wait_for_selector("[data-table=work-proposal-summary]")
    assert await page.locator("[data-role=apply-contacts]").count() == 0
    assert await page.locator("[data-role=read-only]").is_visible()
    phones = [p for p in await cells(page, "work-chain", "phone") if p]
    assert phones and all("*" in phone for phone in phones)
    assert await page.locator("[data-role=masked]").is_visible()
    await shot(page, "12-work-viewer")


async def test_proposed_contacts_match_the_api_and_apply_changes_coverage(
    page: Page, demo: Demo
) -> None:
    await sign_in(page, demo.admin)
    await open_work(page)
    before = (await coverage(demo, ESTATE))["households"]
    assert await figure(page, "work-figures", "households.covered") == str(before["covered"])

    await page.click("[data-role=propose-contacts]")
    await page.wait_for_selector("[data-table=work-proposal-summary]")

    expected = await proposal(demo, demo.admin)
    shown = {
        "pairings": len(expected["pairings"]),
        "kept": expected["keptCount"],
        "added": expected["addedCount"],
        "removed": expected["removedCount"],
        "changed": expected["changedCount"],
        "unpaired": len(expected["unpaired"]),
        "cost": expected["totalCost"],
    }
    for code, value in shown.items():
        assert await figure(page, "work-proposal-summary", code) == str(value), code
    assert await page.locator("[data-table=work-proposal] tbody tr").count() == len(
        expected["pairings"]
    )
    # Each explanation is worded from its reasons' codes: the distance, then kept or new.
    worded = {
        f"{distance}；{kept}"
        for distance in ("同单元", "同楼栋", "相邻楼栋", "同小区")
        for kept in ("保留", "新增")
    }
    explanations = await cells(page, "work-proposal", "explanation")
    assert explanations and set(explanations) <= worded
    fingerprint = await page.get_attribute("[data-role=proposal]", "data-fingerprint")
    assert fingerprint == expected["fingerprint"]
    assert len(expected["pairings"]) != before["covered"]
    await page.locator("[data-role=proposal]").scroll_into_view_if_needed()
    await shot(page, "13-work-proposal")

    page.once("dialog", lambda dialog: dialog.accept())
    await page.click("[data-role=apply-contacts]")

    await page.wait_for_selector("[data-role=applied]")
    after = (await coverage(demo, ESTATE))["households"]
    assert after["covered"] == len(expected["pairings"])
    assert await figure(page, "work-figures", "households.covered") == str(after["covered"])
    assert sum(int(n) for n in await cells(page, "work-contacts", "count")) == after["covered"]
    await page.evaluate("window.scrollTo(0, 0)")
    await shot(page, "14-work-applied")
