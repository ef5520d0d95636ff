"""Longest-match lookup of lexicon phrases on folded tokens (first token read with and
without its proclitics و ف ب ل ك / لل)."""
from __future__ import annotations

import bisect


def match_at(doc, i, index, end, free=None):
    """(payload, j, prefix_len) for the longest phrase of ``index`` starting at token i.

    A phrase of n words needs tokens i..i+n-1 linked (spaces only between them) and free, so
    the linked run after i is measured once, only as far as the longest phrase asked for."""
    if free is not None and not free(i):
        return None
    first = index.first
    link = doc.link
    run = 1  # tokens i..i+run-1 are linked and free
    for p, key in doc.var[i]:
        L = first.get(key)
        if not L:
            continue
        top = min(L, end - i)
        while run < top and link[i + run - 1] and (free is None or free(i + run)):
            run += 1
        get = index.entries.get
        keys = doc.keys
        for n in range(min(top, run), 0, -1):
            hit = get((key,) + tuple(keys[i + 1:i + n]) if n > 1 else (key,))
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
