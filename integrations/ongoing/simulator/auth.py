"""Access to the vendor routes: the warehouse in the URL, then HTTP Basic credentials of the API user.

Ongoing gives every warehouse its own URL segment (``/{warehouse}/api/v1``), so another warehouse name
finds nothing (404). Missing or wrong credentials get ASP.NET's standard 401 denial.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Callable

from fastapi import Request

from integrations.ongoing.simulator.errors import AUTH_DENIED, OngoingError
from integrations.ongoing.simulator.settings import OngoingSimSettings


def _basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, separator, password = decoded.partition(":")
    return (username, password) if separator else None


def vendor_access(settings: OngoingSimSettings) -> Callable[[Request], None]:
    """A dependency guarding every vendor route."""
    expected_user = settings.username.encode()
    expected_password = settings.password.get_secret_value().encode()

    def guard(request: Request) -> None:
        if request.path_params.get("warehouse") != settings.warehouse:
            raise OngoingError(404, f"No HTTP resource was found that matches the request URI '{request.url}'.")
        credentials = _basic_credentials(request.headers.get("authorization"))
        if credentials is None:
            raise OngoingError(401, AUTH_DENIED, headers={"WWW-Authenticate": "Basic"})
        user_ok = secrets.compare_digest(credentials[0].encode(), expected_user)
        password_ok = secrets.compare_digest(credentials[1].encode(), expected_password)
        if not (user_ok and password_ok):
            raise OngoingError(401, AUTH_DENIED, headers={"WWW-Authenticate": "Basic"})

    return guard
