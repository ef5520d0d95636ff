"""Benchmark of the dashboard at 100,000 events (issue 5). Not a timed test: it prints figures.

    .venv/bin/python scripts/bench_dashboard.py [--events 100000] [--places 1200] [--no-browser]

1. Builds a database in a temporary folder: the reports that ship with the project
   (data/reports, through the store's ingestion and the real extractor), then their
   extracted events replicated (store tables, SQLAlchemy Core) over five years of dates
   and over places of Aleppo governorate from the gazetteer, to --events events.
2. Filter change -> map data ready: the dashboard's own code path (store.queries counts,
   place_summary and place_evidence through the page's backend, then dashboard.mapview
   layers serialised the way streamlit-folium serialises them), uncached, for several filter
   changes; and, apart, the events table's read that follows the map in the same run.
3. Map payload: bytes of the st_folium arguments (base map + layers) against the number
   of events and of places in the selection.
4. Chromium (Debian's, via Playwright): time from navigation until markers are visible,
   measured in the page (MARKERS_VISIBLE_JS, on every animation frame) and, beside it, as
   Playwright's `wait_for` sees it (its polling backs off to 500 ms); for the first load of a
   fresh server, a reload (warm server) and a filtered view, --browser-runs times; and the
   app's peak memory (VmHWM of the `streamlit run` process) after these views.

    .venv/bin/python scripts/bench_dashboard.py --keep --no-browser      # build once, keep the db
    .venv/bin/python scripts/bench_dashboard.py --db /tmp/afm-bench-.../bench.db --no-filters --browser-runs 3
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CAMELTOOLS_DATA", str(ROOT / "data" / "camel"))


def build_db(db: Path, n_events: int, n_places: int, seed: int = 5) -> dict:
    from sqlalchemy import func, insert, select

    import store
    from store import records, schema as S

    s = store.open_store(str(db))
    t0 = time.perf_counter()
    summary = store.seed_if_empty(s)
    t_seed = time.perf_counter() - t0
    with s.read() as conn:
        base = [dict(r._mapping) for r in conn.execute(select(S.events).where(S.events.c.place_id.is_not(None)))]
        ea = {}
        for r in conn.execute(select(S.event_actors)):
            ea.setdefault(r.event_id, []).append(dict(r._mapping))
        report_ids = [r[0] for r in conn.execute(select(S.reports.c.id))]
    if not base:
        raise SystemExit("the shipped reports gave no events with a place: is the extractor in place?")
    rng = random.Random(seed)
    places = []
    with open(ROOT / "data" / "gazetteer" / "places.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row.get("in_aleppo_gov") == "true" and row.get("lat") and row.get("kind") in (
                    "neighbourhood", "community", "sub-district", "landmark"):
                places.append(row)
    rng.shuffle(places)
    places = places[:n_places]
    day0 = dt.date(2012, 7, 1)
    todo = n_events - len(base)
    batch, ea_batch = [], []
    t1 = time.perf_counter()
    with s.write() as conn:
        next_id = first_id = (conn.execute(select(func.max(S.events.c.id))).scalar() or 0) + 1
        for i in range(todo):
            src = base[i % len(base)]
            p = places[rng.randrange(len(places))]
            row = {k: v for k, v in src.items() if k != "id"}
            row.update(
                id=next_id, event_key=f"bench:{i}", report_id=report_ids[i % len(report_ids)],
                date=day0 + dt.timedelta(days=rng.randrange(1650)),
                place_id=p["id"], pcode=p["pcode"] or None, place_name_ar=p["name_ar"], place_name_en=p["name_en"],
                place_kind=p["kind"], lat=float(p["lat"]), lon=float(p["lon"]),
                geo_precision=int(p["geo_precision"] or 1),
            )
            batch.append(row)
            for a in ea.get(src["id"], []):
                ea_batch.append({**{k: v for k, v in a.items() if k not in ("id", "event_id")}, "event_id": next_id})
            next_id += 1
            if len(batch) >= 5000:
                conn.execute(insert(S.events), batch)
                if ea_batch:
                    conn.execute(insert(S.event_actors), ea_batch)
                batch, ea_batch = [], []
        if batch:
            conn.execute(insert(S.events), batch)
        if ea_batch:
            conn.execute(insert(S.event_actors), ea_batch)
        # rows written outside store.records: add them to the text filter's index (m006) as
        # the store's write path does
        records.index_events_text(conn, S.events.c.id >= first_id)
    t_fill = time.perf_counter() - t1
    s.dispose()
    return {"seed_reports": getattr(summary, "added", None), "base_events": len(base), "places_pool": len(places),
            "seed_s": t_seed, "fill_s": t_fill, "db_mb": db.stat().st_size / 1e6}


def filter_cases(opts: dict) -> list[tuple[str, dict]]:
    lo, hi = opts["date_min"], opts["date_max"]
    mid = lo + (hi - lo) / 2
    actors = list(opts["actors"])
    sides = opts["sides"]
    return [
        ("all events", {}),
        ("date: one year", {"date_from": mid, "date_to": mid + dt.timedelta(days=365)}),
        ("date: one month", {"date_from": mid, "date_to": mid + dt.timedelta(days=30)}),
        ("faction", {"actor_ids": actors[:1]}),
        ("side + one year", {"sides": sides[:1], "date_from": mid, "date_to": mid + dt.timedelta(days=365)}),
        ("min killed 5", {"min_killed": 5}),
        ("Arabic text", {"text": "حلب"}),
    ]


def bench_filters(db: Path) -> list[dict]:
    """Uncached: each filter change runs the queries and builds/serialises the map layers."""
    import folium
    from streamlit_folium import _get_feature_group_string

    from dashboard import mapview
    from dashboard.backend import Filters, StoreBackend, filters_key
    from dashboard.geodata import load_outlines
    from dashboard.page import EVENTS_LIMIT, EVIDENCE_PER_PLACE, evidence_by_place
    from streamlit_folium import _get_map_string

    b = StoreBackend(str(db), seed=False)
    outlines = load_outlines()
    opts = b.filter_options()
    # once per data version, as the page does (places' names and points; the map's frame)
    bounds = mapview.data_bounds(b.data_bounds_frame())
    b.map_data(Filters())  # the connection's page cache warmed (as the page's earlier runs have)
    from dashboard.page import settle_memory
    settle_memory()  # as the page does after its first whole view
    out = []
    for name, kw in filter_cases(opts):
        f = Filters(**kw)
        filters_key(f)
        t0 = time.perf_counter()
        # the page's q_map: counts, summary and the popups' evidence
        counts, summary, top = b.map_data(f, EVIDENCE_PER_PLACE)
        evidence = evidence_by_place(top, summary)
        t_query = time.perf_counter() - t0
        groups = mapview.build_layers(summary, evidence, "event_type", False, outlines)
        m = mapview.build_base_map(outlines, bounds=bounds)
        m.get_root().render()
        fg = "".join(_get_feature_group_string(g, m, i) for i, g in enumerate(groups))
        t_total = time.perf_counter() - t0
        # after the map, in the same run: the events table's rows (not part of the map's data)
        t1 = time.perf_counter()
        b.events(f, limit=EVENTS_LIMIT)
        t_table = time.perf_counter() - t1
        # the base map's script, as st_folium sends it
        m2 = mapview.build_base_map(outlines, bounds=bounds)
        m2.get_root().render()
        base_script = _get_map_string(m2)
        out.append({"case": name, "events": counts["events"], "places": len(summary),
                    "query_s": t_query, "ready_s": t_total, "table_s": t_table,
                    "layers_kb": len(fg.encode()) / 1024, "base_kb": len(base_script.encode()) / 1024})
        del folium
        import folium  # noqa: F401,F811
    b.store.dispose()
    return out


# Markers visible, measured in the page: evaluated on every animation frame (polling="raf") in
# the top document, it looks into the map's iframe (same origin) for a drawn place (a circle,
# a dashed area or a cluster) with a non-empty box, and returns performance.now(): milliseconds
# since the navigation started. Playwright's own `locator.wait_for(state="visible")` polls from
# the driver with a back-off of 0, 20, 50, 100, 100 ms and then every 500 ms (each poll a round
# trip to the browser), so it reports up to ~0.5 s after the markers are drawn; the bench prints
# it beside the in-page figure ("wait_for").
MARKERS_VISIBLE_JS = """() => {
  const f = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
  const d = f && f.contentDocument;
  const m = d && d.querySelector('path.afm-place, path.afm-area, .marker-cluster');
  if (!m) return false;
  const r = m.getBoundingClientRect();
  return r.width > 0 && r.height > 0 ? performance.now() : false;
}"""
MARKERS = "path.afm-place, path.afm-area, .marker-cluster"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _load(page, url: str) -> tuple[float, float]:
    """(in-page time from navigation to markers visible, wall time until Playwright's wait_for
    sees them), seconds."""
    t0 = time.perf_counter()
    page.goto(url, wait_until="commit")
    in_page = page.wait_for_function(MARKERS_VISIBLE_JS, polling="raf", timeout=120_000).json_value() / 1000
    page.frame_locator('iframe[title="streamlit_folium.st_folium"]').locator(MARKERS).first.wait_for(
        state="visible", timeout=120_000)
    return in_page, time.perf_counter() - t0


def bench_browser(db: Path, tmp: Path, runs: int = 1) -> dict:
    """``runs`` times: a fresh `streamlit run` (first load), then a reload (warm caches) and a
    filtered view; every figure is a list, one value per run."""
    from playwright.sync_api import sync_playwright

    env = dict(os.environ, FRONTLINE_DB=str(db), PYTHONPATH=str(ROOT))
    res: dict = {}
    pw = sync_playwright().start()
    try:
        for run in range(runs):
            port = _free_port()
            log = open(tmp / f"streamlit-{run}.log", "w")
            # the browser is started (and has drawn a page) before the server: "first load" is the
            # time from the server being ready (health check answered) to markers visible, not the
            # browser's own start. A fresh profile each run: a cold HTTP cache too.
            ctx = pw.chromium.launch_persistent_context(
                str(tmp / f"profile-{run}"), executable_path="/usr/bin/chromium", headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      "--disable-component-update", "--disable-sync", "--no-first-run"],
                viewport={"width": 1500, "height": 1100})
            page = ctx.pages[0] if ctx.pages else ctx.new_page()
            page.set_content("<p>warm</p>")
            t_start = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                                     "--server.address", "127.0.0.1", "--server.headless", "true",
                                     "--server.fileWatcherType", "none"], cwd=ROOT, env=env, stdout=log,
                                    stderr=subprocess.STDOUT)
            url = f"http://127.0.0.1:{port}"
            try:
                for _ in range(400):
                    try:
                        urllib.request.urlopen(url + "/_stcore/health", timeout=2)
                        break
                    except OSError:
                        time.sleep(0.05)
                res.setdefault("server start -> ready", []).append(time.perf_counter() - t_start)
                for label, q in (("first load (fresh server)", ""), ("reload (warm server)", ""),
                                 ("filtered view (?min_killed=3)", "?min_killed=3")):
                    in_page, wall = _load(page, url + "/" + q)
                    res.setdefault(label, []).append(in_page)
                    res.setdefault(label + " wait_for", []).append(wall)
                    page.wait_for_timeout(1500)  # the page's follow-up run (timeline, table)
                if run == runs - 1:
                    page.screenshot(path=str(ROOT / "artifacts" / "bench-100k.png"))
                status = Path(f"/proc/{proc.pid}/status").read_text()
                res.setdefault("peak_rss_mb", []).append(
                    int(next(line for line in status.splitlines() if line.startswith("VmHWM")).split()[1]) / 1024)
            finally:
                ctx.close()
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                log.close()
        return res
    finally:
        pw.stop()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--places", type=int, default=1200, help="distinct places the events are spread over")
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the temporary database")
    ap.add_argument("--db", type=Path, help="an existing benchmark database (from --keep): not rebuilt")
    ap.add_argument("--browser-runs", type=int, default=1,
                    help="fresh servers to start (each: first load, reload, filtered view)")
    ap.add_argument("--no-filters", action="store_true", help="skip the filter-change timings")
    args = ap.parse_args(argv)
    (ROOT / "artifacts").mkdir(exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="afm-bench-"))
    db = args.db or tmp / "bench.db"
    try:
        if args.db:
            info = {"db": str(db), "db_mb": db.stat().st_size / 1e6}
            print(f"database: {db} ({info['db_mb']:.0f} MB, reused)")
        else:
            info = build_db(db, args.events, args.places)
            print(f"database: {args.events:,} events ({info['base_events']} extracted from {info['seed_reports']} "
                  f"shipped reports, replicated over {info['places_pool']} places and 2012-07..2016-12), "
                  f"{info['db_mb']:.0f} MB; seed {info['seed_s']:.1f}s, fill {info['fill_s']:.1f}s")
        rows = [] if args.no_filters else bench_filters(db)
        print(f"\n{'filter change':26s} {'events':>8s} {'places':>7s} {'queries':>8s} {'map data':>9s} "
              f"{'layers KB':>10s} {'base KB':>8s} {'table':>7s}")
        for r in rows:
            print(f"{r['case']:26s} {r['events']:>8,d} {r['places']:>7,d} {r['query_s']:>7.3f}s {r['ready_s']:>8.3f}s "
                  f"{r['layers_kb']:>10.1f} {r['base_kb']:>8.1f} {r['table_s']:>6.3f}s")
        res = {}
        if not args.no_browser and Path("/usr/bin/chromium").exists():
            load = os.getloadavg()
            res = bench_browser(db, tmp, args.browser_runs)
            print(f"\nChromium, markers visible after navigation (in-page; 'wait_for': Playwright's polling), "
                  f"load average before {load[0]:.2f}, after {os.getloadavg()[0]:.2f}:")
            for k, v in res.items():
                unit = " MB" if k.endswith("_mb") else " s"
                print(f"{k:40s} " + "  ".join(f"{x:6.2f}" for x in v) + unit)
        print(json.dumps({"db": info, "filters": rows, "browser": res}, default=str), file=open(ROOT / "artifacts" / "bench.json", "w"))
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"kept {db}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
