"""The run report: one row per record a flow run touched, published as Prefect artifacts.

Every flow collects what it did to each record (created, updated, skipped, quarantined … with the
reason) and ends by publishing a table artifact plus a short markdown summary, keyed per merchant
and process so the Prefect UI shows a history. Records are named by id, never by customer data.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from prefect.artifacts import create_markdown_artifact, create_table_artifact


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

    def add(self, record: str, action: str, detail: str = "") -> None:
        self.outcomes.append(Outcome(record, action, detail))

    def extend(self, outcomes: list[Outcome]) -> None:
        self.outcomes.extend(outcomes)

    def counts(self) -> dict[str, int]:
        return dict(Counter(o.action for o in self.outcomes))

    @property
    def artifact_key(self) -> str:
        return f"{self.process}-{self.merchant_id}".lower().replace("_", "-")

    def markdown(self) -> str:
        title = f"# {self.process.replace('-', ' ').capitalize()} for {self.merchant_id}"
        if self.dry_run:
            title += " (dry run: nothing was written)"
        lines = [title, ""]
        counts = self.counts()
        if counts:
            lines += ["| result | records |", "|---|---|"]
            lines += [f"| {action} | {n} |" for action, n in sorted(counts.items())]
        else:
            lines.append("Nothing to do.")
        problems = [o for o in self.outcomes if o.action in ("quarantined", "refused", "failed")]
        if problems:
            lines += ["", "## Needs attention", ""]
            lines += [f"- {o.record}: {o.action} — {o.detail}" for o in problems[:50]]
            if len(problems) > 50:
                lines.append(f"- … and {len(problems) - 50} more (see the table artifact)")
        if self.notes:
            lines += ["", "## Notes", ""] + [f"- {note}" for note in self.notes]
        return "\n".join(lines)


async def publish_report(report: RunReport) -> dict[str, int]:
    """Publish the run's table and summary artifacts; return the counts per action."""
    rows = [{"record": o.record, **dict(o.columns), "result": o.action, "detail": o.detail}
            for o in report.outcomes]
    if rows:
        await create_table_artifact(rows, key=report.artifact_key,
                                    description=f"{report.process} for {report.merchant_id}: every record")
    await create_markdown_artifact(report.markdown(), key=f"{report.artifact_key}-summary",
                                   description=f"{report.process} for {report.merchant_id}: summary")
    return report.counts()


async def finish_run(report: RunReport, unexpected: list[str]) -> dict[str, int]:
    """Publish the run's artifacts; then fail the run if any record hit a bug rather than a data or vendor
    problem (those records are already kept in quarantine), so on-call sees a red run."""
    counts = await publish_report(report)
    if unexpected:
        raise RuntimeError(f"unexpected errors (records kept in quarantine): {unexpected}")
    return counts
