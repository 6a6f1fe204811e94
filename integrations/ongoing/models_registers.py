"""Registers a warehouse configures per goods owner: order statuses, return causes, transporters.

They are read at run time because every warehouse customises them: status numbers and texts
(texts are localised), which return causes discard goods instead of restocking them, and which
transporter and service codes an order may name.
"""

from __future__ import annotations

from pydantic import AliasChoices, Field

from integrations.ongoing.models_base import NullableList, OngoingModel


class OrderStatus(OngoingModel):
    """One row of ``GET /orders/statuses``; key logic off ``number``, never the localised ``text``."""

    number: int
    text: str | None = None


class OrderStatuses(OngoingModel):
    order_statuses: NullableList[OrderStatus] = Field(default_factory=list)


class ReturnCause(OngoingModel):
    """One row of ``GET /returnOrders/returnCauses``; ``is_remove_cause`` means goods are discarded."""

    # v57 names it ``id``; accept the longer name too in case a tenant runs another model version.
    id: int | None = Field(default=None, validation_alias=AliasChoices("id", "returnCauseId"))
    code: str | None = None
    name: str | None = None
    is_remove_cause: bool | None = None
    is_change_cause: bool | None = None
    is_return_comment_mandatory: bool | None = None


class ReturnCauses(OngoingModel):
    return_causes: NullableList[ReturnCause] = Field(default_factory=list)


class TransporterService(OngoingModel):
    transporter_service_name: str | None = None
    transporter_service_code: str | None = None


class TransporterContract(OngoingModel):
    """A transporter the goods owner may use, with the service codes it offers."""

    edi_code: str | None = None
    transporter_name: str | None = None
    transporter_code: str | None = None
    transporter_service_code: str | None = None
    transporter_services: NullableList[TransporterService] = Field(default_factory=list)
