"""Unit tests of the dashboard's pure parts: URL state, date ranges, escaping, assets, config."""
from __future__ import annotations

import json
import datetime as dt
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from dashboard import assets, safe
from dashboard.layers import js_json
from dashboard.mapview import place_rows, radius_px
from dashboard.state import FilterState, from_params, normalise_range, to_params

ROOT = Path(__file__).resolve().parents[1]
D = dt.date
OPTIONS = {"date_min": D(2016, 1, 1), "date_max": D(2016, 12, 31), "sides": ["government", "opposition"],
           "actors": {"A1": "Army", "A2": "Rebels"}, "event_types": ["Battles"], "sources": ["s1", "s,2"]}


def test_default_state_has_a_clean_url():
    assert to_params(from_params({}, OPTIONS), OPTIONS) == {}


def test_url_round_trip():
    s = FilterState(date_from=D(2016, 3, 1), date_to=D(2016, 4, 1), sides=["opposition"], actor_ids=["A1", "A2"],
                    event_types=["Battles"], sources=["s1"], min_killed=3, geo_precisions=[1, 2],
                    text="الميسر", colour_by="side", choropleth=True, timeline_by="event_type")
    params = to_params(s, OPTIONS)
    assert params["side"] == ["opposition"] and params["actor"] == ["A1", "A2"] and params["q"] == "الميسر"
    assert from_params(params, OPTIONS) == s


def test_bad_url_values_are_dropped_and_dates_clamped():
    s = from_params({"from": "2015-01-01", "to": "not a date", "side": ["nobody", "government"], "prec": "1,9,x",
                     "min_killed": "-4", "colour": "<b>", "choro": "maybe"}, OPTIONS)
    assert (s.date_from, s.date_to) == (D(2016, 1, 1), D(2016, 12, 31))
    assert s.sides == ["government"] and s.geo_precisions == [1] and s.min_killed == 0
    assert s.colour_by == "event_type" and s.choropleth is False
    s = from_params({"from": "2016-06-01", "to": "2016-02-01"}, OPTIONS)
    assert (s.date_from, s.date_to) == (D(2016, 2, 1), D(2016, 6, 1))


def test_filters_for_the_query_layer():
    f = FilterState(date_from=D(2016, 1, 1), date_to=D(2016, 2, 1), text="  ").filters()
    assert f.sides is None and f.min_killed is None and f.text is None and f.include_false is False


def test_date_input_mid_selection():
    prev = (D(2016, 1, 1), D(2016, 2, 1))
    assert normalise_range((), prev) == (prev, False)
    assert normalise_range((D(2016, 5, 1),), prev) == (prev, False)
    assert normalise_range((D(2016, 5, 9), D(2016, 5, 1)), prev) == ((D(2016, 5, 1), D(2016, 5, 9)), True)
    assert normalise_range(D(2016, 5, 1), prev) == ((D(2016, 5, 1), D(2016, 5, 1)), True)


def test_escaping():
    s = safe.text('<img src=x onerror="a()"> `${x}` \\ \n')
    assert "<" not in s and ">" not in s and '"' not in s and "`" not in s and "$" not in s and "\\" not in s
    assert safe.url("javascript:alert(1)") is None and safe.url("data:text/html,x") is None
    assert safe.url('https://e.org/?a=1&b="2"') == "https://e.org/?a=1&amp;b=&quot;2&quot;"
    assert safe.http_url(" https://e.org/x ") == "https://e.org/x" and safe.http_url("ftp://e.org") is None
    assert safe.text(None) == "" and safe.text(pd.NA) == "" and safe.text(float("nan")) == ""


def test_js_json_cannot_break_out():
    out = js_json(["</script><script>alert(1)</script>", "`${1}`", "a\u2028b", "&amp;"])
    for bad in ("<", ">", "`", "$", "\u2028", "&"):
        assert bad not in out
    import json
    assert json.loads(out) == ["</script><script>alert(1)</script>", "`${1}`", "a\u2028b", "&amp;"]


def test_place_rows_group_by_precision_and_location():
    summary = pd.DataFrame([
        dict(place_id="N1", pcode="N1", place_name_ar="أ", place_name_en="A", place_kind="neighbourhood",
             lat=36.2, lon=37.16, geo_precision=1, events=2, killed=10, injured=1, dominant_event_type="Battles",
             dominant_side="government", first_date=pd.Timestamp("2016-01-02"), last_date=pd.Timestamp("2016-01-03")),
        dict(place_id="C1", pcode="C1", place_name_ar="ب", place_name_en="B", place_kind="community",
             lat=36.5, lon=36.8, geo_precision=1, events=1, killed=0, injured=0, dominant_event_type=None,
             dominant_side=None, first_date=pd.NaT, last_date=pd.NaT),
        dict(place_id="R1", pcode=None, place_name_ar="ج", place_name_en="C", place_kind="region",
             lat=36.2, lon=37.1, geo_precision=3, events=1, killed=1, injured=0, dominant_event_type="Battles",
             dominant_side="x", first_date=pd.NaT, last_date=pd.NaT),
        dict(place_id="U1", pcode=None, place_name_ar="د", place_name_en="D", place_kind="region",
             lat=None, lon=None, geo_precision=None, events=1, killed=1, injured=0, dominant_event_type=None,
             dominant_side=None, first_date=pd.NaT, last_date=pd.NaT),
    ])
    areas, city, countryside = place_rows(summary, {"N1": ([["2016-01-03", "Battles", 10, "s", None, "نص"]], 2)},
                                          "event_type")
    assert [r[7] for r in areas] == ["C"] and areas[0][3] == 9000  # a region: a 9 km dashed area, no pin
    assert [r[7] for r in city] == ["A"] and city[0][3] == radius_px(10) and city[0][19] == 1
    assert [r[7] for r in countryside] == ["B"]


def test_streamlit_config_is_offline_and_serves_static():
    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert cfg["server"]["enableStaticServing"] is True
    assert cfg["browser"]["gatherUsageStats"] is False


def test_every_cdn_asset_has_a_local_copy():
    assert assets.vendored_files_present() == []
    import folium
    import folium.plugins
    for cls in (folium.Map, folium.plugins.MarkerCluster):
        for _, url in list(cls.default_js) + list(cls.default_css):
            assert url in assets.LOCAL_ASSETS, url
    try:
        assets.local_url("https://cdn.example.org/new-plugin.js")
    except KeyError:
        pass
    else:
        raise AssertionError("an unknown CDN URL must be refused")


def test_choropleth_counts_each_neighbourhood_once():
    from dashboard.mapview import _choropleth
    from tests import test_dashboard_fixtures as fx
    from dashboard.backend import FrameBackend, Filters
    summary = FrameBackend(fx.events_frame()).place_summary(Filters())
    g = _choropleth(summary, fx.outlines())
    killed = {f["properties"]["pcode"]: f["properties"]["killed"] for f in g.data["features"]}
    assert killed == {"N0194": 12, "N0189": 15, "N0208": 3}


def test_report_text_is_never_a_jinja_template():
    """branca compiles every rendered script as a Jinja template again: report text with
    '{%' or '{{' must neither break the map (TemplateSyntaxError) nor be evaluated."""
    import folium
    from streamlit_folium import _get_feature_group_string

    from dashboard.layers import PlaceLayer
    evil = ["{% broken", "{{ 7*7 }}", "{# x", "{%raw%}"]
    out = js_json(evil)
    assert json.loads(out) == evil and "{%" not in out and "{{" not in out and "{#" not in out
    m = folium.Map()
    g = folium.FeatureGroup(name="x")
    PlaceLayer([[36.2, 37.1, 0, 6, "#fff", "afm-p-x", *evil]]).add_to(g)
    m.get_root().render()
    script = _get_feature_group_string(g, m, 0)
    assert "49" not in script and "window.AFM.layer(" in script
    m.get_root().render()  # the whole figure renders too, the text unevaluated


def test_outlines_are_cached_on_disk(tmp_path, monkeypatch):
    """load_outlines keeps the simplified outlines between server processes, keyed on the
    gazetteer's files: the cached ones are the computed ones, and a changed file recomputes."""
    import dataclasses
    import os

    from dashboard import geodata
    if not (geodata.GAZETTEER_DIR / "admin.geojson").is_file():
        pytest.skip("no gazetteer outlines in data/gazetteer")
    gaz = tmp_path / "gazetteer"
    gaz.mkdir()
    for name in ("admin.geojson", "neighbourhoods.geojson"):
        (gaz / name).write_bytes((geodata.GAZETTEER_DIR / name).read_bytes())
    monkeypatch.setattr(geodata, "GAZETTEER_DIR", gaz)
    monkeypatch.setattr(geodata, "OUTLINES_CACHE_DIR", tmp_path / "cache")
    computed = dataclasses.asdict(geodata._outlines_from_files(gaz))
    assert dataclasses.asdict(geodata.load_outlines()) == computed
    assert len(list((tmp_path / "cache").glob("outlines-*.json"))) == 1
    assert dataclasses.asdict(geodata.load_outlines()) == computed  # read from the cache
    st = (gaz / "admin.geojson").stat()
    os.utime(gaz / "admin.geojson", ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert dataclasses.asdict(geodata.load_outlines()) == computed
    assert len(list((tmp_path / "cache").glob("outlines-*.json"))) == 2  # a new key


def test_settle_memory_freezes_once_per_process(monkeypatch):
    import gc

    from dashboard import page
    monkeypatch.setattr(page, "_SETTLED", False)
    before = gc.get_freeze_count()
    assert page.settle_memory() is True
    assert gc.get_freeze_count() > before  # what is alive now is out of the collector's walks
    assert page.settle_memory() is False   # later runs leave the collector alone
