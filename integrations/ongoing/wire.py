"""What Ongoing's HTTP messages look like: error texts, query strings and 2xx bodies.

Errors carry ASP.NET's ``{"Message": …}``. Query strings start with ``goodsOwnerId``, send arrays
as repeated keys (a comma-joined value matches nothing) and times as UTC ISO-8601 with an offset.
Every 2xx body is validated into a model here; one that does not fit raises ``UnexpectedResponse``
naming the endpoint, without echoing the body's values (they may be customer addresses). A body that is
not JSON at all (cut off, or a proxy's page) is ``UnreadableAnswer``, which is retried.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date, datetime
from functools import cache
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from integrations.errors import UnexpectedResponse
from integrations.http import json_message, unreadable_answer
from integrations.ongoing.models_base import NullableList, wire_time

log = logging.getLogger(__name__)

VENDOR = "ongoing"
Model = TypeVar("Model", bound=BaseModel)
QueryValue = str | int | float | bool | date | datetime | Sequence[str] | None

_plain_message = json_message("Message", "message")


def ongoing_message(response: httpx.Response) -> str | None:
    """Ongoing's error text: ``{"Message": …}`` plus any per-field ``ModelState`` errors."""
    message = _plain_message(response)
    try:
        body = response.json()
    except ValueError:
        return message
    model_state = body.get("ModelState") if isinstance(body, dict) else None
    if isinstance(model_state, dict):
        details = [str(text) for texts in model_state.values()
                   for text in (texts if isinstance(texts, list) else [texts]) if text]
        message = " ".join(filter(None, [message, *details])) or None
    return message


def build_query(goods_owner_id: int, **filters: QueryValue) -> list[tuple[str, str]]:
    """``goodsOwnerId`` then the filters that are set; sequences become repeated keys."""
    params = [("goodsOwnerId", str(goods_owner_id))]
    for name, value in filters.items():
        if value is None:
            continue
        if isinstance(value, str | int | float | date):
            params.append((name, _query_value(value)))
        else:
            params.extend((name, str(item)) for item in value)
    return params


def _query_value(value: str | int | float | date) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return wire_time(value)
    return str(value)


def parse_body(response: httpx.Response, model: type[Model], endpoint: str) -> Model:
    return _validate(_json(response, endpoint), _adapter(model), endpoint)


def parse_list(response: httpx.Response, model: type[Model], endpoint: str) -> list[Model]:
    """A JSON array of ``model`` (a null body counts as an empty list)."""
    return _validate(_json(response, endpoint), _list_adapter(model), endpoint)


def parse_write_response(response: httpx.Response, model: type[Model], id_key: str, endpoint: str,
                         **extra: Any) -> Model:
    """A PUT's ``{<id_key>, message}``. A 2xx without the id is permanent: retrying could duplicate work."""
    body = _json(response, endpoint)
    try:
        return model.model_validate({**body, **extra} if isinstance(body, dict) else body)
    except ValidationError as exc:
        said = body.get("message") if isinstance(body, dict) else None
        raise UnexpectedResponse(
            f"{VENDOR} answered {endpoint} with HTTP {response.status_code} but no numeric {id_key} "
            f"({_summary(exc)}). Not retried automatically: the write may have landed, so look the object "
            "up by its number before sending it again",
            vendor=VENDOR, status=response.status_code, endpoint=endpoint, vendor_message=said,
        ) from None


def newest_match(found: list[Model], number: str, number_of: Callable[[Model], str | None],
                 id_of: Callable[[Model], int]) -> Model | None:
    """The object whose business number matches; the newest if Ongoing holds several."""
    matches = [item for item in found if (number_of(item) or "").casefold() == number.casefold()]
    if len(matches) > 1:
        # PATCH orderNumber does not check uniqueness, so duplicates can exist at the vendor.
        log.warning("%s holds %d objects numbered %s; using the newest", VENDOR, len(matches), number)
    return max(matches, key=id_of, default=None)


def _json(response: httpx.Response, endpoint: str) -> Any:
    try:
        return response.json()
    except ValueError:
        raise unreadable_answer(response, VENDOR, endpoint) from None


@cache
def _adapter(model: type[Model]) -> TypeAdapter[Model]:
    return TypeAdapter(model)


@cache
def _list_adapter(model: type[Model]) -> TypeAdapter[list[Model]]:
    return TypeAdapter(NullableList[model])  # type: ignore[valid-type]


def _validate(body: Any, adapter: TypeAdapter[Any], endpoint: str) -> Any:
    try:
        return adapter.validate_python(body)
    except ValidationError as exc:
        raise UnexpectedResponse(
            f"{VENDOR} answered {endpoint} with a body that does not match its model: {_summary(exc)}",
            vendor=VENDOR, endpoint=endpoint,
        ) from None


def _summary(error: ValidationError) -> str:
    # Locations and reasons only: the offending values may be customer addresses.
    problems = [f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in error.errors()[:5]]
    more = f" (+{error.error_count() - 5} more)" if error.error_count() > 5 else ""
    return "; ".join(problems) + more
