"""Longest-match lookup of lexicon phrases on folded tokens (first token read with and
without its proclitics و ف ب ل ك / لل)."""
from __future__ import annotations

import bisect


def match_at(doc, i, index, end, free=None):
    """(payload, j, prefix_len) for the longest phrase of ``index`` starting at token i."""
    first = index.first
    for p, key in doc.var[i]:
        L = first.get(key)
        if not L:
            continue
        for n in range(min(L, end - i), 0, -1):
            if n > 1 and not all(doc.link[i + x] for x in range(n - 1)):
                continue
            if free is not None and not all(free(i + x) for x in range(n)):
                continue
            k = (key,) + tuple(doc.keys[i + x] for x in range(1, n))
            hit = index.get(k)
            if hit is not None:
                return hit, i + n, p
    return None


def scan(doc, index, t0, t1, free=None):
    """Left-to-right, non-overlapping longest matches in tokens [t0, t1).

    Only the tokens one of whose readings starts a phrase of ``index`` can match
    (``doc.positions``), so only those are visited; the result is the same as trying
    every token."""
    out = []
    pos, _ = doc.positions(index.first)
    a = bisect.bisect_left(pos, t0)
    b = bisect.bisect_left(pos, t1, a)
    if a == b:
        return out
    active = doc.active
    i = t0
    for c in pos[a:b]:
        if c < i:
            continue
        if not active[c] or (free is not None and not free(c)):
            continue
        m = match_at(doc, c, index, t1, free)
        if m:
            out.append((c, m[1], m[0], m[2]))
            i = m[1]
    return out
