"""Printing a bench's figures as ratios against their bounds, and the exit status that follows from them.

A ``Figure`` is one measured quantity with the bound it must stay within (``at_most`` or ``at_least``);
``report`` prints them as a table with the ratio to the bound and returns 0 when every figure holds.
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    bound: float
    unit: str = ""
    at_most: bool = True  # False: the value must be at least the bound
    detail: str = ""

    @property
    def ratio(self) -> float:
        """Value over bound when the bound is a ceiling, bound over value when it is a floor: ≤ 1 holds."""
        if self.at_most:
            if not self.bound:
                return 0.0 if self.value <= 0 else float("inf")
            return self.value / self.bound
        return self.bound / self.value if self.value else float("inf")

    @property
    def holds(self) -> bool:
        return self.ratio <= 1.0


def machine() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{platform.node()} · {os.cpu_count()} CPUs · Python {platform.python_version()} · "
            f"load {load:.1f} · {time.strftime('%Y-%m-%d %H:%M')}")


def report(title: str, figures: Iterable[Figure]) -> int:
    """Print the table; 0 when every figure is within its bound, else 1."""
    rows = list(figures)
    print(f"\n{title}\n{machine()}\n")
    width = max(len(f.name) for f in rows)
    print(f"{'figure':<{width}}  {'value':>12}  {'bound':>14}  {'ratio':>6}")
    for f in rows:
        bound = f"{'≤' if f.at_most else '≥'} {f.bound:g}{f.unit}"
        mark = "ok" if f.holds else "MISSED"
        print(f"{f.name:<{width}}  {f.value:>11.3g}{f.unit:<1}  {bound:>14}  {f.ratio:>6.2f}  {mark}  {f.detail}")
    missed = [f.name for f in rows if not f.holds]
    summary = f"{len(rows) - len(missed)} of {len(rows)} within bound"
    print(f"\n{summary}; missed: {', '.join(missed)}" if missed else f"\n{summary}")
    return 1 if missed else 0
