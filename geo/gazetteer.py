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
from pathlib import Path

from arabic import fold, name_key
from arabic.normalize import strip_article
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
    """Places, the alias index and the resolver. Build one with :func:`load_gazetteer`."""

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
        return [self._decide(q, cands, excluded, anchors, regions) for q, cands, excluded in prepared]

    def _prepare(self, q: MentionQuery) -> tuple[MentionQuery, list[Candidate], list[Candidate]]:
        """Exact alias hits for the query, statically scored, best first; plus the excluded ones."""
        key, trigger, note = self._usable_key(q)
        q = MentionQuery(q.surface, key, trigger, q.start, q.end)
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
        ranked = sorted(by_place.values(), key=lambda c: (-c.score, c.place.id))
        excluded = [c for c in excluded if c.place.id not in by_place]
        return q, ranked, list({c.place.id: c for c in excluded}.values())

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
        if place.in_aleppo_gov:
            return ""
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
        if source in OWN_NAME_SOURCES:
            score += OWN_NAME_BONUS
            reasons.append(f"its own name '{alias}' ({source}, +{OWN_NAME_BONUS:g})")
        else:
            reasons.append(f"alias '{alias}' ({source})")
        if note:
            reasons.append(note)
        return Candidate(place, round(score, 3), tuple(reasons))

    def _context(self, q: MentionQuery, place: Place, anchors, regions) -> tuple[float, list[str], bool]:
        """Context bonus, its reasons, and whether a listed neighbour is right beside the mention."""
        if place.kind not in POINTY_KINDS or place.lat is None:
            return 0.0, [], False
        total_w = total = 0.0
        best: tuple[float, str] | None = None
        neighbour = False
        for aq, ap in anchors:
            if ap.id == place.id or (aq.start is not None and aq.start == q.start):
                continue
            gap = abs(aq.start - q.start) if None not in (aq.start, q.start) else None
            w = math.exp(-gap / TEXT_SCALE) if gap is not None else 0.05
            km = haversine_km(place.lat, place.lon, ap.lat, ap.lon)
            prox = math.exp(-km / DIST_SCALE_KM)
            total_w += w
            total += w * prox
            if best is None or w * prox > best[0]:
                best = (w * prox, f"{km:.1f} km from {ap.name_ar} ({ap.id})"
                                  + (f", {gap} chars away in the text" if gap is not None else ""))
            neighbour |= gap is not None and gap <= NEIGHBOUR_CHARS and km <= NEIGHBOUR_KM
        score, reasons = 0.0, []
        if total_w:
            score = CONTEXT_WEIGHT * total / total_w
            reasons.append(f"near the report's other places (+{score:.2f}): {best[1]}")
        for rq, region in regions:
            if None in (rq.start, q.start, q.end):
                continue
            if -REGION_WINDOW[0] <= rq.start - q.end <= REGION_WINDOW[1] and self.contains(region, place):
                score += REGION_BONUS
                reasons.append(f"lies in {region.name_ar} named beside it (+{REGION_BONUS:g})")
                break
        return score, reasons, neighbour

    def _decide(self, q, cands: list[Candidate], excluded: list[Candidate], anchors, regions) -> Resolution:
        if not cands:
            why = "; ".join(c.reasons[0] for c in excluded[:3]) or f"no alias '{q.key}' in the gazetteer"
            return Resolution(None, excluded, f"no place: {why}")
        trigger_fits = TRIGGER_KINDS.get(q.trigger or "", ())
        scored, neighbours = [], set()
        for c in cands:
            bonus, reasons, neighbour = self._context(q, c.place, anchors, regions)
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
        if len(scored) > 1 and top.score - scored[1].score < TIE:
            return Resolution(None, all_cands, f"no place: ambiguous between {top.place.id} {top.place.label_ar or top.place.name_ar} "
                                               f"and {scored[1].place.id} {scored[1].place.label_ar or scored[1].place.name_ar}; "
                                               "no trigger or nearby place decides")
        return Resolution(top.place, all_cands, self._why(top, scored[1:]))

    @staticmethod
    def _why(top: Candidate, others: list[Candidate]) -> str:
        """One line: the winner, its deciding reasons, and what it beat."""
        p = top.place
        deciding = [r for r in top.reasons if r.startswith(("trigger", "near", "lies in", "in Aleppo"))]
        head = f"{p.id} {p.label_ar or p.name_ar} ({p.kind})"
        if not others:
            named = next(r for r in top.reasons if r.startswith(("its own name", "alias")))
            return f"{head}: the only match; {named}"
        beat = ", ".join(f"{o.place.id} {o.place.label_ar or o.place.name_ar} {o.score:.1f}" for o in others[:3])
        return f"{head} {top.score:.1f}: {'; '.join(deciding) or 'own name and kind'}; over {beat}"


@functools.lru_cache(maxsize=4)
def _load(directory: str) -> Gazetteer:
    return Gazetteer(Path(directory))


def load_gazetteer(path: str | Path | None = None) -> Gazetteer:
    """The gazetteer in ``path`` (default: the repo's data/gazetteer), cached per process."""
    return _load(str(Path(path).resolve() if path else DEFAULT_DIR))
