"""How ``swo`` commands answer an operator who got something wrong: one clear line, a non-zero exit.

A command names the merchant first, so the merchant is checked first (a valid id with a file that loads),
then the credentials a command will need. Every refusal goes to stderr as one line (or the few lines a
merchant file's problems take) and exits 1; a traceback means a bug, never a typo.
"""

from __future__ import annotations

import asyncio
from typing import NoReturn

import typer

from domain.config import ConfigError, CredentialRef, MerchantConfig, load_merchant_by_id
from settings import get_settings
from swo.demo_credentials import fill_demo_credentials


def fail(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(1)


def merchant_or_exit(merchant_id: str) -> MerchantConfig:
    """The merchant's validated configuration, or exit 1 naming what is wrong (unknown id, bad file)."""
    try:
        return load_merchant_by_id(merchant_id, get_settings().merchants_dir)
    except ConfigError as exc:
        fail(str(exc))


def fill_demo_credentials_and_say_so(merchant: MerchantConfig) -> None:
    """Fill the simulators' demo credentials for a merchant that points at them, telling the operator."""
    filled = fill_demo_credentials(merchant)
    if filled:
        typer.echo(f"Using the simulators' demo credentials for {', '.join(filled)} (unset; {merchant.merchant_id} "
                   "points at this machine).", err=True)


def with_credentials_or_exit(merchant: MerchantConfig) -> MerchantConfig:
    """Make sure every credential the merchant file names can be resolved, filling the simulators' demo
    credentials for a merchant that points at them; exit 1 naming the first one missing."""
    from tasks.runtime import resolve_credential

    fill_demo_credentials_and_say_so(merchant)

    async def resolve_all() -> None:
        for _key, ref, what in credential_refs(merchant):
            await resolve_credential(ref, what)

    try:
        asyncio.run(resolve_all())
    except ConfigError as exc:
        fail(f"{exc}. Set it (see the README, \"Operating it\") and try again.")
    return merchant


def credential_refs(merchant: MerchantConfig) -> list[tuple[str, CredentialRef, str]]:
    """Each credential reference of the merchant file: its key, the reference, and the words a message uses."""
    m = merchant.merchant_id
    return [("starweb.client_id", merchant.starweb.client_id, f"{m} Starweb client id"),
            ("starweb.client_secret", merchant.starweb.client_secret, f"{m} Starweb client secret"),
            ("ongoing.username", merchant.ongoing.username, f"{m} Ongoing user"),
            ("ongoing.password", merchant.ongoing.password, f"{m} Ongoing password")]
