"""Opening the ledger: an engine for a URL, sessions, and bringing the schema up to date with Alembic.

Every flow run opens the ledger, so the start is kept cheap: the schema's revision is one query compared
with the newest migration script, and Alembic is imported and run only when the two differ (a new ledger,
or one an upgrade of the connector left behind).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_REVISION = re.compile(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # Several flow runs share the file: WAL lets readers go on, busy_timeout waits for a writer.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return create_engine(url, pool_pre_ping=True)


# PostgreSQL error classes that pass by themselves: connection, transaction rollback (serialization,
# deadlock), insufficient resources, operator intervention (a restart).
_TRANSIENT_SQLSTATE_CLASSES = ("08", "40", "53", "57")


def is_transient_ledger_error(error: BaseException) -> bool:
    """A ledger failure that goes away by itself: SQLite's "database is locked" while another run writes,
    a dropped PostgreSQL connection, a serialization conflict. The record is retried soon, never given up."""
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate:
        return str(sqlstate)[:2] in _TRANSIENT_SQLSTATE_CLASSES
    said = str(error.orig).lower()
    return isinstance(error, OperationalError) and ("locked" in said or "busy" in said)


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration not yet applied (safe to call on each start)."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


@cache
def head_revision() -> str:
    """The newest migration's revision, read from the scripts' text (no Alembic needed)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        source = script.read_text(encoding="utf-8")
        revisions.update(_REVISION.findall(source))
        parents.update(_DOWN_REVISION.findall(source))
    heads = revisions - parents
    if len(heads) != 1:
        raise RuntimeError(f"the ledger's migrations must end in one revision, not {sorted(heads)}")
    return heads.pop()


def schema_revision(engine: Engine) -> str | None:
    """The revision the database's schema is at (None: not a migrated ledger yet)."""
    try:
        with engine.connect() as connection:
            found = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except (OperationalError, ProgrammingError):  # no alembic_version table
        return None
    return found[0] if len(found) == 1 else None


def upgrade_if_behind(engine: Engine) -> bool:
    """Bring the schema to the newest migration unless it is there already; whether it had to."""
    if schema_revision(engine) == head_revision():
        return False
    upgrade(engine)
    return True


class Ledger:
    """The ledger of one database: hands out sessions that commit on success."""

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = url
        self.engine = make_engine(url)
        if migrate:
            upgrade_if_behind(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
