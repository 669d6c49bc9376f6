"""The views that change the registry pass the shell's checks in a real browser (headless
Chromium) on the Cuntan demo: in Chinese and in English, no untranslated key, no raw code or
i18n key, no English word in the Chinese console, codes kept out of headings, a page title of
their own, and no accessibility violation (axe-core)."""

from __future__ import annotations

from playwright.async_api import Page

from tests.browser.conftest import Demo, accessibility_violations, sign_in
from tests.browser.test_shell import CODE, ENGLISH_WORD, RAW_CODE, open_view

VIEWS = [
    ("edit", "#/edit"),
    ("edit", "#/edit/org/CT-BS-JAMX-ZB1"),
    ("edit", "#/edit/place/CT-BS-JAMX"),
    ("import", "#/import"),
    ("gap", "#/gap/CT-BS-JAMX-B03"),
    ("task", "#/task/new/CT-BS-JAMX"),
    ("task", "#/task/CT-BS-JAMX-YWH"),
    ("pairings", "#/pairings/CT-BS-JAMX"),
]
TITLES = {
    "zh": {"edit": "编辑", "import": "导入", "gap": "缺口", "task": "任务",
           "pairings": "包联与中心户"},
    "en": {"edit": "Edit", "import": "Import", "gap": "Gap", "task": "Task",
           "pairings": "Leader pairings and hubs"},
}  # fmt: skip


async def test_the_edit_import_gap_and_task_views_pass_the_shells_checks(
    page: Page, demo: Demo
) -> None:
    for lang in ("zh", "en"):
        await sign_in(page, demo.admin, lang=lang)
        for name, route in VIEWS:
            await open_view(page, name, route)
            if name == "pairings":
                await page.click("[data-role=propose-leaders]")
                await page.wait_for_selector("[data-table=loop-leaders]")
                await page.click("[data-role=propose-hubs]")
                await page.wait_for_selector("[data-table=loop-hubs]")
            if route.startswith("#/task/CT"):
                # A done task's mobilisation is refused: the refusal is checked as any text is
                await page.click("[data-role=preview-mobilisation]")
                await page.wait_for_selector(
                    "[data-role=mobilisation] [data-table], [data-role=mobilisation] [data-code]"
                )
            text = await page.inner_text("#view")

            missing = await page.evaluate("window.gridregConsole.missing()")
            assert missing == [], f"{route} in {lang}: untranslated {missing}"
            assert not RAW_CODE.findall(text), f"{route} in {lang}: {RAW_CODE.findall(text)}"
            if lang == "zh":
                words = set(ENGLISH_WORD.findall(text))
                assert not words, f"{route}: English words {words}"
            headings = await page.locator("#view h2, #view h3").all_inner_texts()
            assert not [h for h in headings if CODE.search(h)], f"{route}: codes in {headings}"
            assert TITLES[lang][name] in await page.title()
            assert await accessibility_violations(page) == [], f"{route} in {lang}"
        await page.click("[data-role=signout]")
        await page.wait_for_selector("form.signin")
