"""Evidence and correction (issue 6): the place's events panel, the report view with its
highlighted mentions, the correction forms and history, the reports list, the review
queue of unresolved place mentions, and adding reports (uploads and pasted text).

Reads go through the backend (``store.queries``), writes through ``store.queries.add_correction``
/ ``add_analyst_place`` and ``store.ingest`` (the CLI's ingestion path). Every piece of report
text drawn as HTML goes through ``dashboard.evidence.esc``.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import evidence as evx
from dashboard import safe
from dashboard.i18n import block, rtl, t

ROOT = Path(__file__).resolve().parents[1]
UPLOAD_TYPES = ["txt", "md", "html", "htm", "jsonl", "csv"]
REVIEW_PAGE = 8
PICK_KEY = "pick"  # session: what a click on the map will place ({"target": "event"|"mention", ...})


def author() -> str:
    return (st.session_state.get("who") or "").strip()


def _event_types() -> list[str]:
    try:
        with open(ROOT / "data" / "acled" / "event_types.csv", encoding="utf-8") as f:
            return [r["event_type"] for r in csv.DictReader(f)]
    except OSError:  # pragma: no cover
        return ["Battles", "Explosions/Remote violence", "Violence against civilians", "Strategic developments"]


def _day(v) -> str:
    v = evx.clean(v)
    if v is None:
        return ""
    try:
        return pd.Timestamp(v).date().isoformat()
    except Exception:
        return str(v)


def _int_or_none(v):
    v = evx.clean(v)
    return None if v is None else int(v)


def badge(text: str, false: bool = False) -> str:
    return f'<span class="afm-badge{" afm-false" if false else ""}">{evx.esc(text)}</span>'


def goto(view: str) -> None:
    """Switch the view on the next run (the view radio is already drawn in this one)."""
    st.session_state["_afm_goto"] = view


def reset_event_form(event_id) -> None:
    """Forget what the event's correction form held, so it shows the event's values anew
    (after a save or a revert)."""
    ss = st.session_state
    for k in [k for k in list(ss.keys()) if isinstance(k, str) and k.startswith("c_") and f"_{event_id}_" in k]:
        try:
            del ss[k]
        except Exception:
            pass


def refresh_data() -> None:
    """After a write: query results are stale (the page's caches are also keyed on the
    database file's mtime; clearing makes it immediate)."""
    st.cache_data.clear()


# --------------------------------------------------------------------------- events frame for display

PREC = {1: "geo_exact", 2: "geo_near", 3: "geo_region"}


def events_display(ev: pd.DataFrame) -> pd.DataFrame:
    """The columns an analyst checks, one row per event (for st.dataframe)."""
    if ev is None or ev.empty:
        return pd.DataFrame(columns=["✎", "date", "type", "actors", "killed", "injured", "place",
                                     "geo", "date_precision", "confidence", "source", "evidence"])
    out = pd.DataFrame({
        "✎": [("✗" if f else ("✎" if c else "")) for c, f in zip(ev["corrected"].fillna(False),
                                                               ev["is_false"].fillna(False))],
        "date": [_day(d) for d in ev["date"]],
        "type": ev["event_type"].fillna(""),
        "actors": [f"{a} ({s})" if s else str(a or "") for a, s in zip(ev["actors_en"].fillna(""),
                                                                      ev["sides"].fillna(""))],
        "killed": [evx.figures_lbh(*r) for r in zip(ev["killed_low"], ev["killed_best"], ev["killed_high"])],
        "injured": [evx.figures_lbh(*r) for r in zip(ev["injured_low"], ev["injured_best"], ev["injured_high"])],
        "place": [f"{a or ''} · {e or ''}" for a, e in zip(ev["place_name_ar"].fillna(""),
                                                           ev["place_name_en"].fillna(""))],
        "geo": [t(PREC.get(_int_or_none(p) or 0, "geo_unknown")) for p in ev["geo_precision"]],
        "date_precision": ev["date_precision"].fillna(""),
        "confidence": pd.to_numeric(ev["confidence"], errors="coerce").round(2),
        "source": [s or ti or "" for s, ti in zip(ev["source"].fillna(""), ev["report_title"].fillna(""))],
        "evidence": ev["evidence_text"].fillna(""),
    })
    return out


def column_config() -> dict:
    return {
        "✎": st.column_config.TextColumn("✎", help=t("badge_help"), width="small"),
        "date": st.column_config.TextColumn(t("col_date")),
        "type": st.column_config.TextColumn(t("col_type")),
        "actors": st.column_config.TextColumn(t("col_actors")),
        "killed": st.column_config.TextColumn(t("col_killed"), help=t("lbh_help")),
        "injured": st.column_config.TextColumn(t("col_injured"), help=t("lbh_help")),
        "place": st.column_config.TextColumn(t("col_place")),
        "geo": st.column_config.TextColumn(t("col_geo_precision")),
        "date_precision": st.column_config.TextColumn(t("col_date_precision")),
        "confidence": st.column_config.NumberColumn(t("col_confidence"), format="%.2f"),
        "source": st.column_config.TextColumn(t("col_source")),
        "evidence": st.column_config.TextColumn(t("col_evidence"), width="large"),
    }


def selected_row(key: str) -> int | None:
    """The row picked in a st.dataframe with single-row selection (None if none)."""
    state = st.session_state.get(key)
    try:
        rows = state["selection"]["rows"] if isinstance(state, dict) else state.selection.rows
    except Exception:
        return None
    return int(rows[0]) if rows else None


def follow_selection(key: str, ids: list) -> object | None:
    """The id of a newly selected row of the st.dataframe ``key`` (None if unchanged)."""
    row = selected_row(key)
    mark = f"_afm_sel_{key}"
    if row is None:
        st.session_state[mark] = None
        return None
    if st.session_state.get(mark) == (row, ids[row] if row < len(ids) else None):
        return None
    st.session_state[mark] = (row, ids[row] if row < len(ids) else None)
    return ids[row] if row < len(ids) else None


# --------------------------------------------------------------------------- evidence panel

def place_panel(b, q, place_ids: list[str], fkey) -> None:
    """The events of the clicked place(s) in the filtered range; pick one to open it."""
    ev = q.events_place(b, fkey, tuple(place_ids))
    names = []
    if len(ev):
        for pid, g in ev.groupby("place_id", sort=False):
            r = g.iloc[0]
            names.append(f'{rtl(evx.esc(r["place_name_ar"]), "span", "ar")} · {evx.esc(r["place_name_en"])} '
                         f'<code>{evx.esc(r["pcode"] if evx.clean(r["pcode"]) else pid)}</code>')
    st.subheader(t("panel_title"))
    if ev.empty:
        st.info(t("panel_empty"))
        return
    st.markdown(block(" | ".join(names) + f' — {t("panel_n_events", n=len(ev))}'), unsafe_allow_html=True)
    disp = events_display(ev)
    ids = [int(x) if str(x).isdigit() else x for x in ev["event_id"]]
    st.dataframe(disp, hide_index=True, width="stretch", key="p_events", on_select="rerun",
                 selection_mode="single-row", column_config=column_config(),
                 height=min(36 + 35 * len(disp), 320))
    picked = follow_selection("p_events", ids)
    if picked is not None:
        open_event(picked, ev["report_id"].iloc[ids.index(picked)])
    labels = {i: f'{_day(d)} · {ty or ""} · {t("col_killed")} {evx.figures_lbh(kl, kb, kh)} · {str(e or "")[:70]}'
              for i, d, ty, kl, kb, kh, e in zip(ids, ev["date"], ev["event_type"], ev["killed_low"],
                                                 ev["killed_best"], ev["killed_high"], ev["evidence_text"])}
    cur = st.session_state.get("sel_event")
    opts = [None] + ids
    st.session_state["p_open"] = cur if cur in ids else None
    st.selectbox(t("open_event"), opts, key="p_open", format_func=lambda i: t("choose") if i is None else labels[i],
                 on_change=_on_open_pick, args=(dict(zip(ids, ev["report_id"])),))


def _on_open_pick(report_of: dict) -> None:
    i = st.session_state.get("p_open")
    if i is not None:
        open_event(i, report_of.get(i))


def open_event(event_id, report_id) -> None:
    ss = st.session_state
    ss["sel_event"] = event_id
    ss["sel_report"] = int(report_id) if str(report_id).isdigit() else report_id


# --------------------------------------------------------------------------- report view

def _gaz(q, b):
    try:
        return q.gazetteer(b)
    except Exception:
        return None


def report_view(b, q, report_id, event_id=None, where: str = "map") -> None:
    """A report whole, RTL, mentions highlighted by kind with labels, the evidence sentence of
    ``event_id`` marked; why each place was chosen; the event's correction form and history."""
    if not getattr(b, "supports_reports", False):
        st.caption(t("report_unavailable"))
        return
    rep = q.report(b, report_id)
    if rep is None:
        st.warning(t("report_missing"))
        return
    events = rep["events"]
    ev_row = None
    if event_id is not None and len(events):
        hit = events[events["event_id"].astype(str) == str(event_id)]
        ev_row = hit.iloc[0] if len(hit) else None
    st.subheader(t("report_title_h"))
    link = safe.url(rep.get("url"))
    src = "; ".join(s.get("source") or "" for s in rep.get("sources") or [] if s.get("source")) or rep.get("source_names")
    meta = (f'{rtl("<b>" + evx.esc(rep.get("title") or "") + "</b>")}'
            f'<div dir="ltr" class="afm-meta">{t("col_source")}: {evx.esc(src)} · {t("published")}: '
            f'{evx.esc(_day(rep.get("published")))} · {t("report_id")} {evx.esc(rep.get("id"))} · '
            f'{t("extractor")} {evx.esc(rep.get("extractor_version"))}'
            + (f' · <a href="{link}" target="_blank" rel="noopener noreferrer nofollow">{t("link")}</a>' if link else "")
            + "</div>")
    st.markdown(meta, unsafe_allow_html=True)
    if ev_row is not None:
        badges = ""
        if bool(ev_row.get("corrected")):
            badges += badge(t("badge_corrected")) + " "
        if bool(ev_row.get("is_false")):
            badges += badge(t("badge_false"), false=True)
        st.markdown(block(
            f'<b>{t("event")}</b> {evx.esc(_day(ev_row["date"]))} · {evx.esc(ev_row["event_type"])} · '
            f'{evx.esc(ev_row["actors_en"])} · {t("col_killed")} '
            f'{evx.esc(evx.figures_lbh(ev_row["killed_low"], ev_row["killed_best"], ev_row["killed_high"]))} · '
            f'{t("col_injured")} {evx.esc(evx.figures_lbh(ev_row["injured_low"], ev_row["injured_best"], ev_row["injured_high"]))} · '
            f'{rtl(evx.esc(ev_row["place_name_ar"]), "span", "ar")} {evx.esc(ev_row["place_name_en"])} {badges}'),
            unsafe_allow_html=True)
    elif len(events):
        st.caption(t("report_pick_event"))
    ments = rep["mentions"]
    mlist = []
    for r in ments.itertuples(index=False):
        d = dict(r.data) if isinstance(r.data, dict) else {}
        d.update({"kind": r.kind, "start": r.start, "end": r.end, "corrected": bool(r.corrected)})
        if r.kind == "place":  # the effective (possibly corrected) place
            d.update({"resolved": bool(r.resolved), "place_id": r.place_id, "pcode": r.pcode,
                      "name_ar": r.name_ar, "name_en": r.name_en})
        mlist.append(d)
    evidence = None
    if ev_row is not None and evx.clean(ev_row.get("evidence_start")) is not None:
        evidence = (int(ev_row["evidence_start"]), int(ev_row["evidence_end"]))
    left, right = st.columns([3, 1.3])
    with left:
        st.markdown(evx.REPORT_CSS + evx.legend_html(t), unsafe_allow_html=True)
        st.markdown(f'<div class="afm-report" dir="rtl" lang="ar">{evx.highlight_html(rep["text"], mlist, evidence)}</div>',
                    unsafe_allow_html=True)
    with right:
        why_places(q, b, rep, mlist, evidence)
    # the report's events: pick one to mark its evidence and correct it
    if len(events):
        ids = [int(x) if str(x).isdigit() else x for x in events["event_id"]]
        labels = {i: f'{"✎ " if c else ""}{"✗ " if f else ""}{_day(d)} · {ty or ""} · {pn or ""} · {str(e or "")[:60]}'
                  for i, c, f, d, ty, pn, e in zip(ids, events["corrected"], events["is_false"], events["date"],
                                                   events["event_type"], events["place_name_en"],
                                                   events["evidence_text"])}
        key = f"r_event_{where}"
        st.session_state[key] = event_id if event_id in ids else None
        st.selectbox(t("report_events", n=len(ids)), [None] + ids, key=key,
                     format_func=lambda i: t("choose") if i is None else labels[i],
                     on_change=_on_report_event, args=(key, rep["id"]))
    if ev_row is not None:
        correction_form(b, q, rep, ev_row, mlist, where)
        history(b, q, int(ev_row["event_id"]))


def _on_report_event(key, report_id):
    i = st.session_state.get(key)
    st.session_state["sel_event"] = i
    st.session_state["sel_report"] = report_id


def why_places(q, b, rep, mlist, evidence) -> None:
    """Why each place mention was read as it was: the resolver's reason and the other candidates."""
    st.markdown(f"**{t('why_title')}**")
    gaz = _gaz(q, b)
    places = [m for m in mlist if m.get("kind") == "place"]
    if evidence:  # the event's places first
        places.sort(key=lambda m: not (evidence[0] <= int(m["start"]) < evidence[1]))
    if not places:
        st.caption(t("why_none"))
        return
    shown = 0
    for m in places:
        if shown >= 25:
            st.caption(t("why_more", n=len(places) - shown))
            break
        shown += 1
        title = f'{m.get("text")} → {evx.mention_label(m)}'
        with st.expander(title, expanded=bool(evidence and evidence[0] <= int(m["start"]) < evidence[1])):
            html = f'<div class="afm-why">{rtl(evx.esc(m.get("text")), "span", "ar")} → <b>{evx.esc(evx.mention_label(m))}</b>'
            if m.get("corrected"):
                html += " " + badge(t("badge_corrected"))
            if m.get("reason"):
                html += f'<div class="afm-reason" dir="ltr">{evx.esc(m.get("reason"))}</div>'
            stored = m.get("candidates") if isinstance(m.get("candidates"), list) else None
            if stored:  # what geo weighed, stored with the mention by the extractor
                html += f'<div><i>{t("why_candidates_stored")}</i><ol>' + "".join(
                    f'<li><code>{evx.esc(c.get("place_id"))}</code> {rtl(evx.esc(c.get("name_ar")), "span", "ar")} · '
                    f'{evx.esc(c.get("name_en"))} ({evx.esc(c.get("kind"))}) · {t("score")} {evx.esc(c.get("score"))}'
                    + (f' · {evx.esc(c.get("distance_km"))} km' if c.get("distance_km") not in (None, 0, 0.0) else "")
                    + (" ✔" if c.get("chosen") else "")
                    + (f'<div class="afm-reason" dir="ltr">{evx.esc(c.get("why"))}</div>' if c.get("why") else "")
                    + "</li>" for c in stored if isinstance(c, dict)) + "</ol></div>"
            else:
                cands = []
                if gaz is not None and m.get("key"):
                    try:
                        cands = [(p.id, p.name_ar, p.name_en, p.kind) for p in gaz.candidates(m["key"])]
                    except Exception:
                        cands = []
                if cands:
                    html += f'<div><i>{t("why_candidates")}</i><ul>' + "".join(
                        f'<li><code>{evx.esc(i)}</code> {rtl(evx.esc(a), "span", "ar")} · {evx.esc(e)} ({evx.esc(k)})'
                        f'{" ✔" if i == m.get("place_id") else ""}</li>' for i, a, e, k in cands) + "</ul></div>"
            st.markdown(html + "</div>", unsafe_allow_html=True)


# --------------------------------------------------------------------------- correction

def place_options(q, b, rep, ev_row, mlist) -> dict[str, str]:
    """Places an analyst may move the event to: the gazetteer's candidates for the place
    mentions in the evidence sentence (exact alias hits, then rapidfuzz suggestions, nearest
    first to the report's other places), and the analyst's own places. id -> label."""
    gaz = _gaz(q, b)
    out: dict[str, str] = {}
    if gaz is None:
        return out
    ctx = [(float(m["lat"]), float(m["lon"])) for m in mlist
           if m.get("kind") == "place" and evx.clean(m.get("lat")) is not None and evx.clean(m.get("lon")) is not None]
    s0 = _int_or_none(ev_row.get("evidence_start"))
    s1 = _int_or_none(ev_row.get("evidence_end"))
    near = [m for m in mlist if m.get("kind") == "place" and s0 is not None and s1 is not None
            and s0 <= int(m["start"]) < s1]
    from geo import Candidate
    cands = []
    for m in near:
        try:
            cands += [Candidate(p, 100.0, ()) for p in gaz.candidates(m.get("key") or "")]
            cands += gaz.suggest(evx.strip_trigger(m.get("text") or "", m.get("trigger")), limit=6)
        except Exception:
            pass
    for c, km in evx.rank_by_context(cands, ctx):
        p = c.place
        if p.id not in out:
            out[p.id] = (f"{p.id} · {p.name_ar} · {p.name_en or ''} ({p.kind})"
                         + (f" · {km:.1f} km" if km is not None else ""))
    try:
        ap = q.analyst_places(b)
        for r in ap.itertuples(index=False):
            if evx.clean(getattr(r, "pcode", None)):
                continue  # an alias row, not a place of its own
            out.setdefault(r.place_id, f"{r.place_id} · {r.name_ar} · {r.name_en or ''} ({t('analyst_place')})")
    except Exception:
        pass
    return out


def correction_form(b, q, rep, ev_row, mlist, where: str) -> None:
    eid = int(ev_row["event_id"])
    ss = st.session_state
    with st.expander(t("correct_title"), expanded=True):
        if not author():
            st.warning(t("need_author"))
        opts = place_options(q, b, rep, ev_row, mlist)
        keep, on_map = "__keep__", "__map__"
        cur_pid = ev_row.get("place_id")
        place_keys = [keep] + [k for k in opts if k != cur_pid] + [on_map]
        pfx = f"c_{where}_{eid}_"
        with st.form(key=pfx + "form"):
            st.selectbox(t("c_place"), place_keys, key=pfx + "place",
                         format_func=lambda k: (t("c_keep_place", place=f"{ev_row.get('place_id') or '–'} "
                                                                      f"{ev_row.get('place_name_en') or ''}")
                                                if k == keep else t("c_place_on_map") if k == on_map else opts[k]))
            c1, c2 = st.columns(2)
            cur_date = pd.Timestamp(ev_row["date"]).date() if evx.clean(ev_row.get("date")) is not None else None
            c1.date_input(t("c_date"), value=cur_date, key=pfx + "date", format="YYYY-MM-DD",
                          min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1))
            types = _event_types()
            cur_type = ev_row.get("event_type")
            if evx.clean(cur_type) is not None and cur_type not in types:
                types = [cur_type] + types
            c2.selectbox(t("c_type"), types, index=types.index(cur_type) if cur_type in types else 0,
                         key=pfx + "type")
            st.caption(t("c_figures_help"))
            k1, k2, k3 = st.columns(3)
            for col, f, part in ((k1, "killed", "low"), (k2, "killed", "best"), (k3, "killed", "high")):
                col.number_input(f'{t("col_" + f)} · {t(part)}', min_value=0, step=1,
                                 value=_int_or_none(ev_row.get(f"{f}_{part}")), key=pfx + f"{f}_{part}")
            i1, i2, i3 = st.columns(3)
            for col, f, part in ((i1, "injured", "low"), (i2, "injured", "best"), (i3, "injured", "high")):
                col.number_input(f'{t("col_" + f)} · {t(part)}', min_value=0, step=1,
                                 value=_int_or_none(ev_row.get(f"{f}_{part}")), key=pfx + f"{f}_{part}")
            actors = q.options(b)["actors"]
            cur_actors = [a for a in str(ev_row.get("actor_ids") or "").split(";") if a]
            for a in cur_actors:
                actors.setdefault(a, a)
            st.multiselect(t("c_actors"), list(actors), default=cur_actors, key=pfx + "actors",
                           format_func=lambda a: f"{actors.get(a) or a}")
            st.checkbox(t("c_false"), value=bool(ev_row.get("is_false")), key=pfx + "false")
            st.text_input(t("c_note"), key=pfx + "note")
            submitted = st.form_submit_button(t("c_save"), type="primary")
        if submitted:
            save_event_corrections(b, ev_row, pfx, cur_date, cur_actors, where)


def save_event_corrections(b, ev_row, pfx: str, cur_date, cur_actors, where: str) -> None:
    ss = st.session_state
    who = author()
    if not who:
        st.error(t("need_author"))
        return
    eid = int(ev_row["event_id"])
    note = (ss.get(pfx + "note") or "").strip() or None
    changes: list[tuple[str, object]] = []
    place = ss.get(pfx + "place")
    if place == "__map__":
        ss[PICK_KEY] = {"target": "event", "event_id": eid, "report_id": int(ev_row["report_id"]),
                        "label": f'{ev_row.get("place_name_ar") or ""}', "name_ar": ev_row.get("place_name_ar") or ""}
        goto("map")
        st.rerun()
    elif place and place != "__keep__":
        changes.append(("place", place))
    d = ss.get(pfx + "date")
    if d is not None and d != cur_date:
        changes.append(("date", d.isoformat()))
    if (ss.get(pfx + "type") or None) != (evx.clean(ev_row.get("event_type")) or None):
        changes.append(("event_type", ss.get(pfx + "type")))
    for f in ("killed", "injured"):
        new = {p: ss.get(pfx + f"{f}_{p}") for p in ("low", "best", "high")}
        new = {k: (None if v is None else int(v)) for k, v in new.items()}
        old = {p: _int_or_none(ev_row.get(f"{f}_{p}")) for p in ("low", "best", "high")}
        if new != old:
            changes.append((f, None if all(v is None for v in new.values()) else new))
    acts = list(ss.get(pfx + "actors") or [])
    if acts != cur_actors:
        changes.append(("actors", acts))
    if bool(ss.get(pfx + "false")) != bool(ev_row.get("is_false")):
        changes.append(("is_false", bool(ss.get(pfx + "false"))))
    if not changes:
        if place != "__map__":
            st.info(t("c_nothing"))
        return
    errors = []
    for field, value in changes:
        try:
            b.correct(event_id=eid, field=field, new_value=value, author=who, note=note)
        except Exception as exc:
            errors.append(f"{field}: {exc}")
    refresh_data()
    if errors:
        st.error(t("c_errors") + "\n\n" + "\n".join(f"- {evx.esc(e)}" for e in errors))
    ok = [f for f, _ in changes if not any(e.startswith(f + ":") for e in errors)]
    if "place" in ok:  # the panel follows the event to its new place
        ss["sel_place"] = [dict(changes)["place"]]
    if ok and not errors:
        reset_event_form(eid)
        ss["_afm_flash"] = t("c_saved", fields=", ".join(ok))
        st.rerun()
    elif ok:
        st.success(t("c_saved", fields=", ".join(ok)))


def history(b, q, event_id: int) -> None:
    log = q.corrections(b, event_id)
    if log is None or log.empty:
        return
    st.markdown(f"**{t('history_title')}**")
    rows = []
    for r in log.itertuples(index=False):
        rows.append({"#": int(r.id), t("h_when"): str(r.created_at)[:19], t("h_who"): r.author,
                     t("h_field"): r.field, t("h_old"): json.dumps(r.old_value, ensure_ascii=False, default=str),
                     t("h_new"): json.dumps(r.new_value, ensure_ascii=False, default=str),
                     t("h_active"): bool(r.active), t("h_note"): r.note or ""})
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    active = [int(r.id) for r in log.itertuples(index=False) if r.active]
    if active:
        c1, c2 = st.columns([2, 1])
        c1.selectbox(t("h_revert_pick"), active, key=f"h_rev_{event_id}")
        if c2.button(t("h_revert"), key=f"h_rev_btn_{event_id}"):
            if not author():
                st.error(t("need_author"))
            else:
                b.revert(int(st.session_state[f"h_rev_{event_id}"]), author())
                reset_event_form(event_id)
                refresh_data()
                st.rerun()


# --------------------------------------------------------------------------- picking a point on the map

def pick_banner(b, q) -> None:
    """While the analyst places something by clicking the map: what, and the form once clicked."""
    ss = st.session_state
    pick = ss.get(PICK_KEY)
    if not pick:
        return
    point = ss.get("pick_point")
    box = st.container(border=True, key="pick_box")
    with box:
        st.markdown(block(f'<b>{t("pick_title")}</b> {rtl(evx.esc(pick.get("label") or ""), "span", "ar")}'),
                    unsafe_allow_html=True)
        if not point:
            st.info(t("pick_click"))
        else:
            with st.form("pick_form"):
                c1, c2 = st.columns(2)
                c1.number_input(t("lat"), value=float(point[0]), format="%.5f", key="pick_lat")
                c2.number_input(t("lon"), value=float(point[1]), format="%.5f", key="pick_lon")
                st.text_input(t("name_ar"), value=pick.get("name_ar") or "", key="pick_name_ar")
                st.text_input(t("name_en"), key="pick_name_en")
                st.selectbox(t("c_precision"), [1, 2, 3], key="pick_prec", format_func=lambda p: t(PREC[p]))
                ok = st.form_submit_button(t("pick_save"), type="primary")
            if ok:
                _save_pick(b, pick)
        if st.button(t("pick_cancel"), key="pick_cancel"):
            ss.pop(PICK_KEY, None)
            ss.pop("pick_point", None)
            st.rerun()


def _save_pick(b, pick) -> None:
    ss = st.session_state
    who = author()
    if not who:
        st.error(t("need_author"))
        return
    try:
        if pick["target"] == "event":
            place = b.new_place_for_event(pick["event_id"], author=who, name_ar=ss.get("pick_name_ar") or "",
                                          lat=ss["pick_lat"], lon=ss["pick_lon"], name_en=ss.get("pick_name_en"),
                                          geo_precision=int(ss.get("pick_prec") or 1))
            ss["sel_place"] = [place["place_id"]]
            ss["sel_event"], ss["sel_report"] = pick["event_id"], pick.get("report_id")
            reset_event_form(pick["event_id"])
        else:
            place = b.place_mention(pick["mention_id"], author=who, lat=ss["pick_lat"], lon=ss["pick_lon"],
                                    name_en=ss.get("pick_name_en"), geo_precision=int(ss.get("pick_prec") or 1))
    except Exception as exc:
        st.error(f"{t('pick_failed')}: {exc}")
        return
    ss.pop(PICK_KEY, None)
    ss.pop("pick_point", None)
    refresh_data()
    ss["_afm_flash"] = t("pick_saved", place=place.get("place_id"))
    st.rerun()


# --------------------------------------------------------------------------- reports list

def reports_view(b, q) -> None:
    if not getattr(b, "supports_reports", False):
        st.info(t("report_unavailable"))
        return
    st.subheader(t("reports_title"))
    c1, c2, c3, c4 = st.columns([2, 1.4, 1, 1])
    c1.text_input(t("reports_search"), key="r_search", placeholder="…")
    sources = q.options(b)["sources"]
    c2.selectbox(t("col_source"), [""] + list(sources), key="r_source",
                 format_func=lambda s: t("all") if s == "" else s)
    c3.date_input(t("from"), value=None, key="r_from", format="YYYY-MM-DD")
    c4.date_input(t("to"), value=None, key="r_to", format="YYYY-MM-DD")
    ss = st.session_state
    lst = q.reports(b, ss.get("r_search") or "", ss.get("r_source") or "", ss.get("r_from"), ss.get("r_to"))
    if lst.empty:
        st.info(t("reports_none"))
        return
    disp = pd.DataFrame({
        t("report_id"): lst["report_id"], t("published"): [_day(d) for d in lst["published"]],
        t("title"): lst["title"].fillna(""), t("col_source"): lst["source"].fillna(""),
        t("events"): lst["events"], t("status"): lst["status"].fillna(""),
    })
    ids = [int(x) for x in lst["report_id"]]
    st.dataframe(disp, hide_index=True, width="stretch", key="r_list", on_select="rerun",
                 selection_mode="single-row", height=min(36 + 35 * len(disp), 300))
    picked = follow_selection("r_list", ids)
    if picked is not None:
        ss["sel_report"], ss["sel_event"] = picked, None
    titles = dict(zip(ids, lst["title"].fillna("")))
    ss["r_open"] = ss.get("sel_report") if ss.get("sel_report") in ids else None
    st.selectbox(t("open_report"), [None] + ids, key="r_open",
                 format_func=lambda i: t("choose") if i is None else f"{i} · {titles.get(i, '')}",
                 on_change=lambda: ss.update(sel_report=ss.get("r_open"), sel_event=None))
    if ss.get("sel_report") is not None:
        report_view(b, q, ss["sel_report"], ss.get("sel_event"), where="reports")


# --------------------------------------------------------------------------- review queue

def review_view(b, q) -> None:
    if not getattr(b, "supports_reports", False):
        st.info(t("report_unavailable"))
        return
    st.subheader(t("review_title"))
    queue = q.queue(b)
    if queue.empty:
        st.success(t("review_empty"))
        return
    st.caption(t("review_count", n=len(queue)))
    ss = st.session_state
    pages = max(1, -(-len(queue) // REVIEW_PAGE))
    page_no = 1
    if pages > 1:
        ss["rv_page"] = min(max(int(ss.get("rv_page") or 1), 1), pages)
        page_no = st.number_input(t("page_of", pages=pages), min_value=1, max_value=pages, step=1, key="rv_page")
    gaz = _gaz(q, b)
    for r in queue.iloc[(page_no - 1) * REVIEW_PAGE: page_no * REVIEW_PAGE].itertuples(index=False):
        review_item(b, q, gaz, r)


def review_item(b, q, gaz, r) -> None:
    mid = int(r.mention_id)
    with st.container(border=True, key=f"rv_{mid}"):
        sent = r.sentence or ""
        i = sent.find(r.text or "\0")
        if i >= 0:
            shown = (evx.esc(sent[:i]) + f'<mark class="afm-ev">{evx.esc(r.text)}</mark>' + evx.esc(sent[i + len(r.text):]))
        else:
            shown = evx.esc(sent)
        st.markdown(evx.REPORT_CSS + rtl(f'<b>{evx.esc(r.text)}</b> — {shown}', "div", "afm-rtl afm-review"),
                    unsafe_allow_html=True)
        st.caption(f'{t("report_id")} {int(r.report_id)} · {evx.esc(r.report_title or "")} · '
                   f'{_day(r.published)} · {r.source or ""}')
        ctx = []
        try:
            rep = q.report(b, int(r.report_id))
            ctx = [(float(m.lat), float(m.lon)) for m in rep["mentions"].itertuples(index=False)
                   if m.kind == "place" and evx.clean(m.lat) is not None and evx.clean(m.lon) is not None]
        except Exception:
            pass
        ranked = []
        if gaz is not None:
            try:
                ranked = evx.rank_by_context(gaz.suggest(evx.strip_trigger(r.text, r.trigger), limit=6), ctx)
            except Exception:
                ranked = []
        labels = {c.place.id: (f"{c.place.id} · {c.place.name_ar} · {c.place.name_en or ''} ({c.place.kind}) · "
                               f"{t('score')} {c.score:.0f}" + (f" · {km:.1f} km" if km is not None else ""))
                  for c, km in ranked}
        c1, c2, c3, c4 = st.columns([3, 1, 1, 1])
        if labels:
            c1.selectbox(t("review_candidates"), list(labels), key=f"rv_pick_{mid}", format_func=labels.get)
        else:
            c1.caption(t("review_no_candidates"))
        if c2.button(t("review_use"), key=f"rv_use_{mid}", disabled=not labels):
            _review_action(b, "use", mid, place_id=st.session_state.get(f"rv_pick_{mid}"))
        if c3.button(t("review_on_map"), key=f"rv_map_{mid}"):
            st.session_state[PICK_KEY] = {"target": "mention", "mention_id": mid, "label": r.text,
                                          "name_ar": evx.strip_trigger(r.text, r.trigger)}
            goto("map")
            st.rerun()
        if c4.button(t("review_dismiss"), key=f"rv_dis_{mid}"):
            _review_action(b, "dismiss", mid)


def _review_action(b, action: str, mid: int, place_id: str | None = None) -> None:
    who = author()
    if not who:
        st.error(t("need_author"))
        return
    try:
        if action == "dismiss":
            b.correct(mention_id=mid, field="dismissed", new_value=True, author=who)
            msg = t("review_dismissed")
        else:
            b.place_mention(mid, author=who, place_id=place_id)
            msg = t("review_placed", place=place_id)
    except Exception as exc:
        st.error(f"{exc}")
        return
    refresh_data()
    st.session_state["_afm_flash"] = msg
    st.rerun()


def analyst_layer_download(b, q) -> None:
    """The analyst's places (and aliases) as CSV: the layer is the analyst's, exportable."""
    if not getattr(b, "supports_reports", False):
        return
    ap = q.analyst_places(b)
    st.download_button(t("download_places", n=len(ap)), ap.to_csv(index=False).encode("utf-8"),
                       file_name="analyst-places.csv", mime="text/csv", key="dl_places",
                       disabled=ap.empty, on_click="ignore")
    log = q.corrections(b, None)
    st.download_button(t("download_corrections", n=len(log)), log.to_csv(index=False).encode("utf-8"),
                       file_name="corrections.csv", mime="text/csv", key="dl_corrections", disabled=log.empty,
                       on_click="ignore")


# --------------------------------------------------------------------------- adding reports

def add_view(b, q) -> None:
    if not getattr(b, "supports_reports", False):
        st.info(t("report_unavailable"))
        return
    ss = st.session_state
    st.subheader(t("add_title"))
    st.caption(t("add_help"))
    with st.form("up_form", clear_on_submit=True):
        st.file_uploader(t("add_files"), type=UPLOAD_TYPES, accept_multiple_files=True, key="up_files")
        c1, c2 = st.columns(2)
        c1.date_input(t("add_published_default"), value=None, key="up_published", format="YYYY-MM-DD")
        c2.text_input(t("add_source_default"), key="up_source")
        go = st.form_submit_button(t("add_ingest_files"), type="primary")
    if go:
        files = ss.get("up_files") or []
        results = []
        for f in files:
            try:
                summ = b.ingest_file(f.name, f.getvalue(), published=ss.get("up_published"),
                                     source=ss.get("up_source") or None)
                results.append(_result_line(f.name, summ))
            except Exception as exc:  # never lose the page for one file
                results.append((f.name, False, [f"{type(exc).__name__}: {exc}"], []))
        if not files:
            results.append(("", False, [t("add_no_files")], []))
        ss["up_results"] = results
        refresh_data()
    st.markdown(f"**{t('add_paste_title')}**")
    with st.form("paste_form"):
        st.text_area(t("add_text"), key="paste_text", height=180)
        c1, c2 = st.columns(2)
        c1.text_input(t("title"), key="paste_title")
        c2.text_input(t("col_source"), key="paste_source")
        c3, c4 = st.columns(2)
        c3.text_input("URL", key="paste_url")
        c4.date_input(t("published"), value=None, key="paste_published", format="YYYY-MM-DD")
        go2 = st.form_submit_button(t("add_ingest_text"), type="primary")
    if go2:
        try:
            summ = b.ingest_text(ss.get("paste_text") or "", title=ss.get("paste_title"),
                                 source=ss.get("paste_source"), url=ss.get("paste_url"),
                                 published=ss.get("paste_published"))
            ss["up_results"] = [_result_line(t("add_pasted"), summ)]
        except Exception as exc:
            ss["up_results"] = [(t("add_pasted"), False, [f"{type(exc).__name__}: {exc}"], [])]
        refresh_data()
    for name, ok, lines, rids in ss.get("up_results") or []:
        body = "\n".join(f"- {evx.esc(x)}" for x in lines)
        (st.success if ok else st.error)(f"**{evx.esc(name)}**\n\n{body}" if body else f"**{evx.esc(name)}**")
        for rid in rids:
            if st.button(t("open_report_n", n=rid), key=f"up_open_{name}_{rid}"):
                ss["sel_report"], ss["sel_event"] = rid, None
                goto("reports")
                st.rerun()


def _result_line(name: str, summ) -> tuple[str, bool, list[str], list[int]]:
    lines = []
    added, dup, failed = int(getattr(summ, "added", 0)), int(getattr(summ, "duplicates", 0)), int(getattr(summ, "failed", 0))
    lines.append(t("add_summary", added=added, duplicates=dup, failed=failed))
    lines += list(getattr(summ, "errors", []) or [])
    lines += [t("add_extraction_error") + ": " + e for e in (getattr(summ, "extraction_errors", []) or [])]
    ok = failed == 0 and not getattr(summ, "errors", None) and not getattr(summ, "extraction_errors", None)
    return name, ok, lines, list(getattr(summ, "report_ids", []) or [])
