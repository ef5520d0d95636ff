"""Ingestion benchmark (not a test): 10,000 reports end to end.

The sample report and the development corpus are repeated with variations (a
numbered line, a shifted figure) so that every content hash differs, written as
.txt files, then ingested into a fresh database twice: store only (no extraction)
and end to end (decode, hash, extract, store). Prints reports/s and the database
size, then times the query layer on the end-to-end database.

    python -m scripts.bench_ingest [--n 10000] [--skip-e2e] [--keep DIR]
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


def run(folder: Path, db: Path, extract: bool, published: str | None = "2016-12-06"):
    from store import open_store
    from store.ingest import ingest_paths
    st = open_store(db)
    if extract:
        st.extractor()  # import and warm the extractor outside the timing (gazetteer, lexicons)
        from extraction import extract_text
        extract_text("حلب", published=published)
    t0 = time.perf_counter()
    s = ingest_paths(st, [folder], published=published, source="bench", progress=True, extract=extract)
    dt = time.perf_counter() - t0
    size = st.size_bytes()
    with st.write() as conn:
        pass
    st.dispose()
    return s, dt, size


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
    ap.add_argument("--skip-e2e", action="store_true", help="store-only figure only")
    ap.add_argument("--keep", help="keep the corpus and databases in this folder")
    args = ap.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        corpus = work / "corpus"
        if corpus.exists():
            shutil.rmtree(corpus)
        corpus.mkdir()
        nbytes = make_corpus(corpus, args.n)
        print(f"corpus: {args.n:,} reports, {nbytes / 1e6:.1f} MB of text, from {len(SOURCES)} source files")
        for extract in ([False] if args.skip_e2e else [False, True]):
            db = work / ("e2e.db" if extract else "store-only.db")
            for p in (db, Path(str(db) + "-wal"), Path(str(db) + "-shm")):
                p.unlink(missing_ok=True)
            s, dt, size = run(corpus, db, extract)
            label = "end to end (extract + store)" if extract else "store only (decode, hash, store)"
            print(f"{label}: {s.added:,} added, {s.failed} failed, {len(s.extraction_errors)} extraction errors "
                  f"in {dt:.1f} s = {s.added / dt:,.0f} reports/s; database {size / 1e6:.1f} MB")
            if extract:
                time_queries(db)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
