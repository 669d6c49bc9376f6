"""The organiser's console on the web: sign-in, pages, the self-hosted GraphQL IDE, downloads.

The front end is built from `console/` (Vite) into `registry/web/static/`; this package only
serves it, keeps the session cookie and answers the few requests that are not GraphQL.
"""

from registry.web.routes import web_routes
from registry.web.session import kept_request_actor, request_actor_in

__all__ = ["kept_request_actor", "request_actor_in", "web_routes"]
