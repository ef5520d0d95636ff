"""Compact candidate lists (m008): a place mention's candidates and reason line stored compactly,
decoded back exactly (any values, any texts), smaller, written by ingest and by the group path,
and the migration of a database written before m008."""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import delete, select, update

from store import open_store, queries, records, schema as S
from store.corrections import add_correction, revert_correction
from store.ingest import ingest_paths, ingest_text
from store.migrations import migrations

M = S.mentions

# clauses in the shape of geo.Gazetteer's explanations (the real extractor's why/reason texts)
NEAR = "near the report's other places (+{s:.2f}): {km:.1f} km from {name} ({pid}), {gap} chars away in the text"
PLACES = [("C1007", "حلب", "Aleppo", "community"), ("SY02", "حلب", "Aleppo", "governorate"),
          ("N0194", "كرم ميسر", "Karm Myassar", "neighbourhood"), ("C1034", "كفر ناها", "Kafr Naha", "community")]


def _why(p, i: int) -> str:
    kind_bonus = {"community": 0.6, "governorate": 0, "neighbourhood": 1}[p[3]]
    parts = [f"{p[3]} (+{kind_bonus:g})", "in Aleppo governorate (+2)", f"its own name '{p[1]}' (ocha, +0.5)"]
    if i % 2 == 0:
        parts.append(NEAR.format(s=1.67 - i / 10, km=3.4 + i, name="كرم ميسر", pid="N0194", gap=821 + i))
    return "; ".join(parts)


def place_mention(text: str, start: int, n: int, i: int = 0) -> dict:
    """A resolved place mention with ``n`` candidates (the first chosen), as the extractor gives it."""
    chosen = PLACES[i % len(PLACES)]
    cands = [chosen] + [p for p in PLACES if p != chosen][: max(0, n - 1)]
    whys = [_why(p, i + k) for k, p in enumerate(cands)]
    deciding = [c for c in whys[0].split("; ") if c.startswith(("in Aleppo", "near"))]
    return {"kind": "place", "start": start, "end": start + len(text), "text": text, "key": text, "trigger": None,
            "resolved": True, "place_id": chosen[0], "pcode": chosen[0], "name_ar": chosen[1], "name_en": chosen[2],
            "place_kind": chosen[3], "lat": 36.2, "lon": 37.15, "geo_precision": 1,
            "reason": f"{chosen[0]} {chosen[1]} ({chosen[3]}) 4.8: {'; '.join(deciding)}; over "
                      + ", ".join(f"{p[0]} {p[1]} 2.5" for p in cands[1:3]),
            "candidates": [{"place_id": p[0], "name_ar": p[1], "name_en": p[2], "kind": p[3],
                            "score": round(4.77 - k, 2), "distance_km": None if k == 3 else 0.0 + 11.4 * k,
                            "why": w, "chosen": k == 0} for k, (p, w) in enumerate(zip(cands, whys))]}


def candidates_extract(text, published=None, title=None, report_id=None, path=None):
    """Fake extractor: a place mention with candidates at every 'حلب', one event at the first."""
    mentions, at = [], -1
    while (at := text.find("حلب", at + 1)) >= 0:
        mentions.append(place_mention("حلب", at, n=1 + len(mentions) % 4, i=len(mentions) + len(text)))
    mentions.append({"kind": "date", "start": 0, "end": 3, "text": text[:3], "date": "2016-12-05", "precision": "day"})
    first = mentions[0]
    place = {k: first[k] for k in ("text", "start", "end", "resolved", "place_id", "pcode", "name_ar", "name_en",
                                   "place_kind", "lat", "lon", "geo_precision")}
    events = [{"id": "e1", "date": "2016-12-05", "date_precision": "day", "event_type": "Battles",
               "sub_event_type": "Armed clash", "actors": [], "actor1": None, "actor2": None, "place": place,
               "killed": None, "injured": None, "weapons": [], "confidence": 0.9,
               "evidence": {"start": 0, "end": len(text), "text": text}}]
    return {"report": {"id": report_id, "path": path, "published": published, "title": title},
            "mentions": mentions, "events": events}


def same_tree(a, b) -> bool:
    """Equal, and of the same types all the way down (1 is not 1.0, True is not 1)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_tree(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(map(same_tree, a, b))
    return a == b or (a != a and b != b)


def round_trip(m: dict, pin: bool = False) -> tuple[dict, str | None]:
    cols = records.mention_columns(m)
    extra = records.encode_mention(m, cols, pin=pin)
    return records.decode_mention({**cols, "extra": extra}), extra


# -- the encoding --------------------------------------------------------------------------------
def test_real_shaped_mentions_round_trip_and_shrink():
    for n in range(0, 5):
        for i in range(4):
            m = place_mention("حلب", 10, n, i)
            back, extra = round_trip(m)
            assert same_tree(back, m)
            assert same_tree(round_trip(m, pin=True)[0], m)
            if n:
                assert '"candidates"' not in extra and '"reason"' not in extra
                plain = records.dumps({k: v for k, v in m.items()
                                       if k in ("key", "trigger", "place_kind", "reason", "candidates")})
                assert len(extra.encode()) < 0.6 * len(plain.encode())


_texts = st.lists(st.sampled_from(list("حلب كرم; (+)':,.0123") + ["\ue000", "\ue105", "\ue1ff", "\uf000"]
                                  + list(records._PHRASES) + ["; ", "near the report's other places (+1.2): "]),
                  max_size=12).map("".join)
_scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False), _texts)
_cand = st.one_of(
    st.fixed_dictionaries({"place_id": st.one_of(st.none(), st.sampled_from(["C1007", "SY02", "A-0001"]), st.integers()),
                           "name_ar": st.one_of(st.none(), st.sampled_from(["حلب", "كرم ميسر"])),
                           "name_en": st.one_of(st.none(), st.just("Aleppo")),
                           "kind": st.one_of(st.none(), st.sampled_from(["community", "governorate"])),
                           "score": st.one_of(st.floats(allow_nan=False), st.integers()),
                           "distance_km": st.one_of(st.none(), st.floats(allow_nan=False)),
                           "why": st.one_of(_texts, st.none()), "chosen": st.one_of(st.booleans(), st.integers(0, 1))}),
    st.dictionaries(st.sampled_from(records._CAND_KEYS + ("extra",)), _scalars, max_size=4),
    st.lists(_scalars, max_size=4), _scalars,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cands=st.one_of(st.lists(_cand, max_size=4), _scalars), reason=st.one_of(_texts, _scalars),
       own=st.sampled_from([("C1007", "حلب", "Aleppo", "community"), (None, None, None, None),
                            ("SY02", "حلب", "Aleppo", "governorate")]),
       reason_from_whys=st.booleans(), pin=st.booleans(), present=st.sets(st.sampled_from(["reason", "place_kind"])))
def test_any_candidates_round_trip_exactly(cands, reason, own, reason_from_whys, pin, present):
    """Whatever the lists hold (missing or extra keys, other types, texts holding the private-use
    characters the encoding uses, a list instead of a dict), decoding gives the mention back."""
    m = {"kind": "place", "start": 3, "end": 6, "text": "حلب", "resolved": own[0] is not None, "place_id": own[0],
         "pcode": own[0], "name_ar": own[1], "name_en": own[2], "lat": 36.2, "lon": 37.1, "geo_precision": 1,
         "candidates": cands}
    if "place_kind" in present:
        m["place_kind"] = own[3]
    if "reason" in present:
        if reason_from_whys and isinstance(cands, list):
            whys = [c.get("why") for c in cands if isinstance(c, dict) and isinstance(c.get("why"), str)]
            reason = "; ".join(w for w in whys for w in w.split("; ")[::-1]) + "; over " + str(reason)
        m["reason"] = reason
    for c in (cands if isinstance(cands, list) else []):  # the own place in the list, as the chosen one
        if isinstance(c, dict) and len(c) == 8 and c.get("chosen") is True:
            c.update(place_id=own[0], name_ar=own[1], name_en=own[2], kind=own[3])
    back, _ = round_trip(m, pin=pin)
    assert same_tree(back, m)


# -- writing and reading through the store --------------------------------------------------------
TEXT = "حلب - اشتباكات في حلب وريف حلب الشمالي، وقصف على أحياء حلب الشرقية."


@pytest.fixture()
def store(tmp_path):
    st_ = open_store(tmp_path / "c.db", extractor=candidates_extract, extractor_version="1.0")
    yield st_
    st_.dispose()


def _mentions_by_span(store, rid):
    rep = queries.get_report(store, rid)
    return sorted(rep["mentions"]["data"], key=lambda d: (d["start"], d["kind"]))


def _expected(text):
    return sorted(candidates_extract(text)["mentions"], key=lambda d: (d["start"], d["kind"]))


def test_ingest_and_group_write_compact_and_decode_exactly(store, tmp_path):
    rid = ingest_text(store, TEXT).report_ids[0]           # one report per transaction
    folder = tmp_path / "in"
    folder.mkdir()
    texts = [f"تقرير {i}\n{TEXT} " + "حلب " * (i % 3) for i in range(6)]
    for i, t in enumerate(texts):
        (folder / f"r{i}.txt").write_text(t, encoding="utf-8")
    s = ingest_paths(store, [folder], progress=False)      # one group
    assert s.added == 6
    for r, t in zip([rid, *s.report_ids], [TEXT, *texts]):
        got = _mentions_by_span(store, r)
        assert all(map(same_tree, got, _expected(t))) and len(got) == len(_expected(t))
    with store.read() as c:
        extras = [r[0] for r in c.execute(select(M.c.extra).where(M.c.kind == "place"))]
    assert extras and not any('"candidates"' in e or '"reason"' in e for e in extras)


def _to_pre_m008(store) -> int:
    """Rewrite every compact mention as the code before m008 wrote it (candidates and reason as
    given) and forget that m008 ran: a database as the previous version left it."""
    n = 0
    with store.write() as c:
        for row in c.execute(select(M)).fetchall():
            x = json.loads(row.extra) if row.extra else {}
            if records._CZ not in x:
                continue
            m = records.decode_mention(row)
            rz = x.pop(records._RZ, None)
            del x[records._CZ]
            x["candidates"] = m["candidates"]
            if rz is not None:
                x["reason"] = m["reason"]
            c.execute(update(M).where(M.c.id == row.id).values(extra=records.dumps(x)))
            n += 1
        c.execute(delete(migrations_table()).where(migrations_table().c.name == "m008_compact_candidates"))
    return n


def migrations_table():
    from store.migrations import migrations_table as t
    return t


def test_m008_converts_a_database_written_before_it(store, tmp_path):
    rids = [ingest_text(store, TEXT + " " + "حلب " * i).report_ids[0] for i in range(3)]
    # an analyst's correction of a place mention: its extracted mention is kept whole in extra
    with store.read() as c:
        mid = c.execute(select(M.c.id).where(M.c.report_id == rids[0], M.c.kind == "place")
                        .order_by(M.c.start)).scalars().first()
    cid = add_correction(store, field="place", mention_id=mid, author="t",
                         new_value={"place_id": "N0189", "name_ar": "الجلوم", "name_en": "Al-Jalloum", "lat": 36.2,
                                    "lon": 37.15, "geo_precision": 1})
    before = {r: _mentions_by_span(store, r) for r in rids}
    assert _to_pre_m008(store) > 5
    with store.read() as c:
        assert c.execute(select(M.c.id).where(M.c.extra.like('%"candidates"%'))).first() is not None
        size_old = sum(len(r[0].encode()) for r in c.execute(select(M.c.extra).where(M.c.extra.is_not(None))))
    path = store.path
    store.dispose()

    st2 = open_store(path, extractor=candidates_extract, extractor_version="1.0")   # runs m008
    try:
        with st2.read() as c:
            assert "m008_compact_candidates" in migrations.applied(c)
            assert c.execute(select(M.c.id).where(M.c.extra.like('%"candidates"%'))).first() is None
            size_new = sum(len(r[0].encode()) for r in c.execute(select(M.c.extra).where(M.c.extra.is_not(None))))
            corrected = c.execute(select(M).where(M.c.id == mid)).one()
        assert size_new < 0.6 * size_old
        for i, r in enumerate(rids):
            got = _mentions_by_span(st2, r)
            assert all(map(same_tree, got, before[r])) and len(got) == len(before[r])
            expected = _expected(TEXT + " " + "حلب " * i)
            assert all(map(same_tree, got, expected))            # the extractor's dicts, exactly
        assert corrected.place_id == "N0189" and corrected.corrected  # the columns keep the correction
        revert_correction(st2, cid, author="t")                      # and the revert finds the extraction
        with st2.read() as c:
            assert c.execute(select(M.c.place_id).where(M.c.id == mid)).scalar_one() == "C1007"
        assert all(map(same_tree, _mentions_by_span(st2, rids[0]), before[rids[0]]))
    finally:
        st2.dispose()
