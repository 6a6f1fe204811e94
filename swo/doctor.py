"""``swo doctor <merchant>``: is this merchant ready to run? One table, and exit 1 on any problem.

In order: the credentials (each reference resolves, and each system accepts them); every mapping on
both sides (Ongoing status numbers, transporters and services, return causes; Starweb statuses,
shipping methods and tracking types); the go-live cutoff; and how far each system's clock is from this
machine's. The judging is ``domain.mapping_checks``'s; this module gathers what the systems say and
prints it. Warnings are worth reading but do not fail the check.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from datetime import datetime, timedelta

from rich.console import Console
from rich.table import Table

from domain.config import ConfigError, MerchantConfig
from domain.mapping_checks import (
    Finding,
    Verdict,
    clock_finding,
    go_live_finding,
    ongoing_findings,
    starweb_findings,
)
from integrations.errors import AuthenticationFailed, ConnectorError
from integrations.http import RetryPolicy
from ledger.types import utcnow
from swo.feedback import credential_refs, fill_demo_credentials_and_say_so, merchant_or_exit

# An unreachable system should be reported in seconds, not after the flows' patient retries.
_QUICK = RetryPolicy(max_attempts=2, initial_delay=0.2, max_delay=1.0)
_STYLE = {Verdict.OK: "green", Verdict.WARNING: "yellow", Verdict.PROBLEM: "bold red"}

Clock = Callable[[], datetime]


async def examine(merchant: MerchantConfig, now: Clock = utcnow) -> list[Finding]:
    """Every check of the merchant, in the order the table shows them (clocks last)."""
    findings, ready = await _credentials(merchant)
    for system, check in (("Starweb", _starweb), ("Ongoing", _ongoing)):
        if system in ready:
            findings += await check(merchant, now)
        else:
            findings.append(Finding(system, f"{system.lower()}.base_url", _base_url(merchant, system), Verdict.WARNING,
                                    "not checked: its credentials are missing"))
    clocks = [f for f in findings if f.area == "clock"]
    return [*(f for f in findings if f.area != "clock"), go_live_finding(merchant.go_live_cutoff, now()), *clocks]


def _base_url(merchant: MerchantConfig, system: str) -> str:
    return merchant.starweb.base_url if system == "Starweb" else merchant.ongoing.base_url


async def _credentials(merchant: MerchantConfig) -> tuple[list[Finding], set[str]]:
    from tasks.runtime import resolve_credential

    findings: list[Finding] = []
    missing: set[str] = set()
    for key, ref, what in credential_refs(merchant):
        system = "Starweb" if key.startswith("starweb") else "Ongoing"
        try:
            await resolve_credential(ref, what)
        except ConfigError as exc:
            missing.add(system)
            findings.append(Finding("credentials", key, ref.describe(), Verdict.PROBLEM, str(exc)))
        else:
            findings.append(Finding("credentials", key, ref.describe(), Verdict.OK, "set"))
    return findings, {"Starweb", "Ongoing"} - missing


def _clock(system: str, merchant: MerchantConfig, server: datetime | None, before: datetime,
           after: datetime) -> Finding:
    skew = None if server is None else server - (before + (after - before) / 2)
    return clock_finding(system, skew, timedelta(minutes=merchant.orders.overlap_minutes))


async def _starweb(merchant: MerchantConfig, now: Clock) -> list[Finding]:
    from tasks.mapping_checks import read_shop_registers
    from tasks.runtime import starweb_client

    url = merchant.starweb.base_url
    try:
        async with await starweb_client(merchant, policy=_QUICK) as shop:
            before = now()
            server = await shop.server_time()
            after = now()
            registers = await read_shop_registers(shop)
    except AuthenticationFailed as exc:
        return [Finding("Starweb", "starweb.client_id", url, Verdict.PROBLEM,
                        f"Starweb refused these credentials: {exc.vendor_message or exc}")]
    except ConnectorError as exc:
        return [Finding("Starweb", "starweb.base_url", url, Verdict.PROBLEM,
                        f"cannot use the Starweb API here: {exc}")]
    reached = Finding("Starweb", "starweb.base_url", url, Verdict.OK, "reached; credentials accepted")
    return [reached, *starweb_findings(merchant, registers), _clock("Starweb", merchant, server, before, after)]


async def _ongoing(merchant: MerchantConfig, now: Clock) -> list[Finding]:
    from tasks.mapping_checks import read_ongoing_registers
    from tasks.runtime import ongoing_client

    url, owner = merchant.ongoing.base_url, merchant.ongoing.goods_owner_id
    try:
        async with await ongoing_client(merchant, policy=_QUICK) as warehouse:
            before = now()
            server = await warehouse.server_time()
            after = now()
            reached = Finding("Ongoing", "ongoing.base_url", url, Verdict.OK, "reached; credentials accepted")
            try:
                registers = await read_ongoing_registers(warehouse)
            except AuthenticationFailed as exc:
                # The user logged in, so what it may not see is this goods owner's registers.
                return [reached, Finding("Ongoing", "ongoing.goods_owner_id", str(owner), Verdict.PROBLEM,
                                         f"these credentials give no access to goods owner {owner}: "
                                         f"{exc.vendor_message or exc}"),
                        _clock("Ongoing", merchant, server, before, after)]
    except AuthenticationFailed as exc:
        return [Finding("Ongoing", "ongoing.username", url, Verdict.PROBLEM,
                        f"Ongoing refused these credentials: {exc.vendor_message or exc}")]
    except ConnectorError as exc:
        return [Finding("Ongoing", "ongoing.base_url", url, Verdict.PROBLEM,
                        f"cannot use the Ongoing API here: {exc}")]
    owner_row = Finding("Ongoing", "ongoing.goods_owner_id", str(owner), Verdict.OK, "registers readable")
    return [reached, owner_row, *ongoing_findings(merchant, registers),
            _clock("Ongoing", merchant, server, before, after)]


# Printing -----------------------------------------------------------------------------------------

def render(merchant: MerchantConfig, findings: list[Finding], console: Console) -> None:
    table = Table(title=f"swo doctor {merchant.merchant_id}: {merchant.name}", title_justify="left")
    for column in ("check", "setting", "value", "result", "detail"):
        table.add_column(column, overflow="fold")
    for f in findings:
        style = _STYLE[f.verdict]
        table.add_row(f.area, f.key, f.value, f"[{style}]{f.verdict.value}[/{style}]", f.detail)
    console.print(table)
    problems = [f for f in findings if f.verdict is Verdict.PROBLEM]
    warnings = sum(f.verdict is Verdict.WARNING for f in findings)
    if problems:
        # Unwrapped, one per line: what to fix, whatever the width of the terminal.
        console.print(f"{len(problems)} problem(s):", style="bold red", soft_wrap=True)
        for f in problems:
            console.print(f"  {f.key}: {f.detail}", soft_wrap=True, markup=False, highlight=False)
        console.print(f"{merchant.merchant_id}: not ready; fix the above and run `swo doctor "
                      f"{merchant.merchant_id}` again.", soft_wrap=True, markup=False)
    else:
        console.print(f"{merchant.merchant_id}: ready ({warnings} warning(s)).", soft_wrap=True, markup=False)


def run_doctor(merchant_id: str) -> int:
    """The ``swo doctor`` command: 0 when nothing is a problem, 1 otherwise."""
    merchant = merchant_or_exit(merchant_id)
    fill_demo_credentials_and_say_so(merchant)
    findings = asyncio.run(examine(merchant))
    # A pipe or a CI log has no width: give the table room instead of folding every cell.
    console = Console(width=None if sys.stdout.isatty() else 200)
    render(merchant, findings, console)
    return 1 if any(f.verdict is Verdict.PROBLEM for f in findings) else 0
