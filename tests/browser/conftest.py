"""Browser fixtures: the Cuntan demo behind the live gridreg server, and Debian's headless
Chromium driven by Playwright. Every test here is skipped when /usr/bin/chromium is absent
(`.ci/run` installs it)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright

from registry.core import calendar
from registry.core.db import Database
from registry.importer import import_workbook
from registry.web.pages import STATIC
from seeds import CUNTAN
from tests.support import ROOT, GraphQLClient, LiveServer, Registry, reset_tables

CHROMIUM = Path("/usr/bin/chromium")
# axe-core, the console's devDependency (console/package.json): put into the page from disk,
# as the console's own files are, never from a CDN.
AXE = ROOT / "console" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Screenshots, downloads and files to upload; a pass on PostgreSQL keeps its own, so that two
# passes at once (CI runs them side by side) never write a file the other is uploading.
ARTIFACTS = ROOT / "test-artifacts" / (
    "console-postgresql" if os.environ.get("GRIDREG_TEST_DATABASE_URL") else "console"
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is absent: install Debian's chromium to run")
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(skip)


@dataclass
class Demo:
    """The Cuntan demo served over HTTP, with tokens and API clients to compare against."""

    base_url: str
    admin: str
    viewer: str
    http: httpx.AsyncClient
    shots: list[Path] = field(default_factory=list)

    def api(self, token: str) -> GraphQLClient:
        return GraphQLClient(self.http, token)


@pytest.fixture(scope="module")
async def demo(
    database: Database,
    live_server: tuple[LiveServer, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Demo]:
    assert (STATIC / "index.html").is_file(), "the console is not built: run `make console`"
    await reset_tables(database)
    await import_workbook(database, CUNTAN)
    server, base_url = live_server
    tokens = Registry(database, base_url, server, tmp_path_factory.mktemp("browser"))
    admin = await tokens.token("admin")
    viewer = await tokens.token("viewer", "CT-BS-DW")
    await tokens.close()
    # The server closes a kept-alive connection after 5 idle seconds (uvicorn's default), and a
    # browser step can idle this client that long: reusing a connection the server is just
    # closing fails the request (httpx.ReadError). Idle connections are dropped sooner here.
    limits = httpx.Limits(keepalive_expiry=1.0)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as http:
        yield Demo(base_url, admin, viewer, http)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield chromium
        await chromium.close()


@pytest.fixture
def expected_console_errors() -> list[str]:
    """Console errors a test provokes on purpose (a part of each message); any other fails it."""
    return []


@pytest.fixture
async def page(
    browser: Browser, demo: Demo, expected_console_errors: list[str]
) -> AsyncIterator[Page]:
    """A fresh browser context on the demo; no request may leave the server, no script fail,
    nothing be written to the console as an error."""
    context = await browser.new_context(
        base_url=demo.base_url, viewport={"width": 1440, "height": 900}, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    # The page's today is the run's pinned day (forms fill in "today"), its clock running on
    # from noon so timers and animations behave.
    await context.clock.set_system_time(datetime.combine(calendar.today(), time(12)).astimezone())
    tab = await context.new_page()
    elsewhere: list[str] = []
    failures: list[Any] = []
    tab.on(
        "request",
        lambda r: (
            None if r.url.startswith((demo.base_url, "data:", "blob:")) else elsewhere.append(r.url)
        ),
    )
    tab.on("pageerror", lambda error: failures.append(error))
    tab.on(
        "console",
        lambda message: (
            failures.append(f"console.error: {message.text}")
            if message.type == "error"
            and not any(part in message.text for part in expected_console_errors)
            else None
        ),
    )
    yield tab
    await context.close()
    assert not elsewhere, f"requests to other hosts: {elsewhere}"
    assert not failures, f"script errors: {failures}"


async def accessibility_violations(page: Page) -> list[str]:
    """What axe-core finds wrong on the page as it is now (WCAG 2 A and AA rules), one line a
    violation with the elements it names."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        assert AXE.is_file(), "axe-core is not installed: run `make console`"
        # Through the DevTools protocol: the console's Content-Security-Policy (script-src
        # 'self') rightly refuses an inline script, and axe is no part of the console.
        devtools = await page.context.new_cdp_session(page)
        await devtools.send("Runtime.evaluate", {"expression": AXE.read_text(encoding="utf-8")})
        await devtools.detach()
    found = await page.evaluate(
        """() => axe.run(document, {runOnly: {type: "tag", values: AXE_TAGS}}).then((r) =>
            r.violations.map((v) => `${v.id}: ${v.help} — ${
                v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`))""".replace(
            "AXE_TAGS", str(AXE_TAGS)
        )
    )
    return list(found)


async def shot(page: Page, name: str, full_page: bool = False) -> Path:
    """Keep a screenshot of this step under test-artifacts/console/."""
    path = ARTIFACTS / f"{name}.png"
    await page.wait_for_timeout(400)  # let the chart's transition finish
    await page.screenshot(path=str(path), full_page=full_page)
    return path


async def sign_in(page: Page, token: str, lang: str = "zh") -> None:
    """Sign in through the console's form and wait for the org chart."""
    await page.goto(f"/console?lang={lang}")
    await page.fill("input[name=token]", token)
    await page.click("form.signin button[type=submit]")
    await page.wait_for_selector("#view[data-ready=chart]")
