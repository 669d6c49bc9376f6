"""The console and the GraphQL IDE pages, as built by Vite into `static/`.

Every page is sent with a Content-Security-Policy that lets it load nothing but gridreg's own
files and talk to nothing but gridreg itself: the pages work on an intranet with no internet.
"""

from __future__ import annotations

import json
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

STATIC = Path(__file__).resolve().parent / "static"
# Vite's record of the build: each page's scripts, styles and assets, and what they import.
MANIFEST = STATIC / ".vite" / "manifest.json"

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    )
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>gridreg</title>
<p>The console has not been built. Run <code>make run</code> (or <code>npm ci &amp;&amp;
npm run build</code> in <code>console/</code>) and reload.</p>"""


def built_page(name: str) -> Response:
    """A page of the built front end (`index.html`, `ide.html`), or a note to build it."""
    page = STATIC / name
    if not page.is_file():
        return HTMLResponse(NOT_BUILT, status_code=503, headers=HEADERS)
    return HTMLResponse(page.read_text(encoding="utf-8"), headers=HEADERS)


async def console_page(_: Request) -> Response:
    """The organiser's console (a single page; it signs in through /console/session)."""
    return built_page("index.html")


async def home(_: Request) -> Response:
    return RedirectResponse("/console", status_code=307)


def page_files(page: str) -> frozenset[str]:
    """The built files (paths under `static/`) that `page` (`index.html`) needs: itself, its
    scripts and styles and everything they import, as Vite's manifest lists them. Only the
    page itself when the build has no manifest."""
    try:
        manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    files = {page}
    seen: set[str] = set()
    todo = [page]
    while todo:
        key = todo.pop()
        if key in seen or key not in manifest:
            continue
        seen.add(key)
        chunk = manifest[key]
        files.add(chunk["file"])
        files.update(chunk.get("css", ()), chunk.get("assets", ()))
        todo.extend([*chunk.get("imports", ()), *chunk.get("dynamicImports", ())])
    return frozenset(files)


def ide_page() -> Response:
    """The self-hosted GraphiQL IDE served at GET /graphql (text/html)."""
    return built_page("ide.html")
