"""The database schema, as SQLAlchemy Core tables (portable: SQLite by default,
PostgreSQL by URL).

These tables describe the *current* schema and are what the query layer uses.
The database itself is created and upgraded only by the numbered steps in
``store.migrations``; a change here must come with a new migration step.

Layers:
- ``reports`` (+ ``report_sources``): the evidence, raw bytes exactly as received,
  never modified by extraction or correction.
- ``mentions``, ``events`` (+ ``event_actors``): derived by the extractor; replaced
  whole by ``reprocess``. Event rows hold the *effective* values (extracted values
  with the analyst's corrections applied) and the extracted values as JSON.
- ``corrections``, ``analyst_places``: the analyst's work; never touched by
  (re)extraction. Corrections are keyed by stable keys (see store.corrections).
- ``actors``: every actor id the extractor has named, with its side (for filters).
"""
from __future__ import annotations

from sqlalchemy import (
    Boolean, Column, Date, DateTime, Float, ForeignKey, Index, Integer,
    LargeBinary, MetaData, String, Table, Text, UniqueConstraint, column, func, literal_column, table,
)

metadata = MetaData()

reports = Table(
    "reports", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("content_hash", String(64), nullable=False, unique=True),  # sha256 of normalized text
    Column("raw", LargeBinary, nullable=False),          # bytes exactly as received (see raw_is_text)
    Column("text", Text, nullable=False),                # decoded text (extractor offsets refer to it)
    Column("encoding", String(40)),
    Column("format", String(10)),                        # txt | md | html | jsonl | csv | text
    Column("title", Text),
    Column("url", Text),
    Column("published", Date),
    Column("language", String(8)),
    Column("source_names", Text),                        # '; '-joined distinct report_sources.source
    Column("ingested_at", DateTime, nullable=False),
    Column("status", String(10), nullable=False, default="pending"),  # pending | ok | error
    Column("error", Text),
    Column("extractor_version", String(40)),
    Column("extracted_at", DateTime),
    # m004: True when the bytes received are exactly ``text`` encoded in ``encoding`` (a
    # plain .txt/.md file, pasted text): ``raw`` is then empty and store.records.raw_bytes
    # gives the bytes back, checked byte for byte before storing. Saves a second copy of
    # every such report.
    Column("raw_is_text", Boolean, nullable=False, default=False, server_default="0"),
)

report_sources = Table(
    "report_sources", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
    Column("source", Text),                # a name: --source, a csv/jsonl column, or None
    Column("url", Text),
    Column("locator", Text, nullable=False),  # file path (and :line for jsonl/csv), or "upload:NAME"/"text"
    Column("title", Text),
    Column("published", Date),
    Column("added_at", DateTime, nullable=False),
    Column("dedup_key", String(64), nullable=False),  # sha256(source|url|locator)
    UniqueConstraint("report_id", "dedup_key", name="uq_report_sources_key"),
)

actors = Table(
    "actors", metadata,
    Column("actor_id", String(80), primary_key=True),
    Column("name_en", Text),
    Column("name_ar", Text),
    Column("side", String(40)),
    Column("actor_type", String(40)),      # ACLED-style actor type, from the extractor's lexicon
    Column("inter_code", Integer),         # ACLED inter code, from the extractor's lexicon
)

mentions = Table(
    "mentions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
    # hash16:kind:start-end; unique within its report (always looked up with the report id)
    Column("mention_key", String(120), nullable=False),
    Column("kind", String(12), nullable=False),     # place | actor | casualty | date
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("text", Text),
    Column("resolved", Boolean),                    # place mentions: resolved to a place
    Column("place_id", String(40)),
    Column("pcode", String(40)),
    Column("name_ar", Text),
    Column("name_en", Text),
    Column("lat", Float),
    Column("lon", Float),
    Column("geo_precision", Integer),
    Column("actor_id", String(80)),
    Column("side", String(40)),
    Column("dismissed", Boolean, nullable=False, default=False),  # review queue: dismissed
    Column("corrected", Boolean, nullable=False, default=False),
    # m004: the rest of the extractor's mention as compact JSON (reason, trigger, key,
    # figures, ...); the columns above are not repeated in it (store.records.encode_mention).
    Column("extra", Text),
)

events = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_key", String(160), nullable=False, unique=True),  # stable: survives re-extraction
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
    Column("ext_id", String(80)),                   # the extractor's own event id
    Column("date", Date),
    Column("date_precision", String(16)),
    Column("event_type", String(60)),
    Column("sub_event_type", String(80)),
    Column("actor_ids", Text),                      # ';'-joined
    Column("sides", Text),                          # ';'-joined, in actor order
    Column("actors_en", Text),                      # '; '-joined
    Column("side1", String(40)),                    # side of the first (primary) actor
    Column("place_id", String(40)),
    Column("pcode", String(40)),
    Column("place_name_ar", Text),
    Column("place_name_en", Text),
    Column("place_kind", String(20)),
    Column("lat", Float),
    Column("lon", Float),
    Column("geo_precision", Integer),
    Column("killed_low", Integer), Column("killed_best", Integer), Column("killed_high", Integer),
    Column("injured_low", Integer), Column("injured_best", Integer), Column("injured_high", Integer),
    Column("weapons", Text),                        # ';'-joined
    Column("evidence_start", Integer),
    Column("evidence_end", Integer),
    Column("evidence_text", Text),
    Column("search_folded", Text),                  # folded evidence + place names + actors, for text search
    Column("confidence", Float),
    Column("corrected", Boolean, nullable=False, default=False),
    Column("is_false", Boolean, nullable=False, default=False),
    Column("extractor_version", String(40)),
    # the extractor's event, JSON (original values); since m004 without the values held
    # verbatim by ext_id, confidence and evidence_text (store.records.encode_event)
    Column("extracted", Text, nullable=False),
)

event_actors = Table(
    "event_actors", metadata,
    Column("event_id", Integer, ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("actor_id", String(80), primary_key=True),
    Column("side", String(40)),
    Column("position", Integer, nullable=False),
)

analyst_places = Table(
    "analyst_places", metadata,
    Column("place_id", String(40), primary_key=True),  # "A-0001"... unless given
    Column("pcode", String(40)),
    Column("name_ar", Text, nullable=False),
    Column("name_en", Text),
    Column("kind", String(20)),
    Column("lat", Float),
    Column("lon", Float),
    Column("geo_precision", Integer),
    Column("aliases", Text),                           # ';'-joined Arabic spellings
    Column("adm1_pcode", String(20)), Column("adm2_pcode", String(20)),
    Column("adm3_pcode", String(20)), Column("adm4_pcode", String(20)),
    Column("note", Text),
    Column("author", Text),
    Column("created_at", DateTime, nullable=False),
)

corrections = Table(
    "corrections", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("target", String(8), nullable=False),       # event | mention
    Column("target_key", String(160), nullable=False),  # events.event_key / mentions.mention_key
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
    # anchor: what identified the target when the correction was made (fallback matching)
    Column("anchor_start", Integer),
    Column("anchor_end", Integer),
    Column("anchor_place_id", String(40)),
    Column("anchor_event_type", String(60)),
    Column("field", String(30), nullable=False),
    Column("old_value", Text),                         # JSON
    Column("new_value", Text),                         # JSON
    Column("author", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("note", Text),
    Column("active", Boolean, nullable=False, default=True),
    Column("applied", Boolean, nullable=False, default=True),  # False: its target is gone (orphan)
)

INDEXES = [
    Index("ix_reports_status", reports.c.status),
    Index("ix_report_sources_report", report_sources.c.report_id),
    Index("ix_report_sources_source", report_sources.c.source, report_sources.c.report_id),
    Index("ix_events_report", events.c.report_id),
    Index("ix_events_date", events.c.date),
    Index("ix_events_place", events.c.place_id),
    # m007 dropped ix_events_type (no query of store.queries used it) and ix_events_false_date
    # (is_false, date: a prefix of ix_events_agg, which answers the same lookups); every index
    # on events is written at each ingest (store.migrations.m007_drop_redundant_indexes)
    Index("ix_event_actors_side", event_actors.c.side, event_actors.c.event_id),
    Index("ix_event_actors_actor", event_actors.c.actor_id, event_actors.c.event_id),
    Index("ix_corrections_target", corrections.c.target, corrections.c.target_key),
    Index("ix_corrections_report", corrections.c.report_id),
]

# m003: covers the aggregate queries of store.queries (see that step's docstring)
IX_EVENTS_AGG = Index(
    "ix_events_agg", events.c.is_false, events.c.date, events.c.place_id, events.c.event_type, events.c.side1,
    events.c.killed_best, events.c.killed_low, events.c.injured_best, events.c.injured_low,
    events.c.geo_precision, events.c.report_id,
)

# m005: the map's per-place queries (store.queries.place_summary, place_evidence).
# KILLED_RANK is the evidence order's key; a query must use this very expression (with the
# literal -1, not a bound parameter) for SQLite to read it from ix_events_top.
KILLED_RANK = func.coalesce(events.c.killed_best, events.c.killed_low, literal_column("-1"))
# Place first: the per-place GROUP BY streams in index order (no sort), and the latest live
# event of a place (its name and point) is found in the index.
IX_EVENTS_PLACE_AGG = Index(
    "ix_events_place_agg", events.c.is_false, events.c.place_id, events.c.event_type, events.c.side1,
    events.c.date, events.c.killed_best, events.c.killed_low, events.c.injured_best, events.c.injured_low,
    events.c.geo_precision, events.c.report_id,
)
# In the popups' evidence order (most killed, latest, highest id first) within each place, so
# the top-N-per-place window runs without a sort; covers the filters on the event's own columns.
IX_EVENTS_TOP = Index(
    "ix_events_top", events.c.is_false, events.c.place_id, KILLED_RANK.desc(), events.c.date.desc(),
    events.c.id.desc(), events.c.killed_best, events.c.killed_low, events.c.event_type, events.c.side1,
    events.c.geo_precision, events.c.report_id,
)

# m004: the mentions table rebuilt (compact ``extra`` instead of the full JSON; no
# global unique index on mention_key). The review queue reads unresolved place
# mentions through a partial index: a few rows, not one entry per mention.
MENTION_INDEXES = [
    Index("ix_mentions_report", mentions.c.report_id),
    Index("ix_mentions_unresolved", mentions.c.report_id,
          sqlite_where=mentions.c.resolved.is_(False), postgresql_where=mentions.c.resolved.is_(False)),
]

# m006: the text filter's substring index (SQLite only; other databases keep the LIKE scan).
# An FTS5 table with the trigram tokenizer over ``lower(events.search_folded)`` (SQLite's
# lower(): ASCII only, the very folding LIKE applies), case-sensitive so that a phrase query
# matches exactly the rows ``search_folded LIKE '%word%'`` matches (words of 3+ characters;
# shorter words cannot be trigram-searched and keep the LIKE). Contentless (the text lives in
# ``events``) and without column sizes (no ranking): only rowids (= events.id) come back.
# A contentless table forgets a row only when given the very values it indexed.
#
# Kept in step with ``events`` (store.records.index_events_text / unindex_events_text):
# - rows inserted or deleted: by the write path, one statement per report
#   (store.records.write_extraction). Not by row triggers: a row trigger that writes to an FTS5
#   table makes SQLite open a statement savepoint per row, and FTS5 flushes its buffer to a new
#   segment at each savepoint (measured: ~200 us per event, ingest 60% slower).
# - ``search_folded`` updated (corrections, reverts, reprocess of corrected reports: a few rows
#   at a time): the trigger below, whatever the code that updates it.
# Code that inserts or deletes event rows outside store.records must call those helpers.
# Created by the migration step m006 only: this is not part of ``metadata``.
EVENTS_FTS = "events_fts"
events_fts = table(EVENTS_FTS, column("rowid", Integer), column("t", Text), column(EVENTS_FTS, Text))
EVENTS_FTS_DDL = [
    f"CREATE VIRTUAL TABLE {EVENTS_FTS} USING fts5(t, content='', columnsize=0, "
    "tokenize='trigram case_sensitive 1')",
    f"CREATE TRIGGER {EVENTS_FTS}_au AFTER UPDATE OF id, search_folded ON events "
    "WHEN old.id IS NOT new.id OR old.search_folded IS NOT new.search_folded BEGIN "
    f"INSERT INTO {EVENTS_FTS}({EVENTS_FTS}, rowid, t) VALUES ('delete', old.id, lower(old.search_folded)); "
    f"INSERT INTO {EVENTS_FTS}(rowid, t) VALUES (new.id, lower(new.search_folded)); END",
]
