"""Database plumbing shared by every model: UTC datetimes, SQLite pragmas, write transactions,
long id lists and the name search indexes."""

from __future__ import annotations

import contextvars
import json
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Integer, any_, event, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored in UTC on every backend.

    PostgreSQL keeps `timestamptz`; SQLite has no zone support, so values are stored as naive UTC
    and given back their zone on the way out. Naive values are refused: they are always a bug.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# When set, the next transaction on SQLite starts with BEGIN IMMEDIATE: it takes the write lock up
# front (waiting up to the busy timeout) instead of failing with "database is locked" when a
# read snapshot has to be upgraded after another writer committed.
_immediate: contextvars.ContextVar[bool] = contextvars.ContextVar("immediate", default=False)


# Per pooled connection; the pages are only held once read.
SQLITE_CACHE_KIB = 32 * 1024


def configure_engine(engine: Engine, busy_timeout_ms: int) -> None:
    """Install SQLite pragmas and our own transaction control; nothing to do on PostgreSQL."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy (not the driver) decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        database = engine.url.database
        if database and database != ":memory:" and not database.startswith("file::memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # A page cache of 32 MiB (the default is 2 MiB): reports that aggregate a year of
            # bookings read their index pages from memory instead of the operating system's.
            cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _immediate.get() else "BEGIN")


def begin_write(session: Session | scoped_session[Session]) -> None:
    """Start a write transaction that holds the database's write lock from its first statement.

    Call it at the start of a service whose invariants (seats, capacity) need serialising. On
    SQLite it ends the current read transaction and begins the next one with BEGIN IMMEDIATE; on
    PostgreSQL row locks and conditional updates do the work, so it only marks the intent.
    """
    if isinstance(session, scoped_session):
        session = session()  # the proxy does not forward in_transaction()
    if session.get_bind().dialect.name != "sqlite":
        return
    if session.in_transaction():
        session.commit()
    _immediate.set(True)
    session.connection()  # begins now, while the flag is set
    _immediate.set(False)


def is_lock_timeout(error: BaseException) -> bool:
    """True when the database stayed locked past the busy timeout (or a lock wait timed out)."""
    text = str(getattr(error, "orig", error)).lower()
    return (
        "database is locked" in text
        or "lock timeout" in text
        or "could not obtain lock" in text
        or "deadlock detected" in text
    )


def add_unique(session: Session, row: object, refused: Exception) -> None:
    """Add `row` and flush it in a savepoint: when a unique constraint refuses it (it exists,
    or two requests raced), only the savepoint is undone and `refused` is raised from the
    database's error, so the rest of the transaction stands."""
    session.add(row)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise refused from exc


def among(session: Session, column: Any, ids: Iterable[int]) -> ColumnElement[bool]:
    """`column IN ids` for thousands of ids, sent as one parameter (a JSON list on SQLite, an
    array on PostgreSQL) rather than one bound parameter each: for the 6,500 ids of a mentee's
    possible mentors those cost tens of milliseconds to render, bind and plan, per query."""
    values = sorted({int(i) for i in ids})
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(values, ARRAY(Integer)))
    listed = func.json_each(json.dumps(values)).table_valued("value")
    return column.in_(select(listed.c.value))


# Name and email searches (`lower(column) LIKE '%…%'`) read every row without these; with them
# PostgreSQL finds the few matching people from trigram indexes (the pg_trgm extension).
NAME_SEARCH_INDEXES = {
    "ix_users_name_trgm": "lower(name)",
    "ix_users_email_trgm": "lower(email)",
}


def add_name_search_indexes(connection: Connection, logger: logging.Logger = log) -> bool:
    """Create the trigram indexes for name search on PostgreSQL (nothing to do on SQLite).

    The pg_trgm extension is created if it is missing; when the database refuses (it is not
    installed on the server, or the account may not create extensions) the search works as
    before, only without the indexes: a warning (to `logger`) says so and False is returned,
    never an error.
    """
    if connection.dialect.name != "postgresql":
        return False
    installed = connection.exec_driver_sql(
        "SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'"
    ).first()
    if installed is None:
        try:
            with connection.begin_nested():
                connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DBAPIError as exc:
            logger.warning(
                "name search runs without trigram indexes: the pg_trgm extension could not be"
                " created (%s). A database superuser can run CREATE EXTENSION pg_trgm; then"
                " run `flask db downgrade a16000000003 && flask db upgrade`.",
                str(exc.orig).strip().splitlines()[0] if exc.orig else exc,
            )
            return False
    for name, expression in NAME_SEARCH_INDEXES.items():
        connection.exec_driver_sql(
            f"CREATE INDEX IF NOT EXISTS {name} ON users USING gin ({expression} gin_trgm_ops)"
        )
    return True


def not_in_models(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic's `include_object`: the trigram indexes exist only where the extension could be
    created, so they are not in the models and comparing the schema leaves them out."""
    return not (type_ == "index" and reflected and name in NAME_SEARCH_INDEXES)


def drop_name_search_indexes(connection: Connection) -> None:
    """Undo `add_name_search_indexes` (the extension stays: other databases' objects may use
    it, and it costs nothing unused)."""
    if connection.dialect.name != "postgresql":
        return
    for name in NAME_SEARCH_INDEXES:
        connection.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
