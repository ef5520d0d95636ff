"""Compact storage (m004): mentions and events round-trip exactly, the migration from
the previous schema, raw bytes kept once, corrections of mentions, parallel extraction."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, insert, select

from store import open_store, queries, schema as S
from store.corrections import add_analyst_place, add_correction, revert_correction
from store.ingest import ingest_paths, ingest_text
from store.migrations import mentions_v1, migrations, reports_v1
from store.records import decode_event, effective_event, event_keys, mention_columns, mention_keys, utcnow
from tests.test_store_fakes import simple_extract, write_reports

TEXT = ("حلب - قصفت الطائرات الروسية حي الميسر وبلدة دير حافر في ريف حلب، ما أدى إلى مقتل سبعة مدنيين "
        "وإصابة العشرات. وقال جيش حلب إن الاشتباكات مستمرة منذ يوم الاثنين.")


def _span(word: str, nth: int = 0) -> tuple[int, int]:
    i = -1
    for _ in range(nth + 1):
        i = TEXT.index(word, i + 1)
    return i, i + len(word)


def rich_result(text=TEXT, published=None, title=None, report_id=None, path=None) -> dict:
    """Mentions of every kind, with the awkward cases: covered keys missing, values the
    columns cannot hold verbatim (an int latitude, a start given as a string), extra keys,
    private keys, nested values, non-ASCII everywhere."""
    s1, e1 = _span("الميسر")
    s2, e2 = _span("دير حافر")
    s3, e3 = _span("حلب", 1)
    s4, e4 = _span("جيش حلب")
    s5, e5 = _span("الروسية")
    s6, e6 = _span("سبعة")
    s7, e7 = _span("يوم الاثنين")
    mentions = [
        {"kind": "place", "start": s1, "end": e1, "text": "الميسر", "key": "ميسر", "trigger": "حي",
         "resolved": True, "place_id": "N0194", "pcode": "N0194", "name_ar": "كرم ميسر", "name_en": "Karm Myassar",
         "place_kind": "neighbourhood", "lat": 36.19611, "lon": 37.1889, "geo_precision": 1,
         "reason": "N0194 كرم ميسر (neighbourhood) 5.1: trigger حي (+2); near the report's other places (+1.2)",
         "_facility": False},
        {"kind": "place", "start": s2, "end": e2, "text": "دير حافر", "key": "دير حافر", "trigger": "بلده",
         "resolved": False, "place_id": None, "pcode": None, "name_ar": None, "name_en": None,
         "place_kind": None, "lat": None, "lon": None, "geo_precision": None,
         "reason": "no place in the gazetteer for دير حافر"},
        # covered keys missing (pcode, geo_precision), an int latitude, a resolved place with no id
        {"kind": "place", "start": s3, "end": e3, "text": "حلب", "key": "حلب", "resolved": True,
         "place_id": "C1007", "name_ar": "حلب", "name_en": "Aleppo", "lat": 36, "lon": 37.15253,
         "candidates": [{"place_id": "C1007", "score": 4.8}, {"place_id": "SY02", "score": 2.5}]},
        {"kind": "actor", "start": s4, "end": e4, "text": "جيش حلب", "actor_id": "jaysh-halab",
         "name_en": "Jaysh Halab", "side": "opposition", "actor_type": "Rebel group", "inter_code": 2},
        {"kind": "actor", "start": str(s5), "end": e5, "text": "الروسية", "actor_id": "russian-forces",
         "name_en": "Russian armed forces", "name_ar": "القوات الروسية", "side": "russia"},
        {"kind": "casualty", "start": s6, "end": e6, "text": "سبعة",
         "killed": {"low": 7, "best": 7, "high": 7}, "injured": {"low": 20, "best": None, "high": 99},
         "captured": None, "victims": "civilians", "aggregate": False, "vague": False, "place_id": "N0194",
         "place_text": "الميسر", "date": "2016-12-05", "date_precision": "day", "date_basis": "sentence",
         "breakdown": [{"text": "سبعة", "start": s6, "end": e6, "count": 7}]},
        {"kind": "date", "start": s7, "end": e7, "text": "يوم الاثنين", "date": "2016-12-05", "precision": "day",
         "relative": True, "weekday_ok": True, "basis": "weekday before published"},
    ]
    events = [
        {"id": "e1", "date": "2016-12-05", "date_precision": "day", "event_type": "Explosions/Remote violence",
         "sub_event_type": "Air/drone strike", "actors": ["russian-forces"], "actor1": "russian-forces",
         "actor2": None, "place": {k: v for k, v in mentions[0].items() if k not in ("key", "trigger", "reason",
                                                                                   "_facility", "kind")},
         "killed": {"low": 7, "best": 7, "high": 7}, "injured": None, "weapons": ["airstrike"],
         "evidence": {"start": 0, "end": e6, "text": text[:e6]}, "confidence": 0.9},
        # no "id", an int confidence, evidence without text
        {"date": None, "date_precision": None, "event_type": "Battles", "sub_event_type": "Armed clash",
         "actors": ["jaysh-halab"], "place": None, "killed": None, "injured": None, "weapons": [],
         "evidence": {"start": s4, "end": e7}, "confidence": 1},
    ]
    return {"report": {"id": report_id, "path": path, "published": published, "title": title},
            "mentions": mentions, "events": events}


def _by_span(ms):
    return sorted(ms, key=lambda m: (int(m["start"]), int(m["end"]), m["kind"]))


def _stored_events(st, report_id):
    with st.read() as c:
        rows = c.execute(select(S.events.c.extracted, S.events.c.ext_id, S.events.c.confidence,
                                S.events.c.evidence_text).where(S.events.c.report_id == report_id)
                         .order_by(S.events.c.id)).all()
    return [decode_event(*r) for r in rows]


@pytest.fixture()
def store(tmp_path):
    st = open_store(tmp_path / "t.db", extractor=rich_result, extractor_version="1.0")
    yield st
    st.dispose()


def test_mentions_and_events_round_trip_exactly(store):
    s = ingest_text(store, TEXT, title="t")
    assert s.added == 1 and not s.extraction_errors, s.extraction_errors
    rid = s.report_ids[0]
    expected = rich_result(TEXT)
    rep = queries.get_report(store, rid)
    assert _by_span(list(rep["mentions"]["data"])) == _by_span(expected["mentions"])
    assert _stored_events(store, rid) == expected["events"]
    # the columns the queries read still hold the values
    m = rep["mentions"].set_index("text")
    assert m.loc["الميسر", "place_id"] == "N0194" and bool(m.loc["الميسر", "resolved"])
    assert m.loc["جيش حلب", "actor_id"] == "jaysh-halab" and m.loc["جيش حلب", "side"] == "opposition"
    q = queries.unresolved_mentions(store)
    assert list(q["text"]) == ["دير حافر"] and list(q["trigger"]) == ["بلده"]
    assert q["data"][0] == expected["mentions"][1]


def test_compact_rows_do_not_repeat_the_columns(store):
    rid = ingest_text(store, TEXT).report_ids[0]
    with store.read() as c:
        extras = {r.text: r.extra for r in c.execute(select(S.mentions.c.text, S.mentions.c.extra)
                                                     .where(S.mentions.c.report_id == rid))}
        ev = c.execute(select(S.events.c.extracted).order_by(S.events.c.id)).first()[0]
    x = json.loads(extras["الميسر"])
    assert set(x) == {"key", "trigger", "place_kind", "reason", "_facility"}
    assert "Karm Myassar" not in extras["الميسر"]
    assert json.loads(extras["حلب"])["~absent"] == ["pcode", "geo_precision"]
    assert json.loads(extras["حلب"])["lat"] == 36  # an int the Float column would turn into 36.0
    assert json.loads(extras["جيش حلب"]) == {"actor_type": "Rebel group", "inter_code": 2}
    assert "evidence" in json.loads(ev) and "text" not in json.loads(ev)["evidence"]
    assert "id" not in json.loads(ev) and "confidence" not in json.loads(ev)


def test_raw_bytes_kept_once_and_exactly(store, tmp_path):
    (tmp_path / "a.txt").write_bytes(("عنوان\r\n\r\n" + TEXT).encode("utf-8"))
    (tmp_path / "b.txt").write_bytes(b"\xef\xbb\xbf" + ("عنوان 2\n" + TEXT).encode("utf-8"))
    (tmp_path / "c.txt").write_bytes(("عنوان 3\n" + TEXT).encode("cp1256"))
    (tmp_path / "d.html").write_bytes(("<html><body><article><p>" + TEXT + " ٣</p></article></body></html>")
                                      .encode("utf-8"))
    s = ingest_paths(store, [tmp_path], progress=False)
    assert s.added == 4, s.errors
    with store.read() as c:
        rows = c.execute(select(S.reports.c.id, S.reports.c.format, S.reports.c.raw_is_text,
                                func.length(S.reports.c.raw).label("n")).order_by(S.reports.c.id)).all()
    assert [(r.format, bool(r.raw_is_text), r.n) for r in rows][:3] == [("txt", True, 0)] * 3
    assert rows[3].format == "html" and not rows[3].raw_is_text and rows[3].n > 0
    for r, name in zip(rows, ["a.txt", "b.txt", "c.txt", "d.html"]):
        assert queries.get_raw(store, r.id) == (tmp_path / name).read_bytes()
        assert queries.get_report(store, r.id)["raw_size"] == (tmp_path / name).stat().st_size


def test_mention_place_correction_keeps_extraction_and_reverts(store):
    rid = ingest_text(store, TEXT).report_ids[0]
    q = queries.unresolved_mentions(store)
    mid = int(q["mention_id"][0])
    place = add_analyst_place(store, name_ar="دير حافر", lat=36.156, lon=37.705, author="lina", name_en="Deir Hafer")
    cid = add_correction(store, mention_id=mid, field="place", new_value=place, author="lina")
    rep = queries.get_report(store, rid)
    row = rep["mentions"].set_index("mention_id").loc[mid]
    assert row["place_id"] == place["place_id"] and bool(row["resolved"]) and bool(row["corrected"])
    expected = rich_result(TEXT)
    assert _by_span(list(rep["mentions"]["data"])) == _by_span(expected["mentions"])  # still the extraction
    assert queries.unresolved_mentions(store).empty
    revert_correction(store, cid, author="lina")
    rep = queries.get_report(store, rid)
    row = rep["mentions"].set_index("mention_id").loc[mid]
    assert pd.isna(row["place_id"]) and not bool(row["resolved"]) and not bool(row["corrected"])
    assert list(queries.unresolved_mentions(store)["mention_id"]) == [mid]  # back in the queue
    assert _by_span(list(rep["mentions"]["data"])) == _by_span(expected["mentions"])


def test_reprocess_round_trips_and_keeps_corrections(store):
    from store.reprocess import reprocess
    rid = ingest_text(store, TEXT).report_ids[0]
    ev_id = int(queries.get_report(store, rid)["events"]["event_id"].iloc[0])
    add_correction(store, event_id=ev_id, field="killed", new_value=9, author="lina")
    reprocess(store, all_reports=True, progress=False)
    rep = queries.get_report(store, rid)
    assert _by_span(list(rep["mentions"]["data"])) == _by_span(rich_result(TEXT)["mentions"])
    assert _stored_events(store, rid) == rich_result(TEXT)["events"]
    ev = rep["events"].set_index("evidence_start").loc[0]
    assert ev["killed_best"] == 9 and bool(ev["corrected"])


# -- migration from the previous schema (m001-m003) ---------------------------------------
def _old_database(path: Path) -> tuple[dict, bytes]:
    """A database as the previous store wrote it: schema m001-m003, whole-mention JSON in
    ``mentions.data``, the whole event in ``events.extracted``, raw bytes and text both."""
    st = open_store(path, migrate=False)
    with st.write() as c:
        assert migrations.apply(c, until="m003_covering_index")[-1] == "m003_covering_index"
    result = rich_result(TEXT)
    raw = ("عنوان\n" + TEXT).encode("utf-8")
    h = "ab" * 32
    now = utcnow()
    with st.write() as c:
        rid = c.execute(insert(reports_v1).values(
            content_hash=h, raw=raw, text=raw.decode("utf-8"), encoding="utf-8", format="txt", title="عنوان",
            ingested_at=now, status="ok", extractor_version="0.1.0", extracted_at=now)
            .returning(reports_v1.c.id)).scalar_one()
        rows = []
        for m, key in zip(result["mentions"], mention_keys(h[:16], result["mentions"])):
            rows.append({**mention_columns(m), "report_id": rid, "mention_key": key, "dismissed": False,
                         "corrected": False, "data": json.dumps(m, ensure_ascii=False)})
        # one mention an analyst had placed (its columns hold the correction, data the extraction)
        un = next(r for r in rows if r["text"] == "دير حافر")
        un.update(resolved=True, place_id="A-0001", name_ar="دير حافر", name_en="Deir Hafer", lat=36.156,
                  lon=37.705, geo_precision=1, corrected=True)
        c.execute(insert(mentions_v1), rows)
        for ev, key in zip(result["events"], event_keys(h[:16], result["events"])):
            values, _ = effective_event(ev, [], {})
            c.execute(insert(S.events).values(**values, report_id=rid, event_key=key, extractor_version="0.1.0",
                                              extracted=json.dumps(ev, ensure_ascii=False)))
        c.execute(insert(S.analyst_places).values(place_id="A-0001", name_ar="دير حافر", name_en="Deir Hafer",
                                                  lat=36.156, lon=37.705, geo_precision=1, author="lina",
                                                  created_at=now))
        c.execute(insert(S.corrections).values(
            target="mention", target_key=un["mention_key"], report_id=rid, anchor_start=un["start"],
            anchor_end=un["end"], field="place", old_value="null",
            new_value=json.dumps({"place_id": "A-0001", "name_ar": "دير حافر", "name_en": "Deir Hafer",
                                  "lat": 36.156, "lon": 37.705, "geo_precision": 1}, ensure_ascii=False),
            author="lina", created_at=now, active=True, applied=True))
    st.dispose()
    return result, raw


def test_migration_from_previous_schema(tmp_path):
    db = tmp_path / "old.db"
    result, raw = _old_database(db)
    st = open_store(db, extractor=rich_result, extractor_version="1.0")
    try:
        with st.read() as c:
            steps = [r[0] for r in c.execute(select(S.mentions.c.id).limit(0))]  # the new table is readable
            names = {r[1] for r in c.exec_driver_sql("PRAGMA table_info(mentions)")}
            idx = {r[1] for r in c.exec_driver_sql("PRAGMA index_list(mentions)")}
            done = [r[0] for r in c.exec_driver_sql("SELECT name FROM _migrations ORDER BY name")]
        assert steps == [] and "extra" in names and "data" not in names
        assert idx == {"ix_mentions_report", "ix_mentions_unresolved"}
        assert "m004_compact_mentions" in done and done[-1] == migrations.steps[-1]
        rid = int(queries.list_reports(st)["report_id"].iloc[0])
        rep = queries.get_report(st, rid)
        assert _by_span(list(rep["mentions"]["data"])) == _by_span(result["mentions"])
        assert _stored_events(st, rid) == result["events"]
        assert queries.get_raw(st, rid) == raw
        placed = rep["mentions"].set_index("text").loc["دير حافر"]
        assert placed["place_id"] == "A-0001" and bool(placed["corrected"])
        assert queries.unresolved_mentions(st).empty
        # the analyst's correction still works after the upgrade: revert it
        cid = int(queries.corrections(st)["id"].iloc[0])
        revert_correction(st, cid, author="lina")
        assert list(queries.unresolved_mentions(st)["text"]) == ["دير حافر"]
        assert _by_span(list(queries.get_report(st, rid)["mentions"]["data"])) == _by_span(result["mentions"])
        # and new reports land in the new layout
        assert ingest_text(st, TEXT + " ٢").added == 1
    finally:
        st.dispose()
    st2 = open_store(db)  # reopening runs nothing more
    st2.dispose()


def test_migrations_until_and_fresh_database_agree(tmp_path):
    a = open_store(tmp_path / "a.db")
    b_path = tmp_path / "b.db"
    _old_database(b_path)
    b = open_store(b_path)
    try:
        def layout(st):
            with st.read() as c:
                tables = {r[0]: [x[1:3] for x in c.exec_driver_sql(f"PRAGMA table_info({r[0]})")]
                          for r in c.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'")}
                idx = sorted(r[0] for r in c.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type='index' AND name NOT LIKE 'sqlite_%'"))
            return tables, idx
        assert layout(a) == layout(b)
    finally:
        a.dispose()
        b.dispose()


def test_review_queue_uses_the_partial_index(store):
    ingest_text(store, TEXT)
    with store.read() as c:
        plan = " ".join(str(r[-1]) for r in c.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT id FROM mentions WHERE kind = 'place' AND resolved IS 0 AND dismissed IS 0"))
    assert "ix_mentions_unresolved" in plan


# -- parallel extraction --------------------------------------------------------------------
def test_workers_give_the_same_store(tmp_path):
    write_reports(tmp_path / "in", 12)
    (tmp_path / "in" / "bad.txt").write_bytes(b"")
    (tmp_path / "in" / "dup.txt").write_text((tmp_path / "in" / "r0003.txt").read_text(encoding="utf-8"),
                                             encoding="utf-8")
    (tmp_path / "in" / "boom.txt").write_text("عنوان\n\nRAISE هذا", encoding="utf-8")
    out = {}
    for w in (None, 2):
        st = open_store(tmp_path / f"w{w}.db", extractor=simple_extract, extractor_version="1.0")
        s = ingest_paths(st, [tmp_path / "in"], progress=False, workers=w)
        with st.read() as c:
            n = {t.name: c.execute(select(func.count()).select_from(t)).scalar_one()
                 for t in (S.reports, S.mentions, S.events, S.report_sources)}
            hashes = [r[0] for r in c.execute(select(S.reports.c.content_hash).order_by(S.reports.c.id))]
        out[w] = (s.added, s.duplicates, s.failed, len(s.extraction_errors), n, hashes)
        st.dispose()
    assert out[None] == out[2]
    assert out[2][:4] == (13, 1, 1, 1)


# -- m007: indexes no query used ------------------------------------------------------------------
def test_m007_drops_redundant_indexes_and_queries_keep_their_plans(tmp_path):
    st = open_store(tmp_path / "old.db", migrate=False)
    with st.write() as c:
        migrations.apply(c, until="m006_text_index")
        names = lambda: {r[0] for r in c.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='index'")}
        assert {"ix_events_type", "ix_events_false_date"} <= names()
        migrations.apply(c)
        assert not {"ix_events_type", "ix_events_false_date"} & names()
    st.dispose()
    st = open_store(tmp_path / "old.db", extractor=rich_result, extractor_version="1")
    try:
        ingest_text(st, TEXT)
        with st.read() as c:
            plan = " ".join(str(r[-1]) for r in c.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT id FROM events WHERE is_false IS 0 AND date >= '2016-01-01'"))
            live = c.exec_driver_sql("SELECT count(*) FROM events WHERE is_false = 0").scalar()
        assert "ix_events_agg" in plan
        assert live > 0 and queries.counts(st)["events"] == len(queries.events(st)) == live
    finally:
        st.dispose()
