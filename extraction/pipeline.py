"""Temporary skeleton: real pipeline lands shortly."""
from __future__ import annotations
import datetime as _dt
import hashlib
from arabic.normalize import fold
import re

def _norm_published(published):
    if published is None:
        return None
    if isinstance(published, _dt.datetime):
        return published.date().isoformat()
    if isinstance(published, _dt.date):
        return published.isoformat()
    return _dt.date.fromisoformat(str(published)[:10]).isoformat()

def report_id_for(text):
    norm = re.sub(r"\s+", " ", fold(text)).strip()
    return hashlib.sha1(norm.encode("utf-8")).hexdigest()[:16]

def extract(text, published=None, title=None, report_id=None, path=None):
    return {"report": {"id": report_id or report_id_for(text), "path": path,
                       "published": _norm_published(published), "title": title},
            "mentions": [], "events": []}
