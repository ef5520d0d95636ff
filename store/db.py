"""Opening the database: path rule, engine, SQLite pragmas, write transactions."""
from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = REPO_ROOT / "data" / "frontline.db"
BUSY_TIMEOUT_MS = 30_000
CACHE_KIB_PRAGMA = -32_768   # 32 MiB (SQLite's default is 2 MiB): an ingest touches every index
# Pages in the WAL before it is copied back into the database file (SQLite's default: 1,000).
# An ingest group of 64 reports writes more than 1,000 pages, so the default checkpoints at almost
# every commit; 10,000 pages (~40 MB of WAL at most) lets checkpoints run far less often.
WAL_AUTOCHECKPOINT_PAGES = 10_000


class StoreError(Exception):
    """A database that cannot be opened or used (bad path, bad URL, newer schema)."""


def resolve_db(db: str | os.PathLike | None = None) -> str:
    """The database named by ``db`` (path or SQLAlchemy URL), else ``$FRONTLINE_DB``,
    else ``data/frontline.db`` in the repository (not the current directory).
    Returns a SQLAlchemy URL."""
    value = db if db not in (None, "") else os.environ.get("FRONTLINE_DB") or None
    if value is None:
        return "sqlite:///" + str(DEFAULT_DB)
    value = os.fspath(value)
    if "://" in value:
        return value
    path = Path(value).expanduser()
    # A relative path given by the user is relative to where they stand (CLI);
    # the default is relative to the repository.
    return "sqlite:///" + str(path.resolve())


class Store:
    """A handle on the database. ``store.engine`` is a SQLAlchemy engine; use
    ``store.read()`` for reads and ``store.write()`` for a transaction that takes
    the write lock at once (SQLite ``BEGIN IMMEDIATE``), so concurrent writers
    queue on the busy timeout instead of failing half way."""

    def __init__(self, engine: Engine, url: str, extractor: Callable | None = None,
                 extractor_version: str | None = None):
        self.engine = engine
        self.url = url
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._extractor = extractor
        self._extractor_version = extractor_version
        self._lock = threading.RLock()

    # -- paths -----------------------------------------------------------------
    @property
    def path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        db = make_url(self.url).database
        return Path(db) if db and db != ":memory:" else None

    def size_bytes(self) -> int:
        p = self.path
        if p is None:
            return 0
        return sum(f.stat().st_size for f in (p, Path(str(p) + "-wal")) if f.exists())

    # -- transactions ------------------------------------------------------------
    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            conn.execution_options(sqlite_immediate=True)
            with conn.begin():
                yield conn

    # -- extractor ---------------------------------------------------------------
    def extractor(self) -> tuple[Callable, str]:
        """(extract_text, version). The extractor is imported on first use; a
        ``FRONTLINE_EXTRACTOR=module:function`` environment variable swaps it
        (tests, alternative extractors). Raises ImportError if unavailable."""
        if self._extractor is None:
            spec = os.environ.get("FRONTLINE_EXTRACTOR")
            if spec:
                import importlib
                mod_name, _, fn_name = spec.partition(":")
                mod = importlib.import_module(mod_name)
                fn = getattr(mod, fn_name or "extract_text")
                version = getattr(fn, "EXTRACTOR_VERSION", None) or getattr(mod, "EXTRACTOR_VERSION", "unknown")
            else:
                from extraction import EXTRACTOR_VERSION, extract_text
                fn, version = extract_text, EXTRACTOR_VERSION
            self._extractor, self._extractor_version = fn, str(version)
        return self._extractor, str(self._extractor_version or "unknown")

    def dispose(self) -> None:
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Store({self.url!r})"


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000,
                                              "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # The driver's own transaction handling off: SQLAlchemy's begin event below
        # emits BEGIN / BEGIN IMMEDIATE itself (the documented pysqlite recipe).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys = ON")
        # Switching a new database to WAL needs an exclusive lock, and SQLite does not
        # always call the busy handler for it: retry while another process holds it.
        for attempt in range(200):
            try:
                mode = cur.execute("PRAGMA journal_mode").fetchone()[0]
                if str(mode).lower() != "wal":
                    cur.execute("PRAGMA journal_mode = WAL")
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc) or attempt == 199:
                    raise
                time.sleep(0.05)
        # WAL + NORMAL: a commit is atomic and survives the process being killed; only an OS
        # crash or power loss can roll back the last commits (never corrupt, never half a
        # report). FULL would fsync the WAL at every commit (docs/store.md, "Durability").
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute(f"PRAGMA cache_size = {CACHE_KIB_PRAGMA}")  # page cache per connection, grows on demand
        cur.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if conn.get_execution_options().get("sqlite_immediate"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


def open_store(db: str | os.PathLike | None = None, *, migrate: bool = True,
               extractor: Callable | None = None, extractor_version: str | None = None) -> Store:
    """Open (creating and migrating if needed) the database: ``db`` path or URL,
    else ``$FRONTLINE_DB``, else ``data/frontline.db`` in the repository."""
    url = resolve_db(db)
    try:
        if url.startswith("sqlite"):
            database = make_url(url).database
            if database and database != ":memory:":
                parent = Path(database).parent
                if not parent.exists():
                    raise StoreError(f"cannot create database {database}: folder {parent} does not exist")
                if Path(database).is_dir():
                    raise StoreError(f"cannot open database {database}: it is a folder")
            engine = _sqlite_engine(url)
        else:
            engine = create_engine(url, pool_pre_ping=True)
    except StoreError:
        raise
    except Exception as exc:  # bad URL, missing driver
        raise StoreError(f"cannot open database {url}: {exc}") from exc
    store = Store(engine, url, extractor=extractor, extractor_version=extractor_version)
    if migrate:
        from store.migrations import migrations
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                with store.write() as conn:
                    migrations.apply(conn)
                break
            except Exception as exc:
                locked = "locked" in str(exc) or "busy" in str(exc)
                if locked and time.monotonic() < deadline:  # another process is creating it
                    time.sleep(0.05)
                    continue
                engine.dispose()
                raise StoreError(f"cannot open database {url}: {exc}") from exc
    return store
