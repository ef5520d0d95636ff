"""Casualty figures: a quantity tied to a killed/injured/captured cue, with victims,
modifiers (أكثر من)، breakdowns that explain a total ("(ثلاثة أطفال وامرأتان ورجلان)",
"بينهم ثلاثة أطفال") and aggregate tolls ("ليتجاوز عدد الضحايا ... أربعين قتيلا")."""
from __future__ import annotations

import bisect

from extraction.document import token_variants
from extraction.lexicons import load, token_cache, token_sets
from extraction.numbers import find_in_sentence, Quantity, ORDINALS
from extraction.matcher import match_at

BREAKDOWN_LEAD = {"بينهم", "منهم", "بينهن", "منهن", "بينن", "بيناتهم", "بينهما", "منهما"}
MAJORITY = {"جلهم", "اغلبهم", "معظمهم", "غالبيتهم", "اكثرهم", "جلهن", "اغلبها", "معظمها"}
CLAUSE_MARKERS = {"كما", "فيما", "بينما", "حيث", "وكما", "وفيما", "بينما", "وحيث", "وسط"}
BACK = 4
AFTER_VERB = 9


def _spellings(key):
    """A word key and its colloquial spellings' standard forms (0.4.0): a verb written without
    its final alef (قتلو، استشهدو = قتلوا، استشهدوا), a plural without its final hamza (شهدا = شهداء)."""
    yield key
    if len(key) > 3:
        if key[-1] == "و":
            yield key + "ا"
        elif key[-1] == "ا":
            yield key + "ء"


def _first_entry(tok, table):
    """The entry of ``table`` for the first of a token's readings (and their spellings) it has."""
    for _, key in token_variants(tok):
        for k2 in _spellings(key):
            h = table.get(k2)
            if h:
                return h
    return None


def _cue_of(tok):
    """(type, role) of a token text as a casualty cue (its first reading in casualty_terms), or None."""
    return _first_entry(tok, load().casualty)


def _victims_of(tok):
    """The victims a token text names (civilians/combatants/unknown), or None."""
    h = _first_entry(tok, load().victims)
    return h[0] if h else None


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
    covered = doc.covered
    named = doc.where("named_leads", token_sets(lx, "named_lead"), _is_named_lead)
    for s in doc.sentences:
        if s.kind != "body":
            continue
        qs = find_in_sentence(doc, s)
        sent_out = _pronoun_figures(doc, s, qs) + _singular_figures(doc, s, qs)
        eaten = [t for g in sent_out for t in g.pop("eat", ())]
        if eaten:
            qs = [q for q in qs if q.start_tok not in eaten]
        if named:
            sent_out.extend(_named_figures(doc, s, qs))
        if not qs:
            if sent_out:
                out.extend(_negated_out(doc, s, sent_out, actor_at))
            continue
        # breakdown: parenthesised list right after a figure, or بينهم/منهم + figures
        skip = set()
        for n, q in enumerate(qs):
            if q.i > s.t0 and (doc.keys[q.i - 1] in BREAKDOWN_LEAD or doc.tokens[q.i - 1] in BREAKDOWN_LEAD):
                skip.add(n)
            elif n and _breakdown_lead_before(doc, q, qs[n - 1].j, cues):
                skip.add(n)  # 0.4.0: "بينهم طبيب وثلاثة من الكادر": the lead a few words back
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
        absorbed = set()  # quantities summed into the figure before them (ثلاثة أطفال وامرأتان)
        for n, q in enumerate(qs):
            if n in absorbed:
                continue
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
            # 1b. 0.4.0: the figure is itself a counted noun in the dual (يوقع شهيدين، سقوط قتيلين)
            if not types and q.victims and q.j - q.i <= 2:
                c = cues[q.i]
                if c and c[1] == "counted_noun":
                    types.append(c[0])
            counted = bool(types)
            # 2. a cue just before: مقتل سبعة، استشهد فيها العشرات، أودت بحياة 8. 0.4.0: the words of
            # an actor or a date between the verb and its object do not count ("أعدم تنظيم داعش صباح
            # اليوم رجلين")
            prev_end = qs[n - 1].j if n else s.t0
            budget = BACK
            k = q.start_tok - 1
            while k >= prev_end and budget > 0:
                c = cues[k]
                if c and c[1] != "counted_noun" and (c[1] not in WEAK_ROLES or k == q.start_tok - 1):
                    if c[1] in WEAK_ROLES and counted:
                        break  # "سقوط عدد من الجرحى": the noun after says what fell
                    if c[0] not in types:
                        types.append(c[0])
                    span_i = min(span_i, k)
                    break
                if doc.tokens[k] in CLAUSE_MARKERS:
                    break
                if k not in actor_at and covered[k] != "date":
                    budget -= 1
                k -= 1
            # 2b. 0.4.0: a running total "ارتفع عدد القتلى جراء القصف إلى 23"
            total = None
            if not types and aggregate_at:
                total = _total_of(doc, q, s, prev_end, cues)
                if total:
                    types.append(total[0])
            # 3. a verb after the figure and its noun phrase: العشرات من عناصر ... قتلوا وأسروا
            if not types and _person_after(doc, q, s, actor_at):
                nxt = qs[n + 1].start_tok if n + 1 < len(qs) else s.t1
                for k in range(q.j, min(nxt, q.j + AFTER_VERB)):
                    if doc.tokens[k] in CLAUSE_MARKERS:
                        break
                    c = cues[k]
                    if c and c[1] in ("verb", "verb_weak"):
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
                    injured = any(cues[x] and cues[x][0] == "injured" for x in range(q.j, min(s.t1, q.j + 4)))
                    types.append("injured" if injured else "killed")
                    span_j = max(span_j, (k + 1) if k is not None and not q.victims else q.j)
            # 5. 0.4.0: a toll laid out place by place, "قتل 3 في الشعار و5 في الصاخور": a figure
            # joined by و to the one before, with a place between them and no cue of its own
            if not types and figures and last is figures[-1] and _distributive(doc, q, last, s, cues):
                types.append(last["types"][0])
                victims = victims or (last["victims"] if last["victims"] != "unknown" else None)
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
            # 0.4.0: victims counted by nouns joined to the figure: "ثلاثة أطفال وامرأة" = 4,
            # "خمسة رجال وامرأتان" = 7 (a breakdown after بينهم is never added)
            if victims and victims != "unknown" or q.victims:
                span_j, victims = _coordinated(doc, q, qs, n, s, span_j, victims, absorbed, cues)
            # 0.4.0: "متطوعَين من فريقنا ... ومدنيٍّ ثالث": the next ordinal further on adds one
            span_j = _far_ordinal(doc, q, qs, n, s, span_j)
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
            if total and total[1]:
                # 0.6.0: "قتل 5 مدنيين في حي الشعار، ليرتفع العدد إلى 12": the running total of the
                # toll just told; the final figure wins, the partial one is no toll of its own
                same = [g for g in figures if g["types"][0] == types[0] and not g["aggregate"]]
                if len(same) == 1 and same[0]["q"].value is not None and q.value is not None \
                        and same[0]["q"].value < q.value:
                    figures.remove(same[0])
                    fig["aggregate"] = False
            figures.append(fig)
            last = fig
        for fig in figures:
            if fig["victims"] == "unknown" and fig["breakdown"] and all(
                    (b.victims or _victims_word(doc, b.j) if b.j < s.t1 else b.victims) == "civilians"
                    for b in fig["breakdown"]):
                fig["victims"] = "civilians"
            sent_out.append(fig)
        out.extend(_negated_out(doc, s, sent_out, actor_at))
    return out


WEAK_ROLES = ("noun_weak", "verb_weak")
TOTAL_HEADS = {"عدد", "حصيله", "اجمالي", "مجموع"}
PERIOD_WORDS = {"خلال", "منذ", "اليوم", "يوم", "اسبوع", "شهر", "عام", "حمله", "بدء"}
REACH_VERBS = {"بلغ", "بلغت", "يبلغ", "تبلغ", "ليبلغ", "لتبلغ", "وصل", "وصلت", "يصل", "تصل", "ليصل", "لتصل",
               "تجاوز", "تجاوزت", "يتجاوز", "ليتجاوز", "لتتجاوز", "فاق", "فاقت"}


def _breakdown_lead_before(doc, q, lo, cues):
    """بينهم/منهم up to four words before a figure, with no cue between (the figure is part of a
    breakdown: "بينهم طبيب وثلاثة من الكادر الطبي")."""
    for k in range(q.start_tok - 1, max(lo, q.start_tok - 5) - 1, -1):
        if doc.keys[k] in BREAKDOWN_LEAD or doc.tokens[k] in BREAKDOWN_LEAD:
            return True
        c = cues[k]
        if (c and c[1] != "counted_noun") or doc.tokens[k] in CLAUSE_MARKERS:
            return False
    return False


def _total_of(doc, q, s, lo, cues):
    """"ارتفع عدد القتلى (جراء ...) إلى 23"، "ارتفعت حصيلة الضحايا إلى 23": the type of a running
    total whose noun stands before إلى, up to 15 words back in the sentence."""
    b = q.start_tok - 1
    if b < s.t0:
        return None
    to = doc.keys[b] in ("الي", "لي") or doc.tokens[b] == "ل"  # 0.6.0: "ارتفع ... ل 9" (dialect)
    # 0.6.0: the noun may stand far before إلى ("ارتفع عدد القتلى في مدينة حلب خلال الأيام الثلاثة
    # الأخيرة إلى نحو مئة"): the words between may hold other numbers; without إلى, "بلغ عدد القتلى
    # ... نحو 900 شخص" reads the first figure after a verb of reaching + عدد
    for k in range(b - 1 if to else b, max(s.t0, b - 15) - 1, -1):
        if doc.keys[k] in TOTAL_HEADS or any(key in TOTAL_HEADS for _, key in doc.var[k]):
            if not to and not (k > s.t0 and lo <= k and any(key in REACH_VERBS for _, key in doc.var[k - 1])):
                return None
            # the same toll told again (no place, no period of its own between the noun and the figure)
            own = to and not any(doc.covered[x] == "place" or doc.keys[x] in PERIOD_WORDS for x in range(k + 1, b))
            for x in range(k + 1, min(b, k + 3)):
                c = cues[x]
                if c and c[1] == "counted_noun":
                    return c[0], own
                if _victims_word(doc, x):
                    for y in range(x + 1, min(b, x + 4)):
                        c = cues[y]
                        if c and c[1] in ("verb", "noun"):
                            return c[0], own
            if to and doc.tokens[k].startswith(("ال", "وال")) and (k + 1 == b or doc.keys[k + 1] in ("الي", "لي")):
                # "ليرتفع العدد إلى 12": the number of the toll told before it in the sentence
                for x in range(k - 1, s.t0 - 1, -1):
                    c = cues[x]
                    if c and c[1] != "noun_weak" and c[1] != "verb_weak":
                        return c[0], True
            return None
        if not to and (doc.is_num[k] or k < lo):
            return None
    return None


def _distributive(doc, q, last, s, cues):
    """"استشهد 3 مدنيين في الشعار و5 في الصاخور": q is joined by و (or a comma) to the figure
    before, a place stands between them, and nothing else is counted."""
    pq = last["q"]
    lo = max(last["j"], pq.j)
    # 0.6.0: the words of a date between do not count ("قتل 14 في X في الثالث من الشهر، و9 في Y")
    if q.start_tok <= lo:
        return False
    lo_n = lo + 1 if _victims_word(doc, lo) else lo  # the first figure's noun ("14 شخصاً") is its own
    if q.start_tok - lo_n - sum(doc.covered[x] == "date" for x in range(lo_n, q.start_tok)) \
            - (doc.tokens[q.start_tok - 1] == "و") > 7:
        return False
    t = doc.tokens[q.start_tok]
    joined = t.startswith("و") or doc.tokens[q.start_tok - 1] == "و" or \
        "،" in doc.folded[doc.ends[q.start_tok - 1]:doc.starts[q.start_tok]]
    if not joined:
        return False
    if any(cues[k] for k in range(lo, q.start_tok)):
        return False
    k = _noun_after(doc, q, s)
    if not any(doc.covered[x] == "place" for x in range(lo, q.start_tok)):
        # "مقتل 5 مدنيين و3 عناصر": other people right after (civilians, then fighters)
        v = q.victims or (_victims_word(doc, k) if k is not None else None)
        return q.start_tok - lo <= 1 and v not in (None, "unknown") and v != last["victims"] \
            and last["victims"] != "unknown"
    if q.victims or k is None:
        return True
    # a bare figure, then a place ("و5 في الصاخور") or a victim noun ("و5 مدنيين في الصاخور")
    return bool(_victims_word(doc, k)) or doc.tokens[k] == "في" or doc.covered[k] == "place"


def _coordinated(doc, q, qs, n, s, span_j, victims, absorbed, cues):
    """Nouns joined by و to a figure's noun count more of the same people: "ثلاثة أطفال وامرأة"
    (+1, an indefinite singular), "طفلين وامرأتين" (+2, a dual, read as a quantity), "5 رجال و3
    نساء" (+3). Returns (span end, victims). Exact figures only; q is changed in place."""
    if q.value is None or q.best is None or q.low != q.best:
        return span_j, victims
    lx = load()
    e = span_j
    total = q.value
    vic = victims
    nxt = n + 1
    while s.t0 < e < s.t1 and doc.link[e - 1]:
        tok = doc.tokens[e]
        if tok == "و" or tok.startswith("و"):
            if nxt < len(qs) and (qs[nxt].start_tok == e or (tok == "و" and qs[nxt].start_tok == e + 1)) \
                    and qs[nxt].modifier is None:
                # (0.5.0: "امرأتان وأصيب سبعة": a word between the و and the count ends the list)
                q2 = qs[nxt]
                if q2.value is None:
                    break
                v2 = q2.victims
                j2 = q2.j
                if v2 is None and j2 < s.t1 and doc.link[j2 - 1] and not cues[j2]:
                    v2 = _victims_word(doc, j2)
                    j2 += 1
                if v2 is None or cues[q2.i] or (v2 != vic and "unknown" not in (v2, vic)):
                    break  # civilians and fighters side by side are two figures, not one
                total += q2.value
                vic = vic if v2 == vic else "unknown"
                absorbed.add(nxt)
                nxt += 1
                e = j2
                continue
            rest = tok[1:]
            hit = lx.victims.get(rest)
            if hit and hit[1] in (1, 2) and not rest.startswith("ال") and not cues[e]:
                total += hit[1]
                vic = vic if hit[0] == vic else "unknown"
                e += 1
                continue
        break
    if total != q.value:
        q.value = q.low = q.best = q.high = total
        return e, vic
    return span_j, victims


def _far_ordinal(doc, q, qs, n, s, span_j):
    """"أدى لاستشهاد متطوعَين من فريقنا أثناء عملهما ...، ومدنيٍّ ثالث": a victim noun joined by و
    with the next ordinal, up to 14 words on in the sentence and before the next figure."""
    if q.value is None or q.best is None or q.low != q.best or q.value > 9:
        return span_j
    end = min(s.t1 - 1, span_j + 14, qs[n + 1].start_tok if n + 1 < len(qs) else s.t1)
    for k in range(span_j, end):
        tok = doc.tokens[k]
        if not tok.startswith("و") or len(tok) < 3 or not doc.link[k]:
            continue
        rest = tok[1:]
        if load().victims.get(rest[2:] if rest.startswith("ال") else rest) is None:
            continue
        o = ORDINALS.get(doc.keys[k + 1]) or ORDINALS.get(doc.tokens[k + 1])
        if o == q.value + 1:
            q.value = q.low = q.best = q.high = o
            return k + 2
    return span_j


def _negated_out(doc, s, figs, actor_at):
    """0.4.0: figures whose cue is negated or denied are no tolls: "نفى مقتل 5 عناصر"، "لم يسفر
    عن سقوط 3 قتلى" (negation_cues.csv: `near` up to three words before the figure's first word,
    `deny` up to six, actor words not counted; إلا/سوى between keep the figure)."""
    if not figs:
        return figs
    neg = load().negation
    keep = []
    f = doc.folded
    for fig in figs:
        if any(doc.keys[x] in EXCEPT for x in range(fig["i"], fig["q"].i)):
            keep.append(fig)  # "لم يقتل في الغارة إلا 3": only, not none
            continue
        k = fig["i"] - 1
        steps = 0
        hit = False
        while k >= s.t0 and steps < 6:
            tok = doc.tokens[k]
            if tok in CLAUSE_MARKERS or doc.keys[k] in EXCEPT or "،" in f[doc.ends[k]:doc.starts[k + 1]]:
                break
            kind = neg.get(tok) or next((neg.get(key) for _, key in doc.var[k] if neg.get(key)), None)
            if kind == "deny" or (kind == "near" and steps < 5):
                hit = True
                break
            if k not in actor_at:
                steps += 1
            k -= 1
        if not hit:
            keep.append(fig)
    return keep


EXCEPT = {"الا", "سوي", "إلا"}
YEAR_WORDS = {"عام", "سنه", "لعام", "العام", "بعام", "منذ"}


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
    b = q.start_tok - 1
    # 0.4.0: "عام 2016"، "سنة 2015": a year, not a count
    if b >= s.t0 and q.value is not None and 1900 <= q.value <= 2100 and doc.keys[b] in YEAR_WORDS:
        return True
    # 0.4.0: a phone number or a code (7+ digits, or a leading zero) counts nothing
    if doc.is_num[q.i] and q.j == q.i + 1 and (len(doc.tokens[q.i]) >= 7 or doc.tokens[q.i][:1] == "0"):
        return True
    # المادة 25، المواد 27 و31: a legal article number
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
        if doc.tokens[k] == "من" or doc.keys[k] in TOTAL_HEADS:
            continue  # 0.4.0: "يرتفع إلى 212 عدد المدنيين الذين قتلوا"
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
        # 0.4.0: "مقتل رجل وزوجته"، "استشهاد طفل وامرأة": more singulars joined by و
        e, count, vic = k + 2, 1, hit[0]
        eat = []
        while e < s.t1 and doc.link[e - 1] and doc.tokens[e].startswith("و"):
            h2 = lx.victims.get(doc.tokens[e][1:])
            if not h2 or h2[1] not in (1, 2) or doc.tokens[e][1:].startswith("ال") or cues[e]:
                break
            if e in taken:
                # 0.5.0: "قتل رجل وطفلاه": a dual read as a figure of its own joins this one
                q2 = next((q for q in qs if q.start_tok == e and q.j == e + 1), None)
                if q2 is None or h2[1] != 2:
                    break
                eat.append(e)
            count += h2[1]
            vic = vic if h2[0] == vic else "unknown"
            e += 1
        q = Quantity(k + 1, e, count, count, count, count, victims=vic)
        out.append({"q": q, "types": [c[0]], "i": k, "j": e, "victims": vic,
                    "aggregate": False, "breakdown": [], "sent": s.i, "preliminary": False, "eat": eat})
    # 0.5.0: "شهيد واحد"، "قتيل واحد" (a counted noun, then واحد): one person
    for q in qs:
        k = q.start_tok
        if k <= s.t0 or q.j - k != 1 or q.value != 1 or not doc.link[k - 1] or q.modifier is not None:
            continue
        c = cues[k - 1]
        if not c or c[1] != "counted_noun" or doc.keys[k] not in ("واحد", "واحده"):
            continue
        q1 = Quantity(k - 1, q.j, 1, 1, 1, 1, victims="unknown")
        out.append({"q": q1, "types": [c[0]], "i": k - 1, "j": q.j, "victims": "unknown",
                    "aggregate": False, "breakdown": [], "sent": s.i, "preliminary": False, "eat": [k]})
    return out


NAMED_LEADS = {"ضحايا", "شهداء", "قتلي", "ضحيتان", "ضحيتين"}
NAMED_PRONOUNS = {"هم": None, "وهم": None, "هما": 2, "وهما": 2, "هن": None, "وهن": None}


def _named_figures(doc, s, qs):
    """0.4.0: the dead counted by naming them: "انتشال الضحايا وهم محمود الحلو وزوجته" = 2,
    "الشهداء هم: أحمد ...، محمد ...، وخالد ..." = 3; "وهما" is two. One item for the first name,
    one more for each name after a comma and for each و + a word of kin (وزوجته، وابنه); the list
    ends at a و-word that is neither, a figure, a cue or the sentence's end. Two or more only."""
    lx = load()
    out = []
    pos = doc.where("named_leads", token_sets(lx, "named_lead"), _is_named_lead)
    for k in pos[bisect.bisect_left(pos, s.t0):bisect.bisect_left(pos, s.t1 - 2)]:
        if not doc.link[k]:
            continue
        c = _cue(doc, k)
        if not c or c[1] != "counted_noun":
            continue
        pr = doc.tokens[k + 1]
        if pr not in NAMED_PRONOUNS:
            continue
        first = k + 2
        if doc.keys[first] in ("من", "في", "علي") or _victims_word(doc, first) or _cue(doc, first) \
                or doc.is_num[first]:
            continue  # "وهم من المدنيين", "وهم أطفال": no names
        count = NAMED_PRONOUNS[pr]
        e = first + 1
        if count is None:
            items = 1
            kin = False
            while e < s.t1 and e - first < 20:
                tok = doc.tokens[e]
                gap = doc.folded[doc.ends[e - 1]:doc.starts[e]]
                if doc.is_num[e] or _cue(doc, e) or tok in CLAUSE_MARKERS:
                    break
                if tok.startswith("و") and len(tok) > 2:
                    hit = lx.victims.get(tok[1:])
                    if (hit and hit[1] == 1 and tok[1:] in KIN) or "،" in gap or "," in gap:
                        kin = kin or tok[1:] in KIN
                        items += 1
                        e += 1
                        continue
                    break
                if "،" in gap or "," in gap:
                    items += 1
                e += 1
            count = items
        else:
            kin = False
            e = min(s.t1, first + 1)
        if count < 2:
            continue
        q = Quantity(k, e, count, count, count, count)
        out.append({"q": q, "types": [c[0]], "i": k, "j": e, "victims": "civilians" if kin else "unknown",
                    "aggregate": False, "breakdown": [], "sent": s.i, "preliminary": False})
    return out


def _is_named_lead(tok):
    """الضحايا، والشهداء، القتلى: a definite casualty noun that may head a list of names."""
    return any(key in NAMED_LEADS and tok[p:].startswith("ال") for p, key in token_variants(tok))


KIN = {"زوجته", "زوجها", "ابنه", "ابنها", "ابنته", "ابنتها", "والده", "والدته", "والدها", "والدتها",
       "شقيقه", "شقيقها", "شقيقته", "شقيقتها", "اخيه", "اخوه", "اخته", "اخاه", "امه", "ابيه", "طفله",
       "طفلها", "طفلته", "طفلتها", "حفيده", "حفيدته", "زوجتيه", "ابنيه", "ابنتيه"}


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
