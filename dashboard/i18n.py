"""Interface labels in English and Arabic, read from data/ui/labels.csv (key,en,ar).

Labels are data: an analyst can correct a translation without touching code. ``t(key)``
returns the label in the current interface language (``st.session_state["ui_lang"]``,
mirrored in the URL as ``lang``); a missing Arabic label falls back to English, a
missing key to the key itself (tests/test_dashboard_evidence.py checks every key the
code uses is in the file). Arabic blocks are wrapped in right-to-left containers
(``rtl``): Streamlit has no RTL mode of its own.
"""
from __future__ import annotations

import csv
import functools
from pathlib import Path

LABELS_CSV = Path(__file__).resolve().parents[1] / "data" / "ui" / "labels.csv"
LANGS = ("en", "ar")
DEFAULT_LANG = "en"
SESSION_KEY = "ui_lang"


@functools.lru_cache(maxsize=1)
def labels() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    with open(LABELS_CSV, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            key = (row.get("key") or "").strip()
            if key:
                out[key] = {"en": row.get("en") or "", "ar": row.get("ar") or ""}
    return out


def current() -> str:
    try:
        import streamlit as st
        lang = st.session_state.get(SESSION_KEY, DEFAULT_LANG)
    except Exception:  # outside a Streamlit run
        lang = DEFAULT_LANG
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str | None = None, **fmt) -> str:
    """The label ``key`` in ``lang`` (default: the interface language), ``str.format``-ed with ``fmt``."""
    entry = labels().get(key)
    if entry is None:
        text = key
    else:
        text = entry.get(lang or current()) or entry.get("en") or key
    return text.format(**fmt) if fmt else text


def is_rtl(lang: str | None = None) -> bool:
    return (lang or current()) == "ar"


def rtl(inner_html: str, tag: str = "div", cls: str = "afm-rtl") -> str:
    """Wrap (already escaped) HTML in a right-to-left Arabic container."""
    return f'<{tag} dir="rtl" lang="ar" class="{cls}">{inner_html}</{tag}>'


def block(inner_html: str, cls: str = "") -> str:
    """Wrap interface HTML in a container with the interface language's direction."""
    if is_rtl():
        return f'<div dir="rtl" lang="ar" class="afm-rtl {cls}">{inner_html}</div>'
    return f'<div dir="ltr" class="{cls}">{inner_html}</div>'
