"""The console's routes, mounted by `registry.app`."""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from registry.web.downloads import coverage_download, table_download
from registry.web.pages import STATIC, console_page, home
from registry.web.signin import session_endpoint


def web_routes() -> list[BaseRoute]:
    """Pages, sign-in, downloads and the built static files."""
    return [
        Route("/", home),
        Route("/console", console_page),
        Route("/console/session", session_endpoint, methods=["GET", "POST", "DELETE"]),
        Route("/console/export/coverage.xlsx", coverage_download),
        Route("/console/export/table.xlsx", table_download, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static"),
    ]
