"""Downloads of the filtered events: CSV, GeoJSON and ACLED-style CSV.

The formats belong to the store: ``store.export.export_text(store, fmt, filters)`` with
fmt csv | geojson | acled, given the same Filters as the map. Over an in-memory backend
(tests) CSV and GeoJSON fall back to a plain serialisation of the events frame, and
ACLED-style CSV (which needs the project's ACLED mappings) is not offered. Files are produced when the button is clicked
(deferred ``data=callable``), not on every rerun.
"""
from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from dashboard.i18n import t

def _store_export_text(backend):
    """store.export.export_text(store, fmt, filters) -> (content, n), when the backend is a real store."""
    if not hasattr(backend, "store"):
        return None
    try:
        from store.export import export_text  # type: ignore
    except Exception:
        return None
    return export_text


def _via_store(export_text, backend, fmt: str, filters):
    def make() -> bytes:
        content, _n = export_text(backend.store, fmt, filters)
        data = content.encode("utf-8") if isinstance(content, str) else content
        # a BOM so spreadsheet programs read the Arabic in CSV files as UTF-8
        return (b"\xef\xbb\xbf" + data) if fmt != "geojson" and not data.startswith(b"\xef\xbb\xbf") else data
    return make


def events_csv(events: pd.DataFrame) -> bytes:
    # UTF-8 with BOM so spreadsheet programs read the Arabic correctly
    return events.to_csv(index=False, date_format="%Y-%m-%d").encode("utf-8-sig")


def events_geojson(events: pd.DataFrame) -> bytes:
    feats = []
    for rec in events.to_dict(orient="records"):
        lat, lon = rec.get("lat"), rec.get("lon")
        geom = None
        if lat is not None and lon is not None and not pd.isna(lat) and not pd.isna(lon):
            geom = {"type": "Point", "coordinates": [float(lon), float(lat)]}
        props = {k: (None if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v))
                     else (v.isoformat()[:10] if hasattr(v, "isoformat") else v))
                 for k, v in rec.items() if k not in ("lat", "lon")}
        feats.append({"type": "Feature", "geometry": geom, "properties": props})
    fc = {"type": "FeatureCollection", "features": feats}
    return json.dumps(fc, ensure_ascii=False, default=str).encode("utf-8")


def download_buttons(backend, events: pd.DataFrame, state, total: int | None = None) -> None:
    st.subheader(t("dl_h"))
    filters = state.filters()
    stamp = f"{state.date_from}_{state.date_to}"
    c1, c2, c3 = st.columns(3)
    export_text = _store_export_text(backend)
    if export_text is not None:
        csv_data = _via_store(export_text, backend, "csv", filters)
        gj_data = _via_store(export_text, backend, "geojson", filters)
        acled_data = _via_store(export_text, backend, "acled", filters)
    else:
        csv_data, gj_data, acled_data = (lambda: events_csv(events)), (lambda: events_geojson(events)), None
    n = total if (export_text is not None and total is not None) else len(events)
    c1.download_button(t("dl_csv", n=f"{n:,}"), data=csv_data, file_name=f"aleppo-events_{stamp}.csv",
                       mime="text/csv", on_click="ignore", key="dl_csv")
    c2.download_button("GeoJSON", data=gj_data, file_name=f"aleppo-events_{stamp}.geojson",
                       mime="application/geo+json", on_click="ignore", key="dl_geojson")
    if acled_data is not None:
        c3.download_button(t("dl_acled"), data=acled_data, file_name=f"aleppo-events_{stamp}_acled.csv",
                           mime="text/csv", on_click="ignore", key="dl_acled")
    else:
        c3.button(t("dl_acled"), disabled=True, key="dl_acled", help=t("dl_acled_help"))
