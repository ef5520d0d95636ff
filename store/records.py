"""Writing reports and their extraction, and materializing corrections.

Event rows hold *effective* values: the extractor's values (kept verbatim as JSON
in ``events.extracted``) with the analyst's active corrections laid on top. They
are recomputed whenever either side changes (a new extraction, a new or reverted
correction), so reads are plain indexed SQL and the corrections table stays the
single source of truth for the analyst's work.

Stable keys (survive re-extraction; corrections point at them):
- event:   ``{hash16}:{evidence_start}-{evidence_end}:{extracted place id or folded name}``
           (``#2``, ``#3``... when one extraction yields several such events)
- mention: ``{hash16}:{kind}:{start}-{end}``
where ``hash16`` is the first 16 hex digits of the report's content hash.
When a new extractor moves the evidence span, a correction falls back to the
event of the same report whose span overlaps its anchor most (same place first);
a correction with no match is kept, marked ``applied = false`` (an orphan) and
listed by ``stats``, never deleted.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections import defaultdict
from operator import itemgetter
from typing import Any, Iterable

from sqlalchemy import and_, bindparam, delete, func, insert, literal, select, update
from sqlalchemy.engine import Connection

from store import schema as S

EVENT_FIELDS = ("place", "date", "killed", "injured", "actors", "event_type", "sub_event_type",
                "weapons", "is_false")
MENTION_FIELDS = ("place", "dismissed")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


_FOLD = None


def _fold(text: str) -> str:
    global _FOLD
    if _FOLD is None:
        try:
            from arabic import fold
        except Exception:  # arabic/ unavailable: plain lower-casing still searches
            return text.lower()
        _FOLD = fold
    return _FOLD(text).lower()


_FOLDED: dict[str, str] = {}


def _fold_parts(parts) -> str:
    """``_fold(" ".join(p for p in parts if p))``, folding each part once (evidence sentences,
    place and actor names repeat from event to event). Equal: folding maps character by
    character, and lower-casing has no context across a space."""
    out = []
    for p in parts:
        if p:
            f = _FOLDED.get(p)
            if f is None:
                if len(_FOLDED) > 50_000:
                    _FOLDED.clear()
                f = _FOLDED[p] = _fold(p)
            out.append(f)
    return " ".join(out)


def parse_date(value: Any) -> dt.date | None:
    """A date from the extractor or a correction: date, 'YYYY-MM-DD[...]', 'YYYY-MM', 'YYYY'."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = str(value).strip()
    try:
        if len(s) >= 10:
            return dt.date.fromisoformat(s[:10])
        if len(s) == 7:
            return dt.date(int(s[:4]), int(s[5:7]), 1)
        if len(s) == 4 and s.isdigit():
            return dt.date(int(s), 1, 1)
    except ValueError:
        return None
    return None


_INF = (math.inf, -math.inf)


def _float(v: Any) -> float | None:
    """A finite number, or None (booleans, text, NaN and infinities are not figures)."""
    t = type(v)
    if t is float:  # the common cases first, same answers as below
        return None if v != v or v in _INF else v
    if t is int:
        return float(v)
    if v is None or isinstance(v, bool):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def _int(v: Any) -> int | None:
    if type(v) is int and -(1 << 53) < v < (1 << 53):  # exact as a float: int(round(float(v))) == v
        return v
    f = _float(v)
    return None if f is None else int(round(f))


def figures(v: Any) -> tuple[int | None, int | None, int | None]:
    """(low, best, high) from {"low","best","high"}, a number, or None."""
    if v is None:
        return None, None, None
    if isinstance(v, dict):
        return _int(v.get("low")), _int(v.get("best")), _int(v.get("high"))
    n = _int(v)
    return n, n, n


def place_fields(place: Any) -> dict:
    """Normalized place dict (place_id, pcode, name_ar, name_en, kind, lat, lon, geo_precision)."""
    p = place if isinstance(place, dict) else {}
    resolved = p.get("resolved", True) is not False and p.get("place_id") is not None
    return {
        "place_id": p.get("place_id") if resolved else None,
        "pcode": p.get("pcode") if resolved else None,
        "name_ar": p.get("name_ar") or (p.get("text") if not resolved else None),
        "name_en": p.get("name_en"),
        "kind": p.get("place_kind") or (p.get("kind") if p.get("kind") not in (None, "place") else None),
        "lat": _float(p.get("lat")) if resolved else None,
        "lon": _float(p.get("lon")) if resolved else None,
        "geo_precision": _int(p.get("geo_precision")) if resolved else None,
    }


def _place_anchor(place: Any) -> str:
    p = place if isinstance(place, dict) else {}
    if p.get("place_id") and p.get("resolved", True) is not False:
        return str(p["place_id"])
    name = p.get("text") or p.get("name_ar") or ""
    return _fold(str(name)).replace(" ", "_")[:40] or "-"


def _evidence(ev: dict) -> tuple[int | None, int | None, str | None]:
    e = ev.get("evidence") if isinstance(ev.get("evidence"), dict) else {}
    return _int(e.get("start")), _int(e.get("end")), e.get("text")


# -- compact storage of the extractor's mentions and events ----------------------------
# A mention row's columns hold what the queries need (kind, span, text, place or actor);
# ``mentions.extra`` holds only the rest of the extractor's mention, so nothing is stored
# twice. ``decode_mention`` rebuilds the extractor's dict exactly: the covered keys come
# from the columns, ``extra`` overlays them, and ``"~absent"`` lists covered keys the
# extractor did not give. A covered value the column cannot hold verbatim (another type,
# a place name the column fills from the text, ...) stays in ``extra``. When an analyst
# corrects a mention's place, its place columns change: the whole extracted mention is
# then written to ``extra`` first ("pinned"), so decoding still gives the extractor's values.
_COMMON_KEYS = (("kind", "kind"), ("start", "start"), ("end", "end"), ("text", "text"))
_COVERED = {
    "place": _COMMON_KEYS + tuple((k, k) for k in ("resolved", "place_id", "pcode", "name_ar", "name_en",
                                                   "lat", "lon", "geo_precision")),
    "actor": _COMMON_KEYS + (("actor_id", "actor_id"), ("side", "side"), ("name_en", "name_en")),
}
ABSENT = "~absent"
_COVERED_KEYS = defaultdict(lambda: frozenset(k for k, _ in _COMMON_KEYS),
                            {kind: frozenset(k for k, _ in keys) for kind, keys in _COVERED.items()})


# one encoder for every row (json.dumps with options builds a new encoder at each call)
_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str, separators=(",", ":"))


def dumps(obj: Any) -> str:
    return _ENCODER.encode(obj)


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def mention_columns(m: dict) -> dict:
    """The column values of an extracted mention (as written at extraction time)."""
    kind = str(m.get("kind") or "")
    if kind == "place":  # place_fields(m), inlined (the write path's commonest row)
        g = m.get
        pid = g("place_id")
        if pid is not None and g("resolved", True) is not False:
            return {"kind": kind, "start": _int(g("start")) or 0, "end": _int(g("end")) or 0,
                    "text": g("text"), "resolved": True, "place_id": pid, "pcode": g("pcode"),
                    "name_ar": g("name_ar") or None, "name_en": g("name_en"), "lat": _float(g("lat")),
                    "lon": _float(g("lon")), "geo_precision": _int(g("geo_precision")), "actor_id": None,
                    "side": None}
        return {"kind": kind, "start": _int(g("start")) or 0, "end": _int(g("end")) or 0,
                "text": g("text"), "resolved": False, "place_id": None, "pcode": None,
                "name_ar": g("name_ar") or g("text"), "name_en": g("name_en"), "lat": None, "lon": None,
                "geo_precision": None, "actor_id": None, "side": None}
    actor = kind == "actor"
    return {"kind": kind, "start": _int(m.get("start")) or 0, "end": _int(m.get("end")) or 0,
            "text": m.get("text"), "resolved": None, "place_id": None, "pcode": None,
            "name_ar": m.get("name_ar"), "name_en": m.get("name_en"), "lat": None, "lon": None,
            "geo_precision": None, "actor_id": m.get("actor_id") if actor else None,
            "side": m.get("side") if actor else None}


def encode_mention(m: dict, cols: dict, pin: bool = False) -> str | None:
    """``mentions.extra`` for mention ``m`` whose columns are ``cols``; ``pin``: keep the
    whole mention (its place columns are about to hold an analyst's correction). A place
    mention's candidate list and reason line are stored compactly (``compact_candidates``)."""
    covered = _COVERED.get(cols["kind"], _COMMON_KEYS)
    absent = [k for k, _ in covered if k not in m]
    if pin:
        extra = dict(m)
    else:
        keys = _COVERED_KEYS[cols["kind"]]
        extra = {k: v for k, v in m.items() if k not in keys or not _same(v, cols[k])}
    if absent:
        extra[ABSENT] = absent
    if "candidates" in extra:
        extra = compact_candidates(extra, m)
    return dumps(extra) if extra else None


def decode_mention(row: Any) -> dict:
    """The extractor's mention, exactly, from a mentions row (a Row or a mapping with the
    covered columns and ``extra``)."""
    r = row._mapping if hasattr(row, "_mapping") else row
    kind = r["kind"]
    m = {k: r[c] for k, c in _COVERED.get(kind, _COMMON_KEYS)}
    extra = r["extra"]
    if extra:
        x = json.loads(extra)
        for k in x.pop(ABSENT, ()):
            m.pop(k, None)
        cz = x.pop(_CZ, None)
        rz = x.pop(_RZ, None)
        m.update(x)
        if cz is not None:
            _expand_candidates(m, cz, rz)
    return m


# -- compact candidate lists (m008) ---------------------------------------------------------------
# A place mention's ``candidates`` ([{place_id, name_ar, name_en, kind, score, distance_km, why,
# chosen}, ...]) and its ``reason`` line were ~70 % of ``mentions.extra``. Stored instead as
# ``"~cz"``: one array per candidate, ``[place_id, name_ar, name_en, kind, score, distance_km, why,
# chosen]``, or ``[score, distance_km, why, chosen]`` when its place id, names and kind are the
# mention's own (the chosen place); and ``"~rz"``: the reason. Both texts go through ``_squeeze``:
# the fixed phrases below become one private-use character each (U+E000 + position), and in the
# reason every clause (``"; "``-separated) of the candidates' ``why`` texts, which the reason
# repeats, becomes U+E100 + its position in the candidates' clauses (in order, first occurrence).
# Lossless, checked at encoding: a mention whose texts hold a private-use character of that range,
# or whose candidates do not decode back to the same values, keeps its plain JSON. The phrases
# are part of the stored format: never change or reorder one, only append.
_CZ, _RZ = "~cz", "~rz"
_CAND_KEYS = ("place_id", "name_ar", "name_en", "kind", "score", "distance_km", "why", "chosen")
_CAND_KEYSET = frozenset(_CAND_KEYS)
_PHRASES = (
    "near the report's other places (+", " chars away in the text", " km from ", "in Aleppo governorate (+2)",
    "its own name '", ", +0.5)", "neighbourhood (+", "community (+", "sub-district (+", "district (+",
    "governorate (+", "landmark (+", "area (+", "region (+", "lies in ", " named beside it (+", "trigger '",
    "' asks for a ", "' asks for ", "alias '", "excluded: outside Aleppo governorate and '",
    "' is a common word", "' is only a derived alias (", "' has digits", "' is a short single word",
    ": the only match", "over ", "no place: ", "ambiguous between ", "no trigger or nearby place decides",
    " (neighbourhood) ", " (community) ", "(ocha", "(manual)", "analyst", "' is a common word or a number; it needs a trigger ",
)
_PHRASE_CODE = {p: chr(0xE000 + i) for i, p in enumerate(_PHRASES)}
_PHRASE_RX = re.compile("|".join(re.escape(p) for p in sorted(_PHRASES, key=len, reverse=True)))
_CODE_RX = re.compile("[\ue000-\ue1ff]")
_PUA_RX = _CODE_RX


_SQUEEZED: dict[str, str] = {}   # clause -> its squeezed form (clauses repeat from mention to mention)


def _squeeze_clause(clause: str) -> str:
    out = _SQUEEZED.get(clause)
    if out is None:
        if len(_SQUEEZED) > 100_000:
            _SQUEEZED.clear()
        out = _SQUEEZED[clause] = _PHRASE_RX.sub(_phrase_code, clause)
    return out


def _phrase_code(mo) -> str:
    return _PHRASE_CODE[mo.group()]


def _squeeze(text: str, clauses: dict[str, str] | None = None) -> str:
    """``text`` with the fixed phrases (and ``clauses``: whole ``"; "``-separated parts) replaced by
    their private-use characters. Clause by clause: any such substitution decodes back exactly
    (``_unsqueeze``), since the text holds no character of that range (checked by the caller)."""
    if clauses:
        return "; ".join(clauses.get(p) or _squeeze_clause(p) for p in text.split("; "))
    return "; ".join(map(_squeeze_clause, text.split("; ")))


def _unsqueeze(text: str, clauses: list[str] | None = None) -> str:
    def one(mo):
        n = ord(mo.group()) - 0xE000
        return _PHRASES[n] if n < 0x100 else clauses[n - 0x100]
    return _CODE_RX.sub(one, text)


def _clause_list(whys: list) -> list[str]:
    """The distinct ``"; "``-separated clauses of the candidates' why texts, in order."""
    seen: dict[str, None] = {}
    for w in whys:
        if isinstance(w, str):
            for c in w.split("; "):
                if len(c) > 2:
                    seen.setdefault(c, None)
    return list(seen)[:0x100]


def compact_candidates(extra: dict, m: dict) -> dict:
    """``extra`` (the stored part of place mention ``m``) with ``candidates`` (and ``reason``)
    in the compact form; ``extra`` unchanged when that cannot be done losslessly."""
    cands = extra.get("candidates")
    if type(cands) is not list or _CZ in m or _RZ in m or _CZ in extra or _RZ in extra:
        return extra
    own = (m.get("place_id"), m.get("name_ar"), m.get("name_en"), m.get("place_kind"))
    out, whys = [], []
    for c in cands:
        if type(c) is not dict:
            return extra  # a list in the list would read as a compact candidate
        why = c.get("why")
        if c.keys() != _CAND_KEYSET or type(why) is not str or _PUA_RX.search(why):
            out.append(c)  # kept as it is (an object in the list)
            continue
        whys.append(why)
        why = _squeeze(why)
        pid, nar, nen, kind = c["place_id"], c["name_ar"], c["name_en"], c["kind"]
        if (pid == own[0] and nar == own[1] and nen == own[2] and kind == own[3] and type(pid) is type(own[0])
                and type(nar) is type(own[1]) and type(nen) is type(own[2]) and type(kind) is type(own[3])):
            out.append([c["score"], c["distance_km"], why, c["chosen"]])
        else:
            out.append([pid, nar, nen, kind, c["score"], c["distance_km"], why, c["chosen"]])
    new = dict(extra)
    del new["candidates"]
    new[_CZ] = out
    reason = extra.get("reason")
    if type(reason) is str and not _PUA_RX.search(reason):
        clauses = _clause_list(whys)
        del new["reason"]
        new[_RZ] = _squeeze(reason, {c: chr(0xE100 + i) for i, c in enumerate(clauses)})
    return new


def _expand_candidates(m: dict, cz: list, rz: str | None) -> None:
    """Put ``candidates`` (and ``reason``) back into mention ``m`` from their compact form."""
    cands, whys = [], []
    for c in cz:
        if isinstance(c, dict):
            cands.append(c)
            continue
        if len(c) == 4:
            c = [m.get("place_id"), m.get("name_ar"), m.get("name_en"), m.get("place_kind"), *c]
        else:
            c = list(c)  # not in place: the caller's compact list stays as it is
        why = c[6] = _unsqueeze(c[6])
        whys.append(why)
        cands.append(dict(zip(_CAND_KEYS, c)))
    m["candidates"] = cands
    if rz is not None:
        m["reason"] = _unsqueeze(rz, _clause_list(whys))


def encode_event(ev: dict, ext_id: str | None, confidence: float | None, evidence_text: str | None) -> str:
    """``events.extracted``: the extractor's event without the values held verbatim by the
    ``ext_id``, ``confidence`` and ``evidence_text`` columns (never changed by corrections)."""
    out = dict(ev)
    absent = []
    if "id" not in ev:
        absent.append("id")
    elif _same(ev["id"], ext_id):
        del out["id"]
    if "confidence" not in ev:
        absent.append("confidence")
    elif _same(ev["confidence"], confidence):
        del out["confidence"]
    e = ev.get("evidence")
    if isinstance(e, dict):
        if "text" not in e:
            absent.append("evidence.text")
        elif _same(e["text"], evidence_text):
            out["evidence"] = {k: v for k, v in e.items() if k != "text"}
    if absent:
        out[ABSENT] = absent
    return dumps(out)


def decode_event(extracted: str, ext_id: str | None, confidence: float | None,
                 evidence_text: str | None) -> dict:
    """The extractor's event, exactly, from ``events.extracted`` and its columns (also
    reads the whole JSON written before m004)."""
    ev = json.loads(extracted)
    absent = ev.pop(ABSENT, ())
    if "id" not in ev and "id" not in absent:
        ev["id"] = ext_id
    if "confidence" not in ev and "confidence" not in absent:
        ev["confidence"] = confidence
    e = ev.get("evidence")
    if isinstance(e, dict) and "text" not in e and "evidence.text" not in absent:
        ev["evidence"] = {**e, "text": evidence_text}
    return ev


# -- raw bytes -------------------------------------------------------------------------------
def raw_for_storage(raw: bytes, text: str, encoding: str | None) -> tuple[bytes, bool]:
    """(``reports.raw``, ``reports.raw_is_text``): an empty ``raw`` when ``text`` encoded in
    ``encoding`` gives back exactly the bytes received (checked here, byte for byte)."""
    try:
        if encoding and raw and text.encode(encoding) == raw:
            return b"", True
    except (LookupError, UnicodeError):
        pass
    return raw, False


def raw_bytes(raw: bytes | None, text: str, encoding: str | None, raw_is_text: bool | None) -> bytes:
    """The report's bytes exactly as received."""
    return text.encode(encoding) if raw_is_text else bytes(raw or b"")


# -- bulk writes ----------------------------------------------------------------------------
_PREPARED: dict = {}


def bulk_insert(conn: Connection, table, rows: list[dict]) -> None:
    """Insert ``rows`` (dicts with the same keys) in one executemany. On SQLite the INSERT
    is compiled once per table and column set and run through the driver (its statement
    cache keeps it prepared); each row becomes a tuple by one ``itemgetter`` call, and only
    the columns whose type needs a bind processor (dates, bytes) go through it (booleans
    bind as integers by themselves): no per-row SQLAlchemy work. Other databases take
    SQLAlchemy's executemany."""
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        conn.execute(insert(table), rows)
        return
    keys = tuple(rows[0])
    cache_key = (id(conn.dialect), table.name, keys)
    prep = _PREPARED.get(cache_key)
    if prep is None:
        from sqlalchemy import Boolean
        compiled = insert(table).compile(dialect=conn.dialect, column_keys=list(keys))
        order = list(compiled.positiontup)
        procs = [(i, table.c[k].type.bind_processor(conn.dialect)) for i, k in enumerate(order)
                 if not isinstance(table.c[k].type, Boolean)]
        procs = [(i, p) for i, p in procs if p is not None]
        getter = itemgetter(*order) if len(order) > 1 else (lambda r, _k=order[0]: (r[_k],))
        prep = _PREPARED[cache_key] = (str(compiled), getter, procs)
    sql, getter, procs = prep
    if procs:
        params = []
        for r in rows:
            t = list(getter(r))
            for i, p in procs:
                v = t[i]
                if v is not None:
                    t[i] = p(v)
            params.append(t)
    else:
        params = [getter(r) for r in rows]
    _driver(conn, "executemany", sql, params)


def _driver(conn: Connection, method: str, sql: str, params=()):
    """Run ``sql`` on the SQLite driver's connection itself (inside ``conn``'s transaction):
    the statements of the per-report write path, kept prepared by the driver's statement
    cache, without SQLAlchemy's per-statement work (~50 us each). Driver errors come out as
    SQLAlchemy's exceptions (IntegrityError...), as through ``conn.execute``."""
    import sqlite3
    from sqlalchemy.exc import DBAPIError
    try:
        return getattr(conn.connection.driver_connection, method)(sql, params)
    except sqlite3.Error as exc:
        raise DBAPIError.instance(sql, params, exc, sqlite3.Error) from exc


# -- gazetteer kind lookup (optional) ------------------------------------------------
_GAZ = None
_GAZ_FAILED = False


def gazetteer_place(place_id: str | None):
    """The gazetteer's Place for an id, or None (no gazetteer, unknown id)."""
    global _GAZ, _GAZ_FAILED
    if not place_id or _GAZ_FAILED:
        return None
    if _GAZ is None:
        try:
            from geo import load_gazetteer
            _GAZ = load_gazetteer()
        except Exception:
            _GAZ_FAILED = True
            return None
    try:
        return _GAZ.place(place_id)
    except Exception:
        return None


# -- keys ------------------------------------------------------------------------------
def event_keys(hash16: str, events: list[dict]) -> list[str]:
    seen: dict[str, int] = defaultdict(int)
    keys = []
    for ev in events:
        s, e, _ = _evidence(ev)
        base = f"{hash16}:{'' if s is None else s}-{'' if e is None else e}:{_place_anchor(ev.get('place'))}"
        seen[base] += 1
        keys.append(base if seen[base] == 1 else f"{base}#{seen[base]}")
    return keys


def mention_keys(hash16: str, mentions: list[dict]) -> list[str]:
    seen: dict[str, int] = defaultdict(int)
    keys = []
    for m in mentions:
        base = f"{hash16}:{m.get('kind')}:{_int(m.get('start'))}-{_int(m.get('end'))}"
        seen[base] += 1
        keys.append(base if seen[base] == 1 else f"{base}#{seen[base]}")
    return keys


# -- effective values ------------------------------------------------------------------
def effective_event(ev: dict, corrections: list[dict], actors: dict[str, dict],
                    mention_places: dict[tuple[int, int], dict] | None = None) -> tuple[dict, list[dict]]:
    """(column values, actor rows) of one event: extracted ``ev`` + ``corrections``
    (oldest first; the latest per field wins)."""
    place = place_fields(ev.get("place"))
    pl = ev.get("place") if isinstance(ev.get("place"), dict) else {}
    corrected_fields: set[str] = set()
    if mention_places and place["place_id"] is None:
        span = (_int(pl.get("start")), _int(pl.get("end")))
        if span in mention_places:
            place = dict(mention_places[span])
            corrected_fields.add("place")
    if place["place_id"] and (place["kind"] is None or place["lat"] is None):
        gp = gazetteer_place(place["place_id"])
        if gp is not None:
            place["kind"] = place["kind"] or getattr(gp, "kind", None)
            if place["lat"] is None:
                place["lat"], place["lon"] = _float(getattr(gp, "lat", None)), _float(getattr(gp, "lon", None))
    date = parse_date(ev.get("date"))
    date_precision = ev.get("date_precision")
    k = figures(ev.get("killed"))
    i = figures(ev.get("injured"))
    actor_list = [{"actor_id": str(a), **{kk: vv for kk, vv in actors.get(str(a), {}).items() if kk != "actor_id"}}
                  for a in (ev.get("actors") or []) if a is not None]
    event_type, sub_event_type = ev.get("event_type"), ev.get("sub_event_type")
    weapons = [str(w) for w in (ev.get("weapons") or [])]
    is_false = False

    for c in corrections:
        field, new = c["field"], c["new_value"]
        corrected_fields.add(field)
        if field == "place":
            place = place_fields(new) if new else place_fields(None)
        elif field == "date":
            if isinstance(new, dict):
                date, date_precision = parse_date(new.get("date")), new.get("precision", date_precision)
            else:
                date = parse_date(new)
        elif field == "killed":
            k = figures(new)
        elif field == "injured":
            i = figures(new)
        elif field == "actors":
            actor_list = []
            for a in new or []:
                a = a if isinstance(a, dict) else {"actor_id": str(a), **actors.get(str(a), {})}
                actor_list.append({"actor_id": str(a.get("actor_id")), "name_en": a.get("name_en"),
                                   "side": a.get("side")})
        elif field == "event_type":
            event_type = new
        elif field == "sub_event_type":
            sub_event_type = new
        elif field == "weapons":
            weapons = [str(w) for w in (new or [])]
        elif field == "is_false":
            is_false = bool(new)

    # de-duplicate actors, keep order
    seen_a, actor_rows = set(), []
    for a in actor_list:
        if a["actor_id"] in seen_a:
            continue
        seen_a.add(a["actor_id"])
        actor_rows.append({"actor_id": a["actor_id"], "side": a.get("side"), "name_en": a.get("name_en"),
                           "position": len(actor_rows)})
    s, e, ev_text = _evidence(ev)
    actors_en = "; ".join(a.get("name_en") or a["actor_id"] for a in actor_rows)
    search_folded = _fold_parts((ev_text, place["name_ar"], place["name_en"], actors_en, event_type, sub_event_type))
    values = {
        "ext_id": None if ev.get("id") is None else str(ev.get("id")),
        "date": date, "date_precision": date_precision,
        "event_type": event_type, "sub_event_type": sub_event_type,
        "actor_ids": ";".join(a["actor_id"] for a in actor_rows),
        "sides": ";".join(a.get("side") or "" for a in actor_rows),
        "actors_en": actors_en,
        "side1": actor_rows[0].get("side") if actor_rows else None,
        "place_id": place["place_id"], "pcode": place["pcode"],
        "place_name_ar": place["name_ar"], "place_name_en": place["name_en"],
        "place_kind": place["kind"], "lat": place["lat"], "lon": place["lon"],
        "geo_precision": place["geo_precision"],
        "killed_low": k[0], "killed_best": k[1], "killed_high": k[2],
        "injured_low": i[0], "injured_best": i[1], "injured_high": i[2],
        "weapons": ";".join(weapons),
        "evidence_start": s, "evidence_end": e, "evidence_text": ev_text,
        "search_folded": search_folded,
        "confidence": _float(ev.get("confidence")),
        "corrected": bool(corrected_fields),
        "is_false": is_false,
    }
    return values, actor_rows


def current_field_value(values: dict, actor_rows: list[dict], field: str) -> Any:
    """The effective value of ``field`` (for a correction's old_value)."""
    if field == "place":
        return {"place_id": values["place_id"], "pcode": values["pcode"], "name_ar": values["place_name_ar"],
                "name_en": values["place_name_en"], "kind": values["place_kind"], "lat": values["lat"],
                "lon": values["lon"], "geo_precision": values["geo_precision"]}
    if field == "date":
        return {"date": values["date"].isoformat() if values["date"] else None,
                "precision": values["date_precision"]}
    if field in ("killed", "injured"):
        return {"low": values[f"{field}_low"], "best": values[f"{field}_best"], "high": values[f"{field}_high"]}
    if field == "actors":
        return [{"actor_id": a["actor_id"], "name_en": a.get("name_en"), "side": a.get("side")} for a in actor_rows]
    if field == "weapons":
        return [w for w in (values["weapons"] or "").split(";") if w]
    if field == "is_false":
        return bool(values["is_false"])
    return values.get(field)


# -- writing -----------------------------------------------------------------------------
def _actor_infos(mentions: Iterable[dict]) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for m in mentions:
        if m.get("kind") == "actor" and m.get("actor_id"):
            found.setdefault(str(m["actor_id"]), {"name_en": m.get("name_en"), "side": m.get("side"),
                                                  "name_ar": m.get("name_ar"), "actor_type": m.get("actor_type"),
                                                  "inter_code": _int(m.get("inter_code"))})
    return found


_ACTOR_COLS = ("actor_id", "name_en", "side", "actor_type", "inter_code")


def _select_actors(conn: Connection, ids: list[str]) -> dict[str, tuple]:
    """actor id -> (actor_id, name_en, side, actor_type, inter_code) of the known ones."""
    if conn.dialect.name == "sqlite":
        sql = f"SELECT {', '.join(_ACTOR_COLS)} FROM actors WHERE actor_id IN ({', '.join('?' * len(ids))})"
        return {r[0]: tuple(r) for r in _driver(conn, "execute", sql, ids).fetchall()}
    A = S.actors
    return {r[0]: tuple(r) for r in conn.execute(
        select(*(A.c[c] for c in _ACTOR_COLS)).where(A.c.actor_id.in_(ids)))}


def upsert_actors(conn: Connection, mentions: Iterable[dict], also: Iterable[str] = ()) -> tuple[dict, dict]:
    """Add or update the actors the mentions name. Returns (the mentions' actor infos,
    ``{actor_id: {"name_en", "side"}}`` as stored afterwards for those actors and the
    known ones among ``also``): one SELECT for both."""
    found = _actor_infos(mentions)
    ids = list(found.keys() | {str(a) for a in also if a})
    if not ids:
        return found, {}
    existing = _select_actors(conn, ids)
    stored = {aid: {"name_en": r[1], "side": r[2]} for aid, r in existing.items()}
    for aid, info in found.items():
        row = existing.get(aid)
        if row is None:
            conn.execute(insert(S.actors).values(actor_id=aid, **info))
            stored[aid] = {"name_en": info["name_en"], "side": info["side"]}
        elif (row[1], row[2], row[3], row[4]) != (info["name_en"], info["side"], info["actor_type"],
                                                  info["inter_code"]):
            values = dict(name_en=info["name_en"] or row[1], side=info["side"] or row[2],
                          actor_type=info["actor_type"] or row[3],
                          inter_code=row[4] if info["inter_code"] is None else info["inter_code"])
            conn.execute(update(S.actors).where(S.actors.c.actor_id == aid).values(**values))
            stored[aid] = {"name_en": values["name_en"], "side": values["side"]}
    return found, stored


def load_actors(conn: Connection, ids: Iterable[str]) -> dict[str, dict]:
    ids = list({str(i) for i in ids if i})
    if not ids:
        return {}
    return {r.actor_id: {"name_en": r.name_en, "side": r.side}
            for r in conn.execute(select(S.actors).where(S.actors.c.actor_id.in_(ids)))}


# -- the text filter's index (m006, store.schema.EVENTS_FTS) --------------------------------------
def has_text_index(conn: Connection) -> bool:
    """True when the database has m006's ``events_fts`` (SQLite with FTS5 trigram)."""
    if conn.dialect.name != "sqlite":
        return False
    info = conn.connection.info  # per DBAPI connection; only a positive answer is kept
    if info.get("afm_text_index"):
        return True
    found = conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                 (S.EVENTS_FTS,)).first() is not None
    if found:
        info["afm_text_index"] = True
    return found


def _text_rows(where, *first):
    q = select(*first, S.events.c.id, func.lower(S.events.c.search_folded))
    return q.where(where) if where is not None else q


def index_events_text(conn: Connection, where=None) -> None:
    """Add the events matching ``where`` (all if None) to the text index, in one statement.
    Call after inserting event rows (they must not be indexed yet)."""
    if has_text_index(conn):
        F = S.events_fts
        conn.execute(insert(F).from_select([F.c.rowid, F.c.t], _text_rows(where)))


def unindex_events_text(conn: Connection, where=None) -> None:
    """Remove the events matching ``where`` (all if None) from the text index, in one statement.
    Call before deleting event rows (the index forgets a row only given its indexed text)."""
    if has_text_index(conn):
        F = S.events_fts
        conn.execute(insert(F).from_select([F.c[S.EVENTS_FTS], F.c.rowid, F.c.t],
                                           _text_rows(where, literal("delete"))))


_INDEX_TEXT_SQL = f"INSERT INTO {S.EVENTS_FTS}(rowid, t) VALUES (?, lower(?))"
_HAS_CORRECTIONS = select(S.corrections.c.id).where(S.corrections.c.report_id == bindparam("rid")).limit(1)


def write_extraction(conn: Connection, report_id: int, content_hash: str, result: dict, version: str,
                     new: bool = False) -> None:
    """Replace the report's mentions and events with ``result`` and apply its corrections.
    Call inside a write transaction. ``new``: the report was inserted in this transaction
    (nothing to delete, no corrections to apply)."""
    if new:
        write_new_extractions(conn, [(report_id, content_hash, result, version)])
        return
    conn.execute(delete(S.event_actors).where(S.event_actors.c.event_id.in_(
        select(S.events.c.id).where(S.events.c.report_id == report_id))))
    unindex_events_text(conn, S.events.c.report_id == report_id)
    conn.execute(delete(S.events).where(S.events.c.report_id == report_id))
    conn.execute(delete(S.mentions).where(S.mentions.c.report_id == report_id))
    write_new_extractions(conn, [(report_id, content_hash, result, version)])
    if conn.execute(_HAS_CORRECTIONS, {"rid": report_id}).first() is not None:
        rematerialize_report(conn, report_id)


def _simulate_actor_upserts(conn: Connection, per_report: list[tuple[dict, set]]) -> tuple[list[dict], list, list]:
    """The actor upserts of several reports, as ``upsert_actors`` would do them one report after
    the other, with one SELECT: ``per_report`` is each report's (mention actor infos, other actor
    ids). Returns (each report's stored ``{actor_id: {"name_en", "side"}}`` as its own upsert left
    them, actor rows to insert, rows to update), the final state of every actor touched."""
    ids = set()
    for found, also in per_report:
        ids |= found.keys() | also
    if not ids:
        return [{} for _ in per_report], [], []
    state = _select_actors(conn, sorted(ids))   # aid -> (actor_id, name_en, side, actor_type, inter_code)
    inserted: dict[str, str | None] = {}        # new actor id -> its name_ar (set when first inserted)
    updated: set[str] = set()
    out = []
    for found, also in per_report:
        stored = {aid: {"name_en": state[aid][1], "side": state[aid][2]}
                  for aid in found.keys() | also if aid in state}
        for aid, info in found.items():
            row = state.get(aid)
            if row is None:
                state[aid] = (aid, info["name_en"], info["side"], info["actor_type"], info["inter_code"])
                inserted[aid] = info["name_ar"]
                stored[aid] = {"name_en": info["name_en"], "side": info["side"]}
            elif (row[1], row[2], row[3], row[4]) != (info["name_en"], info["side"], info["actor_type"],
                                                      info["inter_code"]):
                state[aid] = (aid, info["name_en"] or row[1], info["side"] or row[2], info["actor_type"] or row[3],
                              row[4] if info["inter_code"] is None else info["inter_code"])
                if aid not in inserted:
                    updated.add(aid)
                stored[aid] = {"name_en": state[aid][1], "side": state[aid][2]}
        out.append(stored)
    ins = [dict(zip(_ACTOR_COLS, state[aid]), name_ar=name_ar) for aid, name_ar in inserted.items()]
    upd = [state[aid] for aid in sorted(updated)]
    return out, ins, upd


_UPDATE_ACTOR_SQL = "UPDATE actors SET name_en = ?, side = ?, actor_type = ?, inter_code = ? WHERE actor_id = ?"
_MAX_EVENT_ID_SQL = "SELECT max(id) FROM events"


def write_new_extractions(conn: Connection, batch: list[tuple[int, str, dict, str]]) -> None:
    """Write the extractions of reports that have none yet (inserted in this transaction, or whose
    rows were just deleted): ``batch`` is a list of (report id, content hash, extractor result,
    extractor version). The same rows as writing them one report after the other, in one
    statement per table for the whole batch: the actors (upserts in report order, one SELECT),
    the mentions, the events (on SQLite with their ids given: we hold the write lock, so they are
    the ids SQLite would give one after the other), the event actors, and the text index.
    Corrections are not applied here (see ``write_extraction``)."""
    sqlite = conn.dialect.name == "sqlite"
    parsed = []
    for report_id, content_hash, result, version in batch:
        mentions = [m for m in (result.get("mentions") or []) if isinstance(m, dict)]
        events = [e for e in (result.get("events") or []) if isinstance(e, dict)]
        also = {str(a) for e in events for a in (e.get("actors") or []) if a is not None}
        parsed.append((report_id, content_hash[:16], mentions, events, version, _actor_infos(mentions), also))
    stored_list, new_actors, changed = _simulate_actor_upserts(conn, [(p[5], p[6]) for p in parsed])
    if new_actors:
        bulk_insert(conn, S.actors, new_actors)
    for row in changed:
        if sqlite:
            _driver(conn, "execute", _UPDATE_ACTOR_SQL, (row[1], row[2], row[3], row[4], row[0]))
        else:
            conn.execute(update(S.actors).where(S.actors.c.actor_id == row[0]).values(
                name_en=row[1], side=row[2], actor_type=row[3], inter_code=row[4]))
    m_rows, e_rows, actor_lists = [], [], []
    for (report_id, hash16, mentions, events, version, mention_info, _), actors in zip(parsed, stored_list):
        for m, key in zip(mentions, mention_keys(hash16, mentions)):
            row = mention_columns(m)
            row["extra"] = encode_mention(m, row)
            row["report_id"] = report_id
            row["mention_key"] = key
            row["dismissed"] = row["corrected"] = False
            m_rows.append(row)
        if not events:
            continue
        for aid, info in mention_info.items():
            actors.setdefault(aid, {"name_en": info["name_en"], "side": info["side"]})
        for ev, key in zip(events, event_keys(hash16, events)):
            values, actor_rows = effective_event(ev, [], actors)
            values["report_id"] = report_id
            values["event_key"] = key
            values["extractor_version"] = version
            values["extracted"] = encode_event(ev, values["ext_id"], values["confidence"], values["evidence_text"])
            e_rows.append(values)
            actor_lists.append(actor_rows)
    bulk_insert(conn, S.mentions, m_rows)
    if not e_rows:
        return
    if sqlite:
        first = (_driver(conn, "execute", _MAX_EVENT_ID_SQL).fetchone()[0] or 0) + 1
        ids = range(first, first + len(e_rows))
        for eid, row in zip(ids, e_rows):
            row["id"] = eid
        bulk_insert(conn, S.events, e_rows)
    else:
        ids = [r[0] for r in conn.execute(
            insert(S.events).returning(S.events.c.id, sort_by_parameter_order=True), e_rows)]
    bulk_insert(conn, S.event_actors, [
        {"event_id": eid, "actor_id": a["actor_id"], "side": a.get("side"), "position": a["position"]}
        for eid, actor_rows in zip(ids, actor_lists) for a in actor_rows])
    if sqlite and has_text_index(conn):
        # the same rows as index_events_text(conn, events.id IN ids), from the values just written
        _driver(conn, "executemany", _INDEX_TEXT_SQL, [(i, r["search_folded"]) for i, r in zip(ids, e_rows)])
    elif not sqlite:
        index_events_text(conn, S.events.c.id.in_(list(ids)))


def _load_corrections(conn: Connection, report_id: int) -> list[dict]:
    out = []
    for r in conn.execute(select(S.corrections).where(and_(
            S.corrections.c.report_id == report_id, S.corrections.c.active.is_(True)))
            .order_by(S.corrections.c.id)):
        d = dict(r._mapping)
        d["new_value"] = json.loads(d["new_value"]) if d["new_value"] is not None else None
        out.append(d)
    return out


def _match_corrections(event_rows: list[dict], corrections: list[dict]) -> tuple[dict[int, list[dict]], dict[int, str], list[int]]:
    """Map event corrections to event ids: exact key, else best anchor overlap.
    Returns (event id -> corrections, correction id -> new key, orphan ids)."""
    by_key = {r["event_key"]: r for r in event_rows}
    out: dict[int, list[dict]] = defaultdict(list)
    rekey: dict[int, str] = {}
    orphans: list[int] = []
    for c in corrections:
        row = by_key.get(c["target_key"])
        if row is None and c["anchor_start"] is not None:
            best, best_score = None, 0.0
            for r in event_rows:
                s, e = r["ext_start"], r["ext_end"]
                if s is None or e is None:
                    continue
                overlap = min(e, c["anchor_end"]) - max(s, c["anchor_start"])
                if overlap <= 0:
                    continue
                span = max(e, c["anchor_end"]) - min(s, c["anchor_start"])
                score = overlap / span + (1.0 if r["ext_place"] == c["anchor_place_id"] else 0.0) \
                    + (0.5 if r["ext_type"] == c["anchor_event_type"] else 0.0)
                if score > best_score:
                    best, best_score = r, score
            row = best
            if row is not None:
                rekey[c["id"]] = row["event_key"]
        if row is None:
            orphans.append(c["id"])
        else:
            out[row["id"]].append(c)
    return out, rekey, orphans


_PLACE_COLUMNS = ("resolved", "place_id", "pcode", "name_ar", "name_en", "lat", "lon", "geo_precision")


def rematerialize_report(conn: Connection, report_id: int) -> None:
    """Recompute the effective values of the report's events and mentions from their
    extracted values and the active corrections (call inside a write transaction)."""
    corrections = _load_corrections(conn, report_id)
    ev_rows = [dict(r._mapping) for r in conn.execute(
        select(S.events.c.id, S.events.c.event_key, S.events.c.extracted, S.events.c.ext_id,
               S.events.c.confidence, S.events.c.evidence_text)
        .where(S.events.c.report_id == report_id))]
    for r in ev_rows:
        r["ev"] = decode_event(r["extracted"], r["ext_id"], r["confidence"], r["evidence_text"])
        s, e, _ = _evidence(r["ev"])
        r["ext_start"], r["ext_end"] = s, e
        r["ext_place"] = place_fields(r["ev"].get("place"))["place_id"]
        r["ext_type"] = r["ev"].get("event_type")
    ev_corr = [c for c in corrections if c["target"] == "event"]
    m_corr = [c for c in corrections if c["target"] == "mention"]

    # mentions: back to the extracted values, then apply the active corrections
    M = S.mentions
    for row in conn.execute(select(M).where(and_(M.c.report_id == report_id, M.c.corrected.is_(True)))).fetchall():
        cols = mention_columns(decode_mention(row))
        conn.execute(update(M).where(M.c.id == row.id).values(
            **{k: cols[k] for k in _PLACE_COLUMNS}, dismissed=False, corrected=False))
    mention_places: dict[tuple[int, int], dict] = {}
    applied_ids: set[int] = set()
    orphan_ids: list[int] = []
    if m_corr:
        m_rows = {r.mention_key: r for r in conn.execute(select(M).where(M.c.report_id == report_id))}
        for c in m_corr:
            row = m_rows.get(c["target_key"])
            if row is None:
                orphan_ids.append(c["id"])
                continue
            applied_ids.add(c["id"])
            if c["field"] == "dismissed":
                conn.execute(update(M).where(M.c.id == row.id)
                             .values(dismissed=bool(c["new_value"]), corrected=True))
            elif c["field"] == "place":
                m = decode_mention(row)
                if c["new_value"]:
                    p = place_fields(c["new_value"])
                    mention_places[(row.start, row.end)] = p
                    values = {"resolved": p["place_id"] is not None, **{k: p[k] for k in _PLACE_COLUMNS[1:]}}
                else:  # place cleared: back to the extracted one
                    cols = mention_columns(m)
                    values = {k: cols[k] for k in _PLACE_COLUMNS}
                # the columns now differ from the extraction: keep the whole extracted mention
                conn.execute(update(M).where(M.c.id == row.id).values(
                    **values, extra=encode_mention(m, mention_columns(m), pin=True), corrected=True))

    per_event, rekey, ev_orphans = _match_corrections(ev_rows, ev_corr)
    orphan_ids += ev_orphans
    applied_ids |= {c["id"] for cs in per_event.values() for c in cs}

    actor_ids = {str(a) for r in ev_rows for a in (r["ev"].get("actors") or []) if a is not None}
    for c in ev_corr:
        if c["field"] == "actors":
            actor_ids |= {str(a if not isinstance(a, dict) else a.get("actor_id")) for a in (c["new_value"] or [])}
    actors = load_actors(conn, actor_ids)

    ids = [r["id"] for r in ev_rows]
    if ids:
        conn.execute(delete(S.event_actors).where(S.event_actors.c.event_id.in_(ids)))
    ea_rows = []
    for r in ev_rows:
        cs = per_event.get(r["id"], [])
        values, actor_rows = effective_event(r["ev"], cs, actors, mention_places)
        conn.execute(update(S.events).where(S.events.c.id == r["id"]).values(**values))
        ea_rows += [{"event_id": r["id"], "actor_id": a["actor_id"], "side": a.get("side"),
                     "position": a["position"]} for a in actor_rows]
    if ea_rows:
        conn.execute(insert(S.event_actors), ea_rows)
    for cid, key in rekey.items():
        conn.execute(update(S.corrections).where(S.corrections.c.id == cid).values(target_key=key))
    if applied_ids:
        conn.execute(update(S.corrections).where(S.corrections.c.id.in_(list(applied_ids))).values(applied=True))
    if orphan_ids:
        conn.execute(update(S.corrections).where(S.corrections.c.id.in_(orphan_ids)).values(applied=False))
