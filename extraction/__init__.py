"""Extraction: places, actors, casualties, dates and events from Arabic reports.

Public API (docs/ARCHITECTURE.md):

    from extraction import extract_text, EXTRACTOR_VERSION
    doc = extract_text(text, published="2016-12-06")
    # {"report": {"id", "path", "published", "title"}, "mentions": [...], "events": [...]}
"""
from __future__ import annotations

EXTRACTOR_VERSION = "0.8.0"


def extract_text(text, published=None, title=None, report_id=None, path=None, gazetteer=None) -> dict:
    """Extract mentions and events from one report (``text`` exactly as decoded).

    ``published`` is a ``YYYY-MM-DD`` string or ``datetime.date`` (or None).
    ``gazetteer``: the ``geo.Gazetteer`` to read places with; None is the project's
    (``geo.load_gazetteer()``). Pass ``load_gazetteer().with_layer(geo.layer_from_rows(rows))``
    to read the analyst's places too.
    Returns the contract dict of extraction/schema.json.
    """
    from extraction.pipeline import extract as _extract
    return _extract(text, published=published, title=title, report_id=report_id, path=path,
                    gazetteer="default" if gazetteer is None else gazetteer)


__all__ = ["EXTRACTOR_VERSION", "extract_text"]
