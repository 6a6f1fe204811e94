"""Starweb's error answers: every failure is an ``ErrorModel`` body ``{"error", "error_description"}``.

Handlers here turn the simulator's own ``StarwebError``, request-validation failures, unknown routes
and wrong methods into that shape with the statuses the spec uses (400, 401, 403, 404, 405). The
spec does not list Starweb's error codes beyond OAuth's, so the codes follow the spec's response
names (bad_request, forbidden, not_found, method_not_allowed).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException


class StarwebError(Exception):
    """An answer in Starweb's ErrorModel shape."""

    def __init__(self, status: int, error: str, description: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description
        self.headers = headers or {}

    def response(self) -> JSONResponse:
        return JSONResponse(error_body(self.error, self.description), status_code=self.status, headers=self.headers)


def error_body(error: str, description: str) -> dict[str, str]:
    return {"error": error, "error_description": description}


def bad_request(description: str) -> StarwebError:
    return StarwebError(400, "bad_request", description)


def forbidden(description: str) -> StarwebError:
    return StarwebError(403, "forbidden", description)


def not_found(what: str) -> StarwebError:
    return StarwebError(404, "not_found", f"{what} not found")


# What the fault injector answers with, so injected failures look like Starweb's own.
FAULT_ERROR_BODIES: dict[str, Any] = {
    "429": error_body("too_many_requests", "Too many requests"),
    "500": error_body("server_error", "Internal server error"),
    "502": error_body("bad_gateway", "Bad gateway"),
    "503": error_body("service_unavailable", "Service unavailable"),
    "504": error_body("gateway_timeout", "Gateway timeout"),
    "401": error_body("invalid_token", "The access token has expired"),
    "default": error_body("server_error", "Something went wrong"),
}

_STATUS_CODES = {400: "bad_request", 401: "invalid_token", 403: "forbidden", 404: "not_found",
                 405: "method_not_allowed"}


def _describe_validation(exc: RequestValidationError) -> str:
    problems = []
    for error in exc.errors()[:5]:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")]
        problems.append(f"{'.'.join(location) or 'request'}: {error.get('msg', 'invalid')}")
    return "; ".join(problems) or "Invalid request"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarwebError)
    async def on_starweb_error(_: Request, exc: StarwebError) -> JSONResponse:
        return exc.response()

    @app.exception_handler(RequestValidationError)
    async def on_invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(error_body("bad_request", _describe_validation(exc)), status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "error")
        return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))
