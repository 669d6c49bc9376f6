"""The organiser's console on the web: sign-in, pages, the self-hosted GraphQL IDE, downloads.

The front end is built from `console/` (Vite) into `registry/web/static/`; this package only
serves it, keeps the session cookie and answers the few requests that are not GraphQL.
"""

from registry.web.routes import web_routes
from registry.web.session import request_token

__all__ = ["request_token", "web_routes"]
