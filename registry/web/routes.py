"""The console's routes, mounted by `registry.server.app`."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from registry.web.downloads import coverage_download, table_download
from registry.web.importing import IMPORT_PATH, TEMPLATE_PATH, import_endpoint, template_download
from registry.web.pages import STATIC, console_page, home, page_files
from registry.web.signin import session_endpoint


class PageFiles(StaticFiles):
    """The built static files that the pages served need, and nothing else: with the IDE off,
    a request for the IDE's page or scripts finds nothing, as does one for the manifest."""

    def __init__(self, pages: tuple[str, ...]) -> None:
        super().__init__(directory=STATIC, check_dir=False)
        self.files = frozenset().union(*(page_files(page) for page in pages))

    async def get_response(self, path: str, scope: Scope) -> Response:
        if path not in self.files:
            raise HTTPException(status_code=404)
        return await super().get_response(path, scope)


def web_routes(ide: bool) -> list[BaseRoute]:
    """Pages, sign-in, downloads and the built static files (the IDE's only if `ide`)."""
    files = PageFiles(("index.html", "ide.html") if ide else ("index.html",))
    return [
        Route("/", home),
        Route("/console", console_page),
        Route("/console/session", session_endpoint, methods=["GET", "POST", "DELETE"]),
        Route("/console/export/coverage.xlsx", coverage_download),
        Route("/console/export/table.xlsx", table_download, methods=["POST"]),
        Route(IMPORT_PATH, import_endpoint, methods=["POST"]),
        Route(TEMPLATE_PATH, template_download),
        Mount("/static", files, name="static"),
    ]
