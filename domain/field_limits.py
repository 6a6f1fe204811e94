"""The longest text Ongoing accepts in each member the connector sends, and checks against them.

Ongoing publishes no maximum lengths, so these numbers are inferred and deliberately conservative:
a value that fits here fits in Ongoing. Lengths are counted as .NET counts them, in UTF-16 code units:
an emoji or another character beyond the Basic Multilingual Plane counts twice. Keys are the members'
JSON paths in the request body (``consignee.name``; a list's members without an index,
``orderLines.articleNumber``). The Ongoing
simulator keeps its own copy of the same numbers and refuses longer values the way Ongoing does.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

ELLIPSIS = "…"

# PUT /articles (PostArticleModel). Inferred, conservative.
ARTICLE_FIELD_LIMITS: Mapping[str, int] = MappingProxyType({
    "articleNumber": 50,
    "articleName": 100,
    "barCodeInfo.barCode": 50,
    "supplierInfo.supplierArticleNumber": 50,
})

_ADDRESS_LIMITS = {"name": 100, "address1": 100, "address2": 100, "address3": 100, "postCode": 20, "city": 50,
                   "countryCode": 2, "countryStateCode": 30}
_NOTIFICATION_LIMITS = {"emailNotification.value": 100, "smsNotification.value": 50,
                        "telephoneNotification.value": 50}

# PUT /orders (PostOrderModel). Inferred, conservative.
ORDER_FIELD_LIMITS: Mapping[str, int] = MappingProxyType({
    "orderNumber": 50,
    "goodsOwnerOrderId": 50,
    "referenceNumber": 50,
    "orderRemark": 500,
    "deliveryInstruction": 255,
    **_NOTIFICATION_LIMITS,
    "wayOfDelivery.code": 50,
    "wayOfDelivery.name": 100,
    "transporter.transporterCode": 20,
    "transporter.transporterServiceCode": 20,
    "consignee.customerNumber": 50,
    "consignee.remark": 255,
    **{f"consignee.{member}": limit for member, limit in _ADDRESS_LIMITS.items()},
    **{f"consignee.advanced.{member}": limit for member, limit in _NOTIFICATION_LIMITS.items()},
    **{f"consignee.invoiceAddress.{member}": limit for member, limit in _ADDRESS_LIMITS.items()},
    "orderLines.rowNumber": 50,
    "orderLines.articleNumber": 50,
    "orderLines.comment": 255,
})


def utf16_length(text: str) -> int:
    """The length .NET (and so Ongoing) sees: UTF-16 code units, two for a character beyond U+FFFF."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def cut(text: str, limit: int) -> str:
    """``text`` shortened to ``limit`` UTF-16 units, ending in "…" when something was cut off (never in the
    middle of a character)."""
    if utf16_length(text) <= limit:
        return text
    kept, used = [], utf16_length(ELLIPSIS)
    for char in text:
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            break
        kept.append(char)
    return "".join(kept) + ELLIPSIS


def overlong_members(body: Mapping[str, Any], limits: Mapping[str, int]) -> list[str]:
    """Every text member of a request body (vendor JSON names) longer than its limit, described by
    path, length and limit only: the value itself may be a name or an address and is never shown."""
    return [f"{where} is {length} characters long, Ongoing takes at most {limit}"
            for where, length, limit in _walk(body, "", "", limits)]


def _walk(value: Any, key: str, where: str, limits: Mapping[str, int]) -> Iterator[tuple[str, int, int]]:
    if isinstance(value, Mapping):
        for member, child in value.items():
            yield from _walk(child, f"{key}.{member}" if key else member, f"{where}.{member}" if where else member,
                             limits)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            # Ongoing identifies order lines by rowNumber; name them so in messages.
            row = child.get("rowNumber") if isinstance(child, Mapping) else None
            yield from _walk(child, key, f"{where}[row {row}]" if row else f"{where}[{index}]", limits)
    elif isinstance(value, str) and key in limits and utf16_length(value) > limits[key]:
        yield where, utf16_length(value), limits[key]
