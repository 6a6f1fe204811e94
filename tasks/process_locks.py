"""One run per merchant and process at a time, across processes and machines.

Prefect's deployment concurrency limit keeps a second scheduled run of a deployment from starting, but not
a run started outside the deployment (``swo`` on the command line, a flow called from a script), and it
lets go when the holder's lease lapses. Processes whose records carry no claim of their own (a status
brought back to Starweb may email the customer, a comment or a deviation event must come once) therefore
also hold a ledger lock named ``<process>:<merchant>`` for the whole run, held by the flow-run id and taken
over at once from a run Prefect shows over. A polling process that finds the lock held ends at once as
Completed("Skipped"), since the run at work covers what it would do; an on-demand one waits its turn, and
so does a run a webhook event started (``event_at``): the deliveries it came for are its to take, and a
poll at work would not take them. A dry run writes nothing and takes no lock.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any, ParamSpec, TypeVar, cast

from prefect import get_run_logger
from prefect.states import Completed

from tasks.run_holders import LockBusy, current_holder, run_lock

P = ParamSpec("P")
R = TypeVar("R")

SKIPPED = "Skipped"
ON_DEMAND_WAIT = timedelta(minutes=15)  # a run started by hand waits this long for the one before it
EVENT_WAIT = timedelta(minutes=5)  # a run started by a webhook event: a few event windows


def lock_wait(arguments: dict[str, Any], wait: timedelta) -> timedelta:
    """How long this run waits for the lock: the process's own wait, or EVENT_WAIT when an event started it."""
    if wait:
        return wait
    return EVENT_WAIT if arguments.get("event_at") is not None else timedelta(0)


def process_lock_name(process: str, merchant_id: str) -> str:
    return f"{process}:{merchant_id}"


def one_run_at_a_time(process: str, *, wait: timedelta = timedelta(0)) -> Callable[
        [Callable[P, Coroutine[Any, Any, R]]], Callable[P, Coroutine[Any, Any, R]]]:
    """Put under ``@flow``: the run holds the process's lock for its merchant (``merchant_id`` parameter).
    With ``wait`` zero a run that finds it held by a live run does nothing and ends Completed("Skipped");
    otherwise it waits up to ``wait`` and then fails, saying which run holds it."""

    def decorate(fn: Callable[P, Coroutine[Any, Any, R]]) -> Callable[P, Coroutine[Any, Any, R]]:
        signature = inspect.signature(fn)

        @functools.wraps(fn)
        async def run(*args: P.args, **kwargs: P.kwargs) -> R:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            merchant_id, dry_run = bound.arguments["merchant_id"], bound.arguments.get("dry_run", False)
            if dry_run:
                return await fn(*args, **kwargs)
            name = process_lock_name(process, merchant_id)
            waits = lock_wait(bound.arguments, wait)
            async with contextlib.AsyncExitStack() as held:
                try:
                    await held.enter_async_context(
                        run_lock(name, current_holder(), what=f"{process} for {merchant_id}", wait=waits))
                except LockBusy as busy:
                    if waits:
                        raise
                    message = (f"another run of {process} for {merchant_id} is at work (flow run {busy.holder}); "
                               "this run did nothing")
                    get_run_logger().info(message)
                    return cast(R, Completed(name=SKIPPED, message=message, data=cast(Any, {})))
                return await fn(*args, **kwargs)

        return run

    return decorate
