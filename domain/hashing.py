"""Stable hashes of payloads, so a write whose content has not changed since the last push is skipped."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel


def payload_hash(payload: BaseModel | dict[str, Any] | list[Any]) -> str:
    """SHA-256 of the canonical JSON of a payload (keys sorted, vendor aliases, no None fields)."""
    if isinstance(payload, BaseModel):
        payload = payload.model_dump(mode="json", by_alias=True, exclude_none=True)
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
