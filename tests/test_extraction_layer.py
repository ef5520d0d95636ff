"""extract_text(..., gazetteer=...) with the analyst's gazetteer layer (issue 6): places an
analyst added resolve in later reports; the default output is unchanged. Phrasings are
composed for the test; the gazetteer is the real one."""
import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from extraction import extract_text
from geo import layer_from_rows, load_gazetteer

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "reports" / "aleppo-frontline-2016-12-06.txt"
SCHEMA = json.loads((ROOT / "extraction" / "schema.json").read_text(encoding="utf-8"))

TEXT = "قصفت قوات النظام بالمدفعية حي الصنوبرات في مدينة حلب صباح اليوم، ما أدى إلى مقتل 4 مدنيين."


def analyst_row(place_id="A-0001", name_ar="الصنوبرات", lat=36.215, lon=37.13, **kw):
    r = {"place_id": place_id, "pcode": None, "name_ar": name_ar, "name_en": None, "kind": "neighbourhood",
         "lat": lat, "lon": lon, "geo_precision": 2, "aliases": None, "adm1_pcode": None, "adm2_pcode": None,
         "adm3_pcode": None, "adm4_pcode": None, "note": None, "author": "lina",
         "created_at": dt.datetime(2026, 11, 20, 9, 30)}
    r.update(kw)
    return r


@pytest.fixture(scope="module")
def layered():
    return load_gazetteer().with_layer(layer_from_rows([
        analyst_row(),
        analyst_row("A-0002", "النرجسة", pcode="N0156", lat=None, lon=None),   # alias-only
        analyst_row("A-0003", "تل الكستناء الكبير", lat=36.25, lon=37.05, kind="community", aliases="الكستنا"),
    ]))


def places(doc):
    return [(m["text"], m["resolved"], m["place_id"]) for m in doc["mentions"] if m["kind"] == "place"]


def test_unknown_place_after_trigger_resolves_with_the_layer(layered):
    base = extract_text(TEXT, published="2016-12-06")
    assert ("الصنوبرات", False, None) in places(base)
    doc = extract_text(TEXT, published="2016-12-06", gazetteer=layered)
    m = next(m for m in doc["mentions"] if m["kind"] == "place" and m["text"] == "الصنوبرات")
    assert m["resolved"] and m["place_id"] == "A-0001" and m["pcode"] is None
    assert (m["lat"], m["lon"], m["geo_precision"], m["place_kind"]) == (36.215, 37.13, 2, "neighbourhood")
    assert "analyst place added 2026-11-20" in m["reason"]
    assert TEXT[m["start"]:m["end"]] == m["text"]
    # the toll goes to the analyst's quarter, not to the city
    ev = [e for e in doc["events"] if e["killed"]]
    assert ev and ev[0]["place"]["place_id"] == "A-0001", ev
    jsonschema.validate(doc, SCHEMA)


def test_alias_only_entry_maps_a_surface_to_an_existing_pcode(layered):
    text = "سقطت قذائف على حي النرجسة في حلب اليوم."
    assert ("النرجسة", False, None) in places(extract_text(text))
    doc = extract_text(text, gazetteer=layered)
    m = next(m for m in doc["mentions"] if m["kind"] == "place" and m["place_id"] == "N0156")
    assert m["text"] == "النرجسة" and m["pcode"] == "N0156" and "analyst alias added" in m["reason"]


def test_layer_names_are_scanned_bare_and_in_lists(layered):
    text = "تعرضت بلدات حريتان وتل الكستناء الكبير وعندان لقصف جوي، كما استهدف القصف الكستنا."
    got = places(extract_text(text, gazetteer=layered))
    assert ("تل الكستناء الكبير", True, "A-0003") in got, got
    assert ("الكستنا", True, "A-0003") in got, got
    assert ("حريتان", True, "C1130") in got and ("عندان", True, "C1121") in got


def test_default_gazetteer_is_the_base_one():
    base = load_gazetteer()
    assert extract_text(TEXT, published="2016-12-06") == extract_text(TEXT, published="2016-12-06", gazetteer=base)


@pytest.mark.skipif(not SAMPLE.exists(), reason="shipped sample report missing")
def test_empty_layer_gives_the_base_output_on_the_sample():
    text = SAMPLE.read_text(encoding="utf-8")
    empty = load_gazetteer().with_layer([])
    assert extract_text(text, published="2016-12-06", gazetteer=empty) == extract_text(text, published="2016-12-06")


@pytest.mark.skipif(not SAMPLE.exists(), reason="shipped sample report missing")
def test_layer_changes_only_what_it_names_on_the_sample(layered):
    text = SAMPLE.read_text(encoding="utf-8")
    assert extract_text(text, published="2016-12-06", gazetteer=layered) == extract_text(text, published="2016-12-06")


def test_the_base_gazetteer_is_untouched_after_extraction(layered):
    extract_text(TEXT, gazetteer=layered)
    base = load_gazetteer()
    assert base.layer_places() == [] and "صنوبرات" not in base and "صنوبرات" not in base.alias_keys()
    assert ("الصنوبرات", False, None) in places(extract_text(TEXT))


names = st.text(alphabet="ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئةى _-ـ0123456789#،.", min_size=1, max_size=25)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=names, tail=names)
def test_arbitrary_analyst_names_never_crash_extraction(name, tail):
    gaz = load_gazetteer().with_layer(layer_from_rows([analyst_row("A-0001", name, aliases=tail)]))
    text = f"قصفت الطائرات حي {name} وبلدة {tail} ومدينة حلب، ما أدى إلى مقتل 3 مدنيين في {name}."
    doc = extract_text(text, published="2016-12-06", gazetteer=gaz)
    for m in doc["mentions"]:
        assert text[m["start"]:m["end"]] == m["text"]
    jsonschema.validate(doc, SCHEMA)
