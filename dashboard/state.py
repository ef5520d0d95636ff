"""The filter state, and its round trip through the URL (st.query_params).

Pure functions here (no Streamlit), so they are tested directly:
``from_params(params, options)`` reads and validates a URL's parameters against what the
database offers; ``to_params(state, options)`` writes only what differs from the defaults,
so an unfiltered view has a clean URL and a filtered one is a shareable link.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Mapping

from dashboard.backend import Filters

COLOUR_MODES = ("event_type", "side")
TIMELINE_MODES = ("side", "event_type")
PRECISIONS = (1, 2, 3)

# URL parameter names
P_FROM, P_TO, P_SIDE, P_ACTOR, P_TYPE, P_SOURCE = "from", "to", "side", "actor", "type", "source"
P_MIN_KILLED, P_PREC, P_TEXT, P_COLOUR, P_CHORO, P_TIMELINE = "min_killed", "prec", "q", "colour", "choro", "timeline"
P_UNDATED = "undated"
LIST_PARAMS = (P_SIDE, P_ACTOR, P_TYPE, P_SOURCE, P_PREC)


@dataclasses.dataclass
class FilterState:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sides: list[str] = dataclasses.field(default_factory=list)
    actor_ids: list[str] = dataclasses.field(default_factory=list)
    event_types: list[str] = dataclasses.field(default_factory=list)
    sources: list[str] = dataclasses.field(default_factory=list)
    min_killed: int = 0
    geo_precisions: list[int] = dataclasses.field(default_factory=list)
    text: str = ""
    undated: bool = True  # events without a date shown whatever the date range
    colour_by: str = "event_type"
    choropleth: bool = False
    timeline_by: str = "side"

    def filters(self) -> Filters:
        """The query layer's Filters (empty lists/zero mean 'no restriction')."""
        return Filters(
            date_from=self.date_from, date_to=self.date_to,
            sides=list(self.sides) or None, actor_ids=list(self.actor_ids) or None,
            event_types=list(self.event_types) or None, sources=list(self.sources) or None,
            min_killed=int(self.min_killed) or None,
            geo_precisions=list(self.geo_precisions) or None,
            text=self.text.strip() or None, undated=bool(self.undated),
        )


def default_state(options: Mapping) -> FilterState:
    return FilterState(date_from=options.get("date_min"), date_to=options.get("date_max"))


def _date(v) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(v)[:10])
    except (TypeError, ValueError):
        return None


def _get_all(params: Mapping, name: str) -> list[str]:
    """A list parameter: repeated keys (?side=a&side=b) or comma-joined (?side=a,b)."""
    if hasattr(params, "get_all"):
        raw = params.get_all(name)
    else:
        v = params.get(name)
        raw = v if isinstance(v, list) else ([] if v is None else [v])
    out: list[str] = []
    for item in raw:
        out.extend(p for p in str(item).split(",") if p != "")
    return out


def from_params(params: Mapping, options: Mapping) -> FilterState:
    """A FilterState from URL parameters; unknown values are dropped, dates clamped."""
    s = default_state(options)
    lo, hi = options.get("date_min"), options.get("date_max")
    d0, d1 = _date(params.get(P_FROM)), _date(params.get(P_TO))
    if d0:
        s.date_from = d0
    if d1:
        s.date_to = d1
    if lo and hi:
        s.date_from = min(max(s.date_from or lo, lo), hi)
        s.date_to = min(max(s.date_to or hi, lo), hi)
        if s.date_from > s.date_to:
            s.date_from, s.date_to = s.date_to, s.date_from
    sides, actors = set(options.get("sides") or []), set((options.get("actors") or {}).keys())
    types, sources = set(options.get("event_types") or []), set(options.get("sources") or [])
    s.sides = [v for v in _get_all(params, P_SIDE) if v in sides]
    s.actor_ids = [v for v in _get_all(params, P_ACTOR) if v in actors]
    s.event_types = [v for v in _get_all(params, P_TYPE) if v in types]
    s.sources = [v for v in _get_all(params, P_SOURCE) if v in sources]
    s.geo_precisions = sorted({int(v) for v in _get_all(params, P_PREC) if v.isdigit() and int(v) in PRECISIONS})
    try:
        s.min_killed = max(0, int(params.get(P_MIN_KILLED) or 0))
    except ValueError:
        s.min_killed = 0
    s.text = str(params.get(P_TEXT) or "")[:200]
    s.undated = params.get(P_UNDATED) not in ("0", "false", "no")
    colour = params.get(P_COLOUR)
    s.colour_by = colour if colour in COLOUR_MODES else "event_type"
    s.choropleth = params.get(P_CHORO) in ("1", "true", "yes")
    tl = params.get(P_TIMELINE)
    s.timeline_by = tl if tl in TIMELINE_MODES else "side"
    return s


def to_params(s: FilterState, options: Mapping) -> dict[str, str | list[str]]:
    """URL parameters for a state: only what differs from the defaults."""
    d = default_state(options)
    out: dict[str, str | list[str]] = {}
    if s.date_from and s.date_from != d.date_from:
        out[P_FROM] = s.date_from.isoformat()
    if s.date_to and s.date_to != d.date_to:
        out[P_TO] = s.date_to.isoformat()
    for name, values in ((P_SIDE, s.sides), (P_ACTOR, s.actor_ids), (P_TYPE, s.event_types),
                         (P_SOURCE, s.sources), (P_PREC, [str(p) for p in s.geo_precisions])):
        if values:
            out[name] = [str(v) for v in values]
    if s.min_killed:
        out[P_MIN_KILLED] = str(int(s.min_killed))
    if s.text.strip():
        out[P_TEXT] = s.text.strip()
    if not s.undated:
        out[P_UNDATED] = "0"
    if s.colour_by != d.colour_by:
        out[P_COLOUR] = s.colour_by
    if s.choropleth:
        out[P_CHORO] = "1"
    if s.timeline_by != d.timeline_by:
        out[P_TIMELINE] = s.timeline_by
    return out


def normalise_range(value, previous: tuple[dt.date, dt.date]) -> tuple[tuple[dt.date, dt.date], bool]:
    """st.date_input in range mode returns (), (start,) mid-selection, or (start, end).

    Returns (range, complete): an incomplete selection keeps the previous range."""
    if isinstance(value, dt.date):
        return (value, value), True
    vals = [v for v in (value or ()) if v is not None]
    if len(vals) == 2:
        a, b = vals
        return ((a, b) if a <= b else (b, a)), True
    return previous, False
