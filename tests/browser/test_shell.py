"""The console's shell in a real browser (headless Chromium) on the Cuntan demo: every view in
Chinese and in English with no untranslated key, no raw code and no accessibility violation; a
lost session and a lost server a person can recover from; a phone and a printer; one search box;
tables that sort and filter; a chart that zooms out and folds; groups shown truthfully (their
leader and the members placed in them)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import Page

from tests.browser.conftest import Demo, accessibility_violations, shot, sign_in
from tests.support import operation

# Every view, with the scopes that show all of its tables: a place and an organisation scope
# for coverage (gaps, drill-down, rule violations), an estate's work, a roster, a search.
VIEWS = [
    ("chart", "#/chart"),
    ("coverage", "#/coverage/CT"),
    ("coverage", "#/coverage/CT-BS-JAMX"),
    ("coverage", "#/coverage/CT-BS-DW"),
    ("work", "#/work/CT-BS-JAMX"),
    ("members", "#/members/CT-BS-JAMX-ZB1"),
    ("search", "#/search/吉安园"),
]
TITLES = {
    "zh": {"chart": "组织架构", "coverage": "覆盖与缺口", "work": "工作", "members": "党员名单",
           "search": "搜索"},
    "en": {"chart": "Org chart", "coverage": "Coverage & gaps", "work": "Work",
           "members": "Members", "search": "Search"},
}  # fmt: skip
# An API enum value shown as it is (BUILDING_WITHOUT_GROUP), or an i18n key (work.apply).
RAW_CODE = re.compile(r"\b[A-Z]+(?:_[A-Z]+)+\b|\b(?:[a-z]+\.){1,2}[a-z][A-Za-z]+\b")
# A place's, organisation's or member's code (CT-BS-JAMX, M000020): names stand in headings.
CODE = re.compile(r"\b[A-Z]{2,}(?:-[A-Z0-9]+)+\b|\bM\d{6}\b")
# An English word in the Chinese console (a message passed on from the API, a skill's code).
ENGLISH_WORD = re.compile(r"(?<![A-Za-z0-9_-])[a-z]{3,}(?![A-Za-z0-9_-])")
PHONE = {"width": 390, "height": 844}


async def open_view(page: Page, name: str, route: str) -> None:
    """Go to a route of the signed-in console and wait until its view has loaded."""
    await page.evaluate(
        """(route) => {
            delete document.getElementById("view").dataset.ready;
            location.hash = route;
        }""",
        route,
    )
    await page.wait_for_selector(f"#view[data-ready={name}]")


async def open_everything(page: Page) -> None:
    """On the work view, the tables that only show on demand: a contacts proposal and a
    mobilisation plan."""
    await page.click("[data-role=propose-contacts]")
    await page.wait_for_selector("[data-table=work-proposal]")
    mobilise = page.locator("[data-mobilise]")
    if await mobilise.count():
        await mobilise.first.click()
        await page.wait_for_selector("[data-table=work-mobilisation]")


async def test_every_view_speaks_the_readers_language_without_raw_codes_and_passes_axe(
    page: Page, demo: Demo
) -> None:
    for lang in ("zh", "en"):
        await sign_in(page, demo.admin, lang=lang)
        titles: set[str] = set()
        for name, route in VIEWS:
            await open_view(page, name, route)
            if name == "work":
                await open_everything(page)
            text = await page.inner_text("body")

            missing = await page.evaluate("window.gridregConsole.missing()")
            assert missing == [], f"{route} in {lang}: untranslated {missing}"
            assert not RAW_CODE.findall(text), f"{route} in {lang}: {RAW_CODE.findall(text)}"
            if lang == "zh":
                words = set(ENGLISH_WORD.findall(text)) - {"gridreg"}
                assert not words, f"{route}: English words {words}"
            headings = await page.locator(
                "#view h2, #view h3, [data-table=work-chain] td[data-key=gap]"
            ).all_inner_texts()
            assert not [h for h in headings if CODE.search(h)], f"{route}: codes in {headings}"
            title = await page.title()
            assert TITLES[lang][name] in title and "gridreg" in title
            titles.add(title)
            assert await accessibility_violations(page) == [], f"{route} in {lang}"
        assert len(titles) == len(VIEWS), "each view names itself in the page title"
        await page.click("[data-role=signout]")
        await page.wait_for_selector("form.signin")
    assert await accessibility_violations(page) == [], "the sign-in form"


async def test_rule_violations_and_gaps_are_worded_from_their_codes(
    page: Page, demo: Demo
) -> None:
    report = (await demo.api(demo.admin)(operation("ConsoleCoverage"), {"scope": "CT-BS-DW"}))[
        "coverage"
    ]
    await sign_in(page, demo.admin)

    await open_view(page, "coverage", "#/coverage/CT-BS-DW")

    messages = await page.locator(
        "[data-table=coverage-violations] tbody td[data-key=message]"
    ).all_inner_texts()
    assert len(messages) == len(report["violations"]) > 0
    for violation, message in zip(report["violations"], messages, strict=True):
        named = violation["organisation"] or violation["member"]
        assert named["name"] in message
        for figure in violation["details"]:
            assert str(figure["value"]) in message
        assert violation["message"] != message
    await open_view(page, "coverage", "#/coverage/CT-BS-JAMX")
    reasons = await page.locator(
        "[data-table=coverage-gaps] tbody td[data-key=reason]"
    ).all_inner_texts()
    worded = {"没有党支部覆盖该小区", "没有党小组覆盖该楼栋", "该楼栋没有党员居住"}
    assert reasons and set(reasons) <= worded


async def test_a_refused_proposal_is_worded_in_chinese_from_its_reason_and_params(
    page: Page, demo: Demo
) -> None:
    await sign_in(page, demo.admin)
    await open_view(page, "work", "#/work/CT-BS-JAMX")

    await page.fill("input[name=capacity]", "500")
    await page.click("[data-role=propose-contacts]")

    refusal = page.locator("[data-role=proposal] .error")
    await refusal.wait_for()
    assert await refusal.inner_text() == "每名党员联系户数上限应为 0 至 200 之间的数"


async def test_a_lost_session_signs_in_again_and_returns_to_the_same_view(
    page: Page, demo: Demo
) -> None:
    await sign_in(page, demo.admin)
    await open_view(page, "coverage", "#/coverage/CT")

    await page.context.clear_cookies()
    await page.evaluate("location.hash = '#/members/CT-BS-JAMX-ZB1'")

    notice = page.locator("[data-role=signin-error]")
    await notice.wait_for()
    assert await notice.inner_text() == "登录已过期，请重新登录"
    assert await notice.get_attribute("data-code") == "SESSION_EXPIRED"
    await shot(page, "20-session-expired")
    await page.fill("input[name=token]", demo.admin)
    await page.click("form.signin button[type=submit]")
    await page.wait_for_selector("#view[data-ready=members]")
    assert "吉安园茅溪小区第一党支部" in await page.inner_text("#view h2")


@pytest.mark.parametrize("expected_console_errors", [["status of 401"]])
async def test_a_wrong_token_is_refused_in_chinese_from_its_code(
    page: Page, demo: Demo, expected_console_errors: list[str]
) -> None:
    await page.goto("/console?lang=zh")
    await page.fill("input[name=token]", "grt_not-a-token")

    await page.click("form.signin button[type=submit]")

    notice = page.locator("[data-role=signin-error][data-code=UNAUTHENTICATED]")
    await notice.wait_for()
    assert await notice.inner_text() == "登录失败: 令牌无效、已撤销或已过期"


@pytest.mark.parametrize("expected_console_errors", [["net::ERR_CONNECTION_REFUSED"]])
async def test_a_lost_server_says_so_and_retries(
    page: Page, demo: Demo, expected_console_errors: list[str]
) -> None:
    await sign_in(page, demo.admin)

    async def unreachable(route: Any) -> None:
        await route.abort("connectionrefused")

    await page.route("**/graphql", unreachable)
    await page.evaluate("location.hash = '#/coverage/CT'")
    offline = page.locator("[data-role=offline]")
    await offline.wait_for()
    assert "无法连接服务器" in await offline.inner_text()
    await shot(page, "21-offline")

    await page.unroute("**/graphql", unreachable)
    await page.click("[data-role=retry]")
    await page.wait_for_selector("#view[data-ready=coverage]")
    assert await page.locator("[data-table=coverage-figures]").count() == 1


async def test_on_a_phone_the_menu_folds_cards_stack_and_nothing_is_wider_than_the_screen(
    page: Page, demo: Demo
) -> None:
    await page.set_viewport_size(PHONE)
    await sign_in(page, demo.admin)

    menu = page.locator("[data-role=menu]")
    assert await menu.is_visible()
    assert not await page.locator("[data-tab=coverage]").is_visible()
    assert await page.locator("[data-role=outline]").is_visible()
    assert not await page.locator(".chart-scroll").is_visible()
    await shot(page, "22-phone-chart")
    await menu.click()
    assert await menu.get_attribute("aria-expanded") == "true"
    await page.click("[data-tab=coverage]")
    await page.wait_for_selector("#view[data-ready=coverage]")
    assert not await page.locator("[data-tab=coverage]").is_visible(), "the menu closes"

    for name, route in VIEWS:
        await open_view(page, name, route)
        wide = await page.evaluate(
            "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        )
        assert wide <= PHONE["width"], f"{route} is {wide}px wide"
        assert await accessibility_violations(page) == [], f"{route} on a phone"
    await open_view(page, "coverage", "#/coverage/CT-BS-JAMX")
    cards = page.locator(".grid2 > .card")
    boxes = [await cards.nth(i).bounding_box() for i in range(await cards.count())]
    assert len(boxes) == 2 and boxes[0] and boxes[1]
    assert boxes[0]["x"] == boxes[1]["x"] and boxes[1]["y"] > boxes[0]["y"]
    await shot(page, "23-phone-coverage", full_page=True)


async def test_coverage_and_member_lists_print_on_a4_with_their_headers(
    page: Page, demo: Demo
) -> None:
    await sign_in(page, demo.admin)
    await open_view(page, "coverage", "#/coverage/CT-BS-JAMX")

    await page.emulate_media(media="print")

    assert not await page.locator("header.top").is_visible()
    assert not await page.locator("[data-export]").first.is_visible()
    gaps = page.locator("[data-table=coverage-gaps]")
    style = await gaps.evaluate(
        """(card) => ({
            head: getComputedStyle(card.querySelector("thead")).display,
            overflow: getComputedStyle(card.querySelector(".scroll")).overflowY,
            header: card.querySelector("th").innerText,
        })"""
    )
    assert style == {"head": "table-header-group", "overflow": "visible", "header": "类型"}
    pdf = await page.pdf(prefer_css_page_size=True)
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    # A4 in points (the stylesheet's @page size), on every page.
    assert boxes and {(round(float(w)), round(float(h))) for w, h in boxes} == {(595, 842)}
    await page.emulate_media(media="screen")
    await open_view(page, "members", "#/members/CT-BS-DW")
    total = (await demo.api(demo.admin)(
        operation("ConsoleMembers"), {"filter": {"organisation": "CT-BS-DW"}}
    ))["members"]["totalCount"]  # fmt: skip
    assert await page.locator("[data-table=members] tbody tr").count() < total
    # The browser's print dialog stands in for a printer: it notes when it was asked for.
    await page.evaluate(
        "() => { window.print = () => { document.body.dataset.printed = 'yes'; }; }"
    )

    await page.click("[data-role=print]")

    await page.wait_for_selector("body[data-printed=yes]")
    assert await page.locator("[data-table=members] tbody tr").count() == total
    await page.emulate_media(media="print")
    assert await page.locator("[data-table=members] thead th").count() == 12
    assert not await page.locator("[data-filter=members]").is_visible()
    assert not await page.locator("[data-role=print]").is_visible()


async def test_one_search_box_finds_organisations_places_and_members_by_name_or_code(
    page: Page, demo: Demo
) -> None:
    found = await demo.api(demo.admin)(operation("ConsoleSearch"), {"text": "马"})
    member = found["members"]["nodes"][0]
    await sign_in(page, demo.admin)

    await page.fill("header input[name=q]", "吉安园")
    await page.press("header input[name=q]", "Enter")
    await page.wait_for_selector("#view[data-ready=search]")

    orgs = await page.locator("[data-table=search-organisations] tbody tr").evaluate_all(
        "(rows) => rows.map((r) => r.dataset.code)"
    )
    places = await page.locator("[data-table=search-places] tbody tr").evaluate_all(
        "(rows) => rows.map((r) => r.dataset.code)"
    )
    assert {"CT-BS-JAMX-ZB1", "CT-BS-JAMX-ZB2"} <= set(orgs)
    assert "CT-BS-JAMX" in places
    await shot(page, "24-search")

    await open_view(page, "search", f"#/search/{member['name']}")
    names = await page.locator(
        "[data-table=search-members] tbody td[data-key=name]"
    ).all_inner_texts()
    assert member["name"] in names
    await open_view(page, "search", "#/search/CT-BS-JAMX-B03")
    assert await page.locator(
        "[data-table=search-places] tbody tr[data-code='CT-BS-JAMX-B03']"
    ).count() == 1
    await open_view(page, "search", f"#/search/{member['code']}")
    assert await page.locator(
        f"[data-table=search-members] tbody tr[data-code='{member['code']}']"
    ).count() == 1
    await page.locator("[data-table=search-members] tbody tr").first.focus()
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#view[data-ready=members]")


async def test_a_table_sorts_by_a_column_and_filters_its_rows(page: Page, demo: Demo) -> None:
    await sign_in(page, demo.admin)
    await open_view(page, "coverage", "#/coverage/CT")
    table = page.locator("[data-table=coverage-drill]")
    column = "buildings.covered"

    await table.locator(f"th[data-key='{column}'] button").click()
    up = [int(v) for v in await table.locator(f"td[data-key='{column}']").all_inner_texts()]
    await table.locator(f"th[data-key='{column}'] button").click()
    down = [int(v) for v in await table.locator(f"td[data-key='{column}']").all_inner_texts()]

    assert up == sorted(up) and down == sorted(up, reverse=True) and len(up) > 2
    assert await table.locator(f"th[data-key='{column}']").get_attribute("aria-sort") == (
        "descending"
    )
    await page.fill("[data-filter=coverage-drill]", "保税")
    names = await table.locator("td[data-key=name]").all_inner_texts()
    assert names == ["保税商圈社区"]
    scroller = table.locator(".scroll")
    assert await scroller.get_attribute("tabindex") == "0"
    assert await scroller.get_attribute("role") == "region"


async def test_the_chart_zooms_out_and_collapses_all(page: Page, demo: Demo) -> None:
    await sign_in(page, demo.admin)
    chart = page.locator("[data-role=chart]")
    await page.fill("input[name=search]", "吉安园茅溪小区第一党支部")
    await page.click("form.search button[type=submit]")
    await page.wait_for_selector("[data-role=chart][data-focus='CT-BS-JAMX-ZB1']")
    expanded = int(await chart.get_attribute("data-nodes") or 0)
    height = await chart.evaluate("(c) => c.offsetHeight")

    await page.click("[data-role=zoom-out]")
    await page.click("[data-role=zoom-out]")

    assert await chart.get_attribute("data-scale") == "0.6"
    assert await chart.evaluate("(c) => c.offsetHeight") < height, "more of the tree fits"
    await shot(page, "25-chart-zoomed-out")

    await page.click("[data-role=collapse-all]")
    root = await demo.api(demo.admin)(
        operation("ConsoleOrgChart"), {"root": "CT-DGW", "depth": 1, "includeClosed": False}
    )
    assert int(await chart.get_attribute("data-nodes") or 0) == len(root["orgChart"]["nodes"])
    assert expanded > len(root["orgChart"]["nodes"])


async def test_a_group_box_shows_its_leader_and_members_and_is_never_green_without_them(
    page: Page, demo: Demo
) -> None:
    admin = demo.api(demo.admin)
    created = await admin(
        operation("CreateOrganisation"),
        {"input": {"code": "CT-BS-JAMX-ZB1-G12", "kind": "GROUP",
                   "name": "吉安园茅溪小区12栋党小组", "parent": "CT-BS-JAMX-ZB1",
                   "established": "2026-01-01", "covers": ["CT-BS-JAMX-B12"]}},
    )  # fmt: skip
    assert created["createOrganisation"]["userErrors"] == []
    groups = (await admin(
        operation("ConsoleGroups"), {"parent": "CT-BS-JAMX-ZB1", "includeClosed": False}
    ))["organisation"]["groups"]["nodes"]  # fmt: skip
    led = next(g for g in groups if g["code"] == "CT-BS-JAMX-ZB1-G01")
    leader, placed = led["leader"]["name"], led["members"]["totalCount"]
    assert placed > 0
    await sign_in(page, demo.admin)

    await page.fill("input[name=search]", "吉安园茅溪小区第一党支部")
    await page.click("form.search button[type=submit]")
    await page.wait_for_selector("[data-role=chart][data-focus='CT-BS-JAMX-ZB1']")
    await page.click("[data-toggle='CT-BS-JAMX-ZB1']")

    box = page.locator(f"[data-role=outline] li[data-code='{led['code']}'] .facts")
    await box.wait_for()
    assert await box.inner_text() == f"组长 {leader} · 党员 {placed}"
    assert "warn" not in (await box.get_attribute("class") or "")
    # It covers building 12 (its coverage is whole), but nobody leads it and nobody is placed
    # in it: red, not green.
    leaderless = page.locator("[data-role=outline] li[data-code='CT-BS-JAMX-ZB1-G12'] .facts")
    twelve = next(g for g in groups if g["code"] == "CT-BS-JAMX-ZB1-G12")
    assert twelve["leader"] is None and twelve["members"]["totalCount"] == 0
    assert await leaderless.inner_text() == "无组长 · 党员 0"
    assert "warn" in (await leaderless.get_attribute("class") or "")
    await page.locator("[data-role=chart] svg text", has_text="12栋党小组").first.wait_for()
    colours = await page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll("[data-role=chart] svg path")]
            .filter((p) => p.getAttribute("fill")).map((p) => [p.getAttribute("fill"), 1]))"""
    )
    assert "#fdecea" in colours
    await shot(page, "26-groups")
