"""Configuration of the Starweb simulator, from arguments or ``STARWEB_SIM_*`` environment variables.

The defaults describe the demo shop: one API client (id and secret) and the shop's id code, with
tokens living as long as Starweb's documented default. ``state_path`` keeps the shop in a SQLite
file across restarts; without it the shop lives in memory.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class StarwebSimSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="STARWEB_SIM_", extra="ignore")

    client_id: str = "demo-client"
    client_secret: SecretStr = SecretStr("demo-secret")
    token_lifetime_seconds: int = Field(default=3600, ge=1)
    shop_id_code: str = "fjallbutiken"
    state_path: Path | None = None
