"""Who may call the receiver: the merchants on file, and the secret each vendor must present for them.

Merchant files are read again when they change, so enabling webhooks for a merchant needs no restart.
Secrets come from the references in the merchant's ``webhooks`` section (an environment variable or a
Prefect Secret block) and are kept for a minute, so a rotated secret takes over without a restart.
Comparing a presented secret with the expected one takes the same time wherever they differ.
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass, field
from pathlib import Path

from domain.config import ConfigError, MerchantConfig, check_merchant_id, load_merchant
from domain.webhook_events import EventSource


@dataclass
class MerchantDirectory:
    """The merchant files in one directory, each parsed once per change of the file."""

    directory: Path
    _cache: dict[str, tuple[float, MerchantConfig]] = field(default_factory=dict)

    def get(self, merchant_id: str) -> MerchantConfig | None:
        """The merchant, or None when there is no such (valid) file."""
        try:
            check_merchant_id(merchant_id)
        except ConfigError:
            return None
        path = self.directory / f"{merchant_id}.yaml"
        try:
            modified = path.stat().st_mtime
        except OSError:
            return None
        cached = self._cache.get(merchant_id)
        if cached is not None and cached[0] == modified:
            return cached[1]
        try:
            merchant = load_merchant(path)
        except ConfigError:
            return None
        self._cache[merchant_id] = (modified, merchant)
        return merchant


class SecretUnavailable(RuntimeError):
    """The merchant's webhook secret could not be read (unset variable, missing Secret block)."""


@dataclass
class SecretCache:
    """Each merchant's webhook secrets, resolved from their references and kept for ``ttl_seconds``."""

    ttl_seconds: float = 60.0
    _values: dict[tuple[str, EventSource], tuple[float, str]] = field(default_factory=dict)

    async def expected(self, merchant: MerchantConfig, source: EventSource) -> str | None:
        """The secret this vendor must present for the merchant; None when its webhooks are not in use."""
        from tasks.runtime import resolve_credential

        ref = merchant.webhooks.token_for(source)
        if ref is None:
            return None
        key = (merchant.merchant_id, source)
        cached = self._values.get(key)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        try:
            value = await resolve_credential(ref, f"{merchant.merchant_id} {source} webhook secret")
        except ConfigError as exc:
            raise SecretUnavailable(str(exc)) from exc
        self._values[key] = (time.monotonic() + self.ttl_seconds, value)
        return value


def secrets_match(presented: str | None, expected: str) -> bool:
    """Constant-time comparison; a missing secret never matches."""
    if presented is None:
        return False
    return hmac.compare_digest(presented.encode("utf-8"), expected.encode("utf-8"))
