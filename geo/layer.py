"""The analyst's gazetteer layer: places and names an analyst added in the dashboard,
laid over the built gazetteer at run time (``Gazetteer.with_layer``), never written
into data/gazetteer/.

Two kinds of entry (plain dicts; :func:`layer_from_rows` makes them from the store):

- a **place**: ``{"id": "A-0001", "name_ar": ..., "lat": ..., "lon": ..., "kind": ...,
  "geo_precision": ..., "aliases": [...], "name_en", "adm1_pcode".."adm4_pcode",
  "note", "author", "created_at"}``: a new place with the analyst's point;
- an **alias**: ``{"alias_of": "N0156", "name_ar": "المواصلات", "aliases": [...],
  "author", "created_at"}``: "this name means that existing place" (an analyst who
  picked a gazetteer candidate for a mention).

Names are turned into keys exactly as the build does for source names
(``geo.names.name_variants``: the name, without its qualifier, each half of a
double name, without a leading حي/بلدة/قرية/مدينة; ``arabic.name_key`` folds the
article, hamza, ta marbuta...; the كرم rule for neighbourhoods). The name as written
and the name without a leading trigger word are the analyst's *own* keys: on them the
analyst's entry wins over the built gazetteer (see ``docs/gazetteer.md``,
"The analyst's layer"); the other variants only compete as derived aliases do.
"""
from __future__ import annotations

import datetime as _dt
import math
from typing import Any, Iterable, Mapping

from arabic import name_key
from geo.model import KINDS
from geo.names import clean_source_name, drop_prefix, karm_remainder, name_variants, strip_trigger

ANALYST_SOURCE = "analyst"              # alias source of an analyst's own key
ANALYST_DERIVED = "analyst-derived"     # alias source of a variant (qualifier, split, كرم)
ANALYST_LICENSE = "analyst layer (project data)"
DEFAULT_KIND = "landmark"               # a point an analyst placed, kind not given: specific, pointy
DEFAULT_PRECISION = 2

# Row keys read by layer_from_rows: the columns of store.schema.analyst_places.
ROW_KEYS = ("place_id", "pcode", "name_ar", "name_en", "kind", "lat", "lon", "geo_precision", "aliases",
            "adm1_pcode", "adm2_pcode", "adm3_pcode", "adm4_pcode", "note", "author", "created_at")

# trigger word (folded, as in extraction output) -> the kind an analyst place named after it is
_TRIGGER_KIND = {
    **dict.fromkeys(("حي", "حيي", "احياء", "حيين", "ضاحيه", "مشروع", "كتله"), "neighbourhood"),
    **dict.fromkeys(("بلده", "بلدات", "بلدتي", "بلدتا", "قريه", "قري", "قريتي", "قريتا", "مدينه", "مدن",
                     "مدينتي"), "community"),
    "ناحيه": "sub-district", "ريف": "region", "منطقه": "area", "مناطق": "area", "منطقتي": "area",
}


def kind_for_trigger(trigger: str | None) -> str:
    """The kind to give a place an analyst creates from a mention with this trigger.

    >>> kind_for_trigger("حي"), kind_for_trigger("بلدة"), kind_for_trigger(None)
    ('neighbourhood', 'community', 'landmark')
    """
    from geo.gazetteer import normalize_trigger
    return _TRIGGER_KIND.get(normalize_trigger(trigger) or "", DEFAULT_KIND)


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip()) \
        or (not isinstance(v, (str, int, float, list, tuple, _dt.date)) and str(v) in ("NaT", "nan", "None", "<NA>"))


def _text(v: Any) -> str | None:
    return None if _blank(v) else str(v).strip()


def _number(v: Any) -> float | None:
    if _blank(v) or isinstance(v, bool):
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def split_names(value: Any) -> list[str]:
    """Names from a list or a ``;``/``|``-joined string (the store joins aliases with ``;``).

    >>> split_names("الحي الجديد; حي جديد|"), split_names(["a", None, " b "])
    (['الحي الجديد', 'حي جديد'], ['a', 'b'])
    """
    if _blank(value):
        return []
    if isinstance(value, str):
        parts = value.replace("|", ";").split(";")
    else:
        try:
            parts = [p for p in value if not _blank(p)]
        except TypeError:
            parts = [value]
    return [clean_source_name(str(p)) for p in parts if not _blank(p) and clean_source_name(str(p))]


def added_date(value: Any) -> str:
    """``YYYY-MM-DD`` of a created_at (datetime, date, pandas Timestamp, ISO string), or ''."""
    if _blank(value):
        return ""
    if isinstance(value, (_dt.date, _dt.datetime)) or hasattr(value, "date"):
        try:
            d = value.date() if callable(getattr(value, "date", None)) else value
            return d.isoformat()[:10]
        except Exception:
            pass
    return str(value).strip()[:10]


def provenance(entry: Mapping, what: str = "place") -> str:
    """The reason words for an analyst entry: ``analyst place added 2024-05-01 by lina``."""
    date = added_date(entry.get("created_at"))
    author = _text(entry.get("author"))
    return f"analyst {what} added" + (f" {date}" if date else "") + (f" by {author}" if author else "")


def name_keys(name: str, kind: str | None = None, common_keys: frozenset = frozenset()
              ) -> tuple[list[str], list[str]]:
    """``(own, derived)`` lookup keys for one analyst name, each ``arabic.name_key`` form.

    own: the name as written, and without a leading trigger word (the extractor passes
    "حي X" as key X, trigger حي). derived: the build's other variants
    (``name_variants``: qualifier dropped, each half of a double name) and, for a
    neighbourhood, ``كرم X`` → X unless X is a common word.

    >>> name_keys("حي الكرامة الجديدة")
    (['حي كرامه جديده', 'كرامه جديده'], [])
    >>> name_keys("الصياح_صياح ظاهرية")
    (['صياح صياح ظاهريه'], ['صياح', 'صياح ظاهريه'])
    """
    own: list[str] = []
    derived: list[str] = []
    name = clean_source_name(name)
    if not name:
        return own, derived
    for k in (name_key(name), name_key(drop_prefix(name)), strip_trigger(name_key(name))[1]):
        if k and k not in own:
            own.append(k)
    for alias, _rule in name_variants(name):
        aliases = [alias]
        if kind == "neighbourhood":
            rest = karm_remainder(drop_prefix(alias))
            if rest and name_key(rest) not in common_keys:
                aliases.append(rest)
        for a in aliases:
            k = name_key(a)
            if k and k not in own and k not in derived:
                derived.append(k)
    return own, derived


def _names_of(entry: Mapping) -> list[str]:
    names = split_names(entry.get("name_ar"))[:1] + split_names(entry.get("aliases"))
    seen: set[str] = set()
    return [n for n in names if not (n in seen or seen.add(n))]


def normalize_entry(entry: Any) -> dict | None:
    """One layer entry as a plain dict with ``id``/``alias_of``, names and fields; None if it
    names nothing. Accepts a dict, a Mapping, a SQLAlchemy Row (``._mapping``) or a
    :class:`geo.Place`."""
    from geo.model import Place
    if isinstance(entry, Place):
        d = {f: getattr(entry, f) for f in entry.__slots__}
        d["created_at"] = None
    elif hasattr(entry, "_mapping"):
        d = dict(entry._mapping)
    elif isinstance(entry, Mapping):
        d = dict(entry)
    else:
        return None
    if "id" not in d and "place_id" in d:
        d["id"] = d.get("place_id")
    if not _names_of(d):
        return None
    return d


def layer_from_rows(rows: Any, known_ids: Iterable[str] | None = None) -> list[dict]:
    """Layer entries from the store's ``analyst_places`` rows.

    ``rows``: a pandas DataFrame (``store.queries.analyst_places(store)``), or any iterable
    of dicts / SQLAlchemy rows with the columns of ``store.schema.analyst_places``
    (:data:`ROW_KEYS`; missing keys and NaN are None). Each row becomes:

    - an **alias** of a gazetteer place when its ``pcode`` is a gazetteer id (or, with
      no ``lat``/``lon``, its ``place_id`` is one): name_ar and aliases then mean that
      place, whose own point is used (the row's point, if any, is not);
    - otherwise a new **place** ``place_id`` (``A-0001``...) at ``lat``/``lon``; rows with
      no usable point are skipped (nothing to put on the map).

    ``known_ids``: the gazetteer's ids (default: the base gazetteer's).

    >>> [e.get("alias_of") or e["id"] for e in layer_from_rows([
    ...     {"place_id": "A-0001", "name_ar": "حي الفرقان الجديد", "lat": 36.2, "lon": 37.1},
    ...     {"place_id": "A-0002", "pcode": "N0156", "name_ar": "المواصلات", "lat": None, "lon": None}])]
    ['A-0001', 'N0156']
    """
    if hasattr(rows, "to_dict") and hasattr(rows, "columns"):
        rows = rows.to_dict("records")
    if known_ids is None:
        from geo.gazetteer import load_gazetteer
        known = load_gazetteer()._places
    else:
        known = set(known_ids)
    out: list[dict] = []
    for row in rows or ():
        d = normalize_entry(row)
        if d is None:
            continue
        pid, pcode = _text(d.get("id")), _text(d.get("pcode"))
        lat, lon = _number(d.get("lat")), _number(d.get("lon"))
        base = {"name_ar": split_names(d.get("name_ar"))[0] if split_names(d.get("name_ar")) else None,
                "aliases": split_names(d.get("aliases")), "author": _text(d.get("author")),
                "created_at": d.get("created_at"), "note": _text(d.get("note")), "layer_id": pid}
        target = pcode if pcode in known else pid if (pid in known and (lat is None or lon is None)) else None
        if target:
            out.append({"alias_of": target, **base})
            continue
        if not pid or lat is None or lon is None:
            continue
        out.append({"id": pid, **base, "name_en": _text(d.get("name_en")), "kind": _text(d.get("kind")),
                    "lat": lat, "lon": lon, "geo_precision": d.get("geo_precision"),
                    **{f"adm{i}_pcode": _text(d.get(f"adm{i}_pcode")) for i in range(1, 5)}})
    return out


def aliases_from_pairs(aliases: Any) -> list[dict]:
    """Alias entries from ``{surface: place_id}``, ``[(surface, place_id), ...]`` or dicts
    with ``alias``/``surface``/``name_ar`` and ``place_id``/``alias_of``."""
    if aliases is None:
        return []
    if isinstance(aliases, Mapping):
        aliases = list(aliases.items())
    out = []
    for a in aliases:
        if isinstance(a, Mapping) or hasattr(a, "_mapping"):
            d = dict(a._mapping) if hasattr(a, "_mapping") else dict(a)
            name = d.get("alias") if not _blank(d.get("alias")) else d.get("surface") \
                if not _blank(d.get("surface")) else d.get("name_ar")
            target = _text(d.get("alias_of")) or _text(d.get("place_id"))
            out.append({**d, "name_ar": name, "alias_of": target})
        elif isinstance(a, (tuple, list)) and len(a) >= 2:
            out.append({"name_ar": a[0], "alias_of": _text(a[1])})
    return out


def clean_kind(kind: Any) -> str:
    k = _text(kind)
    return k if k in KINDS else DEFAULT_KIND


def clean_precision(p: Any) -> int:
    x = _number(p)
    return int(x) if x in (1.0, 2.0, 3.0) else DEFAULT_PRECISION
