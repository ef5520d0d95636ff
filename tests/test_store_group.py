"""Bulk ingest writes several reports per transaction (store.ingest._Group) and keeps every
guarantee of one transaction per report: whole or absent, duplicates inside a group, an
extraction error stored, one bad report costing only itself, counts as committed."""
from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from store import open_store, schema as S
from store import ingest as I
from store.ingest import ingest_paths, ingest_text
from tests.test_store_fakes import simple_extract, write_reports

AR = "قصفت الطائرات الروسية حي الميسر في مدينة حلب صباح اليوم، ما أدى إلى مقتل سبعة مدنيين."


@pytest.fixture()
def store(tmp_path):
    st_ = open_store(tmp_path / "t.db", extractor=simple_extract, extractor_version="1.0")
    yield st_
    st_.dispose()


def count_writes(store):
    """Replace store.write by a wrapper counting write transactions; returns the counter."""
    n = [0]
    inner = store.write

    @contextlib.contextmanager
    def write():
        n[0] += 1
        with inner() as conn:
            yield conn
    store.write = write
    return n


def table_counts(store):
    with store.read() as c:
        return {t.name: c.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (S.reports, S.report_sources, S.events, S.mentions)}


def test_a_batch_is_one_transaction_per_group(store, tmp_path):
    write_reports(tmp_path / "in", 10)
    writes = count_writes(store)
    s = ingest_paths(store, [tmp_path / "in"], progress=False)
    assert (s.added, s.duplicates, s.failed) == (10, 0, 0) and len(set(s.report_ids)) == 10
    assert writes[0] == 1
    assert table_counts(store) == {"reports": 10, "report_sources": 10, "events": 10, "mentions": 0}
    # re-ingest: ten duplicates, still one transaction, nothing added
    s = ingest_paths(store, [tmp_path / "in"], progress=False)
    assert (s.added, s.duplicates) == (0, 10) and writes[0] == 2
    assert table_counts(store)["report_sources"] == 10


def test_group_limits(store, tmp_path, monkeypatch):
    write_reports(tmp_path / "in", 10)
    writes = count_writes(store)
    monkeypatch.setattr(I, "GROUP_REPORTS", 4)
    s = ingest_paths(store, [tmp_path / "in"], progress=False)
    assert s.added == 10 and writes[0] == 3  # 4 + 4 + 2
    write_reports(tmp_path / "in2", 5, prefix="b")
    s = ingest_paths(store, [tmp_path / "in2"], progress=False, group=1)  # one per transaction
    assert s.added == 5 and writes[0] == 3 + 5
    write_reports(tmp_path / "in3", 3, prefix="c")
    monkeypatch.setattr(I, "GROUP_SECONDS", 0.0)  # the time limit: every report at once
    s = ingest_paths(store, [tmp_path / "in3"], progress=False)
    assert s.added == 3 and writes[0] == 3 + 5 + 3


def test_same_text_twice_in_one_group(store, tmp_path):
    calls = []

    def extractor(text, **kw):
        calls.append(text)
        return simple_extract(text, **kw)
    st_ = open_store(tmp_path / "d.db", extractor=extractor, extractor_version="1.0")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("عنوان\n\n" + AR, encoding="utf-8")
    (tmp_path / "in" / "b.txt").write_text("عنوان\n\n" + AR + "\n", encoding="utf-8")  # same normalized text
    (tmp_path / "in" / "c.txt").write_text("عنوان آخر\n\n" + AR + " ثانية", encoding="utf-8")
    writes = count_writes(st_)
    s = ingest_paths(st_, [tmp_path / "in"], source="SMART", progress=False)
    assert (s.added, s.duplicates, s.failed) == (2, 1, 0) and writes[0] == 1
    assert len(calls) == 2  # the second copy is not extracted
    assert s.report_ids[0] == s.report_ids[1] != s.report_ids[2]
    assert table_counts(st_) == {"reports": 2, "report_sources": 3, "events": 2, "mentions": 0}
    st_.dispose()


def test_identical_text_from_another_process_before_the_commit(tmp_path):
    """Another writer stores the same text between this run's extraction and its commit:
    one report, this copy a second source, exactly as with one transaction per report."""
    db = tmp_path / "r.db"
    other = open_store(db, extractor=simple_extract, extractor_version="1.0")

    def extractor(text, **kw):
        if "ثانية" in text:  # while extracting: the other process stores this text
            assert ingest_text(other, text, source="other").added == 1
        return simple_extract(text, **kw)
    st_ = open_store(db, extractor=extractor, extractor_version="1.0")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("عنوان\n\n" + AR, encoding="utf-8")
    (tmp_path / "in" / "b.txt").write_text("عنوان\n\n" + AR + " ثانية", encoding="utf-8")
    s = ingest_paths(st_, [tmp_path / "in"], source="mine", progress=False)
    assert (s.added, s.duplicates, s.failed) == (1, 1, 0)
    counts = table_counts(st_)
    assert counts["reports"] == 2 and counts["report_sources"] == 3 and counts["events"] == 2
    with st_.read() as c:
        names = c.execute(select(S.reports.c.source_names).where(S.reports.c.id == s.report_ids[1])).scalar_one()
    assert names == "mine; other"
    st_.dispose()
    other.dispose()


def test_extraction_error_stored_inside_the_group(store, tmp_path):
    write_reports(tmp_path / "in", 3)
    (tmp_path / "in" / "r0001.txt").write_text("عنوان\n\nRAISE " + AR, encoding="utf-8")
    writes = count_writes(store)
    s = ingest_paths(store, [tmp_path / "in"], progress=False)
    assert (s.added, s.failed) == (3, 0) and writes[0] == 1
    assert len(s.extraction_errors) == 1 and "r0001.txt" in s.extraction_errors[0]
    with store.read() as c:
        assert c.execute(select(func.count()).where(S.reports.c.status == "error")).scalar_one() == 1


def patch_writes(monkeypatch, hook):
    """Call ``hook(report id, result)`` before each report's extraction is written, whichever
    path writes it: one report per transaction (``write_extraction``) or a whole group
    (``write_new_extractions``, report after report); returns a function undoing the patch."""
    real, real_batch = I.write_extraction, I.write_new_extractions

    def write_extraction(conn, rid, h, result, version, new=False):
        hook(rid, result)
        return real(conn, rid, h, result, version, new=new)

    def write_new_extractions(conn, batch):
        for rid, _, result, _ in batch:
            hook(rid, result)
        return real_batch(conn, batch)
    monkeypatch.setattr(I, "write_extraction", write_extraction)
    monkeypatch.setattr(I, "write_new_extractions", write_new_extractions)

    def undo():
        monkeypatch.setattr(I, "write_extraction", real)
        monkeypatch.setattr(I, "write_new_extractions", real_batch)
    return undo


def test_a_failing_report_costs_only_itself(store, tmp_path, monkeypatch):
    """A per-report error rolls the group back; its reports are written again one per
    transaction: the bad one fails (listed, nothing of it stored), the others land."""
    write_reports(tmp_path / "in", 6)
    def check(rid, result):
        if result["events"][0]["evidence"]["text"].startswith("تقرير رقم 3\n"):
            raise ValueError("cannot store this one")
    undo = patch_writes(monkeypatch, check)
    writes = count_writes(store)
    s = ingest_paths(store, [tmp_path / "in"], progress=False)
    assert (s.added, s.duplicates, s.failed) == (5, 0, 1)
    assert "r0003.txt: not stored: ValueError: cannot store this one" in s.errors[0]
    assert writes[0] == 1 + 6  # the group (rolled back), then one transaction each
    assert table_counts(store) == {"reports": 5, "report_sources": 5, "events": 5, "mentions": 0}
    undo()
    s = ingest_paths(store, [tmp_path / "in"], progress=False)  # the re-run finishes the job
    assert (s.added, s.duplicates, s.failed) == (1, 5, 0)


def test_integrity_error_in_a_group_retries_one_by_one(store, tmp_path, monkeypatch):
    write_reports(tmp_path / "in", 5)
    raised = []

    def race(rid, result):
        if not raised and rid == 3:  # a concurrent writer's race, once
            raised.append(rid)
            raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))
    patch_writes(monkeypatch, race)
    s = ingest_paths(store, [tmp_path / "in"], progress=False)
    assert raised and (s.added, s.duplicates, s.failed) == (5, 0, 0)
    c = table_counts(store)
    assert c["reports"] == c["events"] == c["report_sources"] == 5


def test_a_crash_loses_only_the_uncommitted_group(store, tmp_path, monkeypatch):
    """An interruption while writing a group leaves the groups before it whole and nothing of
    it; nothing of it was counted; running the same ingest again stores the rest."""
    write_reports(tmp_path / "in", 10)
    monkeypatch.setattr(I, "GROUP_REPORTS", 4)
    seen = []

    def interrupt(rid, result):
        seen.append(rid)
        if len(seen) == 6:  # the second group's second report
            raise KeyboardInterrupt
    undo = patch_writes(monkeypatch, interrupt)
    with pytest.raises(KeyboardInterrupt):
        ingest_paths(store, [tmp_path / "in"], progress=False)
    assert table_counts(store) == {"reports": 4, "report_sources": 4, "events": 4, "mentions": 0}
    undo()
    s = ingest_paths(store, [tmp_path / "in"], progress=False)
    assert (s.added, s.duplicates, s.failed) == (6, 4, 0)
    c = table_counts(store)
    assert c["reports"] == c["events"] == c["report_sources"] == 10


def test_progress_counts_files_as_committed(store, tmp_path, monkeypatch):
    """The bar advances over a file once its reports have committed, not when it was read."""
    write_reports(tmp_path / "in", 6)
    monkeypatch.setattr(I, "GROUP_REPORTS", 4)
    positions = []

    class Bar:
        def __init__(self, total, **kw):
            self.n = 0

        def update(self, k):
            self.n += k
            with store.read() as c:
                positions.append((self.n, c.execute(select(func.count()).select_from(S.reports)).scalar_one()))

        def set_postfix(self, **kw):
            pass

        def close(self):
            pass
    import tqdm
    monkeypatch.setattr(tqdm, "tqdm", Bar)
    s = ingest_paths(store, [tmp_path / "in"], progress=True)
    assert s.added == 6
    assert positions == [(4, 4), (6, 6)]
