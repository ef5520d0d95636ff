"""Alias look-ups per second over a large token stream (a benchmark, not a test).

    python scripts/bench_geo.py [--tokens 1000000]

The stream is the dev corpus (../shared/dev-corpus/*.txt) and the sample report,
folded and keyed per word, repeated to ``--tokens`` tokens; at every position
the n-grams of 1..gaz.max_alias_words words are looked up, as an extractor
scanning for place names does. Without ../shared it falls back to the
gazetteer's own alias words.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from arabic import name_key  # noqa: E402
from geo import load_gazetteer  # noqa: E402


def corpus_tokens() -> list[str]:
    """Per-word keys of the shared texts (or of the aliases when they are absent)."""
    shared = REPO.parent / "shared"
    texts = [p.read_text(encoding="utf-8") for p in sorted((shared / "dev-corpus").glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted((shared / "samples").glob("*.txt"))]
    if not texts:
        texts = [" ".join(sorted(load_gazetteer()._aliases))]
    return [k for text in texts for k in (name_key(w) for w in text.split()) if k]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tokens", type=int, default=1_000_000)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    gaz = load_gazetteer()
    load_s = time.perf_counter() - t0
    base = corpus_tokens()
    tokens = (base * (args.tokens // len(base) + 1))[: args.tokens]
    max_n = gaz.max_alias_words
    lookups = hits = 0
    t0 = time.perf_counter()
    for i in range(len(tokens)):
        for n in range(1, max_n + 1):
            if i + n > len(tokens):
                break
            lookups += 1
            if " ".join(tokens[i:i + n]) in gaz:
                hits += 1
    secs = time.perf_counter() - t0
    print(f"gazetteer load: {load_s:.2f} s ({len(gaz)} places)")
    print(f"{len(tokens):,} tokens, n-grams 1..{max_n}: {lookups:,} alias look-ups, {hits:,} hits in {secs:.2f} s")
    print(f"{lookups / secs:,.0f} alias look-ups/s ({len(tokens) / secs:,.0f} tokens/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
