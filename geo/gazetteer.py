"""The runtime gazetteer: load data/gazetteer/, look names up, resolve mentions.

    >>> from geo import load_gazetteer, MentionQuery
    >>> gaz = load_gazetteer()
    >>> gaz.place("N0194").name_ar
    'كرم ميسر'
    >>> [p.id for p in gaz.candidates("ميسر")]
    ['N0194']
    >>> res = gaz.resolve_all([MentionQuery("حي الزهراء", "زهراء", trigger="حي")])
    >>> res[0].place.id
    'N0135'

Resolution rules (each adds to a candidate's score and to its ``reasons``):
Aleppo governorate first; a trigger word that fits the kind (حي → a city
neighbourhood, بلدة/قرية/مدينة → a community, ريف → a region, ناحية →
sub-district); the place's own name over a derived alias; nearness to the
report's confidently resolved places, weighted by how close they are in the
text; a countryside region named right after the mention (نبل والزهراء بريف
حلب الشمالي). Places outside Aleppo governorate match only on their own full
name, never on a common word, a key with digits (6 تشرين is a date) or a word
of three letters or fewer. Common words (common_words.csv) and keys with digits
resolve only with a trigger or a listed neighbour. A tie
resolves to nothing. Fuzzy matching only suggests.
"""
from __future__ import annotations

import csv
import functools
import math
import weakref
from pathlib import Path

from arabic import fold, name_key
from arabic.normalize import strip_article
from geo.layer import (ANALYST_DERIVED, ANALYST_LICENSE, ANALYST_SOURCE, aliases_from_pairs, clean_kind,
                       clean_precision, name_keys, normalize_entry, provenance, split_names)
from geo.model import Candidate, MentionQuery, Place, Resolution
from geo.names import keys_for_token, strip_trigger
from geo.regions import CITY_LAT, CITY_LON, REGION_IDS, haversine_km, sector_of

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "data" / "gazetteer"

# Folded trigger word -> the kinds it asks for.
TRIGGER_KINDS = {
    **dict.fromkeys(("حي", "حيي", "احياء", "حيا"), ("neighbourhood", "area", "landmark")),
    **dict.fromkeys(("بلده", "بلدتي", "بلدتا", "بلدات", "قريه", "قريتي", "قريتا", "قري", "مدينه",
                     "مدينتي", "مدن", "بلد"), ("community",)),
    "ريف": ("region",),
    "ناحيه": ("sub-district",),
    # "منطقة X" in front reports is any kind of place (منطقة الصالحين، منطقة حريتان, rarely the
    # admin unit): every kind fits, so the kind tie-breakers decide (a town beats its sub-district).
    **dict.fromkeys(("منطقه", "مناطق", "منطقتي"), ("neighbourhood", "community", "area", "landmark", "district",
                                                    "sub-district")),
    "محافظه": ("governorate",),
}
AREA_TRIGGERS = frozenset({"منطقه", "مناطق", "منطقتي"})
# Alias sources that are the place's own (full) name: the only ones allowed outside Aleppo.
OWN_NAME_SOURCES = frozenset({"ocha", "ocha-nbhd", "ocha-adm4", "ocha-admin", "rule:qualifier", "rule:prefix"})
POINTY_KINDS = frozenset({"neighbourhood", "community", "landmark", "area"})
# Small tie-breakers so that a town beats the sub-district named after it.
KIND_BONUS = {"neighbourhood": 0.6, "community": 0.6, "landmark": 0.5, "area": 0.5, "region": 0.4,
              "sub-district": 0.2, "district": 0.1, "governorate": 0.0}
ALEPPO_BONUS = 2.0
TRIGGER_BONUS, TRIGGER_MISFIT = 3.0, -1.0
OWN_NAME_BONUS = 0.5
CONTEXT_WEIGHT = 2.0        # a candidate right beside the report's other places gains up to this
TEXT_SCALE = 120.0          # characters: how fast a place's influence fades with distance in the text
DIST_SCALE_KM = 10.0        # km: how fast nearness on the ground stops counting
REGION_BONUS = 2.0
REGION_WINDOW = (40, 80)    # chars before / after a mention in which a ريف region names its sector
NEIGHBOUR_CHARS, NEIGHBOUR_KM = 40, 5.0   # a "listed neighbour" that lets a common word resolve
TIE = 0.1


_POINT_GRIDS: "weakref.WeakKeyDictionary[Gazetteer, dict]" = weakref.WeakKeyDictionary()
# (place id, lat, lon, anchor id, lat, lon) -> (km, exp(-km / DIST_SCALE_KM)): the same pairs come
# back in every report of a front (a pure function of the two points; bounded)
_KM_CACHE: dict[tuple, tuple[float, float]] = {}


def _float(text: str) -> float | None:
    return float(text) if text else None


def _place_from_row(r: dict) -> Place:
    return Place(
        id=r["id"], pcode=r["pcode"] or None, name_ar=r["name_ar"], name_en=r["name_en"], kind=r["kind"],
        adm1_pcode=r["adm1_pcode"] or None, adm2_pcode=r["adm2_pcode"] or None,
        adm3_pcode=r["adm3_pcode"] or None, adm4_pcode=r["adm4_pcode"] or None,
        lat=_float(r["lat"]), lon=_float(r["lon"]), geo_precision=int(r["geo_precision"]),
        in_aleppo_gov=r["in_aleppo_gov"] == "true", source=r["source"], license=r["license"],
        note=r["note"], label_ar=r["label_ar"])


def normalize_trigger(trigger: str | None) -> str | None:
    """Fold a trigger word and drop its article or one proclitic.

    >>> normalize_trigger("بريف"), normalize_trigger("والقرية"), normalize_trigger("حييْ")
    ('ريف', 'قريه', 'حيي')
    """
    if not trigger:
        return None
    t = strip_article(fold(trigger).strip())
    if t in TRIGGER_KINDS:
        return t
    for variant in keys_for_token(t)[1:]:
        if variant in TRIGGER_KINDS:
            return variant
    return t


def mention(surface: str, start: int | None = None, trigger: str | None = None) -> MentionQuery:
    """A MentionQuery from a surface string, splitting off a leading trigger word.

    >>> q = mention("حيّ الميسّر", start=10)
    >>> (q.key, q.trigger, q.end)
    ('ميسر', 'حي', 21)
    """
    split_trigger, key = strip_trigger(name_key(surface))
    end = None if start is None else start + len(surface)
    return MentionQuery(surface, key, trigger or split_trigger, start, end)


class Gazetteer:
    """Places, the alias index and the resolver. Build one with :func:`load_gazetteer`;
    lay the analyst's places over it with :meth:`with_layer`."""

    # A built gazetteer has no layer; with_layer() gives a new instance with its own values.
    base: "Gazetteer | None" = None           # the gazetteer a layered one was made from
    _analyst: dict = {}                        # analyst's own key -> ids that win on it (never mutated)
    _analyst_why: dict = {}                    # (key, place id) -> "analyst place added <date> by <who>"
    _layer_places: tuple = ()
    _layer_keys: frozenset = frozenset()
    layer_errors: tuple = ()

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        with open(self.directory / "places.csv", encoding="utf-8", newline="") as f:
            self._places = {r["id"]: _place_from_row(r) for r in csv.DictReader(f)}
        self._aliases: dict[str, list[tuple[str, str, str]]] = {}
        with open(self.directory / "aliases.csv", encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                self._aliases.setdefault(r["key"], []).append((r["place_id"], r["alias_source"], r["alias"]))
        with open(self.directory / "common_words.csv", encoding="utf-8", newline="") as f:
            self.common_keys = frozenset(name_key(r["word"]) for r in csv.DictReader(f))
        self.max_alias_words = max(len(k.split()) for k in self._aliases)
        self._fuzzy_keys: list[str] | None = None

    # ------------------------------------------------------------ look-ups
    def __len__(self) -> int:
        return len(self._places)

    def __contains__(self, key: str) -> bool:
        """Whether ``key`` is an alias key (the cheap test for n-gram scanning)."""
        return key in self._aliases

    def places(self) -> list[Place]:
        """Every place, sorted by id."""
        return sorted(self._places.values(), key=lambda p: p.id)

    def place(self, place_id: str) -> Place:
        """The place with this id (KeyError if unknown).

        >>> load_gazetteer().place("C1007").name_en
        'Aleppo'
        """
        return self._places[place_id]

    def candidates(self, key: str) -> list[Place]:
        """Places whose alias key is exactly ``key`` (``arabic.name_key`` of a name), by id.

        >>> [p.id for p in load_gazetteer().candidates("اتارب")]
        ['C1022', 'SY020001']
        """
        return sorted({self._places[pid] for pid, _, _ in self._aliases.get(key, ())}, key=lambda p: p.id)

    def alias_hits(self, key: str) -> list[tuple[Place, str, str]]:
        """``(place, alias_source, alias)`` for every alias with this key."""
        return [(self._places[pid], src, alias) for pid, src, alias in self._aliases.get(key, ())]

    def lookup_token(self, folded_word: str) -> tuple[str, list[Place]] | None:
        """The first of :func:`geo.names.keys_for_token`'s keys that names a place, with
        its places; for callers that did not strip proclitics.

        >>> key, places = load_gazetteer().lookup_token("والزبديه")
        >>> key, [p.id for p in places]
        ('زبديه', ['N0208'])
        """
        for key in keys_for_token(folded_word):
            if key in self._aliases:
                return key, self.candidates(key)
        return None

    def alias_keys(self) -> frozenset[str]:
        """Every alias key (``name_key`` form) the gazetteer knows, for n-gram scanning."""
        keys = getattr(self, "_alias_keys", None)
        if keys is None:
            keys = self._alias_keys = frozenset(self._aliases)
        return keys

    def is_common_word(self, key: str) -> bool:
        return key in self.common_keys

    # ------------------------------------------------------------ the analyst's layer
    def with_layer(self, places=(), aliases=()) -> "Gazetteer":
        """A new gazetteer: this one with the analyst's entries laid over it.

        ``places``: layer entries (dicts as made by :func:`geo.layer_from_rows`, Mappings,
        SQLAlchemy rows or :class:`Place`): a new place (``id``, ``name_ar``, optional
        ``name_en``, ``aliases``, ``kind``, ``lat``/``lon``, ``geo_precision``, ``adm1..4_pcode``,
        ``note``, ``author``, ``created_at``) or an alias-only entry (``alias_of``: an existing
        place id, ``name_ar`` and/or ``aliases``: the names that mean it).
        ``aliases``: more alias-only entries, as ``{surface: place_id}`` or
        ``[(surface, place_id), ...]``.

        Cheap: the places and alias dicts are shallow copies sharing every unchanged entry;
        ``self`` (the cached base) is never modified. Entries that cannot be used (no name,
        no point, an id that is taken, an alias to an unknown place) are skipped and listed in
        ``layer_errors``. See docs/gazetteer.md, "The analyst's layer", for the rules.
        """
        entries = [e for e in (normalize_entry(x) for x in (places or ())) if e is not None]
        entries += [e for e in (normalize_entry(x) for x in aliases_from_pairs(aliases)) if e is not None]
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.base = self
        new._fuzzy_keys = None
        new._alias_keys = None
        new._prepared_memo = None  # the layer changes what a key resolves to
        places_d = dict(self._places)
        aliases_d = dict(self._aliases)
        analyst = {k: set(v) for k, v in self._analyst.items()}
        why = dict(self._analyst_why)
        added_places: list[Place] = []
        added_keys: set[str] = set()
        errors: list[str] = []
        fresh: set[str] = set()

        def add(key: str, pid: str, source: str, alias: str, reason: str) -> None:
            hits = aliases_d.get(key, [])
            if (pid, source, alias) in hits or (source == ANALYST_DERIVED and any(
                    h[0] == pid and h[1] == ANALYST_SOURCE for h in hits)):
                return
            if key not in fresh:                   # copy before the first change: the base list stays as it is
                aliases_d[key] = hits = list(hits)
                fresh.add(key)
            hits.append((pid, source, alias))
            added_keys.add(key)
            why.setdefault((key, pid), reason)
            if source == ANALYST_SOURCE:
                analyst.setdefault(key, set()).add(pid)

        for e in entries:
            names = split_names(e.get("name_ar"))[:1] + split_names(e.get("aliases"))
            target = e.get("alias_of")
            if target not in (None, ""):
                target = str(target).strip()
                if target not in places_d:
                    errors.append(f"alias {names[0]!r}: unknown place {target!r}")
                    continue
                pid, kind, reason = target, places_d[target].kind, provenance(e, "alias")
            else:
                place, err = self._layer_place(e, names, places_d)
                if place is None:
                    errors.append(err)
                    continue
                places_d[place.id] = place
                added_places.append(place)
                pid, kind, reason = place.id, place.kind, provenance(e, "place")
            for name in dict.fromkeys(names):
                own, derived = name_keys(name, kind, self.common_keys)
                for k in own:
                    add(k, pid, ANALYST_SOURCE, name, reason)
                for k in derived:
                    add(k, pid, ANALYST_DERIVED, name, reason)

        new._places = places_d
        new._aliases = aliases_d
        new._analyst = {k: frozenset(v) for k, v in analyst.items()}
        new._analyst_why = why
        new._layer_places = self._layer_places + tuple(added_places)
        new._layer_keys = self._layer_keys | frozenset(added_keys)
        new.layer_errors = tuple(self.layer_errors) + tuple(errors)
        if added_keys:
            new.max_alias_words = max(self.max_alias_words, max(len(k.split()) for k in added_keys))
        return new

    def layer_places(self) -> list[Place]:
        """The analyst's places in this gazetteer's layer(s), in the order given."""
        return list(self._layer_places)

    def layer_overrides(self) -> dict[str, tuple[list[str], list[str]]]:
        """Keys on which the analyst's layer takes precedence over built places:
        ``{key: (analyst entry ids, built place ids it wins over)}``, for review screens
        ("your name 'الزهراء' now wins over C1646, N0135 ...")."""
        out = {}
        for key, winners in sorted(self._analyst.items()):
            others = sorted({pid for pid, src, _ in self._aliases.get(key, ())
                             if pid not in winners and not src.startswith(ANALYST_SOURCE)})
            if others:
                out[key] = (sorted(winners), others)
        return out

    def layer_keys(self) -> frozenset[str]:
        """Alias keys the layer(s) added over the built gazetteer (a subset of alias_keys())."""
        return self._layer_keys

    def _layer_place(self, e: dict, names: list[str], places_d: dict) -> tuple[Place | None, str]:
        pid = str(e.get("id") or "").strip()
        lat, lon = e.get("lat"), e.get("lon")
        try:
            lat, lon = float(lat), float(lon)
        except (TypeError, ValueError):
            return None, f"analyst place {pid or names[0]!r}: no point (lat/lon)"
        if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
            return None, f"analyst place {pid or names[0]!r}: point out of range"
        if not pid:
            return None, f"analyst place {names[0]!r}: no id"
        if pid in places_d:
            return None, f"analyst place {pid!r}: the id is already taken"
        kind = clean_kind(e.get("kind"))
        adm = {f"adm{i}_pcode": (str(e.get(f"adm{i}_pcode")).strip() or None)
               if isinstance(e.get(f"adm{i}_pcode"), str) else None for i in range(1, 5)}
        guess = self._admin_near(lat, lon, kind)
        for f in ("adm1_pcode", "adm2_pcode", "adm3_pcode", "adm4_pcode"):
            if not adm[f]:
                adm[f] = guess.get(f)
        note = provenance(e, "place") + (f": {e['note']}" if isinstance(e.get("note"), str) and e["note"] else "")
        name_en = e.get("name_en")
        return Place(id=pid, pcode=None, name_ar=names[0], name_en=name_en if isinstance(name_en, str) else "",
                     kind=kind, lat=lat, lon=lon, geo_precision=clean_precision(e.get("geo_precision")),
                     in_aleppo_gov=(adm["adm1_pcode"] == "SY02") if adm["adm1_pcode"] else True,
                     source=ANALYST_SOURCE, license=ANALYST_LICENSE, note=note, label_ar="", **adm), ""

    def _admin_near(self, lat: float, lon: float, kind: str) -> dict:
        """Parents for a point the analyst placed, from the nearest built place: adm1-3 from the
        nearest community or neighbourhood within 15 km; adm4 (the city) from the nearest
        neighbourhood within 2 km, for a neighbourhood, landmark or area."""
        root = self
        while root.base is not None:
            root = root.base
        grid = _POINT_GRIDS.get(root)
        if grid is None:
            grid = {}
            for p in root._places.values():
                if p.kind in ("community", "neighbourhood") and p.lat is not None and p.lon is not None:
                    grid.setdefault((round(p.lat * 10), round(p.lon * 10)), []).append(p)
            _POINT_GRIDS[root] = grid       # kept outside the instance: the base stays untouched
        cy, cx = round(lat * 10), round(lon * 10)
        near = [p for dy in (-2, -1, 0, 1, 2) for dx in (-2, -1, 0, 1, 2) for p in grid.get((cy + dy, cx + dx), ())]
        out: dict = {}
        if not near:
            return out
        kx = 111.32 * math.cos(math.radians(lat))       # equirectangular: exact enough at these scales

        def km(p: Place) -> float:
            return math.hypot((p.lon - lon) * kx, (p.lat - lat) * 110.57)

        best = min(near, key=lambda p: (km(p), p.id))
        if km(best) <= 15:
            out.update(adm1_pcode=best.adm1_pcode, adm2_pcode=best.adm2_pcode, adm3_pcode=best.adm3_pcode)
        if kind in ("neighbourhood", "landmark", "area"):
            nbs = [p for p in near if p.kind == "neighbourhood"]
            nb = min(nbs, key=lambda p: (km(p), p.id)) if nbs else None
            if nb is not None and km(nb) <= 2:
                out["adm4_pcode"] = nb.adm4_pcode
        return out

    # ------------------------------------------------------------ geography
    def distance_km(self, a: Place, b: Place) -> float | None:
        if None in (a.lat, a.lon, b.lat, b.lon):
            return None
        return haversine_km(a.lat, a.lon, b.lat, b.lon)

    def region_of(self, place: Place) -> Place | None:
        """The Aleppo countryside region (ريف حلب الشمالي...) a place lies in, or None
        for the city and for places outside the governorate.

        >>> load_gazetteer().region_of(load_gazetteer().place("C1655")).name_ar
        'ريف حلب الشمالي'
        """
        if not place.in_aleppo_gov or place.lat is None or place.kind not in POINTY_KINDS:
            return None
        sector = sector_of(place.lat, place.lon)
        return self._places[REGION_IDS[sector]] if sector else None

    def contains(self, area: Place, place: Place) -> bool:
        """Whether ``place`` lies in ``area`` (an admin unit, the city C1007, a countryside region).

        >>> gaz = load_gazetteer()
        >>> gaz.contains(gaz.place("SY02"), gaz.place("N0194")), gaz.contains(gaz.place("C1007"), gaz.place("C1655"))
        (True, False)
        """
        if area.id == place.id:
            return True
        if area.id in REGION_IDS.values():
            region = self.region_of(place)
            return region is not None and region.id == area.id
        if area.id == "M-rif-halab":
            return self.region_of(place) is not None
        level = {"governorate": "adm1_pcode", "district": "adm2_pcode", "sub-district": "adm3_pcode",
                 "community": "adm4_pcode"}.get(area.kind)
        return bool(level) and getattr(place, level) == area.id

    def neighbourhood_polygons(self):
        """CSR Aleppo neighbourhood polygons (GeoDataFrame, EPSG:4326) with ``place_id``."""
        import geopandas  # imported here: loading the gazetteer must stay fast
        return geopandas.read_file(self.directory / "neighbourhoods.geojson")

    def admin_polygons(self, level: int | None = None):
        """Governorates (level 1, all Syria, coarse) and Aleppo's districts (level 2)."""
        import geopandas
        gdf = geopandas.read_file(self.directory / "admin.geojson")
        return gdf if level is None else gdf[gdf["level"] == level].reset_index(drop=True)

    # ------------------------------------------------------------ review
    def suggest(self, surface: str, limit: int = 5) -> list[Candidate]:
        """Near-miss places for an analyst to review; never used to resolve.

        ``score`` is rapidfuzz's ratio (0-100); the reasons give the alias, the
        edit distance and the distance from Aleppo city.

        >>> [c.place.id for c in load_gazetteer().suggest("الجزماتى", limit=1)]
        ['N0187']
        """
        from rapidfuzz import fuzz, process
        from rapidfuzz.distance import Levenshtein

        key = name_key(surface)
        if not key:
            return []
        if self._fuzzy_keys is None:
            self._fuzzy_keys = sorted(self._aliases)
        out: dict[str, Candidate] = {}
        for alias_key, score, _ in process.extract(key, self._fuzzy_keys, scorer=fuzz.ratio,
                                                   limit=max(limit * 4, 20), score_cutoff=50):
            for place, source, alias in self.alias_hits(alias_key):
                if place.id in out:
                    continue
                km = haversine_km(CITY_LAT, CITY_LON, place.lat, place.lon) if place.lat is not None else None
                reasons = (f"fuzzy {score:.0f} to alias '{alias}' ({source})",
                           f"edit distance {Levenshtein.distance(key, alias_key)}",
                           f"{km:.0f} km from Aleppo city" if km is not None else "no point")
                out[place.id] = Candidate(place, round(score, 1), reasons)
        ranked = sorted(out.values(), key=lambda c: (-c.score, not c.place.in_aleppo_gov, c.place.id))
        return ranked[:limit]

    # ------------------------------------------------------------ resolution
    def resolve_all(self, queries: list[MentionQuery]) -> list[Resolution]:
        """Resolve a report's mentions together: first the unambiguous ones, then
        the rest by nearness to those (see the module docstring for the rules)."""
        prepared = [self._prepare(q) for q in queries]
        anchors = [(q, c[0].place) for q, c, _ in prepared
                   if len(c) == 1 or (len(c) > 1 and c[0].score - c[1].score >= TRIGGER_BONUS)]
        anchors = [(q, p) for q, p in anchors if p.kind in POINTY_KINDS and p.lat is not None]
        regions = [(q, c[0].place) for q, c, _ in prepared if c and c[0].place.id in REGION_IDS.values()]
        rows: dict[str, list] = {}  # for this report: a candidate's kilometres to every anchor
        return [self._decide(q, cands, excluded, anchors, regions, rows) for q, cands, excluded in prepared]

    _PREPARED_MAX = 50_000

    def _prepare(self, q: MentionQuery) -> tuple[MentionQuery, list[Candidate], list[Candidate]]:
        """Exact alias hits for the query, statically scored, best first; plus the excluded ones.
        They depend on the key, the trigger (and the surface when there is no key) only, so they
        are worked out once per gazetteer (a layered one has its own memo) and reused: a front's
        reports name the same places again and again."""
        memo = self.__dict__.get("_prepared_memo")
        if memo is None or memo[0] != id(self):
            memo = self._prepared_memo = (id(self), {})
        memo = memo[1]
        mk = (q.key, q.trigger, None if (q.key or "").strip() else q.surface)
        hit = memo.get(mk)
        if hit is None:
            if len(memo) >= self._PREPARED_MAX:
                memo.clear()
            hit = memo[mk] = self._prepare_key(q)
        key, trigger, ranked, excluded = hit
        return MentionQuery(q.surface, key, trigger, q.start, q.end), list(ranked), list(excluded)

    def _prepare_key(self, q: MentionQuery) -> tuple[str, str | None, tuple, tuple]:
        """``_prepare`` without the memo: (key, trigger, ranked, excluded)."""
        key, trigger, note = self._usable_key(q)
        by_place: dict[str, Candidate] = {}
        excluded: list[Candidate] = []
        for place, source, alias in self.alias_hits(key):
            why_not = self._excluded_because(key, place, source)
            if why_not:
                excluded.append(Candidate(place, 0.0, (f"excluded: {why_not}",)))
                continue
            cand = self._static_score(place, source, alias, trigger, note)
            if place.id not in by_place or cand.score > by_place[place.id].score:
                by_place[place.id] = cand
        if self._analyst_why:
            for pid, cand in list(by_place.items()):
                why = self._analyst_why.get((key, pid))
                if why:
                    by_place[pid] = Candidate(cand.place, cand.score, cand.reasons + (why,))
        ranked = sorted(by_place.values(), key=lambda c: (-c.score, c.place.id))
        excluded = [c for c in excluded if c.place.id not in by_place]
        winners = self._analyst.get(key) if self._analyst else None
        if winners:
            ranked, overridden = self._analyst_first(key, trigger, ranked, winners)
            excluded += overridden
        return key, trigger, tuple(ranked), tuple({c.place.id: c for c in excluded}.values())

    @staticmethod
    def _analyst_first(key: str, trigger: str | None, ranked: list[Candidate], winners: frozenset
                       ) -> tuple[list[Candidate], list[Candidate]]:
        """On an analyst's own key the analyst's entries win over the built gazetteer's places,
        unless the trigger asks for a kind only the gazetteer's places have (the analyst said
        "X is this town"; "حي X" still asks for a neighbourhood)."""
        mine = [c for c in ranked if c.place.id in winners]
        others = [c for c in ranked if c.place.id not in winners]
        if not mine or not others:
            return ranked, []
        fits = TRIGGER_KINDS.get(trigger or "")
        ids = ", ".join(c.place.id for c in mine)
        if fits and not any(c.place.kind in fits for c in mine) and any(c.place.kind in fits for c in others):
            note = f"the analyst's {ids} is not a {'/'.join(fits)} as trigger '{trigger}' asks: no precedence"
            mine = [Candidate(c.place, c.score, c.reasons + (note,)) for c in mine]
            return sorted(mine + others, key=lambda c: (-c.score, c.place.id)), []
        beat = ", ".join(c.place.id for c in others[:3]) + (" ..." if len(others) > 3 else "")
        mine = [Candidate(c.place, c.score, c.reasons + (f"analyst's name '{key}' wins over the gazetteer's {beat}",))
                for c in mine]
        overridden = [Candidate(c.place, 0.0, (f"overridden: the analyst's layer gives '{key}' to {ids}",))
                      for c in others]
        return mine, overridden

    def _usable_key(self, q: MentionQuery) -> tuple[str, str | None, str]:
        """The key to look up: as given, else with a trigger word split off, a ريف
        trigger put back, or a proclitic stripped."""
        key = (q.key or "").strip()
        trigger = normalize_trigger(q.trigger)
        if not key and q.surface:
            key = name_key(q.surface)
        if key in self._aliases:
            return key, trigger, ""
        t, rest = strip_trigger(key)
        if t and rest in self._aliases:
            return rest, trigger or t, f"trigger '{t}' split off"
        if trigger and f"{trigger} {key}" in self._aliases:    # "الأحياء الشرقية", "ريف حلب"
            return f"{trigger} {key}", None, f"'{trigger}' is part of the name"
        first, _, tail = key.partition(" ")
        for variant in keys_for_token(first)[1:]:
            candidate = f"{variant} {tail}".strip()
            if candidate in self._aliases:
                return candidate, trigger, f"proclitic stripped from '{first}'"
        return key, trigger, ""

    def _excluded_because(self, key: str, place: Place, source: str) -> str:
        """Why a place outside Aleppo governorate may not match this key ('' if it may)."""
        if place.in_aleppo_gov or source in (ANALYST_SOURCE, ANALYST_DERIVED):
            return ""           # the analyst's layer: the analyst's word that this name is this place
        if source not in OWN_NAME_SOURCES and source != "manual":
            # a hand-kept alias (manual_aliases.csv) is an analyst's word that this name is this place
            return f"outside Aleppo governorate and '{key}' is only a derived alias ({source})"
        if key in self.common_keys:
            return f"outside Aleppo governorate and '{key}' is a common word"
        if any(ch.isdigit() for ch in key):
            return f"outside Aleppo governorate and '{key}' has digits (a date like 6 تشرين?)"
        if " " not in key and len(key) <= 3:
            return f"outside Aleppo governorate and '{key}' is a short single word"
        return ""

    def _static_score(self, place: Place, source: str, alias: str, trigger: str | None, note: str) -> Candidate:
        score, reasons = KIND_BONUS.get(place.kind, 0.0), [f"{place.kind} (+{KIND_BONUS.get(place.kind, 0.0):g})"]
        if place.in_aleppo_gov:
            score += ALEPPO_BONUS
            reasons.append(f"in Aleppo governorate (+{ALEPPO_BONUS:g})")
        fits = TRIGGER_KINDS.get(trigger or "")
        if fits and place.kind in fits:
            score += TRIGGER_BONUS
            reasons.append(f"trigger '{trigger}' asks for a {place.kind} (+{TRIGGER_BONUS:g})")
        elif fits:
            score += TRIGGER_MISFIT
            reasons.append(f"trigger '{trigger}' asks for {'/'.join(fits)} ({TRIGGER_MISFIT:g})")
        if source in OWN_NAME_SOURCES or source == ANALYST_SOURCE:
            score += OWN_NAME_BONUS
            reasons.append(f"its own name '{alias}' ({source}, +{OWN_NAME_BONUS:g})")
        else:
            reasons.append(f"alias '{alias}' ({source})")
        if note:
            reasons.append(note)
        return Candidate(place, round(score, 3), tuple(reasons))

    @staticmethod
    def _anchor_weights(q: MentionQuery, anchors) -> list[tuple[Place, int | None, float, int]]:
        """(anchor place, gap in characters, weight by nearness in the text, index in ``anchors``)
        of every anchor but the mention itself: the same for all of the mention's candidates."""
        qs = q.start
        if qs is None:
            return [(ap, None, 0.05, a) for a, (_, ap) in enumerate(anchors)]
        exp = math.exp
        return [(ap, None, 0.05, a) if aq.start is None else
                (ap, abs(aq.start - qs), exp(-abs(aq.start - qs) / TEXT_SCALE), a)
                for a, (aq, ap) in enumerate(anchors) if aq.start != qs]

    @staticmethod
    def _km_row(place: Place, anchors) -> list[tuple[float, float] | None]:
        """(km, nearness) from ``place`` to every anchor (None for the place itself)."""
        lat, lon, pid = place.lat, place.lon, place.id
        km_cache = _KM_CACHE
        row = []
        for _, ap in anchors:
            if ap.id == pid:
                row.append(None)
                continue
            ck = (pid, lat, lon, ap.id, ap.lat, ap.lon)
            hit = km_cache.get(ck)
            if hit is None:
                if len(km_cache) > 100_000:
                    km_cache.clear()
                km = haversine_km(lat, lon, ap.lat, ap.lon)
                hit = km_cache[ck] = (km, math.exp(-km / DIST_SCALE_KM))
            row.append(hit)
        return row

    def _context(self, q: MentionQuery, place: Place, anchors, regions, weighted=None, rows=None
                 ) -> tuple[float, list[str], bool]:
        """Context bonus, its reasons, and whether a listed neighbour is right beside the mention.
        ``weighted``: ``_anchor_weights(q, anchors)`` when the caller has it already; ``rows``: a
        dict kept for one report, place id -> ``_km_row`` (the same candidates come back)."""
        if place.kind not in POINTY_KINDS or place.lat is None:
            return 0.0, [], False
        total_w = total = 0.0
        best = None   # (w * prox, km, anchor place, gap) of the anchor that counts most
        best_wp = -1.0
        neighbour = False
        if rows is None:
            row = self._km_row(place, anchors)
        else:
            row = rows.get(place.id)
            if row is None or len(row) != len(anchors):
                row = rows[place.id] = self._km_row(place, anchors)
        for ap, gap, w, a in (self._anchor_weights(q, anchors) if weighted is None else weighted):
            hit = row[a]
            if hit is None:
                continue  # the place itself
            km, prox = hit
            total_w += w
            wp = w * prox
            total += wp
            if best is None or wp > best_wp:
                best, best_wp = (wp, km, ap, gap), wp
            if gap is not None and gap <= NEIGHBOUR_CHARS and km <= NEIGHBOUR_KM:
                neighbour = True
        score, reasons = 0.0, []
        if total_w:
            score = CONTEXT_WEIGHT * total / total_w
            _, km, ap, gap = best
            why = f"{km:.1f} km from {ap.name_ar} ({ap.id})" + (f", {gap} chars away in the text" if gap is not None else "")
            reasons.append(f"near the report's other places (+{score:.2f}): {why}")
        for rq, region in regions:
            if None in (rq.start, q.start, q.end):
                continue
            if -REGION_WINDOW[0] <= rq.start - q.end <= REGION_WINDOW[1] and self.contains(region, place):
                score += REGION_BONUS
                reasons.append(f"lies in {region.name_ar} named beside it (+{REGION_BONUS:g})")
                break
        return score, reasons, neighbour

    def _decide(self, q, cands: list[Candidate], excluded: list[Candidate], anchors, regions, rows=None
                ) -> Resolution:
        if not cands:
            why = "; ".join(c.reasons[0] for c in excluded[:3]) or f"no alias '{q.key}' in the gazetteer"
            return Resolution(None, excluded, f"no place: {why}")
        trigger_fits = TRIGGER_KINDS.get(q.trigger or "", ())
        scored, neighbours = [], set()
        # the text weights, for all candidates at once; none when no candidate has a point to weigh
        weighted = self._anchor_weights(q, anchors) if anchors and any(
            c.place.kind in POINTY_KINDS and c.place.lat is not None for c in cands) else []
        for c in cands:
            bonus, reasons, neighbour = self._context(q, c.place, anchors, regions, weighted, rows)
            if neighbour:
                neighbours.add(c.place.id)
            scored.append(Candidate(c.place, round(c.score + bonus, 3), c.reasons + tuple(reasons)))
        scored.sort(key=lambda c: (-c.score, c.place.id))
        all_cands = scored + excluded
        top = scored[0]
        common = q.key in self.common_keys or any(ch.isdigit() for ch in q.key)
        if common and top.place.kind not in trigger_fits and top.place.id not in neighbours:
            return Resolution(None, all_cands, f"no place: '{q.key}' is a common word or a number; it needs a trigger "
                                               f"(حي/بلدة/قرية) or a listed neighbour to count as {top.place.id}")
        if len(scored) > 1 and top.score - scored[1].score < TIE and q.trigger in AREA_TRIGGERS:
            # "منطقة عفرين" where towns of that name tie: the district/sub-district of that name is meant
            unit = next((c for c in scored if c.place.kind in ("district", "sub-district") and c.place.in_aleppo_gov
                         and name_key(c.place.name_ar) == q.key), None)
            if unit is not None:
                return Resolution(unit.place, [unit] + [c for c in all_cands if c is not unit],
                                  f"{unit.place.id} {unit.place.name_ar} ({unit.place.kind}): 'منطقة' before a name "
                                  f"shared by tied towns ({top.place.id}, {scored[1].place.id}) and an Aleppo "
                                  f"{unit.place.kind}: the admin area")
        if len(scored) > 1 and top.score - scored[1].score < TIE:
            return Resolution(None, all_cands, f"no place: ambiguous between {top.place.id} {top.place.label_ar or top.place.name_ar} "
                                               f"and {scored[1].place.id} {scored[1].place.label_ar or scored[1].place.name_ar}; "
                                               "no trigger or nearby place decides")
        return Resolution(top.place, all_cands, self._why(top, scored[1:]))

    @staticmethod
    def _why(top: Candidate, others: list[Candidate]) -> str:
        """One line: the winner, its deciding reasons, and what it beat."""
        p = top.place
        deciding = [r for r in top.reasons if r.startswith(("trigger", "near", "lies in", "in Aleppo", "analyst"))]
        head = f"{p.id} {p.label_ar or p.name_ar} ({p.kind})"
        if not others:
            named = next(r for r in top.reasons if r.startswith(("its own name", "alias")))
            analyst = [r for r in top.reasons if r.startswith("analyst")]
            return f"{head}: the only match; {'; '.join([named] + analyst)}"
        beat = ", ".join(f"{o.place.id} {o.place.label_ar or o.place.name_ar} {o.score:.1f}" for o in others[:3])
        return f"{head} {top.score:.1f}: {'; '.join(deciding) or 'own name and kind'}; over {beat}"


@functools.lru_cache(maxsize=4)
def _load(directory: str) -> Gazetteer:
    return Gazetteer(Path(directory))


def load_gazetteer(path: str | Path | None = None) -> Gazetteer:
    """The gazetteer in ``path`` (default: the repo's data/gazetteer), cached per process."""
    return _load(str(Path(path).resolve() if path else DEFAULT_DIR))
