"""The command line's progress bar draws the long runs' updates, and stays out of captured output."""

from __future__ import annotations

import io

from rich.console import Console

from swo.progress_bar import progress_bar
from tasks.progress import ProgressUpdate, _listeners


def test_each_long_run_gets_a_bar_that_follows_its_updates() -> None:
    terminal = Console(file=io.StringIO(), force_terminal=True, width=100)
    with progress_bar(terminal) as bars:
        for listener in list(_listeners):
            listener(ProgressUpdate("reconcile-demo-progress", "Reconcile for demo", 0.0, "starting"))
            listener(ProgressUpdate("reconcile-demo-progress", "Reconcile for demo", 35.0, "reading Ongoing's orders"))
        (bar,) = bars.tasks
        assert (bar.description, bar.completed, bar.fields["note"]) == (
            "Reconcile for demo", 35.0, "reading Ongoing's orders")
    assert _listeners == [], "the bar stops listening when the command's flow is done"


def test_no_bar_is_drawn_when_stderr_is_not_a_terminal() -> None:
    captured = io.StringIO()
    with progress_bar(Console(file=captured, force_terminal=False)):
        for listener in list(_listeners):
            listener(ProgressUpdate("k", "Reconcile for demo", 50.0, "halfway"))
    assert captured.getvalue() == ""
