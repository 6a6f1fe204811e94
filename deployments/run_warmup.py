"""Imported by the forkserver of ``deployments.run_starts`` after the flows' modules, before it forks any
run: the work every run would otherwise do for itself on first use, done once in the process runs are
forked from, so each run inherits it. Importing this module is what does it (the forkserver's preload
takes module names only); nothing here opens a connection or reads the connector's settings.

Measured on an idle export-orders run: lazy imports (anyio's asyncio backend, Prefect's task
visualisation and flow-run observers), pydantic building the validators of models that defer it
(merchant files, vendor and Prefect client models), the ORM configuring its mappers, and the TLS
contexts of the vendor clients and the request budgets' Prefect clients (each loads the whole CA
bundle) together took a few tenths of a CPU-second per run.
"""

from __future__ import annotations

import codecs
import importlib
import logging
from collections.abc import Iterator

from pydantic import BaseModel

from integrations.http import tls_context
from ledger.db import configure_models
from tasks.prefect_slots import api_tls_settings

# Imported on first use inside every run; none of them starts a thread or opens a file or socket.
LAZY_IMPORTS = (
    "anyio._backends._asyncio",  # anyio's backend, looked up by the first httpx connection
    "prefect.utilities.visualization",  # a task call imports it (and graphviz with it)
    "prefect._internal.observers",  # the flow run's suspension observer
    "prefect._internal.pytz",  # a deployment schedule's timezone check
    "rich._emoji_codes",  # the console log handler's first line
    "sqlite3",  # the default ledger's driver
    "tasks.write_slots",  # imported late by tasks.runtime (it imports tasks.runtime)
)


def _models(base: type[BaseModel]) -> Iterator[type[BaseModel]]:
    for model in base.__subclasses__():
        yield model
        yield from _models(model)


def warm_up() -> None:
    for module in LAZY_IMPORTS:
        importlib.import_module(module)
    codecs.lookup("idna")  # httpx encodes a URL's host with it
    # Models that defer their validators (``defer_build``, or a forward reference that resolved only
    # later) build them here; one that still cannot is left to build on first use, as before.
    for model in set(_models(BaseModel)):
        if not model.__pydantic_complete__:
            model.model_rebuild(raise_errors=False)
    configure_models()
    tls_context()
    api_tls_settings()  # cached by CA file: a run given another one builds its own


try:
    warm_up()
except Exception:  # never a reason for the forkserver to fail: whatever failed fails again in the run that needs it
    logging.getLogger(__name__).warning("warming up the forkserver failed; each run does it for itself", exc_info=True)
