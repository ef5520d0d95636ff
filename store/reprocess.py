"""Re-extraction: run the current extractor again over stored reports.

Each report is re-extracted outside any transaction, then its mentions and events
are replaced and the analyst's corrections re-applied in one transaction. If the
extractor raises, the previous extraction is kept and the error recorded.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field

from packaging.version import InvalidVersion, Version
from sqlalchemy import and_, or_, select, update

from store import schema as S
from store.ingest import run_extractor
from store.records import utcnow, write_extraction


def is_older(stored: str | None, current: str) -> bool:
    """True if ``stored`` is an older extractor version than ``current`` (None is oldest;
    versions that do not parse are compared as different = older)."""
    if stored is None:
        return True
    if stored == current:
        return False
    try:
        return Version(stored) < Version(current)
    except InvalidVersion:
        return True


@dataclass
class ReprocessSummary:
    considered: int = 0
    reprocessed: int = 0
    failed: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    orphaned_corrections: int = 0

    def line(self) -> str:
        s = (f"reprocessed {self.reprocessed}, failed {self.failed}, up to date {self.unchanged}")
        if self.orphaned_corrections:
            s += f"; {self.orphaned_corrections} corrections no longer match an event (kept; see stats)"
        return s


def reprocess(store, all_reports: bool = False, errors: bool = False, report_ids: list[int] | None = None,
              progress: bool = True) -> ReprocessSummary:
    """Re-extract reports whose extractor version is older than the current one (or
    never extracted); ``all_reports``: every report; ``errors``: also retry reports
    whose extraction failed with the current version."""
    summary = ReprocessSummary()
    try:
        _, version = store.extractor()
    except Exception as exc:
        summary.failed = 1
        summary.errors.append(f"extractor unavailable: {exc.__class__.__name__}: {exc}")
        return summary
    R = S.reports
    with store.read() as conn:
        q = select(R.c.id, R.c.extractor_version, R.c.status).order_by(R.c.id)
        if report_ids:
            q = q.where(R.c.id.in_([int(i) for i in report_ids]))
        rows = conn.execute(q).fetchall()
    todo = []
    for r in rows:
        summary.considered += 1
        stale = is_older(r.extractor_version, version) or r.status == "pending"
        if all_reports or report_ids or stale or (errors and r.status == "error"):
            todo.append(r.id)
        else:
            summary.unchanged += 1
    bar = None
    if progress and todo:
        from tqdm import tqdm
        bar = tqdm(total=len(todo), unit="report", desc="reprocess", file=sys.stderr, disable=None)
    try:
        for rid in todo:
            with store.read() as conn:
                rep = conn.execute(select(R.c.id, R.c.text, R.c.published, R.c.title, R.c.content_hash)
                                   .where(R.c.id == rid)).first()
                loc = conn.execute(select(S.report_sources.c.locator).where(
                    S.report_sources.c.report_id == rid).order_by(S.report_sources.c.id).limit(1)).scalar()
            result, ver, error = run_extractor(store, rep.text, rep.published, rep.title, rep.content_hash[:16],
                                               loc if loc and not loc.startswith(("upload:", "text:")) else None)
            with store.write() as conn:
                if result is None:
                    conn.execute(update(R).where(R.c.id == rid).values(
                        error=error, status="error" if conn.execute(select(R.c.status).where(R.c.id == rid))
                        .scalar() != "ok" else "ok"))
                    summary.failed += 1
                    summary.errors.append(f"report {rid}: {error} (previous extraction kept)")
                else:
                    write_extraction(conn, rid, rep.content_hash, result, ver)
                    conn.execute(update(R).where(R.c.id == rid).values(
                        status="ok", error=None, extractor_version=ver, extracted_at=utcnow()))
                    summary.reprocessed += 1
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    C = S.corrections
    with store.read() as conn:
        summary.orphaned_corrections = conn.execute(select(C.c.id).where(and_(
            C.c.active.is_(True), C.c.applied.is_(False)))).fetchall().__len__()
    return summary
