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
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

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
    link = http_url(value)
    return None if link is None else text(link)


def clean(v: Any) -> Any:
    """A value from a frame or a stored record, with None/NA/NaN all read as None.

    >>> clean(float("nan")) is None and clean(pd.NA) is None and clean("حلب")
    'حلب'
    """
    if v is None or v is pd.NA:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):  # lists and other non-scalars are values
        pass
    return v
