"""Dependencies: the database session, the caller, and page parameters, as Annotated aliases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel.ext.asyncio.session import AsyncSession

from content_service.errors import AuthenticationError
from content_service.schemas.common import PageParams, page_params
from content_service.services import auth as auth_service
from content_service.services.access import Principal
from content_service.settings import Settings


# Dependencies are ``async def`` even when they do not await: FastAPI runs a plain ``def``
# dependency in a worker thread, a hop that cost more than the dependency on every request.
async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request: committed when the route returns, rolled back on any error."""
    async with request.app.state.sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
# scope="function": commit before the response is sent, so a 2xx means the change is durable.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
PageDep = Annotated[PageParams, Depends(page_params)]


def credentials(request: Request) -> str | None:
    """The bearer token, else the session cookie."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    cookie_name = request.app.state.settings.SESSION_COOKIE_NAME
    return request.cookies.get(cookie_name)


async def get_principal(request: Request, session: SessionDep) -> Principal:
    token = credentials(request)
    if not token:
        raise AuthenticationError("log in or send a bearer token", code="not_authenticated")
    principal = await auth_service.authenticate(session=session, token=token)
    request.state.principal = principal
    return principal


async def principal_or_none(session: AsyncSession, token: str | None) -> Principal | None:
    """Who the token stands for; ``None`` without a token or when it does not authenticate
    (where an account is optional, a bad token is treated as none)."""
    if not token:
        return None
    try:
        return await auth_service.authenticate(session=session, token=token)
    except AuthenticationError:
        return None


async def get_optional_principal(request: Request, session: SessionDep) -> Principal | None:
    return await principal_or_none(session, credentials(request))


PrincipalDep = Annotated[Principal, Depends(get_principal)]
OptionalPrincipalDep = Annotated[Principal | None, Depends(get_optional_principal)]
