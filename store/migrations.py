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
import warnings
from typing import Callable

from sqlalchemy import (
    Boolean, Column, Date, DateTime, Float, LargeBinary, ForeignKey, Index, Integer, MetaData, String, Table, Text, select,
)
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

    def apply(self, conn: Connection, until: str | None = None) -> list[str]:
        """Apply pending steps on ``conn``, which must be inside a write transaction
        (the caller holds the lock, so two processes opening a new database at once
        cannot both create it). ``until``: stop after that step (tests build an
        older schema with it)."""
        done = set(self.applied(conn))
        ran = []
        for step, fn in self._steps:
            if step not in done:
                with warnings.catch_warnings():
                    # checkfirst=True (m002, m003) reflects the table's indexes; SQLAlchemy warns
                    # that it skips m005's expression index, which those steps never create
                    warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression-based")
                    fn(conn)
                conn.execute(migrations_table.insert().values(
                    migration_set=self.name, name=step,
                    applied_at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)))
                ran.append(step)
            if step == until:
                break
        return ran


migrations = Migrations("frontline")

# -- frozen definitions: tables as earlier steps created them ----------------------------
_v1 = MetaData()
reports_v1 = Table(
    "reports", _v1,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("content_hash", String(64), nullable=False, unique=True),
    Column("raw", LargeBinary, nullable=False),
    Column("text", Text, nullable=False),
    Column("encoding", String(40)),
    Column("format", String(10)),
    Column("title", Text),
    Column("url", Text),
    Column("published", Date),
    Column("language", String(8)),
    Column("source_names", Text),
    Column("ingested_at", DateTime, nullable=False),
    Column("status", String(10), nullable=False, default="pending"),
    Column("error", Text),
    Column("extractor_version", String(40)),
    Column("extracted_at", DateTime),
)
mentions_v1 = Table(
    "mentions", _v1,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
    Column("mention_key", String(120), nullable=False, unique=True),  # hash16:kind:start-end
    Column("kind", String(12), nullable=False),     # place | actor | casualty | date
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("text", Text),
    Column("resolved", Boolean),
    Column("place_id", String(40)),
    Column("pcode", String(40)),
    Column("name_ar", Text),
    Column("name_en", Text),
    Column("lat", Float),
    Column("lon", Float),
    Column("geo_precision", Integer),
    Column("actor_id", String(80)),
    Column("side", String(40)),
    Column("dismissed", Boolean, nullable=False, default=False),
    Column("corrected", Boolean, nullable=False, default=False),
    Column("data", Text, nullable=False),           # the extractor's mention, JSON (whole)
)
# m002 created these (dropped by m007): frozen here so that m002 does what it always did
INDEXES_V2_DROPPED_M007 = [
    Index("ix_events_type", Table("events", MetaData(), Column("event_type", String(60))).c.event_type),
    Index("ix_events_false_date", *(lambda t: (t.c.is_false, t.c.date))(
        Table("events", MetaData(), Column("is_false", Boolean), Column("date", Date)))),
]
MENTION_INDEXES_V1 = [
    Index("ix_mentions_report", mentions_v1.c.report_id),
    Index("ix_mentions_kind_resolved", mentions_v1.c.kind, mentions_v1.c.resolved),
]


@migrations()
def m001_initial(conn: Connection) -> None:
    """Reports, sources, actors, mentions, events, event_actors, analyst places, corrections."""
    from store import schema
    reports_v1.create(conn)   # version 1 of reports (m004 adds a column)
    schema.metadata.create_all(conn, tables=[
        schema.report_sources, schema.actors,
        schema.events, schema.event_actors, schema.analyst_places, schema.corrections,
    ])
    mentions_v1.create(conn)  # version 1 of mentions (rebuilt by m004)


@migrations()
def m002_indexes(conn: Connection) -> None:
    """Indexes for the dashboard's filters (date, place, type, side, actor, source)."""
    from store import schema
    for index in schema.INDEXES + INDEXES_V2_DROPPED_M007 + MENTION_INDEXES_V1:
        index.create(conn, checkfirst=True)


@migrations()
def m003_covering_index(conn: Connection) -> None:
    """A covering index for the dashboard's aggregates (place summary, counts, timeline):
    event rows are wide (evidence, extracted JSON), so aggregating from this index
    instead of the table keeps a filter change fast at 100,000 events."""
    from store import schema
    schema.IX_EVENTS_AGG.create(conn, checkfirst=True)


_V4_BUILD: list[Table] = []


def _mentions_v4_build() -> Table:
    """The current mentions table under a temporary name (m004 builds it, then renames it)."""
    if not _V4_BUILD:
        from store import schema
        meta = MetaData()
        Table("reports", meta, Column("id", Integer, primary_key=True))  # FK target only
        _V4_BUILD.append(Table("mentions_v4", meta, *[c._copy() for c in schema.mentions.columns]))
    return _V4_BUILD[0]


@migrations()
def m004_compact_mentions(conn: Connection) -> None:
    """Leaner extraction rows (docs/store.md, "Size"):
    - ``mentions`` rebuilt: the whole-mention JSON (``data``) becomes ``extra``, the
      extractor's mention without the values the columns already hold; no global
      unique index on ``mention_key`` (keys are unique within a report and always
      looked up with it); the review queue's index is partial (unresolved places only).
    - ``events.extracted`` loses the copies of ``evidence_text``, ``ext_id`` and
      ``confidence`` (restored from those columns when read).
    - ``reports.raw_is_text``: a report whose bytes are exactly its text encoded keeps
      one copy (``raw`` empty); existing rows are converted after a byte-for-byte check
      (the space is reused by new rows; ``VACUUM`` returns it to the file system).
    Lossless: ``store.records.decode_mention`` / ``decode_event`` give back exactly the
    extractor's dicts. A mention whose place an analyst corrected keeps its whole
    extracted mention in ``extra`` (its place columns hold the corrected place)."""
    import json

    from sqlalchemy import insert, update
    from store import records, schema

    new = _mentions_v4_build()
    new.create(conn)
    old = mentions_v1
    cols = [c.name for c in schema.mentions.columns if c.name != "extra"]
    batch: list[dict] = []
    last = 0
    while True:  # by id ranges: a large database is converted without holding it all in memory
        rows = conn.execute(select(old).where(old.c.id > last).order_by(old.c.id).limit(5000)).fetchall()
        if not rows:
            break
        last = rows[-1].id
        for r in rows:
            d = r._mapping
            row = {c: d[c] for c in cols}
            try:
                m = json.loads(d["data"])
            except (TypeError, ValueError):
                m = None
            if not isinstance(m, dict):
                row["extra"] = records.dumps({"~raw": d["data"]})
            else:
                row["extra"] = records.encode_mention(m, records.mention_columns(m), pin=bool(d["corrected"]))
            batch.append(row)
        conn.execute(insert(new), batch)
        batch.clear()
    old.drop(conn)
    conn.exec_driver_sql("ALTER TABLE mentions_v4 RENAME TO mentions")
    for index in schema.MENTION_INDEXES:
        index.create(conn, checkfirst=True)

    R = schema.reports
    conn.exec_driver_sql("ALTER TABLE reports ADD COLUMN raw_is_text BOOLEAN NOT NULL DEFAULT 0")
    last = 0
    while True:
        rows = conn.execute(select(R.c.id, R.c.raw, R.c.text, R.c.encoding).where(R.c.id > last)
                            .order_by(R.c.id).limit(500)).fetchall()
        if not rows:
            break
        last = rows[-1].id
        for r in rows:
            raw, same = records.raw_for_storage(bytes(r.raw), r.text, r.encoding)
            if same:
                conn.execute(update(R).where(R.c.id == r.id).values(raw=raw, raw_is_text=True))

    E = schema.events
    last = 0
    while True:
        rows = conn.execute(select(E.c.id, E.c.ext_id, E.c.confidence, E.c.evidence_text, E.c.extracted)
                            .where(E.c.id > last).order_by(E.c.id).limit(5000)).fetchall()
        if not rows:
            break
        last = rows[-1].id
        for r in rows:
            try:
                ev = json.loads(r.extracted)
            except (TypeError, ValueError):
                continue
            if not isinstance(ev, dict):
                continue
            compact = records.encode_event(ev, r.ext_id, r.confidence, r.evidence_text)
            if compact != r.extracted:
                conn.execute(update(E).where(E.c.id == r.id).values(extracted=compact))


@migrations()
def m005_place_indexes(conn: Connection) -> None:
    """Indexes for the map's per-place queries (docs/dashboard.md, "Benchmark"):
    ``ix_events_place_agg`` (place first: the place summary groups in index order, and a
    place's latest live event is found without reading event rows) and ``ix_events_top``
    (the popups' evidence order within each place: the top events per place without a sort).
    Both cover the filters on the event's own columns."""
    from sqlalchemy.schema import CreateIndex
    from store import schema
    # IF NOT EXISTS rather than checkfirst: reflection does not see expression indexes, and a
    # database created since this step's tables already has both (create_all in m001)
    for index in (schema.IX_EVENTS_PLACE_AGG, schema.IX_EVENTS_TOP):
        conn.execute(CreateIndex(index, if_not_exists=True))


def text_index_supported(conn: Connection) -> bool:
    """SQLite with FTS5 and its trigram tokenizer (3.34+): probed, not guessed from the version
    (FTS5 is a compile-time option)."""
    if conn.dialect.name != "sqlite":
        return False
    try:
        conn.exec_driver_sql("CREATE VIRTUAL TABLE temp._afm_trigram_probe USING fts5(t, "
                             "tokenize='trigram case_sensitive 1')")
    except Exception:
        return False
    conn.exec_driver_sql("DROP TABLE temp._afm_trigram_probe")
    return True


@migrations()
def m006_text_index(conn: Connection) -> None:
    """The text filter's substring index (docs/dashboard.md, "Benchmark"): ``events_fts``, an
    FTS5 table with the trigram tokenizer over the folded text the filter searches
    (``events.search_folded``), filled from the existing events and kept in step by the write
    path and an update trigger (see ``store.schema.EVENTS_FTS``). On PostgreSQL, or an SQLite without
    FTS5/trigram, nothing is created and the query layer keeps its LIKE scan."""
    from store import schema
    if not text_index_supported(conn):
        return
    from store import records
    for ddl in schema.EVENTS_FTS_DDL:
        conn.exec_driver_sql(ddl)
    records.index_events_text(conn)  # every existing event, in one statement
    conn.exec_driver_sql(f"INSERT INTO {schema.EVENTS_FTS}({schema.EVENTS_FTS}) VALUES ('optimize')")


@migrations()
def m007_drop_redundant_indexes(conn: Connection) -> None:
    """Fewer indexes to write at every ingest (docs/store.md, "Writing fast"): drop
    ``ix_events_type`` (no query of ``store.queries`` used it; checked with EXPLAIN QUERY PLAN
    over the query layer, exports, corrections and reprocess) and ``ix_events_false_date``
    (``is_false, date``: a prefix of ``ix_events_agg``, which SQLite uses for the same lookups)."""
    for name in ("ix_events_type", "ix_events_false_date"):
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")


@migrations()
def m008_compact_candidates(conn: Connection) -> None:
    """Leaner place mentions (docs/store.md, "Size"): a place mention's candidate list and its
    reason line, about 70 % of ``mentions.extra``, are rewritten in the compact form of
    ``store.records.compact_candidates`` (one array per candidate, the mention's own place not
    repeated, the fixed phrases of the gazetteer's explanations and the reason's repeats of the
    candidates' clauses as one character each). Lossless: ``decode_mention`` gives back exactly
    the extractor's mention (tested on a database written before this step). Rows are rewritten in
    place by id ranges; a mention an analyst corrected keeps its whole extracted mention, compacted
    the same way. SQLite reuses the freed pages for new rows; ``VACUUM`` returns them to the file
    system."""
    import json

    from sqlalchemy import update
    from store import records, schema

    M = schema.mentions
    last = 0
    while True:
        rows = conn.execute(select(M).where(M.c.id > last, M.c.extra.like('%"candidates"%'))
                            .order_by(M.c.id).limit(5000)).fetchall()
        if not rows:
            break
        last = rows[-1].id
        for r in rows:
            try:
                x = json.loads(r.extra)
            except (TypeError, ValueError):
                continue
            if not isinstance(x, dict) or "candidates" not in x:
                continue
            new = records.compact_candidates(x, records.decode_mention(r))
            if new is not x:
                conn.execute(update(M).where(M.c.id == r.id).values(extra=records.dumps(new)))
