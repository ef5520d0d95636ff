"""Versioned schema migrations, modelled on sqlite-utils' ``Migrations``:
one decorated function per schema step, applied in order, each recorded in one
table (``_migrations``: migration_set, name, applied_at). A step runs once, in the
same transaction as its record, so a crash leaves the schema at a known step.

Rule for contributors: never edit an applied step. ``m001_initial`` creates the
tables as ``store.schema`` defined them at version 1; when a table changes, copy
its version-1 definition into ``m001`` first, then add a new step (``m003_...``)
that alters the table (``ALTER TABLE ... ADD COLUMN`` via ``conn.execute(text(...))``
or SQLAlchemy DDL), and update ``store.schema`` for the query layer.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable

from sqlalchemy import Column, DateTime, MetaData, String, Table, select
from sqlalchemy.engine import Connection

_meta = MetaData()
migrations_table = Table(
    "_migrations", _meta,
    Column("migration_set", String(60), primary_key=True),
    Column("name", String(120), primary_key=True),
    Column("applied_at", DateTime, nullable=False),
)


class Migrations:
    """A named, ordered set of schema steps.

    >>> m = Migrations("example")
    >>> @m()
    ... def m001_create(conn): ...
    """

    def __init__(self, name: str):
        self.name = name
        self._steps: list[tuple[str, Callable[[Connection], None]]] = []

    def __call__(self, *, name: str | None = None):
        def decorator(fn):
            step = name or fn.__name__
            if any(s == step for s, _ in self._steps):
                raise ValueError(f"duplicate migration step {step!r}")
            self._steps.append((step, fn))
            return fn
        return decorator

    @property
    def steps(self) -> list[str]:
        return [s for s, _ in self._steps]

    def applied(self, conn: Connection) -> list[str]:
        migrations_table.create(conn, checkfirst=True)
        rows = conn.execute(
            select(migrations_table.c.name)
            .where(migrations_table.c.migration_set == self.name)
            .order_by(migrations_table.c.applied_at, migrations_table.c.name)
        )
        return [r[0] for r in rows]

    def pending(self, conn: Connection) -> list[str]:
        done = set(self.applied(conn))
        return [s for s, _ in self._steps if s not in done]

    def apply(self, conn: Connection) -> list[str]:
        """Apply pending steps on ``conn``, which must be inside a write transaction
        (the caller holds the lock, so two processes opening a new database at once
        cannot both create it)."""
        done = set(self.applied(conn))
        ran = []
        for step, fn in self._steps:
            if step in done:
                continue
            fn(conn)
            conn.execute(migrations_table.insert().values(
                migration_set=self.name, name=step,
                applied_at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)))
            ran.append(step)
        return ran


migrations = Migrations("frontline")


@migrations()
def m001_initial(conn: Connection) -> None:
    """Reports, sources, actors, mentions, events, event_actors, analyst places, corrections."""
    from store import schema
    schema.metadata.create_all(conn, tables=[
        schema.reports, schema.report_sources, schema.actors, schema.mentions,
        schema.events, schema.event_actors, schema.analyst_places, schema.corrections,
    ])


@migrations()
def m002_indexes(conn: Connection) -> None:
    """Indexes for the dashboard's filters (date, place, type, side, actor, source)."""
    from store import schema
    for index in schema.INDEXES:
        index.create(conn, checkfirst=True)


@migrations()
def m003_covering_index(conn: Connection) -> None:
    """A covering index for the dashboard's aggregates (place summary, counts, timeline):
    event rows are wide (evidence, extracted JSON), so aggregating from this index
    instead of the table keeps a filter change fast at 100,000 events."""
    from store import schema
    schema.IX_EVENTS_AGG.create(conn, checkfirst=True)
