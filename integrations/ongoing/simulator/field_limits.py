"""The longest texts the simulated Ongoing accepts in article and order bodies.

Ongoing publishes no maximum lengths; these are the limits this simulator enforces, matching what the
connector assumes (its own table lives with its mappers and must carry the same numbers). A longer
value is refused with 400 in ASP.NET's model-validation wording, naming the field, and nothing is
written. Keys are JSON paths in the body; members of list items are keyed without an index.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from integrations.ongoing.simulator.errors import bad_request

ARTICLE_LIMITS: dict[str, int] = {
    "articleNumber": 50,
    "articleName": 100,
    "barCodeInfo.barCode": 50,
    "supplierInfo.supplierArticleNumber": 50,
}

_ADDRESS = {"name": 100, "address1": 100, "address2": 100, "address3": 100, "postCode": 20, "city": 50,
            "countryCode": 2, "countryStateCode": 30}
_NOTIFICATIONS = {"emailNotification.value": 100, "smsNotification.value": 50, "telephoneNotification.value": 50}

ORDER_LIMITS: dict[str, int] = {
    "orderNumber": 50,
    "goodsOwnerOrderId": 50,
    "referenceNumber": 50,
    "orderRemark": 500,
    "deliveryInstruction": 255,
    **_NOTIFICATIONS,
    "wayOfDelivery.code": 50,
    "wayOfDelivery.name": 100,
    "transporter.transporterCode": 20,
    "transporter.transporterServiceCode": 20,
    "consignee.customerNumber": 50,
    "consignee.remark": 255,
    **{f"consignee.{member}": limit for member, limit in _ADDRESS.items()},
    **{f"consignee.advanced.{member}": limit for member, limit in _NOTIFICATIONS.items()},
    **{f"consignee.invoiceAddress.{member}": limit for member, limit in _ADDRESS.items()},
    "orderLines.rowNumber": 50,
    "orderLines.articleNumber": 50,
    "orderLines.comment": 255,
}


def refuse_overlong(body: Mapping[str, Any], limits: Mapping[str, int]) -> None:
    """400 ``{"Message": "The field ConsigneeName must be a string with a maximum length of 100."}``
    for every member longer than its limit (ASP.NET's StringLength wording, the path in PascalCase)."""
    sentences = dict.fromkeys(
        f"The field {_pascal(path)} must be a string with a maximum length of {limit}."
        for path, limit in _overlong(body, "", limits))
    if sentences:
        raise bad_request(" ".join(sentences))


def _overlong(value: Any, path: str, limits: Mapping[str, int]) -> Iterator[tuple[str, int]]:
    if isinstance(value, Mapping):
        for member, child in value.items():
            yield from _overlong(child, f"{path}.{member}" if path else member, limits)
    elif isinstance(value, list):
        for child in value:
            yield from _overlong(child, path, limits)
    elif isinstance(value, str) and path in limits and len(value.encode("utf-16-le")) // 2 > limits[path]:
        yield path, limits[path]


def _pascal(path: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in path.split("."))
