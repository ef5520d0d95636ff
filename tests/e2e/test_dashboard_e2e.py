"""End-to-end tests of the dashboard in a real browser: Debian's Chromium driven by Playwright.

`streamlit run app.py` on a free loopback port with a temporary FRONTLINE_DB; the map's
iframe must show markers, no request may leave loopback, the faction filter must change
the markers without remounting the map, a popup opens, and report text holding <script> /
<img onerror> shows as text and runs nothing. Screenshots go to artifacts/ (git-ignored).

Data: the sample report (and a second, synthetic one on another day) ingested through the
store's real ingestion path. The real extractor is used when it yields mapped events for
the sample; until then a small deterministic stub (tests/e2e/stub_extractor.py) stands in,
plugged in through the store's FRONTLINE_EXTRACTOR.
"""
from __future__ import annotations

import os
import shutil
import time
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import (ARTIFACTS, ROOT, SKIP_REASON, XSS_IMG, XSS_SCRIPT, XSS_TEXT, XSS_TPL, _ingest,
                                _map_frame, _open_event_from_panel, _wait_markers, expect)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
if SKIP_REASON:
    pytestmark.append(pytest.mark.skip(reason=SKIP_REASON))


def test_map_offline_filter_popup(server, browser_ctx):
    page, requests = browser_ctx["page"], browser_ctx["requests"]
    t0 = time.time()
    page.goto(server["url"], wait_until="domcontentloaded")
    frame = _wait_markers(page)
    shown_after = time.time() - t0
    page.wait_for_timeout(500)
    before = sorted(_map_frame(page).eval_on_selector_all(
        "path.afm-place, path.afm-area", "els => els.map(e => e.getAttribute('class'))"))
    assert len(before) >= 2, before
    page.screenshot(path=str(ARTIFACTS / "dashboard-initial.png"), full_page=False)

    # mark the map's window: if the component were remounted, the mark would be gone
    _map_frame(page).evaluate("window.__afm_mark = 'kept'")

    # choose a faction whose places are a strict, non-empty subset, as the analyst would
    from store import open_store, queries
    st = open_store(server["db"])
    total = queries.counts(st, queries.Filters())["places"]
    actors = queries.filter_options(st)["actors"]
    pick = next((aid for aid in actors
                 if 0 < queries.counts(st, queries.Filters(actor_ids=[aid]))["places"] < total), None)
    assert pick, f"no faction narrows the map: {actors}"
    want_places = queries.counts(st, queries.Filters(actor_ids=[pick]))["places"]
    st.dispose()

    page.locator(".st-key-f_actors").get_by_role("combobox").click()
    page.get_by_role("option", name=actors[pick]).first.click()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("stMetricValue").first).to_have_text(
        str(queries_count(server["db"], pick)), timeout=20_000)
    deadline = time.time() + 20
    while time.time() < deadline:
        after = sorted(_map_frame(page).eval_on_selector_all(
            "path.afm-place, path.afm-area", "els => els.map(e => e.getAttribute('class'))"))
        if after != before:
            break
        page.wait_for_timeout(250)
    assert after != before and 0 < len(after) <= want_places, (before, after)
    assert _map_frame(page).evaluate("window.__afm_mark") == "kept", "the map was remounted"
    assert "actor=" in page.url  # the view is a shareable link

    # open a popup
    _map_frame(page).locator("path.afm-place, path.afm-area").first.click(force=True)
    popup = frame.locator(".leaflet-popup-content .afm-popup")
    expect(popup).to_be_visible(timeout=10_000)
    page.wait_for_timeout(400)  # the popup fades in
    assert popup.locator("[lang='ar']").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "dashboard-filtered-popup.png"), full_page=False)

    bad = [u for u in requests if urlsplit(u).scheme in ("http", "https", "ws", "wss")
           and urlsplit(u).hostname not in ("127.0.0.1", "localhost")]
    assert not bad, f"requests left loopback: {bad[:10]}"
    assert any("/app/static/vendor/leaflet-1.9.3/dist/leaflet.js" in u for u in requests)
    assert not browser_ctx["errors"], browser_ctx["errors"]
    print(f"markers visible {shown_after:.2f}s after navigation")


def queries_count(db: str, actor: str) -> int:
    from store import open_store, queries
    st = open_store(db)
    try:
        return queries.counts(st, queries.Filters(actor_ids=[actor]))["events"]
    finally:
        st.dispose()


def test_untrusted_report_text_is_shown_as_text(server, browser_ctx):
    page, dialogs = browser_ctx["page"], browser_ctx["dialogs"]
    _ingest(server["db"], server["extractor"], text=XSS_TEXT, published="2016-12-04",
            source="<img src=x onerror=\"self['__afm_xss']=4\">", title="<script>self['__afm_xss']=5</script>",
            url="javascript:self['__afm_xss']=6")
    from store import open_store, queries
    st = open_store(server["db"])
    ev = queries.events(st, queries.Filters(text="__afm_xss"))  # matched in the evidence sentence
    st.dispose()
    ev = ev[ev["lat"].notna()]
    assert len(ev), "the report with <script> produced no mapped event"
    place_id = ev["place_id"].iloc[0]
    page.goto(server["url"] + "/?q=__afm_xss", wait_until="domcontentloaded")
    frame = _wait_markers(page)
    page.wait_for_timeout(800)
    mf = _map_frame(page)
    from dashboard.mapview import place_class
    target = mf.locator(f"path.{place_class(place_id)}")
    target.first.click(force=True)
    popup = frame.locator(".leaflet-popup-content .afm-popup")
    expect(popup).to_be_visible(timeout=10_000)
    text = popup.inner_text()
    assert XSS_SCRIPT in text and XSS_IMG in text and XSS_TPL in text
    assert popup.locator("img, script").count() == 0
    assert popup.locator("a[href^='javascript']").count() == 0
    # the click opened the place's events; the report view shows the title and the text as text
    _open_event_from_panel(page, "__afm_xss")
    page.get_by_text("<script>self['__afm_xss']=5</script>").first.wait_for(timeout=10_000)
    report = page.locator(".afm-report")
    assert XSS_SCRIPT in report.inner_text() and XSS_IMG in report.inner_text()
    assert page.locator(".afm-report script, .afm-report img, [data-testid=stMarkdownContainer] script").count() == 0
    for where in (page, mf):
        assert where.evaluate("typeof self['__afm_xss']") == "undefined"
    assert not dialogs
    page.wait_for_timeout(400)
    page.screenshot(path=str(ARTIFACTS / "dashboard-escaped-popup.png"), full_page=False)


def test_screenshot_for_readme(server, browser_ctx):
    """artifacts/dashboard-readme.png; copied to docs/screenshot.png when that is missing or
    FRONTLINE_UPDATE_SCREENSHOT=1 (so test runs do not churn a tracked binary)."""
    page = browser_ctx["page"]
    page.goto(server["url"] + "/?choro=1", wait_until="domcontentloaded")
    _wait_markers(page)
    _map_frame(page).evaluate("window.map.setView([36.2, 37.15], 12)")  # Aleppo city, closer
    page.wait_for_timeout(1200)
    out = ARTIFACTS / "dashboard-readme.png"
    page.screenshot(path=str(out), full_page=False)
    assert out.stat().st_size > 10_000
    doc = ROOT / "docs" / "screenshot.png"
    if not doc.exists() or os.environ.get("FRONTLINE_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(out, doc)
    assert not browser_ctx["errors"], browser_ctx["errors"]
