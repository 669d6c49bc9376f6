"""The fixed cost's floor: an ASGI app that reads a request and answers `{ __typename }` at
once, served by uvicorn as gridreg is. What it costs the server per request is what uvicorn,
uvloop and the kernel cost before gridreg does anything (`benchmarks.fixed_cost`)."""

from __future__ import annotations

from starlette.types import Receive, Scope, Send

ANSWER = b'{"data":{"__typename":"Query"}}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(ANSWER))]


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """Read the request whole, then answer `{ __typename }` as gridreg would."""
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body", False):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": ANSWER})


def main() -> None:
    """Serve the app on loopback at `--port`, with gridreg's uvicorn options."""
    import argparse

    import uvicorn

    from registry.server.serving import uvicorn_options

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    uvicorn.run(app, host="127.0.0.1", port=port, **uvicorn_options(log_level="warning"))


if __name__ == "__main__":
    main()
