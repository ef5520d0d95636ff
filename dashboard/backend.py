"""Where the dashboard's data comes from: the store's query layer, behind one small interface.

The dashboard never writes SQL and never applies language rules; it calls
``store.queries`` (docs/ARCHITECTURE.md, "The query layer's events frame").
``StoreBackend`` wraps a real store (the app always uses it); ``FrameBackend``
implements the same contract over an in-memory events DataFrame, for tests
(``dashboard.page.BACKEND_FACTORY`` is the seam).
"""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from store.queries import Filters  # noqa: F401  (the binding contract; re-exported for the page)


EVENT_COLUMNS = [
    "event_id", "report_id", "date", "date_precision", "event_type", "sub_event_type",
    "actor_ids", "sides", "actors_en", "place_id", "pcode", "place_name_ar", "place_name_en",
    "place_kind", "lat", "lon", "geo_precision", "killed_low", "killed_best", "killed_high",
    "injured_low", "injured_best", "injured_high", "weapons", "evidence_text", "evidence_start",
    "evidence_end", "confidence", "report_title", "source", "url", "published", "corrected",
    "is_false", "extractor_version",
]
SUMMARY_COLUMNS = [
    "place_id", "pcode", "place_name_ar", "place_name_en", "place_kind", "lat", "lon",
    "geo_precision", "events", "killed", "injured", "dominant_event_type", "dominant_side",
    "first_date", "last_date",
]


class Backend(Protocol):
    name: str

    def events(self, filters: Filters, limit: int | None = None) -> pd.DataFrame: ...
    def place_summary(self, filters: Filters) -> pd.DataFrame: ...
    def place_evidence(self, filters: Filters, per_place: int = 2) -> pd.DataFrame: ...
    def timeline(self, filters: Filters, by: str = "side") -> pd.DataFrame: ...
    def counts(self, filters: Filters) -> dict: ...
    def filter_options(self) -> dict: ...
    def data_version(self) -> str: ...


def filters_from_key(key: tuple) -> Filters:
    """Rebuild Filters from the hashable key the caches use (see state.FilterState.key)."""
    return Filters(**{k: (list(v) if isinstance(v, tuple) else v) for k, v in key})


def filters_key(filters: Filters) -> tuple:
    out = []
    for f in dataclasses.fields(filters):
        v = getattr(filters, f.name)
        out.append((f.name, tuple(v) if isinstance(v, list) else v))
    return tuple(out)


# --------------------------------------------------------------------------- store

def store_needs_seed(db: str | None = None) -> bool:
    """Whether ``StoreBackend(db)`` would load the shipped reports on opening (an empty database)."""
    import store

    s = store.open_store(db or os.environ.get("FRONTLINE_DB"))
    try:
        return store.is_empty(s)
    finally:
        s.dispose()


class StoreBackend:
    """The real thing: ``store.open_store`` + ``store.queries``."""

    def __init__(self, db: str | None = None, seed: bool = True):
        import store
        from store import queries

        self._queries = queries
        self.db = db or os.environ.get("FRONTLINE_DB")
        self.store = store.open_store(self.db)
        self.name = f"store:{self.db or 'default'}"
        self.seed_result = None
        self.seed_error = None
        self._meta = None
        if seed and hasattr(store, "seed_if_empty"):
            try:  # an empty database: load the reports that ship with the project (data/reports)
                self.seed_result = store.seed_if_empty(self.store)
            except Exception as exc:  # the page still opens, and says what went wrong
                self.seed_error = f"{type(exc).__name__}: {exc}"

    def events(self, filters, limit=None):
        """Newest first; ``limit`` caps the rows (the page never needs 100,000 rows at once)."""
        return self._queries.events(self.store, filters, limit=limit)

    def place_summary(self, filters):
        return self._queries.place_summary(self.store, filters)

    def place_evidence(self, filters, per_place=2):
        """Each place's top events for its popup (store.queries.place_evidence)."""
        return self._queries.place_evidence(self.store, filters, per_place=per_place)

    def timeline(self, filters, by="side"):
        return self._queries.timeline(self.store, filters, by=by)

    def timeline_fine(self, filters):
        """Killed per day, type and side: ``timeline_from_fine`` gives either timeline from it."""
        return self._queries.timeline_fine(self.store, filters)

    def timeline_from_fine(self, fine, by="side"):
        return self._queries.timeline_from_fine(fine, by=by)

    def counts(self, filters):
        return self._queries.counts(self.store, filters)

    # ---- the map's data for a filter change
    def place_meta(self):
        """Every place's name, kind and point (store.queries.place_meta), read once per data version."""
        version = self.data_version()
        cached = self._meta
        if cached is None or cached[0] != version:
            cached = self._meta = (version, self._queries.place_meta(self.store))
        return cached[1]

    def data_bounds_frame(self):
        """The places of ``place_summary(Filters())`` with their points (for the map's frame)."""
        meta = self.place_meta()
        return meta[meta["live"]] if len(meta) else meta

    def map_data(self, filters, per_place=2):
        """(counts, place_summary, place_evidence) for ``filters``: the same values as the three
        calls, from the summary's fine GROUP BY (the counts but reports are sums over it), a count
        of distinct reports and the indexed evidence query. Run one after the other: a thread
        pool of 3 (a connection each) was measured no faster on this 2-core machine, sometimes
        slower (each fetched row hands the GIL back and forth with the pandas work of the other
        threads); docs/dashboard.md."""
        q = self._queries
        fine = q.place_fine(self.store, filters)
        top = q.place_evidence_indexed(self.store, filters, per_place)
        reports = q.report_count(self.store, filters)
        summary = q.summary_from_fine(self.store, fine, self.place_meta())
        return q.counts_from_fine(fine, reports), summary, top

    def filter_options(self):
        return self._queries.filter_options(self.store)

    # ---- evidence and correction (issue 6): reads through store.queries, writes through
    # ---- store.queries.add_correction / add_analyst_place and store.ingest (the CLI's path)
    supports_reports = True

    def events_for_place(self, place_ids, filters, limit=500):
        f = dataclasses.replace(filters, place_ids=list(place_ids))
        return self._queries.events(self.store, f, limit=limit, extra=("event_key",))

    def report(self, report_id):
        return self._queries.get_report(self.store, int(report_id))

    def reports(self, search=None, source=None, date_from=None, date_to=None, limit=500):
        return self._queries.list_reports(self.store, search=search or None, source=source or None,
                                          date_from=date_from, date_to=date_to, limit=limit)

    def review_queue(self, limit=None):
        return self._queries.unresolved_mentions(self.store, limit=limit)

    def corrections(self, event_id=None, report_id=None):
        return self._queries.corrections(self.store, event_id=event_id, report_id=report_id)

    def analyst_places(self):
        return self._queries.analyst_places(self.store)

    def correct(self, **kw) -> int:
        return self._queries.add_correction(self.store, **kw)

    def revert(self, correction_id: int, author: str) -> None:
        self._queries.revert_correction(self.store, correction_id, author)

    def place_mention(self, mention_id: int, *, author: str, place_id: str | None = None,
                      lat: float | None = None, lon: float | None = None, name_en: str | None = None,
                      geo_precision: int = 1) -> dict:
        """Resolve a review-queue mention: to a gazetteer place (``place_id``: also an alias
        row, so later reports resolve it) or to a new analyst place at ``lat``/``lon``.
        Then reprocess the reports whose mentions the new name affects."""
        from store.corrections import place_mention
        return place_mention(self.store, mention_id, author=author, place_id=place_id, lat=lat, lon=lon,
                             name_en=name_en, geo_precision=geo_precision)

    def new_place_for_event(self, event_id: int, *, author: str, name_ar: str, lat: float, lon: float,
                            name_en: str | None = None, kind: str | None = None, geo_precision: int = 1) -> dict:
        """A new analyst place (clicked on the map) and the event moved to it."""
        place = self._queries.add_analyst_place(self.store, name_ar=name_ar, lat=lat, lon=lon, author=author,
                                                name_en=name_en or None, kind=kind or None,
                                                geo_precision=int(geo_precision))
        self.correct(event_id=int(event_id), field="place", new_value=place["place_id"], author=author)
        return place

    def ingest_file(self, name: str, data: bytes, published=None, source: str | None = None):
        from store.ingest import ingest_bytes
        return ingest_bytes(self.store, name, data, published=published, source=source or None)

    def ingest_text(self, text: str, title=None, source=None, url=None, published=None):
        from store.ingest import ingest_text
        return ingest_text(self.store, text, title=title or None, source=source or None, url=url or None,
                           published=published)

    def data_version(self) -> str:
        """Changes whenever the database file changes, so cached query results refresh after an ingest."""
        path = getattr(self.store, "path", None) or _sqlite_path(self.db)
        if path is None:
            return "0"
        parts = []
        for suffix in ("", "-wal"):
            p = Path(str(path) + suffix)
            if p.exists():
                s = p.stat()
                parts.append(f"{s.st_mtime_ns}:{s.st_size}")
        return "|".join(parts)


def _sqlite_path(db: str | None) -> Path | None:
    if db is None:
        return Path(__file__).resolve().parents[1] / "data" / "frontline.db"
    if "://" not in db:
        return Path(db)
    if db.startswith("sqlite:///"):
        return Path(db[len("sqlite:///"):])
    return None


# --------------------------------------------------------------------------- in-memory

def _split(value) -> list[str]:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return []
    return [p.strip() for p in str(value).split(";") if p.strip()]


class FrameBackend:
    """The query-layer contract over an in-memory events frame (one row per event, EVENT_COLUMNS)."""

    def __init__(self, events: pd.DataFrame, name: str = "frame", actor_names: dict | None = None):
        df = events.copy()
        for col in EVENT_COLUMNS:
            if col not in df.columns:
                df[col] = pd.NA
        df["date"] = pd.to_datetime(df["date"])
        for col in ("killed_low", "killed_best", "killed_high", "injured_low", "injured_best", "injured_high"):
            df[col] = df[col].astype("Int64")
        df["is_false"] = df["is_false"].fillna(False).astype(bool)
        df["corrected"] = df["corrected"].fillna(False).astype(bool)
        self.df = df[EVENT_COLUMNS]
        self.name = name
        self._actor_names = actor_names or {}
        self.version = 0

    def data_version(self) -> str:
        return f"{self.name}:{self.version}:{len(self.df)}"

    supports_reports = False

    def events_for_place(self, place_ids, filters, limit=500) -> pd.DataFrame:
        out = self.events(filters)
        out = out[out["place_id"].isin(list(place_ids))].reset_index(drop=True)
        return out if limit is None else out.head(int(limit))

    def events(self, filters, limit=None) -> pd.DataFrame:
        out = self._events(filters)
        out = out.sort_values(["date", "event_id"], ascending=[False, False], ignore_index=True)
        return out if limit is None else out.head(int(limit))

    def _events(self, filters) -> pd.DataFrame:
        df = self.df
        m = pd.Series(True, index=df.index)
        if not getattr(filters, "include_false", False):
            m &= ~df["is_false"]
        in_range = pd.Series(True, index=df.index)
        if filters.date_from:
            in_range &= df["date"] >= pd.Timestamp(filters.date_from)
        if filters.date_to:
            in_range &= df["date"] < pd.Timestamp(filters.date_to) + pd.Timedelta(days=1)
        # as store.queries: events without a date are kept unless undated is False
        m &= (in_range | df["date"].isna()) if getattr(filters, "undated", True) else (in_range & df["date"].notna())
        if filters.sides:
            want = set(filters.sides)
            m &= df["sides"].map(lambda v: bool(want & set(_split(v))))
        if filters.actor_ids:
            want = set(filters.actor_ids)
            m &= df["actor_ids"].map(lambda v: bool(want & set(_split(v))))
        if filters.event_types:
            m &= df["event_type"].isin(filters.event_types)
        if filters.sources:
            m &= df["source"].isin(filters.sources)
        if filters.min_killed:
            killed = df["killed_best"].fillna(df["killed_low"]).fillna(0)
            m &= killed >= filters.min_killed
        if filters.geo_precisions:
            m &= df["geo_precision"].isin(filters.geo_precisions)
        if filters.text:
            from arabic import fold
            needle = fold(filters.text).strip().lower()
            hay = (df["evidence_text"].fillna("") + " " + df["report_title"].fillna("") + " "
                   + df["place_name_ar"].fillna("") + " " + df["place_name_en"].fillna(""))
            m &= hay.map(lambda s: needle in fold(s).lower())
        return df[m].reset_index(drop=True)

    def place_summary(self, filters) -> pd.DataFrame:
        ev = self._events(filters)
        ev = ev[ev["place_id"].notna()]
        if ev.empty:
            return pd.DataFrame(columns=SUMMARY_COLUMNS)
        ev = ev.assign(_k=ev["killed_best"].fillna(ev["killed_low"]).fillna(0).astype(int),
                       _i=ev["injured_best"].fillna(ev["injured_low"]).fillna(0).astype(int),
                       _side=ev["sides"].map(lambda v: (_split(v) or [None])[0]))
        rows = []
        for pid, g in ev.groupby("place_id", sort=False):
            first = g.iloc[0]
            rows.append({
                "place_id": pid, "pcode": first["pcode"], "place_name_ar": first["place_name_ar"],
                "place_name_en": first["place_name_en"], "place_kind": first["place_kind"],
                "lat": first["lat"], "lon": first["lon"], "geo_precision": first["geo_precision"],
                "events": len(g), "killed": int(g["_k"].sum()), "injured": int(g["_i"].sum()),
                "dominant_event_type": _dominant(g, "event_type"),
                "dominant_side": _dominant(g, "_side"),
                "first_date": g["date"].min(), "last_date": g["date"].max(),
            })
        return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)

    def place_evidence(self, filters, per_place=2) -> pd.DataFrame:
        """store.queries.place_evidence over the frame: most killed (best, else low) first,
        then latest, then highest id."""
        from store.queries import EVIDENCE_COLUMNS
        ev = self._events(filters)
        ev = ev[ev["place_id"].notna()]
        if ev.empty or per_place <= 0:
            return pd.DataFrame(columns=EVIDENCE_COLUMNS)
        killed = ev["killed_best"].fillna(ev["killed_low"])
        ev = ev.assign(killed=killed, _k=killed.fillna(-1).astype("int64"))
        ev = ev.sort_values(["_k", "date", "event_id"], ascending=[False, False, False], na_position="last",
                            kind="stable")
        ev = ev.assign(rank=ev.groupby("place_id", sort=False).cumcount() + 1)
        top = ev[ev["rank"] <= per_place].sort_values(["place_id", "rank"], kind="stable")
        return top[EVIDENCE_COLUMNS].reset_index(drop=True)

    def timeline(self, filters, by="side") -> pd.DataFrame:
        ev = self._events(filters)
        if ev.empty:
            return pd.DataFrame(columns=["date", "group", "killed"])
        k = ev["killed_best"].fillna(ev["killed_low"]).fillna(0).astype(int)
        group = ev["event_type"] if by == "event_type" else ev["sides"].map(lambda v: (_split(v) or ["unknown"])[0])
        out = (pd.DataFrame({"date": ev["date"].dt.normalize(), "group": group.fillna("unknown"), "killed": k})
               .groupby(["date", "group"], as_index=False)["killed"].sum())
        return out

    def counts(self, filters) -> dict:
        ev = self._events(filters)
        return {
            "events": int(len(ev)),
            "killed": int(ev["killed_best"].fillna(ev["killed_low"]).fillna(0).sum()) if len(ev) else 0,
            "injured": int(ev["injured_best"].fillna(ev["injured_low"]).fillna(0).sum()) if len(ev) else 0,
            "places": int(ev["place_id"].nunique()),
            "reports": int(ev["report_id"].nunique()),
        }

    def filter_options(self) -> dict:
        df = self.df[~self.df["is_false"]]
        actors: dict[str, str] = dict(self._actor_names)
        for ids, names in zip(df["actor_ids"], df["actors_en"]):
            for i, n in zip(_split(ids), [x.strip() for x in str(names or "").split(";")]):
                actors.setdefault(i, n or i)
        sides = sorted({s for v in df["sides"] for s in _split(v)})
        dated = df["date"].dropna()
        return {
            "date_min": dated.min().date() if len(dated) else None,
            "date_max": dated.max().date() if len(dated) else None,
            "undated": int(df["date"].isna().sum()),
            "sides": sides,
            "actors": actors,
            "event_types": sorted(df["event_type"].dropna().unique().tolist()),
            "sources": sorted(df["source"].dropna().unique().tolist()),
        }


def _dominant(g: pd.DataFrame, col: str) -> Any:
    """The value with the most killed (ties: most events)."""
    s = g.groupby(col, dropna=True).agg(k=("_k", "sum"), n=("_k", "size"))
    if s.empty:
        return None
    return s.sort_values(["k", "n"], ascending=False).index[0]
