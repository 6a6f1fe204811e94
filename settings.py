"""Process-wide settings: where the ledger, the state folder and the merchant files are.

They come from environment variables prefixed ``SWO_`` (or a ``.env`` file) and are read once per process.
This module sits below both layers that need them (``tasks/`` and the ``swo`` command line) and imports
neither, so a task reading a setting never pulls in the command line.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent


class AppSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SWO_", env_file=".env", extra="ignore")

    state_dir: Path = PROJECT_ROOT / ".state"
    ledger_url: str | None = None
    merchants_dir: Path = PROJECT_ROOT / "deployments" / "merchants"
    # How long a vendor call may take before it counts as timed out (both clients).
    vendor_timeout_seconds: float = Field(default=30.0, gt=0)
    # Ongoing's consecutive-failure window: after 3 failed calls the Ongoing breaker pauses this long, so a
    # failing Ongoing never sees the ~5 failed calls per window that lock the API user out.
    ongoing_lockout_window_seconds: float = Field(default=600.0, gt=0)
    # How long a task that failed to read from a vendor for a passing cause waits before each of its retries
    # (JSON, e.g. ``SWO_READ_RETRY_DELAYS_SECONDS='[5, 30]'``); one retry per delay.
    read_retry_delays_seconds: list[Annotated[float, Field(ge=0)]] = Field(default=[5.0, 30.0], min_length=1)
    # Where the vendors reach the webhook receiver (``swo webhooks register``); https:// unless this machine.
    webhook_url: str = "http://127.0.0.1:8803"

    @property
    def resolved_ledger_url(self) -> str:
        return self.ledger_url or f"sqlite:///{self.state_dir / 'ledger.db'}"


@lru_cache
def get_settings() -> AppSettings:
    return AppSettings()
