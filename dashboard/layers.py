"""A compact folium layer: places as JSON rows, drawn by static/afm/afm-map.js.

One folium CircleMarker + Popup + Tooltip per place costs ~3 KB of generated JavaScript
and ~1.5 ms of rendering; at 1,000+ places that is megabytes and seconds on every filter
change. This element sends one JSON array (a row per place) and a one-line call; the
browser builds the markers, popups and tooltips (with textContent: report text is never
parsed as HTML). The payload grows with the number of places, never with events.
"""
from __future__ import annotations

import json

from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from dashboard.assets import static_prefix

_MARKERCLUSTER_JS = "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js"
_MARKERCLUSTER_CSS = [
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.Default.css",
]

# JSON that is also safe inside a <script> and a JS template literal
_JS_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                             "\u2029": "\\u2029", "`": "\\u0060", "$": "\\u0024"})


def js_json(value) -> str:
    s = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return s.translate(_JS_ESCAPES)


class PlaceLayer(JSCSSMixin, MacroElement):
    """Places as compact rows (see static/afm/afm-map.js for the row layout)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = window.AFM.layer({{ this.rows_json }}, {{ this.cluster_js }}, {{ this.options_json }});
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, rows: list, cluster: bool = False, options: dict | None = None, name: str = "places"):
        super().__init__()
        self._name = "PlaceLayer"
        self.layer_name = name
        self.rows = rows
        self.rows_json = js_json(rows)
        self.cluster_js = "true" if cluster else "false"
        self.options_json = js_json(options or {})
        prefix = static_prefix()
        self.default_js = [("afm_map_js", prefix + "afm/afm-map.js")]
        self.default_css = []
        if cluster:
            from dashboard.assets import local_url
            self.default_js = [("markerclusterjs", local_url(_MARKERCLUSTER_JS))] + self.default_js
            self.default_css = [(f"mc{i}", local_url(u)) for i, u in enumerate(_MARKERCLUSTER_CSS)]
