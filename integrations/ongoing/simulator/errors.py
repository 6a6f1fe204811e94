"""Errors the simulator answers with, in the shape Ongoing's ASP.NET Web API uses: ``{"Message": …}``.

Route code raises ``OngoingError(status, message)``; the handlers installed here also translate
framework errors (unknown route, wrong method, invalid query or body) into that same shape, naming the
offending field the way a client author needs to see it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

AUTH_DENIED = "Authorization has been denied for this request."
INTERNAL_ERROR = "An error has occurred."


class OngoingError(Exception):
    """A refusal the simulated Ongoing sends back as ``{"Message": message}`` with ``status``."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


def bad_request(message: str) -> OngoingError:
    return OngoingError(400, message)


def not_found(message: str) -> OngoingError:
    return OngoingError(404, message)


def _field_path(loc: Sequence[Any]) -> str:
    parts = [p for p in loc if p not in ("body", "query", "path", "header")]
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "body"


def describe_validation_errors(errors: Sequence[dict[str, Any]]) -> str:
    problems = []
    for error in errors:
        field = _field_path(error.get("loc", ()))
        if error.get("type") == "missing":
            problems.append(f"{field} is required.")
        else:
            problems.append(f"{field}: {error.get('msg', 'invalid value')}.")
    return "The request is invalid. " + " ".join(problems)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(OngoingError)
    async def _ongoing_error(_: Request, exc: OngoingError) -> JSONResponse:
        return JSONResponse({"Message": exc.message}, status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"Message": describe_validation_errors(exc.errors())}, status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            message = f"No HTTP resource was found that matches the request URI '{request.url}'."
        elif exc.status_code == 405:
            message = f"The requested resource does not support http method '{request.method}'."
        else:
            message = str(exc.detail)
        return JSONResponse({"Message": message}, status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, __: Exception) -> JSONResponse:
        return JSONResponse({"Message": INTERNAL_ERROR}, status_code=500)
