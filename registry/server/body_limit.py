"""Request bodies over the deployment's limit are refused (413) before the app reads them."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from registry.web.headers import raw_header
from registry.web.refusals import CONSOLE_PATHS, refusal


def error_document(message: str, code: str) -> bytes:
    """A refusal made before GraphQL runs, in the shape of GraphQL's own errors."""
    return json.dumps({"errors": [{"message": message, "extensions": {"code": code}}]}).encode()


# A body over the limit is still read (and dropped) up to this many times the limit, so that
# the client, still sending, receives the 413 rather than a connection reset.
_DRAIN = 16


class BodyLimit:
    """The deployment's bound on a request's body: the body read within it, or refused (413)
    past it. Declared lengths are refused before a byte is read, streamed bodies as soon as
    they pass the limit; a limit of 0 or less bounds nothing."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes

    async def read(self, scope: Scope, receive: Receive, send: Send) -> list[Message] | None:
        """The request's messages up to the end of its body (or the client's going away), or
        None when the body is over the limit: then it has been refused, with a 413."""
        bound = self.max_bytes if self.max_bytes > 0 else None
        declared = raw_header(scope, b"content-length")
        if bound and declared and declared.isdigit() and int(declared) > _DRAIN * bound:
            await self._refuse(scope, send)  # far too big to read even to throw away: close at once
            return None
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                messages.append(message)
                break
            size += len(message.get("body", b""))
            if bound is None or size <= bound:
                messages.append(message)
            elif size > _DRAIN * bound:
                break
            if not message.get("more_body", False):
                break
        if bound is not None and size > bound:
            # Read (and dropped) up to a bound, so the client gets the answer, not a reset.
            await self._refuse(scope, send)
            return None
        return messages

    async def _refuse(self, scope: Scope, send: Send) -> None:
        message = (
            f"the request body is larger than {self.max_bytes} bytes; send a smaller request "
            "(split bulk work, or import a workbook)"
        )
        if str(scope.get("path", "")).startswith(CONSOLE_PATHS):
            # The console reads its endpoints' refusals, not GraphQL's errors.
            answer = refusal(message, "PAYLOAD_TOO_LARGE", limit="bytes", value=self.max_bytes)
            body = json.dumps(answer).encode()
        else:
            body = error_document(message, "PAYLOAD_TOO_LARGE")
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class BodySizeLimit:
    """Raw ASGI middleware: refuse HTTP request bodies over `max_bytes` with 413, before the
    application reads a byte of them (`BodyLimit`). Paths in `own_limit` stream their bodies
    and bound them themselves (a workbook upload)."""

    def __init__(self, app: ASGIApp, max_bytes: int, own_limit: tuple[str, ...] = ()) -> None:
        self.app = app
        self.limit = BodyLimit(max_bytes)
        self.own_limit = own_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        unbounded = self.limit.max_bytes <= 0  # nothing to refuse: the body streams on
        if scope["type"] != "http" or unbounded or scope.get("path") in self.own_limit:
            await self.app(scope, receive, send)
            return
        messages = await self.limit.read(scope, receive, send)
        if messages is not None:
            await self.app(scope, replaying(messages, receive), send)


def replaying(messages: list[Message], receive: Receive) -> Receive:
    """`receive` with the messages already read handed out first, so that whoever answers
    reads the request as it came."""

    async def replay() -> Message:
        return messages.pop(0) if messages else await receive()

    return replay
