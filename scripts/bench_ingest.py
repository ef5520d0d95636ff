"""Ingestion benchmark (not a test): 10,000 reports end to end.

The sample report and the development corpus are repeated with variations (a
numbered line, a shifted figure) so that every content hash differs, written as
.txt files. Then, each on one core unless said otherwise:

- extraction only: ``extract_text`` on every report, read and decoded beforehand, no store;
- store only (``--no-extract``): read, decode, hash, dedup, store the report;
- ingest only: the whole ingestion path with the extractor replaced by the results of
  the source texts, extracted beforehand (the same mentions and events to write, minus
  the extraction time): what the store itself costs;
- end to end: read, decode, hash, extract, store mentions and events;
- with ``--workers N``: end to end with extraction in N processes, writes in this one.

Prints time, reports/s, database size and bytes per report for each, then times the
query layer on the end-to-end database.

Reports are written several per transaction, as ``ingest_paths`` does (``--group 1``: one
transaction per report, as before, for comparison).

    python -m scripts.bench_ingest [--n 10000] [--workers N] [--group N] [--skip-e2e] [--no-queries] [--keep DIR]
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("CAMELTOOLS_DATA", str(REPO / "data" / "camel"))

SOURCES = [REPO.parent / "shared" / "samples" / "aleppo-frontline-2016-12-06.txt",
           *sorted((REPO.parent / "shared" / "dev-corpus").glob("*.txt"))]
if not SOURCES[0].exists():
    SOURCES = sorted((REPO / "data" / "reports").glob("*.txt"))


def make_corpus(folder: Path, n: int) -> int:
    texts = [p.read_text(encoding="utf-8") for p in SOURCES if p.exists()]
    rng = random.Random(4)
    total = 0
    for i in range(n):
        t = texts[i % len(texts)]
        lines = t.split("\n")
        # a variation: a numbered dateline and a different figure, so the hash differs
        lines.insert(1, f"حلب - {1 + i % 28} تشرين الثاني - نسخة {i}")
        body = "\n".join(lines).replace("سبعة", rng.choice(["سبعة", "ثمانية", "تسعة", "عشرة"]), 1)
        sub = folder / f"{i // 1000:02d}"
        sub.mkdir(exist_ok=True)
        data = body.encode("utf-8")
        (sub / f"r{i:05d}.txt").write_bytes(data)
        total += len(data)
    return total


def _key(text: str) -> str:
    """Which source text a corpus report was made from (make_corpus inserts line 1)."""
    lines = text.split("\n")
    return lines[0] + "\n" + "\n".join(lines[2:4])


def precomputed_extractor(published: str | None):
    """An extractor returning the source text's extraction (computed here, once)."""
    from extraction import extract_text
    table = {}
    for p in SOURCES:
        if not p.exists():
            continue
        lines = p.read_text(encoding="utf-8").split("\n")
        lines.insert(1, "حلب - 1 تشرين الثاني - نسخة 0")  # as make_corpus varies it
        text = "\n".join(lines)
        table[_key(text)] = extract_text(text, published=published)

    def lookup(text, **_):
        return table[_key(text)]
    return lookup


def run(folder: Path, db: Path, extract: bool, published: str | None = "2016-12-06", extractor=None,
        workers: int | None = None, group: int | None = None):
    from store import open_store
    from store.ingest import ingest_paths
    st = open_store(db, extractor=extractor, extractor_version="bench" if extractor else None)
    if extract and extractor is None:
        st.extractor()  # import and warm the extractor outside the timing (gazetteer, lexicons)
        from extraction import extract_text
        extract_text("حلب", published=published)
    from arabic import fold
    fold("حلب")  # imported outside the timing
    t0, c0 = time.perf_counter(), time.process_time()
    s = ingest_paths(st, [folder], published=published, source="bench", progress=True, extract=extract,
                     workers=workers, group=group)
    dt = time.perf_counter() - t0
    cpu = time.process_time() - c0  # this process only (not extraction workers): steadier on a shared box
    if st.is_sqlite:  # the WAL's pages into the file: the size is the database's own
        raw = st.engine.raw_connection()
        try:
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
    size = st.size_bytes()
    with st.read() as conn:
        n_m = conn.exec_driver_sql("SELECT count(*) FROM mentions").scalar()
        n_e = conn.exec_driver_sql("SELECT count(*) FROM events").scalar()
    st.dispose()
    return s, dt, size, n_m, n_e, cpu


def extraction_only(folder: Path, published: str | None = "2016-12-06") -> tuple[float, int]:
    """Seconds to run extract_text on every report (read and decoded beforehand)."""
    from extraction import extract_text
    from store.decode import decode_bytes
    from store.ingest import _headline
    from datetime import date
    texts = [decode_bytes(p.read_bytes())[0] for p in sorted(folder.rglob("*.txt"))]
    extract_text("حلب", published=published)
    pub = date.fromisoformat(published).isoformat() if published else None
    t0 = time.perf_counter()
    for t in texts:
        extract_text(t, published=pub, title=_headline(t))
    return time.perf_counter() - t0, len(texts)


def time_queries(db: Path) -> None:
    from store import open_store, queries as q
    st = open_store(db)
    opts = q.filter_options(st)
    n = q.counts(st)["events"]
    cases = {
        "no filter": q.Filters(),
        "date range": q.Filters(date_from=opts["date_min"], date_to=opts["date_max"]),
        "side": q.Filters(sides=opts["sides"][:1]),
        "side+type+killed": q.Filters(sides=opts["sides"][:2], event_types=opts["event_types"][:1], min_killed=1),
        "text": q.Filters(text="حلب"),
    }
    print(f"\nquery layer on {n:,} events (median of 5, seconds):")
    print(f"  {'filters':18} {'place_summary':>13} {'counts':>8} {'timeline':>9} {'events(limit 500)':>18}")
    for name, f in cases.items():
        res = []
        for fn in (lambda: q.place_summary(st, f), lambda: q.counts(st, f), lambda: q.timeline(st, f),
                   lambda: q.events(st, f, limit=500)):
            ts = []
            for _ in range(5):
                t0 = time.perf_counter()
                fn()
                ts.append(time.perf_counter() - t0)
            res.append(sorted(ts)[2])
        print(f"  {name:18} {res[0]:13.3f} {res[1]:8.3f} {res[2]:9.3f} {res[3]:18.3f}")
    t0 = time.perf_counter()
    df = q.events(st, q.Filters())
    print(f"  all {len(df):,} events as a DataFrame: {time.perf_counter() - t0:.2f} s")
    st.dispose()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=None, help="also run end to end with N extraction processes")
    ap.add_argument("--skip-e2e", action="store_true", help="no extraction: store only and ingest only")
    ap.add_argument("--no-queries", action="store_true", help="do not time the query layer")
    ap.add_argument("--keep", help="keep the corpus and databases in this folder")
    ap.add_argument("--group", type=int, default=None,
                    help="reports per transaction (default store.ingest.GROUP_REPORTS; 1: one per report)")
    args = ap.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []

    def show(label, n, dt, size=None, extra=""):
        rows.append((label, n, dt, size))
        size_s = f"; database {size / 1e6:.1f} MB, {size / max(n, 1):,.0f} bytes/report" if size is not None else ""
        print(f"{label}: {n:,} reports in {dt:.1f} s = {n / dt:,.0f} reports/s{size_s}{extra}", flush=True)

    try:
        corpus = work / "corpus"
        if corpus.exists():
            shutil.rmtree(corpus)
        corpus.mkdir()
        nbytes = make_corpus(corpus, args.n)
        print(f"corpus: {args.n:,} reports, {nbytes / 1e6:.1f} MB of text, from {len(SOURCES)} source files; "
              f"{os.cpu_count()} CPUs", flush=True)
        runs = [("store only (read, decode, hash, dedup, store the report)", dict(extract=False)),
                ("ingest only (the above + write mentions and events; extraction precomputed)",
                 dict(extract=True, extractor="precomputed"))]
        if not args.skip_e2e:
            runs.append(("end to end, one core (read, decode, hash, extract, store)", dict(extract=True)))
            if args.workers and args.workers > 1:
                runs.append((f"end to end, {args.workers} extraction processes + this one writing",
                             dict(extract=True, workers=args.workers)))
        if not args.skip_e2e:
            dt, n = extraction_only(corpus)
            show("extraction only (extract_text, no store)", n, dt)
        e2e_db = None
        for i, (label, kw) in enumerate(runs):
            db = work / f"run{i}.db"
            for p in (db, Path(str(db) + "-wal"), Path(str(db) + "-shm")):
                p.unlink(missing_ok=True)
            if kw.get("extractor") == "precomputed":
                kw = {**kw, "extractor": precomputed_extractor("2016-12-06")}
            s, dt, size, n_m, n_e, cpu = run(corpus, db, group=args.group, **kw)
            show(label, s.added, dt, size,
                 f"; CPU {cpu:.1f} s; {n_m:,} mentions, {n_e:,} events" + (f"; {s.failed} failed" if s.failed else "")
                 + (f"; {len(s.extraction_errors)} extraction errors" if s.extraction_errors else ""))
            if kw.get("extract") and kw.get("extractor") is None and e2e_db is None:
                e2e_db = db
        print("\nsummary")
        print(f"  {'run':80} {'time':>8} {'reports/s':>10} {'MB':>7} {'bytes/report':>13}")
        for label, n, dt, size in rows:
            mb = f"{size / 1e6:7.1f}" if size is not None else f"{'':7}"
            per = f"{size / max(n, 1):13,.0f}" if size is not None else f"{'':13}"
            print(f"  {label[:80]:80} {dt:7.1f}s {n / dt:10,.0f} {mb} {per}")
        if e2e_db is not None and not args.no_queries:
            time_queries(e2e_db)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
