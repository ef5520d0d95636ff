"""Build the committed gazetteer (data/gazetteer/) from the read-only sources.

    python -m geo.build --sources ../shared/data/gazetteer-sources --out data/gazetteer

Inputs besides the sources are the hand-kept files already in ``--out``
(``manual_places.csv``, ``manual_aliases.csv``). Output is sorted and formatted
the same way every time, so a re-run gives byte-identical files.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import math
import statistics
import sys
from pathlib import Path

import pandas as pd
import shapely
from shapely.geometry import Point, mapping, shape
from shapely.ops import unary_union

from arabic import name_key
from geo.names import clean_source_name, drop_prefix, karm_remainder, name_variants
from geo.regions import ALEPPO_CITY, SECTORS, haversine_km, sector_of

OCHA = "ocha-codab-syr-v02"
CSR = "csr-conflict-urbanism-aleppo"
LICENSES = {
    OCHA: "CC BY 3.0 IGO (UN OCHA / HDX)",
    CSR: "MIT (Columbia Center for Spatial Research)",
    "manual": "project (hand-kept; coordinates derived as stated in note)",
}
PLACE_COLUMNS = ["id", "pcode", "name_ar", "name_en", "label_ar", "kind", "adm1_pcode", "adm2_pcode",
                 "adm3_pcode", "adm4_pcode", "lat", "lon", "geo_precision", "in_aleppo_gov",
                 "source", "license", "note"]
ALIAS_COLUMNS = ["key", "alias", "place_id", "alias_source"]
# When two routes give the same (key, place), keep the most authoritative one.
SOURCE_RANK = ["ocha", "ocha-nbhd", "ocha-adm4", "ocha-admin", "manual", "csr", "csr-alt",
               "rule:qualifier", "rule:prefix", "rule:split", "rule:markaz", "rule:karm"]


def read_csv(path: Path) -> pd.DataFrame:
    """Every cell as a string, empty cells as ''."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def fmt_coord(value: float | None) -> str:
    """Coordinates with 5 decimals (about 1 m), the same text on every run.

    >>> fmt_coord(36.19610596)
    '36.19611'
    """
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{float(value):.5f}"


def english_name(name: str) -> str:
    """OCHA suffixes neighbourhoods with ' (ne)'.

    >>> english_name("Karm Myassar (ne)")
    'Karm Myassar'
    """
    return name[:-5] if name.endswith(" (ne)") else name


# ---------------------------------------------------------------- OCHA places

def admin_places(src: Path) -> list[dict]:
    """Governorates, districts and sub-districts with their centroid (precision 3)."""
    rows = []
    for level, kind in ((1, "governorate"), (2, "district"), (3, "sub-district")):
        for r in read_csv(src / OCHA / f"syr_admin{level}.csv").to_dict("records"):
            pcode = r[f"adm{level}_pcode"]
            rows.append(dict(
                id=pcode, pcode=pcode, name_ar=r[f"adm{level}_name1"], name_en=r[f"adm{level}_name"],
                label_ar="", kind=kind,
                adm1_pcode=r["adm1_pcode"], adm2_pcode=r.get("adm2_pcode", "") if level >= 2 else "",
                adm3_pcode=pcode if level == 3 else "", adm4_pcode="",
                lat=float(r["center_lat"]), lon=float(r["center_lon"]), geo_precision=3,
                in_aleppo_gov=r["adm1_pcode"] == "SY02", source=OCHA, license=LICENSES[OCHA],
                note="centroid of the OCHA polygon"))
    return rows


def populated_places(src: Path, common_keys: set[str]) -> tuple[list[dict], list[tuple[str, str, str]]]:
    """Communities and neighbourhoods of all Syria, and their aliases.

    Neighbourhood names come from OCHA's neighbourhood table (clean names); the
    populated-places display name is used only where it agrees with it, because
    a few disagree outright (N0128 is "الأشرفية" in the table but
    "حي مخيم البيطار - معرة تمصرين" in the places sheet, a camp in Idlib).
    """
    from rapidfuzz import fuzz

    places = read_csv(src / OCHA / "syr_populatedplaces.csv")
    nbhd = read_csv(src / OCHA / "syr_neighborhoods.csv").set_index("neighborhoodpcode")
    rows, aliases = [], []
    for r in places.to_dict("records"):
        pcode = r["pcode"]
        label = clean_source_name(r["featurename_ar"])
        note = ""
        if pcode.startswith("N"):
            n = nbhd.loc[pcode]
            name_ar = drop_prefix(clean_source_name(n["neighborhoodname_ar"]))
            names = [(clean_source_name(n["neighborhoodname_ar"]), "ocha-nbhd")]
            names += [(clean_source_name(n[c]), "ocha-nbhd")
                      for c in ("neighborhoodaltname1_ar", "neighborhoodaltname2_ar") if n[c].strip()]
            if label and fuzz.partial_ratio(name_key(name_ar), name_key(label)) < 80:
                note = f"OCHA places sheet names it '{label}', which disagrees with the neighbourhood table; not used as an alias"
            else:
                names.append((label, "ocha"))
            kind = "neighbourhood"
        else:
            name_ar = clean_source_name(r["adm4_ar"]) or drop_prefix(label)
            names = [(label, "ocha"), (clean_source_name(r["adm4_ar"]), "ocha-adm4")]
            kind = "community"
        rows.append(dict(
            id=pcode, pcode=pcode, name_ar=name_ar, name_en=english_name(r["featurename_en"]),
            label_ar=label, kind=kind, adm1_pcode=r["adm1_pcode"], adm2_pcode=r["adm2_pcode"],
            adm3_pcode=r["adm3_pcode"], adm4_pcode=r["adm4_pcode"],
            lat=float(r["point_y"]), lon=float(r["point_x"]), geo_precision=1,
            in_aleppo_gov=r["adm1_pcode"] == "SY02", source=OCHA, license=LICENSES[OCHA], note=note))
        for name, source in names:
            for alias, rule in name_variants(name):
                aliases.append((alias, pcode, rule or source))
                rest = karm_remainder(drop_prefix(alias)) if kind == "neighbourhood" else None
                if rest and name_key(rest) not in common_keys:   # كرم الجبل must not make الجبل
                    aliases.append((rest, pcode, "rule:karm"))
    return rows, aliases


def admin_aliases(rows: list[dict]) -> list[tuple[str, str, str]]:
    """Admin names, and sub-district names without their leading 'مركز' (مركز اعزاز → اعزاز)."""
    out = []
    for r in rows:
        out.append((r["name_ar"], r["id"], "ocha-admin"))
        words = r["name_ar"].split()
        if r["kind"] == "sub-district" and len(words) > 1 and words[0] == "مركز":
            out.append((" ".join(words[1:]), r["id"], "rule:markaz"))
    return out


# ---------------------------------------------------------------- CSR polygons

def csr_polygons(src: Path) -> list[dict]:
    """CSR neighbourhood features with their alias lists (joined on the md5 feature key)."""
    gj = json.loads((src / CSR / "Neighborhoods.geojson").read_text(encoding="utf-8"))
    flat = read_csv(src / CSR / "neighbourhood_names_flat.csv")
    alt_by_id_name: dict[tuple[str, str], set[str]] = {}
    for r in flat.to_dict("records"):
        alt_by_id_name.setdefault((r["Id"], r["NAME"]), set()).update(
            a for a in r["alternative_arabic"].split("|") if a.strip())
    out = []
    for f in gj["features"]:
        p = f["properties"]
        csr_id, en = str(p["Id"]), p["NAME"] or ""
        alts = alt_by_id_name.get((csr_id, en)) or alt_by_id_name.get((csr_id, en + "-new"), set())
        out.append(dict(csr_id=csr_id, name_en=en, name_ar=(p.get("NAME_A") or "").strip(),
                        alternatives=sorted(alts), geometry=shape(f["geometry"]).buffer(0)))
    return out


def join_csr_to_ocha(polygons: list[dict], places: list[dict]) -> None:
    """Give each CSR polygon the OCHA place it describes (``place_id``, ``match``).

    OCHA's points are rough (N0155 أغيول's point falls in CSR's Maysaloon
    cemetery), so names come first: a polygon joins the Aleppo-city
    neighbourhood or Jebel Saman community within 3 km whose name matches
    its own name closely (rapidfuzz ratio or token-set ratio >= 75: أقيول/أغيول,
    محمد بيك/محمد بك, جبرين/منطقة صناعية جبرين), a point inside the polygon
    breaking ties; CSR's alternative names help only when exact. Polygons left
    over join the one unclaimed OCHA point inside them. The rest (the Citadel, the airport, cemeteries, parks) stay
    unjoined: landmarks OCHA does not list.
    """
    from rapidfuzz import fuzz

    city = [p for p in places if (p["adm4_pcode"] == ALEPPO_CITY and p["kind"] == "neighbourhood")
            or (p["kind"] == "community" and p["adm3_pcode"] == "SY020000" and p["id"] != ALEPPO_CITY)]
    keys_of = {p["id"]: {name_key(a) for a, _ in name_variants(p["name_ar"])} for p in city}
    by_id_city = {p["id"]: p for p in city}

    def km_to(poly, p):
        return poly["geometry"].distance(Point(p["lon"], p["lat"])) * 111.0  # degrees -> km, close enough here

    def name_score(poly, p):
        """Similarity of the polygon's own name to the place's names (+5 if its point is inside);
        CSR's alternative names count only when exact and only when the own name matches nothing."""
        own = name_key(poly["name_ar"]) if poly["name_ar"] else ""
        score = max((max(fuzz.ratio(own, b), fuzz.token_set_ratio(own, b)) for b in keys_of[p["id"]]),
                    default=0.0) if own else 0.0
        if score < 75 and {name_key(a) for a in poly["alternatives"]} & keys_of[p["id"]]:
            score = 75.0
        return score + (5 if poly["geometry"].contains(Point(p["lon"], p["lat"])) else 0)

    claimed: set[str] = set()
    for poly in polygons:
        near = [p for p in city if km_to(poly, p) < 3]
        scored = sorted(((name_score(poly, p), -km_to(poly, p), p["id"]) for p in near), reverse=True)
        if scored and scored[0][0] >= 75:
            poly["place_id"] = scored[0][2]
            poly["match"] = f"name ({min(scored[0][0], 100):.0f}){' and point inside' if scored[0][0] > 100 or poly['geometry'].contains(Point(by_id_city[scored[0][2]]['lon'], by_id_city[scored[0][2]]['lat'])) else ''}"
            claimed.add(poly["place_id"])
        else:
            poly["place_id"], poly["match"] = "", ""
    for poly in polygons:
        if poly["place_id"]:
            continue
        inside = [p["id"] for p in city if p["id"] not in claimed
                  and poly["geometry"].contains(Point(p["lon"], p["lat"]))]
        if len(inside) == 1:
            poly["place_id"], poly["match"] = inside[0], "point in polygon"


def csr_aliases(polygons: list[dict], primary_keys: dict[str, set[str]], outside_city: set[str]
                ) -> list[tuple[str, str, str]]:
    """CSR names and alternative names as aliases of the joined place.

    An alternative that is the own OCHA name of another place in the city is
    skipped (CSR lists الأصيلة under al-A'ajam; OCHA has الأصيلة as N0201).
    Places outside the city (``outside_city``) do not block: باب الحديد is
    both a quarter in CSR and a village elsewhere, and context decides.
    """
    out = []
    for poly in polygons:
        pid = poly["place_id"]
        if not pid:
            continue
        for name, source in [(poly["name_ar"], "csr")] + [(a, "csr-alt") for a in poly["alternatives"]]:
            if not name:
                continue
            if primary_keys.get(name_key(name), {pid}) - {pid} - outside_city:
                continue
            out.append((name, pid, source))
    return out


# ---------------------------------------------------------------- manual places

def manual_point(rule: str, by_id: dict[str, dict], polygons: list[dict], src: Path,
                 aleppo_communities: list[dict]) -> tuple[float | None, float | None, str]:
    """Resolve a manual ``point_rule`` to (lat, lon, how) from the sources.

    Rules: ``csr:<Id>`` CSR polygon centroid; ``midpoint:A,B`` mean of places;
    ``place:<id>`` a place's point; ``sector:<north|east|south|west>`` mean of the
    Aleppo-governorate communities outside the city in that bearing sector;
    ``unosat:<name>`` median of UNOSAT damage points of that name; ``cultural``
    median of CSR's Old City heritage points; ``none``.
    """
    kind, _, arg = rule.partition(":")
    if kind == "csr":
        geoms = [p["geometry"] for p in polygons if p["csr_id"] == arg]
        c = unary_union(geoms).centroid
        return c.y, c.x, f"centroid of CSR polygon Id {arg}"
    if kind in ("midpoint", "place"):
        ids = arg.split(",")
        pts = [by_id[i] for i in ids]
        return (statistics.fmean(p["lat"] for p in pts), statistics.fmean(p["lon"] for p in pts),
                ("mean of the points of " if len(ids) > 1 else "point of ") + ", ".join(ids))
    if kind == "sector":
        pts = [p for p in aleppo_communities if sector_of(p["lat"], p["lon"]) == arg]  # None = in the city
        return (statistics.fmean(p["lat"] for p in pts), statistics.fmean(p["lon"] for p in pts),
                f"mean of the {len(pts)} Aleppo-governorate community points outside the city "
                f"whose bearing from C1007 is {SECTORS[arg][0]}-{SECTORS[arg][1]} degrees")
    if kind == "unosat":
        for r in read_csv(src / CSR / "unosat_damage_points_by_neighbourhood.csv").to_dict("records"):
            if r["unosat_neighbourhood_name_en"] == arg:
                return (float(r["median_lat"]), float(r["median_lon"]),
                        f"median of {r['n_damage_points']} UNOSAT damage points labelled '{arg}'")
        raise ValueError(f"no UNOSAT name {arg!r}")
    if kind == "cultural":
        gj = json.loads((src / CSR / "Cultural.geojson").read_text(encoding="utf-8"))
        lats = [f["geometry"]["coordinates"][1] for f in gj["features"]]
        lons = [f["geometry"]["coordinates"][0] for f in gj["features"]]
        return statistics.median(lats), statistics.median(lons), \
            f"median of the {len(lats)} CSR Old City heritage-site points"
    if kind == "none":
        return None, None, "no point"
    raise ValueError(f"unknown point_rule {rule!r}")


def manual_places(out_dir: Path, src: Path, by_id: dict[str, dict], polygons: list[dict]
                  ) -> tuple[list[dict], list[tuple[str, str, str]]]:
    """Hand-kept places (``manual_places.csv``) with their computed points and aliases."""
    aleppo_communities = [p for p in by_id.values() if p["kind"] == "community" and p["in_aleppo_gov"]]
    rows, aliases = [], []
    for r in read_csv(out_dir / "manual_places.csv").to_dict("records"):
        lat, lon, how = manual_point(r["point_rule"], by_id, polygons, src, aleppo_communities)
        rows.append(dict(
            id=r["id"], pcode="", name_ar=r["name_ar"], name_en=r["name_en"], label_ar="",
            kind=r["kind"], adm1_pcode=r["adm1_pcode"], adm2_pcode=r["adm2_pcode"],
            adm3_pcode=r["adm3_pcode"], adm4_pcode=r["adm4_pcode"], lat=lat, lon=lon,
            geo_precision=int(r["geo_precision"]), in_aleppo_gov=r["in_aleppo_gov"] == "true",
            source="manual" + (f"; {CSR}" if r["point_rule"].split(":")[0] in ("csr", "unosat", "cultural") else
                               f"; {OCHA}" if r["point_rule"] != "none" else ""),
            license=LICENSES["manual"], note=f"{r['basis']} Point: {how}."))
        for alias in [r["name_ar"], *r["aliases"].split("|")]:
            if alias.strip():
                aliases.append((alias.strip(), r["id"], "manual"))
        if r["point_rule"].startswith("csr:"):
            for poly in polygons:       # the CSR polygon now belongs to this place
                if poly["csr_id"] == r["point_rule"][4:] and not poly["place_id"]:
                    poly["place_id"], poly["match"] = r["id"], "manual"
    for r in read_csv(out_dir / "manual_aliases.csv").to_dict("records"):
        aliases.append((r["alias"], r["place_id"], "manual"))
    return rows, aliases


# ---------------------------------------------------------------- geometry files

def rounded(geom, tolerance: float, digits: int = 5) -> dict:
    """GeoJSON mapping of a simplified geometry with rounded coordinates."""
    simple = shapely.set_precision(geom.simplify(tolerance, preserve_topology=True), 10 ** -digits)
    return json.loads(json.dumps(mapping(simple)), parse_float=lambda s: round(float(s), digits))


def feature_collection(features: list[dict]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": features},
                      ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def neighbourhoods_geojson(polygons: list[dict]) -> str:
    feats = []
    for p in sorted(polygons, key=lambda p: (int(p["csr_id"]), p["name_en"])):
        feats.append({"type": "Feature", "properties": {
            "csr_id": int(p["csr_id"]), "csr_name_en": p["name_en"], "csr_name_ar": p["name_ar"],
            "place_id": p["place_id"], "match": p["match"]},
            "geometry": rounded(p["geometry"], 0.00003)})
    return feature_collection(feats)


def admin_geojson(src: Path, admin_rows: list[dict]) -> str:
    """Syria's 14 governorates (coarse, for context) and Aleppo's 8 districts."""
    names = {r["id"]: r for r in admin_rows}
    feats = []
    gov = json.loads((src / "ocha-v02-admin1-polygons-syrianzone" / "syr_admin1.geojson").read_text(encoding="utf-8"))
    for f in gov["features"]:
        pcode = f["properties"]["adm1_pcode"]
        tol = 0.002 if pcode == "SY02" else 0.01
        feats.append(_admin_feature(pcode, 1, names[pcode], shape(f["geometry"]), tol,
                                    "ocha-v02-admin1-polygons-syrianzone"))
    dist = json.loads((src / "ocha-2015-alahwa-geojson" / "syr_admin2.geojson").read_text(encoding="utf-8", errors="replace"))
    for f in dist["features"]:
        pcode = f["properties"]["PCODE"]
        if pcode.startswith("SY02") and pcode in names:
            feats.append(_admin_feature(pcode, 2, names[pcode], shape(f["geometry"]), 0.002,
                                        "ocha-2015-alahwa-geojson"))
    feats.sort(key=lambda f: (f["properties"]["level"], f["properties"]["id"]))
    return feature_collection(feats)


def _admin_feature(pcode, level, row, geom, tol, source) -> dict:
    return {"type": "Feature", "properties": {"id": pcode, "level": level, "adm1_pcode": row["adm1_pcode"],
                                              "name_ar": row["name_ar"], "name_en": row["name_en"],
                                              "source": source},
            "geometry": rounded(geom.buffer(0), tol, 4)}


# ---------------------------------------------------------------- writing

def places_csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, PLACE_COLUMNS, lineterminator="\n")
    w.writeheader()
    for r in sorted(rows, key=lambda r: r["id"]):
        w.writerow({**r, "lat": fmt_coord(r["lat"]), "lon": fmt_coord(r["lon"]),
                    "in_aleppo_gov": "true" if r["in_aleppo_gov"] else "false"})
    return buf.getvalue()


def aliases_csv(aliases: list[tuple[str, str, str]], place_ids: set[str]) -> str:
    """One row per (key, place): the best-ranked source wins, the alias as first written."""
    best: dict[tuple[str, str], tuple[int, str, str]] = {}
    for alias, pid, source in aliases:
        if pid not in place_ids:
            raise ValueError(f"alias {alias!r} points to unknown place {pid}")
        key = name_key(alias)
        if not key:
            continue
        entry = (SOURCE_RANK.index(source), alias, source)
        if (key, pid) not in best or entry < best[(key, pid)]:
            best[(key, pid)] = entry
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(ALIAS_COLUMNS)
    for (key, pid), (_, alias, source) in sorted(best.items()):
        w.writerow([key, alias, pid, source])
    return buf.getvalue()


ATTRIBUTION = """# Attribution

The gazetteer in this folder is built by `python -m geo.build` from these sources
(copies in `../shared/data/gazetteer-sources/`, see each SOURCE.md there).

- **UN OCHA, Common Operational Dataset - Administrative Boundaries, Syria (COD-AB), v02**
  (populated places, neighbourhoods, admin 1-3 names and centroids; `places.csv`, `aliases.csv`;
  governorate polygons in `admin.geojson` via the `syrianzone/syrianzone` copy).
  Source: OCHA / Humanitarian Data Exchange, https://data.humdata.org/dataset/cod-ab-syr.
  License: Creative Commons Attribution 3.0 IGO (CC BY 3.0 IGO). Workbook copied from
  `hadabo/damascus` (MIT for the package), byte-identical to the HDX file.
- **OCHA COD-AB Syria, 2015 vintage, district polygons** (`admin.geojson`, level 2), from
  `alahwa/Syria-GeoJson-Maps` @ 81d1da2. That repository states no license; the data are
  OCHA's COD, credited as above. Geometry simplified (~200 m).
- **Columbia Center for Spatial Research, "Conflict Urbanism: Aleppo"**
  (`CenterForSpatialResearch/aleppo_test` @ 3f750b9): Aleppo neighbourhood polygons and
  Arabic alternative names (`neighbourhoods.geojson`, aliases with source `csr`/`csr-alt`,
  centroids of the Citadel, airport and Hanano barracks in `manual_places.csv`), and the
  UNOSAT damage-point summary used for a few rough points. MIT License,
  Copyright (c) 2019 Columbia Center for Spatial Research. UNOSAT damage data (2013-2015):
  UNITAR-UNOSAT, "open to all".
- **Hand-kept entries** (`manual_places.csv`, `manual_aliases.csv`): this project. Each row's
  `basis` says where its coordinate comes from; none is a surveyed position.

Geometries are simplified and coordinates rounded; they are for display, not for measurement.
"""


def build(src: Path, out_dir: Path) -> dict[str, str]:
    """Build every output file's text, keyed by file name (nothing is written)."""
    admin = admin_places(src)
    common_keys = {name_key(w) for w in read_csv(out_dir / "common_words.csv")["word"]}
    pop, aliases = populated_places(src, common_keys)
    by_id = {r["id"]: r for r in admin + pop}
    aliases += admin_aliases(admin)
    polygons = csr_polygons(src)
    join_csr_to_ocha(polygons, pop)
    primary_keys: dict[str, set[str]] = {}
    for alias, pid, source in aliases:
        if source in ("ocha", "ocha-nbhd", "ocha-adm4", "ocha-admin", "rule:prefix", "rule:qualifier"):
            primary_keys.setdefault(name_key(alias), set()).add(pid)
    outside_city = {r["id"] for r in admin + pop if r["adm4_pcode"] != ALEPPO_CITY}
    aliases += csr_aliases(polygons, primary_keys, outside_city)
    manual, manual_alias = manual_places(out_dir, src, by_id, polygons)
    aliases += manual_alias
    rows = admin + pop + manual
    return {
        "places.csv": places_csv(rows),
        "aliases.csv": aliases_csv(aliases, {r["id"] for r in rows}),
        "neighbourhoods.geojson": neighbourhoods_geojson(polygons),
        "admin.geojson": admin_geojson(src, admin),
        "ATTRIBUTION.md": ATTRIBUTION,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", type=Path, required=True, help="gazetteer-sources folder")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "data" / "gazetteer")
    args = ap.parse_args(argv)
    if not (args.sources / OCHA).is_dir():
        print(f"error: {args.sources} has no {OCHA}/ folder", file=sys.stderr)
        return 2
    files = build(args.sources, args.out)
    for name, text in files.items():
        (args.out / name).write_text(text, encoding="utf-8")
        print(f"{name}: {len(text.encode()):,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
