"""The organiser's console in a real browser (headless Chromium) on the Cuntan demo: the org
chart, lazy expansion, search, coverage, export, masked phones, the IDE, languages.
Screenshots of every step are kept in test-artifacts/console/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from playwright.async_api import Download, Page

from tests.browser.conftest import ARTIFACTS, Demo, shot, sign_in
from tests.support import operation

COVERAGE = operation("ConsoleCoverage")
FIGURES = ("estates", "buildings", "buildingsWithMembers", "households")


def percent(ratio: float | None) -> str:
    """How the console shows a ratio (JavaScript's toFixed(1) on the percentage)."""
    return "—" if ratio is None else f"{ratio * 100:.1f}%"


async def cells(page: Page, table: str, key: str) -> list[str]:
    return await page.locator(f"[data-table={table}] tbody td[data-key='{key}']").all_inner_texts()


async def saved(download: Download) -> Path:
    """Keep a downloaded workbook among the test artefacts."""
    assert download.suggested_filename.endswith(".xlsx")
    path = ARTIFACTS / download.suggested_filename
    await download.save_as(path)
    return path


async def coverage(demo: Demo, scope: str, token: str | None = None) -> dict[str, Any]:
    return (await demo.api(token or demo.admin)(COVERAGE, {"scope": scope}))["coverage"]


async def test_the_chart_renders_with_the_subdistrict_at_its_root(page: Page, demo: Demo) -> None:
    await sign_in(page, demo.admin)

    chart = page.locator("[data-role=chart]")
    await chart.locator("svg text", has_text="寸滩街道党工委").first.wait_for()
    await shot(page, "01-chart")

    data = await demo.api(demo.admin)(
        operation("ConsoleOrgChart"), {"root": "CT-DGW", "depth": 1, "includeClosed": False}
    )
    nodes = data["orgChart"]["nodes"]
    assert nodes[0]["code"] == "CT-DGW" and nodes[0]["parentId"] is None
    assert await chart.get_attribute("data-nodes") == str(len(nodes))
    outline = page.locator("[data-role=outline] > li")
    assert await outline.get_attribute("data-code") == "CT-DGW"
    assert await outline.locator(":scope > ul > li").count() == len(nodes) - 1
    assert "张中举" in await page.locator("[data-role=details]").inner_text()


async def test_expanding_a_community_in_the_chart_loads_its_branches(
    page: Page, demo: Demo
) -> None:
    await sign_in(page, demo.admin)
    community = page.locator("[data-role=chart] svg text", has_text="保税商圈社区党委").first

    await community.click()

    branches = page.locator("[data-role=outline] li[data-code='CT-BS-DW'] > ul > li")
    await branches.first.wait_for()
    data = await demo.api(demo.admin)(
        operation("ConsoleOrgChildren"), {"parent": "CT-BS-DW", "includeClosed": False}
    )
    expected = [node["code"] for node in data["orgChildren"]["nodes"]]
    assert [await b.get_attribute("data-code") for b in await branches.all()] == expected
    chart = page.locator("[data-role=chart] svg")
    await chart.locator("text", has_text="吉安园茅溪小区第一党支部").first.wait_for()
    await shot(page, "02-expanded-community")


async def test_a_search_centres_the_chart_on_the_hit(page: Page, demo: Demo) -> None:
    await sign_in(page, demo.admin)

    await page.fill("input[name=search]", "荷塘苑")
    await page.click("form.search button[type=submit]")

    await page.wait_for_selector("[data-role=chart][data-focus='CT-SP-HTY-ZB']")
    assert await page.get_attribute("[data-role=details] h3", "data-code") == "CT-SP-HTY-ZB"
    x, y = await page.evaluate("window.gridregConsole.position('CT-SP-HTY-ZB')")
    canvas = await page.locator("[data-role=chart]").bounding_box()
    view = await page.locator(".chart-scroll").bounding_box()
    assert canvas and view
    assert view["x"] <= canvas["x"] + x <= view["x"] + view["width"]
    assert view["y"] <= canvas["y"] + y <= view["y"] + view["height"]
    # The hit sits in the middle band of the view, unless the chart's edge stops the scroll.
    assert abs(canvas["y"] + y - (view["y"] + view["height"] / 2)) < view["height"] / 4
    await shot(page, "03-search-centred")


async def test_the_coverage_tables_show_the_apis_numbers(page: Page, demo: Demo) -> None:
    await sign_in(page, demo.admin)

    await page.goto("/console#/coverage/CT")
    await page.wait_for_selector("#view[data-ready=coverage]")

    report = await coverage(demo, "CT")
    assert await cells(page, "coverage-figures", "covered") == [
        str(report[key]["covered"]) for key in FIGURES
    ]
    assert await cells(page, "coverage-figures", "total") == [
        str(report[key]["total"]) for key in FIGURES
    ]
    assert await cells(page, "coverage-figures", "ratio") == [
        percent(report[key]["ratio"]) for key in FIGURES
    ]
    community = await coverage(demo, "CT-BS")
    row = page.locator("[data-table=coverage-drill] tr[data-code='CT-BS']")
    assert await row.locator("td[data-key='buildings.covered']").inner_text() == str(
        community["buildings"]["covered"]
    )
    assert await row.locator("td[data-key='estates.total']").inner_text() == str(
        community["estates"]["total"]
    )
    assert await page.locator("[data-table=coverage-gaps] tbody tr").count() == len(
        report["gaps"]["items"]
    )
    await shot(page, "04-coverage", full_page=True)

    await row.click()
    await page.wait_for_selector("h2[data-scope='CT-BS']")
    await page.wait_for_selector("#view[data-ready=coverage]")
    estates = await cells(page, "coverage-drill", "code")
    assert "CT-BS-JAMX" in estates and len(estates) == community["estates"]["total"]
    await shot(page, "05-coverage-drilled", full_page=True)


async def test_the_export_downloads_a_workbook_with_the_same_numbers(
    page: Page, demo: Demo
) -> None:
    await sign_in(page, demo.admin)
    await page.goto("/console#/coverage/CT")
    await page.wait_for_selector("#view[data-ready=coverage]")

    async with page.expect_download() as figures:
        await page.click("[data-export=coverage-figures]")
    async with page.expect_download() as gaps:
        await page.click("[data-export=coverage-gaps]")

    report = await coverage(demo, "CT")
    book = load_workbook(await saved(await figures.value))
    rows = list(book["覆盖情况"].iter_rows(values_only=True))
    assert rows[0] == ("指标", "已覆盖", "总数", "比例")
    assert [r[1:] for r in rows[1:]] == [
        (report[k]["covered"], report[k]["total"], report[k]["ratio"]) for k in FIGURES
    ]
    gap_rows = list(load_workbook(await saved(await gaps.value)).active.iter_rows(values_only=True))
    assert [r[1] for r in gap_rows[1:]] == [g["place"]["code"] for g in report["gaps"]["items"]]
    await shot(page, "06-exported")


async def test_a_viewer_sees_masked_phones(page: Page, demo: Demo) -> None:
    await sign_in(page, demo.viewer)

    await page.goto("/console#/members")
    await page.wait_for_selector("#view[data-ready=members]")

    phones = await cells(page, "members", "phone")
    data = await demo.api(demo.viewer)(
        operation("ConsoleMembers"), {"filter": {"organisation": "CT-BS-DW"}}
    )
    assert phones == [m["phone"] or "" for m in data["members"]["nodes"]]
    assert phones and all("*" in phone for phone in phones if phone)
    assert await page.locator("[data-role=masked]").is_visible()
    assert "查看者" in await page.locator("[data-role=who]").inner_text()
    await shot(page, "07-viewer-members")


async def test_each_row_of_the_members_list_opens_that_members_edit_form(
    page: Page, demo: Demo
) -> None:
    await sign_in(page, demo.admin)
    await page.goto("/console#/members")
    await page.wait_for_selector("#view[data-ready=members]")
    rows = page.locator("[data-table=members] tbody tr")
    links = page.locator("[data-table=members] tbody td[data-key=name] a[data-role=edit-member]")
    assert await links.count() == await rows.count() > 2
    codes = await cells(page, "members", "code")
    name = await links.nth(2).inner_text()

    await links.nth(2).click()

    await page.wait_for_selector(f"#view[data-ready=edit] h2[data-edit='{codes[2]}']")
    assert name in await page.locator("#view h2").inner_text()
    assert await page.locator("#view form[data-form]").count() > 0


async def test_the_ide_runs_a_query_with_the_console_session(page: Page, demo: Demo) -> None:
    await sign_in(page, demo.admin)

    await page.goto("/graphql")
    await page.wait_for_selector(".gridreg-ide-banner[data-signed-in=yes]")
    await page.locator(".graphiql-query-editor", has_text="coverage(scope").wait_for()
    await page.locator(".graphiql-editor-tool", has_text='"CT"').wait_for()
    await page.click(".graphiql-execute-button")

    response = page.locator(".result-window")
    await response.get_by_text('"covered"').first.wait_for()
    assert "UNAUTHENTICATED" not in await response.inner_text()
    assert '"total": 29' in await response.inner_text()
    await shot(page, "08-ide")


async def test_english_on_request_and_sign_out(page: Page, demo: Demo) -> None:
    await sign_in(page, demo.admin, lang="en")

    assert await page.locator("[data-tab=chart]").inner_text() == "Org chart"
    await page.locator("[data-role=chart] svg text", has_text="branch").first.wait_for()
    await shot(page, "09-english")
    await page.click("[data-role=signout]")

    await page.wait_for_selector("form.signin")
    who = await page.evaluate(
        "fetch('/console/session', {headers: {'X-Gridreg-Session': '1'}}).then(r => r.json())"
    )
    assert who["signedIn"] is False
