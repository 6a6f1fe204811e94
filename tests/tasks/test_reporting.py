"""The run report's table artifact stays small enough for Prefect to take (a full stock resync of a large
catalogue has one record per SKU), without losing sight of the records that need a person."""

from __future__ import annotations

import pytest

from tasks import reporting
from tasks.reporting import Outcome, RunReport


def report_of(actions: list[str]) -> RunReport:
    report = RunReport("sync-stock", "demo")
    report.extend([Outcome(f"SKU {n}", action) for n, action in enumerate(actions)])
    return report


def test_a_run_within_the_bound_lists_every_record_and_adds_no_note() -> None:
    report = report_of(["unchanged", "updated", "quarantined"])

    assert report.table_outcomes() == report.outcomes
    assert "only counted" not in report.markdown()


def test_over_the_bound_the_records_needing_attention_are_listed_and_routine_ones_counted(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reporting, "TABLE_ROWS", 4)
    report = report_of(["unchanged"] * 5 + ["quarantined", "updated", "unchanged", "failed"])

    listed = report.table_outcomes()

    # Both problems are kept, in the run's order, and the first routine records fill the rest.
    assert [o.record for o in listed] == ["SKU 0", "SKU 1", "SKU 5", "SKU 8"]
    summary = report.markdown()
    assert "The table lists 4 of 9 records; the others are only counted here: 4 unchanged, 1 updated." in summary
    assert report.counts() == {"unchanged": 6, "quarantined": 1, "updated": 1, "failed": 1}


def test_when_problems_alone_pass_the_bound_the_summary_counts_the_ones_left_out(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reporting, "TABLE_ROWS", 2)
    report = report_of(["quarantined", "unchanged", "quarantined", "quarantined"])

    assert [o.record for o in report.table_outcomes()] == ["SKU 0", "SKU 2"]
    assert "the others are only counted here: 1 quarantined, 1 unchanged." in report.markdown()
    assert "- SKU 3: quarantined" in report.markdown()  # still named in the summary's list of problems


def test_problems_beyond_the_table_are_pointed_to_the_quarantine_list_not_to_the_table(
        monkeypatch: pytest.MonkeyPatch) -> None:
    within = report_of(["quarantined"] * 60).markdown()
    assert "- … and 10 more (see the table artifact)" in within

    monkeypatch.setattr(reporting, "TABLE_ROWS", 55)
    beyond = report_of(["quarantined"] * 60).markdown()
    assert ("- … and 10 more: the table artifact lists the first 55, and `swo quarantine list demo` every record "
            "held in quarantine") in beyond
    assert "see the table artifact" not in beyond
