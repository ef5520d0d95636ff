"""Quantities: digits (Western/Arabic-Indic, folded to ASCII), number words including
compounds (خمسة عشر، ثلاث وأربعين، مئة ألف، مئتا ألف), duals (امرأتان = 2) and vague
quantities (العشرات = 10..99) with the modifiers in front (أكثر من N -> low N+1).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from extraction.document import token_variants
from extraction.lexicons import load, token_sets

# modifier verbs that may stand several words before their figure (ليتجاوز عدد الضحايا ... أربعين)
DISTANT_MORE_THAN = {"يتجاوز", "ليتجاوز", "تجاوز", "لتتجاوز", "تتجاوز", "يفوق", "ليفوق", "تخطي", "ليتخطي",
                     "تجاوزت", "يتخطي"}
# ordinals that add one more victim after a figure: "رجلين اثنين ومدني ثالث" = 3
ORDINALS = {"ثان": 2, "ثاني": 2, "ثانيه": 2, "ثالث": 3, "ثالثه": 3, "رابع": 4, "رابعه": 4, "خامس": 5,
            "خامسه": 5, "سادس": 6, "سادسه": 6, "سابع": 7, "سابعه": 7, "ثامن": 8, "ثامنه": 8, "تاسع": 9,
            "تاسعه": 9, "عاشر": 10, "عاشره": 10}
# a unit word confirming a dual right after it: "رجلين اثنين"، "مدنيين اثنين"
DUAL_CONFIRM = {"اثنين", "اثنان", "اثنتين", "اثنتان"}
_DUAL_RE = re.compile("\u064e[\u0651\u0652]?\u064a\u0652?\u0646(?![\u0621-\u064a])")


@dataclass
class Quantity:
    i: int                 # first token of the figure itself
    j: int                 # one past its last token
    value: int | None      # exact figure as written (None for vague)
    low: int | None
    best: int | None
    high: int | None
    vague: bool = False
    modifier: str | None = None
    mi: int | None = None  # first token of the modifier, when one is in front
    victims: str | None = None  # set when the figure is a dual noun (امرأتان)

    @property
    def start_tok(self):
        return self.mi if self.mi is not None else self.i

    def as_range(self):
        return {"low": self.low, "best": self.best, "high": self.high}


def _word_number(doc, k, first):
    """(value, kind) of token k as a number word, or None."""
    lx = load()
    tok = doc.tokens[k]
    if first:
        for p, key in doc.var[k]:
            raw = tok[p:]
            hit = lx.numbers.get(raw)
            if hit:
                return hit, p
            if raw.startswith("ال") and len(raw) > 4:
                hit = lx.numbers.get(raw[2:])  # الاربعين، الخمسة
                if hit and hit[1] != "teen_unit":
                    return hit, p
        return None
    hit = lx.numbers.get(tok)
    return (hit, 0) if hit else None


def _parse_words(doc, i, end):
    first = _word_number(doc, i, True)
    if first is None:
        return None
    (val, kind), _p = first
    seq = [(val, kind)]
    k = i + 1
    while k < end and doc.link[k - 1]:
        tok = doc.tokens[k]
        prev_kind = seq[-1][1]
        nxt = None
        if tok.startswith("و") and len(tok) > 2:
            hit = load().numbers.get(tok[1:])
            if hit and hit[1] not in ("teen_unit",):
                nxt = hit
        if nxt is None:
            hit = load().numbers.get(tok)
            if hit:
                v2, k2 = hit
                if k2 == "ten" and prev_kind in ("unit", "teen_unit"):
                    nxt = hit
                elif k2 == "thousand" and prev_kind != "thousand":
                    nxt = hit
                elif k2 == "hundred" and prev_kind == "unit":
                    nxt = hit
        if nxt is None:
            break
        seq.append(nxt)
        k += 1
    if len(seq) == 1 and seq[0][1] == "teen_unit":
        return None
    total, cur = 0, 0
    for idx, (v, kind) in enumerate(seq):
        if kind == "thousand":
            cur = max(cur, 1) * v
            total += cur
            cur = 0
        elif kind == "hundred" and 1 <= cur <= 9 and idx > 0 and seq[idx - 1][1] == "unit":
            cur *= 100
        else:
            cur += v
    return total + cur, k


def parse_at(doc, i, end):
    """A Quantity starting exactly at token i (not counting modifiers), or None."""
    lx = load()
    tok = doc.tokens[i]
    if doc.is_num[i]:
        try:
            v = int(tok.replace(",", ""))
        except ValueError:
            return None
        j = i + 1
        if j < end and doc.link[i]:
            hit = lx.numbers.get(doc.tokens[j])
            if hit and hit[1] == "thousand":
                v *= hit[0]
                j += 1
        return Quantity(i, j, v, v, v, v)
    # vague: العشرات / عشرات / عدد من / آخرون
    for p, key in doc.var[i]:
        n = lx.vague.first.get(key)
        if not n:
            continue
        for L in range(min(n, end - i), 0, -1):
            if L > 1 and not all(doc.link[i + x] for x in range(L - 1)):
                continue
            k = (key,) + tuple(doc.keys[i + x] for x in range(1, L))
            hit = lx.vague.get(k)
            if hit:
                low, high = hit
                return Quantity(i, i + L, None, low, None, high, vague=True)
    # duals: امرأتان، رجلان، طفلين
    for p, key in doc.var[i]:
        hit = lx.victims.get(key)
        if hit and ((hit[1] or 0) >= 2 or (key.endswith("ين") and _fatha_dual(doc, i))):
            j = i + 1
            if j < end and doc.link[i] and doc.tokens[j] in DUAL_CONFIRM:
                j += 1  # رجلين اثنين
            return Quantity(i, j, 2, 2, 2, 2, victims=hit[0])
    w = _parse_words(doc, i, end)
    if w:
        v, j = w
        return Quantity(i, j, v, v, v, v)
    return None


def _fatha_dual(doc, i):
    """متطوعَين، مسعفَين: an oblique plural spelled with a fatha before its ya is a dual (the
    folded text has lost the vowel, so the text as given is read)."""
    a, b = doc.tok_span(i, i + 1)
    return bool(_DUAL_RE.search(doc.text, a, b + 3))


def extend_ordinal(doc, q, end):
    """"رجلين اثنين ومدني ثالث": a victim noun with the next ordinal adds one to the figure."""
    k = q.j
    if q.value is None or k + 1 >= end or not doc.link[k] or not doc.tokens[k].startswith("و"):
        return
    lx = load()
    tok = doc.tokens[k][1:]
    if lx.victims.get(tok) is None and lx.victims.get(tok[2:] if tok.startswith("ال") else tok) is None:
        return
    o = ORDINALS.get(doc.keys[k + 1]) or ORDINALS.get(doc.tokens[k + 1])
    if o == q.value + 1:
        q.j = k + 2
        q.value = q.low = q.best = q.high = o


def _apply_modifier(q: Quantity, effect: str):
    q.modifier = effect
    if q.vague:
        if effect == "more_than" and q.low is not None:
            q.high = None
        return
    v = q.value
    if effect == "more_than":
        q.low, q.best, q.high = v + 1, None, None
    elif effect == "at_least":
        q.low, q.best, q.high = v, v, None
    elif effect == "about":
        q.low, q.best, q.high = None, v, None
    elif effect == "less_than":
        q.low, q.best, q.high = None, None, v - 1
    elif effect == "up_to":
        q.low, q.best, q.high = None, None, v


def _may_start(lx, tok, vs) -> bool:
    if tok[0].isdigit() or any(lx.vague.first.get(key) for _, key in vs):
        return True
    for p, key in vs:
        hit = lx.victims.get(key)
        if hit and ((hit[1] or 0) >= 2 or key.endswith("ين")):
            return True
        raw = tok[p:]
        if raw in lx.numbers or raw[:2] == "ال" and raw[2:] in lx.numbers:
            return True
    return False


def start_positions(doc) -> list[int]:
    """The tokens that can start a quantity at all (a digit, a vague quantity's first word, a dual
    noun, a number word with or without its proclitics), sorted. A cheap test, cached per token
    text and worked out once per document, so ``parse_at`` runs only where it may find something."""
    lx = load()
    return doc.where("quantity_starts", token_sets(lx, "may_start"),
                     lambda tok: _may_start(lx, tok, token_variants(tok)))


def find_in_sentence(doc, sent) -> list[Quantity]:
    """All quantities of one sentence, left to right, with their modifiers."""
    lx = load()
    out: list[Quantity] = []
    i, end = sent.t0, sent.t1
    starts = start_positions(doc)
    active, covered = doc.active, doc.covered
    for c in starts[bisect.bisect_left(starts, i):bisect.bisect_left(starts, end)]:
        if c < i:
            continue  # inside the quantity found before
        i = c
        if not active[i] or covered[i] == "date":
            continue
        q = parse_at(doc, i, end)
        if q is None:
            continue
        # modifier right in front (أكثر من، نحو، ما لا يقل عن)
        for L in (4, 3, 2, 1):
            a = q.i - L
            if a < sent.t0 or not all(doc.link[a + x] for x in range(L)):
                continue
            keys = tuple(doc.var[a][-1][1] if x == 0 else doc.keys[a + x] for x in range(L))
            eff = lx.modifiers.get(keys) or lx.modifiers.get(tuple(doc.keys[a + x] for x in range(L)))
            if eff:
                _apply_modifier(q, eff)
                q.mi = a
                break
        if q.modifier is None:
            # a verb of exceeding up to 12 words before, with no other figure between
            lo = max(sent.t0, q.i - 20, out[-1].j if out else sent.t0)
            for b in range(q.i - 1, lo - 1, -1):
                if doc.tokens[b] in ("كما", "فيما", "بينما"):
                    break
                if doc.tokens[b] in DISTANT_MORE_THAN or doc.keys[b] in DISTANT_MORE_THAN:
                    _apply_modifier(q, "more_than")
                    break
        extend_ordinal(doc, q, end)
        out.append(q)
        i = q.j
    return out
