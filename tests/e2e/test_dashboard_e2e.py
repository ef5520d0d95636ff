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
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
SAMPLE = ROOT.parent / "shared" / "samples" / "aleppo-frontline-2016-12-06.txt"
ARTIFACTS = ROOT / "artifacts"
STUB = "tests.e2e.stub_extractor:extract_text"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--disable-default-apps", "--disable-extensions",
               "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
               "--no-default-browser-check", "--metrics-recording-only"]
# One sentence (no full stop inside, so the extractor keeps it whole as the evidence).
XSS_SCRIPT = "<script>self['__afm_xss']=1;alert(1)</script>"
XSS_IMG = "<img src=x onerror=\"self['__afm_xss']=2;alert(2)\">"
XSS_TPL = "${self['__afm_xss']=3}"
XSS_TEXT = f"قتل 9 مدنيين {XSS_SCRIPT}{XSS_IMG} {XSS_TPL} `x` جراء قصف على حي الميسر في حلب"

pytestmark = [pytest.mark.browser, pytest.mark.slow]

if not Path(CHROMIUM).exists():
    pytestmark.append(pytest.mark.skip(reason=f"{CHROMIUM} missing: install Debian's chromium (make browser)"))
try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover
    pytestmark.append(pytest.mark.skip(reason="the playwright Python package is not installed"))

IFRAME = 'iframe[title="streamlit_folium.st_folium"]'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _real_extractor_works() -> bool:
    try:
        from extraction import extract_text
        out = extract_text(SAMPLE.read_text(encoding="utf-8"), published="2016-12-06")
        return any((e.get("place") or {}).get("lat") is not None for e in out.get("events") or [])
    except Exception:
        return False


def _env(extra: dict) -> dict:
    env = dict(os.environ)
    env.setdefault("CAMELTOOLS_DATA", str(ROOT / "data" / "camel"))
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def _ingest(db: str, extractor: str | None, *, text: str | None = None, path: Path | None = None,
            published: str, source: str, title: str | None = None, url: str | None = None) -> None:
    """Ingest through the store's own ingestion path, in a subprocess (its own extractor env)."""
    code = (
        "import sys\nfrom store import open_store\nfrom store.ingest import ingest_paths, ingest_text\n"
        "s = open_store(sys.argv[1])\n"
        "if sys.argv[2] == 'path':\n"
        "    r = ingest_paths(s, [sys.argv[3]], published=sys.argv[4], source=sys.argv[5])\n"
        "else:\n"
        "    r = ingest_text(s, sys.argv[3], published=sys.argv[4], source=sys.argv[5], title=sys.argv[6] or None,"
        " url=sys.argv[7] or None)\n"
        "assert r.added == 1 and not r.extraction_errors, r\n"
    )
    args = [sys.executable, "-c", code, db, "path" if path else "text", str(path or text), published, source,
            title or "", url or ""]
    env = _env({"FRONTLINE_EXTRACTOR": extractor} if extractor else {})
    subprocess.run(args, check=True, cwd=ROOT, env=env, timeout=180)


@pytest.fixture(scope="module")
def server():
    tmp = Path(tempfile.mkdtemp(prefix="afm-e2e-"))
    db = str(tmp / "frontline.db")
    extractor = None if _real_extractor_works() else STUB
    _ingest(db, extractor, path=SAMPLE, published="2016-12-06", source="sample: Aleppo Media Center")
    _ingest(db, extractor, published="2016-12-03", source="synthetic test report",
            text="اشتباكات بين جيش الإسلام وقوات النظام في حي الزبدية. قتل 4 من عناصر الزنكي في نبل.",
            title="تقرير تجريبي")
    port = _free_port()
    log = open(tmp / "streamlit.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=_env({"FRONTLINE_DB": db}), stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read().strip() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.terminate()
        pytest.fail("streamlit did not start: " + (tmp / "streamlit.log").read_text()[-2000:])
    yield {"url": url, "db": db, "extractor": extractor, "tmp": tmp, "proc": proc}
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def browser_ctx(server):
    ARTIFACTS.mkdir(exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="afm-chromium-"))
    requests: list[str] = []
    dialogs: list[str] = []
    errors: list[str] = []
    with sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS,
            viewport={"width": 1500, "height": 1100}, locale="en-US")
        ctx.on("request", lambda r: requests.append(r.url))
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: errors.append(str(e)))
        yield {"page": page, "requests": requests, "dialogs": dialogs, "errors": errors}
        ctx.close()
    shutil.rmtree(profile, ignore_errors=True)


def _wait_markers(page, timeout=30_000):
    frame = page.frame_locator(IFRAME)
    expect(frame.locator("path.afm-place, path.afm-area").first).to_be_visible(timeout=timeout)
    return frame


def _map_frame(page):
    return next(f for f in page.frames if "streamlit_folium" in f.url)


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
    # the events table on the page shows the same text as text
    page.get_by_text("<script>self['__afm_xss']=5</script>").first.wait_for(timeout=10_000)
    assert page.locator("table.afm-events script, table.afm-events img").count() == 0
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
