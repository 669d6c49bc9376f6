"""The console and the GraphQL IDE pages, as built by Vite into `static/`.

Every page is sent with a Content-Security-Policy that lets it load nothing but gridreg's own
files and talk to nothing but gridreg itself: the pages work on an intranet with no internet.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

STATIC = Path(__file__).resolve().parent / "static"

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


def ide_page() -> Response:
    """The self-hosted GraphiQL IDE served at GET /graphql (text/html)."""
    return built_page("ide.html")
