"""How ``swo run`` serves the deployments and starts their runs: every run still in a process of its own,
but forked from a process that imported Prefect and the served flows once, not a fresh interpreter per run.

Served the plain way, Prefect's runner starts each run as ``python -m prefect.engine``: a new interpreter
that imports Prefect and the flow's modules again, 2-3 CPU-seconds, most of what a poll with nothing to
do costs. Here the runner holds each served flow in memory (``Runner.add_flow``), so it starts runs with
Prefect's own ``run_flow_in_subprocess``, and that function is given a ``forkserver`` process with the
flow modules preloaded instead of a ``spawn`` one. A run's process has its own memory, ledger engine, HTTP
clients and Prefect settings exactly as before (but for the CA file of a plain-HTTP Prefect API, which it
never uses: ``light_ca_file_for_a_plain_http_api``); only the imports are no longer paid per run.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import multiprocessing
import multiprocessing.forkserver
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from deployments.build import DeploymentSpec, checked_flow, load_flow, module_path, runner_deployment_options
from integrations.http import one_certificate_bundle

if TYPE_CHECKING:
    from prefect import Flow
    from prefect.runner import Runner

# Imported by the forkserver before it forks any run: the engine a run starts in, and the flow modules
# (which import Prefect's flow and task machinery, pydantic models, SQLAlchemy and httpx on their way).
ENGINE_MODULES = ("prefect.flow_engine", "prefect.task_engine")
# Imported last: what each run would do on first use (lazy imports, model builds, a TLS context), done once.
WARM_UP_MODULE = "deployments.run_warmup"

_forkserver = multiprocessing.get_context("forkserver")


def preload_for(entrypoints: Iterable[str]) -> list[str]:
    """Have the forkserver import the engine and these flows' modules; the modules it will preload."""
    modules = [*ENGINE_MODULES, *sorted({module_path(entrypoint)[0] for entrypoint in entrypoints}), WARM_UP_MODULE]
    _forkserver.set_forkserver_preload(modules)
    return modules


def preloaded_run_flow_in_subprocess(*args: Any, **kwargs: Any) -> Any:
    """Prefect's ``run_flow_in_subprocess``, its process forked from the preloaded forkserver."""
    import prefect.flow_engine as engine

    spawn_only = engine.multiprocessing
    # Prefect asks for its "spawn" context by name; it gets the forkserver's (the same Process interface).
    engine.multiprocessing = SimpleNamespace(get_context=lambda _method: _forkserver)  # type: ignore[assignment]
    try:
        with light_ca_file_for_a_plain_http_api():
            if kwargs.get("context") is None:
                kwargs["context"] = context_without_settings()
            return engine.run_flow_in_subprocess(*args, **kwargs)
    finally:
        engine.multiprocessing = spawn_only


def context_without_settings() -> dict[str, Any]:
    """The context Prefect hands a run, less its settings.

    Prefect passes a run its settings twice: as environment variables (every setting this process has set,
    secrets included), from which the run's process builds its settings first, and again in the serialized
    context, from which it builds them a second time. Each build reads every settings source; the second
    was about a tenth of an idle run's CPU, and it gives the run nothing the environment did not."""
    from prefect.context import serialize_context

    return {**serialize_context(), "settings_context": {}}


@contextlib.contextmanager
def light_ca_file_for_a_plain_http_api() -> Iterator[None]:
    """Runs started meanwhile get a CA file of one certificate for the Prefect API when that API is plain
    HTTP (``swo run``'s local server).

    Every Prefect client builds a TLS context from its API's CA file (PREFECT_API_SSL_CERT_FILE, else
    SSL_CERT_FILE or certifi's bundle: a whole bundle, about 30 ms of CPU to load), even for a plain-HTTP
    API, where it never verifies anything; an idle run makes a dozen (the engine's, its event and log
    workers', each sync task's), about half of its own CPU. An https API's CA file is left as it is. The
    run receives the setting in its environment, from which its settings are built
    (``context_without_settings``)."""
    from prefect.context import SettingsContext, get_settings_context
    from prefect.settings import PREFECT_API_URL

    if urlsplit(PREFECT_API_URL.value() or "").scheme != "http":
        yield
        return
    context = get_settings_context()
    with SettingsContext(profile=context.profile, settings=_with_light_ca_file(context.settings)):
        yield


_light_settings: tuple[Any, Any] | None = None  # (settings, the same with the light CA file)


def _with_light_ca_file(settings: Any) -> Any:
    """``settings`` with the light CA file, made once for a runner's settings and reused for each run it
    starts: building Prefect settings anew (what ``temporary_settings`` does) cost the runner about half of
    its CPU per run start."""
    global _light_settings
    from prefect.settings import PREFECT_API_SSL_CERT_FILE, PREFECT_HOME

    made = _light_settings  # one read: another thread may replace it meanwhile
    if made is not None and made[0] is settings:
        return made[1]
    light = settings.copy_with_update(updates={PREFECT_API_SSL_CERT_FILE: str(_light_ca_file(PREFECT_HOME.value()))})
    _light_settings = (settings, light)
    return light


@functools.cache
def _light_ca_file(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return one_certificate_bundle(folder)


def start_runs_preloaded(entrypoints: Iterable[str]) -> None:
    """From now on the runners of this process start the runs of the flows they hold from the forkserver."""
    from prefect.runner import _starter_direct

    preload_for(entrypoints)
    # Started now rather than at the first run, so that run does not wait for the imports.
    multiprocessing.forkserver.ensure_running()
    # Prefect's direct starter looks its start function up on its module so that it can be replaced.
    _starter_direct.run_flow_in_subprocess = preloaded_run_flow_in_subprocess


def preloaded_runner(specs: Sequence[DeploymentSpec], *, load: Callable[[str], Flow[..., Any]] = load_flow,
                     **runner_options: Any) -> Runner:
    """A runner serving these deployments (applied to Prefect here, triggers included), each with its flow
    held in memory, runs started preloaded (``runner_options`` go to Prefect's ``Runner``). Call it outside
    an event loop."""
    from prefect.runner import Runner

    runner = Runner(**{"pause_on_shutdown": True, **runner_options})
    for spec in specs:
        runner.add_flow(checked_flow(spec, load), name=spec.name, **runner_deployment_options(spec))
    start_runs_preloaded(spec.entrypoint for spec in specs)
    return runner


def serve_runner(runner: Runner) -> None:
    """Serve until interrupted, as ``prefect.serve`` does: Ctrl-C or SIGTERM pauses the schedules (if the
    runner says so) and stops."""
    from prefect.exceptions import TerminationSignal

    with contextlib.suppress(KeyboardInterrupt, TerminationSignal):
        asyncio.run(runner.start())
