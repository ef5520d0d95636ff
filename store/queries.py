"""The query layer: the only code that reads the database for the CLI and the dashboard.

Every function takes a ``Store`` (``store.open_store()``) and returns pandas objects
or plain dicts. SQL is built with SQLAlchemy Core (parameterized, portable to
PostgreSQL); filtering and aggregation run in the database on indexed columns.

Filter semantics (``Filters``; every field optional, all given fields must hold):
- ``date_from``/``date_to``: inclusive, on the event date. ``undated`` (default True):
  events without a date are kept whatever the range, since they can be neither inside nor
  outside it; False leaves them out (with or without a range).
- ``sides``/``actor_ids``: the event involves at least one actor of those sides/ids.
- ``event_types``, ``sources`` (any of the report's sources), ``geo_precisions``,
  ``place_ids``, ``report_ids``: membership.
- ``min_killed``: killed best, else low, at least this.
- ``text``: folded Arabic (hamza, ta marbuta, diacritics do not matter), matched in
  the evidence sentence, the place names, actor names and event type: every word must occur
  as a substring of ``events.search_folded``. On SQLite words of 3+ characters are looked up
  in the trigram index ``events_fts`` (m006), shorter ones by LIKE; same rows either way.
- ``include_false``: events marked false by an analyst are hidden unless True.

Corrections are already applied in the event rows (see store.records), so every
figure here is the corrected one; ``corrected`` tells which events were touched.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any, Sequence

import pandas as pd
from sqlalchemy import String, and_, case, distinct, exists, func, literal, or_, select, type_coerce
from sqlalchemy.sql import ColumnElement

from store import schema as S
from store.records import decode_mention, raw_bytes
from store.corrections import (  # noqa: F401  (re-exported: the correction UI's API)
    add_analyst_place, add_correction, place_mention, revert_correction,
)

E, R, EA, RS, M = S.events, S.reports, S.event_actors, S.report_sources, S.mentions

EVENT_COLUMNS = [
    "event_id", "report_id", "date", "date_precision", "event_type", "sub_event_type",
    "actor_ids", "sides", "actors_en", "place_id", "pcode", "place_name_ar", "place_name_en",
    "place_kind", "lat", "lon", "geo_precision",
    "killed_low", "killed_best", "killed_high", "injured_low", "injured_best", "injured_high",
    "weapons", "evidence_text", "evidence_start", "evidence_end", "confidence",
    "report_title", "source", "url", "published", "corrected", "is_false", "extractor_version",
]
INT_COLUMNS = ["killed_low", "killed_best", "killed_high", "injured_low", "injured_best", "injured_high",
               "geo_precision", "evidence_start", "evidence_end"]


@dataclass
class Filters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sides: list[str] | None = None
    actor_ids: list[str] | None = None
    event_types: list[str] | None = None
    sources: list[str] | None = None
    min_killed: int | None = None
    geo_precisions: list[int] | None = None
    text: str | None = None
    include_false: bool = False
    place_ids: list[str] | None = None
    report_ids: list[int] | None = None
    # Events without a date (a report with no date anywhere) can be neither inside nor outside
    # a date range: kept by default so that nothing an analyst added disappears from view.
    undated: bool = True


def _as_date(v):
    if v is None or isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return v
    if isinstance(v, dt.datetime):
        return v.date()
    if hasattr(v, "date"):  # pandas Timestamp
        return v.date()
    return dt.date.fromisoformat(str(v)[:10])


def _fold(text: str) -> str:
    try:
        from arabic import fold
        return fold(text).lower()
    except Exception:
        return text.lower()


def _like_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# Words the trigram index cannot answer exactly keep the LIKE: shorter than a trigram, or holding
# a character SQLite's UTF-8 reader treats specially (NUL ends LIKE's and the tokenizer's text;
# U+FFFE/U+FFFF are read as U+FFFD)
_INDEX_UNSAFE = re.compile("[\x00\ufffd\ufffe\uffff]")


def text_words(text: str | None) -> list[str]:
    """The words of a text filter, folded as ``events.search_folded`` is: every one must occur in
    it (as a substring)."""
    return _fold(text).split() if text and text.strip() else []


def _indexable(word: str) -> bool:
    return len(word) >= 3 and not _INDEX_UNSAFE.search(word)


def _fts_phrase(word: str) -> str:
    """``word`` as an FTS5 string: literal text (quotes doubled), never query syntax
    (``*``, ``-``, ``NEAR``, ``AND``, column filters...). With the trigram tokenizer a phrase
    matches wherever the word occurs as a substring."""
    return '"' + word.replace('"', '""') + '"'


def text_index_in_use(store) -> bool:
    """True when the text filter reads the trigram index (SQLite with m006's ``events_fts``)."""
    if not getattr(store, "is_sqlite", False):
        return False
    if getattr(store, "_text_index", False):
        return True
    with store.read() as conn:
        found = conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                     (S.EVENTS_FTS,)).first() is not None
    if found:  # only a positive answer is kept: the table is never dropped
        store._text_index = True
    return found


def where_clause(f: Filters | None, *, text_index: bool = False) -> ColumnElement:
    """The WHERE condition on ``events`` for ``f``. ``text_index``: answer the text filter's words
    of 3+ characters from the trigram index ``events_fts`` (same rows as the LIKE; see
    ``text_index_in_use``) instead of scanning every event's folded text."""
    f = f or Filters()
    conds: list[ColumnElement] = []
    if not f.include_false:
        conds.append(E.c.is_false.is_(False))
    in_range = []
    if f.date_from is not None:
        in_range.append(E.c.date >= _as_date(f.date_from))
    if f.date_to is not None:
        in_range.append(E.c.date <= _as_date(f.date_to))
    if in_range:
        conds.append(or_(E.c.date.is_(None), and_(*in_range)) if f.undated else and_(*in_range))
    elif not f.undated:
        conds.append(E.c.date.is_not(None))
    if f.sides:
        conds.append(exists().where(and_(EA.c.event_id == E.c.id, EA.c.side.in_(list(f.sides)))))
    if f.actor_ids:
        conds.append(exists().where(and_(EA.c.event_id == E.c.id, EA.c.actor_id.in_(list(f.actor_ids)))))
    if f.event_types:
        conds.append(E.c.event_type.in_(list(f.event_types)))
    if f.sources:
        conds.append(exists().where(and_(RS.c.report_id == E.c.report_id, RS.c.source.in_(list(f.sources)))))
    if f.min_killed:
        conds.append(func.coalesce(E.c.killed_best, E.c.killed_low, 0) >= int(f.min_killed))
    if f.geo_precisions:
        conds.append(E.c.geo_precision.in_([int(x) for x in f.geo_precisions]))
    if f.place_ids:
        conds.append(E.c.place_id.in_(list(f.place_ids)))
    if f.report_ids:
        conds.append(E.c.report_id.in_([int(x) for x in f.report_ids]))
    words = text_words(f.text)
    indexed = [w for w in words if text_index and _indexable(w)]
    if indexed:
        match = " AND ".join(_fts_phrase(w) for w in indexed)
        conds.append(E.c.id.in_(select(S.events_fts.c.rowid).where(S.events_fts.c.t.op("MATCH")(match))))
    for word in words:
        if word not in indexed:
            conds.append(E.c.search_folded.like(f"%{_like_escape(word)}%", escape="\\"))
    return and_(true_(), *conds)


def _where(store, f: Filters | None) -> ColumnElement:
    return where_clause(f, text_index=text_index_in_use(store))


def true_():
    return literal(1) == 1


def _frame(result, columns: Sequence[str] | None = None) -> pd.DataFrame:
    cols = list(columns or result.keys())
    # plain tuples: pandas probes every record with hasattr(), and on a SQLAlchemy Row each
    # probe of a missing attribute costs a raised and caught exception (~2.5 us a row)
    rows = [tuple(r) for r in result.fetchall()]
    return pd.DataFrame.from_records(rows, columns=cols)


# -- events -------------------------------------------------------------------------------
def _events_select(store, f: Filters | None):
    return (
        select(
            E.c.id.label("event_id"), E.c.report_id, E.c.date, E.c.date_precision, E.c.event_type,
            E.c.sub_event_type, E.c.actor_ids, E.c.sides, E.c.actors_en, E.c.place_id, E.c.pcode,
            E.c.place_name_ar, E.c.place_name_en, E.c.place_kind, E.c.lat, E.c.lon, E.c.geo_precision,
            E.c.killed_low, E.c.killed_best, E.c.killed_high, E.c.injured_low, E.c.injured_best,
            E.c.injured_high, E.c.weapons, E.c.evidence_text, E.c.evidence_start, E.c.evidence_end,
            E.c.confidence, R.c.title.label("report_title"), R.c.source_names.label("source"), R.c.url,
            R.c.published, E.c.corrected, E.c.is_false, E.c.extractor_version,
        )
        .select_from(E.join(R, R.c.id == E.c.report_id))
        .where(_where(store, f))
    )


def _typed_events(df: pd.DataFrame) -> pd.DataFrame:
    df["date"] = pd.to_datetime(df["date"], errors="coerce")
    df["published"] = pd.to_datetime(df["published"], errors="coerce")
    for c in INT_COLUMNS:
        df[c] = pd.array(df[c], dtype="Int64") if len(df) else pd.Series([], dtype="Int64")
    for c in ("lat", "lon", "confidence"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
    for c in ("corrected", "is_false"):
        df[c] = df[c].fillna(False).astype(bool)
    for c in ("actor_ids", "sides", "actors_en", "weapons"):
        df[c] = df[c].fillna("")
    df["event_id"] = df["event_id"].astype("int64")
    df["report_id"] = df["report_id"].astype("int64")
    return df


def events(store, filters: Filters | None = None, *, limit: int | None = None,
           extra: Sequence[str] = ()) -> pd.DataFrame:
    """One row per event matching ``filters`` (newest first), columns ``EVENT_COLUMNS``
    (+ ``extra`` events columns such as ``event_key``)."""
    q = _events_select(store, filters)
    for name in extra:
        q = q.add_columns(E.c[name])
    q = q.order_by(E.c.date.desc(), E.c.id.desc())
    if limit is not None:
        q = q.limit(int(limit))
    with store.read() as conn:
        df = _frame(conn.execute(q))
    if df.empty:
        df = pd.DataFrame(columns=EVENT_COLUMNS + list(extra))
    return _typed_events(df)


def events_for_place(store, place_id: str, filters: Filters | None = None, limit: int | None = 500) -> pd.DataFrame:
    f = Filters(**{**(filters.__dict__ if filters else {}), "place_ids": [place_id]})
    return events(store, f, limit=limit, extra=("event_key",))


# -- aggregates -----------------------------------------------------------------------------
_KILLED = func.coalesce(E.c.killed_best, E.c.killed_low)
_INJURED = func.coalesce(E.c.injured_best, E.c.injured_low)


def _iso(col):
    """A date column read as it is stored (ISO text on SQLite), parsed once by pandas, vectorised,
    instead of one datetime.date object per row."""
    return type_coerce(col, String)


def _place_meta(conn, ids) -> pd.DataFrame:
    """Name, kind and point of each place: from its latest live event (else its latest event:
    places known only from false events, with include_false). ix_events_place_agg holds
    (is_false, place_id, rowid): found without reading event rows."""
    cols = (E.c.place_id, E.c.pcode, E.c.place_name_ar, E.c.place_name_en, E.c.place_kind,
            E.c.lat, E.c.lon, E.c.geo_precision)
    parts = []
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        one = (select(func.max(E.c.id)).where(E.c.is_false.is_(False), E.c.place_id.in_(chunk))
               .group_by(E.c.place_id))
        parts.append(_frame(conn.execute(select(*cols).where(E.c.id.in_(one)))))
        missing = set(chunk) - set(parts[-1]["place_id"])
        if missing:
            one = select(func.max(E.c.id)).where(E.c.place_id.in_(sorted(missing))).group_by(E.c.place_id)
            parts.append(_frame(conn.execute(select(*cols).where(E.c.id.in_(one)))))
    return pd.concat(parts, ignore_index=True)


SUMMARY_COLUMNS = ["place_id", "pcode", "place_name_ar", "place_name_en", "place_kind", "lat", "lon",
                   "geo_precision", "events", "killed", "injured", "dominant_event_type", "dominant_side",
                   "first_date", "last_date"]


def place_summary(store, filters: Filters | None = None) -> pd.DataFrame:
    """One row per place with its aggregated events (events without a place are left out).
    ``dominant_side`` is the most frequent side of the events' first (primary) actor; ties go
    to the first value in alphabetical order, a missing type or side counts as "unknown"."""
    w = and_(_where(store, filters), E.c.place_id.is_not(None))
    # one scan of ix_events_place_agg, grouped finely (place x type x side) in index order
    # (no sort), rolled up below with vectorised pandas (a few thousand rows)
    q = (select(E.c.place_id, E.c.event_type.label("t"), E.c.side1.label("s"), func.count().label("n"),
                func.sum(_KILLED).label("killed"), func.sum(_INJURED).label("injured"),
                _iso(func.min(E.c.date)).label("first_date"), _iso(func.max(E.c.date)).label("last_date"))
         .where(w).group_by(E.c.place_id, E.c.event_type, E.c.side1))
    cols = SUMMARY_COLUMNS
    with store.read() as conn:
        fine = _frame(conn.execute(q), ["place_id", "t", "s", "n", "killed", "injured", "first_date", "last_date"])
        places = _place_meta(conn, sorted(set(fine["place_id"]))) if not fine.empty else None
    return _summary_frame(pd.DataFrame(columns=cols) if fine.empty else _rollup(fine, places))


EVIDENCE_COLUMNS = ["place_id", "rank", "event_id", "date", "event_type", "killed", "source", "report_title",
                    "url", "evidence_text"]


def _desc_nulls_last(store, expr):
    # SQLite sorts NULL last in DESC already (and then reads the order from ix_events_top);
    # PostgreSQL needs it said
    return expr.desc().nulls_last() if store.engine.dialect.name == "postgresql" else expr.desc()


def place_evidence(store, filters: Filters | None = None, per_place: int = 2) -> pd.DataFrame:
    """The top ``per_place`` events of every place among the events matching ``filters``, for
    the map's popups: most killed (best, else low; none last) first, then the latest, then the
    highest id. One row per (place, rank), columns ``EVIDENCE_COLUMNS``: ``rank`` from 1,
    ``date`` (datetime64), ``killed`` (best else low, nullable Int64), ``source`` (the report's
    sources) and ``report_title``, ``url``, ``evidence_text`` (whole).

    One window (row_number per place) over ix_events_top, whose order is the ranking: no sort
    and no event row read except the few returned."""
    per_place = max(int(per_place), 0)
    if per_place == 0:
        return pd.DataFrame(columns=EVIDENCE_COLUMNS)
    w = and_(_where(store, filters), E.c.place_id.is_not(None))
    rn = func.row_number().over(
        partition_by=E.c.place_id,
        order_by=(_desc_nulls_last(store, S.KILLED_RANK), _desc_nulls_last(store, E.c.date), E.c.id.desc()))
    ranked = select(E.c.id.label("eid"), rn.label("rn")).where(w).subquery("ranked")
    ev = E.alias("ev")
    q = (select(ev.c.place_id, ranked.c.rn.label("rank"), ev.c.id.label("event_id"), _iso(ev.c.date).label("date"),
                ev.c.event_type, func.coalesce(ev.c.killed_best, ev.c.killed_low).label("killed"),
                R.c.source_names.label("source"), R.c.title.label("report_title"), R.c.url, ev.c.evidence_text)
         .select_from(ranked.join(ev, ev.c.id == ranked.c.eid).join(R, R.c.id == ev.c.report_id))
         .where(ranked.c.rn <= per_place)
         .order_by(ev.c.place_id, ranked.c.rn))
    with store.read() as conn:
        df = _frame(conn.execute(q), EVIDENCE_COLUMNS)
    df["date"] = pd.to_datetime(df["date"], errors="coerce")
    df["killed"] = pd.array(df["killed"], dtype="Int64") if len(df) else pd.Series([], dtype="Int64")
    for c in ("rank", "event_id"):
        df[c] = pd.to_numeric(df[c]).astype("int64")
    return df


def timeline(store, filters: Filters | None = None, by: str = "side") -> pd.DataFrame:
    """Killed per day per group: ``by="side"`` groups by the side of the event's first
    (primary) actor, so no event is counted twice; ``by="event_type"``. Events without
    a date are left out; a missing group is "unknown"."""
    if by not in ("side", "event_type"):
        raise ValueError("by must be 'side' or 'event_type'")
    col = E.c.side1 if by == "side" else E.c.event_type
    g = func.coalesce(col, "unknown")
    q = (select(E.c.date.label("date"), g.label("group"), func.coalesce(func.sum(_KILLED), 0).label("killed"))
         .where(and_(_where(store, filters), E.c.date.is_not(None)))
         .group_by(E.c.date, g).order_by(E.c.date, g))
    with store.read() as conn:
        df = _frame(conn.execute(q), ["date", "group", "killed"])
    df["date"] = pd.to_datetime(df["date"], errors="coerce")
    df["killed"] = pd.to_numeric(df["killed"]).fillna(0).astype("int64")
    return df


def counts(store, filters: Filters | None = None) -> dict:
    q = (select(func.count().label("events"), func.coalesce(func.sum(_KILLED), 0).label("killed"),
                func.coalesce(func.sum(_INJURED), 0).label("injured"),
                func.count(distinct(E.c.place_id)).label("places"),
                func.count(distinct(E.c.report_id)).label("reports"))
         .where(_where(store, filters)))
    with store.read() as conn:
        row = conn.execute(q).one()
    return {k: int(v or 0) for k, v in row._mapping.items()}


def filter_options(store) -> dict:
    """What the filters can offer: date range, the number of events without a date
    (``undated``), sides, actors (id -> English name), event types, sources (from all
    non-false events / all reports)."""
    live = E.c.is_false.is_(False)
    with store.read() as conn:
        dmin, dmax, undated = conn.execute(select(func.min(E.c.date), func.max(E.c.date),
                                                  func.count().filter(E.c.date.is_(None))).where(live)).one()
        sides = [r[0] for r in conn.execute(select(EA.c.side).distinct().where(EA.c.side.is_not(None))
                                            .order_by(EA.c.side))]
        used = select(EA.c.actor_id).distinct()
        actors = {r.actor_id: (r.name_en or r.actor_id) for r in conn.execute(
            select(S.actors.c.actor_id, S.actors.c.name_en).where(S.actors.c.actor_id.in_(used))
            .order_by(S.actors.c.name_en))}
        types = [r[0] for r in conn.execute(select(E.c.event_type).distinct().where(
            and_(live, E.c.event_type.is_not(None))).order_by(E.c.event_type))]
        sources = [r[0] for r in conn.execute(select(RS.c.source).distinct().where(RS.c.source.is_not(None))
                                              .order_by(RS.c.source))]
    return {"date_min": _as_date(dmin) if dmin else None, "date_max": _as_date(dmax) if dmax else None,
            "undated": int(undated or 0), "sides": sides, "actors": actors, "event_types": types,
            "sources": sources}


# -- reports, mentions, review queue --------------------------------------------------------
def get_report(store, report_id: int) -> dict | None:
    """A report whole: metadata, ``text`` (as decoded), ``sources`` (list of dicts),
    ``mentions`` and ``events`` (DataFrames, events including false ones)."""
    with store.read() as conn:
        r = conn.execute(select(R).where(R.c.id == int(report_id))).first()
        if r is None:
            return None
        srcs = [dict(x._mapping) for x in conn.execute(
            select(RS.c.source, RS.c.url, RS.c.locator, RS.c.title, RS.c.published, RS.c.added_at)
            .where(RS.c.report_id == r.id).order_by(RS.c.id))]
        rows = conn.execute(
            select(M.c.id.label("mention_id"), M.c.mention_key, M.c.kind, M.c.start, M.c.end, M.c.text,
                   M.c.resolved, M.c.place_id, M.c.pcode, M.c.name_ar, M.c.name_en, M.c.lat, M.c.lon,
                   M.c.geo_precision, M.c.actor_id, M.c.side, M.c.dismissed, M.c.corrected, M.c.extra)
            .where(M.c.report_id == r.id).order_by(M.c.start, M.c.end)).fetchall()
    # ``data``: the extractor's mention exactly as it was extracted (even after a correction;
    # the columns hold the effective values)
    ments = pd.DataFrame([{**{k: v for k, v in x._mapping.items() if k != "extra"}, "data": decode_mention(x)}
                          for x in rows],
                         columns=["mention_id", "mention_key", "kind", "start", "end", "text", "resolved", "place_id",
                                  "pcode", "name_ar", "name_en", "lat", "lon", "geo_precision", "actor_id", "side",
                                  "dismissed", "corrected", "data"])
    d = dict(r._mapping)
    d.pop("raw", None)
    d.pop("raw_is_text", None)
    d["raw_size"] = len(raw_bytes(r.raw, r.text, r.encoding, r.raw_is_text))
    d["sources"] = srcs
    d["mentions"] = ments
    d["events"] = events(store, Filters(report_ids=[r.id], include_false=True), extra=("event_key",))
    return d


def get_raw(store, report_id: int) -> bytes | None:
    """The report's bytes exactly as received."""
    with store.read() as conn:
        row = conn.execute(select(R.c.raw, R.c.text, R.c.encoding, R.c.raw_is_text)
                           .where(R.c.id == int(report_id))).first()
    return raw_bytes(row.raw, row.text, row.encoding, row.raw_is_text) if row else None


def list_reports(store, search: str | None = None, source: str | None = None, status: str | None = None,
                 date_from=None, date_to=None, limit: int | None = 500) -> pd.DataFrame:
    """Reports for a list (newest first): search matches the title (folded) or source."""
    n_events = (select(func.count()).where(E.c.report_id == R.c.id).correlate(R).scalar_subquery())
    q = select(R.c.id.label("report_id"), R.c.title, R.c.source_names.label("source"), R.c.url, R.c.published,
               R.c.ingested_at, R.c.language, R.c.status, R.c.error, R.c.extractor_version,
               n_events.label("events"))
    conds = []
    if source:
        conds.append(exists().where(and_(RS.c.report_id == R.c.id, RS.c.source == source)))
    if status:
        conds.append(R.c.status == status)
    if date_from is not None:
        conds.append(R.c.published >= _as_date(date_from))
    if date_to is not None:
        conds.append(R.c.published <= _as_date(date_to))
    if conds:
        q = q.where(and_(*conds))
    q = q.order_by(R.c.published.desc(), R.c.id.desc())
    with store.read() as conn:
        df = _frame(conn.execute(q))
    if search and search.strip() and not df.empty:
        needle = _fold(search.strip())
        hay = (df["title"].fillna("") + " " + df["source"].fillna("")).map(_fold)
        df = df[hay.str.contains(needle, regex=False)]
    if limit is not None:
        df = df.head(int(limit))
    df["published"] = pd.to_datetime(df["published"], errors="coerce")
    return df.reset_index(drop=True)


_SENT_END = re.compile(r"[.!?؟\n]")


def sentence_around(text: str, start: int, end: int, width: int = 300) -> str:
    """The sentence holding ``text[start:end]`` (bounded to ``width`` characters each side)."""
    lo = max(0, start - width)
    left = text[lo:start]
    m = None
    for m in _SENT_END.finditer(left):
        pass
    s = lo + (m.end() if m else 0)
    right = text[end:end + width]
    m2 = _SENT_END.search(right)
    e = end + (m2.end() if m2 else len(right))
    return text[s:e].strip()


def unresolved_mentions(store, include_dismissed: bool = False, limit: int | None = None) -> pd.DataFrame:
    """The review queue: place mentions the gazetteer did not resolve (and no analyst
    has placed or dismissed), each with its sentence."""
    conds = [M.c.kind == "place", M.c.resolved.is_(False)]
    if not include_dismissed:
        conds.append(M.c.dismissed.is_(False))
    q = (select(M.c.id.label("mention_id"), M.c.mention_key, M.c.report_id, M.c.text, M.c.start, M.c.end,
                M.c.dismissed, M.c.kind, M.c.resolved, M.c.place_id, M.c.pcode, M.c.name_ar, M.c.name_en,
                M.c.lat, M.c.lon, M.c.geo_precision, M.c.extra, R.c.title.label("report_title"), R.c.published,
                R.c.source_names.label("source"))
         .select_from(M.join(R, R.c.id == M.c.report_id)).where(and_(*conds))
         .order_by(R.c.published.desc(), M.c.report_id, M.c.start))
    if limit is not None:
        q = q.limit(int(limit))
    with store.read() as conn:
        rows = conn.execute(q).fetchall()
        data = [decode_mention(r) for r in rows]
        df = pd.DataFrame.from_records(rows, columns=list(rows[0]._fields) if rows else None)
        texts = {}
        if not df.empty:
            ids = sorted(set(int(x) for x in df["report_id"]))
            for i in range(0, len(ids), 500):
                texts.update({r.id: r.text for r in conn.execute(
                    select(R.c.id, R.c.text).where(R.c.id.in_(ids[i:i + 500])))})
    if df.empty:
        df = pd.DataFrame(columns=["mention_id", "mention_key", "report_id", "text", "start", "end", "dismissed",
                                   "data", "report_title", "published", "source", "sentence", "trigger"])
        return df
    df["data"] = data
    df = df.drop(columns=["kind", "resolved", "place_id", "pcode", "name_ar", "name_en", "lat", "lon",
                          "geo_precision", "extra"])
    df["trigger"] = df["data"].map(lambda d: d.get("trigger") if isinstance(d, dict) else None)
    df["sentence"] = [sentence_around(texts.get(int(r), ""), int(s), int(e))
                      for r, s, e in zip(df["report_id"], df["start"], df["end"])]
    df["published"] = pd.to_datetime(df["published"], errors="coerce")
    return df


def analyst_places(store) -> pd.DataFrame:
    with store.read() as conn:
        return _frame(conn.execute(select(S.analyst_places).order_by(S.analyst_places.c.place_id)))


def corrections(store, event_id: int | None = None, report_id: int | None = None,
                include_inactive: bool = True) -> pd.DataFrame:
    """The correction log (oldest first), with each value decoded from JSON."""
    C = S.corrections
    q = select(C).order_by(C.c.id)
    if report_id is not None:
        q = q.where(C.c.report_id == int(report_id))
    if event_id is not None:
        key = select(E.c.event_key).where(E.c.id == int(event_id)).scalar_subquery()
        q = q.where(and_(C.c.target == "event", C.c.target_key == key))
    if not include_inactive:
        q = q.where(C.c.active.is_(True))
    with store.read() as conn:
        df = _frame(conn.execute(q))
    for c in ("old_value", "new_value"):
        if not df.empty:
            df[c] = df[c].map(lambda v: json.loads(v) if v is not None else None)
    return df


def stats(store) -> dict:
    with store.read() as conn:
        by_status = {r[0]: r[1] for r in conn.execute(select(R.c.status, func.count()).group_by(R.c.status))}
        versions = {str(r[0]): r[1] for r in conn.execute(
            select(R.c.extractor_version, func.count()).group_by(R.c.extractor_version))}
        n = lambda t: conn.execute(select(func.count()).select_from(t)).scalar_one()  # noqa: E731
        out = {
            "reports": sum(by_status.values()), "reports_by_status": by_status,
            "extractor_versions": versions, "sources": n(RS), "mentions": n(M),
            "unresolved_places": conn.execute(select(func.count()).where(and_(
                M.c.kind == "place", M.c.resolved.is_(False), M.c.dismissed.is_(False)))).scalar_one(),
            "events": n(E),
            "events_false": conn.execute(select(func.count()).where(E.c.is_false.is_(True))).scalar_one(),
            "events_corrected": conn.execute(select(func.count()).where(E.c.corrected.is_(True))).scalar_one(),
            "corrections": n(S.corrections),
            "corrections_orphaned": conn.execute(select(func.count()).where(and_(
                S.corrections.c.active.is_(True), S.corrections.c.applied.is_(False)))).scalar_one(),
            "analyst_places": n(S.analyst_places),
            "errors": [f"report {r.id} ({r.title or ''}): {r.error}" for r in conn.execute(
                select(R.c.id, R.c.title, R.c.error).where(R.c.status == "error").order_by(R.c.id).limit(50))],
        }
    out["db_bytes"] = store.size_bytes()
    return out


def report_timestamps(store, report_ids) -> dict[int, int]:
    """Unix time of each report's last change (extraction or correction), for exports."""
    ids = [int(i) for i in report_ids]
    out: dict[int, int] = {}
    with store.read() as conn:
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            for r in conn.execute(select(R.c.id, R.c.ingested_at, R.c.extracted_at).where(R.c.id.in_(chunk))):
                t = max(x for x in (r.ingested_at, r.extracted_at) if x is not None)
                out[r.id] = t
            for r in conn.execute(select(S.corrections.c.report_id, func.max(S.corrections.c.created_at))
                                  .where(S.corrections.c.report_id.in_(chunk))
                                  .group_by(S.corrections.c.report_id)):
                if r[1] is not None and r[1] > out.get(r[0], r[1]):
                    out[r[0]] = r[1]
    return {k: int(v.replace(tzinfo=dt.timezone.utc).timestamp()) for k, v in out.items()}


def actor_inter_codes(store) -> dict[str, str]:
    """actor id -> ACLED inter code (as text) where the extractor's lexicon gives one."""
    with store.read() as conn:
        return {r.actor_id: str(r.inter_code) for r in conn.execute(
            select(S.actors.c.actor_id, S.actors.c.inter_code).where(S.actors.c.inter_code.is_not(None)))}


# -- the map's data in one go (dashboard) ---------------------------------------------------
# ``place_summary``/``place_evidence``/``counts``/``timeline`` above stay as they are; what
# follows gives the same frames with less work for the dashboard's filter change:
# - a place's name, kind and point depend on the data only, not on the filter: ``place_meta``
#   reads them for every place once (cache it per data version) and the summary merges them;
# - ``counts`` but the distinct reports are sums over the summary's fine GROUP BY (read here
#   with the events that have no place as one more group), so only ``report_count`` reads again;
# - the popups' evidence is one LIMIT per place on ix_events_top (``place_evidence_indexed``)
#   instead of a window over every selected entry;
# - ``timeline_fine`` groups by day, type and side once: both timelines roll up from it.

_FINE_COLUMNS = ["place_id", "t", "s", "n", "killed", "injured", "first_date", "last_date"]
_META_COLUMNS = ["place_id", "pcode", "place_name_ar", "place_name_en", "place_kind", "lat", "lon", "geo_precision"]


def place_meta(store) -> pd.DataFrame:
    """Every place's name, kind and point as ``place_summary`` gives them (from its latest live
    event, else its latest event), one row per place id that any event has; ``live``: the place
    has a live (not false) event, i.e. it is in ``place_summary(store, Filters())``."""
    with store.read() as conn:
        ids = [r[0] for r in conn.execute(select(E.c.place_id).distinct().where(E.c.place_id.is_not(None)))]
        if not ids:
            return pd.DataFrame(columns=_META_COLUMNS + ["live"])
        live = {r[0] for r in conn.execute(select(E.c.place_id).distinct().where(
            and_(E.c.is_false.is_(False), E.c.place_id.is_not(None))))}
        out = _place_meta(conn, sorted(ids))
    out["live"] = out["place_id"].isin(live)
    return out


def place_fine(store, filters: Filters | None = None) -> pd.DataFrame:
    """The summary's fine aggregate: one row per (place, event type, first actor's side) among
    the events matching ``filters``, events without a place included (``place_id`` None), columns
    place_id, t, s, n, killed, injured (sums of best else low; None when all missing),
    first_date, last_date (ISO text). One pass over ix_events_place_agg in index order."""
    q = (select(E.c.place_id, E.c.event_type.label("t"), E.c.side1.label("s"), func.count().label("n"),
                func.sum(_KILLED).label("killed"), func.sum(_INJURED).label("injured"),
                _iso(func.min(E.c.date)).label("first_date"), _iso(func.max(E.c.date)).label("last_date"))
         .where(_where(store, filters)).group_by(E.c.place_id, E.c.event_type, E.c.side1))
    with store.read() as conn:
        return _frame(conn.execute(q), _FINE_COLUMNS)


def report_count(store, filters: Filters | None = None) -> int:
    """The number of distinct reports among the events matching ``filters`` (``counts()["reports"]``)."""
    q = select(func.count(distinct(E.c.report_id))).where(_where(store, filters))
    with store.read() as conn:
        return int(conn.execute(q).scalar() or 0)


def counts_from_fine(fine: pd.DataFrame, reports: int) -> dict:
    """``counts()`` from ``place_fine``'s frame and ``report_count``: the same figures."""
    if fine is None or fine.empty:
        return {"events": 0, "killed": 0, "injured": 0, "places": 0, "reports": int(reports)}
    num = lambda c: int(pd.to_numeric(fine[c]).fillna(0).sum())  # noqa: E731
    return {"events": num("n"), "killed": num("killed"), "injured": num("injured"),
            "places": int(fine["place_id"].dropna().nunique()), "reports": int(reports)}


def summary_from_fine(store, fine: pd.DataFrame, meta: pd.DataFrame | None = None) -> pd.DataFrame:
    """``place_summary``'s frame from ``place_fine``'s (rows without a place are left out) and
    ``place_meta``'s (places it lacks, such as ones added since it was read, are read here)."""
    fine = fine[fine["place_id"].notna()] if fine is not None and len(fine) else None
    if fine is None or fine.empty:
        return _summary_frame(pd.DataFrame(columns=SUMMARY_COLUMNS))
    ids = pd.unique(fine["place_id"])
    if meta is None or meta.empty:
        places = None
    else:
        places = meta[meta["place_id"].isin(ids)]
    have = set(places["place_id"]) if places is not None else set()
    missing = sorted(set(ids) - have)
    if missing:
        with store.read() as conn:
            extra = _place_meta(conn, missing)
        places = extra if places is None else pd.concat([places, extra], ignore_index=True)
    return _summary_frame(_rollup(fine.copy(), places))


def _rollup(fine: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """place x type x side rows -> one row per place (as place_summary rolls up)."""
    for c in ("n", "killed", "injured"):
        fine[c] = pd.to_numeric(fine[c]).fillna(0)
    fine["t"] = fine["t"].fillna("unknown")
    fine["s"] = fine["s"].fillna("unknown")
    fine["first_date"] = pd.to_datetime(fine["first_date"], errors="coerce")
    fine["last_date"] = pd.to_datetime(fine["last_date"], errors="coerce")
    agg = fine.groupby("place_id", sort=False).agg(
        events=("n", "sum"), killed=("killed", "sum"), injured=("injured", "sum"),
        first_date=("first_date", "min"), last_date=("last_date", "max"))

    def dominant(col):
        t = fine.groupby(["place_id", col], sort=False)["n"].sum().reset_index()
        t = t.sort_values(["place_id", "n", col], ascending=[True, False, True])
        return t.drop_duplicates("place_id").set_index("place_id")[col]

    agg["dominant_event_type"] = dominant("t")
    agg["dominant_side"] = dominant("s")
    return places.merge(agg.reset_index(), on="place_id", how="right")[SUMMARY_COLUMNS]


def _summary_frame(out: pd.DataFrame) -> pd.DataFrame:
    """place_summary's types and order."""
    out = out.copy()
    out["first_date"] = pd.to_datetime(out["first_date"], errors="coerce")
    out["last_date"] = pd.to_datetime(out["last_date"], errors="coerce")
    for c in ("events", "killed", "injured"):
        out[c] = pd.to_numeric(out[c]).fillna(0).astype("int64")
    out["geo_precision"] = pd.array(out["geo_precision"], dtype="Int64") if len(out) else pd.Series([], dtype="Int64")
    for c in ("lat", "lon"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype("float64")
    return out.sort_values(["killed", "events"], ascending=False, ignore_index=True)


def place_evidence_indexed(store, filters: Filters | None = None, per_place: int = 2) -> pd.DataFrame:
    """``place_evidence``'s frame (same rows, ranks and order), read as one ``LIMIT per_place``
    per place on ix_events_top (whose order is the ranking): with a broad filter each place
    reads only its first matching entries, not every selected entry as the window does."""
    per_place = max(int(per_place), 0)
    if per_place == 0:
        return pd.DataFrame(columns=EVIDENCE_COLUMNS)
    f = filters or Filters()
    pc = [E.c.place_id.is_not(None)]
    if not f.include_false:
        pc.append(E.c.is_false.is_(False))
    p = select(E.c.place_id).distinct().where(and_(*pc)).subquery("p")
    top = (select(E.c.id).where(and_(_where(store, f), E.c.place_id == p.c.place_id))
           .order_by(_desc_nulls_last(store, S.KILLED_RANK), _desc_nulls_last(store, E.c.date), E.c.id.desc())
           .limit(per_place).correlate(p))
    ev = E.alias("ev")
    krank = func.coalesce(ev.c.killed_best, ev.c.killed_low, -1)
    q = (select(ev.c.place_id, ev.c.id.label("event_id"), _iso(ev.c.date).label("date"), ev.c.event_type,
                func.coalesce(ev.c.killed_best, ev.c.killed_low).label("killed"), R.c.source_names.label("source"),
                R.c.title.label("report_title"), R.c.url, ev.c.evidence_text)
         .select_from(p.join(ev, ev.c.id.in_(top)).join(R, R.c.id == ev.c.report_id))
         .order_by(ev.c.place_id, _desc_nulls_last(store, krank), _desc_nulls_last(store, ev.c.date), ev.c.id.desc()))
    cols = [c for c in EVIDENCE_COLUMNS if c != "rank"]
    with store.read() as conn:
        df = _frame(conn.execute(q), cols)
    df.insert(1, "rank", df.groupby("place_id", sort=False).cumcount() + 1 if len(df) else pd.Series([], dtype="int64"))
    df["date"] = pd.to_datetime(df["date"], errors="coerce")
    df["killed"] = pd.array(df["killed"], dtype="Int64") if len(df) else pd.Series([], dtype="Int64")
    for c in ("rank", "event_id"):
        df[c] = pd.to_numeric(df[c]).astype("int64")
    return df[EVIDENCE_COLUMNS]


def timeline_fine(store, filters: Filters | None = None) -> pd.DataFrame:
    """Killed per (day, event type, first actor's side) among the dated events matching
    ``filters``: ``timeline_from_fine`` rolls it up by side or by type, so switching the
    timeline's grouping reads nothing again. Columns date, t, s, killed (None when all missing)."""
    q = (select(E.c.date.label("date"), E.c.event_type.label("t"), E.c.side1.label("s"),
                func.sum(_KILLED).label("killed"))
         .where(and_(_where(store, filters), E.c.date.is_not(None)))
         .group_by(E.c.date, E.c.event_type, E.c.side1))
    with store.read() as conn:
        return _frame(conn.execute(q), ["date", "t", "s", "killed"])


def timeline_from_fine(fine: pd.DataFrame, by: str = "side") -> pd.DataFrame:
    """``timeline(store, filters, by)`` from ``timeline_fine(store, filters)``: the same frame."""
    if by not in ("side", "event_type"):
        raise ValueError("by must be 'side' or 'event_type'")
    if fine is None or fine.empty:
        df = pd.DataFrame(columns=["date", "group", "killed"])
    else:
        col = "s" if by == "side" else "t"
        k = pd.to_numeric(fine["killed"]).fillna(0)
        df = (pd.DataFrame({"date": fine["date"], "group": fine[col].where(fine[col].notna(), "unknown"),
                            "killed": k})
              .groupby(["date", "group"], as_index=False, sort=True)["killed"].sum())
    df["date"] = pd.to_datetime(df["date"], errors="coerce")
    df["killed"] = pd.to_numeric(df["killed"]).fillna(0).astype("int64")
    return df.reset_index(drop=True)
