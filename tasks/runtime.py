"""What every task needs: the merchant's config, its credentials, vendor clients and the ledger.

Credentials are resolved here and only here, from the environment variable or Prefect Secret block
the merchant file names; they never reach logs or artifacts. The retry condition for Prefect tasks
lives here too: a task is retried only when the error says the same call may succeed later.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

from prefect.blocks.system import Secret
from prefect.runtime import flow_run

from domain.config import ConfigError, CredentialRef, MerchantConfig, load_merchant_by_id
from integrations.errors import ConnectorError
from integrations.ongoing.client import OngoingClient, OngoingSettings
from integrations.starweb.client import StarwebClient, StarwebSettings
from ledger.db import Ledger
from swo.settings import get_settings


def load_merchant(merchant_id: str) -> MerchantConfig:
    return load_merchant_by_id(merchant_id, get_settings().merchants_dir)


async def resolve_credential(ref: CredentialRef, what: str) -> str:
    """The credential's value; a missing one is a configuration error naming where it was looked for."""
    if ref.env is not None:
        value = os.environ.get(ref.env)
        if not value:
            raise ConfigError(f"{what}: environment variable {ref.env} is not set")
        return value
    assert ref.secret_block is not None
    try:
        secret = await Secret.aload(ref.secret_block)
    except ValueError as exc:
        raise ConfigError(f"{what}: Prefect Secret block {ref.secret_block!r} not found") from exc
    return str(secret.get())


async def starweb_client(merchant: MerchantConfig, **options: Any) -> StarwebClient:
    settings = StarwebSettings(
        base_url=merchant.starweb.base_url,
        client_id=await resolve_credential(merchant.starweb.client_id, f"{merchant.merchant_id} Starweb client id"),
        client_secret=await resolve_credential(merchant.starweb.client_secret,
                                               f"{merchant.merchant_id} Starweb client secret"),
    )
    return StarwebClient(settings, **options)


async def ongoing_client(merchant: MerchantConfig, **options: Any) -> OngoingClient:
    settings = OngoingSettings(
        base_url=merchant.ongoing.base_url,
        username=await resolve_credential(merchant.ongoing.username, f"{merchant.merchant_id} Ongoing user"),
        password=await resolve_credential(merchant.ongoing.password, f"{merchant.merchant_id} Ongoing password"),
        goods_owner_id=merchant.ongoing.goods_owner_id,
    )
    return OngoingClient(settings, **options)


@lru_cache
def _ledger_for(url: str) -> Ledger:
    return Ledger(url)


def ledger() -> Ledger:
    """The process's ledger (migrated on first use)."""
    return _ledger_for(get_settings().resolved_ledger_url)


def current_flow_run_id() -> str | None:
    run_id = flow_run.id
    return str(run_id) if run_id else None


def retry_only_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect ``retry_condition_fn``: retry a task only if it failed with a retryable vendor error."""
    try:
        state.result()
    except ConnectorError as exc:
        return exc.retryable
    except Exception:
        return False
    return False
