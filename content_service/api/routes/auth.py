"""/auth: log in and out; /me: the caller and their personal API tokens."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi import APIRouter, Request, Response, status

from content_service.api.deps import PrincipalDep, SessionDep, SettingsDep, credentials
from content_service.schemas.auth import (
    LoginPublic,
    LoginRequest,
    TokenCreate,
    TokenCreatedPublic,
    TokenPublic,
)
from content_service.schemas.people import UserPublic
from content_service.services import auth as auth_service
from content_service.services import people as people_service

router = APIRouter(tags=["auth"])


@router.post("/auth/login", response_model=LoginPublic)
async def login(
    data: LoginRequest, response: Response, session: SessionDep, settings: SettingsDep
) -> LoginPublic:
    """Log in with a username and password; sets the session cookie."""
    token, user, expires = await auth_service.login(
        session=session,
        username=data.username,
        password=data.password,
        lifetime=timedelta(seconds=settings.SESSION_MAX_AGE_SECONDS),
    )
    set_session_cookie(response, settings=settings, token=token)
    return LoginPublic(
        user=UserPublic.model_validate(user, from_attributes=True), expires_at=expires
    )


def set_session_cookie(response: Response, *, settings: SettingsDep, token: str) -> None:
    # SameSite=Lax: a cross-site form cannot ride on the cookie to change anything.
    response.set_cookie(
        settings.SESSION_COOKIE_NAME,
        token,
        max_age=settings.SESSION_MAX_AGE_SECONDS,
        httponly=True,
        samesite="lax",
        secure=settings.SECURE_COOKIES,
        path="/",
    )


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(
    request: Request, response: Response, session: SessionDep, settings: SettingsDep
) -> None:
    """End the current session (or revoke the bearer token used)."""
    token = credentials(request)
    if token:
        await auth_service.logout(session=session, token=token)
    response.delete_cookie(settings.SESSION_COOKIE_NAME, path="/")


@router.get("/me", response_model=UserPublic)
async def read_me(principal: PrincipalDep, session: SessionDep) -> UserPublic:
    """The logged-in user."""
    user = await people_service.get_user(
        session=session, principal=principal, user_id=principal.user_id
    )
    return UserPublic.model_validate(user, from_attributes=True)


@router.post("/me/tokens", response_model=TokenCreatedPublic, status_code=status.HTTP_201_CREATED)
async def create_token(
    data: TokenCreate, principal: PrincipalDep, session: SessionDep
) -> TokenCreatedPublic:
    """Create a personal API token for notebooks and scripts; the token is shown only once."""
    token, record = await auth_service.create_api_token(
        session=session, principal=principal, name=data.name, expires_in_days=data.expires_in_days
    )
    return TokenCreatedPublic(
        token=token, **TokenPublic.model_validate(record, from_attributes=True).model_dump()
    )


@router.get("/me/tokens", response_model=list[TokenPublic])
async def read_tokens(principal: PrincipalDep, session: SessionDep) -> list[TokenPublic]:
    """The caller's active personal API tokens."""
    records = await auth_service.list_api_tokens(session=session, principal=principal)
    return [TokenPublic.model_validate(r, from_attributes=True) for r in records]


@router.delete("/me/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_token(token_id: uuid.UUID, principal: PrincipalDep, session: SessionDep) -> None:
    """Revoke one of the caller's personal API tokens."""
    await auth_service.revoke_api_token(session=session, principal=principal, token_id=token_id)
