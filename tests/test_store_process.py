"""Real processes: a SIGKILL mid-batch, then a re-run; two ingests at once."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.test_store_fakes import write_reports

REPO = Path(__file__).resolve().parent.parent


def _env(delay="0.05"):
    env = dict(os.environ)
    env.update(FRONTLINE_EXTRACTOR="tests.test_store_fakes:slow_extract", FAKE_EXTRACTOR_DELAY=delay,
               PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1")
    env.pop("FRONTLINE_DB", None)
    return env


def _ingest(db, *paths, delay="0.05"):
    return subprocess.Popen([sys.executable, "-m", "extraction", "ingest", *map(str, paths), "--db", str(db), "-q"],
                            cwd=REPO, env=_env(delay), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _db_state(db):
    con = sqlite3.connect(db, timeout=30)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        reports = con.execute("SELECT count(*), count(DISTINCT content_hash) FROM reports").fetchone()
        # every stored report landed whole: its source record and its one event
        orphans = con.execute("""SELECT count(*) FROM reports r WHERE
            NOT EXISTS (SELECT 1 FROM report_sources s WHERE s.report_id = r.id)
            OR (SELECT count(*) FROM events e WHERE e.report_id = r.id) != 1""").fetchone()[0]
        return reports, orphans
    finally:
        con.close()


def _count(db):
    try:
        con = sqlite3.connect(db, timeout=5)
        try:
            return con.execute("SELECT count(*) FROM reports").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


@pytest.mark.slow
def test_sigkill_mid_batch_then_rerun(tmp_path):
    write_reports(tmp_path / "in", 80)
    db = tmp_path / "k.db"
    p = _ingest(db, tmp_path / "in")
    deadline = time.time() + 60
    while time.time() < deadline and _count(db) < 15:
        time.sleep(0.05)
    os.kill(p.pid, signal.SIGKILL)
    p.wait(timeout=30)
    assert p.returncode == -signal.SIGKILL
    (n, distinct), orphans = _db_state(db)
    assert 15 <= n < 80 and n == distinct and orphans == 0
    p2 = _ingest(db, tmp_path / "in", delay="0")
    out, err = p2.communicate(timeout=120)
    assert p2.returncode == 0, err
    assert f"added {80 - n}, duplicates {n}, failed 0" in err
    (n, distinct), orphans = _db_state(db)
    assert n == distinct == 80 and orphans == 0


@pytest.mark.slow
def test_two_overlapping_ingests_at_once(tmp_path):
    write_reports(tmp_path / "a", 25, prefix="a")
    write_reports(tmp_path / "b", 25, prefix="b")
    write_reports(tmp_path / "c", 25, prefix="c")
    db = tmp_path / "c.db"
    p1 = _ingest(db, tmp_path / "a", tmp_path / "b", delay="0.01")
    p2 = _ingest(db, tmp_path / "b", tmp_path / "c", delay="0.01")
    out1, err1 = p1.communicate(timeout=120)
    out2, err2 = p2.communicate(timeout=120)
    assert p1.returncode == 0 and p2.returncode == 0, (err1, err2)
    (n, distinct), orphans = _db_state(db)
    assert n == distinct == 75 and orphans == 0
    con = sqlite3.connect(db)
    # b's files were seen by both runs: one report each, one source record each (same locator)
    assert con.execute("SELECT count(*) FROM report_sources").fetchone()[0] == 75
    con.close()
