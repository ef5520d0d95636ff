"""Polygons for the base map and the choropleth, from the gazetteer (geo/).

``geo.load_gazetteer()`` gives ``neighbourhood_polygons()`` and ``admin_polygons()``
GeoDataFrames. Column names are read tolerantly (pcode / name_ar / name_en / level),
and geometries are simplified once so the base map stays light.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
from pathlib import Path
from dataclasses import dataclass, field

import pandas as pd

from dashboard import safe

log = logging.getLogger(__name__)

# Aleppo city centre (Citadel) and the radius (km) inside which a place counts as "in the city".
CITY_CENTRE = (36.1993, 37.1629)
CITY_RADIUS_KM = 11.0
ALEPPO_GOV_PCODE = "SY02"


@dataclass
class Outlines:
    """Light GeoJSON FeatureCollections (dicts) for the base map."""
    governorates: dict = field(default_factory=lambda: _fc([]))
    districts: dict = field(default_factory=lambda: _fc([]))
    neighbourhoods: dict = field(default_factory=lambda: _fc([]))
    bounds: list | None = None  # [[south, west], [north, east]]
    note: str = ""

    def is_empty(self) -> bool:
        return not (self.governorates["features"] or self.districts["features"] or self.neighbourhoods["features"])


def _fc(features: list) -> dict:
    return {"type": "FeatureCollection", "features": features}


def _col(gdf, *names):
    return _pick(gdf.columns, *names)


def _pick(columns, *names):
    cols = {c.lower(): c for c in columns}
    for n in names:
        if n.lower() in cols:
            return cols[n.lower()]
    return None


_PCODE = ("pcode", "place_id", "adm4_pcode", "adm3_pcode", "adm2_pcode", "adm1_pcode", "id")
_NAME_AR = ("name_ar", "csr_name_ar", "adm4_name_ar", "adm2_name_ar", "adm1_name_ar", "name_arabic", "ar")
_NAME_EN = ("name_en", "csr_name_en", "adm4_name_en", "adm2_name_en", "adm1_name_en", "name", "en")


def _to_fc(gdf, tolerance: float, level: str) -> dict:
    """GeoDataFrame -> FeatureCollection with only pcode/name_ar/name_en/level properties."""
    if gdf is None or len(gdf) == 0:
        return _fc([])
    gdf = gdf.to_crs(4326) if getattr(gdf, "crs", None) is not None else gdf
    cols = [c for c in gdf.columns if c != gdf.geometry.name] if hasattr(gdf, "geometry") else list(gdf.columns)
    rows = ((row, row.geometry) for _, row in gdf.iterrows())
    return _rows_to_fc(rows, cols, tolerance, level)


def _rows_to_fc(rows, columns, tolerance: float, level: str) -> dict:
    """(properties, shapely geometry or None) rows -> FeatureCollection (simplified geometries)."""
    pc, ar, en = _pick(columns, *_PCODE), _pick(columns, *_NAME_AR), _pick(columns, *_NAME_EN)

    def val(props, col) -> str:
        if not col:
            return ""
        v = props.get(col) if isinstance(props, dict) else props[col]
        return str(v) if pd.notna(v) else ""

    feats = []
    for props, geom in rows:
        if geom is None or geom.is_empty:
            continue
        geom = geom.simplify(tolerance, preserve_topology=True)
        name_ar, name_en = val(props, ar), val(props, en)
        feats.append({
            "type": "Feature",
            "geometry": json.loads(json.dumps(geom.__geo_interface__)),
            "properties": {
                "pcode": val(props, pc),
                "name_ar": name_ar,
                "name_en": name_en,
                "level": level,
                # the label shown on the map (escaped: it is drawn as HTML)
                "label": f'<span class="ar" dir="rtl" lang="ar">{safe.text(name_ar)}</span> · {safe.text(name_en)}',
            },
        })
    return _fc(feats)


def _split_admin(admin):
    """admin_polygons() -> (governorates, districts) GeoDataFrames, Aleppo governorate first."""
    if admin is None or len(admin) == 0:
        return None, None
    lvl = _col(admin, "level", "admin_level", "adm_level", "kind")
    if lvl is None:
        return admin, None
    vals = admin[lvl].astype(str).str.lower()
    gov = admin[vals.isin(["1", "adm1", "governorate"])]
    dist = admin[vals.isin(["2", "adm2", "district"])]
    return gov, dist


GAZETTEER_DIR = Path(__file__).resolve().parents[1] / "data" / "gazetteer"


def _read_geojson(path: Path) -> tuple[list, list]:
    """A GeoJSON file (EPSG:4326, as the gazetteer ships them) read with the json module and
    shapely: ([(properties, geometry)], property names). geopandas (with pyproj and pyogrio)
    costs ~0.5 s to import on a server's first page; the outlines need none of it."""
    from shapely.geometry import shape

    data = json.loads(path.read_text(encoding="utf-8"))
    feats = data.get("features") or []
    columns: dict = {}
    rows = []
    for f in feats:
        props = f.get("properties") or {}
        for k in props:
            columns.setdefault(k, None)
        g = f.get("geometry")
        rows.append((props, shape(g) if g else None))
    return rows, list(columns)


def _outlines_from_files(directory: Path) -> Outlines:
    """load_outlines' result from the gazetteer's GeoJSON files (the same outlines as through
    geo.load_gazetteer()'s GeoDataFrames)."""
    out = Outlines()
    try:
        rows, cols = _read_geojson(directory / "admin.geojson")
        lvl = _pick(cols, "level", "admin_level", "adm_level", "kind")

        def level_is(props, values):
            v = props.get(lvl)
            return str(v).lower() in values if v is not None else False

        if lvl is None:
            out.governorates = _rows_to_fc(rows, cols, 0.01, "governorate")
        else:
            gov = [r for r in rows if level_is(r[0], ("1", "adm1", "governorate"))]
            dist = [r for r in rows if level_is(r[0], ("2", "adm2", "district"))]
            out.governorates = _rows_to_fc(gov, cols, 0.01, "governorate")
            # districts of Aleppo governorate only: the map's area of interest
            pcol = _pick(cols, "adm1_pcode", "parent_pcode")
            if pcol is not None:
                dist = [r for r in dist if str(r[0].get(pcol)) == ALEPPO_GOV_PCODE]
            out.districts = _rows_to_fc(dist, cols, 0.003, "district")
    except Exception as exc:
        log.warning("admin polygons unavailable: %s", exc)
        out.note += f" admin polygons unavailable ({exc})."
    try:
        rows, cols = _read_geojson(directory / "neighbourhoods.geojson")
        out.neighbourhoods = _rows_to_fc(rows, cols, 0.0002, "neighbourhood")
    except Exception as exc:
        log.warning("neighbourhood polygons unavailable: %s", exc)
        out.note += f" neighbourhood polygons unavailable ({exc})."
    out.bounds = _bounds(out.districts) or _bounds(out.neighbourhoods)
    return out


# The simplified outlines are kept on disk between server processes (~0.07 s of a fresh
# server's first page: shapely's import and simplification), keyed on the gazetteer's files
# (name, size, mtime) and on this module's and dashboard/safe.py's code (the labels). Any
# failure to read or write the cache falls back to computing them.
OUTLINES_CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "aleppo-frontline-map"


def _cache_key(files: list[Path]) -> str:
    h = hashlib.sha256()
    for f in files:
        st = f.stat()
        h.update(f"{f.resolve()}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    for code in (Path(__file__), Path(safe.__file__)):
        h.update(code.read_bytes())
    return h.hexdigest()[:32]


def _cached_outlines(files: list[Path], compute) -> Outlines:
    try:
        path = OUTLINES_CACHE_DIR / f"outlines-{_cache_key(files)}.json"
        if path.is_file():
            return Outlines(**json.loads(path.read_text(encoding="utf-8")))
    except Exception as exc:  # unreadable: computed again below
        log.debug("outlines cache unreadable: %s", exc)
        path = None
    out = compute()
    if path is not None and not out.note:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(dataclasses.asdict(out), ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, path)
        except OSError as exc:  # a read-only home: no cache
            log.debug("outlines cache not written: %s", exc)
    return out


def load_outlines() -> Outlines:
    """Outlines from the gazetteer's GeoJSON files (data/gazetteer), cached on disk; where the
    files are missing, through geo.load_gazetteer() (empty, with a note, if geo/ or its data
    is not there)."""
    files = [GAZETTEER_DIR / "admin.geojson", GAZETTEER_DIR / "neighbourhoods.geojson"]
    if all(f.is_file() for f in files):
        return _cached_outlines(files, lambda: _outlines_from_files(GAZETTEER_DIR))
    return load_outlines_geo()


def load_outlines_geo() -> Outlines:
    """Outlines through geo.load_gazetteer()'s GeoDataFrames (geopandas)."""
    try:
        from geo import load_gazetteer
        gaz = load_gazetteer()
    except Exception as exc:  # geo not built yet, or no data/gazetteer
        log.warning("gazetteer unavailable: %s", exc)
        return Outlines(note=f"gazetteer unavailable ({type(exc).__name__}): no outlines")
    out = Outlines()
    try:
        gov, dist = _split_admin(gaz.admin_polygons())
        if gov is not None:
            out.governorates = _to_fc(gov, 0.01, "governorate")
        if dist is not None:
            # districts of Aleppo governorate only: the map's area of interest
            pcol = _col(dist, "adm1_pcode", "parent_pcode")
            if pcol is not None:
                dist = dist[dist[pcol].astype(str) == ALEPPO_GOV_PCODE]
            out.districts = _to_fc(dist, 0.003, "district")
    except Exception as exc:
        log.warning("admin polygons unavailable: %s", exc)
        out.note += f" admin polygons unavailable ({exc})."
    try:
        out.neighbourhoods = _to_fc(gaz.neighbourhood_polygons(), 0.0002, "neighbourhood")
    except Exception as exc:
        log.warning("neighbourhood polygons unavailable: %s", exc)
        out.note += f" neighbourhood polygons unavailable ({exc})."
    out.bounds = _bounds(out.districts) or _bounds(out.neighbourhoods)
    return out


def outlines_from_frames(governorates=None, districts=None, neighbourhoods=None) -> Outlines:
    """Outlines from given GeoDataFrames (tests, fixtures)."""
    out = Outlines(
        governorates=_to_fc(governorates, 0.01, "governorate") if governorates is not None else _fc([]),
        districts=_to_fc(districts, 0.003, "district") if districts is not None else _fc([]),
        neighbourhoods=_to_fc(neighbourhoods, 0.0002, "neighbourhood") if neighbourhoods is not None else _fc([]),
    )
    out.bounds = _bounds(out.districts) or _bounds(out.neighbourhoods)
    return out


def _bounds(fc: dict):
    if not fc["features"]:
        return None
    from shapely.geometry import shape
    xs0, ys0, xs1, ys1 = [], [], [], []
    for f in fc["features"]:
        b = shape(f["geometry"]).bounds
        xs0.append(b[0]); ys0.append(b[1]); xs1.append(b[2]); ys1.append(b[3])
    return [[min(ys0), min(xs0)], [max(ys1), max(xs1)]]


def in_city(lat: float, lon: float) -> bool:
    """Within ~11 km of the Citadel: Aleppo city, drawn without clustering."""
    from math import cos, radians, sqrt
    dy = (lat - CITY_CENTRE[0]) * 111.0
    dx = (lon - CITY_CENTRE[1]) * 111.0 * cos(radians(CITY_CENTRE[0]))
    return sqrt(dx * dx + dy * dy) <= CITY_RADIUS_KM
