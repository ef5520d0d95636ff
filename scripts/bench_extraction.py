"""Benchmark the extractor on one core (not a timed test): reports/s and MB/s.

    python scripts/bench_extraction.py [--repeat N] [--seconds S]

Corpora: the dev corpus (../shared/dev-corpus) and the shared sample repeated; the
sample is ~4.5 KB, the size named in the target (>= 100 reports of 4 KB per second).
The gazetteer is loaded once before timing, as in a long-running ingest.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CAMELTOOLS_DATA", str(ROOT / "data" / "camel"))
SHARED = ROOT.parent / "shared"


def bench(name, texts, seconds):
    from extraction import extract_text
    nbytes = sum(len(t.encode("utf-8")) for t in texts)
    n = 0
    done = 0
    t0 = time.perf_counter()
    c0 = time.process_time()
    while True:
        for t in texts:
            extract_text(t, published="2016-12-06")
        n += len(texts)
        done += nbytes
        el = time.perf_counter() - t0
        if el >= seconds:
            break
    cpu = time.process_time() - c0
    # per CPU second too: on a shared machine the wall-clock figure also measures the neighbours
    print(f"{name:<28} {n / el:8.1f} reports/s  {done / el / 1e6:6.2f} MB/s  "
          f"({n / cpu:.1f}/CPU-s; {len(texts)} reports, {nbytes / len(texts) / 1024:.1f} KB avg, "
          f"{n} runs in {el:.1f}s)")
    return n / el


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=5.0)
    args = ap.parse_args(argv)
    try:  # one core
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    except (AttributeError, OSError):
        pass
    from extraction import extract_text
    from extraction.pipeline import default_gazetteer
    t = time.perf_counter()
    default_gazetteer()
    extract_text("تحمية", published="2016-12-06")
    print(f"warm-up (lexicons + gazetteer load): {time.perf_counter() - t:.2f}s")
    dev = [p.read_text(encoding="utf-8") for p in sorted((SHARED / "dev-corpus").glob("*.txt"))]
    sample = (SHARED / "samples" / "aleppo-frontline-2016-12-06.txt").read_text(encoding="utf-8")
    if dev:
        bench("dev corpus", dev, args.seconds)
    bench("sample repeated (4.5 KB)", [sample], args.seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
