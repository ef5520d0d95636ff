"""Vendored map assets: folium's and its plugins' JS/CSS served from static/vendor/.

folium elements list the files they need in ``default_js``/``default_css`` (CDN URLs).
:func:`localize` rewrites those lists on an element *instance* to the copies under
static/vendor/ (fetched by scripts/vendor_assets.py), served by Streamlit's static
file serving at ``/app/static/...``. An unknown CDN URL raises, so a new plugin cannot
silently reach the internet; :func:`external_urls` finds any non-local URL in
generated HTML/JS (the tests use it).

streamlit-folium renders the map in its component iframe
(``/component/streamlit_folium.st_folium/index.html`` on the same origin) and injects
``<script src>``/``<link href>`` for every URL it collects; absolute paths starting with
``/app/static/`` therefore resolve against the Streamlit server from inside the iframe.
"""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STATIC_DIR = ROOT / "static"

# CDN URL (as folium 0.20 / its plugins list it) -> path under static/, or None to drop it.
LOCAL_ASSETS: dict[str, str | None] = {
    # folium.Map
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": "vendor/leaflet-1.9.3/dist/leaflet.js",
    "https://code.jquery.com/jquery-3.7.1.min.js": "vendor/jquery-3.7.1/dist/jquery.min.js",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js":
        "vendor/bootstrap-5.2.2/dist/js/bootstrap.bundle.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js":
        "vendor/leaflet.awesome-markers-2.0.2/js/leaflet.awesome-markers.js",
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": "vendor/leaflet-1.9.3/dist/leaflet.css",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css":
        "vendor/bootstrap-5.2.2/dist/css/bootstrap.min.css",
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css":
        "vendor/fontawesome-free-6.2.0/css/all.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css":
        "vendor/leaflet.awesome-markers-2.0.2/css/leaflet.awesome-markers.css",
    # Bootstrap 3.0.0 glyphicons (never on npm) and folium's rotate CSS (a GitHub file): only
    # needed for glyphicon / rotated awesome-marker icons, which the dashboard does not draw.
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css": None,
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css": None,
    # folium.plugins.MarkerCluster
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js":
        "vendor/leaflet.markercluster-1.1.0/dist/leaflet.markercluster.js",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css":
        "vendor/leaflet.markercluster-1.1.0/dist/MarkerCluster.css",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.Default.css":
        "vendor/leaflet.markercluster-1.1.0/dist/MarkerCluster.Default.css",
}


# What the dashboard's map really uses of folium.Map's default assets: Leaflet only. jQuery is
# needed by folium.Popup (``$(`...`)[0]``) and ``objects_to_stay_in_front``; Bootstrap, Font
# Awesome and Leaflet.awesome-markers by awesome-marker icons. The dashboard draws none of
# them: popups and tooltips of places are built by static/afm/afm-map.js, the outlines use
# GeoJsonTooltip (plain Leaflet). tests/test_dashboard_app.py checks the generated map holds
# none of these uses. Each dropped file was one more link in the iframe's script chain
# (streamlit-folium loads its js_links one after the other).
MAP_ASSETS_KEPT = {"leaflet", "leaflet_css"}


def static_prefix() -> str:
    """URL prefix of Streamlit's app static files, honouring server.baseUrlPath."""
    base = ""
    try:
        import streamlit as st
        base = (st.get_option("server.baseUrlPath") or "").strip("/")
    except Exception:  # pragma: no cover - outside Streamlit
        pass
    return ("/" + base if base else "") + "/app/static/"


def local_url(cdn_url: str) -> str | None:
    if cdn_url not in LOCAL_ASSETS:
        raise KeyError(f"no vendored copy of {cdn_url}: add it with scripts/vendor_assets.py "
                       f"and dashboard/assets.py LOCAL_ASSETS")
    rel = LOCAL_ASSETS[cdn_url]
    return None if rel is None else static_prefix() + rel


def localize(element):
    """Point one folium element's default_js/default_css at the vendored files (instance-level)."""
    for attr in ("default_js", "default_css"):
        links = getattr(type(element), attr, None)
        if not links:
            continue
        out = []
        for name, url in links:
            if url.startswith(static_prefix()):
                out.append((name, url))
                continue
            loc = local_url(url)
            if loc is not None:
                out.append((name, loc))
        setattr(element, attr, out)
    return element


def trim_map_assets(m):
    """Keep only the Leaflet JS/CSS of a folium.Map (localized); see MAP_ASSETS_KEPT."""
    localize(m)
    m.default_js = [(n, u) for n, u in m.default_js if n in MAP_ASSETS_KEPT]
    m.default_css = [(n, u) for n, u in m.default_css if n in MAP_ASSETS_KEPT]
    return m


def localize_tree(element):
    """localize() an element and all its descendants."""
    localize(element)
    for child in getattr(element, "_children", {}).values():
        localize_tree(child)
    return element


_URL_RE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url\(\s*["']?([^"')]+)["']?\s*\)|(https?://[^\s"'`<>)]+)""",
                     re.IGNORECASE)


def external_urls(text: str, allowed_link_hosts: tuple[str, ...] = ()) -> list[str]:
    """Every URL in ``text`` that would make the browser leave the app's own server.

    ``allowed_link_hosts`` lists hosts that may appear as plain data (e.g. a report's
    link shown in a popup, which the browser does not fetch by itself)."""
    found = []
    # links the user may click (report URLs, tile attribution) are not fetched by the browser
    text = re.sub(r"<a\s[^>]*>", "<a>", text, flags=re.IGNORECASE)
    for m in _URL_RE.finditer(text):
        u = next(g for g in m.groups() if g)
        if u.startswith(("data:", "#", "about:")):
            continue
        if re.match(r"^(https?:)?//", u, re.I):
            if any(h in u for h in allowed_link_hosts):
                continue
            found.append(u)
    return found


def vendored_files_present() -> list[str]:
    """Local paths LOCAL_ASSETS points at that are missing on disk (should be empty)."""
    return [rel for rel in LOCAL_ASSETS.values() if rel and not (STATIC_DIR / rel).exists()]
