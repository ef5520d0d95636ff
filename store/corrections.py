"""The analyst's writes: corrections and the analyst's own places.

A correction is a row: target (event | mention), the target's stable key, an
anchor (report, evidence span, extracted place and type: used to find the event
again if a new extractor moves the span), field, old value, new value (JSON),
author, time, note. Corrections are never deleted; ``revert_correction`` makes one
inactive. The latest active correction of a field wins. After every write the
report's events are recomputed (store.records.rematerialize_report), and
``reprocess`` re-applies all corrections to the new extraction.

Event fields: place ({place_id, pcode, name_ar, name_en, kind, lat, lon,
geo_precision} or a place id from the analyst layer or the gazetteer), date
("YYYY-MM-DD" or {date, precision}), killed / injured ({low, best, high} or a
number), actors (list of actor ids or {actor_id, name_en, side}), event_type,
sub_event_type, weapons (list), is_false (bool: a deleted false event stays in
the database, hidden from maps, counts and exports).
Mention fields: place (resolves a place mention, e.g. from the review queue),
dismissed (bool: not a place / not relevant).
"""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import and_, func, insert, select, update

from store import schema as S
from store.records import (
    EVENT_FIELDS, MENTION_FIELDS, current_field_value, decode_event, effective_event, figures, load_actors,
    parse_date, place_fields, rematerialize_report, utcnow, gazetteer_place, _evidence,
)


class CorrectionError(ValueError):
    """A correction that cannot be stored (unknown target, bad field or value)."""


def _place_from_id(conn, place_id: str) -> dict:
    row = conn.execute(select(S.analyst_places).where(S.analyst_places.c.place_id == place_id)).first()
    if row is not None:
        return {"place_id": row.place_id, "pcode": row.pcode, "name_ar": row.name_ar, "name_en": row.name_en,
                "kind": row.kind, "lat": row.lat, "lon": row.lon, "geo_precision": row.geo_precision}
    p = gazetteer_place(place_id)
    if p is None:
        raise CorrectionError(f"unknown place id {place_id!r} (not in the analyst layer or the gazetteer)")
    return {"place_id": p.id, "pcode": getattr(p, "pcode", None), "name_ar": getattr(p, "name_ar", None),
            "name_en": getattr(p, "name_en", None), "kind": getattr(p, "kind", None),
            "lat": getattr(p, "lat", None), "lon": getattr(p, "lon", None),
            "geo_precision": getattr(p, "geo_precision", None)}


def _normalize(conn, field: str, value: Any) -> Any:
    if field == "place":
        if value is None:
            return None
        if isinstance(value, str):
            return _place_from_id(conn, value)
        if not isinstance(value, dict):
            raise CorrectionError("place must be a place id or a dict of place fields")
        if value.get("place_id") and value.get("lat") is None and value.get("name_ar") is None:
            return _place_from_id(conn, value["place_id"])
        p = place_fields({**value, "resolved": True})
        if not p["place_id"]:
            raise CorrectionError("place needs a place_id (add an analyst place first for a new place)")
        for k in ("lat", "lon"):
            if p[k] is None:
                raise CorrectionError(f"place needs {k}")
        if not (-90 <= p["lat"] <= 90 and -180 <= p["lon"] <= 180):
            raise CorrectionError("place coordinates out of range")
        return p
    if field == "date":
        d = value.get("date") if isinstance(value, dict) else value
        if d is not None and parse_date(d) is None:
            raise CorrectionError(f"bad date {d!r} (use YYYY-MM-DD)")
        out = {"date": parse_date(d).isoformat() if d is not None else None}
        out["precision"] = value.get("precision", "day") if isinstance(value, dict) else "day"
        return out
    if field in ("killed", "injured"):
        if value is None:
            return None
        low, best, high = figures(value)
        if isinstance(value, dict) and any(value.get(k) is not None and v is None
                                           for k, v in (("low", low), ("best", best), ("high", high))):
            raise CorrectionError(f"{field} figures must be whole numbers")
        nums = [x for x in (low, best, high) if x is not None]
        if any(x < 0 for x in nums):
            raise CorrectionError(f"{field} figures cannot be negative")
        if nums != sorted(nums):
            raise CorrectionError(f"{field} figures must satisfy low <= best <= high")
        return {"low": low, "best": best, "high": high}
    if field == "actors":
        if not isinstance(value, (list, tuple)):
            raise CorrectionError("actors must be a list of actor ids")
        ids = [a.get("actor_id") if isinstance(a, dict) else a for a in value]
        known = load_actors(conn, [str(i) for i in ids if i])
        out = []
        for a in value:
            if isinstance(a, dict):
                if not a.get("actor_id"):
                    raise CorrectionError("each actor needs an actor_id")
                aid = str(a["actor_id"])
                info = known.get(aid, {})
                out.append({"actor_id": aid, "name_en": a.get("name_en") or info.get("name_en"),
                            "side": a.get("side") or info.get("side")})
                if aid not in known:
                    conn.execute(insert(S.actors).values(actor_id=aid, name_en=a.get("name_en"),
                                                         side=a.get("side")))
            else:
                aid = str(a)
                if aid not in known:
                    raise CorrectionError(f"unknown actor id {aid!r} (give a dict with name_en and side)")
                out.append({"actor_id": aid, **known[aid]})
        return out
    if field in ("event_type", "sub_event_type"):
        return None if value in (None, "") else str(value)
    if field == "weapons":
        return [str(w) for w in (value or [])]
    if field in ("is_false", "dismissed"):
        return bool(value)
    raise CorrectionError(f"unknown field {field!r}")


def add_correction(store, *, field: str, new_value: Any, author: str, event_id: int | None = None,
                   mention_id: int | None = None, note: str | None = None) -> int:
    """Store one correction of an event or a mention and apply it; returns its id."""
    if (event_id is None) == (mention_id is None):
        raise CorrectionError("give exactly one of event_id or mention_id")
    if not author or not str(author).strip():
        raise CorrectionError("author is required (who made the correction)")
    with store.write() as conn:
        if event_id is not None:
            if field not in EVENT_FIELDS:
                raise CorrectionError(f"cannot correct {field!r} of an event (fields: {', '.join(EVENT_FIELDS)})")
            row = conn.execute(select(S.events).where(S.events.c.id == int(event_id))).first()
            if row is None:
                raise CorrectionError(f"no event {event_id}")
            new = _normalize(conn, field, new_value)
            values = dict(row._mapping)
            EA = S.event_actors
            actor_rows = [{"actor_id": r.actor_id, "side": r.side, "name_en": r.name_en} for r in conn.execute(
                select(EA.c.actor_id, EA.c.side, S.actors.c.name_en)
                .select_from(EA.outerjoin(S.actors, S.actors.c.actor_id == EA.c.actor_id))
                .where(EA.c.event_id == row.id).order_by(EA.c.position))]
            old = current_field_value(values, actor_rows, field)
            ev = decode_event(row.extracted, row.ext_id, row.confidence, row.evidence_text)
            s, e, _ = _evidence(ev)
            ext_place = place_fields(ev.get("place"))["place_id"]
            cid = conn.execute(insert(S.corrections).values(
                target="event", target_key=row.event_key, report_id=row.report_id, anchor_start=s,
                anchor_end=e, anchor_place_id=ext_place, anchor_event_type=ev.get("event_type"),
                field=field, old_value=json.dumps(old, ensure_ascii=False, default=str),
                new_value=json.dumps(new, ensure_ascii=False, default=str), author=str(author).strip(),
                created_at=utcnow(), note=note, active=True, applied=True,
            ).returning(S.corrections.c.id)).scalar_one()
            report_id = row.report_id
        else:
            if field not in MENTION_FIELDS:
                raise CorrectionError(f"cannot correct {field!r} of a mention (fields: {', '.join(MENTION_FIELDS)})")
            row = conn.execute(select(S.mentions).where(S.mentions.c.id == int(mention_id))).first()
            if row is None:
                raise CorrectionError(f"no mention {mention_id}")
            if field == "place" and row.kind != "place":
                raise CorrectionError(f"mention {mention_id} is a {row.kind} mention, not a place")
            new = _normalize(conn, field, new_value)
            if field == "place":
                old = {"place_id": row.place_id, "pcode": row.pcode, "name_ar": row.name_ar,
                       "name_en": row.name_en, "lat": row.lat, "lon": row.lon, "geo_precision": row.geo_precision}
            else:
                old = bool(row.dismissed)
            cid = conn.execute(insert(S.corrections).values(
                target="mention", target_key=row.mention_key, report_id=row.report_id,
                anchor_start=row.start, anchor_end=row.end, anchor_place_id=row.place_id,
                field=field, old_value=json.dumps(old, ensure_ascii=False, default=str),
                new_value=json.dumps(new, ensure_ascii=False, default=str), author=str(author).strip(),
                created_at=utcnow(), note=note, active=True, applied=True,
            ).returning(S.corrections.c.id)).scalar_one()
            report_id = row.report_id
        rematerialize_report(conn, report_id)
    return int(cid)


def revert_correction(store, correction_id: int, author: str, note: str | None = None) -> None:
    """Make a correction inactive (kept in the log); the previous value comes back."""
    with store.write() as conn:
        row = conn.execute(select(S.corrections).where(S.corrections.c.id == int(correction_id))).first()
        if row is None:
            raise CorrectionError(f"no correction {correction_id}")
        stamp = f"reverted by {author} at {utcnow().isoformat()}" + (f": {note}" if note else "")
        conn.execute(update(S.corrections).where(S.corrections.c.id == row.id).values(
            active=False, note=((row.note + "; ") if row.note else "") + stamp))
        rematerialize_report(conn, row.report_id)


def add_analyst_place(store, *, name_ar: str, lat: float, lon: float, author: str, name_en: str | None = None,
                      kind: str | None = None, geo_precision: int = 1, aliases: list[str] | tuple = (),
                      place_id: str | None = None, pcode: str | None = None, note: str | None = None,
                      adm: dict | None = None, trigger: str | None = None) -> dict:
    """Add a place to the analyst's gazetteer layer; returns it as a place dict
    (usable as a correction's new place). Ids are ``A-0001``, ``A-0002``... unless given.
    ``trigger``: the mention's trigger word (حي, بلدة, قرية...): a leading trigger is taken
    off ``name_ar`` and, without ``kind``, gives it (``geo.kind_for_trigger``).
    With ``pcode`` (a gazetteer id) the row is an alias: ``name_ar`` means that place."""
    if trigger:
        name_ar = strip_trigger(name_ar, trigger)
        if not kind:
            from geo import kind_for_trigger
            kind = kind_for_trigger(trigger)
    if not name_ar or not str(name_ar).strip():
        raise CorrectionError("name_ar is required")
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        raise CorrectionError("lat and lon must be numbers")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise CorrectionError("coordinates out of range")
    if int(geo_precision) not in (1, 2, 3):
        raise CorrectionError("geo_precision must be 1, 2 or 3")
    if not author:
        raise CorrectionError("author is required")
    adm = adm or {}
    with store.write() as conn:
        if place_id is None:
            n = conn.execute(select(func.count()).select_from(S.analyst_places)).scalar_one()
            while True:
                n += 1
                place_id = f"A-{n:04d}"
                if conn.execute(select(S.analyst_places.c.place_id)
                                .where(S.analyst_places.c.place_id == place_id)).first() is None:
                    break
        elif conn.execute(select(S.analyst_places.c.place_id)
                          .where(S.analyst_places.c.place_id == place_id)).first() is not None:
            raise CorrectionError(f"analyst place {place_id} already exists")
        row = {"place_id": place_id, "pcode": pcode, "name_ar": str(name_ar).strip(), "name_en": name_en,
               "kind": kind, "lat": lat, "lon": lon, "geo_precision": int(geo_precision),
               "aliases": ";".join(a.strip() for a in aliases if a and a.strip()) or None,
               "adm1_pcode": adm.get("adm1_pcode"), "adm2_pcode": adm.get("adm2_pcode"),
               "adm3_pcode": adm.get("adm3_pcode"), "adm4_pcode": adm.get("adm4_pcode"),
               "note": note, "author": author, "created_at": utcnow()}
        conn.execute(insert(S.analyst_places).values(**row))
    return {k: row[k] for k in ("place_id", "pcode", "name_ar", "name_en", "kind", "lat", "lon", "geo_precision")}


def strip_trigger(text: str, trigger: str | None) -> str:
    """The name without its leading trigger word (``حي الصنوبرات`` -> ``الصنوبرات``)."""
    text = (text or "").strip()
    words = text.split()
    if not trigger or len(words) < 2:
        return text
    from geo.gazetteer import normalize_trigger
    return " ".join(words[1:]) if normalize_trigger(words[0]) == normalize_trigger(trigger) else text


def affected_reports(store, names: list[str]) -> list[int]:
    """Reports with a place mention whose name (``arabic.name_key``) is one of ``names``: the
    reports an analyst's new place or alias can change."""
    from arabic import name_key
    keys = {name_key(n) for n in names if n and name_key(n)}
    if not keys:
        return []
    M = S.mentions
    out: set[int] = set()
    with store.read() as conn:
        for rid, text in conn.execute(select(M.c.report_id, M.c.text).where(M.c.kind == "place")):
            if text and name_key(text) in keys:
                out.add(int(rid))
    return sorted(out)


def place_mention(store, mention_id: int, *, author: str, place_id: str | None = None, lat: float | None = None,
                  lon: float | None = None, name_en: str | None = None, geo_precision: int = 1,
                  note: str | None = None, reprocess: bool = True) -> dict:
    """Resolve a place mention (the review queue) and teach the analyst's layer its name:

    - ``place_id`` (a gazetteer id): an alias row (``pcode`` = that id, ``name_ar`` = the
      mention's name without its trigger), so later reports resolve the name to it;
      an analyst place id: the name is added to that place's aliases;
    - else ``lat``/``lon``: a new analyst place named after the mention, its kind from the
      trigger (``geo.kind_for_trigger``).

    Then the mention's place is corrected (signed ``author``; the events the extractor tied
    to the mention move with it) and the reports naming it are re-extracted with the new
    layer (``reprocess``). Returns ``{place_id, alias, reports, reprocessed}``."""
    from store.records import decode_mention
    with store.read() as conn:
        row = conn.execute(select(S.mentions).where(S.mentions.c.id == int(mention_id))).first()
    if row is None:
        raise CorrectionError(f"no mention {mention_id}")
    if row.kind != "place":
        raise CorrectionError(f"mention {mention_id} is a {row.kind} mention, not a place")
    data = decode_mention(row)
    trigger = data.get("trigger")
    name = strip_trigger(data.get("text") or row.text or "", trigger)
    alias = False
    if place_id:
        A = S.analyst_places
        with store.read() as conn:
            own = conn.execute(select(A).where(A.c.place_id == place_id)).first()
        if own is not None:
            names = {n for n in (own.aliases or "").split(";") if n} | {own.name_ar}
            if name not in names:
                with store.write() as conn:
                    conn.execute(update(A).where(A.c.place_id == place_id).values(
                        aliases=";".join(sorted(names - {own.name_ar}) + [name])))
                    alias = True
            target = own.pcode or own.place_id
        else:
            p = gazetteer_place(place_id)
            if p is None:
                raise CorrectionError(f"unknown place id {place_id!r}")
            add_analyst_place(store, name_ar=name, lat=p.lat if p.lat is not None else 0.0,
                              lon=p.lon if p.lon is not None else 0.0, author=author, pcode=p.id, kind=p.kind,
                              geo_precision=int(p.geo_precision or 1),
                              note=note or f"alias from the review queue: '{name}' is {p.id}")
            target, alias = p.id, True
    else:
        if lat is None or lon is None:
            raise CorrectionError("give place_id, or lat and lon for a new place")
        place = add_analyst_place(store, name_ar=name, lat=lat, lon=lon, author=author, name_en=name_en,
                                  geo_precision=geo_precision, trigger=trigger, note=note)
        target = place["place_id"]
    add_correction(store, mention_id=int(mention_id), field="place", new_value=target, author=author, note=note)
    reports = sorted(set(affected_reports(store, [name])) | {int(row.report_id)})
    done = 0
    if reprocess:
        from store.reprocess import reprocess as _reprocess
        done = _reprocess(store, report_ids=reports, progress=False).reprocessed
    return {"place_id": target, "alias": alias, "reports": reports, "reprocessed": done}
