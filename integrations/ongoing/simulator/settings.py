"""Configuration of the Ongoing WMS simulator, from arguments or ``ONGOING_SIM_*`` environment variables.

One simulator serves one warehouse (the ``{warehouse}`` segment of Ongoing's API URL) and one goods
owner, with one API user. The order-status thresholds and the status-text language mirror what a TPL
configures in its own Ongoing installation. Where Ongoing's behaviour is not documented, a setting plays
each plausible behaviour; those (``RUNTIME_SWITCHES``) can also be switched on a running simulator
through ``PATCH /_sim/settings``, and ``/_sim/reset`` sets them back to their start-up values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

OmittedLines = Literal["removed", "kept"]
ZeroLines = Literal["accepted", "refused"]


class OngoingSimSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ONGOING_SIM_", extra="ignore")

    warehouse: str = "demo"
    username: str = "demo-api"
    password: SecretStr = SecretStr("demo-password")
    goods_owner_id: int = 1
    goods_owner_name: str = "Fjällbutiken"
    new_order_status: int = 200
    work_started_status: int = Field(default=300, description="orders at or above refuse PUT and DELETE")
    language: Literal["sv", "en"] = "sv"
    sellable_floor_zero: bool = Field(
        default=False, description="sellableNumberOfItems stops at 0 instead of going negative when open orders "
                                   "want more than the warehouse holds (Ongoing does not say which)")
    waybill_on_shipping: bool = Field(
        default=True, description="a shipment without a given waybill gets a generated one at once; False: the "
                                  "order reaches Sent without one, and the waybill comes later (/_sim/…/waybill)")
    state_path: Path | None = None
    parallel_write_timeout_seconds: float = Field(default=30.0, ge=0)
    write_processing_seconds: float = Field(
        default=0.0, ge=0, description="simulated time each write holds the goods owner's write lock")
    # Ongoing does not document how a receipt of an article the purchase order never advised looks, nor
    # which status an over-delivery leaves: each plausible behaviour is a setting.
    unadvised_receipt_advice: Literal["zero", "null"] = Field(
        default="zero", description="advisedNumberOfItems of a line the warehouse adds for an unadvised article")
    omitted_purchase_order_lines: Literal["removed", "kept"] = Field(
        default="removed", description="what an update of a purchase order does to rows it leaves out")
    over_delivery_status: Literal[400, 500] = Field(
        default=400, description="status of a purchase order received in full with some lines over the advice")
    # Not documented by Ongoing (whether rows left out of a PUT /orders are deleted, whether a row may
    # be set to 0 units): the simulator can play either answer.
    omitted_order_lines: OmittedLines = Field(
        default="removed", description="what PUT /orders does with rows an update leaves out: removed or kept")
    zero_quantity_lines: ZeroLines = Field(
        default="accepted", description="whether PUT /orders takes a row with numberOfItems 0: accepted or refused")
    foreign_goods_owner_status: Literal[401, 403] = Field(
        default=401, description="the answer to a goodsOwnerId this API user has no access to (not documented)")
    return_order_arrivals_on_sales_order: bool = Field(
        default=True, description="goods received against a return order also count on the sales order's lines")

    def api_root(self, server_root_url: str) -> str:
        """The vendor base URL a client should use, e.g. ``http://127.0.0.1:8802/demo/api/v1``."""
        return f"{server_root_url.rstrip('/')}/{self.warehouse}/api/v1"


# The settings a test or a demo may switch on a running simulator: the undocumented behaviours.
RUNTIME_SWITCHES = ("omitted_order_lines", "zero_quantity_lines")
