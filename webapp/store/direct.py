"""The scoring path's statements on the DBAPI connection: compiled once per engine, no Core or ORM per call.

Around each statement SQLAlchemy spends 20-40 µs (execution context, result objects) and an ORM
session about 1.5 ms around a queued comment's insert, while SQLite runs the statement itself in
3-5 µs. Here a Core statement is compiled once for the engine's dialect; parameters and columns go
through the column types' own processors, so rows are stored and read exactly as the ORM stores and
reads them, on SQLite and PostgreSQL alike. Driver errors are re-raised as SQLAlchemy's
(OperationalError: the 503 handler; IntegrityError: the duplicate-id path), and a connection the
driver reports lost is invalidated so the pool replaces it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import weakref
from typing import Any, Iterator, Mapping, Sequence

from sqlalchemy import exc
from sqlalchemy.engine import Engine

__all__ = ["Compiled", "DirectConnection", "write_lock"]

# engine -> {id(statement): (statement, Compiled)}; weak, so the engines of finished test apps go away
_COMPILED: "weakref.WeakKeyDictionary[Engine, dict[int, tuple[Any, Compiled]]]" = weakref.WeakKeyDictionary()


class Compiled:
    """One Core statement compiled for a dialect, with its parameters' and result columns' type processors."""

    def __init__(self, statement, dialect, keys: Sequence[str] | None = None):
        compiled = statement.compile(dialect=dialect, column_keys=list(keys)) if keys else statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self.order = list(compiled.positiontup) if dialect.positional else None
        self.binds = [(name, bind.type.dialect_impl(dialect).bind_processor(dialect))
                      for name, bind in compiled.binds.items()]
        self.columns = [column.type.dialect_impl(dialect).result_processor(dialect, None)
                        for column in statement.exported_columns]

    def parameters(self, values: Mapping[str, Any]):
        processed = {name: process(values[name]) if process is not None else values[name] for name, process in self.binds}
        return tuple(processed[name] for name in self.order) if self.order is not None else processed

    def row(self, raw: Sequence[Any]) -> tuple:
        return tuple(process(value) if process is not None else value for process, value in zip(self.columns, raw))


_LOCK_FILES: dict[tuple[int, str], int] = {}  # (pid, path) -> descriptor: each process opens its own (flock is
_THREAD_LOCKS: dict[str, threading.Lock] = {}  # per open file); threads of one process share the descriptor


@contextlib.contextmanager
def write_lock(engine: Engine) -> Iterator[None]:
    """On a SQLite file, one writer at a time across workers and threads, waiting in flock; elsewhere nothing.

    Two workers committing at once otherwise meet SQLite's busy handler, which sleeps 1, 2, 5, 10... ms
    between tries: a write that waits pays at least a millisecond. A process blocked in flock resumes the
    moment the lock is released. Writers that do not take this lock still wait in the busy handler as before.
    """
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if not path or path == ":memory:":
        yield
        return
    key = (os.getpid(), path)
    descriptor = _LOCK_FILES.get(key)
    if descriptor is None:
        descriptor = _LOCK_FILES[key] = os.open(path + ".write-lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    thread_lock = _THREAD_LOCKS.get(path) or _THREAD_LOCKS.setdefault(path, threading.Lock())  # no new Lock per write
    with thread_lock:  # flock does not exclude threads sharing a descriptor
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)


class DirectConnection:
    """A pooled DBAPI connection running compiled statements; `close()` hands it back (rolled back if open)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.pid = os.getpid()
        self.failed = False  # set by any driver error: the connection is not kept for another request
        self.dialect = engine.dialect
        self._error = self.dialect.loaded_dbapi.Error
        self._compiled = _COMPILED.setdefault(engine, {})
        try:
            self.pooled = engine.raw_connection()
        except self._error as error:  # e.g. the database file cannot be opened: a 503, as through engine.connect()
            raise exc.DBAPIError.instance(None, None, error, self._error, dialect=self.dialect) from error
        self.dbapi = self.pooled.dbapi_connection

    def compiled(self, statement, keys: Sequence[str] | None = None) -> Compiled:
        """`statement` compiled for this engine; build statements once (module level, functools.cache)."""
        hit = self._compiled.get(id(statement))
        if hit is None or hit[0] is not statement:
            hit = self._compiled[id(statement)] = (statement, Compiled(statement, self.dialect, keys))
        return hit[1]

    def rows(self, statement, values: Mapping[str, Any], keys: Sequence[str] | None = None) -> list[tuple]:
        """Every row `statement` returns for `values`, processed by the column types."""
        compiled = self.compiled(statement, keys)
        cursor = None
        try:
            cursor = self.dbapi.cursor()
            cursor.execute(compiled.sql, compiled.parameters(values))
            raw = cursor.fetchall() if compiled.columns else []
        except self._error as error:
            raise self._wrap(error, compiled.sql, cursor) from error
        finally:
            if cursor is not None:
                with contextlib.suppress(self._error):  # the connection may be gone (invalidated) by now
                    cursor.close()
        return [compiled.row(row) for row in raw]

    def execute(self, statement, values: Mapping[str, Any], keys: Sequence[str] | None = None) -> None:
        self.rows(statement, values, keys)

    def write_lock(self):
        """See `write_lock`: hold it from the first write statement to the commit."""
        return write_lock(self.engine)

    def commit(self) -> None:
        try:
            self.dbapi.commit()
        except self._error as error:
            raise self._wrap(error, "COMMIT", None) from error

    def rollback(self) -> None:
        try:
            self.dbapi.rollback()
        except self._error as error:
            raise self._wrap(error, "ROLLBACK", None) from error

    @property
    def in_transaction(self) -> bool:
        return bool(getattr(self.dbapi, "in_transaction", True))

    def close(self) -> None:
        self.pooled.close()

    def __enter__(self) -> DirectConnection:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def _wrap(self, error: Exception, sql: str, cursor) -> Exception:
        self.failed = True
        lost = self.dialect.is_disconnect(error, self.dbapi, cursor)
        if lost:
            self.pooled.invalidate(error)
        return exc.DBAPIError.instance(sql, None, error, self._error, connection_invalidated=lost, dialect=self.dialect)
