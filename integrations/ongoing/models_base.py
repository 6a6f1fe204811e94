"""Building blocks shared by every Ongoing model: the base class and small value objects.

Ongoing's JSON uses camelCase names and serialises absent members as ``null`` rather than omitting
them, so every read model accepts nulls (null lists become empty lists) and ignores members it does
not know. Write models serialise with the vendor's names and leave out what was not set.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, PlainSerializer, PlainValidator
from pydantic.alias_generators import to_camel

T = TypeVar("T")


class OngoingModel(BaseModel):
    """Base of every Ongoing model: camelCase aliases, snake_case attributes, unknown members ignored."""

    model_config = ConfigDict(populate_by_name=True, alias_generator=to_camel, extra="ignore", defer_build=True)


class OngoingWrite(OngoingModel):
    """A request body: members left as ``None`` are not sent, so the vendor keeps or defaults them."""

    def to_wire(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


def _empty_if_null(value: Any) -> Any:
    return [] if value is None else value


def _utc_if_naive(value: datetime) -> datetime:
    # Ongoing answers in UTC; date-only members ("2019-10-10") arrive without an offset.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _date_or_aware_datetime(value: Any) -> date | datetime:
    if isinstance(value, str):
        value = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    if not isinstance(value, date):
        raise ValueError("expected a date or a timezone-aware datetime")
    if isinstance(value, datetime) and value.tzinfo is None:
        raise ValueError(f"naive datetime {value.isoformat()} is ambiguous; pass a timezone-aware datetime")
    return value


def wire_time(value: date | datetime) -> str:
    """A date stays date-only; a datetime is sent as UTC ISO-8601 with an explicit offset."""
    value = _date_or_aware_datetime(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="milliseconds")
    return value.isoformat()


# A list the vendor may send as null; read models always expose a list.
NullableList = Annotated[list[T], BeforeValidator(_empty_if_null)]
# A timestamp read from Ongoing, always timezone-aware (UTC when the vendor gave no offset).
OngoingTime = Annotated[datetime, AfterValidator(_utc_if_naive)]
# A date or datetime written to Ongoing (deliveryDate, inDate …).
WireTime = Annotated[date | datetime, PlainValidator(_date_or_aware_datetime),
                     PlainSerializer(wire_time, return_type=str)]


class CodeName(OngoingModel):
    """Ongoing's ubiquitous ``{code, name}`` pair (way of delivery, return cause, article group …)."""

    code: str | None = None
    name: str | None = None


class Status(OngoingModel):
    """A status as Ongoing shows it. ``text`` is localised to the API user's language: key off ``number``."""

    number: int | None = None
    text: str | None = None


class Notification(OngoingModel):
    """Whether and where the consignee is notified (e-mail address or phone number in ``value``)."""

    to_be_notified: bool | None = None
    value: str | None = None


class GoodsOwnerRef(OngoingModel):
    id: int | None = None
    name: str | None = None


class WarehouseRef(OngoingModel):
    id: int | None = None
    code: str | None = None
    name: str | None = None


class ArticleRef(OngoingModel):
    """The article an order, purchase-order or return line refers to."""

    article_system_id: int | None = None
    article_number: str | None = None
    article_name: str | None = None
    product_code: str | None = None
    article_kind: str | None = None
