"""The dashboard page: sidebar filters, metrics, map, timeline, events table, downloads."""
from __future__ import annotations

import os

import pandas as pd
import streamlit as st

from dashboard import backend as be
from dashboard import exports, mapview, safe
from dashboard.geodata import Outlines, load_outlines
from dashboard.state import (COLOUR_MODES, PRECISIONS, TIMELINE_MODES, FilterState, LIST_PARAMS,
                             from_params, normalise_range, to_params)

# Swappable in tests (monkeypatch before AppTest.run): () -> Backend, () -> Outlines.
BACKEND_FACTORY = be.StoreBackend
OUTLINES_FACTORY = load_outlines
TABLE_PAGE = 50
EVIDENCE_PER_PLACE = 2
# The page reads at most this many events (newest first) for popups' evidence and the table;
# counts, the map's places and the timeline always cover every event; downloads too.
EVENTS_LIMIT = 5000

_CSS = """
<style>
.afm-rtl, [lang="ar"] { direction: rtl; unicode-bidi: isolate; text-align: right;
  font-family: "Noto Sans Arabic", "Noto Naskh Arabic", Tahoma, sans-serif; }
.st-key-f_text input { direction: rtl; text-align: right; }
table.afm-events { border-collapse: collapse; width: 100%; font-size: 13px; }
table.afm-events th, table.afm-events td { border-bottom: 1px solid #e6e6e6; padding: 4px 6px; vertical-align: top; }
table.afm-events td.ev { direction: rtl; text-align: right; min-width: 280px; }
table.afm-events td.num { text-align: right; white-space: nowrap; }
</style>
"""


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
    return evidence_by_place(q_events(_b, name, version, fkey), per_place)


def evidence_by_place(events: pd.DataFrame, per_place: int) -> dict:
    """place_id -> (evidence rows for its popup: its top events, most killed then latest,
    as plain lists (mapview.evidence_row), its number of events among ``events``)."""
    if events is None or events.empty:
        return {}
    ev = events[events["place_id"].notna()]
    if ev.empty:
        return {}
    killed = ev["killed_best"].fillna(ev["killed_low"])
    ev = ev.assign(_k=killed.fillna(-1).astype("int64"), _killed=killed,
                   _day=pd.to_datetime(ev["date"], errors="coerce").dt.strftime("%Y-%m-%d"))
    ev = ev.sort_values(["_k", "date"], ascending=[False, False], kind="stable")
    n = ev.groupby("place_id", sort=False).size().to_dict()
    top = ev.groupby("place_id", sort=False).head(per_place)
    out: dict = {}
    for rec in top[["place_id", "_day", "event_type", "_killed", "source", "report_title", "url",
                    "evidence_text"]].itertuples(index=False, name=None):
        pid = rec[0]
        rows = out.setdefault(pid, ([], n.get(pid, 0)))[0]
        rows.append(mapview.evidence_row(*rec[1:]))
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
    d0, d1 = min(max(d0, lo), hi), min(max(d1, lo), hi)
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
    sb.header("Filters")
    if lo < hi:
        sb.slider("Date range", min_value=lo, max_value=hi, key="f_dates_slider", on_change=_on_slider,
                  format="YYYY-MM-DD")
    sb.date_input("From – to", min_value=lo, max_value=hi, key="f_dates_pick", on_change=_on_pick,
                  format="YYYY-MM-DD")
    rng, complete = normalise_range(ss.get("f_dates_pick"), ss["_afm_dates"])
    if not complete:
        sb.caption("Pick the end date: the map keeps the previous range until then.")
    d0, d1 = ss["_afm_dates"]

    actors = options["actors"]
    sb.multiselect("Sides", options["sides"], key="f_sides")
    sb.multiselect("Factions", list(actors), key="f_actors", format_func=lambda a: f"{actors.get(a) or a}")
    sb.multiselect("Event types", options["event_types"], key="f_types")
    sb.number_input("Minimum killed (per event)", min_value=0, step=1, key="f_min_killed")
    sb.multiselect("Location precision", list(PRECISIONS), key="f_prec",
                   format_func=lambda p: mapview.PRECISION_LABEL.get(p, str(p)))
    sb.multiselect("Sources", options["sources"], key="f_sources")
    sb.text_input("Search the reports (Arabic)", key="f_text", placeholder="مثال: الميسر",
                  help="Hamza forms, ta marbuta and diacritics do not matter.")

    sb.header("Map")
    sb.radio("Colour places by", COLOUR_MODES, key="v_colour", horizontal=True,
             format_func=lambda m: {"event_type": "event type", "side": "side"}[m])
    sb.toggle("Neighbourhoods by killed (choropleth)", key="v_choro")
    sb.radio("Timeline by", TIMELINE_MODES, key="v_timeline", horizontal=True,
             format_func=lambda m: {"event_type": "event type", "side": "side"}[m])
    tiles_default = os.environ.get("FRONTLINE_MAP_TILES", "").lower() in ("osm", "openstreetmap", "1", "on")
    tiles = sb.toggle("Online map tiles (OpenStreetMap)", value=tiles_default, key="v_tiles",
                      help="Off by default: the page then makes no request beyond this app. "
                           "On: tiles are fetched from tile.openstreetmap.org.")
    if tiles:
        sb.warning("Online tiles on: your browser now contacts openstreetmap.org.")

    state = FilterState(
        date_from=d0, date_to=d1, sides=list(ss["f_sides"]), actor_ids=list(ss["f_actors"]),
        event_types=list(ss["f_types"]), sources=list(ss["f_sources"]),
        min_killed=int(ss["f_min_killed"] or 0), geo_precisions=list(ss["f_prec"]),
        text=ss["f_text"] or "", colour_by=ss["v_colour"], choropleth=bool(ss["v_choro"]),
        timeline_by=ss["v_timeline"],
    )
    return state, tiles


def sync_url(state: FilterState, options: dict) -> None:
    """Mirror the filters in the URL so the view can be shared as a link."""
    want = to_params(state, options)
    have = {}
    for k in st.query_params.keys():
        vals = st.query_params.get_all(k)
        have[k] = vals if k in LIST_PARAMS else (vals[-1] if vals else "")
    if have != want:
        st.query_params.from_dict(want)


# --------------------------------------------------------------------------- main

def main() -> None:
    st.set_page_config(page_title="Aleppo Frontline Map", page_icon="🗺️", layout="wide")
    st.markdown(_CSS, unsafe_allow_html=True)
    st.title("Aleppo Frontline Map")

    try:
        b = get_backend()
    except Exception as exc:  # the store could not be opened: say so plainly
        st.error(f"Could not open the database: {type(exc).__name__}: {exc}")
        st.stop()
    seeded = getattr(b, "seed_result", None)
    if seeded is not None and not st.session_state.get("_afm_seed_told"):
        st.session_state["_afm_seed_told"] = True
        st.toast(f"The database was empty: loaded {getattr(seeded, 'added', '?')} report(s) that ship "
                 "with the project (data/reports).")
    if getattr(b, "seed_error", None):
        st.warning(f"Could not load the shipped reports into the empty database: {b.seed_error}")
    version = b.data_version()
    options = q_options(b, b.name, version)
    if options.get("date_min") is None:
        st.info("The database holds no dated events yet. Ingest reports with "
                "`python -m extraction ingest FILES…` and reload this page.")
        outlines = get_outlines()
        mapview.show(mapview.build_base_map(outlines), mapview.build_layers(
            pd.DataFrame(columns=be.SUMMARY_COLUMNS), {}, "event_type", False, outlines))
        st.stop()

    state, tiles = sidebar(options)
    sync_url(state, options)
    fkey = be.filters_key(state.filters())

    counts = q_counts(b, b.name, version, fkey)
    summary = q_summary(b, b.name, version, fkey)
    evidence = q_evidence(b, b.name, version, fkey, EVIDENCE_PER_PLACE)

    cols = st.columns(5)
    for col, (label, key) in zip(cols, [("Events", "events"), ("Killed", "killed"), ("Injured", "injured"),
                                        ("Places", "places"), ("Reports", "reports")]):
        col.metric(label, f"{int(counts.get(key) or 0):,}")

    empty = int(counts.get("events") or 0) == 0
    if empty:
        st.warning("No events match these filters. Widen the date range or clear some filters "
                   "(the sidebar shows what is selected).", icon="🔎")

    outlines = get_outlines()
    everything = q_summary(b, b.name, version, be.filters_key(be.Filters()))
    base = mapview.build_base_map(outlines, tiles=bool(tiles), bounds=mapview.data_bounds(everything))
    groups = mapview.build_layers(summary, evidence, state.colour_by, state.choropleth, outlines)
    map_col, legend_col = st.columns([5, 1])
    with map_col:
        mapview.show(base, groups)
        unmapped = int(summary["lat"].isna().sum()) if len(summary) else 0
        if unmapped:
            st.caption(f"{unmapped} place(s) in the selection have no coordinates and are not drawn.")
        if outlines.note:
            st.caption(outlines.note.strip())
    with legend_col:
        st.markdown(mapview.legend_html(summary, state.colour_by, state.choropleth), unsafe_allow_html=True)

    if empty:
        return
    _timeline(b, version, fkey, state)
    events = q_events(b, b.name, version, fkey)
    _events_table(events, int(counts.get("events") or 0))
    exports.download_buttons(b, events, state, int(counts.get("events") or 0))


def _timeline(b, version, fkey, state: FilterState) -> None:
    import altair as alt
    st.subheader("Killed per day")
    tl = q_timeline(b, b.name, version, fkey, state.timeline_by)
    if tl.empty or int(tl["killed"].sum()) == 0:
        st.caption("No casualty figures in the selection.")
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


def _fig(low, best, high) -> str:
    vals = [None if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)) else int(v)
            for v in (low, best, high)]
    lo, b, hi = vals
    if b is None and lo is None:
        return ""
    main_v = b if b is not None else lo
    rng = f" ({lo}–{hi})" if lo is not None and hi is not None and (lo != hi) else ""
    return f"{main_v}{rng}"


def _events_table(events: pd.DataFrame, total: int) -> None:
    st.subheader("Events")
    n = len(events)
    if total > n:
        st.caption(f"The newest {n:,} of {total:,} events; narrow the filters or download them all below.")
    ev = events.sort_values(["date", "event_id"], ascending=[False, True]).reset_index(drop=True)
    pages = max(1, -(-n // TABLE_PAGE))
    page = 1
    if pages > 1:
        ss = st.session_state
        ss["t_page"] = min(max(int(ss.get("t_page") or 1), 1), pages)  # a narrower filter has fewer pages
        page = st.number_input(f"Page (of {pages}, {TABLE_PAGE} events a page)", min_value=1, max_value=pages,
                               step=1, key="t_page")
    chunk = ev.iloc[(page - 1) * TABLE_PAGE: page * TABLE_PAGE]
    rows = []
    for _, r in chunk.iterrows():
        link = safe.url(r.get("url"))
        src = safe.text(r.get("source") or "")
        title = safe.text(r.get("report_title") or "")
        src_html = f"{src}<br><span lang=\"ar\" dir=\"rtl\">{title}</span>"
        if link:
            src_html += f' · <a href="{link}" target="_blank" rel="noopener noreferrer nofollow">link</a>'
        rows.append(
            "<tr>"
            f"<td class=\"num\">{safe.text(mapview._day(r.get('date')))}</td>"
            f"<td><span lang=\"ar\" dir=\"rtl\">{safe.text(r.get('place_name_ar'))}</span><br>"
            f"{safe.text(r.get('place_name_en'))}<br><small>{safe.text(mapview.PRECISION_LABEL.get(mapview._int(r.get('geo_precision')), ''))}</small></td>"
            f"<td>{safe.text(r.get('event_type'))}<br><small>{safe.text(r.get('sub_event_type'))}</small></td>"
            f"<td>{safe.text(r.get('actors_en'))}<br><small>{safe.text(r.get('sides'))}</small></td>"
            f"<td class=\"num\">{safe.text(_fig(r.get('killed_low'), r.get('killed_best'), r.get('killed_high')))}</td>"
            f"<td class=\"num\">{safe.text(_fig(r.get('injured_low'), r.get('injured_best'), r.get('injured_high')))}</td>"
            f"<td class=\"ev\" lang=\"ar\" dir=\"rtl\">{safe.text(r.get('evidence_text'))}</td>"
            f"<td>{src_html}</td>"
            "</tr>")
    st.markdown(
        '<table class="afm-events"><thead><tr><th>date</th><th>place</th><th>type</th><th>actors / sides</th>'
        '<th>killed</th><th>injured</th><th>evidence</th><th>source</th></tr></thead><tbody>'
        + "".join(rows) + "</tbody></table>", unsafe_allow_html=True)
    # the full frame is sent to the browser only on demand (5,000 rows x 35 columns is megabytes)
    if st.toggle("All columns of these events (sortable table)", key="t_all_columns"):
        st.dataframe(ev, hide_index=True, width="stretch")
