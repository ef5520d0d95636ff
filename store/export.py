"""Exports of the (filtered, corrected) events: CSV, GeoJSON and ACLED-style CSV.

Events marked false by an analyst are left out unless the filters include them.
Null stays empty: nothing is invented to fill a column.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
import re
from pathlib import Path

import pandas as pd

from store import queries
from store.db import REPO_ROOT

ACLED_DIR = REPO_ROOT / "data" / "acled"
ACLED_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction",
    "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3", "location",
    "latitude", "longitude", "geo_precision", "source", "source_scale", "notes", "fatalities", "tags",
    "timestamp",
]
CSV_COLUMNS = ["event_key"] + queries.EVENT_COLUMNS
FORMATS = ("csv", "geojson", "acled")


def _clean(v):
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp):
        return v.date().isoformat()
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if hasattr(v, "item"):  # numpy scalars
        return v.item()
    return v


def events_frame(store, filters: queries.Filters | None = None) -> pd.DataFrame:
    return queries.events(store, filters, extra=("event_key",))


def to_csv(df: pd.DataFrame) -> str:
    out = df.reindex(columns=CSV_COLUMNS).copy()
    for c in ("date", "published"):
        out[c] = out[c].map(lambda v: None if pd.isna(v) else v.date().isoformat())
    return out.to_csv(index=False, lineterminator="\n")


def to_geojson(df: pd.DataFrame) -> dict:
    feats = []
    for rec in df.reindex(columns=CSV_COLUMNS).to_dict("records"):
        props = {k: _clean(v) for k, v in rec.items()}
        lat, lon = props.get("lat"), props.get("lon")
        geom = {"type": "Point", "coordinates": [lon, lat]} if lat is not None and lon is not None else None
        feats.append({"type": "Feature", "id": props["event_key"], "geometry": geom, "properties": props})
    return {"type": "FeatureCollection", "features": feats}


def _mapping(name: str, key: str) -> dict[str, dict]:
    path = ACLED_DIR / name
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as fh:
        return {row[key]: row for row in csv.DictReader(fh)}


def _admin_names(place_id):
    from store.records import gazetteer_place
    p = gazetteer_place(place_id)
    if p is None:
        return "", "", ""
    names = []
    for lvl in ("adm1_pcode", "adm2_pcode", "adm3_pcode"):
        code = getattr(p, lvl, None)
        q = gazetteer_place(code) if code else None
        names.append((getattr(q, "name_en", None) or "") if q is not None else "")
    return tuple(names)


def to_acled(df: pd.DataFrame, store=None) -> pd.DataFrame:
    inter = {k: (v.get("inter_code") or "").strip() for k, v in _mapping("inter_codes.csv", "side").items()}
    disorder = {k: v.get("disorder_type", "") for k, v in _mapping("event_types.csv", "event_type").items()}
    tprec = {k: (v.get("time_precision") or "").strip()
             for k, v in _mapping("time_precision.csv", "date_precision").items()}
    actor_inter = queries.actor_inter_codes(store) if store is not None else {}
    stamps = queries.report_timestamps(store, sorted(set(df["report_id"]))) if store is not None and len(df) else {}
    admin_cache: dict = {}
    rows = []
    for r in df.to_dict("records"):
        date = r["date"]
        r = {k: _clean(v) for k, v in r.items()}  # NaN / <NA> -> None
        ids = [x for x in (r["actor_ids"] or "").split(";") if x]
        sides = (r["sides"] or "").split(";") if ids else []
        names = (r["actors_en"] or "").split("; ") if ids else []
        actors = [(i, (sides[n] if n < len(sides) else "") or "", (names[n] if n < len(names) else "") or i)
                  for n, i in enumerate(ids)]
        a1 = actors[0] if actors else None
        assoc1 = [a for a in actors[1:] if a1 and a[1] == a1[1] and a[1]]
        rest = [a for a in actors[1:] if a not in assoc1]
        a2 = rest[0] if rest else None
        assoc2 = [a for a in rest[1:] if a2 and a[1] == a2[1] and a[1]]
        others = [a for a in rest[1:] if a not in assoc2]
        # the actor's own ACLED code from the extractor's lexicon, else the side mapping
        i1 = (actor_inter.get(a1[0]) or inter.get(a1[1], "")) if a1 else ""
        i2 = (actor_inter.get(a2[0]) or inter.get(a2[1], "")) if a2 else ""
        if i1 and i2:
            interaction = "".join(sorted([i1, i2]))
        elif i1 and not a2:
            interaction = f"{i1}0"
        else:
            interaction = ""
        has_date = not pd.isna(date)
        killed_best, killed_low, killed_high = (_clean(r["killed_best"]), _clean(r["killed_low"]),
                                                _clean(r["killed_high"]))
        fatalities = killed_best if killed_best is not None else killed_low
        notes = re.sub(r"\s+", " ", r["evidence_text"] or "").strip()
        extra = []
        if killed_best is None and (killed_low is not None or killed_high is not None):
            extra.append(f"killed: vague, {killed_low if killed_low is not None else '?'}"
                         f"-{killed_high if killed_high is not None else '?'}")
        elif killed_low is not None and killed_high is not None and killed_low != killed_high:
            extra.append(f"killed: {killed_low}-{killed_high}, best {killed_best}")
        if others:
            extra.append("other actors: " + "; ".join(a[2] for a in others))
        if r["corrected"]:
            extra.append("corrected by an analyst")
        if r["report_title"]:
            extra.append(f"report: {r['report_title']}")
        if extra:
            notes = (notes + " [" + " | ".join(extra) + "]").strip()
        pid = _clean(r["place_id"])
        if pid not in admin_cache:
            admin_cache[pid] = _admin_names(pid) if pid else ("", "", "")
        adm1, adm2, adm3 = admin_cache[pid]
        lat, lon = _clean(r["lat"]), _clean(r["lon"])
        gp = _clean(r["geo_precision"])
        tags = []
        if r["corrected"]:
            tags.append("analyst-corrected")
        civ = r["event_type"] == "Violence against civilians" or (a2 is not None and a2[1] == "civilians")
        source = r["source"] or ""
        if not source and r["url"]:
            source = re.sub(r"^https?://(www\.)?", "", str(r["url"])).split("/")[0]
        ts = stamps.get(int(r["report_id"]))
        rows.append({
            "event_id_cnty": "SYR-FM-" + hashlib.sha1(str(r["event_key"]).encode()).hexdigest()[:10],
            "event_date": date.date().isoformat() if has_date else "",
            "year": str(date.year) if has_date else "",
            "time_precision": tprec.get(r["date_precision"] or "", "") if has_date else "",
            "disorder_type": disorder.get(r["event_type"] or "", ""),
            "event_type": r["event_type"] or "", "sub_event_type": r["sub_event_type"] or "",
            "actor1": a1[2] if a1 else "", "assoc_actor_1": "; ".join(a[2] for a in assoc1), "inter1": i1,
            "actor2": a2[2] if a2 else "", "assoc_actor_2": "; ".join(a[2] for a in assoc2), "inter2": i2,
            "interaction": interaction, "civilian_targeting": "Civilian targeting" if civ else "",
            "iso": "760", "region": "Middle East", "country": "Syria",
            "admin1": adm1, "admin2": adm2, "admin3": adm3,
            "location": r["place_name_en"] or r["place_name_ar"] or "",
            "latitude": "" if lat is None else f"{lat:.5f}", "longitude": "" if lon is None else f"{lon:.5f}",
            "geo_precision": "" if gp is None else str(gp),
            "source": source, "source_scale": "", "notes": notes,
            "fatalities": "" if fatalities is None else str(fatalities),
            "tags": "; ".join(tags), "timestamp": "" if ts is None else str(ts),
        })
    return pd.DataFrame(rows, columns=ACLED_COLUMNS, dtype=object)


def export_text(store, fmt: str, filters: queries.Filters | None = None) -> tuple[str, int]:
    """(file content, number of events) for ``fmt`` in csv | geojson | acled."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (use one of: {', '.join(FORMATS)})")
    df = events_frame(store, filters)
    if fmt == "csv":
        return to_csv(df), len(df)
    if fmt == "geojson":
        return json.dumps(to_geojson(df), ensure_ascii=False, indent=1), len(df)
    return to_acled(df, store).to_csv(index=False, lineterminator="\n"), len(df)


def export(store, fmt: str, out: str | Path | None = None, filters: queries.Filters | None = None) -> int:
    text, n = export_text(store, fmt, filters)
    if out is None or str(out) == "-":
        import sys
        sys.stdout.write(text)
    else:
        Path(out).write_text(text, encoding="utf-8")
    return n


def analyst_places_csv(store) -> str:
    df = queries.analyst_places(store)
    return df.to_csv(index=False, lineterminator="\n")
