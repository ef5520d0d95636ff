"""The analyst's gazetteer layer (issue 6): Gazetteer.with_layer and geo.layer_from_rows.
Names are composed for the test; the built gazetteer is the real one."""
import datetime as dt
import pickle

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from arabic import name_key
from geo import MentionQuery, Place, kind_for_trigger, layer_from_rows, load_gazetteer, mention
from geo.layer import ROW_KEYS


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer()


def row(place_id="A-0001", name_ar="الصنوبرات", lat=36.215, lon=37.13, **kw):
    """A row as store.queries.analyst_places returns it (store/schema.py analyst_places)."""
    r = dict.fromkeys(ROW_KEYS)
    r.update(place_id=place_id, name_ar=name_ar, lat=lat, lon=lon, kind="neighbourhood", geo_precision=2,
             author="lina", created_at=dt.datetime(2026, 11, 20, 9, 30))
    r.update(kw)
    return r


def resolve(g, surface, trigger=None, start=100):
    return g.resolve_all([MentionQuery(surface, name_key(surface), trigger, start, start + len(surface))])[0]


def snapshot(g):
    return pickle.dumps((sorted(g._places.items()), sorted((k, list(v)) for k, v in g._aliases.items()),
                         g.max_alias_words, g.alias_keys(), g.common_keys))


def test_row_keys_are_the_store_columns():
    schema = pytest.importorskip("store.schema")
    assert set(ROW_KEYS) == {c.name for c in schema.analyst_places.columns}


def test_unknown_place_after_a_trigger_resolves_to_the_analyst_place(gaz):
    assert resolve(gaz, "الصنوبرات", "حي").place is None
    layered = gaz.with_layer(layer_from_rows([row()]))
    res = resolve(layered, "الصنوبرات", "حي")
    assert res.place is not None and res.place.id == "A-0001"
    p = res.place
    assert (p.source, p.pcode, p.kind, p.lat, p.lon, p.geo_precision) == ("analyst", None, "neighbourhood",
                                                                         36.215, 37.13, 2)
    assert p.in_aleppo_gov and p.adm1_pcode == "SY02" and p.adm4_pcode == "C1007"   # parents from the nearest quarter
    assert "analyst place added 2026-11-20 by lina" in res.reason
    # article, proclitics, ta marbuta: the same folding as the built names
    for surface in ("صنوبرات", "والصنوبرات", "بالصنوبرات"):
        assert layered.lookup_token(name_key(surface) if surface == "صنوبرات" else surface)[1][0].id == "A-0001"
    assert gaz.contains(gaz.place("C1007"), p)


def test_names_get_the_builds_variants(gaz):
    layered = gaz.with_layer(layer_from_rows([row(name_ar="حي الصنوبرات - حلب", aliases="مزرعة الكستناء;البنفسجة")]))
    for surface in ("حي الصنوبرات - حلب", "الصنوبرات", "مزرعة الكستناء", "البنفسجة"):
        res = resolve(layered, surface)
        assert res.place is not None and res.place.id == "A-0001", (surface, res.reason)
    res = layered.resolve_all([mention("حي الصنوبرات", start=5)])[0]
    assert res.place.id == "A-0001"
    assert {name_key("الصنوبرات"), name_key("البنفسجة")} <= layered.layer_keys() <= layered.alias_keys()


def test_alias_only_entry_maps_a_surface_to_an_existing_place(gaz):
    surface = "المواصلات القديمة الجديدة"
    assert resolve(gaz, surface).place is None
    # from the store: a row whose pcode is a gazetteer place is an alias of it
    layered = gaz.with_layer(layer_from_rows([row("A-0002", surface, lat=None, lon=None, pcode="N0156")]))
    res = resolve(layered, surface)
    assert res.place is not None and res.place.id == "N0156" and res.place.lat == gaz.place("N0156").lat
    assert "analyst alias added 2026-11-20 by lina" in res.reason
    assert layered.layer_places() == []             # no new place
    # directly: {surface: place_id} or pairs
    for aliases in ({"الشعار الغربي": "N0156"}, [("الشعار الغربي", "N0156")]):
        res = resolve(gaz.with_layer(aliases=aliases), "الشعار الغربي")
        assert res.place is not None and res.place.id == "N0156", res.reason


def test_alias_to_unknown_place_is_reported_not_raised(gaz):
    layered = gaz.with_layer(aliases={"الكستناء": "X-nope"})
    assert resolve(layered, "الكستناء").place is None
    assert layered.layer_errors and "X-nope" in layered.layer_errors[0]


def test_analyst_name_wins_over_the_gazetteer_unless_the_trigger_contradicts(gaz):
    before = resolve(gaz, "الزهراء")
    assert before.place is None                        # ambiguous: C1646 / N0135
    layered = gaz.with_layer(layer_from_rows([row("A-0003", "الزهراء", lat=36.36, lon=37.02, kind="community")]))
    res = resolve(layered, "الزهراء")
    assert res.place.id == "A-0003" and "wins over the gazetteer's" in res.reason
    assert any(c.place.id == "C1646" and c.reasons[0].startswith("overridden") for c in res.candidates)
    assert resolve(layered, "الزهراء", "بلده").place.id == "A-0003"
    # "حي الزهراء" asks for a neighbourhood: the analyst's town takes no precedence
    assert resolve(layered, "الزهراء", "حي").place.id == "N0135"
    assert layered.layer_overrides()[name_key("الزهراء")][0] == ["A-0003"]


def test_alias_only_entry_decides_an_ambiguous_name(gaz):
    layered = gaz.with_layer(aliases={"الزهراء": "C1646"})
    assert resolve(layered, "الزهراء").place.id == "C1646"
    assert resolve(layered, "الزهراء", "حي").place.id == "N0135"


def test_common_words_still_need_a_trigger(gaz):
    layered = gaz.with_layer(layer_from_rows([row("A-0004", "الشهداء", lat=36.2, lon=37.1)]))
    assert resolve(layered, "الشهداء").place is None
    assert resolve(layered, "الشهداء", "حي").place.id == "A-0004"


def test_places_outside_aleppo_are_not_excluded_for_the_analyst(gaz):
    layered = gaz.with_layer(aliases={"الورود الجديدة": "N0012"})    # a Damascus neighbourhood
    assert resolve(layered, "الورود الجديدة").place.id == "N0012"


def test_two_analyst_places_with_one_name_tie(gaz):
    layered = gaz.with_layer(layer_from_rows([row("A-0001"), row("A-0002", lat=36.1, lon=37.2)]))
    res = resolve(layered, "الصنوبرات")
    assert res.place is None and "ambiguous" in res.reason


def test_base_gazetteer_is_not_modified(gaz):
    before = snapshot(gaz)
    n = len(gaz)
    layered = gaz.with_layer(layer_from_rows([row(), row("A-0002", "الزهراء", aliases="الشعار"),
                                              row("A-0003", "المواصلات", pcode="N0156")]),
                             aliases={"حلب الجديدة": "C1007"})
    layered.alias_keys(), layered.suggest("الصنوبرات"), resolve(layered, "الزهراء")
    layered.with_layer([row("A-0009", "الكستناء")])
    assert snapshot(gaz) == before and len(gaz) == n and len(layered) == n + 2
    assert load_gazetteer() is gaz and gaz.base is None and gaz.layer_places() == []
    assert name_key("الصنوبرات") not in gaz and resolve(gaz, "الصنوبرات", "حي").place is None
    assert gaz.candidates(name_key("الشعار")) == [gaz.place("N0156")]


def test_layers_stack(gaz):
    one = gaz.with_layer(layer_from_rows([row()]))
    two = one.with_layer(layer_from_rows([row("A-0002", "الكستناء")]))
    assert resolve(two, "الصنوبرات").place.id == "A-0001" and resolve(two, "الكستناء").place.id == "A-0002"
    assert resolve(one, "الكستناء").place is None
    assert [p.id for p in two.layer_places()] == ["A-0001", "A-0002"]


def test_empty_layer_resolves_like_the_base(gaz):
    layered = gaz.with_layer([])
    qs = [mention(s, start=i * 30) for i, s in enumerate(
        ("بلدة الأتارب", "الزهراء", "حي الزهراء", "نبل", "الميسر", "ريف حلب الغربي", "المعادي", "الشهداء"))]
    assert [(r.place and r.place.id, r.reason, r.candidates) for r in layered.resolve_all(qs)] == \
           [(r.place and r.place.id, r.reason, r.candidates) for r in gaz.resolve_all(qs)]
    assert layered.alias_keys() == gaz.alias_keys() and layered.layer_keys() == frozenset()


def test_layer_from_rows_reads_a_dataframe_and_skips_unusable_rows(gaz):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame([row(), row("A-0002", "الكستناء", lat=None, lon=None),
                       row("A-0003", "   "), row("A-0004", "البنفسجة", geo_precision=None, kind=None,
                                                 created_at=pd.Timestamp("2026-11-21 10:00"))])
    entries = layer_from_rows(df)
    assert [e.get("id") for e in entries] == ["A-0001", "A-0004"]
    layered = gaz.with_layer(entries)
    p = resolve(layered, "البنفسجة").place
    assert (p.kind, p.geo_precision) == ("landmark", 2)
    assert "2026-11-21" in p.note


def test_place_objects_and_kind_for_trigger(gaz):
    p = Place("A-0100", None, "الكستناء", "Kastana", "community", None, None, None, None, 36.0, 36.9, 1,
              True, "analyst", "x")
    assert resolve(gaz.with_layer([p]), "الكستناء", "قريه").place.id == "A-0100"
    assert kind_for_trigger("حي") == "neighbourhood" and kind_for_trigger("بلدة") == "community"
    assert kind_for_trigger("مخيم") == "landmark"


def test_bad_entries_are_skipped(gaz):
    layered = gaz.with_layer([row("C1007", "الكستناء"), row("A-1", "الكستناء", lat="x"),
                              row("A-2", "الكستناء", lat=float("nan")), row("A-3", "الكستناء", lat=200.0),
                              None, 42, "نص", {"name_ar": None}])
    assert resolve(layered, "الكستناء").place is None and len(layered.layer_errors) == 4


names = st.one_of(st.text(max_size=40),
                  st.text(alphabet="ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئةى _-/()ـًٌٍَُِّْ0123456789 ", max_size=30))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=names, aliases=st.lists(names, max_size=3), kind=st.one_of(st.none(), st.text(max_size=12),
                                                                      st.sampled_from(["neighbourhood", "region"])),
       lat=st.one_of(st.none(), st.floats(allow_nan=True)), lon=st.floats(-180, 180))
def test_arbitrary_analyst_names_never_crash(gaz, name, aliases, kind, lat, lon):
    entries = layer_from_rows([row("A-0001", name, lat=lat, lon=lon, kind=kind, aliases=";".join(aliases)),
                               row("A-0002", name, pcode="N0156", lat=None, lon=None)])
    layered = gaz.with_layer(entries, aliases={a: "C1007" for a in aliases})
    for surface in [name, *aliases]:
        q = mention(surface, start=0)
        res = layered.resolve_all([q, MentionQuery(surface, q.key, "حي", 10, 20)])
        assert len(res) == 2
        layered.suggest(surface)
    assert gaz.base is None and gaz.layer_places() == [] and not gaz.layer_keys()


def test_prepared_candidates_are_kept_per_gazetteer(gaz):
    """The resolver keeps each key's scored candidates per gazetteer object: a layered gazetteer
    does not see the base's, nor the base the layer's, whichever resolves first."""
    assert resolve(gaz, "الصنوبرات", "حي").place is None
    layered = gaz.with_layer(layer_from_rows([row()]))
    assert resolve(layered, "الصنوبرات", "حي").place.id == "A-0001"
    assert resolve(gaz, "الصنوبرات", "حي").place is None
    again = gaz.with_layer(layer_from_rows([row("A-0009", "الصنوبرات", lat=36.3, lon=37.2)]))
    assert resolve(again, "الصنوبرات", "حي").place.id == "A-0009"
    # the candidates handed out are copies: changing one resolution's list changes no other
    first = resolve(gaz, "الزهراء", "بلده")
    first.candidates.clear()
    assert resolve(gaz, "الزهراء", "بلده").candidates
