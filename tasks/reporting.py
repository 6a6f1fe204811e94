"""The run report: one row per record a flow run touched, published as Prefect artifacts.

Every flow collects what it did to each record (created, updated, skipped, quarantined … with the
reason) and ends by publishing a table artifact plus a short markdown summary, keyed per merchant
and process so the Prefect UI shows a history. Records are named by id, never by customer data.

A run that left records for a person (quarantined, refused, failed, not recorded) or raised a warning
emits the event ``swo.run.needs-attention`` with the counts, which an automation can turn into a
notification, and ends in a Completed state named "NeedsAttention" — still a success for schedules and
retries, but visible in the UI — when its flow wears ``@ends_with_attention_state``. A run that hit a
bug fails.
"""

from __future__ import annotations

import functools
import inspect
from collections import Counter
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar, cast

from prefect import get_run_logger
from prefect.artifacts import acreate_markdown_artifact, acreate_table_artifact
from prefect.events import emit_event
from prefect.states import Completed

NEEDS_ATTENTION = "NeedsAttention"
NEEDS_ATTENTION_EVENT = "swo.run.needs-attention"
# Results that leave a record with a person (or for the next run) rather than done.
ATTENTION_ACTIONS = ("quarantined", "refused", "failed", "not recorded")
# Rows of a run's table artifact. Prefect refuses an event over about 1.5 MB, and an artifact travels in
# one; a full stock resync of 50 000 SKUs made a 10 MB table nobody reads. Above this, the rows that need
# attention come first and the routine ones (unchanged, skipped …) are counted in the summary instead.
TABLE_ROWS = 1_000

P = ParamSpec("P")
R = TypeVar("R")
# What the current flow run's report said needs attention (set by finish_run, read around the flow).
_attention: ContextVar[str | None] = ContextVar("swo_run_attention", default=None)


@dataclass(frozen=True)
class Outcome:
    record: str
    action: str
    detail: str = ""
    columns: tuple[tuple[str, str], ...] = ()  # extra columns a process shows, e.g. lines and stock state


@dataclass
class RunReport:
    process: str
    merchant_id: str
    dry_run: bool = False
    outcomes: list[Outcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # things a person must look at, beyond single records

    def add(self, record: str, action: str, detail: str = "") -> None:
        self.outcomes.append(Outcome(record, action, detail))

    def extend(self, outcomes: list[Outcome]) -> None:
        self.outcomes.extend(outcomes)

    def counts(self) -> dict[str, int]:
        return dict(Counter(o.action for o in self.outcomes))

    def attention(self) -> dict[str, int]:
        """What needs a person: records per attention result, and the warnings."""
        counts = {action: n for action, n in self.counts().items() if action in ATTENTION_ACTIONS}
        if self.warnings:
            counts["warnings"] = len(self.warnings)
        return counts

    @property
    def artifact_key(self) -> str:
        return f"{self.process}-{self.merchant_id}".lower().replace("_", "-")

    def markdown(self) -> str:
        title = f"# {self.process.replace('-', ' ').capitalize()} for {self.merchant_id}"
        if self.dry_run:
            title += " (dry run: nothing was written)"
        lines = [title, ""]
        if self.warnings:
            lines += ["## Warnings", ""] + [f"- **{warning}**" for warning in self.warnings] + [""]
        counts = self.counts()
        if counts:
            lines += ["| result | records |", "|---|---|"]
            lines += [f"| {action} | {n} |" for action, n in sorted(counts.items())]
        else:
            lines.append("Nothing to do.")
        problems = [o for o in self.outcomes if o.action in ATTENTION_ACTIONS]
        if problems:
            lines += ["", "## Needs attention", ""]
            lines += [f"- {o.record}: {o.action} — {o.detail}" for o in problems[:50]]
            if len(problems) > TABLE_ROWS:
                lines.append(f"- … and {len(problems) - 50} more: the table artifact lists the first {TABLE_ROWS}, and "
                             f"`swo quarantine list {self.merchant_id}` every record held in quarantine")
            elif len(problems) > 50:
                lines.append(f"- … and {len(problems) - 50} more (see the table artifact)")
        left_out = Counter(o.action for o in self.outcomes) - Counter(o.action for o in self.table_outcomes())
        notes = list(self.notes)
        if left_out:
            counted = ", ".join(f"{n} {action}" for action, n in sorted(left_out.items()))
            notes.append(f"The table lists {len(self.outcomes) - left_out.total()} of {len(self.outcomes)} records; "
                         f"the others are only counted here: {counted}.")
        if notes:
            lines += ["", "## Notes", ""] + [f"- {note}" for note in notes]
        return "\n".join(lines)

    def table_outcomes(self) -> list[Outcome]:
        """The records the table artifact lists, in the run's order: all of them up to ``TABLE_ROWS``, else
        those needing attention first and then the others as they came."""
        if len(self.outcomes) <= TABLE_ROWS:
            return self.outcomes
        attention = [n for n, o in enumerate(self.outcomes) if o.action in ATTENTION_ACTIONS][:TABLE_ROWS]
        others = [n for n, o in enumerate(self.outcomes) if o.action not in ATTENTION_ACTIONS]
        chosen = sorted(attention + others[:TABLE_ROWS - len(attention)])
        return [self.outcomes[n] for n in chosen]


async def publish_report(report: RunReport) -> dict[str, int]:
    """Publish the run's table and summary artifacts; return the counts per action."""
    rows = [{"record": o.record, **dict(o.columns), "result": o.action, "detail": o.detail}
            for o in report.table_outcomes()]
    if rows:
        await acreate_table_artifact(rows, key=report.artifact_key,
                                    description=f"{report.process} for {report.merchant_id}: every record")
    await acreate_markdown_artifact(report.markdown(), key=f"{report.artifact_key}-summary",
                                   description=f"{report.process} for {report.merchant_id}: summary")
    return report.counts()


async def finish_run(report: RunReport, unexpected: list[str]) -> dict[str, int]:
    """Publish the run's artifacts; then fail the run if any record hit a bug rather than a data or vendor
    problem (those records are already kept in quarantine), so on-call sees a red run. A run that needs
    attention emits the event and is marked so that ``@ends_with_attention_state`` ends it as
    Completed("NeedsAttention"); the counts are returned either way."""
    counts = await publish_report(report)
    if unexpected:
        raise RuntimeError(f"unexpected errors (records kept in quarantine): {unexpected}")
    attention = report.attention()
    if attention:
        summary = ", ".join(f"{n} {what}" for what, n in sorted(attention.items()))
        get_run_logger().info("%s for %s needs attention: %s", report.process, report.merchant_id, summary)
        emit_event(NEEDS_ATTENTION_EVENT, resource=attention_resource(report), related=attention_related(report),
                   payload=attention_payload(report, counts))
        _attention.set(summary)
    return counts


async def _run_noting_attention(fn: Callable[P, Coroutine[Any, Any, R]], *args: P.args, **kwargs: P.kwargs) -> R:
    token = _attention.set(None)
    try:
        result = await fn(*args, **kwargs)
        summary = _attention.get()
    finally:
        _attention.reset(token)
    if summary is None:
        return result
    # Prefect makes a State returned by a flow its final state and hands the state's data to the caller.
    return cast(R, Completed(name=NEEDS_ATTENTION, data=result, message=summary))


def ends_with_attention_state(fn: Callable[P, Coroutine[Any, Any, R]]) -> Callable[P, Coroutine[Any, Any, R]]:
    """Put under ``@flow``: a run whose ``finish_run`` found something needing attention ends in the state
    Completed("NeedsAttention") (a success for schedules, visible in the UI); the caller still gets the
    flow's return value. Done here, around the whole flow, so a flow may still add to its counts after
    ``finish_run``."""

    @functools.wraps(fn)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        # The body lives at module level: a run started in a process of its own gets this wrapper pickled
        # by value, and a module-level function is pickled by reference (the ContextVar itself cannot be).
        return await _run_noting_attention(fn, *args, **kwargs)

    # Prefect reads the parameters from the signature and resolves string annotations in the function's
    # module; this wrapper lives in another module, so hand it the signature with the types resolved.
    run.__signature__ = inspect.signature(fn, eval_str=True)  # type: ignore[attr-defined]
    return run


def attention_resource(report: RunReport) -> dict[str, str]:
    """The event's resource: the merchant's process, so an automation can match one merchant or one process."""
    return {"prefect.resource.id": f"swo.merchant.{report.merchant_id}.{report.process}",
            "prefect.resource.name": f"{report.process} for {report.merchant_id}",
            "swo.merchant": report.merchant_id, "swo.process": report.process}


def attention_related(report: RunReport) -> list[dict[str, str]]:
    """The merchant and the process as related resources (the run and its flow are added by Prefect)."""
    return [{"prefect.resource.id": f"swo.merchant.{report.merchant_id}", "prefect.resource.role": "merchant"},
            {"prefect.resource.id": f"swo.process.{report.process}", "prefect.resource.role": "process"}]


def attention_payload(report: RunReport, counts: dict[str, int]) -> dict[str, Any]:
    return {"merchant_id": report.merchant_id, "process": report.process, "dry_run": report.dry_run,
            "attention": report.attention(), "counts": counts, "warnings": report.warnings[:10]}
