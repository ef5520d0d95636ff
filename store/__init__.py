"""Persistence for Aleppo Frontline Map: the report store, ingestion, corrections,
the query layer and exports (docs/store.md).

    from store import open_store, seed_if_empty
    from store import queries
    st = open_store()                 # --db → $FRONTLINE_DB → data/frontline.db
    seed_if_empty(st)                 # the shipped demo reports (data/reports/)
    queries.events(st, queries.Filters(sides=["government"]))
"""
from __future__ import annotations

from pathlib import Path

from store.db import DEFAULT_DB, REPO_ROOT, Store, StoreError, open_store, resolve_db

SEED_DIR = REPO_ROOT / "data" / "reports"

__all__ = ["open_store", "resolve_db", "Store", "StoreError", "seed_if_empty", "DEFAULT_DB", "SEED_DIR"]


def is_empty(store: Store) -> bool:
    from sqlalchemy import select
    from store.schema import reports
    with store.read() as conn:
        return conn.execute(select(reports.c.id).limit(1)).first() is None


def seed_if_empty(store: Store, folder: str | Path | None = None, progress: bool = False):
    """Load the shipped demo reports (data/reports/) into an empty database.
    Returns the IngestSummary, or None when the database already holds reports."""
    if not is_empty(store):
        return None
    from store.ingest import ingest_paths
    return ingest_paths(store, [Path(folder) if folder else SEED_DIR], progress=progress)
