"""Escaping of untrusted text (report titles, evidence sentences, source names, URLs)
before it is drawn into HTML.

Report text comes from the web. Everything the dashboard puts into HTML goes through
``text`` (or ``url``). Beyond HTML escaping, folium embeds popup and tooltip HTML in a
JavaScript *template literal* (backticks): a backtick, ``${`` or a backslash in report
text would otherwise be evaluated as JavaScript, so those become HTML character
references too (the browser shows them as the same characters).
"""
from __future__ import annotations

import html
from urllib.parse import urlsplit

_EXTRA = {ord("`"): "&#96;", ord("$"): "&#36;", ord("\\"): "&#92;", ord("{"): "&#123;", ord("}"): "&#125;",
          ord("\n"): " ", ord("\r"): " ", ord("\u2028"): " ", ord("\u2029"): " "}


def text(value) -> str:
    """Untrusted value -> HTML text, also safe inside a JS template literal."""
    if value is None:
        return ""
    try:
        import pandas as pd
        if value is pd.NA or (isinstance(value, float) and value != value):
            return ""
    except Exception:  # pragma: no cover
        pass
    return html.escape(str(value), quote=True).translate(_EXTRA)


def http_url(value) -> str | None:
    """The URL itself if it is http(s) with a host, else None (javascript:, data:, junk)."""
    if not value or not isinstance(value, str):
        return None
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return None
    return value.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def url(value) -> str | None:
    """An http(s) URL, escaped for an href attribute; anything else (javascript:, data:) -> None."""
    if not value or not isinstance(value, str):
        return None
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return text(value.strip())
