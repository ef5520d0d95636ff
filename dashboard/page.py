"""The dashboard page: sidebar filters, metrics, map, timeline, events table, downloads."""
from __future__ import annotations

import gc
import logging
import os

import pandas as pd
import streamlit as st

from dashboard import backend as be
from dashboard import exports, mapview, views
from dashboard.i18n import LANGS, t
from dashboard.geodata import Outlines, load_outlines
from dashboard.state import (COLOUR_MODES, PRECISIONS, TIMELINE_MODES, FilterState, LIST_PARAMS,
                             from_params, normalise_range, to_params)

_LOG = logging.getLogger(__name__)

# Swappable in tests (monkeypatch before AppTest.run): () -> Backend, () -> Outlines.
BACKEND_FACTORY = be.StoreBackend
OUTLINES_FACTORY = load_outlines
TABLE_PAGE = 50
EVIDENCE_PER_PLACE = 2
# The events table reads at most this many events (newest first); counts, the map's places,
# the popups' evidence (store.queries.place_evidence) and the timeline always cover every
# event; downloads too.
EVENTS_LIMIT = 5000
# The timeline, the events table and the downloads wait, on a session's first view of the map,
# for the map to have drawn: see below_map_ready. Tests of the page through AppTest (where no
# component runs, so the map never reports) set this to False.
DEFER_BELOW_MAP = True

_CSS = """
<style>
.afm-rtl, [lang="ar"] { direction: rtl; unicode-bidi: isolate; text-align: right;
  font-family: "Noto Sans Arabic", "Noto Naskh Arabic", Tahoma, sans-serif; }
.st-key-f_text input { direction: rtl; text-align: right; }
table.afm-events { border-collapse: collapse; width: 100%; font-size: 13px; }
table.afm-events th, table.afm-events td { border-bottom: 1px solid #e6e6e6; padding: 4px 6px; vertical-align: top; }
table.afm-events td.ev { direction: rtl; text-align: right; min-width: 280px; }
table.afm-events td.num { text-align: right; white-space: nowrap; }
.afm-meta { color: #555; font-size: 13px; }
</style>
"""
# Arabic interface: Streamlit has no RTL mode; the sidebar and text blocks are turned right-to-left
# (the map's iframe, charts and tables keep their own direction).
_CSS_RTL = """
<style>
section[data-testid="stSidebar"] > div { direction: rtl; text-align: right; }
[data-testid="stMarkdownContainer"], [data-testid="stWidgetLabel"], [data-testid="stCaptionContainer"],
[data-testid="stMetricLabel"], h1, h2, h3, [data-testid="stExpander"] summary, .stRadio, .stTabs { direction: rtl; text-align: right; }
</style>
"""
VIEWS = ("map", "reports", "review", "add")


# --------------------------------------------------------------------------- cached resources

@st.cache_resource(show_spinner="Opening the database…")
def _backend(_factory, cache_key: str):
    return _factory()


def get_backend():
    key = f"{getattr(BACKEND_FACTORY, '__qualname__', BACKEND_FACTORY)}:{id(BACKEND_FACTORY)}:{os.environ.get('FRONTLINE_DB', '')}"
    return _backend(BACKEND_FACTORY, key)


@st.cache_resource(show_spinner="Loading the gazetteer outlines…")
def _outlines(_factory, cache_key: str) -> Outlines:
    return _factory()


def get_outlines() -> Outlines:
    return _outlines(OUTLINES_FACTORY, f"{id(OUTLINES_FACTORY)}")


@st.cache_data(show_spinner=False, max_entries=4)
def q_options(_b, name: str, version: str) -> dict:
    return _b.filter_options()


@st.cache_data(show_spinner=False, max_entries=64)
def q_counts(_b, name: str, version: str, fkey: tuple) -> dict:
    return _b.counts(be.filters_from_key(fkey))


@st.cache_data(show_spinner=False, max_entries=64)
def q_summary(_b, name: str, version: str, fkey: tuple) -> pd.DataFrame:
    return _b.place_summary(be.filters_from_key(fkey))


@st.cache_data(show_spinner=False, max_entries=32)
def q_events(_b, name: str, version: str, fkey: tuple, limit: int | None = EVENTS_LIMIT) -> pd.DataFrame:
    return _b.events(be.filters_from_key(fkey), limit=limit)


@st.cache_data(show_spinner=False, max_entries=64)
def q_timeline(_b, name: str, version: str, fkey: tuple, by: str) -> pd.DataFrame:
    return _b.timeline(be.filters_from_key(fkey), by=by)


@st.cache_data(show_spinner=False, max_entries=32)
def q_evidence(_b, name: str, version: str, fkey: tuple, per_place: int) -> dict:
    top = _b.place_evidence(be.filters_from_key(fkey), per_place)
    return evidence_by_place(top, q_summary(_b, name, version, fkey))


@st.cache_data(show_spinner=False, max_entries=32)
def q_map(_b, name: str, version: str, fkey: tuple, per_place: int) -> tuple[dict, pd.DataFrame, dict]:
    """A filter change's map data: (counts, place summary, evidence by place). A backend with
    ``map_data`` (the store) reads them concurrently and derives the counts from the summary's
    aggregate; the same values as q_counts, q_summary and q_evidence."""
    f = be.filters_from_key(fkey)
    if hasattr(_b, "map_data"):
        counts, summary, top = _b.map_data(f, per_place)
    else:
        counts, summary, top = _b.counts(f), _b.place_summary(f), _b.place_evidence(f, per_place)
    return counts, summary, evidence_by_place(top, summary)


@st.cache_data(show_spinner=False, max_entries=4)
def q_bounds(_b, name: str, version: str) -> list | None:
    """The map's frame: every mapped place with a live event (the summary of no filter)."""
    if hasattr(_b, "data_bounds_frame"):
        return mapview.data_bounds(_b.data_bounds_frame())
    return mapview.data_bounds(q_summary(_b, name, version, be.filters_key(be.Filters())))


@st.cache_data(show_spinner=False, max_entries=32)
def q_timeline_fine(_b, name: str, version: str, fkey: tuple) -> pd.DataFrame:
    return _b.timeline_fine(be.filters_from_key(fkey))


def get_timeline(b, version: str, fkey: tuple, by: str) -> pd.DataFrame:
    """Killed per day by side or type; with the store, both from one cached aggregate."""
    if hasattr(b, "timeline_fine"):
        return b.timeline_from_fine(q_timeline_fine(b, b.name, version, fkey), by)
    return q_timeline(b, b.name, version, fkey, by)


@st.cache_data(show_spinner=False, max_entries=32)
def q_events_place(_b, name: str, version: str, fkey: tuple, place_ids: tuple) -> pd.DataFrame:
    return _b.events_for_place(list(place_ids), be.filters_from_key(fkey))


@st.cache_data(show_spinner=False, max_entries=16)
def q_report(_b, name: str, version: str, report_id) -> dict | None:
    return _b.report(report_id)


@st.cache_data(show_spinner=False, max_entries=16)
def q_reports(_b, name: str, version: str, search: str, source: str, d0, d1) -> pd.DataFrame:
    return _b.reports(search=search, source=source, date_from=d0, date_to=d1)


@st.cache_data(show_spinner=False, max_entries=4)
def q_queue(_b, name: str, version: str) -> pd.DataFrame:
    return _b.review_queue(limit=2000)


@st.cache_data(show_spinner=False, max_entries=16)
def q_corrections(_b, name: str, version: str, event_id) -> pd.DataFrame:
    return _b.corrections(event_id=event_id)


@st.cache_data(show_spinner=False, max_entries=4)
def q_analyst_places(_b, name: str, version: str) -> pd.DataFrame:
    return _b.analyst_places()


@st.cache_resource(show_spinner=False, max_entries=4)
def _gazetteer(_rows, signature: tuple):
    """The gazetteer with the analyst's layer laid over it (rebuilt when the layer changes)."""
    from geo import layer_from_rows, load_gazetteer
    base = load_gazetteer()
    return base.with_layer(layer_from_rows(_rows)) if _rows is not None and len(_rows) else base


class Q:
    """The page's cached reads for one run (bound to the backend and the data version)."""

    def __init__(self, b, version: str):
        self.version = version

    def events_place(self, b, fkey, place_ids):
        return q_events_place(b, b.name, self.version, fkey, tuple(place_ids))

    def report(self, b, report_id):
        return q_report(b, b.name, self.version, report_id)

    def reports(self, b, search, source, d0, d1):
        return q_reports(b, b.name, self.version, search, source, d0, d1)

    def queue(self, b):
        return q_queue(b, b.name, self.version)

    def corrections(self, b, event_id):
        return q_corrections(b, b.name, self.version, event_id)

    def analyst_places(self, b):
        return q_analyst_places(b, b.name, self.version)

    def options(self, b):
        return dict(q_options(b, b.name, self.version))

    def gazetteer(self, b):
        rows = self.analyst_places(b) if getattr(b, "supports_reports", False) else None
        sig = tuple(map(tuple, rows.astype(str).values.tolist())) if rows is not None and len(rows) else ()
        return _gazetteer(rows, sig)


def evidence_by_place(top: pd.DataFrame, summary: pd.DataFrame | None = None) -> dict:
    """place_id -> (evidence rows for its popup, its number of events in the selection).

    ``top``: the store's ``place_evidence`` frame (each place's top events, most killed then
    latest, ranked); rows as mapview.evidence_row makes them, built column-wise. The number of
    events is the place summary's (every filtered event of the place), else the rows given."""
    if top is None or top.empty:
        return {}
    ev = top[top["place_id"].notna()].sort_values(["place_id", "rank"], kind="stable")
    if ev.empty:
        return {}
    day = pd.to_datetime(ev["date"], errors="coerce").dt.strftime("%Y-%m-%d").fillna("")
    kind = ev["event_type"].astype(object).where(ev["event_type"].notna(), "")
    killed = [None if pd.isna(k) else int(k) for k in ev["killed"]]
    source = ev["source"].astype(object).where(ev["source"].notna() & (ev["source"].astype(str) != ""),
                                               ev["report_title"].astype(object))
    source = source.where(source.notna(), "").astype(str)
    urls = {u: mapview.safe.http_url(u) for u in ev["url"].dropna().unique()}
    url = [urls.get(u) for u in ev["url"]]
    text = ev["evidence_text"].astype(object).where(ev["evidence_text"].notna(), "").astype(str)
    long = text.str.len() > mapview.EVIDENCE_CHARS
    text = text.where(~long, text.str.slice(0, mapview.EVIDENCE_CHARS).str.rstrip() + "…")
    n = {}
    if summary is not None and len(summary):
        n = dict(zip(summary["place_id"], pd.to_numeric(summary["events"], errors="coerce").fillna(0).astype(int)))
    out: dict = {}
    for pid, row in zip(ev["place_id"], zip(day, kind, killed, source, url, text)):
        rows = out.get(pid)
        if rows is None:
            rows = out[pid] = ([], int(n.get(pid, 0)))
        rows[0].append(list(row))
    if not n:  # no summary: the number of rows given
        out = {pid: (rows, len(rows)) for pid, (rows, _) in out.items()}
    return out


# --------------------------------------------------------------------------- sidebar

def _init_from_url(options: dict) -> None:
    s = from_params(st.query_params, options)
    ss = st.session_state
    ss["_afm_dates"] = (s.date_from, s.date_to)
    ss["f_dates_slider"] = (s.date_from, s.date_to)
    ss["f_dates_pick"] = (s.date_from, s.date_to)
    ss["f_sides"], ss["f_actors"], ss["f_types"], ss["f_sources"] = s.sides, s.actor_ids, s.event_types, s.sources
    ss["f_min_killed"], ss["f_prec"], ss["f_text"] = int(s.min_killed), list(s.geo_precisions), s.text
    ss["f_undated"] = s.undated
    ss["v_colour"], ss["v_choro"], ss["v_timeline"] = s.colour_by, s.choropleth, s.timeline_by
    ss["_afm_init"] = True


def _sanitise(options: dict) -> None:
    """Keep session values valid when the data changes (a new ingest, another database)."""
    ss = st.session_state
    lo, hi = options["date_min"], options["date_max"]
    d0, d1 = ss.get("_afm_dates") or (lo, hi)
    if ss.get("_afm_bounds") not in (None, (lo, hi)) and (d0, d1) == ss["_afm_bounds"]:
        d0, d1 = lo, hi  # the whole range was shown: keep showing it when new reports widen it
    ss["_afm_bounds"] = (lo, hi)
    if lo is None or hi is None:  # only undated events so far: no range to offer
        d0 = d1 = None
    else:
        d0, d1 = min(max(d0 or lo, lo), hi), min(max(d1 or hi, lo), hi)
    if (d0, d1) != ss.get("_afm_dates"):
        ss["_afm_dates"] = (d0, d1)
        ss["f_dates_slider"] = (d0, d1)
        ss["f_dates_pick"] = (d0, d1)
    for key, allowed in (("f_sides", options["sides"]), ("f_actors", list(options["actors"])),
                         ("f_types", options["event_types"]), ("f_sources", options["sources"])):
        vals = ss.get(key) or []
        keep = [v for v in vals if v in allowed]
        if keep != vals:
            ss[key] = keep


def _on_slider():
    ss = st.session_state
    ss["_afm_dates"] = tuple(ss["f_dates_slider"])
    ss["f_dates_pick"] = tuple(ss["f_dates_slider"])


def _on_pick():
    ss = st.session_state
    rng, complete = normalise_range(ss.get("f_dates_pick"), ss["_afm_dates"])
    if complete:
        ss["_afm_dates"] = rng
        ss["f_dates_slider"] = rng


def sidebar(options: dict) -> tuple[FilterState, bool]:
    ss = st.session_state
    if not ss.get("_afm_init"):
        _init_from_url(options)
    _sanitise(options)
    lo, hi = options["date_min"], options["date_max"]
    sb = st.sidebar
    sb.header(t("filters"))
    if lo is not None and hi is not None:
        if lo < hi:
            sb.slider(t("date_range"), min_value=lo, max_value=hi, key="f_dates_slider", on_change=_on_slider,
                      format="YYYY-MM-DD")
        sb.date_input(t("from_to"), min_value=lo, max_value=hi, key="f_dates_pick", on_change=_on_pick,
                      format="YYYY-MM-DD")
        rng, complete = normalise_range(ss.get("f_dates_pick"), ss["_afm_dates"])
        if not complete:
            sb.caption(t("pick_end_date"))
    d0, d1 = ss["_afm_dates"]
    if options.get("undated"):
        # an event whose report gives no date is neither inside nor outside the range
        sb.checkbox(t("undated", n=options["undated"]), key="f_undated", help=t("undated_help"),
                    disabled=lo is None)

    actors = options["actors"]
    sb.multiselect(t("sides"), options["sides"], key="f_sides", placeholder=t("choose_options"))
    sb.multiselect(t("factions"), list(actors), key="f_actors", placeholder=t("choose_options"), format_func=lambda a: f"{actors.get(a) or a}")
    sb.multiselect(t("event_types"), options["event_types"], key="f_types", placeholder=t("choose_options"))
    sb.number_input(t("min_killed"), min_value=0, step=1, key="f_min_killed")
    sb.multiselect(t("precision"), list(PRECISIONS), key="f_prec", placeholder=t("choose_options"),
                   format_func=lambda p: t(views.PREC.get(p, "geo_unknown")))
    sb.multiselect(t("sources"), options["sources"], key="f_sources", placeholder=t("choose_options"))
    sb.text_input(t("search_reports"), key="f_text", placeholder="مثال: الميسر", help=t("search_help"))

    sb.header(t("map_h"))
    sb.radio(t("colour_by"), COLOUR_MODES, key="v_colour", horizontal=True, format_func=lambda m: t("by_" + m))
    sb.toggle(t("choropleth"), key="v_choro")
    sb.radio(t("timeline_by"), TIMELINE_MODES, key="v_timeline", horizontal=True, format_func=lambda m: t("by_" + m))
    tiles_default = os.environ.get("FRONTLINE_MAP_TILES", "").lower() in ("osm", "openstreetmap", "1", "on")
    tiles = sb.toggle(t("tiles"), value=tiles_default, key="v_tiles", help=t("tiles_help"))
    if tiles:
        sb.warning(t("tiles_on"))

    state = FilterState(
        date_from=d0, date_to=d1, sides=list(ss["f_sides"]), actor_ids=list(ss["f_actors"]),
        event_types=list(ss["f_types"]), sources=list(ss["f_sources"]),
        min_killed=int(ss["f_min_killed"] or 0), geo_precisions=list(ss["f_prec"]),
        text=ss["f_text"] or "", undated=bool(ss.get("f_undated", True)) or lo is None,
        colour_by=ss["v_colour"], choropleth=bool(ss["v_choro"]),
        timeline_by=ss["v_timeline"],
    )
    return state, tiles


def sync_url(state: FilterState, options: dict) -> None:
    """Mirror the filters in the URL so the view can be shared as a link."""
    want = to_params(state, options)
    ss = st.session_state
    if ss.get("v_view", "map") != "map":
        want["view"] = ss["v_view"]
    if ss.get("ui_lang", "en") != "en":
        want["lang"] = ss["ui_lang"]
    if (ss.get("who") or "").strip():
        want["who"] = ss["who"].strip()
    if ss.get("sel_report") is not None:  # the open report / event: a link shows the same evidence
        want["report"] = str(ss["sel_report"])
        if ss.get("sel_event") is not None:
            want["event"] = str(ss["sel_event"])
    have = {}
    for k in st.query_params.keys():
        vals = st.query_params.get_all(k)
        have[k] = vals if k in LIST_PARAMS else (vals[-1] if vals else "")
    if have != want:
        st.query_params.from_dict(want)


# --------------------------------------------------------------------------- main

def interface_settings() -> None:
    """Top of the sidebar: interface language and the analyst's name (who signs corrections);
    both kept in the session and the URL (?lang=ar&who=...)."""
    ss = st.session_state
    if "ui_lang" not in ss:
        lang = st.query_params.get("lang")
        ss["ui_lang"] = lang if lang in LANGS else "en"
    if "who" not in ss:
        ss["who"] = str(st.query_params.get("who") or "")[:80]
    sb = st.sidebar
    sb.radio("Language · اللغة", LANGS, key="ui_lang", horizontal=True,
             format_func=lambda v: {"en": "English", "ar": "العربية"}[v])
    sb.text_input(t("analyst_name"), key="who", max_chars=80, help=t("analyst_name_help"))


def main() -> None:
    st.set_page_config(page_title="Aleppo Frontline Map", page_icon="🗺️", layout="wide")
    interface_settings()
    st.markdown(_CSS + (_CSS_RTL if st.session_state.get("ui_lang") == "ar" else ""), unsafe_allow_html=True)
    st.title(t("app_title"))

    try:
        b = get_backend()
    except Exception as exc:  # the store could not be opened: say so plainly
        st.error(f"{t('db_error')}: {type(exc).__name__}: {exc}")
        st.stop()
    seeded = getattr(b, "seed_result", None)
    if seeded is not None and not st.session_state.get("_afm_seed_told"):
        st.session_state["_afm_seed_told"] = True
        st.toast(t("seeded", n=getattr(seeded, "added", "?")))
    if getattr(b, "seed_error", None):
        st.warning(f"{t('seed_error')}: {b.seed_error}")
    flash = st.session_state.pop("_afm_flash", None)
    if flash:
        st.success(flash)
    version = b.data_version()
    q = Q(b, version)
    options = q_options(b, b.name, version)
    if not st.session_state.get("_afm_init") and "v_view" not in st.session_state:
        view = st.query_params.get("view")
        st.session_state["v_view"] = view if view in VIEWS else "map"
        rep, ev = st.query_params.get("report"), st.query_params.get("event")
        if rep and rep.isdigit():
            st.session_state.setdefault("sel_report", int(rep))
            if ev and ev.isdigit():
                st.session_state.setdefault("sel_event", int(ev))
    goto = st.session_state.pop("_afm_goto", None)
    if goto in VIEWS:
        st.session_state["v_view"] = goto
    st.radio(t("view"), VIEWS, key="v_view", horizontal=True, format_func=lambda v: t("view_" + v),
             label_visibility="collapsed")
    view = st.session_state.get("v_view", "map")

    if options.get("date_min") is None and not options.get("undated"):
        if view == "add":
            views.add_view(b, q)
            st.stop()
        st.info(t("no_data"))
        outlines = get_outlines()
        mapview.show(mapview.build_base_map(outlines), mapview.build_layers(
            pd.DataFrame(columns=be.SUMMARY_COLUMNS), {}, "event_type", False, outlines))
        st.stop()

    state, tiles = sidebar(options)
    with st.sidebar:
        st.header(t("analyst_layer"))
        # filled after the view below (same place in the sidebar): its two reads (analyst places,
        # corrections log, ~0.2 s on a cold server) are not needed to draw the map
        analyst_slot = st.container()
    sync_url(state, options)
    fkey = be.filters_key(state.filters())

    if view == "reports":
        views.reports_view(b, q)
    elif view == "review":
        views.review_view(b, q)
    elif view == "add":
        views.add_view(b, q)
    else:
        map_view(b, q, version, fkey, state, tiles)
    with analyst_slot:
        views.analyst_layer_download(b, q)


def map_view(b, q: Q, version: str, fkey: tuple, state: FilterState, tiles: bool) -> None:
    counts, summary, evidence = q_map(b, b.name, version, fkey, EVIDENCE_PER_PLACE)

    cols = st.columns(5)
    for col, key in zip(cols, ["events", "killed", "injured", "places", "reports"]):
        col.metric(t("m_" + key), f"{int(counts.get(key) or 0):,}")

    empty = int(counts.get("events") or 0) == 0
    if empty:
        st.warning(t("empty_result"), icon="🔎")

    views.pick_banner(b, q)
    ss = st.session_state
    picking = bool(ss.get(views.PICK_KEY))
    outlines = get_outlines()
    base = mapview.build_base_map(outlines, tiles=bool(tiles), bounds=q_bounds(b, b.name, version))
    groups = mapview.build_layers(summary, evidence, state.colour_by, state.choropleth, outlines)
    map_col, legend_col = st.columns([5, 1])
    with map_col:
        ret = mapview.show(base, groups, pick=picking)
        unmapped = int(summary["lat"].isna().sum()) if len(summary) else 0
        if unmapped:
            st.caption(t("unmapped", n=unmapped))
        if outlines.note:
            st.caption(outlines.note.strip())
    with legend_col:
        st.markdown(mapview.legend_html(summary, state.colour_by, state.choropleth), unsafe_allow_html=True)
    if handle_map_click(ret, summary, picking):
        st.rerun()

    if ss.get("sel_place"):
        views.place_panel(b, q, list(ss["sel_place"]), fkey)
        if st.button(t("panel_close"), key="panel_close"):
            ss["sel_place"], ss["sel_event"] = None, None
            st.rerun()
    if ss.get("sel_event") is not None and ss.get("sel_report") is not None:
        views.report_view(b, q, ss["sel_report"], ss["sel_event"], where="map")

    if empty or not below_map_ready(ret):
        return
    _timeline(b, version, fkey, state)
    events = q_events(b, b.name, version, fkey)
    _events_table(events, int(counts.get("events") or 0))
    exports.download_buttons(b, events, state, int(counts.get("events") or 0))
    settle_memory()


def warm_up(data: bool = True) -> None:
    """Before a fresh server's first session (app.py's lifespan, once per process): import what
    the first run would import (pandas, SQLAlchemy, folium and the dashboard's modules come
    with this module; then the map's layers, and altair for the timeline), then, with ``data``,
    open the store and fill the caches the first view of the map reads: filter options, the
    default view's counts, places and evidence (``q_map``), bounds, outlines. The same cached functions and keys as a run, so
    the first session finds them (cache_data lands in the runtime's storage: the runtime exists
    and has started before the lifespan). Not when the database is still to be seeded. A
    failure is only logged: the page reports it."""
    import time

    t0 = time.perf_counter()
    # the cached functions' spinners look for a script run outside one: one warning each
    quiet = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        _warm_up(data)
    finally:
        quiet.setLevel(level)
    _LOG.info("warm-up done in %.2f s", time.perf_counter() - t0)


def _warm_up(data: bool) -> None:
    import altair  # noqa: F401  (the timeline, drawn once the map has)
    # Not streamlit_folium: its import declares the component, which Streamlit registers only
    # inside a script run (declare_component skips it without a ScriptRunContext); imported
    # here, it would never be registered and the map's iframe would get a 404.

    from dashboard import layers  # noqa: F401
    if data:
        try:
            # an empty database is seeded when opened (ingesting the shipped reports, seconds):
            # left to the first session, which shows a spinner, not to a server that would not
            # answer meanwhile
            if BACKEND_FACTORY is be.StoreBackend and be.store_needs_seed():
                return
            b = get_backend()
            version = b.data_version()
            options = q_options(b, b.name, version)
            get_outlines()
            if options.get("date_min") is not None:
                fkey = be.filters_key(from_params({}, options).filters())
                q_map(b, b.name, version, fkey, EVIDENCE_PER_PLACE)
                q_bounds(b, b.name, version)
        except Exception as exc:  # noqa: BLE001
            _LOG.warning("warm-up: %s: %s", type(exc).__name__, exc)


_SETTLED = False


def settle_memory() -> bool:
    """Once per server process, after the first whole map view (the map already drawn, its
    caches filled): collect, then freeze what is alive out of the garbage collector's sight.
    Why: the modules, the gazetteer outlines and the cached frames are a million objects that
    never die, and every full collection walked them all (~0.1 s, landing on some filter
    change at random; at 100,000 events it took one from 0.23 to 0.36 s in the benchmark).
    Returns whether it froze now."""
    global _SETTLED
    if _SETTLED:
        return False
    _SETTLED = True
    gc.collect()
    gc.freeze()
    return True


def below_map_ready(ret) -> bool:
    """Whether to draw the timeline, the events table and the downloads in this run.

    On a session's first view they are left out until the map has drawn: the map's iframe is
    same-origin, so it shares the page's renderer main thread, and the chart (vega-embed) and
    the table (Arrow, the data grid) arriving just after the map's delta held its scripts and
    its drawing back by ~1 s (docs/dashboard.md, "Where the first load goes"). The map
    component sends its first value once it has built the map (streamlit-folium's
    initComponent), which reruns the page: that run draws them. Any later run draws them too
    (the flag below), so they never stay hidden if the component cannot report."""
    ss = st.session_state
    if not DEFER_BELOW_MAP or ss.get("_afm_below_map"):
        return True
    ss["_afm_below_map"] = True
    return isinstance(ret, dict) and ret.get("last_object_clicked_count") is not None


def handle_map_click(ret, summary: pd.DataFrame, picking: bool) -> bool:
    """A new click on a place selects it (its events panel opens); while picking a point, a
    click anywhere on the map gives the point. True when the page should rerun."""
    if not isinstance(ret, dict):
        return False
    ss = st.session_state
    changed = False
    n = ret.get("last_object_clicked_count")
    if n and n != ss.get("_afm_click_n"):
        ss["_afm_click_n"] = n
        ids = mapview.places_at(summary, ret.get("last_object_clicked"))
        if ids and not picking:
            ss["sel_place"], ss["sel_event"], ss["sel_report"] = ids, None, None
            changed = False  # rendered below in this same run
    if picking:
        pt = ret.get("last_clicked")
        if pt and pt != ss.get("_afm_last_clicked"):
            ss["_afm_last_clicked"] = pt
            ss["pick_point"] = (round(float(pt["lat"]), 5), round(float(pt["lng"]), 5))
            changed = True
    return changed


def _timeline(b, version, fkey, state: FilterState) -> None:
    import altair as alt
    st.subheader(t("killed_per_day"))
    tl = get_timeline(b, version, fkey, state.timeline_by)
    if tl.empty or int(tl["killed"].sum()) == 0:
        st.caption(t("no_figures"))
        return
    groups = sorted(tl["group"].astype(str).unique())
    colours = [mapview.colour_for(g, state.timeline_by) for g in groups]
    chart = (alt.Chart(tl.assign(group=tl["group"].astype(str)))
             .mark_bar()
             .encode(x=alt.X("yearmonthdate(date):T", title="date"),
                     y=alt.Y("sum(killed):Q", title="killed"),
                     color=alt.Color("group:N", title=state.timeline_by.replace("_", " "),
                                     scale=alt.Scale(domain=groups, range=colours)),
                     tooltip=[alt.Tooltip("yearmonthdate(date):T", title="date"), "group:N",
                              alt.Tooltip("sum(killed):Q", title="killed")])
             .properties(height=220))
    st.altair_chart(chart, width="stretch")


def _events_table(events: pd.DataFrame, total: int) -> None:
    """The filtered events (newest first, 50 a page); select a row to open the event."""
    st.subheader(t("events_h"))
    n = len(events)
    if total > n:
        st.caption(t("events_capped", n=f"{n:,}", total=f"{total:,}"))
    ev = events.sort_values(["date", "event_id"], ascending=[False, True]).reset_index(drop=True)
    pages = max(1, -(-n // TABLE_PAGE))
    page = 1
    if pages > 1:
        ss = st.session_state
        ss["t_page"] = min(max(int(ss.get("t_page") or 1), 1), pages)  # a narrower filter has fewer pages
        page = st.number_input(t("page_of", pages=pages), min_value=1, max_value=pages, step=1, key="t_page")
    chunk = ev.iloc[(page - 1) * TABLE_PAGE: page * TABLE_PAGE].reset_index(drop=True)
    st.caption(t("events_select_help"))
    st.dataframe(views.events_display(chunk), hide_index=True, width="stretch", key="t_events",
                 on_select="rerun", selection_mode="single-row", column_config=views.column_config())
    ids = list(chunk["event_id"])
    picked = views.follow_selection("t_events", ids)
    if picked is not None:
        row = chunk.iloc[ids.index(picked)]
        ss = st.session_state
        if evx_clean(row.get("place_id")) is not None:
            ss["sel_place"] = [row["place_id"]]
        views.open_event(picked, row["report_id"])
        st.rerun()
    # the full frame is sent to the browser only on demand (5,000 rows x 35 columns is megabytes)
    if st.toggle(t("all_columns"), key="t_all_columns"):
        st.dataframe(ev, hide_index=True, width="stretch")


def evx_clean(v):
    from dashboard.safe import clean
    return clean(v)
