"""Evidence and correction in a real browser (Debian Chromium through Playwright; the shared
server and browser of tests/e2e/conftest.py): click a marker, open its event and see the
report highlighted with its evidence marked; correct the event's place and see the marker
move; upload a report and see its place appear. Screenshots go to artifacts/ (and one to
docs/screenshot-evidence.png for the README when missing or FRONTLINE_UPDATE_SCREENSHOT=1)."""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import (ARTIFACTS, ROOT, SKIP_REASON, _choose, _click_place, _map_frame,
                                _open_event_from_panel, _wait_markers, expect)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
if SKIP_REASON:
    pytestmark.append(pytest.mark.skip(reason=SKIP_REASON))

UPLOAD_TEXT = "قتل 6 مدنيين بقصف قوات النظام على بلدة حريتان بريف حلب الشمالي."


def _q(db):
    from store import open_store, queries
    return open_store(db), queries


def _drawn(page) -> set[str]:
    """The places drawn on the map now. (When new data widens the map's extent, the base map
    is framed anew and streamlit-folium remounts its iframe: look the frame up each time.)"""
    try:
        classes = _map_frame(page).eval_on_selector_all(
            "path.afm-place, path.afm-area", "els => els.map(e => e.getAttribute('class'))")
    except Exception:
        return set()
    return {c for cl in classes for c in cl.split() if c.startswith("afm-p-")}


def _wait_drawn(page, predicate, timeout=25.0) -> set[str]:
    deadline = time.time() + timeout
    got = _drawn(page)
    while time.time() < deadline and not predicate(got):
        page.wait_for_timeout(300)
        got = _drawn(page)
    return got


def _single_event_place(db):
    """An exact place with exactly one event (so moving that event moves the marker)."""
    s, queries = _q(db)
    try:
        summ = queries.place_summary(s, queries.Filters())
        one = summ[(summ["events"] == 1) & (summ["geo_precision"] == 1) & summ["lat"].notna()]
        assert len(one), summ
        return one.iloc[0]["place_id"], summ
    finally:
        s.dispose()


def test_click_marker_open_event_see_highlighted_evidence(server, browser_ctx):
    page = browser_ctx["page"]
    page.goto(server["url"] + "/?who=e2e-analyst", wait_until="domcontentloaded")
    _wait_markers(page)
    page.wait_for_timeout(500)
    place_id, _ = _single_event_place(server["db"])
    _map_frame(page).evaluate("window.__afm_mark = 'kept'")
    _click_place(page, place_id)
    expect(page.get_by_text("Events at this place")).to_be_visible(timeout=20_000)
    _open_event_from_panel(page)
    # the click reran the page, but the map was not remounted (same zoom, same position)
    assert _map_frame(page).evaluate("window.__afm_mark") == "kept"
    report = page.locator(".afm-report")
    expect(report).to_be_visible()
    # the evidence sentence is marked, mentions highlighted by kind with their labels, legend shown
    mark = report.locator("mark.afm-ev")
    assert mark.count() == 1 and len(mark.inner_text().strip()) > 5
    assert report.locator(".afm-k-place").count() >= 1
    assert report.locator("sup.afm-lbl").count() >= 1
    assert report.get_attribute("dir") == "rtl"
    expect(page.locator(".afm-legend")).to_be_visible()
    # the panel's place is the one clicked
    from dashboard.mapview import place_class  # noqa: F401
    mark.scroll_into_view_if_needed()
    page.wait_for_timeout(400)
    out = ARTIFACTS / "evidence-report.png"
    page.screenshot(path=str(out), full_page=False)
    assert out.stat().st_size > 10_000
    doc = ROOT / "docs" / "screenshot-evidence.png"
    if not doc.exists() or os.environ.get("FRONTLINE_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(out, doc)
    assert not browser_ctx["errors"], browser_ctx["errors"]


def test_correct_place_and_marker_moves(server, browser_ctx):
    page = browser_ctx["page"]
    place_id, summ = _single_event_place(server["db"])
    from dashboard.mapview import place_class
    old = place_class(place_id)
    page.goto(server["url"] + "/?who=e2e-analyst", wait_until="domcontentloaded")
    _wait_markers(page)
    page.wait_for_timeout(500)
    before = _drawn(page)
    assert old in before
    _click_place(page, place_id)
    _open_event_from_panel(page)
    # pick a gazetteer candidate not on the map yet
    s, queries = _q(server["db"])
    try:
        eid = int(queries.events(s, queries.Filters(place_ids=[place_id]))["event_id"].iloc[0])
    finally:
        s.dispose()
    chosen = _choose(page, f"c_map_{eid}_place",
                     pick=lambda tx: " · " in tx and place_class(tx.split(" · ")[0].strip()) not in before)
    new_id = chosen.split(" · ")[0].strip()
    page.get_by_role("button", name="Save corrections").click()
    after = _wait_drawn(page, lambda got: place_class(new_id) in got and old not in got)
    assert place_class(new_id) in after and old not in after, (new_id, sorted(after))
    # stored with who and the original value, shown as corrected
    s, queries = _q(server["db"])
    try:
        log = queries.corrections(s)
        row = log[log["field"] == "place"].iloc[-1]
        assert row["author"] == "e2e-analyst" and row["old_value"]["place_id"] == place_id
        assert row["new_value"]["place_id"] == new_id
    finally:
        s.dispose()
    expect(page.get_by_text("✎ corrected").first).to_be_visible(timeout=15_000)
    page.screenshot(path=str(ARTIFACTS / "evidence-corrected.png"), full_page=False)
    assert not browser_ctx["errors"], browser_ctx["errors"]


def test_upload_a_report_and_its_place_appears(server, browser_ctx):
    page = browser_ctx["page"]
    page.goto(server["url"] + "/?view=add", wait_until="domcontentloaded")
    tmp = Path(tempfile.mkdtemp(prefix="afm-up-"))
    good = tmp / "hreitan.csv"  # a CSV row carries its own publication date and source
    good.write_text(f'text,title,published,source\n"{UPLOAD_TEXT}",قصف حريتان,2016-12-06,e2e upload\n',
                    encoding="utf-8")
    bad = tmp / "broken.jsonl"
    bad.write_text('{"text": "ok"\n', encoding="utf-8")
    page.locator(".st-key-up_files input[type=file]").set_input_files([str(good), str(bad)])
    expect(page.get_by_text("hreitan.csv").first).to_be_visible(timeout=10_000)
    page.get_by_role("button", name="Add the files").click()
    expect(page.get_by_text("added 1, duplicates 0, failed 0")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("bad JSON").first).to_be_visible(timeout=10_000)
    page.screenshot(path=str(ARTIFACTS / "evidence-upload.png"), full_page=False)
    s, queries = _q(server["db"])
    try:
        ev = queries.events(s, queries.Filters(text="حريتان"))
    finally:
        s.dispose()
    ev = ev[ev["lat"].notna()]
    assert len(ev), "the uploaded report produced no mapped event"
    assert str(ev["date"].iloc[0])[:10] == "2016-12-06"
    from dashboard.mapview import place_class
    target = place_class(ev["place_id"].iloc[0])
    page.locator(".st-key-v_view").get_by_text("Map", exact=True).click()
    _wait_markers(page)
    # a countryside place may sit in a cluster: zoom in on it (clusters split from zoom 12)
    page.wait_for_timeout(500)
    _map_frame(page).evaluate(f"window.map.setView([{float(ev['lat'].iloc[0])}, {float(ev['lon'].iloc[0])}], 13)")
    got = _wait_drawn(page, lambda d: target in d)
    assert target in got
    shutil.rmtree(tmp, ignore_errors=True)
    assert not browser_ctx["errors"], browser_ctx["errors"]


def test_arabic_interface_is_right_to_left(server, browser_ctx):
    page = browser_ctx["page"]
    page.goto(server["url"] + "/?lang=ar", wait_until="domcontentloaded")
    _wait_markers(page)
    expect(page.get_by_test_id("stMetricLabel").first).to_have_text("الأحداث", timeout=15_000)
    side = page.locator("section[data-testid='stSidebar'] > div").first
    assert side.evaluate("e => getComputedStyle(e).direction") == "rtl"
    label = page.get_by_text("المرشحات").first  # "Filters"
    assert label.evaluate("e => getComputedStyle(e).direction") == "rtl"
    # the map keeps its own (left-to-right) layout
    assert _map_frame(page).evaluate("getComputedStyle(document.body).direction") == "ltr"
    page.screenshot(path=str(ARTIFACTS / "evidence-arabic.png"), full_page=False)
    assert not browser_ctx["errors"], browser_ctx["errors"]


def test_events_table_row_opens_the_event(server, browser_ctx):
    """Selecting a row of the events table (st.dataframe selection) opens that event's evidence."""
    page = browser_ctx["page"]
    page.goto(server["url"] + "/?who=e2e-analyst", wait_until="domcontentloaded")
    _wait_markers(page)
    grid = page.locator(".st-key-t_events [data-testid='stDataFrameResizable']")
    grid.scroll_into_view_if_needed()
    expect(grid).to_be_visible(timeout=20_000)
    page.wait_for_timeout(600)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the first row's selection cell
    expect(page.locator(".afm-report mark.afm-ev")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("Events at this place")).to_be_visible()
    assert not browser_ctx["errors"], browser_ctx["errors"]


def test_new_place_by_clicking_the_map(server, browser_ctx):
    """Correct an event's place with 'a new place: click it on the map': the click gives the
    point, the analyst names it, the event's marker appears there (an analyst place)."""
    page = browser_ctx["page"]
    place_id, _ = _single_event_place(server["db"])
    page.goto(server["url"] + "/?who=e2e-analyst", wait_until="domcontentloaded")
    _wait_markers(page)
    page.wait_for_timeout(500)
    _click_place(page, place_id)
    expect(page.locator("code").filter(has_text=str(place_id)).first).to_be_visible(timeout=20_000)
    _open_event_from_panel(page)
    s, queries = _q(server["db"])
    try:
        eid = int(queries.events(s, queries.Filters(place_ids=[place_id]))["event_id"].iloc[0])
    finally:
        s.dispose()
    _choose(page, f"c_map_{eid}_place", pick=lambda tx: "click it on the map" in tx)
    page.get_by_role("button", name="Save corrections").click()
    expect(page.get_by_text("Click the map where it is")).to_be_visible(timeout=20_000)
    # click an empty spot of the map (its lower left corner: the countryside west of the city).
    # Asking for a point changes what the map reports back, so the component may still be
    # re-rendering when the prompt shows: a click that lands before it is ready is lost, so
    # wait for the markers and click again (at most three times) until the name form appears.
    name_input = page.locator(".st-key-pick_name_ar input")
    for attempt in range(3):
        _wait_markers(page)
        frame_el = page.locator('iframe[title="streamlit_folium.st_folium"]')
        frame_el.scroll_into_view_if_needed()
        fb = frame_el.bounding_box()
        page.mouse.click(fb["x"] + 90, fb["y"] + fb["height"] - 90)
        try:
            expect(name_input).to_be_visible(timeout=8_000)
            break
        except AssertionError:
            if attempt == 2:
                raise
    page.locator(".st-key-pick_name_en input").fill("E2E point")
    page.get_by_role("button", name="Save this place").click()
    expect(page.get_by_text("is in the analyst's layer")).to_be_visible(timeout=30_000)
    s, queries = _q(server["db"])
    try:
        ap = queries.analyst_places(s)
        new = ap[ap["name_en"] == "E2E point"]
        assert len(new) == 1, ap
        new_id = new["place_id"].iloc[0]
        ev = queries.events(s, queries.Filters(place_ids=[new_id]))
        assert len(ev) == 1 and int(ev["event_id"].iloc[0]) == eid
    finally:
        s.dispose()
    from dashboard.mapview import place_class
    got = _wait_drawn(page, lambda d: place_class(new_id) in d)
    assert place_class(new_id) in got
    page.screenshot(path=str(ARTIFACTS / "evidence-new-place.png"), full_page=False)
    assert not browser_ctx["errors"], browser_ctx["errors"]
