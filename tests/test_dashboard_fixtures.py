"""Small fixture data for the dashboard tests: events in the query layer's frame shape
(docs/ARCHITECTURE.md) drawn from the sample report's expected extraction, and tiny
outline polygons. Used with dashboard.backend.FrameBackend, independent of store/ and geo/."""
from __future__ import annotations

import datetime as dt

import pandas as pd

D = dt.date
XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2"> ${window.__xss=3} `tick`'

# place_id, pcode, ar, en, kind, lat, lon, geo_precision
PLACES = {
    "N0194": ("N0194", "الميسر", "Karm Myassar", "neighbourhood", 36.19611, 37.1889, 1),
    "N0189": ("N0189", "الجلوم", "Jallum", "neighbourhood", 36.2003, 37.1522, 1),
    "N0208": ("N0208", "الزبدية", "Zebdiyeh", "neighbourhood", 36.1875, 37.13629, 1),
    "C1169": ("C1169", "البوابية", "Bwabiyeh", "community", 36.1167, 37.2167, 1),
    "C1655": ("C1655", "نبل", "Nubul", "community", 36.37512, 36.99652, 1),
    "M-001": (None, "حلب القديمة", "Old City of Aleppo", "region", 36.1990, 37.1600, 3),
}


def _ev(i, date, place, etype, actors, sides, names, killed, injured=None, evidence="", source="sample",
        title="فصائل المعارضة ترفض الخروج من حلب", url="https://example.org/report"):
    pcode, ar, en, kind, lat, lon, prec = PLACES[place]
    return {
        "event_id": f"e{i}", "report_id": f"r{1 if source == 'sample' else 2}", "date": pd.Timestamp(date),
        "date_precision": "day", "event_type": etype, "sub_event_type": "",
        "actor_ids": ";".join(actors), "sides": ";".join(sides), "actors_en": "; ".join(names),
        "place_id": place, "pcode": pcode, "place_name_ar": ar, "place_name_en": en, "place_kind": kind,
        "lat": lat, "lon": lon, "geo_precision": prec,
        "killed_low": killed, "killed_best": killed, "killed_high": killed,
        "injured_low": injured, "injured_best": injured, "injured_high": injured,
        "weapons": "", "evidence_text": evidence, "evidence_start": 0, "evidence_end": len(evidence),
        "confidence": 0.8, "report_title": title, "source": source, "url": url,
        "published": pd.Timestamp(date), "corrected": False, "is_false": False, "extractor_version": "test",
    }


def events_frame() -> pd.DataFrame:
    rows = [
        _ev(1, D(2016, 12, 5), "N0194", "Battles", ["A-ZENKI", "A-REGIME"], ["opposition", "regime"],
            ["Nour al-Din al-Zenki", "Syrian Arab Army"], 12, evidence="تمكنت من استعادة حي الميسر بالكامل"),
        _ev(2, D(2016, 12, 5), "N0189", "Explosions/Remote violence", ["A-REGIME"], ["regime"],
            ["Syrian Arab Army"], 15, 30, evidence="ارتقى 15 شخصا وأصيب آخرون بجروح"),
        _ev(3, D(2016, 12, 6), "C1169", "Explosions/Remote violence", ["A-RUSSIA"], ["regime"],
            ["Russian Air Force"], 7, evidence="أسفرت الغارات عن مقتل سبعة مدنيين"),
        _ev(4, D(2016, 12, 6), "C1655", "Explosions/Remote violence", ["A-ZENKI"], ["opposition"],
            ["Nour al-Din al-Zenki"], 0, evidence="بقصف الميليشيات الموالية في بلدتي نبل والزهراء"),
        _ev(5, D(2016, 12, 1), "N0208", "Battles", ["A-JFATAH"], ["jihadist"], ["Jaysh al-Fatah"], 3,
            evidence="معارك في حي الزبدية", source="syrianarchive", title="Syrian Archive"),
        _ev(6, D(2016, 12, 6), "M-001", "Battles", ["A-REGIME"], ["regime"], ["Syrian Arab Army"], 4,
            evidence="عزل أحياء حلب القديمة ومحيطها"),
    ]
    return pd.DataFrame(rows)


def xss_frame() -> pd.DataFrame:
    df = events_frame()
    extra = _ev(7, D(2016, 12, 6), "N0194", "Battles", ["A-REGIME"], ["regime"], ["Syrian Arab Army"], 2,
                evidence="حي الميسر " + XSS, title=XSS, source=XSS, url="javascript:alert(1)")
    return pd.concat([df, pd.DataFrame([extra])], ignore_index=True)


def outlines():
    import geopandas as gpd
    from shapely.geometry import box

    from dashboard.geodata import outlines_from_frames

    gov = gpd.GeoDataFrame({"id": ["SY02"], "level": [1], "name_ar": ["حلب"], "name_en": ["Aleppo"]},
                           geometry=[box(36.5, 35.8, 38.5, 36.8)], crs=4326)
    dist = gpd.GeoDataFrame({"id": ["SY0200"], "level": [2], "name_ar": ["جبل سمعان"], "name_en": ["Jebel Saman"]},
                            geometry=[box(36.8, 35.9, 37.6, 36.5)], crs=4326)
    nb = gpd.GeoDataFrame({"place_id": ["N0194", "N0189", "N0208"],
                           "csr_name_ar": ["الميسر", "الجلوم", "الزبدية"],
                           "csr_name_en": ["Karm Myassar", "Jallum", "Zebdiyeh"]},
                          geometry=[box(37.185, 36.193, 37.193, 36.199), box(37.148, 36.197, 37.156, 36.203),
                                    box(37.132, 36.184, 37.140, 36.190)], crs=4326)
    return outlines_from_frames(gov, dist, nb)
