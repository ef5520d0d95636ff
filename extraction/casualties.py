"""Casualty figures: a quantity tied to a killed/injured/captured cue, with victims,
modifiers (أكثر من)، breakdowns that explain a total ("(ثلاثة أطفال وامرأتان ورجلان)",
"بينهم ثلاثة أطفال") and aggregate tolls ("ليتجاوز عدد الضحايا ... أربعين قتيلا")."""
from __future__ import annotations

import bisect

from extraction.document import token_variants
from extraction.lexicons import load, token_cache, token_sets
from extraction.numbers import find_in_sentence, Quantity
from extraction.matcher import match_at

BREAKDOWN_LEAD = {"بينهم", "منهم", "بينهن", "منهن"}
MAJORITY = {"جلهم", "اغلبهم", "معظمهم", "غالبيتهم", "اكثرهم", "جلهن", "اغلبها", "معظمها"}
CLAUSE_MARKERS = {"كما", "فيما", "بينما", "حيث", "وكما", "وفيما", "بينما", "وحيث", "وسط"}
BACK = 4
AFTER_VERB = 9


def _cue_of(tok):
    """(type, role) of a token text as a casualty cue (its first reading in casualty_terms), or None."""
    casualty = load().casualty
    for _, key in token_variants(tok):
        h = casualty.get(key)
        if h:
            return h
    return None


def _victims_of(tok):
    """The victims a token text names (civilians/combatants/unknown), or None."""
    victims = load().victims
    for _, key in token_variants(tok):
        h = victims.get(key)
        if h:
            return h[0]
    return None


def _cues(doc) -> list:
    """Per token: its (type, role) as a casualty cue, or None (once per document)."""
    return doc.per_token("cues", token_cache(load(), "cue_of"), _cue_of)


def _cue(doc, k):
    """(type, role) of token k as a casualty cue, or None."""
    cues = doc.memo.get("cues")
    return (cues if cues is not None else _cues(doc))[k]


def _victims_word(doc, k):
    """The victims token k names (civilians/combatants/unknown), or None."""
    return doc.per_token("victims", token_cache(load(), "victims_of"), _victims_of)[k]


def _is_person_cue(tok):
    c = _cue_of(tok)
    return bool(c) and c[1] in ("noun", "verb")


def find_casualties(doc, actor_spans):
    lx = load()
    actor_at = {}
    for a in actor_spans:
        for x in range(a["i"], a["j"]):
            actor_at[x] = a
    out = []
    f = doc.folded
    cues = _cues(doc)
    for s in doc.sentences:
        if s.kind != "body":
            continue
        qs = find_in_sentence(doc, s)
        out.extend(_pronoun_figures(doc, s, qs))
        out.extend(_singular_figures(doc, s, qs))
        if not qs:
            continue
        # breakdown: parenthesised list right after a figure, or بينهم/منهم + figures
        skip = set()
        for n, q in enumerate(qs):
            if q.i > s.t0 and (doc.keys[q.i - 1] in BREAKDOWN_LEAD or doc.tokens[q.i - 1] in BREAKDOWN_LEAD):
                skip.add(n)
            if n > 0 and f[doc.ends[qs[n - 1].j - 1]:doc.starts[q.i]].strip().startswith("(") and \
                    qs[n - 1].value is not None and q.value == qs[n - 1].value:
                skip.add(n)  # ثلاث وأربعين (43): the same figure twice
        # tokens inside parentheses
        paren = set()
        depth = 0
        for k in (range(s.t0, s.t1) if "(" in f[s.start:s.end] else ()):
            gap = f[doc.ends[k - 1] if k > s.t0 else doc.starts[s.t0]:doc.starts[k]]
            depth += gap.count("(") - gap.count(")")
            if depth > 0:
                paren.add(k)
        aggregate_at = [i for i, j, _, _ in _scan_aggr(doc, s)]
        figures = []
        last = None
        for n, q in enumerate(qs):
            if n and (n - 1) in skip and doc.tokens[q.i].startswith("و") and q.i - qs[n - 1].j <= 1:
                skip.add(n)  # بينهم أربعة أطفال وامرأتان: the list goes on
            if n in skip:
                if last is not None:
                    last["breakdown"].append(q)
                continue
            if q.i in paren and last is not None:
                last["breakdown"].append(q)
                continue
            types = []
            span_i, span_j = q.start_tok, q.j
            victims = q.victims
            if _counts_things(doc, q, s) or _rescued(doc, q, s):
                last = None
                continue
            # 1. counted noun right after: 15 شهيدا، أربعين قتيلا، 10 جرحى
            for k in (q.j, q.j + 1):
                if k < s.t1 and (k == q.j or doc.link[k - 1]):
                    c = cues[k]
                    if c and c[1] == "counted_noun":
                        types.append(c[0])
                        span_j = max(span_j, k + 1)
                        break
            # 2. a cue just before: مقتل سبعة، استشهد فيها العشرات، أودت بحياة 8
            prev_end = qs[n - 1].j if n else s.t0
            for k in range(q.start_tok - 1, max(prev_end, q.start_tok - BACK) - 1, -1):
                c = cues[k]
                if c and c[1] != "counted_noun" and (c[1] != "noun_weak" or k == q.start_tok - 1):
                    if c[0] not in types:
                        types.append(c[0])
                    span_i = min(span_i, k)
                    break
                if doc.tokens[k] in CLAUSE_MARKERS:
                    break
            # 3. a verb after the figure and its noun phrase: العشرات من عناصر ... قتلوا وأسروا
            if not types and _person_after(doc, q, s, actor_at):
                nxt = qs[n + 1].start_tok if n + 1 < len(qs) else s.t1
                for k in range(q.j, min(nxt, q.j + AFTER_VERB)):
                    if doc.tokens[k] in CLAUSE_MARKERS:
                        break
                    c = cues[k]
                    if c and c[1] == "verb":
                        types.append(c[0])
                        span_j = k + 1
                        # coordinated verb: قتلوا وأسروا
                        if k + 1 < s.t1 and doc.tokens[k + 1].startswith("و"):
                            c2 = cues[k + 1]
                            if c2 and c2[1] == "verb" and c2[0] not in types:
                                types.append(c2[0])
                                span_j = k + 2
                        break
            # 4. a bulletin line "حي السكري: 15 مدنيا": a count of people after the line's place
            if not types and s.tally and n == 0:
                k = _noun_after(doc, q, s)
                v = q.victims or (_victims_word(doc, k) if k is not None else None)
                if v:
                    injured = any(cues[x] and cues[x][0] == "injured" for x in range(s.t0, s.t1))
                    types.append("injured" if injured else "killed")
                    span_j = max(span_j, (k + 1) if k is not None and not q.victims else q.j)
            if not types:
                last = None
                continue
            # victims: the noun after the figure, then a majority qualifier (جلهم من النساء)
            if victims is None:
                for k in range(q.j, min(s.t1, q.j + 3)):
                    v = _victims_word(doc, k)
                    if v is None and k in actor_at:
                        v = "combatants"
                    if v:
                        victims = v
                        if v != "unknown" and k >= span_j:
                            span_j = k + 1
                        break
                    if doc.tokens[k] not in ("من",) and k > q.j:
                        break
            if victims in (None, "unknown"):
                for k in range(q.j, min(s.t1, span_j + 6)):
                    if doc.keys[k] in MAJORITY or doc.tokens[k] in MAJORITY:
                        for k2 in range(k + 1, min(s.t1, k + 5)):
                            v = _victims_word(doc, k2)
                            if v:
                                victims = v
                                break
                        break
            # "10 مدنيين على الأقل": the modifier after the figure and its noun (ACLED/UCDP: low = best = N)
            if q.modifier is None and q.value is not None:
                for k in (span_j, q.j):
                    if k + 1 < s.t1 and doc.link[k] and doc.keys[k] == "علي" and doc.keys[k + 1] == "اقل":
                        q.modifier, q.low, q.best, q.high = "at_least", q.value, q.value, None
                        span_j = max(span_j, k + 2)
                        break
            # a breakdown of civilians makes the total civilian
            aggregate = any(a < q.i for a in aggregate_at)
            fig = {"q": q, "types": types, "i": span_i, "j": span_j, "victims": victims or "unknown",
                   "aggregate": aggregate, "breakdown": [], "sent": s.i,
                   "preliminary": _preliminary(doc, span_j, s)}
            # merge "ارتقى 15 شخصا وأصيب آخرون": a different type right after the previous figure
            if figures and figures[-1]["j"] + 2 >= span_i and not (set(types) & set(figures[-1]["types"])) \
                    and figures[-1]["aggregate"] == aggregate:
                prev = figures[-1]
                prev.setdefault("more", []).append(fig)
                prev["j"] = max(prev["j"], span_j)
                last = prev
                continue
            figures.append(fig)
            last = fig
        for fig in figures:
            if fig["victims"] == "unknown" and fig["breakdown"] and all(
                    (b.victims or _victims_word(doc, b.j) if b.j < s.t1 else b.victims) == "civilians"
                    for b in fig["breakdown"]):
                fig["victims"] = "civilians"
            out.append(fig)
    return out


def _scan_aggr(doc, s):
    from extraction.matcher import scan
    return scan(doc, load().aggregate, s.t0, s.t1)


def _preliminary(doc, k, s):
    """"6 أشخاص كحصيلة أولية": a marker within a few words after the figure."""
    lx = load()
    for x in range(k, min(s.t1, k + 4)):
        if match_at(doc, x, lx.preliminary, s.t1):
            return True
    return False


def _noun_after(doc, q, s):
    """Token index of the noun a figure counts (skipping من: "3 من الأطفال"), or None."""
    k = q.j
    if k < s.t1 and doc.tokens[k] == "من":
        k += 1
    return k if k < s.t1 else None


def _counts_things(doc, q, s):
    """أكثر من 40 غارة، 10 وسائط نقل، 3 أشهر، المادة 25: the figure counts things, not people."""
    lx = load()
    if q.victims:
        return False
    k = _noun_after(doc, q, s)
    # "20 بحي الميسر": a noun behind a preposition clitic (ب، ل) is not what the figure counts
    if k is not None and not _cue(doc, k) and any(key in lx.counted_things for p, key in doc.var[k]
                                                   if p == 0 or doc.tokens[k][:p] in ("و", "ف")):
        return True
    # المادة 25، المواد 27 و31: a legal article number
    b = q.start_tok - 1
    return b >= s.t0 and doc.keys[b] in lx.counted_things and doc.keys[b] in ("ماده", "مواد")


def _rescued(doc, q, s):
    """"تمكنت الفرق من إنقاذ ثلاثة أطفال"، "انتشال 3 على قيد الحياة": the living are not a toll."""
    lx = load()
    for k in range(q.j, min(s.t1, q.j + 5)):
        if _cue(doc, k) and _cue(doc, k)[1] != "counted_noun":
            break
        if match_at(doc, k, lx.rescue, s.t1):
            return True
    for k in range(q.start_tok - 1, max(s.t0, q.start_tok - 3) - 1, -1):
        if _cue(doc, k):
            break
        if match_at(doc, k, lx.rescue, s.t1):
            return True
    return False


def _person_after(doc, q, s, actor_at):
    """A verb after a figure makes a toll only when the figure counts people
    ("العشرات من عناصر المليشيات قتلوا"), not "عدة أحياء ... أودت"."""
    if q.victims:
        return True
    for k in range(q.j, min(s.t1, q.j + 3)):
        if doc.tokens[k] == "من":
            continue
        return bool(_victims_word(doc, k)) or k in actor_at or bool(_cue(doc, k))
    return False


def _singular_figures(doc, s, qs):
    """"مقتل جندي تركي"، "استشهاد طفل"، "إصابة امرأة": a casualty cue (noun or verb) right before an
    indefinite singular victim noun (victim_words.csv count 1, no article) is one person."""
    lx = load()
    out = []
    taken = set()
    for q in qs:
        taken.update(range(q.start_tok, q.j))
    cues = _cues(doc)
    pos = doc.where("person_cues", token_sets(lx, "person_cue"), _is_person_cue)  # only there can one start
    for k in pos[bisect.bisect_left(pos, s.t0):bisect.bisect_left(pos, s.t1 - 1)]:
        if not doc.link[k] or (k + 1) in taken or not doc.active[k + 1]:
            continue
        c = cues[k]
        if not c or c[1] not in ("noun", "verb"):
            continue
        tok = doc.tokens[k + 1]
        hit = lx.victims.get(tok)
        if not hit or hit[1] != 1 or tok.startswith("ال"):
            continue
        nxt = doc.tokens[k + 2] if k + 2 < s.t1 and doc.link[k + 1] else ""
        if nxt in lx.numbers:
            continue  # "مقتل مدني واحد" is read as a figure elsewhere; keep one reading
        q = Quantity(k + 1, k + 2, 1, 1, 1, 1, victims=hit[0])
        out.append({"q": q, "types": [c[0]], "i": k, "j": k + 2, "victims": hit[0],
                    "aggregate": False, "breakdown": [], "sent": s.i, "preliminary": False})
    return out


PRONOUN_SUFFIXES = ("ها", "ه")


def _pronoun_figures(doc, s, qs):
    """"أدى لاستشهاده"، "أعلنت مقتلها": a casualty noun with a singular pronoun is one person."""
    lx = load()
    out = []
    near = set()
    for q in qs:
        near.update(range(q.start_tok - 3, q.j + 3))
    pos = doc.where("pronoun_nouns", token_sets(lx, "pronoun_noun"), lambda t: bool(_pronoun_noun(lx, t)))
    tokens, active, cues = doc.tokens, doc.active, _cues(doc)
    for k in pos[bisect.bisect_left(pos, s.t0):bisect.bisect_left(pos, s.t1)]:
        ty = _pronoun_noun(lx, tokens[k])
        if not ty or k in near or not active[k] or cues[k]:
            continue
        q = Quantity(k, k + 1, 1, 1, 1, 1)
        out.append({"q": q, "types": [ty], "i": k, "j": k + 1, "victims": "unknown",
                    "aggregate": False, "breakdown": [], "sent": s.i})
    return out


def _pronoun_noun(lx, tok):
    """The casualty type of a noun with a singular pronoun suffix (استشهاده، مقتلها), or None."""
    for suf in PRONOUN_SUFFIXES:
        if not tok.endswith(suf) or len(tok) - len(suf) < 4:
            continue
        base = tok[:-len(suf)]
        hit = None
        for p in range(0, 3):
            if p and base[p - 1] not in "وفبل":
                break
            hit = lx.casualty.get(base[p:])
            if hit:
                break
        if hit and hit[1] == "noun":
            return hit[0]
    return None
