"""A tiny deterministic extractor for the dashboard's browser tests and benchmark, used only
when the real one (extraction.extract_text) yields no mapped events yet.

Plugged in through the store's FRONTLINE_EXTRACTOR=tests.e2e.stub_extractor:extract_text.
Per sentence: a known place name -> one event there, the first number -> killed, a known
faction name -> its actor. Output follows the extraction contract (report/mentions/events).
"""
from __future__ import annotations

import hashlib
import re

EXTRACTOR_VERSION = "stub-0"

PLACES = [  # surface, place dict (as the real extractor resolves it)
    ("الميسر", dict(place_id="N0194", pcode="N0194", name_ar="الميسر", name_en="Karm Myassar",
                    kind="neighbourhood", lat=36.19611, lon=37.1889, geo_precision=1)),
    ("الجلوم", dict(place_id="N0189", pcode="N0189", name_ar="الجلوم", name_en="Jallum",
                    kind="neighbourhood", lat=36.2003, lon=37.1522, geo_precision=1)),
    ("الزبدية", dict(place_id="N0208", pcode="N0208", name_ar="الزبدية", name_en="Zebdiyeh",
                     kind="neighbourhood", lat=36.1875, lon=37.13629, geo_precision=1)),
    ("البوابية", dict(place_id="C1169", pcode="C1169", name_ar="البوابية", name_en="Bwabiyeh",
                      kind="community", lat=36.1167, lon=37.2167, geo_precision=1)),
    ("نبل", dict(place_id="C1655", pcode="C1655", name_ar="نبل", name_en="Nubul",
                 kind="community", lat=36.37512, lon=36.99652, geo_precision=1)),
    ("حلب القديمة", dict(place_id="M-OLDCITY", pcode=None, name_ar="حلب القديمة", name_en="Old City",
                         kind="region", lat=36.1990, lon=37.1600, geo_precision=3)),
]
ACTORS = [
    ("الزنكي", "A-ZENKI", "Nour al-Din al-Zenki", "opposition"),
    ("جيش الإسلام", "A-JAISH-ISLAM", "Jaysh al-Islam", "opposition"),
    ("النظام", "A-REGIME", "Syrian regime forces", "government"),
    ("الروسي", "A-RUSSIA", "Russian forces", "government"),
]
WORDS = {"سبعة": 7, "خمسة": 5, "ثلاثة": 3}


def extract_text(text, published=None, title=None, report_id=None, path=None):
    rid = report_id or hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]
    mentions, events = [], []
    for m in re.finditer(r"[^.\n!؟?]+", text):
        sent, s0 = m.group(0), m.start()
        place = next(((name, p) for name, p in PLACES if name in sent), None)
        if place is None:
            continue
        name, p = place
        ps = s0 + sent.index(name)
        mentions.append({"kind": "place", "start": ps, "end": ps + len(name), "text": name, "resolved": True, **p})
        actors = []
        for surface, aid, en, side in ACTORS:
            if surface in sent:
                a = s0 + sent.index(surface)
                mentions.append({"kind": "actor", "start": a, "end": a + len(surface), "text": surface,
                                 "actor_id": aid, "name_en": en, "side": side})
                actors.append(aid)
        num = re.search(r"\d+", sent)
        killed = int(num.group(0)) if num else next((v for w, v in WORDS.items() if w in sent), None)
        events.append({
            "id": f"{rid}-e{len(events)}", "date": published, "date_precision": "day" if published else None,
            "event_type": "Battles" if "معارك" in sent or "اشتباك" in sent else "Explosions/Remote violence",
            "actors": actors, "place": {**p, "start": ps, "end": ps + len(name), "text": name},
            "killed": {"low": killed, "best": killed, "high": killed} if killed is not None else None,
            "injured": None, "weapons": [], "confidence": 0.5,
            "evidence": {"start": s0, "end": m.end(), "text": sent.strip()},
        })
    return {"report": {"id": rid, "path": path, "published": published, "title": title},
            "mentions": mentions, "events": events}
