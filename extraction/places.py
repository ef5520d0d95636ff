"""Places: gazetteer alias n-grams on folded tokens, trigger words (حي، بلدة، ريف ...),
lists after a trigger ("أحياء الزبدية والإذاعة وجبل الجلبي"; "بلدات بابكة الأتارب
والسحارة"; "بلدتي نبل والزهراء"), hashtags (#جسر_الحج), and unknown names after a
trigger kept as unresolved mentions. All queries of a report go to ``gaz.resolve_all``
in one call.
"""
from __future__ import annotations

import bisect
import weakref

from arabic.normalize import fold

from extraction.lexicons import load

PLACE_KINDS_SPECIFIC = {"neighbourhood", "community", "landmark"}
DIRECTIONAL = {"شرقي", "شرقيه", "غربي", "غربيه", "شمالي", "شماليه", "جنوبي", "جنوبيه"}


class _GazIndex:
    """Which n-grams the gazetteer knows, cached per gazetteer and key."""

    def __init__(self, gaz):
        try:        # no strong reference: the index must not keep a layered gazetteer alive
            self._ref = weakref.ref(gaz)
        except TypeError:
            self._ref = lambda g=gaz: g
        self.max_words = max(1, int(getattr(gaz, "max_alias_words", 4) or 4))
        self.cache: dict[str, bool] = {}
        # first word -> longest alias starting with it (geo's public Gazetteer.alias_keys()).
        self.first: dict[str, int] | None = None
        base = getattr(gaz, "base", None)
        layer_keys = getattr(gaz, "layer_keys", None)
        try:
            if base is not None and callable(layer_keys):
                # a gazetteer with the analyst's layer: the base's index plus the layer's keys
                first = gaz_index(base).first
                if first is not None:
                    self.first = _first_words(layer_keys(), dict(first))
                    return
            keys = getattr(gaz, "alias_keys", None)
            keys = keys() if callable(keys) else None
            if keys:
                self.first = _first_words(keys, {})
        except Exception:
            self.first = None

    @property
    def gaz(self):
        return self._ref()

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


def _first_words(keys, first: dict[str, int]) -> dict[str, int]:
    for k in keys:
        w = k.split()
        if w and first.get(w[0], 0) < len(w):
            first[w[0]] = len(w)
    return first


# One index per gazetteer object, dropped with it (a store may make a layered gazetteer per run).
_GAZ_INDEX = weakref.WeakKeyDictionary()
_GAZ_INDEX_STRONG = {}   # objects that take no weak reference


def gaz_index(gaz):
    try:
        gi = _GAZ_INDEX.get(gaz)
        if gi is None:
            gi = _GAZ_INDEX[gaz] = _GazIndex(gaz)
        return gi
    except TypeError:
        gi = _GAZ_INDEX_STRONG.get(id(gaz))
        if gi is None or gi.gaz is not gaz:
            if len(_GAZ_INDEX_STRONG) > 16:
                _GAZ_INDEX_STRONG.clear()
            gi = _GAZ_INDEX_STRONG[id(gaz)] = _GazIndex(gaz)
        return gi


def _free(doc, k):
    return doc.active[k] and doc.covered[k] is None


def _gaz_match(doc, gi, i, end, first_variants=True, untriggered=False, allow_common=False):
    """Longest gazetteer alias starting at token i: (j, prefix_len, key) or None."""
    lx = load()
    variants = doc.var[i] if first_variants else [(0, doc.keys[i])]
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
            if not gi.known(k):  # (a cached look-up: first, before the word tests below)
                continue
            if untriggered and n == 1 and (len(key) < 3 or key in lx.place_stop or _lexical(doc, i)
                                           or (gi.common(key) and not allow_common)
                                           or _needs_trigger(doc, i, key)):
                continue
            return i + n, p, k
    return None


PRONOUN_ENDINGS = ("ها", "هم", "هما", "كم", "هن")


def _needs_trigger(doc, k, key):
    """A bare one-word name that is more likely an ordinary word needs a trigger (حي، بلدة...):
    a frequent non-place word (common_words.csv: الشريط، المزرعة، المنكوبة، شعبي), an adverb in -يا
    (ميدانيا، عسكريا) or a tanween alif, or a word with a pronoun suffix (سيطرتها، تحركهم)."""
    lx = load()
    tok = doc.tokens[k]
    if key in lx.common_words or tok in lx.common_words:
        return True
    if len(key) >= 5 and key.endswith("يا") and key not in lx.place_names_ya:
        return True
    if len(key) >= 5 and any(key.endswith(e) for e in PRONOUN_ENDINGS) and key not in lx.place_names_ya:
        return True
    a, b = doc.tok_span(k, k + 1)
    return b < len(doc.text) + 1 and "\u064b" in doc.text[max(a, b - 2):b + 1]  # tanween fath: ميدانياً


def _lexical(doc, k):
    """The token is a word of one of the lexicons (a casualty verb, a number, a date word...)."""
    lx = load()
    if doc.tokens[k] in lx.numbers:
        return True
    for p, key in doc.var[k]:
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
    if not tok.startswith("ال") and any(key in lx.place_triggers for _, key in doc.var[k]):
        return None  # 0.5.0: "بلدات وقرى ريف حلب": a second trigger is no name
    if not tok.startswith("ال") and (doc.keys[k] in lx.common_words or tok in lx.common_words) \
            and doc.keys[k] not in lx.name_heads:
        return None  # 0.5.0: "سوق شعبي": an indefinite ordinary word describes, it does not name
    return _name_end(doc, k, end, tok, doc.keys[k], stop_at_waw=True)


def _name_end(doc, k, end, tok, key, stop_at_waw):
    """End (j) of a name whose first word is token k (``tok``, ``key``: that word as judged):
    after a name head (جبل الجلبي، كفر حمزة، باب النيرب) up to two more linked name words, the
    first with the article ending it; then any place adjectives. ``stop_at_waw``: a word
    starting with و is not part of it."""
    lx = load()
    j = k + 1
    if not tok.startswith("ال") and key in lx.name_heads:
        while j < end and j - k < 3 and doc.link[j - 1] and _free(doc, j) and _is_name_word(doc, j) \
                and not (stop_at_waw and doc.tokens[j].startswith("و")):
            j += 1
            if doc.tokens[j - 1].startswith("ال"):
                break
    while j < end and doc.link[j - 1] and doc.keys[j] in lx.place_adjectives:
        j += 1
    return j


class PlaceSpan:
    __slots__ = ("i", "j", "p", "key", "trigger", "trigger_i", "region", "known", "sent", "hashtag", "weak")

    def __init__(self, i, j, p, key, trigger, trigger_i, sent, known, region=False, hashtag=False):
        self.i, self.j, self.p, self.key, self.trigger, self.trigger_i = i, j, p, key, trigger, trigger_i
        self.sent, self.known, self.region, self.hashtag = sent, known, region, hashtag
        self.weak = False


# Words before a bare name that say "a place follows" (في حلب، على عندان، قرب الأتارب).
PLACE_PREPOSITIONS = {"في", "على", "علي", "الى", "إلى", "من", "قرب", "نحو", "باتجاه", "اتجاه", "عند", "حول",
                      "داخل", "شمال", "جنوب", "شرق", "غرب", "شمالي", "جنوبي", "شرقي", "غربي", "محيط", "بمحيط",
                      "أطراف", "اطراف", "بين", "عن", "مدخل", "ضواحي", "وفي", "وعلى", "وقرب"}
PLACE_PREPOSITIONS = {fold(w) for w in PLACE_PREPOSITIONS}
# verbs whose subject is usually the place that suffered: "تعرضت عندان لقصف"، "شهدت الأتارب"
LOCATIVE_VERBS = {fold(w) for w in ("تعرضت", "تعرض", "شهدت", "شهد", "تشهد", "يشهد", "استهدفت", "استهدف",
                                    "قصفت", "قصف", "تعرضت")}
LIST_SEPARATORS = set(" \t\n\u00a0,،;؛-–/#:\"'“”«»")
PLACE_LEADS = {fold(w) for w in ("مركز", "مراكز", "مشفى", "مستشفى", "سوق", "مدخل", "معبر", "حاجز")}  # مركز حيان: named after a place
# triggers naming a facility (a building, not a locality): an unknown name after one is kept whole
FACILITY_TRIGGERS = {fold(w) for w in ("مشفى", "مستشفى", "مشفي", "كلية", "مدرسة", "جامعة", "مسجد", "جامع",
                                        "مستوصف", "سجن", "طريق", "نهر")}
# 0.5.0: a prison, a road or a river named after a place is not that place: "سجن حلب المركزي",
# "طريق الراموسة", "نهر قويق" are kept whole and unresolved unless geo knows the whole name
# (طريق الكاستيلو); a road only when a known place names it ("عن طريق التهريب" is "by way of")
NOT_THE_PLACE_TRIGGERS = {fold(w) for w in ("سجن", "طريق", "نهر")}
NEEDS_KNOWN_NAME = {fold(w) for w in ("طريق",)}
# 0.5.0: triggers that name a base or a housing project by a number: "الفوج 46"، "مشروع 3000 شقة"
NUMBERED_TRIGGERS = {fold(w) for w in ("فوج", "مشروع")}
# 0.5.0: a kunya is a person: "أبو بكر الأنصاري"، "أبو محمد الأتاربي" name no place
KUNYA = {fold(w) for w in ("أبو", "ابو", "أبي", "ابي", "أم", "ام")}
FACILITY_MAX_WORDS = 5
MIN_BARE_LETTERS = 6  # a bare one-word name this long needs no other evidence


def _facility_name(doc, k, end):
    """End of a facility's name starting at token k: linked words up to a preposition, a و, a
    place trigger, a number or punctuation (at most FACILITY_MAX_WORDS)."""
    lx = load()
    j = k + 1
    while j < end and j - k < FACILITY_MAX_WORDS and doc.link[j - 1] and _free(doc, j):
        tok, key = doc.tokens[j], doc.keys[j]
        if (tok.startswith("و") and tok not in ("وليد",)) or tok in PLACE_PREPOSITIONS or key in PLACE_PREPOSITIONS \
                or doc.is_num[j] or key in lx.place_triggers or tok in lx.place_stop or _lexical(doc, j) \
                or doc.covered[j] is not None:
            break
        j += 1
    return j


def _gap(doc, a, b):
    """Folded text between tokens a and b (a < b)."""
    return doc.folded[doc.ends[a]:doc.starts[b]]


def _hashtag_start(doc, i):
    """First token of the #hashtag token i is in (words joined by _), or None."""
    k = i
    while k > 0 and _gap(doc, k - 1, k) == "_":
        k -= 1
    st = doc.starts[k]
    return k if st > 0 and doc.folded[st - 1] == "#" else None


def _bare_evidence(doc, ps, p):
    """A one-word name with no trigger counts as a place only with some evidence: a hashtag,
    a preposition before it (a separate word, or a clitic ب/ل on a name of five letters or more),
    a long name, or (decided later) a neighbour in a list of places."""
    if ps.hashtag or ps.j - ps.i > 1:
        return True
    key = ps.key
    if len(key.replace(" ", "")) >= MIN_BARE_LETTERS:
        return True
    if p and doc.tokens[ps.i][p - 1] in "بل" and len(key) >= 5:
        return True
    k = ps.i - 1
    if k >= 0 and doc.link[k] and (doc.tokens[k] in PLACE_PREPOSITIONS or doc.keys[k] in PLACE_PREPOSITIONS
                                   or any(v in LOCATIVE_VERBS for _, v in doc.var[k])
                                   or any(v in PLACE_LEADS for _, v in doc.var[k])):
        return True
    # the object of an attack: "قصفت عندان"، "أغارت الطائرات السورية عندان"
    if k >= 0 and doc.link[k] and (doc.covered[k] == "actor" or any(
            load().triggers.first.get(v) for _, v in doc.var[k])):
        return True
    # a dateline: the name opens its line and a dash, a colon or a date follows ("حلب - مجزرة ...")
    line_start = doc.starts[ps.i] == 0 or doc.folded.rfind("\n", 0, doc.starts[ps.i]) >= 0 and \
        not doc.folded[doc.folded.rfind("\n", 0, doc.starts[ps.i]) + 1:doc.starts[ps.i]].strip(" #\t")
    if line_start and ps.j < len(doc.tokens):
        gap = _gap(doc, ps.j - 1, ps.j)
        if "\n" not in gap and ("-" in gap or ":" in gap or "–" in gap or "—" in gap
                                 or doc.covered[ps.j] == "date"):
            return True
        if "\n" not in gap and "(" in gap and doc.sentences and doc.sentences[doc.sent_of[ps.i]].tally:
            return True  # a bulletin line: "بستان القصر (3 قتلى)"
    return False


def find_places(doc, gaz) -> list[PlaceSpan]:
    lx = load()
    gi = gaz_index(gaz) if gaz is not None else None
    out: list[PlaceSpan] = []
    f = doc.folded

    def claim(i, j):
        for x in range(i, j):
            doc.covered[x] = "place"

    # tokens a reading of which is a trigger word / can start a gazetteer alias: only there can a
    # trigger or a bare name start (a set look-up instead of the readings of every token)
    _, trig_at = doc.positions(lx.place_triggers)
    gaz_at = doc.positions(gi.first)[1] if gi is not None and gi.first is not None else None
    # a token that is neither can only be stepped over
    if gi is None:
        may = trig_at
    elif gaz_at is None:
        may = None
    else:
        may = trig_at | gaz_at

    # the candidate tokens in order (None: every token)
    order = sorted(may) if may is not None else None
    for s in doc.sentences:
        i = s.t0
        end = s.t1
        c = bisect.bisect_left(order, i) if order is not None else 0
        while i < end:
            if order is not None:
                # step over the tokens that can start nothing, straight to the next candidate
                while c < len(order) and order[c] < i:
                    c += 1
                if c == len(order) or order[c] >= end:
                    break
                i = order[c]
            if not _free(doc, i):
                i += 1
                continue
            if i > 0 and _gap(doc, i - 1, i) == "_":
                h = _hashtag_start(doc, i)
                if h is not None and doc.covered[h] in ("actor", "org"):
                    i += 1  # the rest of an organisation's hashtag is its name, not a place
                    continue
            trig = None
            for p, key in (doc.var[i] if i in trig_at else ()):
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
                        if j < end and doc.link[j - 1] and doc.keys[j] in DIRECTIONAL and \
                                doc.keys[j - 1] in DIRECTIONAL and key.startswith("ريف "):
                            # ريف حلب الشمالي الشرقي: a compound direction is the wider region (ريف حلب),
                            # never cut to its first half
                            j += 1
                            key = " ".join(key.split()[:-1])
                        while j < end and doc.link[j - 1] and doc.tokens[j].startswith("و") and \
                                doc.var[j][-1][1] in DIRECTIONAL:
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
                                doc.tokens[j].startswith("و") and doc.var[j][-1][1] in DIRECTIONAL)):
                            j += 1
                        out.append(PlaceSpan(i, j, p, key, "ريف", i, s.i, bool(m), region=True))
                        claim(i, j)
                        i = j
                        continue
                if tkey in NUMBERED_TRIGGERS and doc.is_num[j0] and _free(doc, j0):
                    # "الفوج 46"، "مشروع 3000 شقة": a numbered base or housing project, kept whole
                    j = j0 + 1
                    if j < end and doc.link[j - 1] and _free(doc, j) and doc.keys[j] in ("شقه", "مسكن"):
                        j += 1
                    out.append(PlaceSpan(i, j, p, " ".join(doc.keys[i:j]), singular, i, s.i, False))
                    claim(i, j)
                    i = j
                    continue
                if number == "singular" and gi and tkey not in FACILITY_TRIGGERS:
                    # "ضاحية الأسد": geo knows the name with its trigger (a hand-kept place): take it whole
                    m = _gaz_match(doc, gi, i, end)
                    if m and m[0] > j0 + (0 if has_article else 0) and " " in m[2] and \
                            m[2].split(" ")[0] in (tkey, singular):
                        out.append(PlaceSpan(i, m[0], p, m[2], None, None, s.i, True))
                        claim(i, m[0])
                        i = m[0]
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
                if tkey in FACILITY_TRIGGERS and number == "singular":
                    # a facility: the gazetteer's name for the whole (كلية المدفعية، مطار منغ), else the
                    # name kept whole and unresolved (مشفى القدس is not Jerusalem, مستشفى دار الشفاء not "دار")
                    m = _gaz_match(doc, gi, i, end) if gi else None
                    m0 = None if m and m[0] > j0 else (_gaz_match(doc, gi, j0, end, first_variants=False)
                                                      if gi else None)
                    if tkey in NEEDS_KNOWN_NAME and (not (m and m[0] > j0) and not m0 or (
                            i > 0 and doc.keys[i - 1] in ("عن", "بطريق"))):
                        i += 1
                        continue
                    if m and m[0] > j0:
                        out.append(PlaceSpan(i, m[0], p, m[2], singular, i, s.i, True))
                    elif m0 and tkey in NOT_THE_PLACE_TRIGGERS:
                        uj = m0[0]
                        while uj < end and doc.link[uj - 1] and _free(doc, uj) and (
                                doc.keys[uj] in lx.place_adjectives or doc.tokens[uj].startswith("ال")
                                and doc.tokens[uj].endswith("ي") and len(doc.tokens[uj]) > 4):
                            uj += 1  # سجن حلب المركزي، الطريق الدولي: an adjective stays in the name
                        out.append(PlaceSpan(i, uj, p, " ".join(doc.keys[i:uj]), singular, i, s.i, False))
                    elif m0:
                        # مشفى الصاخور: named after a place geo knows; the pipeline keeps the whole
                        # facility name when geo does not place it (مشفى القدس)
                        out.append(PlaceSpan(j0, m0[0], m0[1], m0[2], singular, i, s.i, True))
                    else:
                        if tkey in NOT_THE_PLACE_TRIGGERS:
                            uj = _unknown_name(doc, j0, end)  # نهر قويق: one name and its adjectives
                        else:
                            uj = _facility_name(doc, j0, end) if _is_name_word(doc, j0) and _free(doc, j0) else None
                        if uj is None:
                            i += 1
                            continue
                        out.append(PlaceSpan(i, uj, p, " ".join(doc.keys[i:uj]), singular, i, s.i, False))
                    claim(i, out[-1].j)
                    i = out[-1].j
                    continue
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
                        key = " ".join([doc.var[k][1 if k != j0 and len(doc.var[k]) > 1 else 0][1]]
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
            if gi and (gaz_at is None or i in gaz_at):
                if (i > 0 and doc.link[i - 1] and doc.keys[i - 1] in KUNYA) or (
                        i > 1 and doc.link[i - 1] and doc.link[i - 2] and doc.keys[i - 2] in KUNYA
                        and not doc.tokens[i - 1].startswith("ال")):
                    i += 1  # 0.5.0: "أبو بكر الأنصاري": part of a person's kunya, not a place
                    continue
                hashtag = doc.starts[i] > 0 and f[doc.starts[i] - 1] == "#"
                m = _gaz_match(doc, gi, i, end, untriggered=True, allow_common=True)
                if m:
                    j, p, key = m
                    ps = PlaceSpan(i, j, p, key, "#" if hashtag else None, None, s.i, True, hashtag=hashtag)
                    # a common word (المشهد، المعادي) needs a list of places around it, even as a hashtag;
                    # geo then decides whether the neighbours are close enough on the ground
                    # a bulletin line's head ("الشعار – 7 شهداء") is a place even when the word is common
                    tally_head = s.tally and i == s.t0
                    ps.weak = (j - i == 1 and gi.common(key) and not tally_head) or not _bare_evidence(doc, ps, p)
                    out.append(ps)
                    claim(i, j)
                    i = j
                    continue
            i += 1
    return _keep_listed(doc, out)


def _keep_listed(doc, spans):
    """Weak bare names stay only when listed beside another place ("القاطرجي -الميسر-بعيدين"),
    directly or through a chain of listed names ("#المعادي، #المغاير، #الجزماتي")."""
    if not any(ps.weak for ps in spans):
        return spans

    def listed(a, b):
        if a.sent != b.sent:
            return False
        if b.i < a.i:
            a, b = b, a
        gap = _gap(doc, a.j - 1, b.i)
        waw = doc.tokens[b.i].startswith("و") and b.p
        return b.i == a.j and ((set(gap) <= LIST_SEPARATORS and gap.strip(" ")) or waw)

    kept = [not ps.weak for ps in spans]
    changed = True
    while changed:
        changed = False
        for n, ps in enumerate(spans):
            if kept[n]:
                continue
            for m in (n - 1, n + 1):
                if 0 <= m < len(spans) and kept[m] and listed(spans[m], ps):
                    kept[n] = changed = True
                    break
    out = []
    for n, ps in enumerate(spans):
        if kept[n]:
            out.append(ps)
        else:
            for x in range(ps.i, ps.j):
                doc.covered[x] = None
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
    return _name_end(doc, k, end, tok, key, stop_at_waw=False)
