"""Places: gazetteer alias n-grams on folded tokens, trigger words (حي، بلدة، ريف ...),
lists after a trigger ("أحياء الزبدية والإذاعة وجبل الجلبي"; "بلدات بابكة الأتارب
والسحارة"; "بلدتي نبل والزهراء"), hashtags (#جسر_الحج), and unknown names after a
trigger kept as unresolved mentions. All queries of a report go to ``gaz.resolve_all``
in one call.
"""
from __future__ import annotations

from extraction.lexicons import load

PLACE_KINDS_SPECIFIC = {"neighbourhood", "community", "landmark"}
DIRECTIONAL = {"شرقي", "شرقيه", "غربي", "غربيه", "شمالي", "شماليه", "جنوبي", "جنوبيه"}


class _GazIndex:
    """Which n-grams the gazetteer knows, cached per gazetteer and key."""

    def __init__(self, gaz):
        self.gaz = gaz
        self.max_words = max(1, int(getattr(gaz, "max_alias_words", 4) or 4))
        self.cache: dict[str, bool] = {}
        # first word -> longest alias starting with it. geo's public API has no alias listing yet,
        # so this reads the alias index when it is there and falls back to max_alias_words.
        self.first: dict[str, int] | None = None
        keys = getattr(gaz, "alias_keys", None)
        try:
            keys = keys() if callable(keys) else getattr(gaz, "_aliases", None)
            if keys:
                first: dict[str, int] = {}
                for k in keys:
                    w = k.split()
                    if w and first.get(w[0], 0) < len(w):
                        first[w[0]] = len(w)
                self.first = first
        except Exception:
            self.first = None

    def common(self, key: str) -> bool:
        f = getattr(self.gaz, "is_common_word", None)
        try:
            return bool(f(key)) if f else False
        except Exception:
            return False

    def known(self, key: str) -> bool:
        hit = self.cache.get(key)
        if hit is None:
            try:
                hit = bool(self.gaz.candidates(key))
            except Exception:
                hit = False
            self.cache[key] = hit
        return hit


_GAZ_INDEX = {}


def gaz_index(gaz):
    gi = _GAZ_INDEX.get(id(gaz))
    if gi is None or gi.gaz is not gaz:
        gi = _GAZ_INDEX[id(gaz)] = _GazIndex(gaz)
    return gi


def _free(doc, k):
    return doc.active[k] and doc.covered[k] is None


def _gaz_match(doc, gi, i, end, first_variants=True, untriggered=False):
    """Longest gazetteer alias starting at token i: (j, prefix_len, key) or None."""
    lx = load()
    variants = doc.variants(i) if first_variants else [(0, doc.keys[i])]
    for p, key in variants:
        if doc.is_num[i] or len(key) < 2:
            continue
        if key in lx.place_stop:
            continue
        if untriggered and p and doc.tokens[i][p - 1] == "ك":
            continue  # كبيرة is not ك + بيرة: the simile clitic is not read before bare names
        n_max = min(gi.max_words if gi.first is None else gi.first.get(key, 0), end - i)
        run = 1  # how many tokens from i form one unbroken, unclaimed phrase
        while run < n_max and doc.link[i + run - 1] and _free(doc, i + run):
            run += 1
        for n in range(min(n_max, run), 0, -1):
            words = [key] + doc.keys[i + 1:i + n]
            k = " ".join(words)
            if untriggered and n == 1 and (len(key) < 3 or key in lx.place_stop or _lexical(doc, i)
                                           or gi.common(key)):
                continue
            if gi.known(k):
                return i + n, p, k
    return None


def _lexical(doc, k):
    """The token is a word of one of the lexicons (a casualty verb, a number, a date word...)."""
    lx = load()
    if doc.tokens[k] in lx.numbers:
        return True
    for p, key in doc.variants(k):
        if (key in lx.casualty or key in lx.victims or key in lx.place_triggers or key in lx.weekdays
                or lx.triggers.first.get(key) or lx.vague.first.get(key) or lx.date_words.first.get(key)
                or lx.months.first.get(key) or lx.modifiers.first.get(key) or doc.tokens[k][p:] in lx.numbers):
            return True
    return False


def _is_name_word(doc, k):
    lx = load()
    key = doc.keys[k]
    return not (doc.is_num[k] or key in lx.place_stop or doc.tokens[k] in lx.place_stop
                or key in lx.casualty or key in lx.victims or key in lx.place_triggers
                or lx.triggers.first.get(key) or lx.vague.first.get(key) or len(key) < 2)


def _unknown_name(doc, k, end):
    """Extent (j) of an unknown name right after a trigger, or None."""
    lx = load()
    if k >= end or not _free(doc, k) or not _is_name_word(doc, k):
        return None
    tok = doc.tokens[k]
    j = k + 1
    if not tok.startswith("ال") and doc.keys[k] in lx.name_heads:
        # جبل الجلبي، كفر حمزة، باب النيرب
        while j < end and j - k < 3 and doc.link[j - 1] and _free(doc, j) and _is_name_word(doc, j) \
                and not doc.tokens[j].startswith("و"):
            j += 1
            if doc.tokens[j - 1].startswith("ال"):
                break
    while j < end and doc.link[j - 1] and doc.keys[j] in lx.place_adjectives:
        j += 1
    return j


class PlaceSpan:
    __slots__ = ("i", "j", "p", "key", "trigger", "trigger_i", "region", "known", "sent", "hashtag")

    def __init__(self, i, j, p, key, trigger, trigger_i, sent, known, region=False, hashtag=False):
        self.i, self.j, self.p, self.key, self.trigger, self.trigger_i = i, j, p, key, trigger, trigger_i
        self.sent, self.known, self.region, self.hashtag = sent, known, region, hashtag


def find_places(doc, gaz) -> list[PlaceSpan]:
    lx = load()
    gi = gaz_index(gaz) if gaz is not None else None
    out: list[PlaceSpan] = []
    f = doc.folded

    def claim(i, j):
        for x in range(i, j):
            doc.covered[x] = "place"

    for s in doc.sentences:
        i = s.t0
        end = s.t1
        while i < end:
            if not _free(doc, i):
                i += 1
                continue
            trig = None
            for p, key in doc.variants(i):
                if key in lx.place_triggers:
                    raw = doc.tokens[i][p:]
                    trig = (p, key, lx.place_triggers[key], raw.startswith("ال") and key != raw)
                    break
            if trig and i + 1 < end and doc.link[i]:
                p, tkey, (number, tkind, singular), has_article = trig
                j0 = i + 1
                items = []
                if tkey == "ريف" or has_article:
                    # ريف حلب الشمالي / الريف الغربي لحلب / الأحياء الشرقية: a region named with its trigger
                    m = _gaz_match(doc, gi, i, end) if gi else None
                    if m and m[0] > i + 1:
                        j, pp, key = m
                        while j < end and doc.link[j - 1] and doc.tokens[j].startswith("و") and \
                                doc.variants(j)[-1][1] in DIRECTIONAL:
                            j += 1
                        out.append(PlaceSpan(i, j, pp, key, None, None, s.i, True, region=True))
                        claim(i, j)
                        i = j
                        continue
                if tkey == "ريف" and not has_article:
                    m = _gaz_match(doc, gi, j0, end, first_variants=False) if gi else None
                    if m or _unknown_name(doc, j0, end):
                        j = m[0] if m else j0 + 1
                        key = m[2] if m else doc.keys[j0]
                        while j < end and doc.link[j - 1] and (doc.keys[j] in lx.place_adjectives or (
                                doc.tokens[j].startswith("و") and doc.variants(j)[-1][1] in DIRECTIONAL)):
                            j += 1
                        out.append(PlaceSpan(i, j, p, key, "ريف", i, s.i, bool(m), region=True))
                        claim(i, j)
                        i = j
                        continue
                if has_article:
                    if doc.keys[j0] in DIRECTIONAL and number != "singular":
                        j = j0 + 1
                        key = " ".join(doc.keys[i:j])
                        out.append(PlaceSpan(i, j, p, key, None, None, s.i, False, region=True))
                        claim(i, j)
                        i = j
                        continue
                    i += 1
                    continue
                k = j0
                while k < end:
                    m = _gaz_match(doc, gi, k, end, first_variants=(k != j0)) if gi else None
                    if m:
                        j, pp, key = m
                        items.append(PlaceSpan(k, j, pp, key, singular, i, s.i, True))
                    else:
                        if k != j0:
                            # a list continues with و + a definite word or a name head; after a dual,
                            # the second item is taken whatever it is
                            tok = doc.tokens[k]
                            if not tok.startswith("و") or len(tok) < 3:
                                break
                            rest = tok[1:]
                            if not (rest.startswith("ال") or strip(rest) in lx.name_heads or
                                    (number == "dual" and len(items) == 1)):
                                break
                        uj = _unknown_name_v(doc, k, end, strip_waw=(k != j0))
                        if uj is None:
                            break
                        key = " ".join([doc.variants(k)[1 if k != j0 and len(doc.variants(k)) > 1 else 0][1]]
                                       + doc.keys[k + 1:uj])
                        items.append(PlaceSpan(k, uj, 1 if k != j0 else 0, key, singular, i, s.i, False))
                        j = uj
                    claim(items[-1].i, items[-1].j)
                    if number == "dual" and len(items) >= 2:
                        break
                    # next list item: و-prefixed, or (after a plural) a juxtaposed known name
                    if j < end and doc.link[j - 1] and _free(doc, j):
                        tok = doc.tokens[j]
                        if tok.startswith("و") and len(tok) > 2:
                            k = j
                            continue
                        if number in ("plural", "dual") and gi and _gaz_match(doc, gi, j, end, first_variants=False):
                            k = j
                            continue
                    break
                if items:
                    out.extend(items)
                    i = items[-1].j
                    continue
                i += 1
                continue
            # hashtags and bare gazetteer names
            if gi:
                hashtag = doc.starts[i] > 0 and f[doc.starts[i] - 1] == "#"
                m = _gaz_match(doc, gi, i, end, untriggered=True)
                if m:
                    j, p, key = m
                    out.append(PlaceSpan(i, j, p, key, "#" if hashtag else None, None, s.i, True, hashtag=hashtag))
                    claim(i, j)
                    i = j
                    continue
            i += 1
    return out


def strip(word):
    return word[2:] if word.startswith("ال") and len(word) > 3 else word


def _unknown_name_v(doc, k, end, strip_waw):
    if not strip_waw:
        return _unknown_name(doc, k, end)
    # judge the word without its و
    lx = load()
    tok = doc.tokens[k][1:]
    key = strip(tok)
    if key in lx.place_stop or tok in lx.place_stop or key in lx.place_triggers or len(key) < 2 or doc.is_num[k]:
        return None
    j = k + 1
    if not tok.startswith("ال") and key in lx.name_heads:
        while j < end and j - k < 3 and doc.link[j - 1] and _free(doc, j) and _is_name_word(doc, j):
            j += 1
            if doc.tokens[j - 1].startswith("ال"):
                break
    while j < end and doc.link[j - 1] and doc.keys[j] in lx.place_adjectives:
        j += 1
    return j
