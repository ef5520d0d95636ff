"""Fake extractors and helpers for the store tests (no tests here).

The store tests must not depend on the real extractor's rules, so they use these
deterministic fakes in the contract's shape (issue 3); subprocess tests select one
with FRONTLINE_EXTRACTOR=tests.test_store_fakes:NAME.
"""
from __future__ import annotations

import os
import re
import time

EXTRACTOR_VERSION = os.environ.get("FAKE_EXTRACTOR_VERSION", "1.0")

PLACES = {
    "N0194": {"place_id": "N0194", "pcode": "N0194", "name_ar": "كرم ميسر", "name_en": "Karm Myassar",
              "place_kind": "neighbourhood", "lat": 36.19611, "lon": 37.1889, "geo_precision": 1},
    "N0189": {"place_id": "N0189", "pcode": "N0189", "name_ar": "الجلوم", "name_en": "Al-Jalloum",
              "place_kind": "neighbourhood", "lat": 36.19647, "lon": 37.15448, "geo_precision": 1},
    "C1007": {"place_id": "C1007", "pcode": "C1007", "name_ar": "حلب", "name_en": "Aleppo",
              "place_kind": "community", "lat": 36.20612, "lon": 37.15253, "geo_precision": 2},
}
ACTORS = {
    "syrian-air-force": ("Syrian air force", "government"),
    "russian-forces": ("Russian armed forces", "russia"),
    "jaysh-halab": ("Jaysh Halab", "opposition"),
    "civilians": ("Civilians (Syria)", "civilians"),
}
_LINE = re.compile(r"^EV (\S+) (\S+) (\S+) (\S+) (\S+) (.*)$", re.M)


def simple_extract(text, published=None, title=None, report_id=None, path=None):
    """One event per line ``EV DATE TYPE ACTORS PLACE KILLED evidence words``
    (ACTORS comma-joined ids; PLACE an id of PLACES or ?name for unresolved;
    KILLED n, low-high, or -). Any other text: one event at N0194 on ``published``."""
    if "RAISE" in text:
        raise RuntimeError("fake extractor failure")
    mentions, events = [], []
    for n, m in enumerate(_LINE.finditer(text)):
        date, etype, actors, place, killed, words = m.groups()
        start, end = m.start(6), m.end(6)
        aids = [a for a in actors.split(",") if a != "-"]
        for a in aids:
            name, side = ACTORS[a]
            mentions.append({"kind": "actor", "start": m.start(3), "end": m.end(3), "text": m.group(3),
                             "actor_id": a, "name_en": name, "side": side,
                             "inter_code": {"government": 1, "russia": 8, "opposition": 2, "civilians": 7}[side]})
        if place.startswith("?"):
            pl = {"text": place[1:], "start": m.start(4) + 1, "end": m.end(4), "resolved": False}
        else:
            pl = {"text": place, "start": m.start(4), "end": m.end(4), "resolved": True, **PLACES[place]}
        mentions.append({"kind": "place", **pl})
        if killed == "-":
            k = None
        elif "-" in killed:
            lo, hi = killed.split("-")
            k = {"low": int(lo), "best": None, "high": int(hi)}
        else:
            k = {"low": int(killed), "best": int(killed), "high": int(killed)}
        events.append({"id": f"{report_id}-e{n + 1}", "date": None if date == "-" else date,
                       "date_precision": "day", "event_type": etype.replace("_", " "),
                       "sub_event_type": None, "actors": aids, "place": pl, "killed": k, "injured": None,
                       "weapons": [], "evidence": {"start": start, "end": end, "text": text[start:end]},
                       "confidence": 0.9})
    if not events:
        end = min(len(text), 40)
        events.append({"id": f"{report_id}-e1", "date": published, "date_precision": "day",
                       "event_type": "Battles", "sub_event_type": "Armed clash", "actors": [],
                       "place": {"text": "x", "start": 0, "end": 1, "resolved": True, **PLACES["N0194"]},
                       "killed": None, "injured": None, "weapons": [],
                       "evidence": {"start": 0, "end": end, "text": text[:end]}, "confidence": 0.5})
    return {"report": {"id": report_id, "path": path, "published": published, "title": title},
            "mentions": mentions, "events": events}


simple_extract.EXTRACTOR_VERSION = EXTRACTOR_VERSION


def slow_extract(text, published=None, title=None, report_id=None, path=None):
    time.sleep(float(os.environ.get("FAKE_EXTRACTOR_DELAY", "0.05")))
    return simple_extract(text, published, title, report_id, path)


slow_extract.EXTRACTOR_VERSION = EXTRACTOR_VERSION


def write_reports(folder, n, prefix="r", start=0):
    """n small distinct Arabic .txt reports in folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + n):
        (folder / f"{prefix}{i:04d}.txt").write_text(
            f"تقرير رقم {i}\n\nقصف على حي الميسر في مدينة حلب، التقرير {i} من {prefix}.\n", encoding="utf-8")
