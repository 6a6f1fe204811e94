"""What every task needs: the merchant's config, its credentials, vendor clients and the ledger.

Credentials are resolved here and only here, from the environment variable or Prefect Secret block
the merchant file names; they never reach logs or artifacts. Vendor clients are wired to what must hold
across runs: their circuit breakers keep state in the ledger, every request takes a slot of the
merchant's Prefect rate limit for that vendor, Ongoing writes take the goods owner's Prefect concurrency
slot, and Starweb clients share the process's token. The retry condition for
Prefect tasks lives here too: a task is retried only when the error says the same call may succeed soon.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any, TypeVar, cast

from prefect.blocks.system import Secret
from prefect.runtime import flow_run
from prefect.utilities.annotations import quote

from domain.config import ConfigError, CredentialRef, MerchantConfig, load_merchant_by_id
from integrations.errors import CircuitOpen, ConnectorError
from integrations.ongoing.client import OngoingClient, OngoingSettings
from integrations.starweb.client import StarwebClient, StarwebSettings
from ledger.db import Ledger
from settings import get_settings
from tasks.breaker_store import LedgerBreakerStore
from tasks.request_budgets import request_budget

T = TypeVar("T")


def unwalked(value: T) -> T:
    """A large task argument (a catalogue, a batch of orders) Prefect passes as it is, without walking every
    element for futures (``quote``); typed as the value, which is what the task receives."""
    return cast(T, quote(value))


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
        secret: Secret[str] = await Secret.aload(ref.secret_block)
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
    options.setdefault("breaker_store", breaker_store())
    options.setdefault("timeout", get_settings().vendor_timeout_seconds)
    if "throttle" not in options:
        options["throttle"] = await request_budget(merchant, "starweb")
    return StarwebClient(settings, **options)


async def ongoing_client(merchant: MerchantConfig, **options: Any) -> OngoingClient:
    settings = OngoingSettings(
        base_url=merchant.ongoing.base_url,
        username=await resolve_credential(merchant.ongoing.username, f"{merchant.merchant_id} Ongoing user"),
        password=await resolve_credential(merchant.ongoing.password, f"{merchant.merchant_id} Ongoing password"),
        goods_owner_id=merchant.ongoing.goods_owner_id,
    )
    from tasks.write_slots import ensure_write_limit, merchant_write_limit_name, write_slot  # it imports us

    if "write_slot" not in options:
        limit = merchant_write_limit_name(merchant)
        await ensure_write_limit(limit)
        options["write_slot"] = write_slot(limit)
    options.setdefault("breaker_store", breaker_store())
    options.setdefault("timeout", get_settings().vendor_timeout_seconds)
    options.setdefault("pause_seconds", get_settings().ongoing_lockout_window_seconds)
    if "throttle" not in options:
        options["throttle"] = await request_budget(merchant, "ongoing")
    return OngoingClient(settings, **options)


@lru_cache
def _ledger_for(url: str) -> Ledger:
    return Ledger(url)


def ledger() -> Ledger:
    """The process's ledger (migrated on first use)."""
    return _ledger_for(get_settings().resolved_ledger_url)


def breaker_store() -> LedgerBreakerStore:
    """Where the vendor clients' circuit breakers keep their state: the ledger, shared by every run."""
    return LedgerBreakerStore(ledger)


def current_flow_run_id() -> str | None:
    run_id = flow_run.id
    return str(run_id) if run_id else None


def _failure_of(state: Any) -> BaseException | None:
    """The exception a failed state holds. Prefect's engines hand the condition ``Failed(data=exc)``;
    ``state.result()`` would return a coroutine in the async engine instead of raising it."""
    data = getattr(state, "data", None)
    if isinstance(data, BaseException):
        return data
    held = getattr(data, "result", None)  # a result record around the exception
    return held if isinstance(held, BaseException) else None


def retry_only_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect ``retry_condition_fn``: retry a task only if it failed with a retryable vendor error. An
    open circuit is not retried: its pause outlasts the task's retry delays."""
    error = _failure_of(state)
    return isinstance(error, ConnectorError) and error.retryable and not isinstance(error, CircuitOpen)
