"""The common ground of the Starweb models: base classes, envelopes, amounts, timestamps, names.

Starweb answers camelCase JSON with ``null`` for anything unset and wraps every included child in
``{"data": ...}``; these helpers make the resource models tolerant of both. Amounts are read exactly
(``Decimal``) and written as JSON numbers; timestamps are ISO-8601 with an offset both ways.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, PlainSerializer
from pydantic.alias_generators import to_camel


def iso8601(moment: datetime, *, round_up: bool = False) -> str:
    """A timestamp as Starweb writes them (``2019-11-28T13:38:17+01:00``); naive times are refused.

    Starweb takes whole seconds. A fraction is dropped, or with ``round_up`` taken to the next second: an
    upper bound must not lose what happened earlier in its own second."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"Starweb needs timestamps with an offset, got naive {moment!r}")
    if round_up and moment.microsecond:
        moment = moment.replace(microsecond=0) + timedelta(seconds=1)
    return moment.isoformat(timespec="seconds")


def unwrap_data(value: Any) -> Any:
    """``{"data": X}`` → ``X``: Starweb wraps every included child in its own envelope."""
    if isinstance(value, Mapping) and "data" in value:
        return value["data"]
    return value


def unwrap_list(value: Any) -> Any:
    """Like ``unwrap_data``, and an absent or null collection becomes an empty list."""
    value = unwrap_data(value)
    return [] if value is None else value


# Read exactly, written as the JSON number the spec types amounts as.
Amount = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]
Timestamp = Annotated[AwareDatetime, PlainSerializer(iso8601, return_type=str, when_used="json")]


class StarwebModel(BaseModel):
    """A resource as Starweb answers it: tolerant of unknown fields and nulls."""

    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True, validate_by_alias=True,
                              serialize_by_alias=True, extra="ignore", defer_build=True)

    def to_body(self) -> dict[str, Any]:
        """The JSON body Starweb expects: camelCase, and only the fields that have a value."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class StarwebWrite(StarwebModel):
    """A request body: a misspelt field is a programming error, so unknown names are refused."""

    model_config = ConfigDict(extra="forbid")


class LanguageName(StarwebModel):
    """One translation of a resource's name (statuses, products, shipping and payment methods)."""

    lang_code: str | None = None
    name: str | None = None
    title: str | None = None
    short_description: str | None = None


def language_name(languages: Iterable[LanguageName], lang_code: str | None = None) -> str | None:
    """The name in ``lang_code`` if there is one, else the first name given."""
    named = [lang for lang in languages if lang.name]
    wanted = next((lang for lang in named if lang.lang_code == lang_code), None)
    chosen = wanted or (named[0] if named else None)
    return chosen.name if chosen else None


Languages = Annotated[list[LanguageName], BeforeValidator(unwrap_list)]
