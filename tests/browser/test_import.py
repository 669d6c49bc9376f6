"""Importing a workbook in a real browser (headless Chromium) on the Cuntan demo: the template
downloaded, a workbook with mistakes checked (the row report shows each sheet, row and column to
fix, and nothing is written), the fixed workbook checked and imported, a .zip of CSV files
imported the same way, and the upload's progress shown while a large file is sent."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from openpyxl import load_workbook
from playwright.async_api import Page

from registry.importer.template import EXAMPLES
from registry.importer.workbook_format import COLUMNS
from tests.browser.conftest import ARTIFACTS, Demo, shot, sign_in
from tests.browser.test_console import cells

PLACE = "query($code: String!) { place(code: $code) { code name } }"


async def place(demo: Demo, code: str) -> dict[str, str] | None:
    return (await demo.api(demo.admin)(PLACE, {"code": code}))["place"]


async def open_import(page: Page) -> None:
    await page.goto("/console#/import")
    await page.wait_for_selector("#view[data-ready=import]")


async def check(page: Page, path: Path) -> None:
    await page.set_input_files("[data-form=import] input[type=file]", str(path))
    await page.click("[data-form=import] button[type=submit]")


async def test_a_workbook_is_checked_fixed_and_imported(page: Page, demo: Demo) -> None:
    await sign_in(page, demo.admin)
    await open_import(page)

    async with page.expect_download() as download:
        await page.click("[data-role=template]")
    template = ARTIFACTS / "import-template.xlsx"
    await (await download.value).save_as(template)
    book = load_workbook(template)
    assert book.sheetnames == list(COLUMNS)
    assert len(list(book["members"].iter_rows(values_only=True))) == 1 + len(EXAMPLES["members"])

    members = book["members"]
    members.cell(row=2, column=4, value="sometimes")  # status
    members.cell(row=3, column=6, value="CT-NOWHERE")  # organisation
    wrong = ARTIFACTS / "import-wrong.xlsx"
    book.save(wrong)

    await check(page, wrong)

    await page.wait_for_selector("[data-table=import-problems]")
    assert await page.evaluate("document.activeElement.dataset.role") == "refused"
    sheets = await cells(page, "import-problems", "sheet")
    rows = await cells(page, "import-problems", "row")
    columns = await cells(page, "import-problems", "column")
    fixes = await cells(page, "import-problems", "fix")
    found = set(zip(sheets, rows, columns, strict=True))
    assert ("党员（members）", "2", "status") in found
    assert ("党员（members）", "3", "organisation") in found
    assert all(fix.startswith("填写有误：") for fix in fixes)
    assert await place(demo, "EX") is None
    await shot(page, "30-import-problems")

    await check(page, template)

    await page.wait_for_selector("[data-table=import-preview]")
    created = await page.locator(
        "[data-table=import-preview] tr[data-code=places] td[data-key=created]"
    ).inner_text()
    assert created == str(len(EXAMPLES["places"]))
    assert await place(demo, "EX") is None
    await shot(page, "31-import-preview")

    await page.click("[data-role=confirm-import]")

    note = page.locator("[data-role=done]")
    await note.wait_for()
    assert await note.evaluate("e => e === document.activeElement")
    assert await place(demo, "EX") == {"code": "EX", "name": "示例街道"}
    assert await place(demo, "EX-C1-E1-B01") == {"code": "EX-C1-E1-B01", "name": "1栋"}
    await shot(page, "32-import-done")


async def test_zipped_csv_files_import_and_a_large_upload_shows_its_progress(
    page: Page, demo: Demo
) -> None:
    await sign_in(page, demo.admin)
    await open_import(page)
    archive = ARTIFACTS / "import-csv.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as packed:
        places = io.StringIO()
        places.write("code,parent,kind,name\n")
        places.write("CT-BS-JAMX-B98,CT-BS-JAMX,building,98栋\n")
        # Padding rows of blank cells (skipped by the importer) make the file large enough
        # for its upload to be watched at the throttled speed.
        places.write(",,,\n" * 400_000)
        packed.writestr("csv/places.csv", places.getvalue())
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("Network.enable")
    await cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 400_000},
    )

    await check(page, archive)

    progress = page.locator("[data-role=progress]")
    await progress.wait_for()
    await page.wait_for_function(
        "() => { const p = document.querySelector('[data-role=progress]');"
        " return p && p.value > 0 && p.value < 100; }"
    )
    await shot(page, "33-import-progress")
    await page.wait_for_selector("[data-table=import-preview]")
    assert not await progress.is_visible()
    await cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    await page.click("[data-role=confirm-import]")
    await page.locator("[data-role=done]").wait_for()
    assert await place(demo, "CT-BS-JAMX-B98") == {"code": "CT-BS-JAMX-B98", "name": "98栋"}


async def test_a_viewer_is_told_imports_need_an_admin(page: Page, demo: Demo) -> None:
    await sign_in(page, demo.viewer)

    await open_import(page)

    note = page.locator("[data-role=read-only]")
    assert await note.inner_text() == "导入需要不限范围的管理员令牌"
    assert await page.locator("[data-form=import]").count() == 0
