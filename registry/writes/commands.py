"""Commands: what a write asks for, as a typed value, and the one service that does it.

A mutation's input converts itself into a command (`registry.api.mutations.runner`); the
runner opens the transaction and calls `execute`, which finds the service registered for the
command's type with `@handles`. Services take (session, actor, command) and nothing else:
the change log writes itself (`registry.audit.changelog`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from registry.access.actor import Actor

Service = Callable[[AsyncSession, Actor, Any], Awaitable[Any]]
S = TypeVar("S", bound=Service)

SERVICES: dict[type, Service] = {}


def handles(command: type) -> Callable[[S], S]:
    """Register the decorated service as the one that carries out `command`."""

    def register(service: S) -> S:
        if command in SERVICES:
            raise TypeError(f"{command.__name__} already has a service")
        SERVICES[command] = service
        return service

    return register


async def execute(session: AsyncSession, actor: Actor, command: object) -> Any:
    """Carry out `command` with its service, in the caller's write session."""
    try:
        service = SERVICES[type(command)]
    except KeyError:
        raise TypeError(f"no service handles {type(command).__name__}") from None
    return await service(session, actor, command)
