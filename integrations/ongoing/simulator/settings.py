"""Configuration of the Ongoing WMS simulator, from arguments or ``ONGOING_SIM_*`` environment variables.

One simulator serves one warehouse (the ``{warehouse}`` segment of Ongoing's API URL) and one goods
owner, with one API user. The order-status thresholds and the status-text language mirror what a TPL
configures in its own Ongoing installation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    state_path: Path | None = None
    parallel_write_timeout_seconds: float = Field(default=30.0, ge=0)
    write_processing_seconds: float = Field(
        default=0.0, ge=0, description="simulated time each write holds the goods owner's write lock")
    return_order_arrivals_on_sales_order: bool = Field(
        default=True, description="goods received against a return order also count on the sales order's lines")

    def api_root(self, server_root_url: str) -> str:
        """The vendor base URL a client should use, e.g. ``http://127.0.0.1:8802/demo/api/v1``."""
        return f"{server_root_url.rstrip('/')}/{self.warehouse}/api/v1"
