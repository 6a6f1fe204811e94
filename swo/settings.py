"""Process-wide settings, from environment variables prefixed ``SWO_`` (or a ``.env`` file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class AppSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SWO_", env_file=".env", extra="ignore")

    state_dir: Path = PROJECT_ROOT / ".state"
    ledger_url: str | None = None
    merchants_dir: Path = PROJECT_ROOT / "deployments" / "merchants"
    # Where the vendors reach the webhook receiver (``swo webhooks register``); https:// unless this machine.
    webhook_url: str = "http://127.0.0.1:8803"

    @property
    def resolved_ledger_url(self) -> str:
        return self.ledger_url or f"sqlite:///{self.state_dir / 'ledger.db'}"


@lru_cache
def get_settings() -> AppSettings:
    return AppSettings()
