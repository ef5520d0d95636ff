"""A compact folium layer: places as JSON rows, drawn by static/afm/afm-map.js.

One folium CircleMarker + Popup + Tooltip per place costs ~3 KB of generated JavaScript
and ~1.5 ms of rendering; at 1,000+ places that is megabytes and seconds on every filter
change. This element sends one JSON array (a row per place) and a one-line call; the
browser builds the markers, popups and tooltips (with textContent: report text is never
parsed as HTML). The payload grows with the number of places, never with events.
"""
from __future__ import annotations

import json
import re

from branca.element import CssLink, Element, Figure, JavascriptLink, MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from dashboard.assets import STATIC_DIR, local_url

AFM_MAP_JS = STATIC_DIR / "afm" / "afm-map.js"

_MARKERCLUSTER_JS = "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js"
_MARKERCLUSTER_CSS = [
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.Default.css",
]

# JSON that is also safe inside a <script>, a JS template literal, and a Jinja template: branca
# hands every rendered script to jinja2.Template() again (MacroElement.render), so a report
# saying "{% ..." or "{{" would be parsed as a template (TemplateSyntaxError: no map; or worse).
# Escaped as \uXXXX, which JSON and JavaScript read back as the same characters.
_JS_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
               ("\u2029", "\\u2029"), ("`", "\\u0060"), ("$", "\\u0024"))
# "{" opening a Jinja tag ({{ {% {#) can only be inside a JSON string: compact JSON's own "{" is
# followed by '"' or '}'
_JINJA_OPEN = re.compile(r"\{(?=[{%#])")


def js_json(value) -> str:
    s = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    for a, b in _JS_ESCAPES:  # str.replace per character: ~10x faster than str.translate on 1 MB of Arabic
        if a in s:
            s = s.replace(a, b)
    if "{" in s:
        s = _JINJA_OPEN.sub(r"\\u007b", s)
    return s


class _Script(Element):
    """A rendered script kept as it is (branca would compile it as a Jinja template again)."""

    def __init__(self, script: str):
        super().__init__()
        self.script = script

    def render(self, **kwargs) -> str:
        return self.script


class AfmScript(MacroElement):
    """static/afm/afm-map.js inlined in the base map's script (``window.AFM``: the place layers'
    drawing code). The base map's script runs before the feature groups (streamlit-folium
    evaluates them after it), so ``window.AFM`` is defined when the layers are built. Inlined
    rather than linked: one link fewer in the iframe's chain of scripts, which streamlit-folium
    loads one after the other, and a change of the file changes the base map's script (its
    component key), never served stale from a browser cache."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this.js }}
        {% endmacro %}
    """)

    def __init__(self):
        super().__init__()
        self._name = "AfmScript"
        self.js = AFM_MAP_JS.read_text(encoding="utf-8")

    def render(self, **kwargs):
        figure = self.get_root()
        assert isinstance(figure, Figure), "You cannot render this Element if it is not in a Figure."
        figure.script.add_child(_Script(self.js), name=self.get_name())


class PlaceLayer(JSCSSMixin, MacroElement):
    """Places as compact rows (see static/afm/afm-map.js for the row layout), drawn by
    ``window.AFM.layer``: the base map carries AfmScript (dashboard.mapview.build_base_map)."""

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
        self.default_js = []
        self.default_css = []
        if cluster:
            self.default_js = [("markerclusterjs", local_url(_MARKERCLUSTER_JS))]
            self.default_css = [(f"mc{i}", local_url(u)) for i, u in enumerate(_MARKERCLUSTER_CSS)]

    def render(self, **kwargs):
        """JSCSSMixin's links, then the script added as it is: MacroElement.render would pass it
        to jinja2.Template() (parsing and compiling a megabyte of JSON on every filter change)."""
        figure = self.get_root()
        assert isinstance(figure, Figure), "You cannot render this Element if it is not in a Figure."
        for name, url in self.default_js:
            figure.header.add_child(JavascriptLink(url), name=name)
        for name, url in self.default_css:
            figure.header.add_child(CssLink(url), name=name)
        script = self._template.module.__dict__["script"]
        figure.script.add_child(_Script(script(self, kwargs)), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)
