"""OAuth2 client credentials as Starweb does them, and the bearer guard on every other route.

``POST /api/v2/token`` takes a form body and answers ``{access_token, scope, expires_in}``; wrong
credentials are a 400 ``invalid_client`` (not a 401), and there is no refresh token. A missing,
unknown or expired bearer gets 401 ``invalid_token``, which Starweb's SDK answers by fetching a
new token. Tokens live in the store with their expiry on the simulator's clock.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from integrations.starweb.simulator.errors import StarwebError
from integrations.starweb.simulator.state import TOKEN, SimState


def _oauth_error(status: int, error: str, description: str) -> StarwebError:
    headers = {"WWW-Authenticate": f'Bearer error="{error}"'} if status == 401 else None
    return StarwebError(status, error, description, headers=headers)


def token_router(state: SimState) -> APIRouter:
    router = APIRouter()

    @router.post("/token")
    async def issue_token(request: Request) -> JSONResponse:
        form = {key: values[0] for key, values in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
        grant_type = form.get("grant_type")
        if not grant_type:
            raise _oauth_error(400, "invalid_request", "grant_type is required")
        if grant_type != "client_credentials":
            raise _oauth_error(400, "unsupported_grant_type", "only client_credentials is supported")
        settings = state.settings
        id_ok = secrets.compare_digest(form.get("client_id", "").encode(), settings.client_id.encode())
        secret_ok = secrets.compare_digest(form.get("client_secret", "").encode(),
                                           settings.client_secret.get_secret_value().encode())
        if not (id_ok and secret_ok):
            raise _oauth_error(400, "invalid_client", "invalid credentials")
        token = secrets.token_urlsafe(24)
        lifetime = settings.token_lifetime_seconds
        state.store.put(TOKEN, token, {"token": token, "expiresAt": state.clock.now().timestamp() + lifetime})
        return JSONResponse({"access_token": token, "scope": "", "expires_in": lifetime})

    return router


def bearer_guard(state: SimState) -> Callable[[Request], None]:
    """A dependency every vendor route except ``/token`` runs first."""

    def guard(request: Request) -> None:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _oauth_error(401, "invalid_token", "The access token is missing")
        record = state.store.get(TOKEN, token.strip())
        if record is None:
            raise _oauth_error(401, "invalid_token", "The access token is invalid")
        if record["expiresAt"] <= state.clock.now().timestamp():
            raise _oauth_error(401, "invalid_token", "The access token has expired")

    return guard


def expire_all_tokens(state: SimState) -> int:
    """Age every issued token past its expiry, so clients must fetch a new one."""
    expired_at = state.clock.now().timestamp() - 1
    with state.store.transaction():
        tokens = state.store.all(TOKEN)
        for record in tokens:
            state.store.put(TOKEN, record["token"], {**record, "expiresAt": expired_at})
    return len(tokens)
