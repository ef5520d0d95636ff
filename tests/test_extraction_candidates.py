"""0.2.1: every place mention carries ``candidates``, the places geo weighed, so an analyst can
see why one was chosen over the others (issue 6). Real gazetteer."""
from pathlib import Path

import pytest

from extraction import EXTRACTOR_VERSION, extract_text

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "samples" / "aleppo-frontline-2016-12-06.txt"
FIELDS = {"place_id", "name_ar", "name_en", "kind", "score", "distance_km", "why", "chosen"}


def places(text, published="2016-12-06"):
    return [m for m in extract_text(text, published=published)["mentions"] if m["kind"] == "place"]


def check_shape(m):
    cands = m["candidates"]
    assert isinstance(cands, list) and len(cands) <= 5
    for c in cands:
        assert set(c) == FIELDS
        assert round(c["score"], 2) == c["score"]
        assert isinstance(c["why"], str) and "\n" not in c["why"]
    chosen = [c for c in cands if c["chosen"]]
    if m["resolved"] and cands:
        assert cands[0]["chosen"] and cands[0]["place_id"] == m["place_id"]
        assert len(chosen) == 1 and cands[0]["distance_km"] == 0.0
        assert len(cands) >= 2, "a lone candidate is left to the mention's reason"
    elif m["resolved"]:
        assert "only match" in m["reason"]
    else:
        assert not chosen
        assert all(c["distance_km"] is None for c in cands)
    assert len({c["place_id"] for c in cands}) == len(cands)


def test_version():
    assert tuple(map(int, EXTRACTOR_VERSION.split("."))) >= (0, 3, 0)  # 0.4.0: bumped since


def test_a_lone_candidate_is_not_repeated():
    (m,) = [m for m in places("قصف على حي الجلوم.") if m["text"] == "الجلوم"]
    assert m["place_id"] == "N0189" and m["candidates"] == []
    assert "only match" in m["reason"]


def test_no_private_working_fields_leak():
    for m in extract_text("قصف على حي الجلوم وبلدة عندان، مقتل 3 مدنيين أمس.", published="2016-12-06")["mentions"]:
        assert not [k for k in m if k.startswith("_")]


@pytest.mark.skipif(not SAMPLE.exists(), reason="shared sample missing")
def test_sample_zahraa_lists_the_neighbourhood_it_beat():
    ms = places(SAMPLE.read_text(encoding="utf-8"))
    for m in ms:
        check_shape(m)
    (z,) = [m for m in ms if m["text"] == "الزهراء"]
    first = z["candidates"][0]
    assert (first["place_id"], first["chosen"], first["kind"]) == ("C1646", True, "community")
    assert "نبل" in first["why"]
    by_id = {c["place_id"]: c for c in z["candidates"]}
    n0135 = by_id["N0135"]
    assert n0135["chosen"] is False and n0135["kind"] == "neighbourhood"
    assert n0135["score"] < first["score"]
    assert "نبل" in n0135["why"] and "near" in n0135["why"]      # weighed by nearness to نبل
    assert n0135["distance_km"] is not None and 10 < n0135["distance_km"] < 30   # the city, ~17 km away
    assert "trigger" in n0135["why"]                               # بلدة asks for a town


def test_unresolved_after_trigger_has_no_suggestions():
    (m,) = [m for m in places("سقطت قذائف على حي القرنفلاوي صباح اليوم.") if m["text"] == "القرنفلاوي"]
    assert m["resolved"] is False and m["trigger"] == "حي"
    check_shape(m)
    # nothing fuzzy here: review suggestions come from gaz.suggest at review time
    assert all("fuzzy" not in c["why"] for c in m["candidates"])
    assert m["candidates"] == []


def test_a_tie_lists_the_tied_places_none_chosen():
    (m,) = [m for m in places("اشتباكات عنيفة في منطقة الزهراء مساء اليوم.") if m["text"] == "الزهراء"]
    assert m["resolved"] is False
    check_shape(m)
    ids = [c["place_id"] for c in m["candidates"][:2]]
    assert set(ids) == {"C1646", "N0135"}
    assert m["candidates"][0]["score"] == m["candidates"][1]["score"]


def test_excluded_candidates_say_why():
    (m,) = [m for m in places("غارات على حي الزهراء وحي الشهداء.") if m["text"] == "الشهداء"]
    check_shape(m)
    assert m["place_id"] == "N0172"
    excluded = [c for c in m["candidates"] if c["why"].startswith("excluded")]
    assert excluded and all(c["score"] == 0.0 for c in excluded)


def test_candidates_from_a_resolver_without_them():
    from extraction.pipeline import candidate_list
    assert candidate_list(None) == []

    class Odd:
        place = None
        candidates = [object()]
    assert candidate_list(Odd()) == []
