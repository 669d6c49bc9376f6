"""Token administration: list tokens (never their raw values) and revoke them.

A revocation reaches every server process as soon as it hears of it (registry.access.changes):
the actors they keep are forgotten, and the next check reads the token row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from registry.access.tokens import TOKEN_PREFIX, hash_token
from registry.core.errors import ErrorCode, fail
from registry.core.models import ApiToken, ConsoleSession, Organisation


@dataclass(frozen=True)
class TokenInfo:
    """What may be shown about a token: everything but its value."""

    id: int
    role: str
    scope: str | None
    label: str | None
    created_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and _aware(self.expires_at) <= datetime.now(UTC):
            return "expired"
        return "active"


async def list_tokens(session: AsyncSession) -> list[TokenInfo]:
    """Every token, oldest first, with its scope's organisation code."""
    rows = await session.execute(
        select(ApiToken, Organisation.code)
        .outerjoin(Organisation, Organisation.id == ApiToken.scope_organisation_id)
        .order_by(ApiToken.id)
    )
    return [
        TokenInfo(
            id=token.id,
            role=token.role,
            scope=code,
            label=token.label,
            created_at=token.created_at,
            expires_at=token.expires_at,
            revoked_at=token.revoked_at,
        )
        for token, code in rows
    ]


async def revoke_token(session: AsyncSession, key: str) -> int:
    """Revoke a token given by its id (from `gridreg token list`) or its raw value; returns
    the id. Revoking a revoked token is refused, so a typo cannot pass for success."""
    if key.startswith(TOKEN_PREFIX):
        query = select(ApiToken).where(ApiToken.token_hash == hash_token(key))
    elif key.isascii() and key.isdigit() and len(key) < 19:  # "²" is a digit, no number
        query = select(ApiToken).where(ApiToken.id == int(key))
    else:
        raise fail(
            "token",
            f"give a token id (see `gridreg token list`) or a raw token, not {key!r}",
            ErrorCode.INVALID,
            "TOKEN_REF",
            value=key,
        )
    token = await session.scalar(query)
    if token is None:
        raise fail(
            "token",
            "no such token",
            ErrorCode.NOT_FOUND,
            "NO_SUCH_TOKEN",
        )
    if token.revoked_at is not None:
        raise fail(
            "token",
            f"token {token.id} was already revoked",
            ErrorCode.CONFLICT,
            "TOKEN_REVOKED",
            id=token.id,
        )
    token.revoked_at = datetime.now(UTC)
    # Its console sessions end with it (authentication refuses them anyway): no row outlives
    # the token it was opened with.
    await session.execute(delete(ConsoleSession).where(ConsoleSession.token_id == token.id))
    await session.flush()
    return token.id


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
