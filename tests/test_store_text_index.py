"""The text filter's trigram index (m006, ``events_fts``): the same rows as the LIKE scan it
replaces, for any text, kept in step by ingest, corrections, reverts and reprocess, and built by
the migration from an existing database."""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import select
from sqlalchemy.dialects import postgresql

from store import open_store, queries as q, records, schema as S
from store.ingest import ingest_text
from store.migrations import migrations
from store.reprocess import reprocess
from tests.test_store_fakes import simple_extract
from tests.test_store_queries import TEXT, v2_extract

E = S.events


def _ids(store, text, *, index: bool) -> list[int]:
    w = q.where_clause(q.Filters(text=text, include_false=True), text_index=index)
    with store.read() as c:
        return sorted(r[0] for r in c.execute(select(E.c.id).where(w)))


# what SQLite's LIKE (and its UTF-8 reader) does to a text: ASCII case folded, U+FFFE/U+FFFF read
# as U+FFFD, the text ends at a NUL
_SQLITE_READ = str.maketrans({**{chr(c): chr(c + 32) for c in range(65, 91)}, "\ufffe": "\ufffd", "\uffff": "\ufffd"})


def _sqlite_text(s: str | None) -> str:
    return (s or "").split("\x00")[0].translate(_SQLITE_READ)


def _reference(store, text) -> list[int]:
    """Python's substring test, reading texts as SQLite's LIKE does."""
    words = [_sqlite_text(w) for w in q.text_words(text)]
    with store.read() as c:
        rows = c.execute(select(E.c.id, E.c.search_folded)).fetchall()
    return sorted(i for i, h in rows if all(w in _sqlite_text(h) for w in words))


def _indexed_trigrams(store) -> dict[int, set[str]]:
    """What the index holds, per event id (fts5vocab over events_fts)."""
    with store.read() as c:
        c.exec_driver_sql("CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_terms USING "
                          "fts5vocab('main', 'events_fts', 'instance')")
        out: dict[int, set[str]] = {}
        for term, doc in c.exec_driver_sql("SELECT term, doc FROM temp.fts_terms"):
            out.setdefault(doc, set()).add(term)
        c.exec_driver_sql("DROP TABLE temp.fts_terms")
    return out


def _expected_trigrams(store) -> dict[int, set[str]]:
    with store.read() as c:
        rows = c.execute(select(E.c.id, E.c.search_folded)).fetchall()
    out = {}
    for i, h in rows:
        t = _sqlite_text(h)
        grams = {t[k:k + 3] for k in range(len(t) - 2)}
        if grams:
            out[i] = grams
    return out


def _same(store, text) -> list[int]:
    """Both paths agree (and with Python); returns the ids."""
    a, b = _ids(store, text, index=True), _ids(store, text, index=False)
    assert a == b, text
    assert a == _reference(store, text), text
    return a


def _needles(store, n_per_text: int = 6) -> list[str]:
    """Words and substrings (3-7 characters) of every event's indexed text, and of its evidence."""
    with store.read() as c:
        texts = [r[0] or "" for r in c.execute(select(E.c.search_folded))]
        texts += [r[0] or "" for r in c.execute(select(E.c.evidence_text))]
    out = set()
    for t in texts:
        out.update(t.split())
        for k in range(n_per_text):
            i = (k * 7) % max(len(t), 1)
            out.add(t[i:i + 3 + k % 5])
    return sorted(x for x in out if x.strip())


def _check_index(store) -> None:
    """The index holds exactly every event's trigrams (nothing missing, nothing left behind), and
    answers like the LIKE."""
    assert _indexed_trigrams(store) == _expected_trigrams(store)
    for needle in _needles(store):
        _same(store, needle)


@pytest.fixture()
def store(tmp_path):
    st_ = open_store(tmp_path / "t.db", extractor=simple_extract, extractor_version="1.0")
    assert ingest_text(st_, TEXT, title="غارات على حلب", source="SMART", published="2016-12-06").added == 1
    yield st_
    st_.dispose()


def test_index_is_built_and_used(store):
    assert q.text_index_in_use(store)
    with store.read() as c:
        n = c.exec_driver_sql("SELECT count(*) FROM events_fts WHERE events_fts MATCH '\"حلب\"'").scalar()
        trig = {r[0] for r in c.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert n >= 1 and trig == {"events_fts_au"}
    # the filter reads the index, and the aggregates stay on their covering indexes (no event row read)
    from sqlalchemy.dialects import sqlite
    w = q.where_clause(q.Filters(text="غارات روسية"), text_index=True)
    sql = str(select(E.c.place_id, q.func.count()).where(w).group_by(E.c.place_id)
              .compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    with store.read() as c:
        plan = " ".join(str(r[-1]) for r in c.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
    assert "events_fts" in plan and "COVERING INDEX" in plan, plan
    _check_index(store)


@pytest.mark.parametrize("text,expect", [
    ("حلب", 1), ("الجلوم", 1), ("الجَلُّوم", 1), ("جلو", 1),           # diacritics do not matter
    ("الاذاعه", 1), ("الإذاعة", 1), ("الأذاعة", 1), ("الإذاعةُ", 1),     # hamza, ta marbuta
    ("حي الإذاعة", 1), ("هجوم الاذاعه", 1), ("هجوم   حلب", 0),          # every word, anywhere
    ("قصف", 1), ("قصف الطيران", 1), ("قتيلا", 1), ("قتيلاً", 1),
    ("حل", None), ("ح", None), ("على", None), ("13", 0),                # short words: the LIKE
    ("Battles", 2), ("battles", 2), ("BATTLES", 2), ("aleppo", 1), ("Syrian air", 2),
    ('"حلب"', 0), ('حلب"', 0), ('"', 0), ('""', 0), ("حلب*", 0), ("*", 0), ("-حلب", 0),
    ("NEAR(حلب قصف)", 0), ("حلب OR قصف", 0), ("حلب AND قصف", 0), ("NOT", 0), ("t:حلب", 0), ("^حلب", 0),
    ("%", 0), ("_", None), ("\\", 0), ("%حلب%", 0), ("a_b", 0), ("", None), ("   ", None),
])
def test_same_rows_as_the_like_scan(store, text, expect):
    ids = _same(store, text)
    if expect is not None:
        assert len(ids) == expect, (text, ids)


def test_fts_syntax_is_literal_text(store):
    """Query syntax characters are matched as text where the text holds them."""
    ingest_text(store, 'EV 2016-12-07 Battles - N0194 - نص "حلب" و NEAR(a b) و x*y و a-b و t:حلب و %_\\ آخر\n')
    for text in ('"حلب"', 'NEAR(a', "x*y", "a-b", "t:حلب", "%_\\", '"حلب" NEAR(a'):
        assert len(_same(store, text)) == 1, text


_ARABIC = st.sampled_from(list("ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئىةًٌٍَُِّْـ"))
_SYNTAX = st.sampled_from(['"', "*", "-", "+", "^", ":", "(", ")", "NEAR", "AND", "OR", "NOT", "%", "_", "\\",
                           " ", "'", "{", "}", "\u200f", "\ufffd", "\ufffe", "\uffff", "A", "b", "Z"])
_TEXT = st.lists(st.one_of(_ARABIC, _SYNTAX, st.characters(blacklist_categories=("Cs",))), max_size=40).map("".join)


def test_arbitrary_texts_and_queries(store):
    """Hypothesis: events with arbitrary evidence (Arabic, syntax characters, any Unicode), written
    through the store's write path (each example replaces the report's events: unindex + index),
    and arbitrary queries, including substrings of the texts: the index path gives the LIKE's rows."""
    rid = int(q.list_reports(store)["report_id"].iloc[0])
    with store.read() as c:
        h = c.execute(select(S.reports.c.content_hash).where(S.reports.c.id == rid)).scalar_one()

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(texts=st.lists(_TEXT.filter(lambda t: "\x00" not in t), min_size=1, max_size=6),
           queries=st.lists(_TEXT, max_size=4), cuts=st.lists(st.tuples(st.integers(0, 40), st.integers(1, 8)),
                                                               max_size=4))
    def check(texts, queries, cuts):
        events = [{"id": f"e{i}", "event_type": "Battles", "place": None, "actors": [],
                   "evidence": {"start": i, "end": i + len(t), "text": t}} for i, t in enumerate(texts)]
        with store.write() as c:
            records.write_extraction(c, rid, h, {"mentions": [], "events": events}, "1.0")
        folded = [records._fold(t) for t in texts]
        subs = [f[a:a + n] for f in folded for a, n in cuts]
        for text in queries + subs + [" ".join(subs)] + texts:
            _same(store, text)
        assert _indexed_trigrams(store) == _expected_trigrams(store)

    check()


def test_corrections_reverts_and_reprocess_keep_it_in_step(store):
    jal = q.events(store, q.Filters(text="الجلوم")).iloc[0]
    q.add_analyst_place(store, name_ar="الجلوم الشرقي", name_en="East Jalloum", lat=36.197, lon=37.158,
                        kind="neighbourhood", author="a")
    cid = q.add_correction(store, event_id=int(jal.event_id), field="place", new_value="A-0001", author="a")
    assert _same(store, "east jalloum") == [int(jal.event_id)] == _same(store, "الشرقي")
    q.add_correction(store, event_id=int(jal.event_id), field="actors", new_value=["russian-forces"], author="a")
    assert int(jal.event_id) in _same(store, "russian armed")
    _check_index(store)
    q.revert_correction(store, cid, author="a")
    assert _same(store, "الشرقي") == [] and _same(store, "al-jalloum") == [int(jal.event_id)]
    _check_index(store)
    # a newer extractor (evidence one character shorter: new event rows, new ids)
    store._extractor, store._extractor_version = v2_extract, "2.0"
    before = _same(store, "قتيلا")
    assert reprocess(store, progress=False).reprocessed == 1
    after = _same(store, "قتيلا")
    assert before and not set(before) & set(after)  # the old rows left the index
    assert _same(store, "russian armed")  # the correction followed its event
    _check_index(store)
    assert reprocess(store, all_reports=True, progress=False).reprocessed == 1
    _check_index(store)


def test_migration_from_the_previous_schema(tmp_path):
    """A database written by the previous store (m001-m005, no index): m006 builds the index from
    the events already there, and new writes keep it in step."""
    db = tmp_path / "old.db"
    old = open_store(db, migrate=False, extractor=simple_extract, extractor_version="1.0")
    with old.write() as c:
        assert migrations.apply(c, until="m005_place_indexes")[-1] == "m005_place_indexes"
    assert not q.text_index_in_use(old)
    assert ingest_text(old, TEXT, source="SMART").added == 1
    assert ingest_text(old, TEXT.replace("حلب", "حلب الشهباء") + "\n").added == 1
    like = {t: _ids(old, t, index=False) for t in ("حلب", "الشهباء", "الاذاعه", "battles", "قصف الطيران")}
    old.dispose()

    st_ = open_store(db, extractor=simple_extract, extractor_version="1.0")
    try:
        with st_.read() as c:
            done = [r[0] for r in c.exec_driver_sql("SELECT name FROM _migrations")]
        assert "m006_text_index" in done and q.text_index_in_use(st_)
        for t, ids in like.items():
            assert _same(st_, t) == ids and ids, t
        _check_index(st_)
        assert ingest_text(st_, TEXT.replace("حلب", "منبج") + "\n").added == 1
        assert len(_same(st_, "منبج")) == 1
        _check_index(st_)
    finally:
        st_.dispose()


def test_other_databases_keep_the_like(store):
    class Other:
        is_sqlite = False
    assert not q.text_index_in_use(Other())
    sql = str(q.where_clause(q.Filters(text="حلب"), text_index=False).compile(dialect=postgresql.dialect()))
    assert "LIKE" in sql and "events_fts" not in sql
    # the filter's words of 3+ characters go to the index, shorter ones stay with the LIKE
    sql = str(q.where_clause(q.Filters(text="حلب حي"), text_index=True).compile())
    assert "events_fts" in sql and len(re.findall("LIKE", sql)) == 1
