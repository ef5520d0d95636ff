"""The folium map: a cached offline base map and per-filter layers.

The base map (outlines of governorates, districts and neighbourhoods, labels, optional
online tiles) is drawn from outlines loaded and simplified once (cached); streamlit-folium
keys its component on a hash of the base map's script, so as long as the base map is
unchanged the browser keeps the map mounted (same zoom, same position) and only swaps
the layers passed through ``feature_group_to_add``.

Layers (always the same four FeatureGroups, in this order, possibly empty: streamlit-folium
never removes a group that is no longer passed: streamlit-folium issue #163):
0. choropleth of Aleppo neighbourhoods by killed (when toggled on)
1. areas: places below exact precision, drawn as dashed circles sized by precision (no pin)
2. city: exact places in Aleppo city, one circle marker per place
3. countryside: exact places outside the city, clustered (leaflet.markercluster)
"""
from __future__ import annotations

import hashlib
import math
import re

import folium
import numpy as np
import pandas as pd

from dashboard import safe
from dashboard.assets import localize, localize_tree, trim_map_assets
from dashboard.geodata import CITY_CENTRE, CITY_RADIUS_KM, Outlines, in_city  # noqa: F401

# What st_folium sends back: only a click on a place (its centre: static/afm/afm-map.js sets
# the click's latlng to the place's point, and the count tells a new click from the last one),
# so panning and zooming never rerun the script. While the analyst places something on the
# map, a click anywhere ("last_clicked") too. returned_objects is not part of streamlit-folium's
# component key, so switching it does not remount the map.
RETURNED_OBJECTS: list[str] = ["last_object_clicked", "last_object_clicked_count"]
PICK_RETURNED_OBJECTS: list[str] = RETURNED_OBJECTS + ["last_clicked"]
MAP_HEIGHT = 620
LAYER_NAMES = ["choropleth", "areas", "city", "countryside"]

EVENT_TYPE_COLOURS = {
    "Battles": "#d62728",
    "Explosions/Remote violence": "#ff7f0e",
    "Violence against civilians": "#9467bd",
    "Strategic developments": "#1f77b4",
    "Protests": "#2ca02c",
    "Riots": "#8c564b",
}
SIDE_COLOURS = {
    "regime": "#c0392b", "government": "#c0392b", "pro-government": "#c0392b", "pro-regime": "#c0392b",
    "russia": "#7b241c", "iran": "#a04000", "iran-backed": "#a04000", "pro-government militia": "#a04000",
    "hezbollah": "#a04000",
    "opposition": "#1e8449", "rebels": "#1e8449", "rebel": "#1e8449",
    "jihadist": "#212f3d", "isis": "#212f3d", "is": "#212f3d",
    "sdf": "#d4ac0d", "kurdish": "#d4ac0d", "ypg": "#d4ac0d",
    "civilians": "#5d6d7e", "civilian": "#5d6d7e",
    "coalition": "#2471a3", "turkey": "#117a65",
}
_FALLBACK = ["#17becf", "#bcbd22", "#e377c2", "#7f7f7f", "#1abc9c", "#34495e", "#e67e22", "#95a5a6"]
PRECISION_LABEL = {1: "exact", 2: "near / part of an area", 3: "region only"}
# Radius (m) of the dashed circle drawn for a place known only to this precision.
PRECISION_RADIUS_M = {2: 1500, 3: 9000}


def colour_for(value, mode: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "#7f7f7f"
    table = EVENT_TYPE_COLOURS if mode == "event_type" else SIDE_COLOURS
    key = str(value)
    hit = table.get(key) or table.get(key.lower())
    if hit:
        return hit
    h = int(hashlib.sha1(key.encode("utf-8")).hexdigest(), 16)
    return _FALLBACK[h % len(_FALLBACK)]


def place_class(place_id) -> str:
    """A CSS class naming the place on its map shape (browser tests, issue 6's click-through)."""
    return "afm-p-" + re.sub(r"[^A-Za-z0-9_-]", "_", str(place_id))


def radius_px(killed: int) -> float:
    """Circle-marker radius in pixels: area grows with killed, with a floor so 0 is still visible."""
    return round(min(6 + 3.2 * math.sqrt(max(int(killed or 0), 0)), 34), 1)


# --------------------------------------------------------------------------- base map

_BASE_CSS = """
<style>
*, ::before, ::after { box-sizing: border-box; }
body { margin: 0; }
.leaflet-container { background: #f3f1ec; font-family: "Noto Sans Arabic", "Noto Sans", Tahoma, Arial, sans-serif; }
.leaflet-tooltip.afm-label { background: transparent; border: 0; box-shadow: none; color: #555; font-size: 11px; text-shadow: 0 0 3px #fff, 0 0 3px #fff; }
.afm-label .ar { direction: rtl; unicode-bidi: isolate; }
.afm-popup { font-size: 13px; line-height: 1.35; max-height: 340px; overflow-y: auto; }
.afm-popup .names { font-weight: 600; font-size: 14px; }
.afm-popup .ar, .afm-popup .ev { direction: rtl; unicode-bidi: isolate; text-align: right; }
.afm-popup .meta { color: #666; font-size: 11px; }
.afm-popup table { margin: 4px 0; border-collapse: collapse; }
.afm-popup td { padding: 0 8px 0 0; }
.afm-popup ol { margin: 4px 0; padding: 0 18px 0 0; }
.afm-popup li { margin-bottom: 6px; }
.afm-popup .src { direction: ltr; text-align: left; color: #555; font-size: 11px; }
</style>
"""


def data_bounds(summary: pd.DataFrame, pad: float = 0.03) -> list | None:
    """Bounds of all mapped places (rounded, so the base map, and the component key, only
    change when the data's extent really does)."""
    if summary is None or not len(summary):
        return None
    pts = summary[summary["lat"].notna() & summary["lon"].notna()]
    if pts.empty:
        return None
    r = lambda v: round(float(v), 2)  # noqa: E731
    return [[r(pts["lat"].min() - pad), r(pts["lon"].min() - pad)],
            [r(pts["lat"].max() + pad), r(pts["lon"].max() + pad)]]


def build_base_map(outlines: Outlines, tiles: bool = False, bounds: list | None = None) -> folium.Map:
    """The base map: no tiles unless asked, light vector outlines with labels, framed on
    ``bounds`` (all the data's places) or else on the outlines."""
    m = folium.Map(location=list(CITY_CENTRE), zoom_start=10, tiles=None, control_scale=True,
                   prefer_canvas=False, min_zoom=6, max_zoom=18)
    # without tiles folium sets no zoom bounds on the map; leaflet.markercluster needs maxZoom
    m.options.update({"maxZoom": 18, "minZoom": 6})
    localize(m)
    m.get_root().header.add_child(folium.Element(_BASE_CSS), name="afm_css")
    if tiles:
        folium.TileLayer(
            "OpenStreetMap",
            attr='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
        ).add_to(m)
    layers = [
        (outlines.governorates, {"color": "#8a8a8a", "weight": 2.2, "fill": False}, False),
        (outlines.districts, {"color": "#9a9a9a", "weight": 1.2, "dashArray": "6 4", "fill": False}, True),
        (outlines.neighbourhoods, {"color": "#b3aa98", "weight": 0.7, "fillColor": "#ffffff", "fillOpacity": 0.35}, False),
    ]
    for fc, style, permanent in layers:
        if not fc["features"]:
            continue
        # District names are permanent labels (tooltips fixed at the polygon's centre: no
        # folium.Marker, whose render() is not idempotent on a cached map); others on hover.
        tip = (folium.GeoJsonTooltip(fields=["label"], labels=False, permanent=True, direction="center",
                                     class_name="afm-label", opacity=0.9)
               if permanent else folium.GeoJsonTooltip(fields=["label"], labels=False, sticky=True))
        folium.GeoJson(
            fc, name=fc["features"][0]["properties"]["level"],
            style_function=lambda _f, s=style: s, tooltip=tip, smooth_factor=1.0,
            interactive=not permanent,
        ).add_to(m)
    if bounds or outlines.bounds:
        m.fit_bounds(bounds or outlines.bounds)
    from dashboard.layers import AfmScript
    AfmScript().add_to(m)  # window.AFM, which draws the place layers
    localize_tree(m)
    trim_map_assets(m)  # Leaflet only: no jQuery, Bootstrap, Font Awesome, awesome-markers
    return m


# --------------------------------------------------------------------------- layers

EVIDENCE_CHARS = 240  # an evidence sentence longer than this is cut in the popup (whole in the table)


def evidence_row(day, event_type, killed, source, title, url, text) -> list:
    """One evidence item of a popup: [date, type, killed, source, http(s) url or None, sentence]."""
    text = str(safe.clean(text) or "")
    if len(text) > EVIDENCE_CHARS:
        text = text[:EVIDENCE_CHARS].rstrip() + "…"
    killed = safe.clean(killed)
    return [safe.clean(day) or "", safe.clean(event_type) or "", None if killed is None else int(killed),
            str(safe.clean(source) or safe.clean(title) or ""), safe.http_url(safe.clean(url)), text]


def _text(col: pd.Series) -> list[str]:
    """A column as strings, missing values as ""."""
    return col.astype(object).where(col.notna(), "").astype(str).tolist()


def place_rows(summary: pd.DataFrame, evidence_by_place: dict | None, colour_by: str) -> tuple[list, list, list]:
    """(areas, city, countryside) rows for static/afm/afm-map.js; one row per place, built
    column by column (the per-row work is only assembling the lists)."""
    areas, city, countryside = [], [], []
    if summary is None or not len(summary):
        return areas, city, countryside
    evidence_by_place = evidence_by_place or {}
    df = summary[summary["lat"].notna() & summary["lon"].notna()]
    if df.empty:
        return areas, city, countryside
    colour_col = "dominant_event_type" if colour_by == "event_type" else "dominant_side"
    cvals = df[colour_col]
    colours = {v: colour_for(v, colour_by) for v in cvals.dropna().unique()}
    colour = [colours.get(v, "#7f7f7f") for v in cvals.astype(object).where(cvals.notna(), None)]
    prec = pd.to_numeric(df["geo_precision"], errors="coerce").fillna(3).astype(int).clip(1, 3)
    is_area = (prec >= 2).tolist()
    num = lambda c: pd.to_numeric(df[c], errors="coerce").fillna(0).astype(int)  # noqa: E731
    killed, events, injured = num("killed"), num("events"), num("injured")
    radii = {k: radius_px(k) for k in killed.unique()}
    size = [PRECISION_RADIUS_M.get(p, 9000) if a else radii[k] for a, p, k in zip(is_area, prec, killed)]
    lat = df["lat"].astype(float).round(5)
    lon = df["lon"].astype(float).round(5)
    dy = (lat - CITY_CENTRE[0]) * 111.0
    dx = (lon - CITY_CENTRE[1]) * 111.0 * math.cos(math.radians(CITY_CENTRE[0]))
    city_mask = (np.sqrt(dx * dx + dy * dy) <= CITY_RADIUS_KM).tolist()
    first = pd.to_datetime(df["first_date"], errors="coerce").dt.strftime("%Y-%m-%d")
    last = pd.to_datetime(df["last_date"], errors="coerce").dt.strftime("%Y-%m-%d")
    pcode = _text(df["pcode"])
    code = [c or str(p) for c, p in zip(pcode, df["place_id"])]
    cls = ("afm-p-" + df["place_id"].astype(str).str.replace(r"[^A-Za-z0-9_-]", "_", regex=True)).tolist()
    prec_label = [PRECISION_LABEL.get(p, "unknown") for p in prec.tolist()]
    cols = zip(df["place_id"].tolist(), lat.tolist(), lon.tolist(), is_area, size, colour, cls,
               _text(df["place_name_ar"]), _text(df["place_name_en"]), _text(df["place_kind"]), code, prec_label,
               events.tolist(), killed.tolist(), injured.tolist(), _text(first), _text(last),
               _text(df["dominant_event_type"]), _text(df["dominant_side"]), city_mask)
    no_evidence = ([], 0)
    for (pid, la, lo, area, sz, col, cl, name_ar, name_en, kind, cd, pl, n, k, inj, d0, d1, dtype, dside,
         in_c) in cols:
        evid, total = evidence_by_place.get(pid, no_evidence)
        row = [la, lo, 1 if area else 0, sz, col, cl, name_ar, name_en, kind, cd, pl, n, k, inj, d0, d1,
               dtype, dside, evid, max(int(total or 0) - len(evid), 0)]
        (areas if area else city if in_c else countryside).append(row)
    return areas, city, countryside


CLUSTER_OPTIONS = {"maxClusterRadius": 40, "showCoverageOnHover": False, "spiderfyOnMaxZoom": True,
                   "disableClusteringAtZoom": 12}


def build_layers(summary: pd.DataFrame, evidence_by_place: dict | None, colour_by: str,
                 choropleth: bool, outlines: Outlines) -> list[folium.FeatureGroup]:
    """The four filtered layers for feature_group_to_add: compact rows (dashboard.layers),
    so their size grows with the number of places, not of events."""
    from dashboard.layers import PlaceLayer

    groups = [folium.FeatureGroup(name=n) for n in LAYER_NAMES]
    if choropleth:
        _choropleth(summary, outlines).add_to(groups[0])
    areas, city, countryside = place_rows(summary, evidence_by_place, colour_by)
    PlaceLayer(areas, name="areas").add_to(groups[1])
    PlaceLayer(city, name="city").add_to(groups[2])
    PlaceLayer(countryside, cluster=True, options=CLUSTER_OPTIONS, name="countryside").add_to(groups[3])
    return groups


def _choropleth(summary: pd.DataFrame, outlines: Outlines) -> folium.GeoJson:
    killed = {}
    if len(summary):
        nb = summary[summary["place_kind"].astype(str) == "neighbourhood"]
        for pid, pcode, v in zip(nb["place_id"], nb["pcode"], nb["killed"]):
            # polygons are keyed by the gazetteer's place id (its P-code for OCHA neighbourhoods)
            key = str(pid) if safe.clean(pid) is not None else str(pcode)
            killed[key] = killed.get(key, 0) + int(v or 0)
            if safe.clean(pcode) is not None and str(pcode) != key:
                killed[str(pcode)] = killed.get(str(pcode), 0) + int(v or 0)
    top = max(killed.values(), default=0)
    feats = []
    for f in outlines.neighbourhoods["features"]:
        p = f["properties"]
        k = killed.get(p.get("pcode"), 0)
        label = (f'<span dir="rtl" lang="ar">{safe.text(p.get("name_ar"))}</span> · '
                 f'{safe.text(p.get("name_en"))}: {k} killed')
        feats.append({"type": "Feature", "geometry": f["geometry"],
                      "properties": {"pcode": p.get("pcode"), "killed": k, "label": label,
                                     "fill": _ramp(k, top)}})
    fc = {"type": "FeatureCollection", "features": feats}
    return folium.GeoJson(
        fc, name="killed by neighbourhood",
        style_function=lambda f: {"fillColor": f["properties"]["fill"], "color": "#7d3c3c", "weight": 0.6,
                                  "fillOpacity": 0.65 if f["properties"]["killed"] else 0.05},
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
    )


CHORO_RAMP = ["#fee5d9", "#fcbba1", "#fc9272", "#fb6a4a", "#de2d26", "#a50f15"]


def _ramp(k: int, top: int) -> str:
    if not k or not top:
        return "#ffffff"
    i = min(int(math.sqrt(k / top) * len(CHORO_RAMP)), len(CHORO_RAMP) - 1)
    return CHORO_RAMP[i]


def legend_html(summary: pd.DataFrame, colour_by: str, choropleth: bool) -> str:
    """A legend (rendered by Streamlit beside the map, so it never remounts the map)."""
    col = "dominant_event_type" if colour_by == "event_type" else "dominant_side"
    values = [v for v in summary[col].dropna().unique().tolist()] if len(summary) else []
    from dashboard.i18n import t
    title = t("legend_dominant_type") if colour_by == "event_type" else t("legend_dominant_side")
    items = "".join(
        f'<div><span style="display:inline-block;width:11px;height:11px;border-radius:50%;'
        f'background:{colour_for(v, colour_by)};margin:0 6px"></span>{safe.text(v)}</div>'
        for v in sorted(values, key=str))
    sizes = "".join(
        f'<span style="display:inline-block;width:{2 * radius_px(k)}px;height:{2 * radius_px(k)}px;border-radius:50%;'
        f'background:#bbb;vertical-align:middle;margin:0 4px"></span>{k}'
        for k in (0, 10, 50))
    out = (f'<div style="font-size:13px;line-height:1.6"><b>{title}</b>{items or "<div>–</div>"}'
           f'<div style="margin-top:6px"><b>{t("legend_killed")}</b> {t("legend_marker_size")}<br>{sizes}</div>'
           '<div style="margin-top:6px"><span style="display:inline-block;width:16px;height:16px;border-radius:50%;'
           f'border:2px dashed #666;vertical-align:middle;margin:0 6px"></span>{t("legend_area")}</div>'
           f'<div>{t("legend_clusters")}</div>')
    if choropleth:
        out += (f'<div style="margin-top:6px"><b>{t("legend_choropleth")}</b><br>'
                + "".join(f'<span style="display:inline-block;width:18px;height:11px;background:{c}"></span>'
                          for c in CHORO_RAMP) + f' {t("legend_low_high")}</div>')
    return out + "</div>"


# --------------------------------------------------------------------------- showing

def places_at(summary: pd.DataFrame, point) -> list[str]:
    """The place ids whose (rounded) point is the clicked object's point (several places can
    share one point)."""
    if not point or summary is None or not len(summary):
        return []
    try:
        la, lo = float(point["lat"]), float(point["lng"])
    except (KeyError, TypeError, ValueError):
        return []
    df = summary[summary["lat"].notna() & summary["lon"].notna()]
    hit = df[((df["lat"].astype(float).round(5) - la).abs() < 1e-6) & ((df["lon"].astype(float).round(5) - lo).abs() < 1e-6)]
    return [str(p) for p in hit["place_id"].tolist()]


def show(base_map: folium.Map, groups: list[folium.FeatureGroup], height: int = MAP_HEIGHT, pick: bool = False):
    """st_folium with this run's base map and the filtered layers.

    The base map is rebuilt on every run from cached data (dashboard.page): folium elements
    are not safe to render twice (folium 0.20: Marker.render adds a SetIcon child and GeoJson
    an addTo line on each render, so a cached Map object sends a broken, growing script on
    the second run). A fresh map renders to the same script every time (streamlit-folium
    renames folium's random ids to stable ones), so the component key is unchanged and the
    browser keeps the map mounted; only the feature groups are swapped.
    """
    from streamlit_folium import st_folium

    return st_folium(base_map, key="afm_map", height=height, use_container_width=True,
                     feature_group_to_add=groups,
                     returned_objects=PICK_RETURNED_OBJECTS if pick else RETURNED_OBJECTS)


def _int(v) -> int:
    try:
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            return 0
        return int(v)
    except (TypeError, ValueError):
        return 0


def _day(v) -> str:
    if v is None or v is pd.NA:
        return ""
    try:
        if pd.isna(v):
            return ""
    except (TypeError, ValueError):
        pass
    try:
        return pd.Timestamp(v).date().isoformat()
    except Exception:
        return str(v)
