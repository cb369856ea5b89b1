"""Logging in, sessions and personal API tokens."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.errors import AuthenticationError, NotFoundError
from content_service.models.auth import ApiTokenRecord, TokenKind
from content_service.models.base import as_utc, utcnow
from content_service.models.people import ParentLinkRecord, Role, UserRecord
from content_service.security import hash_token, new_token, verify_password
from content_service.services.access import Principal
from content_service.services.audit import record_audit

# last_used_at is informative; writing it on every request would turn each read into a write.
_LAST_USED_RESOLUTION = timedelta(minutes=5)


async def login(
    *, session: AsyncSession, username: str, password: str, lifetime: timedelta
) -> tuple[str, UserRecord, datetime]:
    """Check a password and open a session; the same error for unknown user and wrong password."""
    user = (
        await session.exec(select(UserRecord).where(UserRecord.username == username.lower()))
    ).first()
    if not verify_password(password, user.password_hash if user else None) or user is None:
        raise AuthenticationError("wrong username or password", code="invalid_credentials")
    if not user.is_active:
        raise AuthenticationError("this account is disabled", code="account_disabled")
    token = new_token()
    expires = utcnow() + lifetime
    session.add(
        ApiTokenRecord(
            user_id=user.id,
            kind=TokenKind.SESSION,
            name="web",
            token_hash=hash_token(token),
            prefix=token[:10],
            expires_at=expires,
        )
    )
    principal = await principal_for(session=session, user=user)
    record_audit(
        session=session, actor=principal, action="auth.login", entity="user", entity_id=user.id
    )
    return token, user, expires


async def logout(*, session: AsyncSession, token: str) -> None:
    record = (
        await session.exec(
            select(ApiTokenRecord).where(ApiTokenRecord.token_hash == hash_token(token))
        )
    ).first()
    if record is not None and record.revoked_at is None:
        record.revoked_at = utcnow()
        session.add(record)


async def principal_for(*, session: AsyncSession, user: UserRecord) -> Principal:
    children: frozenset[uuid.UUID] = frozenset()
    if user.role == Role.PARENT:
        rows = await session.exec(
            select(ParentLinkRecord.student_id).where(ParentLinkRecord.parent_id == user.id)
        )
        children = frozenset(rows.all())
    return Principal(
        user_id=user.id,
        username=user.username,
        role=Role(user.role),
        school_id=user.school_id,
        children=children,
    )


async def authenticate(*, session: AsyncSession, token: str) -> Principal:
    """The principal a session cookie or bearer token stands for, or AuthenticationError."""
    found = (
        await session.exec(
            select(ApiTokenRecord, UserRecord)
            .join(UserRecord, col(UserRecord.id) == col(ApiTokenRecord.user_id))
            .where(ApiTokenRecord.token_hash == hash_token(token))
        )
    ).first()
    if found is None:
        raise AuthenticationError("invalid token", code="invalid_token")
    record, user = found
    now = utcnow()
    if record.revoked_at is not None or (record.expires_at and as_utc(record.expires_at) <= now):
        raise AuthenticationError("token expired or revoked", code="invalid_token")
    if not user.is_active:
        raise AuthenticationError("this account is disabled", code="account_disabled")
    if record.last_used_at is None or now - as_utc(record.last_used_at) > _LAST_USED_RESOLUTION:
        record.last_used_at = now
        session.add(record)
    return await principal_for(session=session, user=user)


async def create_api_token(
    *, session: AsyncSession, principal: Principal, name: str, expires_in_days: int | None
) -> tuple[str, ApiTokenRecord]:
    token = new_token()
    record = ApiTokenRecord(
        user_id=principal.user_id,
        kind=TokenKind.API,
        name=name,
        token_hash=hash_token(token),
        prefix=token[:10],
        expires_at=utcnow() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    session.add(record)
    record_audit(
        session=session,
        actor=principal,
        action="token.create",
        entity="api_token",
        entity_id=record.id,
    )
    return token, record


async def list_api_tokens(*, session: AsyncSession, principal: Principal) -> list[ApiTokenRecord]:
    rows = await session.exec(
        select(ApiTokenRecord)
        .where(ApiTokenRecord.user_id == principal.user_id)
        .where(ApiTokenRecord.kind == TokenKind.API)
        .where(col(ApiTokenRecord.revoked_at).is_(None))
        .order_by(col(ApiTokenRecord.created_at))
    )
    return list(rows.all())


async def revoke_api_token(
    *, session: AsyncSession, principal: Principal, token_id: uuid.UUID
) -> None:
    record = await session.get(ApiTokenRecord, token_id)
    if record is None or record.user_id != principal.user_id or record.kind != TokenKind.API:
        raise NotFoundError(f"token {token_id} not found", code="token_not_found")
    record.revoked_at = utcnow()
    session.add(record)
    record_audit(
        session=session,
        actor=principal,
        action="token.revoke",
        entity="api_token",
        entity_id=token_id,
    )
