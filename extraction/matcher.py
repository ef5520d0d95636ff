"""Longest-match lookup of lexicon phrases on folded tokens (first token read with and
without its proclitics و ف ب ل ك / لل)."""
from __future__ import annotations


def match_at(doc, i, index, end, free=None):
    """(payload, j, prefix_len) for the longest phrase of ``index`` starting at token i."""
    for p, key in doc.variants(i):
        L = index.first.get(key)
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
    """Left-to-right, non-overlapping longest matches in tokens [t0, t1)."""
    out = []
    i = t0
    while i < t1:
        if not doc.active[i] or (free is not None and not free(i)):
            i += 1
            continue
        m = match_at(doc, i, index, t1, free)
        if m:
            out.append((i, m[1], m[0], m[2]))
            i = m[1]
        else:
            i += 1
    return out
