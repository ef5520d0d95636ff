"""Shared fixtures of the browser tests: one `streamlit run app.py` on a free loopback port with
a temporary FRONTLINE_DB, and one Debian Chromium (Playwright) for the whole session
(test_dashboard_e2e.py, then test_evidence_e2e.py, which also writes to the database)."""
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

SKIP_REASON = None
if not Path(CHROMIUM).exists():
    SKIP_REASON = f"{CHROMIUM} missing: install Debian's chromium (make browser)"
try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover
    SKIP_REASON = "the playwright Python package is not installed"
    expect = sync_playwright = None

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


@pytest.fixture(scope="session")
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


@pytest.fixture(scope="session")
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




def _choose(page, key: str, contains: str | None = None, skip_first: bool = True, pick=None) -> str:
    """Pick an option of the st.selectbox with this key (the first real one, or the first whose
    text holds ``contains``); returns the option's text."""
    box = page.locator(f".st-key-{key}")
    box.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    opts = page.get_by_role("option")
    for _ in range(3):  # a rerun may redraw the widget under the click: try again
        box.get_by_role("combobox").click()
        try:
            opts.first.wait_for(timeout=4_000)
            break
        except Exception:
            page.screenshot(path=str(ARTIFACTS / f"debug-choose-{key}.png"))
            page.keyboard.press("Escape")
    opts.first.wait_for(timeout=4_000)
    texts = opts.all_inner_texts()
    if pick is not None:
        idx = next(i for i, tx in enumerate(texts) if pick(tx))
    else:
        idx = next(i for i, tx in enumerate(texts) if (contains in tx if contains else (i > 0 or not skip_first)))
    opts.nth(idx).click()
    return texts[idx]


def _click_place(page, place_id: str):
    """Click a place's marker on the map (a popup opens; the page opens the place's events panel)."""
    from dashboard.mapview import place_class
    # dispatched on the marker itself: a mouse click at its centre could land on a marker drawn
    # over it (Leaflet finds the layer from the event's target; static/afm/afm-map.js then
    # reports the place's own point whatever the click's position)
    _map_frame(page).locator(f"path.{place_class(place_id)}").first.dispatch_event("click")


def _open_event_from_panel(page, contains: str | None = None) -> str:
    expect(page.locator(".st-key-p_open")).to_be_visible(timeout=20_000)
    picked = _choose(page, "p_open", contains)
    expect(page.locator(".afm-report mark.afm-ev")).to_be_visible(timeout=20_000)
    return picked


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failed browser test, a full-page screenshot in artifacts/failed-<test>.png."""
    outcome = yield
    rep = outcome.get_result()
    if rep.when == "call" and rep.failed and "browser_ctx" in item.fixturenames:
        try:
            page = item.funcargs["browser_ctx"]["page"]
            page.screenshot(path=str(ARTIFACTS / f"failed-{item.name}.png"), full_page=True)
            keys = page.eval_on_selector_all("[class*='st-key-']", "els => els.map(e => e.className)")
            (ARTIFACTS / f"failed-{item.name}.txt").write_text("\n".join(keys) + "\n\n" + page.inner_text("body"))
        except Exception:
            pass
