"""AppTest tests of the dashboard (streamlit.testing): filters -> what st_folium receives, metrics,
URL state, empty results, escaping, offline assets. Data: tests/test_dashboard_fixtures.py through
dashboard.backend.FrameBackend (the query-layer contract in memory)."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

import pytest

os.environ.setdefault("CAMELTOOLS_DATA", str(Path(__file__).resolve().parents[1] / "data" / "camel"))

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

import dashboard.page as page  # noqa: E402
from dashboard import PAGE_SCRIPT, assets  # noqa: E402
from dashboard.backend import FrameBackend  # noqa: E402
from tests import test_dashboard_fixtures as fx  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
D = dt.date


@pytest.fixture(autouse=True)
def _below_map_at_once(monkeypatch):
    """AppTest runs no component, so the map never reports that it has drawn: the page draws
    the timeline, table and downloads in its first run here (test_below_map_waits_for_the_map
    covers the deferral)."""
    monkeypatch.setattr(page, "DEFER_BELOW_MAP", False)


@pytest.fixture
def app(monkeypatch):
    """An AppTest of the page script (page.py) on the fixture events; returns a factory taking an
    events frame."""
    def make(frame=None, params=None):
        st.cache_resource.clear()
        st.cache_data.clear()
        monkeypatch.setattr(page, "BACKEND_FACTORY", lambda: FrameBackend(frame if frame is not None else fx.events_frame(), name="fx"))
        monkeypatch.setattr(page, "OUTLINES_FACTORY", fx.outlines)
        at = AppTest.from_file(PAGE_SCRIPT, default_timeout=60)
        for k, v in (params or {}).items():
            at.query_params[k] = v
        return at.run()
    yield make
    st.cache_resource.clear()
    st.cache_data.clear()


def map_args(at) -> dict:
    comps = [e for e in at.main if getattr(e, "type", None) == "component_instance"]
    assert len(comps) == 1, "one st_folium component expected"
    return json.loads(comps[0].proto.json_args)


def qp(at, name) -> list:
    v = at.query_params[name]
    return list(v) if isinstance(v, (list, tuple)) else [v]


def metrics(at) -> dict:
    return {m.label: int(m.value.replace(",", "")) for m in at.metric}


def layers(args) -> list[tuple[list, bool]]:
    """The place layers sent to st_folium: (rows, clustered) per dashboard.layers.PlaceLayer."""
    fg, out, dec = args["feature_group"], [], json.JSONDecoder()
    pos = fg.find("window.AFM.layer(")
    while pos != -1:
        rows, end = dec.raw_decode(fg, pos + len("window.AFM.layer("))
        out.append((rows, fg[end:end + 8].lstrip(", ").startswith("true")))
        pos = fg.find("window.AFM.layer(", end)
    return out


def markers(args) -> dict:
    ls = layers(args)
    rows = [r for rs, _ in ls for r in rs]
    return {"pins": sum(1 for r in rows if r[2] == 0), "areas": sum(1 for r in rows if r[2] == 1),
            "clustered": sum(len(rs) for rs, c in ls if c)}


def names(args) -> set[str]:
    return {r[7] for rs, _ in layers(args) for r in rs}


def test_initial_view(app):
    at = app()
    assert not at.exception
    assert metrics(at) == {"Events": 6, "Killed": 41, "Injured": 30, "Places": 6, "Reports": 2}
    args = map_args(at)
    # 5 exact places as circle markers (4 within ~11 km of the Citadel, Nubul clustered), 1 region as a dashed area
    assert markers(args) == {"pins": 5, "areas": 1, "clustered": 1}
    # only a click on a place comes back (panning and zooming never rerun the page)
    assert args["returned_objects"] == ["last_object_clicked", "last_object_clicked_count"]
    # no folium random ids left in the base map script (each run must send the very same script)
    assert not re.search(r"_[0-9a-f]{32}\b", args["script"])
    assert "الميسر" in args["feature_group"] and "Karm Myassar" in names(args)
    # the place layers' code is in the base map's script (no link of its own); the iframe loads
    # Leaflet and Leaflet.markercluster only
    assert (ROOT / "static" / "afm" / "afm-map.js").read_text(encoding="utf-8").strip() in args["script"]
    assert args["js_links"] == ["/app/static/vendor/leaflet-1.9.3/dist/leaflet.js",
                                "/app/static/vendor/leaflet.markercluster-1.1.0/dist/leaflet.markercluster.js"]
    assert not at.warning


def test_below_map_waits_for_the_map(app, monkeypatch):
    """On a session's first view the timeline, the events table and the downloads wait for the
    map to draw (its first value reruns the page); any later run draws them."""
    monkeypatch.setattr(page, "DEFER_BELOW_MAP", True)
    at = app()
    assert not at.exception
    assert metrics(at)["Events"] == 6 and markers(map_args(at))["pins"] == 5
    assert not [d for d in at.dataframe if d.key == "t_events"] and not at.get("download_button")
    assert not at.get("vega_lite_chart")
    at.run()  # the component's first value, in the browser
    assert not at.exception
    assert [d for d in at.dataframe if d.key == "t_events"] and at.get("download_button")
    assert at.get("vega_lite_chart")


def test_map_uses_no_jquery_bootstrap_or_awesome_markers(app):
    """folium.Map's jQuery, Bootstrap, Font Awesome and awesome-markers are not sent
    (dashboard.assets.MAP_ASSETS_KEPT): nothing in the generated map uses them."""
    at = app(params={"choro": "1"})
    at.sidebar.toggle(key="v_tiles").set_value(True).run()
    args = map_args(at)
    code = args["script"] + (args["feature_group"] or "") + args["header"] + args["html"]
    for use in ("$(", "jQuery", "AwesomeMarkers", "bootstrap", "fa-", "glyphicon"):
        assert use not in code, use
    for url in args["js_links"] + args["css_links"]:
        assert "jquery" not in url and "bootstrap" not in url and "awesome" not in url, url


def test_date_range_changes_map_and_metrics_but_keeps_map_mounted(app):
    at = app()
    before = map_args(at)
    at.sidebar.slider(key="f_dates_slider").set_value((D(2016, 12, 6), D(2016, 12, 6))).run()
    assert not at.exception
    after = map_args(at)
    assert metrics(at)["Events"] == 3 and metrics(at)["Killed"] == 11
    assert after["feature_group"] != before["feature_group"]
    assert "Karm Myassar" not in names(after) and "Bwabiyeh" in names(after)
    # the base map is unchanged: same script and same component key -> not remounted
    assert after["script"] == before["script"] and after["key"] == before["key"]
    # the pickers follow the slider, and the URL holds the range
    assert tuple(at.sidebar.date_input(key="f_dates_pick").value) == (D(2016, 12, 6), D(2016, 12, 6))
    assert qp(at, "from") == ["2016-12-06"] and "to" not in at.query_params  # the default end is left out


def test_date_picker_mid_selection_keeps_previous_range(app):
    at = app()
    at.sidebar.date_input(key="f_dates_pick").set_value((D(2016, 12, 5),)).run()
    assert not at.exception
    assert metrics(at)["Events"] == 6
    assert any("end date" in c.value for c in at.sidebar.caption)
    at.sidebar.date_input(key="f_dates_pick").set_value((D(2016, 12, 5), D(2016, 12, 5))).run()
    assert metrics(at)["Events"] == 2
    assert tuple(at.sidebar.slider(key="f_dates_slider").value) == (D(2016, 12, 5), D(2016, 12, 5))


def test_faction_and_side_filters_change_map_and_metrics(app):
    at = app()
    before = map_args(at)
    at.sidebar.multiselect(key="f_actors").set_value(["A-ZENKI"]).run()
    assert not at.exception
    after = map_args(at)
    assert metrics(at)["Events"] == 2 and metrics(at)["Places"] == 2
    assert markers(after)["pins"] == 2 and markers(after)["areas"] == 0
    assert names(after) == {"Nubul", "Karm Myassar"}
    assert after["key"] == before["key"]
    assert qp(at, "actor") == ["A-ZENKI"]
    at.sidebar.multiselect(key="f_actors").set_value([]).run()
    at.sidebar.multiselect(key="f_sides").set_value(["jihadist"]).run()
    assert metrics(at) == {"Events": 1, "Killed": 3, "Injured": 0, "Places": 1, "Reports": 1}


def test_url_restores_the_view(app):
    at = app(params={"from": "2016-12-06", "side": "regime", "colour": "side", "bogus": "x", "type": "Nope"})
    assert not at.exception
    assert metrics(at)["Events"] == 2  # regime on 12-06: Bwabiyeh (Russia) and the Old City
    assert at.sidebar.multiselect(key="f_sides").value == ["regime"]
    assert at.sidebar.multiselect(key="f_types").value == []  # unknown values dropped
    assert at.sidebar.radio(key="v_colour").value == "side"


def test_empty_result_shows_message_not_error(app):
    at = app()
    at.sidebar.number_input(key="f_min_killed").set_value(1000).run()
    assert not at.exception and not at.error
    assert metrics(at)["Events"] == 0
    assert any("No events match" in w.value for w in at.warning)
    args = map_args(at)  # the base map stays, with empty layers
    assert markers(args)["pins"] == 0 and markers(args)["areas"] == 0


def test_arabic_search_is_folded(app):
    at = app()
    at.sidebar.text_input(key="f_text").set_value("ميسّر").run()  # with a shadda
    assert metrics(at)["Events"] == 1
    assert qp(at, "q") == ["ميسّر"]


def test_choropleth_toggle(app):
    at = app()
    assert "killed by neighbourhood" not in map_args(at)["feature_group"]
    at.sidebar.toggle(key="v_choro").set_value(True).run()
    fg = map_args(at)["feature_group"]
    assert not at.exception
    assert "#a50f15" in fg  # the darkest class: Jallum, 15 killed


def test_report_text_is_escaped(app):
    at = app(fx.xss_frame())
    assert not at.exception
    args = map_args(at)
    blob = args["feature_group"]
    # report text travels as JSON data (drawn with textContent by static/afm/afm-map.js), with
    # <, >, &, backtick and $ escaped, so it can neither close a script nor run in a template literal
    for raw in ("<script", "<img", "${", "`"):
        assert raw not in blob, raw
    rows = [r for rs, _ in layers(args) for r in rs]
    evidence = [e for r in rows for e in r[18]]
    assert any(fx.XSS in e[5] for e in evidence)  # intact, as data
    assert all(e[4] is None or e[4].startswith("http") for e in evidence)  # javascript: URL dropped
    # the place's events panel (opened by a click on the place) shows the text escaped
    at.session_state["sel_place"] = ["N0194"]
    at.run()
    assert not at.exception
    html = "".join(m.value for m in at.markdown)
    assert "<script>window.__xss" not in html and "javascript:alert" not in html
    panel = at.dataframe(key="p_events").value
    assert any(fx.XSS in str(v) for v in panel["evidence"])  # shown as data in the grid, never as HTML


def test_popups_build_dom_with_text_only():
    js = (ROOT / "static" / "afm" / "afm-map.js").read_text(encoding="utf-8")
    assert "innerHTML" not in js and "insertAdjacentHTML" not in js and "eval(" not in js
    assert "textContent" in js


def test_map_assets_are_local(app):
    at = app()
    args = map_args(at)
    for url in args["js_links"] + args["css_links"]:
        assert url.startswith("/app/static/vendor/"), url
        assert (ROOT / "static" / url[len("/app/static/"):]).is_file(), url
    # code and styles: no URL may leave the app. (Report links inside the places' JSON rows are
    # data, shown as links the analyst may click, never fetched by the page.)
    code = args["feature_group"]
    dec = json.JSONDecoder()
    pos = code.find("window.AFM.layer(")
    while pos != -1:
        _, end = dec.raw_decode(code, pos + len("window.AFM.layer("))
        code = code[:pos] + code[end:]
        pos = code.find("window.AFM.layer(")
    blob = args["script"] + args["header"] + args["html"] + code
    assert assets.external_urls(blob) == []
    assert "example.org" in args["feature_group"]  # the rows were there
    assert assets.vendored_files_present() == []


def test_online_tiles_are_an_explicit_setting(app):
    at = app()
    assert "tile.openstreetmap.org" not in map_args(at)["script"]
    at.sidebar.toggle(key="v_tiles").set_value(True).run()
    args = map_args(at)
    assert "tile.openstreetmap.org" in args["script"] and "OpenStreetMap" in args["script"]
    assert assets.external_urls(args["script"])  # and the check notices it


def test_manifest_matches_vendored_files():
    import subprocess
    import sys
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "vendor_assets.py"), "--check"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    manifest = json.loads((ROOT / "static" / "vendor" / "MANIFEST.json").read_text())
    for pkg in manifest["packages"]:
        assert (ROOT / "static" / "vendor" / pkg["dir"] / pkg["license_file"]).is_file()


# --------------------------------------------------------------------------- the real store

STUB = "tests.e2e.stub_extractor:extract_text"


@pytest.fixture
def store_app(monkeypatch, tmp_path):
    """The page on a real store (store.open_store + store.queries) in a temporary FRONTLINE_DB."""
    pytest.importorskip("store.queries")
    db = tmp_path / "frontline.db"
    monkeypatch.setenv("FRONTLINE_DB", str(db))
    st.cache_resource.clear()
    st.cache_data.clear()
    monkeypatch.setattr(page, "OUTLINES_FACTORY", fx.outlines)
    yield db
    st.cache_resource.clear()
    st.cache_data.clear()


def test_empty_database_is_seeded_on_startup(store_app):
    import store
    if not any(Path(store.SEED_DIR).glob("*")):
        pytest.skip("no shipped reports under data/reports yet")
    at = AppTest.from_file(PAGE_SCRIPT, default_timeout=180).run()
    assert not at.exception, at.exception
    m = metrics(at)
    assert m["Reports"] >= 1 and m["Events"] >= 1, m
    assert markers(map_args(at))["pins"] + markers(map_args(at))["areas"] >= 1


def test_real_store_filters_reach_the_map(store_app, monkeypatch):
    from store import open_store
    from store.ingest import ingest_text
    monkeypatch.setenv("FRONTLINE_EXTRACTOR", STUB)
    s = open_store(str(store_app))
    ingest_text(s, "قتل 15 في حي الجلوم بقصف النظام", published="2016-12-05", source="t1")
    ingest_text(s, "قتل 7 في البوابية بغارات الروسي", published="2016-12-06", source="t2")
    ingest_text(s, "قتل 3 من الزنكي في نبل", published="2016-12-06", source="t3")
    s.dispose()
    at = AppTest.from_file(PAGE_SCRIPT, default_timeout=60).run()
    assert not at.exception, at.exception
    assert metrics(at) == {"Events": 3, "Killed": 25, "Injured": 0, "Places": 3, "Reports": 3}
    before = map_args(at)
    at.sidebar.slider(key="f_dates_slider").set_value((D(2016, 12, 6), D(2016, 12, 6))).run()
    assert metrics(at)["Events"] == 2 and "Jallum" not in names(map_args(at))
    at.sidebar.multiselect(key="f_actors").set_value(["A-ZENKI"]).run()
    after = map_args(at)
    assert metrics(at)["Events"] == 1 and names(after) == {"Nubul"}
    assert after["key"] == before["key"]
    # downloads come from the store's exporter
    labels = [b.label for b in at.get("download_button")]
    assert any(label.startswith("CSV") for label in labels) and "ACLED-style CSV" in labels


def test_table_pages_and_new_data_widen_a_full_range(app, monkeypatch):
    import pandas as pd
    base = fx.events_frame()
    many = pd.concat([base.assign(event_id=[f"{e}-{i}" for e in base["event_id"]]) for i in range(20)],
                     ignore_index=True)  # 120 events: 3 table pages
    backend = FrameBackend(many, name="many")
    monkeypatch.setattr(page, "BACKEND_FACTORY", lambda: backend)
    st.cache_resource.clear()
    st.cache_data.clear()
    monkeypatch.setattr(page, "OUTLINES_FACTORY", fx.outlines)
    at = AppTest.from_file(PAGE_SCRIPT, default_timeout=60).run()
    at.number_input(key="t_page").set_value(3).run()
    assert not at.exception
    at.sidebar.multiselect(key="f_actors").set_value(["A-ZENKI"]).run()  # 40 events: one page
    assert not at.exception and metrics(at)["Events"] == 40
    # a later report widens the dates: a view showing the whole range follows it
    at.sidebar.multiselect(key="f_actors").set_value([]).run()
    later = many.head(1).assign(event_id="late", date=pd.Timestamp("2016-12-20"))
    backend.df = FrameBackend(pd.concat([many, later], ignore_index=True)).df
    backend.version += 1
    at.run()
    assert not at.exception
    assert tuple(at.sidebar.slider(key="f_dates_slider").value)[1] == D(2016, 12, 20)
    assert metrics(at)["Events"] == 121


def test_single_day_of_data(app):
    import pandas as pd
    at = app(fx.events_frame().assign(date=pd.Timestamp("2016-12-06")))
    assert not at.exception
    assert not [s for s in at.sidebar.slider if s.key == "f_dates_slider"]  # no slider over one day
    assert metrics(at)["Events"] == 6


def _with_undated():
    import pandas as pd
    df = fx.events_frame()
    undated = df[df["event_id"] == df["event_id"].iloc[0]].assign(event_id="u1", date=pd.NaT, place_id="N0208",
                                                                  place_name_en="Zebdiyeh", killed_best=5)
    return pd.concat([df, undated], ignore_index=True)


def test_undated_events_stay_in_view_until_left_out(app):
    """A report with no date anywhere gives events without a date: they are in no date range,
    so they are shown whatever the range, until the analyst unticks them (kept in the URL)."""
    at = app(_with_undated())
    assert not at.exception
    assert metrics(at)["Events"] == 7 and metrics(at)["Killed"] == 46
    box = at.sidebar.checkbox(key="f_undated")
    assert box.value is True and "(1)" in box.label
    at.sidebar.slider(key="f_dates_slider").set_value((D(2016, 12, 6), D(2016, 12, 6))).run()
    assert metrics(at)["Events"] == 4  # 3 on that day + the undated one
    at.sidebar.checkbox(key="f_undated").uncheck().run()
    assert not at.exception
    assert metrics(at)["Events"] == 3 and qp(at, "undated") == ["0"]
    shared = app(_with_undated(), params={"undated": "0"})  # the link restores the choice
    assert metrics(shared)["Events"] == 6 and shared.sidebar.checkbox(key="f_undated").value is False


def test_only_undated_events_still_make_a_map(app):
    import pandas as pd
    at = app(fx.events_frame().assign(date=pd.NaT))
    assert not at.exception
    assert metrics(at)["Events"] == 6 and markers(map_args(at))["pins"] == 5
    assert not [s for s in at.sidebar.slider if s.key == "f_dates_slider"]  # no range to offer
    assert not at.info  # not the "no data" message


def test_app_is_an_st_app_serving_the_page_script():
    """`streamlit run app.py` serves dashboard.PAGE_SCRIPT through app.py's st.App, whose lifespan
    warms the server up. The page script sits beside static/ (Streamlit serves static/ from the
    page script's directory), and the warm-up leaves streamlit_folium to the first run: imported
    outside a script run, its component is never registered (the map's iframe gets a 404)."""
    import subprocess
    import sys

    code = "\n".join([
        "import sys; from pathlib import Path",
        "import streamlit as st",
        "import app",
        "from dashboard import PAGE_SCRIPT",
        "assert isinstance(app.app, st.App)",
        "assert Path(app.app.script_path) == Path(PAGE_SCRIPT), app.app.script_path",
        "assert (Path(PAGE_SCRIPT).parent / 'static' / 'afm' / 'afm-map.js').is_file()",
        "import dashboard.page as page",
        "page.warm_up(data=False)",
        "assert 'folium' in sys.modules and 'altair' in sys.modules",
        "assert 'streamlit_folium' not in sys.modules",
    ])
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]


def test_warm_up_reads_what_the_first_view_reads(app, monkeypatch):
    """The lifespan's warm-up fills q_map under the key the first run of a session without URL
    parameters asks for (else the first visitor would read again)."""
    seen = []
    real = page.q_map

    def spy(_b, name, version, fkey, per_place):
        seen.append((name, version, fkey, per_place))
        return real(_b, name, version, fkey, per_place)

    monkeypatch.setattr(page, "q_map", spy)
    monkeypatch.setattr(page, "BACKEND_FACTORY", lambda: FrameBackend(fx.events_frame(), name="fx"))
    monkeypatch.setattr(page, "OUTLINES_FACTORY", fx.outlines)
    st.cache_resource.clear()
    st.cache_data.clear()
    page.warm_up()  # outside a script run, as in app.py's lifespan
    assert len(seen) == 1
    app()
    assert seen[1] == seen[0]
