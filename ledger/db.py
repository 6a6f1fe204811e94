"""Opening the ledger: an engine for a URL, sessions, and bringing the schema up to date with Alembic."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, configure_mappers, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# A ledger session, as the layers above name it in type hints (they hand it to ledger functions and write
# no SQL of their own, so they import nothing of SQLAlchemy's).
LedgerSession = Session
# The newest migration. Every flow run opens the ledger in a new process; when the ledger already stands
# here, Alembic (about 0.2 s to import and read its scripts) is not needed. tests/ledger/test_schema.py
# checks that this is Alembic's head.
HEAD_REVISION = "0012"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
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


# PostgreSQL advisory-lock key held while migrating ("SWOM"); any fixed number the connector alone uses.
_MIGRATION_LOCK_KEY = 0x53574F4D


def lock_for_migration(connection: Connection) -> None:
    """Make migrations one at a time across processes, until ``connection``'s transaction ends. Every flow run
    is a process of its own that opens the ledger, so on a new ledger several migrate at the same moment; and
    SQLite runs DDL outside any transaction unless one is begun, so each would create the same tables. SQLite:
    the database's write lock, taken now; PostgreSQL: a transaction-scoped advisory lock."""
    backend = connection.dialect.name
    if backend == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif backend == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration not yet applied (safe to call on each start, from several processes at once)."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def stands_at_head(engine: Engine) -> bool:
    """Whether the ledger's schema is already the newest (False for a new ledger, or one to migrate)."""
    try:
        with engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except DBAPIError:  # no alembic_version table yet
        return False
    return versions == [HEAD_REVISION]


def configure_models() -> None:
    """Set up the ORM's mappers now rather than at the first query: a process that forks flow runs does it
    once for all of them instead of each run at its first query (about 20 ms of CPU)."""
    import ledger.models  # noqa: F401  the mappers to configure

    configure_mappers()


class Ledger:
    """The ledger of one database: hands out sessions that commit on success."""

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = url
        self.engine = make_engine(url)
        if migrate and not stands_at_head(self.engine):
            upgrade(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
