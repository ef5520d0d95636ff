"""The evidence view's pure parts: a report's text with its mentions highlighted, labels,
figures, candidate places ranked by context.

Report text is untrusted input from the web. ``highlight_html`` never lets any of it
become markup: the text is cut at the mentions' offsets and every piece, every label and
every tooltip goes through ``esc`` (``html.escape`` plus the characters Markdown,
Streamlit's ``:color[...]`` directives and LaTeX would read), so a report holding
``<script>`` or ``<img onerror=...>`` is shown as those characters.
"""
from __future__ import annotations

import html
import math
from typing import Any, Iterable

import pandas as pd

from dashboard.safe import clean

# kind -> (colour, legend label key in data/ui/labels.csv)
KINDS = {
    "place": ("#1f77b4", "kind_place"),
    "actor": ("#2ca02c", "kind_actor"),
    "casualty": ("#d62728", "kind_casualty"),
    "date": ("#ff7f0e", "kind_date"),
}
OTHER_COLOUR = "#7f7f7f"
EVIDENCE_BG = "#fff0a6"

# After html.escape: what Markdown, Streamlit's :color[...] / :emoji: directives and LaTeX
# would read, as character references. ('#', '&' and ';' are left alone: html.escape's own
# output uses them, and '#' only starts a heading at the beginning of a line, which the
# one-line HTML block this goes into never has.)
_MD = {ord(c): f"&#{ord(c)};" for c in "`$\\{}*_~[]|:!^"}
_MD[ord("\r")] = ""
_MD[ord("\u2028")] = " "
_MD[ord("\u2029")] = " "


def esc(value: Any, newlines: bool = False) -> str:
    """Untrusted text -> HTML text (never markup). ``newlines``: keep line breaks as <br>."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    s = html.escape(str(value), quote=True).translate(_MD)
    return s.replace("\n", "<br>") if newlines else s.replace("\n", " ")


def figure_text(fig: Any) -> str:
    """{low, best, high} (or a number) -> "12", "10–99", "12 (10–15)"; "" when unknown."""
    if fig is None:
        return ""
    if isinstance(fig, (int, float)):
        return "" if clean(fig) is None else str(int(fig))
    if not isinstance(fig, dict):
        return ""
    lo, b, hi = (clean(fig.get(k)) for k in ("low", "best", "high"))
    lo, b, hi = (None if v is None else int(v) for v in (lo, b, hi))
    if b is None and lo is None and hi is None:
        return ""
    if b is None:
        return f"{lo}–{hi}" if lo is not None and hi is not None and lo != hi else str(lo if lo is not None else hi)
    if lo is not None and hi is not None and (lo != b or hi != b):
        return f"{b} ({lo}–{hi})"
    return str(b)


def figures_lbh(low, best, high) -> str:
    """Event columns -> "low–best–high" as an analyst reads them ("10–12–15", "12", "–")."""
    vals = [clean(v) for v in (low, best, high)]
    vals = [None if v is None else int(v) for v in vals]
    if all(v is None for v in vals):
        return "–"
    if len(set(vals)) == 1:
        return str(vals[0])
    return "–".join("?" if v is None else str(v) for v in vals)


def mention_label(m: dict) -> str:
    """What a mention was read as: P-code + English name, faction + side, the number read, the date."""
    kind = m.get("kind")
    if kind == "place":
        if m.get("resolved") or clean(m.get("place_id")):
            code = clean(m.get("pcode")) or clean(m.get("place_id")) or ""
            return " ".join(str(x) for x in (code, clean(m.get("name_en")) or clean(m.get("name_ar")) or "") if x)
        return "unresolved"
    if kind == "actor":
        name = clean(m.get("name_en")) or clean(m.get("actor_id")) or ""
        side = clean(m.get("side"))
        return f"{name} · {side}" if side else str(name)
    if kind == "casualty":
        parts = []
        for k in ("killed", "injured", "captured", "missing"):
            f = figure_text(m.get(k))
            if f:
                parts.append(f"{k} {f}")
        return "; ".join(parts) or "figure"
    if kind == "date":
        d = clean(m.get("date"))
        p = clean(m.get("precision"))
        return f"{d} ({p})" if d and p and p != "day" else str(d or "date")
    return str(kind or "")


def _spans(text: str, mentions: Iterable[dict]) -> list[tuple[int, int, dict]]:
    out = []
    n = len(text)
    for m in mentions:
        try:
            s, e = int(m.get("start")), int(m.get("end"))
        except (TypeError, ValueError):
            continue
        if 0 <= s < e <= n:
            out.append((s, e, m))
    return out


def highlight_html(text: str, mentions: Iterable[dict], evidence: tuple[int, int] | None = None,
                   labels: bool = True) -> str:
    """The whole report as escaped HTML: each mention in its kind's colour with a label after
    it (and the label as a tooltip), the evidence sentence inside <mark class="afm-ev">.
    Overlapping mentions: the text is cut at every boundary; a piece takes the colour of the
    shortest mention covering it."""
    text = text or ""
    spans = _spans(text, mentions)
    ev = None
    if evidence and evidence[0] is not None and evidence[1] is not None:
        es, ee = max(0, int(evidence[0])), min(len(text), int(evidence[1]))
        if es < ee:
            ev = (es, ee)
    cuts = {0, len(text)}
    for s, e, _ in spans:
        cuts.update((s, e))
    if ev:
        cuts.update(ev)
    cuts = sorted(cuts)
    ends: dict[int, list[dict]] = {}
    for s, e, m in spans:
        ends.setdefault(e, []).append(m)
    out: list[str] = []
    for a, b in zip(cuts, cuts[1:]):
        if ev and a == ev[0]:
            out.append('<mark class="afm-ev" id="afm-evidence">')
        piece = esc(text[a:b], newlines=True)
        cover = [(e - s, m) for s, e, m in spans if s <= a and b <= e]
        if cover:
            m = min(cover, key=lambda x: x[0])[1]
            kind = str(m.get("kind") or "other")
            colour = KINDS.get(kind, (OTHER_COLOUR, ""))[0]
            unresolved = kind == "place" and not (m.get("resolved") or clean(m.get("place_id")))
            cls = f"afm-m afm-k-{esc(kind)}" + (" afm-unresolved" if unresolved else "")
            out.append(f'<span class="{cls}" style="border-bottom:3px {"dotted" if unresolved else "solid"} {colour};'
                       f'background:{colour}1f" title="{esc(mention_label(m))}">{piece}</span>')
        else:
            out.append(piece)
        if labels:
            for m in ends.get(b, []):
                kind = str(m.get("kind") or "other")
                colour = KINDS.get(kind, (OTHER_COLOUR, ""))[0]
                out.append(f'<sup class="afm-lbl afm-k-{esc(kind)}" dir="ltr" style="color:{colour}">'
                           f'{esc(mention_label(m))}{" ✎" if m.get("corrected") else ""}</sup>')
        if ev and b == ev[1]:
            out.append("</mark>")
    return "".join(out)


def legend_html(t) -> str:
    items = "".join(
        f'<span class="afm-leg"><span style="border-bottom:3px solid {c};background:{c}1f;padding:0 6px">'
        f'{esc(t(label))}</span></span> ' for c, label in KINDS.values())
    items += (f'<span class="afm-leg"><span style="border-bottom:3px dotted {KINDS["place"][0]};padding:0 6px">'
              f'{esc(t("kind_unresolved"))}</span></span> ')
    items += f'<span class="afm-leg"><mark class="afm-ev" style="padding:0 6px">{esc(t("kind_evidence"))}</mark></span>'
    return f'<div class="afm-legend">{items}</div>'


REPORT_CSS = f"""
<style>
.afm-report {{ direction: rtl; unicode-bidi: isolate; text-align: right; line-height: 2.1; font-size: 16px;
  font-family: "Noto Naskh Arabic", "Noto Sans Arabic", Tahoma, sans-serif; border: 1px solid #e3e3e3;
  border-radius: 6px; padding: 10px 14px; max-height: 620px; overflow-y: auto; background: #fff; }}
.afm-report mark.afm-ev {{ background: {EVIDENCE_BG}; outline: 2px solid #e0b400; border-radius: 3px; }}
.afm-report sup.afm-lbl {{ font-size: 10px; font-family: Tahoma, Arial, sans-serif; margin: 0 2px;
  unicode-bidi: isolate; white-space: nowrap; }}
.afm-legend {{ font-size: 13px; margin: 4px 0 8px 0; }}
.afm-legend mark.afm-ev {{ background: {EVIDENCE_BG}; outline: 2px solid #e0b400; }}
.afm-badge {{ display: inline-block; background: #fdebd0; color: #935116; border: 1px solid #f0b27a;
  border-radius: 10px; padding: 0 7px; font-size: 12px; }}
.afm-false {{ background: #f9ebea; color: #922b21; border-color: #e6b0aa; }}
.afm-why {{ font-size: 13px; }}
.afm-why .ar {{ direction: rtl; unicode-bidi: isolate; }}
.afm-why .afm-reason {{ direction: ltr; text-align: left; unicode-bidi: plaintext; color: #444; margin: 4px 0; }}
</style>
"""


def haversine_km(lat1, lon1, lat2, lon2) -> float:
    r = 6371.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(min(1.0, a)))


def rank_by_context(candidates: list, context_points: list[tuple[float, float]]) -> list[tuple[Any, float | None]]:
    """Candidates (geo.Candidate) nearest first to the report's resolved places (the
    context), ties by fuzzy score; without context, by score. -> [(candidate, km or None)]."""
    out = []
    for c in candidates:
        p = c.place
        km = None
        if context_points and p.lat is not None and p.lon is not None:
            km = min(haversine_km(p.lat, p.lon, la, lo) for la, lo in context_points)
        out.append((c, km))
    out.sort(key=lambda x: (x[1] is None, x[1] if x[1] is not None else 0.0, -float(x[0].score)))
    return out


def strip_trigger(text: str, trigger: str | None) -> str:
    """The mention's name without its trigger word (حي الصنوبرات -> الصنوبرات)."""
    text = (text or "").strip()
    if not trigger:
        return text
    words = text.split()
    if len(words) < 2:
        return text
    try:
        from geo.gazetteer import normalize_trigger
        if normalize_trigger(words[0]) == normalize_trigger(trigger):
            return " ".join(words[1:])
    except Exception:  # pragma: no cover
        pass
    return text
