"""Resolution: the sample report, the traps from issue 2, strictness outside Aleppo, robustness."""
import csv
import json
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from arabic import name_key
from geo import MentionQuery, Resolution, load_gazetteer, mention
from geo.gazetteer import TRIGGER_KINDS, normalize_trigger

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
SAMPLE = SAMPLES / "aleppo-frontline-2016-12-06"
needs_sample = pytest.mark.skipif(not SAMPLE.with_suffix(".txt").exists(),
                                  reason="../shared/samples is absent (the sample report is not shipped)")


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer()


def query_in(text: str, name: str, after: int = 0) -> MentionQuery:
    """What the extractor sends for ``name`` found in ``text``: the key, and the word
    before it as trigger when that word is one."""
    start = text.index(name, after)
    q = mention(name, start=start)
    before = text[:start].split()
    trigger = normalize_trigger(before[-1]) if before else None
    return q if q.trigger or trigger not in TRIGGER_KINDS else MentionQuery(q.surface, q.key, trigger, q.start, q.end)


def resolve_in(gaz, text: str, *names: str) -> dict[str, Resolution]:
    queries = [query_in(text, n) for n in names]
    return dict(zip(names, gaz.resolve_all(queries)))


def ids(res: dict[str, Resolution]) -> dict[str, str | None]:
    return {n: r.place.id if r.place else None for n, r in res.items()}


# ---------------------------------------------------------------- the sample report
@needs_sample
def test_every_sample_place_resolves_to_its_pcode_or_hand_kept_entry(gaz):
    text = SAMPLE.with_suffix(".txt").read_text(encoding="utf-8")
    expected = json.loads(SAMPLE.with_suffix(".expected.json").read_text(encoding="utf-8"))["places"]
    queries = []
    for p in expected:
        at = text.index(p["surface"])
        name = p["name_ar"] if p["name_ar"] in p["surface"] else p["surface"]
        queries.append(query_in(text, name, at))
    got = gaz.resolve_all(queries)
    hand_kept = {"الأحياء الشرقية": "M-east-aleppo", "الإذاعة": "M-idaa", "جب الجلبي": "M-jubb-jalabi",
                 "قلعة حلب": "M-citadel", "حلب القديمة": "M-old-city",
                 "ريف حلب الشمالي": "M-rif-halab-north", "ريف حلب الغربي": "M-rif-halab-west"}
    wrong = {p["surface"]: (r.place.id if r.place else None, r.reason)
             for p, r in zip(expected, got)
             if (r.place.id if r.place else None) != (p["pcode"] or hand_kept[p["name_ar"]])}
    assert not wrong


@needs_sample
def test_sample_coordinates_match_the_expected_file(gaz):
    expected = json.loads(SAMPLE.with_suffix(".expected.json").read_text(encoding="utf-8"))["places"]
    for p in expected:
        if p["pcode"]:
            place = gaz.place(p["pcode"])
            assert (round(place.lat, 4), round(place.lon, 4)) == (round(p["lat"], 4), round(p["lon"], 4))
    citadel = gaz.place("M-citadel")
    assert (round(citadel.lat, 4), round(citadel.lon, 4)) == (36.1993, 37.1629)


# ---------------------------------------------------------------- traps
def test_zahraa_beside_nubl_is_the_town(gaz):
    text = "قصف الميليشيات في بلدتي نبل والزهراء بريف حلب الشمالي"
    assert ids(resolve_in(gaz, text, "نبل", "الزهراء", "ريف حلب الشمالي")) == {
        "نبل": "C1655", "الزهراء": "C1646", "ريف حلب الشمالي": "M-rif-halab-north"}


def test_zahraa_with_hayy_is_the_city_neighbourhood(gaz):
    text = "اشتباكات في حي الزهراء غرب مدينة حلب قرب حي الخالدية"
    assert ids(resolve_in(gaz, text, "حي الزهراء", "حي الخالدية")) == {"حي الزهراء": "N0135", "حي الخالدية": "N0127"}


def test_zahraa_alone_is_ambiguous_not_guessed(gaz):
    [res] = gaz.resolve_all([MentionQuery("الزهراء", "زهراء")])
    assert res.place is None and "ambiguous" in res.reason
    assert {"C1646", "N0135"} <= {c.place.id for c in res.candidates}


def test_andan_is_not_andan_al_sheikh(gaz):
    [res] = gaz.resolve_all([mention("عندان")])
    assert res.place.id == "C1121"
    assert "C1074" not in {c.place.id for c in res.candidates}
    assert gaz.resolve_all([mention("عندان الشيخ")])[0].place.id == "C1074"


def test_atareb_is_the_town_not_its_neighbours(gaz):
    [res] = gaz.resolve_all([mention("الأتارب")])
    assert res.place.id == "C1022"
    assert not {"C1036", "C1038"} & {c.place.id for c in res.candidates}


def test_jubb_al_jalabi_never_becomes_al_jalabiyeh(gaz):
    for spelling in ("جب الجلبي", "جبل الجلبي", "حي جب الجلبي"):
        [res] = gaz.resolve_all([mention(spelling)])
        assert res.place.id == "M-jubb-jalabi", spelling
    assert gaz.resolve_all([mention("الجلبي")])[0].place is None
    suggested = [c.place.id for c in gaz.suggest("جب الجلبي", limit=10)]
    assert suggested[0] == "M-jubb-jalabi"


def test_jubb_al_jalabi_does_not_claim_a_precise_pin(gaz):
    for pid in ("M-jubb-jalabi", "M-idaa", "M-east-aleppo"):
        assert gaz.place(pid).geo_precision >= 2


def test_citadel_is_the_landmark_not_qalaat_al_sharif(gaz):
    [res] = gaz.resolve_all([mention("قلعة حلب")])
    assert res.place.id == "M-citadel" and res.place.kind == "landmark"
    assert gaz.resolve_all([mention("حي قلعة الشريف")])[0].place.id == "N0198"


def test_rif_halab_al_gharbi_is_the_western_countryside_and_narrows(gaz):
    text = "غارات على بلدة الأتارب بريف حلب الغربي"
    res = resolve_in(gaz, text, "الأتارب", "ريف حلب الغربي")
    assert ids(res) == {"الأتارب": "C1022", "ريف حلب الغربي": "M-rif-halab-west"}
    assert gaz.contains(gaz.place("M-rif-halab-west"), gaz.place("C1022"))
    assert not gaz.contains(gaz.place("M-rif-halab-west"), gaz.place("C1655"))


def test_a_countryside_region_decides_between_same_name_towns(gaz):
    # Two Aleppo-governorate communities are called المنصورة; neither is in the west.
    # With a region named beside it, only the one in that region gains.
    both = [c.place.id for c in gaz.resolve_all([mention("المنصورة")])[0].candidates
            if c.place.in_aleppo_gov]
    assert len(both) >= 2
    text = "قصف على المنصورة بريف حلب الجنوبي"
    south = [p for p in both if gaz.contains(gaz.place("M-rif-halab-south"), gaz.place(p))]
    assert len(south) == 1
    assert resolve_in(gaz, text, "المنصورة", "ريف حلب الجنوبي")["المنصورة"].place.id == south[0]


@pytest.mark.parametrize("surface, pid", [("الميسر", "N0194"), ("حي الميسّر", "N0194"), ("كرم الميسر", "N0194"),
                                          ("الجزماتي", "N0187"), ("كرم الجزماتي", "N0187"),
                                          ("الأشرفية", "N0128"), ("بني زيد", "N0124"),
                                          ("الراموسة", "N0226"), ("الشيخ مقصود", "N0123"), ("الشيخ سعيد", "N0225"),
                                          ("حندرات", "C7444"), ("مخيم حندرات", "N0227"),
                                          ("مطار حلب الدولي", "M-airport"), ("ثكنة هنانو", "M-hanano-barracks"),
                                          ("الإذاعة", "M-idaa"), ("طريق الكاستيلو", "M-castello-road"),
                                          ("الأحياء الشرقية", "M-east-aleppo"), ("حلب القديمة", "M-old-city"),
                                          ("مدينة حلب", "C1007"), ("حلب", "C1007"), ("محافظة حلب", "SY02")])
def test_aliases_reports_use(gaz, surface, pid):
    [res] = gaz.resolve_all([mention(surface)])
    assert res.place is not None and res.place.id == pid, res.reason


def test_a_city_quarter_that_is_also_a_village_needs_context(gaz):
    # CSR lists باب الحديد under البياضة (N0178); OCHA also has a village of that name.
    assert gaz.resolve_all([mention("باب الحديد")])[0].place is None
    text = "اشتباكات في باب الحديد قرب قاضي عسكر"
    assert ids(resolve_in(gaz, text, "باب الحديد", "قاضي عسكر")) == {"باب الحديد": "N0178", "قاضي عسكر": "N0174"}


# ---------------------------------------------------------------- strictness
def test_outside_aleppo_matches_its_own_full_name(gaz):
    [res] = gaz.resolve_all([mention("دمشق")])
    assert res.place.id == "C1001"


def test_outside_aleppo_never_matches_a_derived_alias():
    gaz = load_gazetteer()
    derived = {}
    with open(gaz.directory / "aliases.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    hits_per_key = {}
    for r in rows:
        hits_per_key[r["key"]] = hits_per_key.get(r["key"], 0) + 1
    for r in rows:
        place = gaz.place(r["place_id"])
        if r["alias_source"] == "rule:split" and not place.in_aleppo_gov and hits_per_key[r["key"]] == 1:
            derived[r["key"]] = r["place_id"]
    assert derived, "expected some split-name aliases outside Aleppo"
    key, pid = sorted(derived.items())[0]
    [res] = gaz.resolve_all([MentionQuery(key, key)])
    assert res.place is None and "derived alias" in res.reason
    assert [c.place.id for c in res.candidates] == [pid]


def test_common_words_need_a_trigger_or_a_listed_neighbour(gaz):
    assert gaz.resolve_all([mention("الشهداء")])[0].place is None
    assert gaz.resolve_all([mention("حي الشهداء")])[0].place.id == "N0172"
    text = "قصف على أحياء حلب الجديدة والشهداء"
    res = resolve_in(gaz, text, "حلب الجديدة", "الشهداء")
    assert ids(res) == {"حلب الجديدة": "N0184", "الشهداء": "N0172"}
    # a common word outside Aleppo never matches, even with a trigger
    [res] = gaz.resolve_all([MentionQuery("الحرية", "حريه")])
    assert res.place is None


def test_each_common_word_really_collides_with_a_place():
    # either it is a place's alias, or it is listed to stop the كرم X → X rule (كرم الجبل)
    gaz = load_gazetteer()
    unused = sorted(k for k in gaz.common_keys if not gaz.candidates(k) and not gaz.candidates(f"كرم {k}"))
    assert not unused


def test_fuzzy_matching_never_resolves(gaz):
    [res] = gaz.resolve_all([mention("الجزماتى")])   # alef maksura folds: still exact
    assert res.place.id == "N0187"
    [res] = gaz.resolve_all([mention("الجزماتيه")])  # one letter off: no exact alias
    assert res.place is None and not res.candidates
    assert gaz.suggest("الجزماتيه", limit=3)[0].place.id == "N0187"


def test_every_resolution_explains_itself(gaz):
    text = "قصف على بلدتي نبل والزهراء وحي الزهراء والشهداء"
    for res in resolve_in(gaz, text, "نبل", "الزهراء", "حي الزهراء", "الشهداء").values():
        assert res.reason and "\n" not in res.reason
        assert all(c.reasons for c in res.candidates)


def test_proclitics_and_trigger_words_are_tolerated(gaz):
    assert gaz.resolve_all([MentionQuery("والزبدية", "وزبديه")])[0].place.id == "N0208"
    assert gaz.resolve_all([MentionQuery("بحي الجلوم", "حي جلوم")])[0].place.id == "N0189"
    assert gaz.lookup_token("للمعصرانيه")[0] == "معصرانيه"


# ---------------------------------------------------------------- robustness
@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40), st.one_of(st.none(), st.text(max_size=8)), st.one_of(st.none(), st.integers(0, 10**6)))
def test_any_string_never_crashes(surface, trigger, start):
    gaz = load_gazetteer()
    key = name_key(surface)
    assert isinstance(gaz.candidates(key), list)
    assert len(gaz.suggest(surface)) <= 5
    [res] = gaz.resolve_all([MentionQuery(surface, key, trigger, start, None if start is None else start + len(surface))])
    assert isinstance(res, Resolution)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(["نبل", "الزهراء", "حي الزهراء", "الأتارب", "الشهداء", "ريف حلب الغربي",
                                 "جب الجلبي", "حلب", "دمشق", "الحرية", "xyz", ""]), max_size=8))
def test_any_mix_of_mentions_resolves_one_per_query(names):
    gaz = load_gazetteer()
    queries, pos = [], 0
    for n in names:
        queries.append(mention(n, start=pos))
        pos += len(n) + 1
    assert len(gaz.resolve_all(queries)) == len(queries)


@pytest.mark.parametrize("word", ["مقاطع", "قطر", "أبرز", "صغيرة", "شهيد", "الشهداء", "تشرين", "6 تشرين",
                                  "الطيران الحربي", "علي", "المدينة"])
def test_report_vocabulary_seen_in_the_dev_corpus_does_not_become_a_place(gaz, word):
    # each of these is an alias of some village; without a trigger it is just a word
    res = gaz.resolve_all([mention(word)])[0]
    assert res.place is None, res.reason
