"""The query layer, corrections (surviving reprocess), the review queue, exports, migrations."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pandas as pd
import pytest
from sqlalchemy import func, select

from store import open_store, queries as q, resolve_db, schema as S
from store.cli import main as cli_main
from store.corrections import CorrectionError
from store.export import ACLED_COLUMNS, export_text
from store.ingest import ingest_text
from store.migrations import migrations
from store.records import index_events_text
from store.reprocess import reprocess
from tests.test_store_fakes import simple_extract

TEXT = """غارات على حلب
EV 2016-12-05 Explosions/Remote_violence syrian-air-force,civilians N0189 15 قصف الطيران على حي الجلوم وسقوط خمسة عشر قتيلا
EV 2016-12-06 Explosions/Remote_violence russian-forces,civilians C1007 20-40 غارات روسية على حلب وعشرات القتلى
EV 2016-12-06 Battles jaysh-halab,syrian-air-force N0194 - اشتباكات عنيفة في كرم ميسر
EV - Battles - ?الإذاعة - هجوم على حي الإذاعة وصده
"""


def v2_extract(text, published=None, title=None, report_id=None, path=None):
    """A 'newer extractor': evidence spans one character shorter, so event keys change."""
    out = simple_extract(text, published, title, report_id, path)
    for ev in out["events"]:
        ev["evidence"]["end"] -= 1
        ev["evidence"]["text"] = ev["evidence"]["text"][:-1]
        ev["confidence"] = 0.95
    return out


@pytest.fixture()
def store(tmp_path):
    st_ = open_store(tmp_path / "q.db", extractor=simple_extract, extractor_version="1.0")
    s = ingest_text(st_, TEXT, title="غارات على حلب", source="SMART", url="http://smart.example/1",
                    published="2016-12-06")
    assert s.added == 1 and s.ok, s
    yield st_
    st_.dispose()


def ev_by(store, place_name_ar=None, **kw):
    df = q.events(store, q.Filters(include_false=True), extra=("event_key",))
    if place_name_ar:
        df = df[df["place_name_ar"] == place_name_ar]
    return df.iloc[0]


def test_events_frame_contract(store):
    df = q.events(store)
    assert list(df.columns) == q.EVENT_COLUMNS
    assert len(df) == 4
    assert str(df["date"].dtype).startswith("datetime64")
    assert str(df["killed_best"].dtype) == "Int64" and str(df["geo_precision"].dtype) == "Int64"
    row = df[df["place_id"] == "N0189"].iloc[0]
    assert row["sides"] == "government;civilians" and row["actor_ids"] == "syrian-air-force;civilians"
    assert row["actors_en"] == "Syrian air force; Civilians (Syria)"
    assert row["killed_best"] == 15 and row["source"] == "SMART" and row["place_kind"] == "neighbourhood"
    assert TEXT[row["evidence_start"]:row["evidence_end"]] == row["evidence_text"]


@pytest.mark.parametrize("filters,expected", [
    (q.Filters(), 4),
    # the fixture's event without a date stays in any date range unless undated=False
    (q.Filters(date_from=dt.date(2016, 12, 6)), 3),
    (q.Filters(date_from=dt.date(2016, 12, 6), undated=False), 2),
    (q.Filters(date_from=dt.date(2016, 12, 1), date_to=dt.date(2016, 12, 5)), 2),
    (q.Filters(date_from=dt.date(2016, 12, 1), date_to=dt.date(2016, 12, 5), undated=False), 1),
    (q.Filters(undated=False), 3),
    (q.Filters(sides=["russia"]), 1),
    (q.Filters(sides=["government"]), 2),
    (q.Filters(actor_ids=["jaysh-halab"]), 1),
    (q.Filters(sides=["government"], actor_ids=["jaysh-halab"]), 1),
    (q.Filters(event_types=["Battles"]), 2),
    (q.Filters(min_killed=16), 1),
    (q.Filters(min_killed=15), 2),
    (q.Filters(geo_precisions=[2]), 1),
    (q.Filters(sources=["SMART"]), 4),
    (q.Filters(sources=["nobody"]), 0),
    (q.Filters(text="الاذاعه"), 1),          # folded: hamza and ta marbuta do not matter
    (q.Filters(text="الإذاعةُ"), 1),
    (q.Filters(text="Karm"), 1),              # English place name
    (q.Filters(text="100%_"), 0),             # LIKE wildcards are escaped
])
def test_filters(store, filters, expected):
    assert len(q.events(store, filters)) == expected
    assert q.counts(store, filters)["events"] == expected


def test_aggregates(store):
    c = q.counts(store)
    assert c == {"events": 4, "killed": 35, "injured": 0, "places": 3, "reports": 1}
    ps = q.place_summary(store).set_index("place_id")
    assert set(ps.index) == {"N0189", "C1007", "N0194"}
    assert ps.loc["C1007", "killed"] == 20  # vague: low figure, best is null
    assert ps.loc["N0189", "dominant_side"] == "government"
    assert ps.loc["N0194", "dominant_event_type"] == "Battles"
    tl = q.timeline(store, by="side")
    assert list(tl.columns) == ["date", "group", "killed"]
    got = {(d.date().isoformat(), g): k for d, g, k in tl.itertuples(index=False)}
    assert got == {("2016-12-05", "government"): 15, ("2016-12-06", "russia"): 20,
                   ("2016-12-06", "opposition"): 0}
    assert set(q.timeline(store, by="event_type")["group"]) == {"Explosions/Remote violence", "Battles"}
    opts = q.filter_options(store)
    assert opts["date_min"] == dt.date(2016, 12, 5) and opts["date_max"] == dt.date(2016, 12, 6)
    assert opts["undated"] == 1  # the event whose report gave no date
    assert opts["sides"] == ["civilians", "government", "opposition", "russia"]
    assert opts["actors"]["jaysh-halab"] == "Jaysh Halab" and opts["sources"] == ["SMART"]


def test_corrections_survive_reprocess(store):
    jal = ev_by(store, "الجلوم")
    place = q.add_analyst_place(store, name_ar="الجلوم الشرقي", name_en="East Jalloum", lat=36.197, lon=37.158,
                                kind="neighbourhood", author="analyst1", aliases=["جلوم شرقي"])
    assert place["place_id"] == "A-0001"
    q.add_correction(store, event_id=int(jal.event_id), field="place", new_value="A-0001", author="analyst1")
    q.add_correction(store, event_id=int(jal.event_id), field="killed", new_value={"low": 14, "best": 14, "high": 15},
                     author="analyst1", note="hospital list")
    bat = ev_by(store, "كرم ميسر")
    q.add_correction(store, event_id=int(bat.event_id), field="is_false", new_value=True, author="analyst2")
    q.add_correction(store, event_id=int(ev_by(store, "حلب").event_id), field="date",
                     new_value="2016-12-04", author="analyst2")

    def check():
        df = q.events(store)
        assert len(df) == 3  # the false event is hidden
        assert len(q.events(store, q.Filters(include_false=True))) == 4
        moved = df[df["place_id"] == "A-0001"].iloc[0]
        assert moved["place_name_en"] == "East Jalloum" and moved["killed_best"] == 14 and moved["corrected"]
        assert "N0189" not in set(q.place_summary(store)["place_id"])
        aleppo = df[df["place_id"] == "C1007"].iloc[0]
        assert aleppo["date"].date() == dt.date(2016, 12, 4)
        assert q.counts(store)["killed"] == 34

    check()
    log = q.corrections(store)
    assert list(log["field"]) == ["place", "killed", "is_false", "date"]
    assert log.iloc[1]["old_value"] == {"low": 15, "best": 15, "high": 15}
    assert log.iloc[0]["old_value"]["place_id"] == "N0189"

    # the same extractor version: nothing to do
    assert reprocess(store, progress=False).reprocessed == 0
    # a newer extractor whose evidence spans moved: corrections follow their events
    store._extractor, store._extractor_version = v2_extract, "2.0"
    s = reprocess(store, progress=False)
    assert (s.reprocessed, s.failed, s.orphaned_corrections) == (1, 0, 0)
    assert set(q.events(store, q.Filters(include_false=True))["confidence"]) == {0.95}
    assert set(q.events(store)["extractor_version"]) == {"2.0"}
    check()
    # --all with the same version keeps them too
    assert reprocess(store, all_reports=True, progress=False).reprocessed == 1
    check()


def test_revert_correction(store):
    jal = ev_by(store, "الجلوم")
    cid = q.add_correction(store, event_id=int(jal.event_id), field="killed", new_value=3, author="a")
    assert q.counts(store)["killed"] == 23
    q.revert_correction(store, cid, author="b", note="wrong report")
    assert q.counts(store)["killed"] == 35
    assert not ev_by(store, "الجلوم")["corrected"]
    log = q.corrections(store)
    assert not log.iloc[0]["active"] and "reverted by b" in log.iloc[0]["note"]


def test_actor_and_type_corrections(store):
    e = ev_by(store, "كرم ميسر")
    q.add_correction(store, event_id=int(e.event_id), field="actors",
                     new_value=["jaysh-halab", {"actor_id": "ypg", "name_en": "YPG", "side": "kurdish"}], author="a")
    q.add_correction(store, event_id=int(e.event_id), field="event_type", new_value="Strategic developments",
                     author="a")
    assert len(q.events(store, q.Filters(sides=["kurdish"]))) == 1
    assert len(q.events(store, q.Filters(actor_ids=["syrian-air-force"]))) == 1
    assert "kurdish" in q.filter_options(store)["sides"]


@pytest.mark.parametrize("kw,msg", [
    (dict(field="killed", new_value={"low": 5, "best": 3, "high": 9}), "low <= best <= high"),
    (dict(field="killed", new_value=-1), "negative"),
    (dict(field="date", new_value="5th of Nov"), "bad date"),
    (dict(field="place", new_value="N-nowhere"), "unknown place id"),
    (dict(field="actors", new_value=["no-such-actor"]), "unknown actor id"),
    (dict(field="colour", new_value="red"), "cannot correct"),
])
def test_bad_corrections(store, kw, msg):
    e = ev_by(store, "الجلوم")
    with pytest.raises(CorrectionError, match=msg):
        q.add_correction(store, event_id=int(e.event_id), author="a", **kw)
    with pytest.raises(CorrectionError, match="author"):
        q.add_correction(store, event_id=int(e.event_id), field="killed", new_value=1, author="")
    assert q.corrections(store).empty


def test_review_queue_and_mention_place(store):
    queue = q.unresolved_mentions(store)
    assert list(queue["text"]) == ["الإذاعة"]
    assert "هجوم على حي الإذاعة" in queue.iloc[0]["sentence"]
    assert q.counts(store)["places"] == 3
    place = q.add_analyst_place(store, name_ar="الإذاعة", name_en="Al-Idaa", lat=36.215, lon=37.135,
                                kind="neighbourhood", author="a")
    q.add_correction(store, mention_id=int(queue.iloc[0]["mention_id"]), field="place", new_value=place,
                     author="a")
    assert q.unresolved_mentions(store).empty
    # the event at that unresolved place now sits on the analyst's place
    assert q.counts(store)["places"] == 4
    assert "A-0001" in set(q.place_summary(store)["place_id"])
    store._extractor, store._extractor_version = v2_extract, "2.0"
    reprocess(store, progress=False)
    assert q.unresolved_mentions(store).empty and q.counts(store)["places"] == 4
    rep = q.get_report(store, int(queue.iloc[0]["report_id"]))
    assert rep["text"] == TEXT and len(rep["events"]) == 4 and len(rep["sources"]) == 1
    m = rep["mentions"]
    assert m[m["text"] == "الإذاعة"].iloc[0]["place_id"] == "A-0001"
    assert all(TEXT[s:e] == t for s, e, t in zip(m["start"], m["end"], m["text"]))
    assert list(q.analyst_places(store)["name_en"]) == ["Al-Idaa"]


def test_dismiss_mention(store):
    mid = int(q.unresolved_mentions(store).iloc[0]["mention_id"])
    q.add_correction(store, mention_id=mid, field="dismissed", new_value=True, author="a")
    assert q.unresolved_mentions(store).empty
    assert len(q.unresolved_mentions(store, include_dismissed=True)) == 1


def test_events_for_place_and_reports(store):
    assert list(q.events_for_place(store, "N0189")["killed_best"]) == [15]
    reps = q.list_reports(store, search="غارات")
    assert len(reps) == 1 and reps.iloc[0]["events"] == 4
    assert q.list_reports(store, search="nothing").empty
    assert q.get_report(store, 999) is None
    assert q.get_raw(store, 1) == TEXT.encode()


def test_exports(store, tmp_path):
    e = ev_by(store, "كرم ميسر")
    q.add_correction(store, event_id=int(e.event_id), field="is_false", new_value=True, author="a")
    text, n = export_text(store, "acled")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert n == 3 and len(rows) == 3
    assert list(csv.reader(io.StringIO(text)))[0] == ACLED_COLUMNS
    by_loc = {r["location"]: r for r in rows}
    jal = by_loc["Al-Jalloum"]
    assert (jal["event_date"], jal["year"], jal["time_precision"], jal["fatalities"]) == ("2016-12-05", "2016", "1", "15")
    assert (jal["actor1"], jal["inter1"], jal["actor2"], jal["inter2"], jal["interaction"]) == (
        "Syrian air force", "1", "Civilians (Syria)", "7", "17")
    assert jal["civilian_targeting"] == "Civilian targeting" and jal["geo_precision"] == "1"
    assert "قصف الطيران على حي الجلوم" in jal["notes"] and jal["source"] == "SMART"
    assert (jal["latitude"], jal["longitude"]) == ("36.19647", "37.15448")
    alep = by_loc["Aleppo"]
    assert alep["fatalities"] == "20" and "vague" in alep["notes"]
    unres = by_loc["الإذاعة"]
    assert unres["event_date"] == "" and unres["latitude"] == "" and unres["fatalities"] == ""
    assert unres["time_precision"] == "" and unres["geo_precision"] == ""

    gj = json.loads(export_text(store, "geojson")[0])
    assert gj["type"] == "FeatureCollection" and len(gj["features"]) == 3
    for f in gj["features"]:
        assert f["type"] == "Feature" and isinstance(f["properties"], dict)
        if f["geometry"] is not None:
            lon, lat = f["geometry"]["coordinates"]
            assert f["geometry"]["type"] == "Point" and 35 < lon < 39 and 34 < lat < 37
    assert sum(f["geometry"] is None for f in gj["features"]) == 1

    out = tmp_path / "e.csv"
    assert cli_main(["export", "--db", str(store.path), "--format", "csv", "-o", str(out)]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 3 and "event_key" in rows[0] and rows[0]["date"]
    assert cli_main(["export", "--db", str(store.path), "--format", "csv", "--include-false",
                     "-o", str(out)]) == 0
    assert len(list(csv.DictReader(out.open(encoding="utf-8")))) == 4


def test_cli_misc(store, tmp_path, capsys):
    db = str(store.path)
    assert cli_main(["stats", "--db", db]) == 0
    assert "events        4" in capsys.readouterr().out
    assert cli_main(["places", "--db", db]) == 0
    assert cli_main(["export", "--db", db, "--format", "xml"]) == 2
    assert cli_main(["ingest", "--db", db, "x", "--published", "nope"]) == 2
    assert cli_main(["stats", "--db", str(tmp_path / "no" / "such" / "dir.db")]) == 3
    assert cli_main(["ingest", "--db", db, str(tmp_path / "missing.txt")]) == 1
    assert "no such file or folder" in capsys.readouterr().err
    assert cli_main([]) == 2


def test_migrations_once(tmp_path):
    for _ in range(2):
        st_ = open_store(tmp_path / "m.db")
        with st_.read() as c:
            names = [r[0] for r in c.exec_driver_sql("SELECT name FROM _migrations ORDER BY name")]
            mode = c.exec_driver_sql("PRAGMA journal_mode").scalar()
            fk = c.exec_driver_sql("PRAGMA foreign_keys").scalar()
        assert names == migrations.steps and mode == "wal" and fk == 1
        st_.dispose()


def test_db_path_rule(tmp_path, monkeypatch):
    monkeypatch.delenv("FRONTLINE_DB", raising=False)
    from store.db import REPO_ROOT
    monkeypatch.chdir(tmp_path)
    assert resolve_db(None) == "sqlite:///" + str(REPO_ROOT / "data" / "frontline.db")
    monkeypatch.setenv("FRONTLINE_DB", str(tmp_path / "env.db"))
    assert resolve_db(None) == "sqlite:///" + str(tmp_path / "env.db")
    assert resolve_db("x.db") == "sqlite:///" + str(tmp_path / "x.db")
    assert resolve_db("postgresql://u@h/db") == "postgresql://u@h/db"


# -- the map's per-place queries (m005) ----------------------------------------------------------
def _many_events(store, n=400, seed=3):
    """Replicate the store's events over places, dates and figures (ties, missing figures and
    dates, false events), straight into the tables as scripts/bench_dashboard.py does."""
    import random
    from sqlalchemy import insert
    rng = random.Random(seed)
    with store.read() as c:
        base = [dict(r._mapping) for r in c.execute(select(S.events).where(S.events.c.place_id.is_not(None)))]
    places = [("P%02d" % i, "مكان %d" % i) for i in range(12)]
    rows = []
    with store.write() as c:
        nid = (c.execute(select(func.max(S.events.c.id))).scalar() or 0) + 1
        for i in range(n):
            src = dict(base[i % len(base)])
            pid, name = places[rng.randrange(len(places))]
            kb = rng.choice([None, 0, 1, 3, 3, 7])
            src.update(id=nid + i, event_key=f"t:{i}", place_id=pid, place_name_ar=name, lat=36.2, lon=37.1,
                       date=rng.choice([None, dt.date(2016, 1, 1) + dt.timedelta(days=rng.randrange(20))]),
                       killed_best=kb, killed_low=rng.choice([None, 2]) if kb is None else kb,
                       event_type=rng.choice([None, "Battles", "Protests"]),
                       side1=rng.choice([None, "government", "opposition", "unknown"]),
                       is_false=rng.random() < 0.1, evidence_text=f"دليل {i}")
            rows.append(src)
        c.execute(insert(S.events), rows)
        index_events_text(c, S.events.c.id >= nid)  # written outside store.records: index them too


def _reference_evidence(store, f, per_place):
    ev = q.events(store, f)
    ev = ev[ev["place_id"].notna()]
    k = ev["killed_best"].fillna(ev["killed_low"])
    ev = ev.assign(_k=k.fillna(-1).astype("int64"))
    ev = ev.sort_values(["_k", "date", "event_id"], ascending=False, na_position="last", kind="stable")
    ev = ev.assign(rank=ev.groupby("place_id").cumcount() + 1)
    ev = ev[ev["rank"] <= per_place]
    return sorted(zip(ev["place_id"], ev["rank"], ev["event_id"]))


@pytest.mark.parametrize("f", [q.Filters(), q.Filters(include_false=True), q.Filters(event_types=["Battles"]),
                               q.Filters(date_from=dt.date(2016, 1, 5), date_to=dt.date(2016, 1, 12)),
                               q.Filters(min_killed=3), q.Filters(text="دليل 1"), q.Filters(sides=["nobody"])])
def test_place_evidence_is_the_top_events_per_place(store, f):
    _many_events(store)
    for per_place in (1, 2, 3):
        top = q.place_evidence(store, f, per_place=per_place)
        assert list(top.columns) == q.EVIDENCE_COLUMNS
        assert sorted(zip(top["place_id"], top["rank"], top["event_id"])) == _reference_evidence(store, f, per_place)
    if len(top):
        ev = q.events(store, f).set_index("event_id")
        r = top.iloc[0]
        assert r["evidence_text"] == ev.loc[r["event_id"], "evidence_text"]
        assert r["source"] == "SMART" and r["url"] == "http://smart.example/1"


def _reference_summary(store, f):
    """place_summary as the query layer computed it before m005 (from the events frame)."""
    ev = q.events(store, f)
    ev = ev[ev["place_id"].notna()]
    out = {}
    for pid, g in ev.groupby("place_id"):
        k = g["killed_best"].fillna(g["killed_low"]).fillna(0)
        i = g["injured_best"].fillna(g["injured_low"]).fillna(0)
        side1 = g["sides"].map(lambda s: (s.split(";")[0] or None) if s else None)

        def dom(vals):
            n = vals.fillna("unknown").value_counts()
            return sorted(n[n == n.max()].index)[0]
        out[pid] = (len(g), int(k.sum()), int(i.sum()), dom(g["event_type"]), dom(side1),
                    g["date"].min(), g["date"].max())
    return out


@pytest.mark.parametrize("f", [q.Filters(), q.Filters(include_false=True), q.Filters(min_killed=3),
                               q.Filters(date_from=dt.date(2016, 1, 5))])
def test_place_summary_matches_the_events(store, f):
    # side1 is stored separately from sides: make them agree for the reference
    _many_events(store)
    with store.write() as c:
        for r in c.execute(select(S.events.c.id, S.events.c.side1)).fetchall():
            c.execute(S.events.update().where(S.events.c.id == r.id).values(sides=r.side1 or ""))
    ps = q.place_summary(store, f)
    assert list(ps.columns) == q.SUMMARY_COLUMNS
    got = {r.place_id: (r.events, r.killed, r.injured, r.dominant_event_type, r.dominant_side, r.first_date,
                        r.last_date) for r in ps.itertuples()}
    want = _reference_summary(store, f)
    assert set(got) == set(want)
    for pid in want:
        a, b = got[pid], want[pid]
        assert a[:5] == b[:5], pid
        assert (pd.isna(a[5]) and pd.isna(b[5])) or a[5] == b[5]
        assert (pd.isna(a[6]) and pd.isna(b[6])) or a[6] == b[6]
    assert list(ps["killed"]) == sorted(ps["killed"], reverse=True)


def test_map_queries_read_the_place_indexes(store):
    from sqlalchemy.dialects import sqlite
    rn = func.row_number().over(partition_by=S.events.c.place_id,
                                order_by=(S.KILLED_RANK.desc(), S.events.c.date.desc(), S.events.c.id.desc()))
    sql = str(select(S.events.c.id, rn).where(q.and_(q.where_clause(q.Filters()), S.events.c.place_id.is_not(None)))
              .compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    with store.read() as c:
        plan = " ".join(str(r[-1]) for r in c.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
    assert "COVERING INDEX ix_events_top" in plan and "TEMP B-TREE" not in plan
