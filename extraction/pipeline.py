"""The pipeline: Document -> dates -> actors -> places (resolved jointly) -> casualties
-> events -> the contract dict (extraction/schema.json)."""
from __future__ import annotations

import datetime as _dt
import hashlib
import re

from arabic.normalize import fold, name_key
from geo.regions import haversine_km

from extraction.document import Document
from extraction.lexicons import load, token_sets
from extraction.matcher import scan
from extraction.dates import find_dates
from extraction.actors import find_actors
from extraction.places import find_places, FACILITY_TRIGGERS, _facility_name
from extraction.casualties import find_casualties, CLAUSE_MARKERS

GENERAL_KINDS = {"region", "governorate", "district", "sub-district", "area"}
WEAPON_TYPE = {"air": "Air/drone strike", "cluster": "Air/drone strike", "incendiary": "Air/drone strike",
               "surface": "Shelling/artillery/missile attack", "chemical": "Chemical weapon",
               "ied": "Remote explosive/landmine/IED"}
NONSTATE_SIDES = {"opposition", "jihadist", "kurdish", "isis"}
_WS = re.compile(r"\s+")

_GAZ = {"loaded": False, "gaz": None}


def default_gazetteer():
    """The project gazetteer (geo.load_gazetteer), or None while it is missing."""
    if not _GAZ["loaded"]:
        _GAZ["loaded"] = True
        try:
            from geo import load_gazetteer
            _GAZ["gaz"] = load_gazetteer()
        except Exception:  # geo not built yet: places after triggers still come out, unresolved
            _GAZ["gaz"] = None
    return _GAZ["gaz"]


def norm_published(published):
    if published in (None, ""):
        return None
    if isinstance(published, _dt.datetime):
        return published.date()
    if isinstance(published, _dt.date):
        return published
    return _dt.date.fromisoformat(str(published).strip()[:10])


def report_id_for(text: str, folded: str | None = None) -> str:
    """SHA-1 (16 hex) of the folded, whitespace-collapsed text; ``folded``: ``fold(text)``
    when the caller has it already (the Document's folded text is exactly that)."""
    # " ".join(str.split()) == _WS.sub(" ", ...).strip(): the same whitespace, one C pass
    norm = " ".join((fold(text) if folded is None else folded).split())
    return hashlib.sha1(norm.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _r(x):
    return {"low": x[0], "best": x[1], "high": x[2]} if x else None


def _sum_ranges(ranges):
    ranges = [r for r in ranges if r]
    if not ranges:
        return None
    lows = [r["low"] if r["low"] is not None else r["best"] for r in ranges]
    low = sum(lows) if all(v is not None for v in lows) else None
    best = sum(r["best"] for r in ranges) if all(r["best"] is not None for r in ranges) else None
    high = sum(r["high"] for r in ranges) if all(r["high"] is not None for r in ranges) else None
    return {"low": low, "best": best, "high": high}


def extract(text, published=None, title=None, report_id=None, path=None, gazetteer="default"):
    if text is None:
        text = ""
    pub = norm_published(published)
    gaz = default_gazetteer() if gazetteer == "default" else gazetteer
    lx = load()
    doc = Document(text)
    rid = report_id or report_id_for(text, doc.folded)
    if title is None:
        t = next((s for s in doc.sentences if s.kind == "title"), None)
        if t is not None:
            a, b = doc.orig_span(t.start, t.end)
            title = text[a:b]
    mentions = []

    def span_text(fa, fb):
        a, b = doc.orig_span(fa, fb)
        return a, b, text[a:b]

    # ---- organisations that are neither parties nor places (مركز حلب الإعلامي، قناة روسيا اليوم)
    org_at = doc.positions(lx.organisations.first)[0]  # only sentences with such a word can name one
    for si in sorted({doc.sent_of[k] for k in org_at}) if doc.sentences else ():
        s_ = doc.sentences[si]
        for oi, oj, _kind, _p in scan(doc, lx.organisations, s_.t0, s_.t1):
            for x in range(oi, oj):
                doc.covered[x] = "org"

    # ---- dates
    dates = find_dates(doc, pub)
    for d in dates:
        a, b, t = span_text(d.fstart, d.fend)
        m = {"kind": "date", "start": a, "end": b, "text": t, "date": d.date.isoformat() if d.date else None,
             "precision": d.precision, "relative": d.relative, "basis": d.basis}
        if d.weekday_ok is not None:
            m["weekday_ok"] = d.weekday_ok
        mentions.append(m)

    # ---- actors
    actors = find_actors(doc)
    for ac in actors:
        a, b, t = span_text(ac["fstart"], ac["fend"])
        fac = ac["faction"]
        mentions.append({"kind": "actor", "start": a, "end": b, "text": t, "actor_id": fac.id,
                         "name_en": fac.name_en, "side": fac.side, "actor_type": fac.actor_type,
                         "inter_code": fac.inter_code})

    # ---- places, resolved together
    pspans = find_places(doc, gaz)
    place_out = []
    if pspans:
        queries = []
        for ps in pspans:
            fa = doc.starts[ps.i] + ps.p
            a, b, t = span_text(fa, doc.ends[ps.j - 1])
            queries.append((ps, a, b, t))
        resolutions = [None] * len(queries)
        if gaz is not None:
            from geo import MentionQuery
            qs = [MentionQuery(surface=t, key=ps.key if ps.trigger != "ريف" else ps.key, trigger=ps.trigger,
                               start=a, end=b) for ps, a, b, t in queries]
            try:
                resolutions = list(gaz.resolve_all(qs))
            except Exception as exc:  # never lose the report for a resolver failure
                resolutions = [None] * len(queries)
        for (ps, a, b, t), res in zip(queries, resolutions):
            if (ps.trigger in (None, "#") and not ps.region and gaz is not None
                    and getattr(res, "place", None) is None):
                continue  # a bare name geo will not place is a word, not a place to review
            m = {"kind": "place", "start": a, "end": b, "text": t, "key": ps.key, "trigger": ps.trigger}
            m.pop("adm4_pcode", None)
            place = getattr(res, "place", None) if res is not None else None
            if place is not None and ps.trigger == "ريف" and place.kind in ("community", "neighbourhood"):
                place = None  # 0.5.0: "ريف إدلب": the countryside of a town is an area, not the town's point
            if place is not None:
                m.update({"resolved": True, "place_id": place.id, "pcode": place.pcode, "name_ar": place.name_ar,
                          "name_en": place.name_en, "place_kind": place.kind, "lat": place.lat, "lon": place.lon,
                          "geo_precision": place.geo_precision})
                m["_adm4"] = getattr(place, "adm4_pcode", None)
                if place.kind in ("community", "neighbourhood") and (
                        fold(ps.trigger or "") in AIRPORT_TRIGGERS or ps.key.split(" ")[0] in AIRPORT_TRIGGERS):
                    m["geo_precision"] = max(2, place.geo_precision or 1)  # مطار كويرس: the airbase by its town
            else:
                if ps.trigger_i is not None and ps.i > ps.trigger_i and ps.trigger and \
                        fold(ps.trigger) in FACILITY_TRIGGERS:
                    # an unplaced facility keeps its whole name: "مشفى القدس", not "القدس"
                    fj = max(ps.j, _facility_name(doc, ps.i, doc.sentences[ps.sent].t1))
                    tp = next((pp for pp, key in doc.var[ps.trigger_i] if key in FACILITY_TRIGGERS), 0)
                    a, b, t = span_text(doc.starts[ps.trigger_i] + tp, doc.ends[fj - 1])
                    m.update({"start": a, "end": b, "text": t})
                m.update({"resolved": False, "place_id": None, "pcode": None, "name_ar": t, "name_en": None,
                          "place_kind": "region" if ps.region else None, "lat": None, "lon": None,
                          "geo_precision": None})
            if res is not None and getattr(res, "reason", None):
                m["reason"] = res.reason
            m["candidates"] = candidate_list(res)
            m["_ps"] = ps
            place_out.append(m)
        mentions.extend(place_out)

    # ---- casualties
    figs = find_casualties(doc, actors)

    # date for a token position: in the sentence before it, else after it, else carried over
    sent_dates = {}
    for d in dates:
        if d.pub or d.future:
            continue  # a video's or a report's publication date (0.6.0: a birthday, a date to come) dates no event
        if _since(doc, lx, d):
            continue  # 0.4.0: "منذ الجمعة 22 نيسان": the start of a period dates no figure
        sent_dates.setdefault(doc.sent_of[d.i] if doc.tokens else 0, []).append(d)
    carried = {}
    cur = None
    title_date = None
    for s in doc.sentences:
        ds = [d for d in sent_dates.get(s.i, []) if d.date]
        carried[s.i] = cur
        if ds and (s.kind == "body" or (cur is not None or title_date is not None) and _date_line(doc, s, ds)
                   or s.kind != "title" and _dateline(doc, s, ds)):
            # a body date, or a date heading line ("06-12-2016" over a post) after an earlier one:
            # it dates the lines under it until the next date line
            cur = ds[-1]
        elif ds and title_date is None:
            title_date = ds[0]

    def date_for(tok_i):
        si = doc.sent_of[tok_i]
        ds = [d for d in sent_dates.get(si, []) if d.date and not d.coord]
        before = [d for d in ds if d.i <= tok_i]
        if before:
            after = [d for d in ds if d.i > tok_i]
            if after and _comma_between(doc, before[-1].j - 1, tok_i) and not _comma_between(doc, tok_i, after[0].i):
                # "قتل 5 يوم الأحد الماضي في X، وأصيب 3 الخميس الماضي في Y": the date of its own phrase
                return after[0], "sentence"
            return before[-1], "sentence"
        if ds:
            return ds[0], "sentence"
        if carried.get(si):
            return carried[si], "context"
        if title_date:
            return title_date, "title"
        return None, "published" if pub else "none"

    def date_fields(tok_i):
        d, basis = date_for(tok_i)
        if d is not None:
            if d.precision in ("month", "year"):
                # a period ("between July and December 2016") is no event date: say so, invent no day
                return None, d.precision, basis
            return d.date.isoformat(), d.precision, basis
        if pub:
            return pub.isoformat(), "day", "published"
        return None, None, "none"

    # clause ids: sentences cut at كما / فيما / حيث ...
    clause = _clause_ids(doc)

    places_by_sent = {}
    for m in place_out:
        m["_facility"] = _is_facility(doc, m["_ps"])
        places_by_sent.setdefault(m["_ps"].sent, []).append(m)
    para_sents = {}
    block_lines = {}  # 0.7.0: the body and caption lines of a block ("02-06-2015 | #الشعار" over its post)
    for s in doc.sentences:
        if s.kind == "body":
            para_sents.setdefault(s.block, []).append(s.i)
        if s.kind in ("body", "caption"):
            block_lines.setdefault(s.block, []).append(s.i)
    blocks_order = sorted(block_lines)
    title_s = next((s for s in doc.sentences if s.kind == "title"), None)
    body_chars = sum(s.end - s.start for s in doc.sentences if s.kind == "body")

    # 0.4.0: a line's head ("حلب - صلاح الدين: ..."، "- حي السكري: 15 ..."): the places before a colon
    # or dash within the line's first eight words name where the line's events happened
    head_of = {}
    first_of_line = {}

    def line_head(s):
        if s.para in head_of:
            return head_of[s.para]
        head = []
        if not first_of_line:
            for x in doc.sentences:
                first_of_line.setdefault(x.para, x)
        first = first_of_line.get(s.para, s)
        t0 = first.t0
        lim = min(first.t1, t0 + 8)
        cut = None
        for k in range(t0 + 1, lim + 1):
            gap = doc.folded[doc.ends[k - 1]:doc.starts[k]] if k < len(doc.tokens) else ""
            if ":" in gap or "–" in gap or "—" in gap:
                cut = k
                break
            if any(ch in gap for ch in ".،؛\n") or doc.is_num[k - 1]:
                break
        if cut is not None:
            head = [m for m in places_by_sent.get(first.i, []) if m["_ps"].j <= cut and not m["_facility"]
                    and not _is_general(m)]
            head = [m for m in head if m.get("resolved")]
        head_of[s.para] = (head, cut)
        return head_of[s.para]

    def _battle_place(s, i):
        """0.7.0: a toll of "the battles" (وقد أسفرت المعارك عن مقتل العشرات) with no place in its paragraph
        is the toll of the fighting told in the paragraph before: that paragraph's one place, or the city
        when its places are in one city (ضاحية الأسد، الحمدانية، منيان → Aleppo), or its region; places in
        several towns with no region give no place ({} → None). A toll paragraph right after such a toll
        ("وقد ارتقى من مجاهدينا 12 شهيداً") shares it. None: the rule does not apply."""
        x = blocks_order.index(s.block) if s.block in blocks_order else -1
        anaphor = _has_anaphor(doc, s.t0, i)
        kind = ANAPHOR_KINDS.get(anaphor)
        if kind:
            # "استجابت فرق مركز الشعار لاستهداف الحي": the centre's own quarter
            own = [m for m in places_by_sent.get(s.i, []) if m["_ps"].j <= i and m.get("place_kind") == kind]
            if own:
                return own[-1]
        passed = 0
        while x > 0 and passed < 2:
            x -= 1
            b = blocks_order[x]
            lines = block_lines[b]
            cand = [m for k in lines for m in places_by_sent.get(k, []) if not m["_facility"]]
            if not cand:
                if not any(f["sent"] in lines for f in figs):
                    return None
                anaphor = anaphor or any(_has_anaphor(doc, doc.sentences[k].t0, doc.sentences[k].t1) for k in lines)
                passed += 1
                continue
            if not anaphor:
                return None
            return _spread_place(cand, gaz, text, anaphor) or {}
        return None

    s_of = doc.sentences

    transfer_cache = {}

    def has_transfer(sent):
        if sent not in transfer_cache:
            s = s_of[sent]
            transfer_cache[sent] = any(k in TRANSFER_VERBS for k in doc.keys[s.t0:s.t1])
        return transfer_cache[sent]

    def place_for(i, j, sent, nxt=None):
        ps = [m for m in places_by_sent.get(sent, []) if not m["_facility"]]
        if ps and has_transfer(sent):
            ps = [m for m in ps if not _transferred(doc, m["_ps"], s_of[sent].t0)]
        cl = clause[i]
        after = [m for m in ps if m["_ps"].i >= j and clause[m["_ps"].i] == cl and (nxt is None or m["_ps"].i < nxt)]
        before = [m for m in ps if m["_ps"].j <= i and clause[m["_ps"].i] == cl]
        if after:
            # 0.7.0: "... مقتل 50، وبثت صوراً قالت إنها ... في كلجبرين" / "، بحسب ناشطين من مدينة الباب":
            # a place inside a new statement or a source's description after the toll is not the toll's
            cut = _source_cut(doc, j, after[-1]["_ps"].i)
            if cut is not None:
                after = [m for m in after if m["_ps"].i < cut or _comma_between(doc, cut, m["_ps"].i)]
        if len(after) + len(before) >= 2 and _origin_words(doc, s_of[sent]):
            # 0.7.0: "قذائف مصدرها حي X سقطت على حي Y": the attack's origin is not where the toll fell
            origin = _origins(doc, before + after)
            if origin and len(origin) < len(before) + len(after):
                after = [m for m in after if id(m) not in origin]
                before = [m for m in before if id(m) not in origin]
        s = doc.sentences[sent]
        if s.tally and before:
            return _toll_place(before, gaz, text, ps)  # a bulletin line's figure is its head's
        # "دوار الصاخور في حي الشعار": a roundabout/square named after a quarter is a landmark of the
        # quarter named as the subject; the toll is that quarter's
        named_after = [m for m in after if fold(m["_ps"].trigger or "") in LANDMARK_LEADS]
        if named_after and len(named_after) < len(after):
            after = [m for m in after if m not in named_after]
        specific_after = [m for m in after if not _is_general(m)]
        if specific_after:
            run = _list_run(doc, specific_after)
            if len(run) >= 2:
                # "65 شهيد بالشعار والقاطرجي والمرجه": a toll for a list of one city's quarters is the city's
                tp = _toll_place(run, gaz, text, ps)
                if tp.get("_virtual") or tp.get("place_kind") != "neighbourhood":
                    if tp.get("_virtual") or tp.get("place_id") in {m.get("_adm4") for m in run}:
                        return tp
            return _innermost(specific_after)[0]
        if after:
            return after[0]
        head, cut = line_head(s)
        if head and i >= cut:
            hid = {_innermost(head)[-1].get("place_id")}
            outside = [m for m in before if m not in head]
            if outside and not any(m.get("place_id") in hid or m.get("_adm4") in hid for m in outside):
                return _innermost(head)[-1]  # "حلب - صلاح الدين: ... من جهة دوار الحمدانية، وسقوط 9"
        if before:
            return _toll_place(before, gaz, text, ps)
        if head and i >= cut:
            return _innermost(head)[-1]
        # no place in its clause: the sentence before it in the paragraph, else a short post's headline
        if s.tally:
            return None  # a bulletin line's figure is its own line's, never the line before
        if not [m for m in ps if clause[m["_ps"].i] == cl]:
            c0 = _clause_start(doc, clause, i, s)
            if c0 > s.t0 and doc.keys[c0] in WHERE_LEADS:
                # 0.5.0: "... في حي المعادي، حيث قتل 25": حيث ("where") refers to the place of the clause before
                pc = clause[c0 - 1]
                prev_cl = [m for m in ps if clause[m["_ps"].i] == pc and m["_ps"].j <= c0]
                if prev_cl:
                    return _toll_place(prev_cl, gaz, text, ps)
            earlier = [m for m in ps if m["_ps"].j <= i]
            if earlier and not s.tally:
                # 0.7.0: "تصدت الوحدات لهجوم على محور السكن الشبابي، ...، فيما استشهد اثنان من مقاتليها":
                # a clause with no place of its own continues the sentence's place
                return _toll_place(earlier, gaz, text, ps)
            prev = [k for k in para_sents.get(s.block, []) if k < sent]
            for k in reversed([k for k in block_lines.get(s.block, []) if k < sent]):
                # the sentence before in the paragraph, or the heading line over it ("03-06-2015 | #حريتان")
                cand = [m for m in places_by_sent.get(k, []) if not m["_facility"]]
                if cand:
                    return _toll_place(cand, gaz, text)
            battle = _battle_place(s, i)
            if battle is not None:
                return battle or None
            if not prev and title_s is not None and body_chars <= SHORT_POST_CHARS:
                cand = [m for m in places_by_sent.get(title_s.i, []) if not m["_facility"]]
                spec = [m for m in cand if not _is_general(m)]
                if spec:
                    return _innermost(spec)[0]
        return None

    # 0.4.0: a place after a later toll of the same kind (or past a comma and another toll) is that
    # toll's: "قتل 3 في الشعار، و5 في الصاخور" / "تجاوزت الاربعين شهيد، والبارحه ٦٥ شهيد بالشعار"
    nxt_of = {}
    by_sent = {}
    for fig in figs:
        by_sent.setdefault(fig["sent"], []).append(fig)
    for sfigs in by_sent.values():
        sfigs.sort(key=lambda g: g["i"])
        for x, g in enumerate(sfigs):
            for h in sfigs[x + 1:]:
                if h["i"] < g["j"]:
                    continue
                if set(h["types"]) & set(g["types"]):
                    nxt_of[id(g)] = h["i"]
                break

    cas_mentions = []
    for fig in figs:
        q = fig["q"]
        parts = [fig] + fig.get("more", [])
        killed = injured = captured = None
        for part in parts:
            rng = (part["q"].low, part["q"].best, part["q"].high)
            for ty in part["types"]:
                if ty == "killed" and killed is None:
                    killed = _r(rng)
                elif ty == "injured" and injured is None:
                    injured = _r(rng)
                elif ty == "captured" and captured is None:
                    captured = _r(rng)
        pm = place_for(fig["i"], fig["j"], fig["sent"], nxt_of.get(id(fig)))
        if pm is None and fig["aggregate"]:
            pm = _list_total_place(doc, fig, places_by_sent, gaz, text)
        place_text = pm["text"] if pm else None
        if pm is not None and pm.get("place_kind") == "governorate":
            # 0.5.0: "في محافظة حلب": a governorate-wide toll has no point, like "حلب وريفها"
            pm = None
        if pm is not None and _with_countryside(doc, pm["_ps"]):
            # "مدينة حلب وريفها": a toll for the city and its countryside is region-wide, not the city's point
            # (place_id null; place_text keeps the name as written)
            pm = None
        dte, prec, basis = date_fields(fig["i"])
        fa, fb = doc.starts[fig["i"]], doc.ends[fig["j"] - 1]
        a, b, t = span_text(fa, fb)
        cm = {"kind": "casualty", "start": a, "end": b, "text": t, "killed": killed, "injured": injured,
              "captured": captured, "victims": fig["victims"], "aggregate": fig["aggregate"],
              "vague": any(p["q"].vague for p in parts),
              "place_id": pm["place_id"] if pm else None, "place_text": place_text,
              "preliminary": any(p.get("preliminary") for p in parts),
              "date": dte, "date_precision": prec, "date_basis": basis,
              "breakdown": [_breakdown(doc, bq, span_text) for bq in fig["breakdown"]]}
        cm["_fig"] = fig
        cm["_pm"] = pm
        cas_mentions.append(cm)
    mentions.extend(cas_mentions)

    # ---- events
    events = _events(doc, text, rid, lx, actors, place_out, cas_mentions, dates, date_fields, clause, span_text)

    for m in mentions:
        for private in [k for k in m if k.startswith("_")]:  # working fields, not output
            del m[private]
    mentions.sort(key=lambda m: (m["start"], m["end"], m["kind"]))
    return {"report": {"id": rid, "path": path, "published": pub.isoformat() if pub else None, "title": title},
            "mentions": mentions, "events": events}


WHERE_LEADS = {"حيث", "وحيث"}


def _clause_start(doc, clause, i, s):
    """First token of the clause token i is in (within sentence s)."""
    c = clause[i]
    k = i
    while k > s.t0 and clause[k - 1] == c:
        k -= 1
    return k


def _list_total_place(doc, fig, places_by_sent, gaz, text):
    """0.5.0: a total ("المجموع: 35 شهيداً") with no place of its own, right after bulletin lines
    whose heads are quarters of one city: the city (the toll is theirs together)."""
    s = doc.sentences[fig["sent"]]
    heads = []
    for k in range(s.i - 1, -1, -1):
        x = doc.sentences[k]
        hs = [m for m in places_by_sent.get(k, []) if m["_ps"].i == x.t0 or (m["_ps"].trigger_i == x.t0)]
        if not x.tally:
            if x.kind == "caption" and hs:
                continue  # 0.7.0: a line of the list without a toll ("- حي الصاخور: نحو 15 جريحاً، دون شهداء")
            break
        if hs:
            heads.insert(0, hs[0])
    hoods = [m for m in heads if m.get("place_kind") == "neighbourhood" and m.get("_adm4")]
    if len({m.get("place_id") for m in hoods}) < 2 or len({m.get("_adm4") for m in hoods}) != 1:
        return None
    return _toll_place(hoods, gaz, text)


def _clause_ids(doc) -> list[int]:
    """Per token, its clause: a new one at each change of sentence and at each clause marker
    (كما، فيما، حيث ...) inside a sentence. Built run by run of equal sentence ids, with the
    markers found once per document, instead of a test per token.

    >>> _clause_ids(Document("قصف حي الميسر فيما قتل 5. ثم هدأ"))
    [1, 1, 1, 2, 2, 2, 3, 3]
    """
    from itertools import groupby
    tokens = doc.tokens
    marks = [k for k in doc.where("clause_markers", token_sets(load(), "clause_marker"), CLAUSE_MARKERS.__contains__)
             if tokens[k] in CLAUSE_MARKERS]  # (where() is a gate: its callers test what it lets through)
    clause: list[int] = []
    c = 0
    k = 0
    m = 0
    for _, run in groupby(doc.sent_of):
        end = k + sum(1 for _ in run)
        c += 1  # a new sentence (a marker opening it adds nothing)
        while m < len(marks) and marks[m] <= k:
            m += 1
        while m < len(marks) and marks[m] < end:
            clause.extend([c] * (marks[m] - k))
            k = marks[m]
            c += 1
            m += 1
        clause.extend([c] * (end - k))
        k = end
    return clause


CANDIDATES_MAX = 5


def candidate_list(res, limit: int = CANDIDATES_MAX) -> list[dict]:
    """Why a place was chosen over the others, compactly: up to ``limit`` of the candidates geo's
    Resolution weighed (the chosen one first, ``chosen: true``; then geo's order: best score
    first, the excluded last), each with its score (2 decimals), its distance in km to the
    chosen place (1 decimal; 0.0 for the chosen one; null when nothing was chosen or a point is
    missing) and ``why``, its reasons on one line. An unresolved mention lists what geo weighed
    (a tie, a common word) or nothing (no alias): review suggestions come from ``gaz.suggest``.
    A place that was the only candidate gives an empty list: the mention's ``reason`` already
    says why, and a report names hundreds of such places (the list would dominate the output)."""
    if res is None:
        return []
    try:
        cands = list(getattr(res, "candidates", None) or ())
        chosen = getattr(res, "place", None)
        cid = chosen.id if chosen is not None else None
        if cid is not None:
            cands.sort(key=lambda c: c.place.id != cid)  # stable: the chosen one first, then geo's order
        out, seen = [], set()
        for c in cands:
            p = c.place
            if p.id in seen:
                continue
            seen.add(p.id)
            km = None
            if chosen is not None and None not in (p.lat, p.lon, chosen.lat, chosen.lon):
                km = 0.0 if p.id == cid else round(haversine_km(chosen.lat, chosen.lon, p.lat, p.lon), 1)
            out.append({"place_id": p.id, "name_ar": p.name_ar, "name_en": p.name_en, "kind": p.kind,
                        "score": round(float(c.score), 2), "distance_km": km,
                        "why": "; ".join(c.reasons or ()), "chosen": p.id == cid})
            if len(out) >= limit:
                break
        if len(out) == 1 and out[0]["chosen"]:
            return []
        return out
    except Exception:  # a resolver of another shape: the reason line still says why
        return []


def _breakdown(doc, bq, span_text):
    from extraction.casualties import _victims_word
    j = bq.j
    victims = bq.victims
    if victims is None and j < len(doc.tokens) and doc.link[j - 1]:
        victims = _victims_word(doc, j)
        if victims:
            j += 1
    a, b, t = span_text(doc.starts[bq.i], doc.ends[j - 1])
    return {"text": t, "start": a, "end": b, "count": bq.best, "low": bq.low, "victims": victims or "unknown"}


SHORT_POST_CHARS = 1200
SINCE = {"منذ", "ومنذ"}
LANDMARK_LEADS = {"دوار", "ساحه", "شارع", "جسر", "مدخل", "نهر", "طريق"}
AIRPORT_TRIGGERS = {"مطار", "قاعده", "مهبط"}
BUILDING_TRIGGERS = {fold(w) for w in ("مشفى", "مستشفى", "مشفي", "مدرسة", "مسجد", "جامع", "مستوصف")}
# 0.8.0: "نُقلوا إلى مشفى ميداني في حي الشعار": where the wounded were taken is not where the toll fell
TRANSFER_VERBS = {fold(w) for w in ("نقل", "نقلوا", "نقلا", "نقلت", "ونقل", "ونقلوا", "ونقلا", "ونقلت", "نقلهم",
                                     "ونقلهم", "نقله", "ونقله", "أسعف", "أسعفوا", "اسعفوا", "وأسعف", "إسعافهم",
                                     "إسعاف", "اسعاف", "نقلها", "ونقلها", "نقلتهم", "ونقلتهم")}
COUNTRYSIDE = {"وريفها", "وريفه", "واريافها", "وريفيها"}


def _since(doc, lx, d) -> bool:
    """"منذ الجمعة 22 نيسان": a written date after منذ starts a period (a weekday or يوم between).
    A relative one ("منذ الليلة الماضية") still dates what goes on since then."""
    if d.relative:
        return False
    k = d.i - 1
    while k >= 0 and k >= d.i - 3 and (doc.keys[k] in lx.weekdays or doc.keys[k] in ("يوم", "مساء", "صباح")):
        k -= 1
    return k >= 0 and doc.keys[k] in SINCE


def _comma_between(doc, a, b) -> bool:
    """A comma in the text between token a (inclusive) and token b."""
    if b <= a or a >= len(doc.tokens):
        return False
    seg = doc.folded[doc.starts[a]:doc.starts[min(b, len(doc.tokens) - 1)]]
    return "،" in seg or "," in seg


def _date_line(doc, s, ds) -> bool:
    """The line is a date heading: its tokens are all one date's."""
    return all(doc.covered[k] == "date" or not doc.active[k] for k in range(s.t0, s.t1)) and len(ds) == 1


def _dateline(doc, s, ds) -> bool:
    """0.6.0: a short heading line that opens with a day ("03-06-2015 | #الصالحين #المعادي"،
    "الخميس 3 آب - حلب"): it dates the lines under it until the next one."""
    d = ds[0]
    return len(ds) == 1 and d.i == s.t0 and d.precision == "day" and s.t1 - s.t0 <= d.j - d.i + 6


def _with_countryside(doc, ps) -> bool:
    """"حلب وريفها"، "المدينة وريفها": the place is named with its countryside (a region-wide toll)."""
    j = ps.j
    return j < len(doc.tokens) and doc.link[j - 1] and doc.tokens[j] in COUNTRYSIDE  # a civil-defence post: its headline (neighbourhood + date) places its figures


def _is_facility(doc, ps):
    """مركز الأنصاري، ومركز حيان: a civil-defence centre named after a place, not where it happened."""
    if ps.trigger or ps.i == 0:
        return False
    return any(key in ("مركز", "مراكز") for _, key in doc.var[ps.i - 1])


def _list_run(doc, ms):
    """The places at the head of ``ms`` that form one unbroken list (joined by و، a comma or a dash,
    a trigger word allowed before each: "بالشعار والقاطرجي والمرجه"، "حي الميسر وحي القاطرجي")."""
    run = [ms[0]]
    for m in ms[1:]:
        prev = run[-1]["_ps"]
        ti = m["_ps"].trigger_i
        start = ti if ti is not None and ti >= prev.j else m["_ps"].i
        if start - prev.j > 0 or not (doc.tokens[start].startswith("و") or "،" in doc.folded[
                doc.ends[prev.j - 1]:doc.starts[start]] or "-" in doc.folded[doc.ends[prev.j - 1]:doc.starts[start]]):
            break
        run.append(m)
    return run


def _innermost(ms):
    """Drop a city when one of its own neighbourhoods is named beside it ("حي الصالحين في حلب")."""
    inner = {m.get("_adm4") for m in ms if m.get("place_kind") == "neighbourhood"}
    keep = [m for m in ms if not (m.get("place_id") and m.get("place_id") in inner)]
    return keep or ms


def _transferred(doc, ps, t0) -> bool:
    """0.8.0: a place up to six words after a transfer verb + إلى ("نُقلوا إلى مشفى ميداني في حي الشعار")."""
    seen_to = False
    for k in range(ps.i - 1, max(t0, ps.i - 7) - 1, -1):
        key = doc.keys[k]
        if key in TRANSFER_VERBS:
            return seen_to
        if key in ("الي", "لالي", "الى"):
            seen_to = True
        elif key in ("،", ",", ".", "؛"):
            return False
    return False


def _buildings_out(ms):
    """0.8.0: "في حي السكري، استهدفت غارة محيط مستشفى القدس": a building geo does not place (a hospital,
    a school, a mosque) gives way to a place geo knows named with it: the toll is the quarter's."""
    bld = [m for m in ms if not m.get("place_id") and fold(m["_ps"].trigger or "") in BUILDING_TRIGGERS]
    if bld and len(bld) < len(ms) and any(m.get("place_id") for m in ms if m not in bld and not _is_general(m)):
        return [m for m in ms if m not in bld]
    return ms


def _toll_place(before, gaz, text="", pool=None):
    """The place a toll written after its places belongs to: the nearest one, except that
    "X Y" (an unknown area then the town it is in) is X, and a toll after a list of two or more
    neighbourhoods of one city is the city's (the toll is for them all)."""
    before = _buildings_out(before)
    spec = [m for m in before if not _is_general(m)]
    if not spec:
        return before[-1]
    # locator: "منطقة قبر الانكليزي كفر حمرة" = the area X in the town Y
    last = spec[-1]
    if len(spec) >= 2:
        prev = spec[-2]
        if prev["_ps"].j == last["_ps"].i and prev["_ps"].trigger and not last["_ps"].trigger \
                and last.get("place_kind") == "community" and prev.get("place_kind") != "community":
            return prev
    hoods = [m for m in spec if m.get("place_kind") == "neighbourhood"]
    keys = {m.get("place_id") for m in hoods}
    cities = {m.get("_adm4") for m in hoods}
    if len(keys) >= 2 and len(cities) == 1 and None not in cities:
        # the city itself named, else the list stands for it (its text is the list as written)
        city = _city_place(hoods, pool or before, gaz, text)
        if city is not None:
            return city
    # a toll after a list of towns named with their region ("بلدات أ وب وج في ريف حلب الغربي"): the region
    inner = _innermost(spec)
    regions = [m for m in before if _is_general(m) and m["_ps"].region]
    if regions:
        reg = regions[-1]
        run, edge = [], reg["_ps"].i
        for m in reversed([m for m in spec if m["_ps"].j <= reg["_ps"].i]):
            if edge - m["_ps"].j > (1 if not run else 0):
                break  # the list is unbroken and the region follows it ("... وكفر حمرة في ريف حلب الغربي")
            run.append(m)
            edge = m["_ps"].i
        if len({m.get("place_id") or m.get("key") for m in run}) >= 2 and \
                all(m.get("place_kind") != "neighbourhood" for m in run):
            return reg
    # 0.7.0: a toll after an unbroken list of places with no region after it ("في محيط سجن حلب المركزي
    # وقرية الشيخ نجار، قُتل خلالها عشرات"): the first named, as ACLED codes a list (the nearest before)
    run = _list_back(inner, text)
    if len(run) >= 2 and len({m.get("place_id") or m.get("key") for m in run}) == len(run):
        return run[0]
    return inner[-1]


def _list_back(ms, text):
    """The places at the tail of ``ms`` that form one unbroken list ending with the last one (joined by
    و or a comma, a trigger word allowed before each: "سجن حلب المركزي وقرية الشيخ نجار")."""
    if not ms or not text:
        return ms[-1:]
    run = [ms[-1]]
    for m in reversed(ms[:-1]):
        if not _joined(text[m["end"]:run[0]["start"]]):
            break
        run.insert(0, m)
    return run


def _joined(gap) -> bool:
    """The text between two places joins them in a list: a comma, a dash or و, and at most a trigger word."""
    words = fold(gap).replace("،", " ، ").replace(",", " ، ").replace("-", " ، ").split()
    if not words or len(words) > 3 or len(gap) > 30:
        return False
    lx = load()
    sep = False
    for w in words:
        if w == "،" or w == "و":
            sep = True
        elif w.startswith("و") and name_key(w[1:]) in lx.place_triggers:
            sep = True
        elif name_key(w) not in lx.place_triggers:
            return False
    return sep


# 0.7.0: words that open a source or a new statement after a toll ("، بحسب ناشطين من مدينة الباب"،
# "، وبثت صوراً قالت إنها ... في كلجبرين"): a place after them, before the next comma, is not the toll's
SOURCE_CUES = {"بحسب", "حسب", "وفق", "وفقا", "نقلا", "قال", "قالت", "افاد", "افادت", "ذكر", "ذكرت", "اعلن",
               "اعلنت", "بثت", "نشرت", "اشار", "اشارت", "اكد", "اكدت", "مصادر", "مصدر", "اضاف", "اضافت"}
# 0.7.0: the origin of fire ("قذائف مصدرها حي X"، "انطلاقاً من مواقعه في X"، "أُطلقت من X")
ORIGIN_LEADS = {"مصدرها", "مصدره", "انطلاقا", "انطلاق"}
LAUNCH_VERBS = {"اطلقت", "اطلق", "اطلقتها", "اطلقها", "تطلق", "يطلق", "انطلقت", "انطلق", "قادمه", "قادمة", "مصدرها",
                "مصدره", "انطلاقا"}
TARGET_WORDS = {"على", "علي", "الى", "باتجاه", "اتجاه", "نحو", "استهدفت", "استهدف", "سقطت", "سقط"}
# 0.7.0: words that refer back to fighting or a place told before ("أسفرت المعارك عن"، "في الحي نفسه")
BATTLE_ANAPHORS = {"المعارك", "الاشتباكات", "المواجهات", "المعركه", "الاشتباك", "الحي",
                   "البلده", "المدينه", "القريه", "المنطقه", "هناك", "هنالك"}
_CLITICS = ("وبال", "وفال", "بال", "وال", "فال", "لل", "وب", "ول", "وف", "و", "ب", "ف", "ل")


ANAPHOR_STEMS = ("معارك", "اشتباك", "مواجهات", "معركه", "حي", "بلده", "مدينه", "قريه", "منطقه", "هنا")
ANAPHOR_KINDS = {"الحي": "neighbourhood", "البلده": "community", "المدينه": "community", "القريه": "community"}


def _has_anaphor(doc, a, b):
    """A word between tokens a and b that refers back to fighting or a place told before: the word
    (folded, with its article), else None."""
    if b <= a or a >= len(doc.tokens):
        return None
    seg = doc.folded[doc.starts[a]:doc.ends[min(b, len(doc.tokens)) - 1]]
    if not any(w in seg for w in ANAPHOR_STEMS):
        return None
    for k in range(a, min(b, len(doc.tokens))):
        t = doc.tokens[k]
        if t in BATTLE_ANAPHORS:
            return t
        for c in _CLITICS:
            if t.startswith(c) and len(t) > len(c) + 2:
                u = t[len(c):]
                if c.endswith("ال") or c == "لل":
                    u = "ال" + u
                if u in BATTLE_ANAPHORS:
                    return u
    return None


def _source_cut(doc, j, last):
    """First token after a toll (from j up to last) that opens a source or a new statement after a comma
    ("، بحسب ..."، "، وقالت ...")."""
    for k in range(max(j, 1), last):
        gap = doc.folded[doc.ends[k - 1]:doc.starts[k]]
        if "،" not in gap and "," not in gap:
            continue
        if any(key in SOURCE_CUES for _, key in doc.var[k]):
            return k
    return None


ORIGIN_STEMS = ("مصدر", "انطلاق", "طلق", "قادم")


def _origin_words(doc, s) -> bool:
    """A cheap gate: the sentence has a word that may name where fire came from."""
    seg = doc.folded[s.start:s.end]
    return any(w in seg for w in ORIGIN_STEMS)


def _origins(doc, ms):
    """ids of the places named as where fire came from: after مصدرها / انطلاقاً من / أُطلقت من (up to four
    words before the place, no target word such as على between), and the places listed right after one."""
    out = set()
    prev = None
    for m in sorted(ms, key=lambda m: m["_ps"].i):
        ps = m["_ps"]
        start = ps.trigger_i if ps.trigger_i is not None and ps.trigger_i < ps.i else ps.i
        hit = False
        for k in range(start - 1, max(-1, start - 5), -1):
            keys = {key for _, key in doc.var[k]}
            if keys & TARGET_WORDS:
                break
            if keys & ORIGIN_LEADS or ("من" in keys and k > 0 and {key for _, key in doc.var[k - 1]} & LAUNCH_VERBS):
                hit = True
                break
        if not hit and prev is not None and id(prev) in out and start == prev["_ps"].j and \
                doc.tokens[start].startswith("و"):
            hit = True  # "انطلاقاً من أخترين ودابق"
        if hit:
            out.add(id(m))
        prev = m
    return out


def _city_place(hoods, pool, gaz, text):
    """The city of neighbourhoods ``hoods`` (all of one city): its mention in ``pool`` named before the
    last of them, else a virtual mention of the city spanning the list."""
    city_id = next(iter({m.get("_adm4") for m in hoods}))
    named = [m for m in pool if m.get("place_id") == city_id and m["start"] <= hoods[-1]["start"]]
    if named:
        return named[-1]
    try:
        city = gaz.place(city_id) if gaz is not None else None
    except Exception:
        city = None
    if city is None:
        return None
    a, b = hoods[0]["start"], hoods[-1]["end"]
    return {"place_id": city.id, "pcode": city.pcode, "text": text[a:b], "name_ar": city.name_ar,
            "place_kind": city.kind, "resolved": True, "_ps": hoods[-1]["_ps"], "_virtual": True,
            "name_en": city.name_en, "lat": city.lat, "lon": city.lon, "geo_precision": city.geo_precision,
            "start": a, "end": b, "key": None}


def _spread_place(cand, gaz, text, anaphor=None):
    """0.7.0: the place of a toll over the fighting told in a paragraph (its places ``cand``): its one
    specific place; the city when its resolved places are all of one city; else its region; else None.
    "في الحي"، "البلدة": the last place of that kind."""
    kind = ANAPHOR_KINDS.get(anaphor)
    if kind:
        same = [m for m in cand if m.get("place_kind") == kind]
        return same[-1] if same else None
    spec = _innermost([m for m in cand if not _is_general(m)])
    regions = [m for m in cand if _is_general(m) and m["_ps"].region]
    names = {m.get("place_id") or m.get("key") for m in spec}
    if len(names) == 1:
        return spec[0]
    resolved = [m for m in spec if m.get("place_id")]
    cities = {m.get("_adm4") if m.get("place_kind") == "neighbourhood" else m.get("place_id") for m in resolved}
    hoods = [m for m in resolved if m.get("place_kind") == "neighbourhood"]
    if spec and len(cities) == 1 and None not in cities and hoods:
        city = _city_place(hoods, cand, gaz, text)
        if city is not None:
            return city
    if regions:
        return regions[-1]
    return None


ATTACK_TARGET_LEADS = {"على", "علي", "ضد", "بحق", "استهدف", "مواقع", "نقاط", "تجمعات"}


def _attempted(doc, lx, k, clause):
    """An attempt or a negation up to five words before a trigger, in its clause
    (حاولت قوات النظام التقدم والسيطرة، لم تتمكن الفصائل من استعادة)."""
    for b in range(k - 1, max(-1, k - 6), -1):
        if clause[b] != clause[k]:
            break
        if any(v in lx.modality for _, v in doc.var[b]):
            return True
    return False


def _roles(doc, acts, t, clause):
    """ACLED actor1 (who acts) and actor2 (at whom): "قصفت الطائرات الروسية ..." / "قوات النظام قصفت"
    make the agent; an actor after على/ضد ("هجوم لقوات النظام على مواقع الفصائل") or right after a
    verbal noun with ب ("قامت الفصائل بقصف الميليشيات") is the target. Returns the actors ordered
    agent first, and the two ids (None when the sentence does not show it)."""
    if t is None or not acts:
        return acts, None, None
    ti, tj = t[0], t[1]
    agent = target = None
    masdar = doc.tokens[ti].startswith("ب") and len(doc.tokens[ti]) > 3
    for a in acts:
        if clause[a["i"]] != clause[ti]:
            continue
        lead = doc.tokens[a["i"] - 1] if a["i"] > 0 else ""
        if lead in ATTACK_TARGET_LEADS and a["i"] > tj - 1:
            target = target or a
        elif a["i"] == tj and masdar:
            target = target or a
        elif a["i"] == tj and agent is None:
            agent = a  # verb then subject: قصفت الطائرات الروسية
    if agent is None:
        before = [a for a in acts if a["j"] <= ti and clause[a["i"]] == clause[ti] and a is not target]
        if before:
            agent = before[-1]
    ordered = ([agent] if agent else []) + ([target] if target and target is not agent else []) + \
        [a for a in acts if a is not agent and a is not target]
    return (ordered, agent["faction"].id if agent else None,
            target["faction"].id if target and target is not agent else None)


def _is_general(m):
    if m.get("place_kind") in GENERAL_KINDS or m["_ps"].region:
        return True
    return False


def _place_obj(m):
    if m is None:
        return None
    keys = ("text", "start", "end", "resolved", "place_id", "pcode", "name_ar", "name_en", "place_kind", "lat",
            "lon", "geo_precision")
    return {k: m.get(k) for k in keys}


def _spread_dates(units, ds):
    """Several dates in one sentence: each place takes the date written before it; dates left
    without a place of their own share the places after them ("في 4 و 6 تشرين الأول، وكلتاهما
    في كفرناها": both days), or pair with them in order when the counts agree ("في 14 و16 يوليو
    على منطقتي الصالحين والجينة على التوالي")."""
    if len(ds) < 2 or not units:
        return units
    ds = sorted(ds, key=lambda d: d.i)
    owner = []
    for tok_i, m, _ in units:
        before = [k for k, d in enumerate(ds) if d.i <= tok_i]
        owner.append(before[-1] if before else 0)
    by_date = {}
    for n, k in enumerate(owner):
        by_date.setdefault(k, []).append(n)
    out = [(tok_i, m, ds[owner[n]]) for n, (tok_i, m, _) in enumerate(units)]
    k = 0
    while k < len(ds):
        if k in by_date:
            k += 1
            continue
        run = []
        while k < len(ds) and k not in by_date:
            run.append(k)
            k += 1
        if k >= len(ds):
            break  # dates after the last place: nothing to share
        group = [n for n in by_date[k] if units[n][1] is not None]
        if not group:
            continue
        if len(run) + 1 == len(group):
            for d_k, n in zip(run + [k], group):
                out[n] = (units[n][0], units[n][1], ds[d_k])
        else:
            for d_k in run:
                for n in group:
                    out.append((units[n][0], units[n][1], ds[d_k]))
    return out


def _claims(doc, own):
    """The casualties of one place split where a rival claim starts: a contrast word (في حين،
    بينما، في المقابل) and a word of saying or a source (مصادر، تحدثت، أعلن، بحسب) between two
    figures."""
    if len(own) < 2:
        return [(own, None)]
    own = sorted(own, key=lambda c: c["_fig"]["i"])
    groups = [([own[0]], None)]
    for a, b in zip(own, own[1:]):
        lo, hi = a["_fig"]["j"], b["_fig"]["i"]
        cut = next((x for x in range(lo, hi) if any(k in CLAIM_CONTRAST for _, k in doc.var[x])), None)
        if cut is not None and any(k in CLAIM_WORDS for x in range(lo, hi) for _, k in doc.var[x]):
            if cut > lo and doc.keys[cut] == "حين" and doc.keys[cut - 1] in ("في", "وفي"):
                cut -= 1  # في حين
            groups.append(([b], cut))
        else:
            groups[-1][0].append(b)
    if len(groups) == 1:
        return [(own, None)]
    # each claim's evidence: from its contrast word (or the sentence start) to the next claim's
    return [(g, (cut, groups[n + 1][1] if n + 1 < len(groups) else None)) for n, (g, cut) in enumerate(groups)]


CLAIM_CONTRAST = {"حين", "بينما", "فيما", "مقابل", "المقابل"}
CLAIM_WORDS = {"مصادر", "مصدر", "تحدثت", "تحدث", "قالت", "قال", "افادت", "افاد", "اعلنت", "اعلن", "ذكرت",
               "ذكر", "زعمت", "زعم", "اكدت", "اكد", "بحسب", "حسب", "وفق", "وفقا", "نقلت", "روايه", "ادعت",
               "ادعي", "تقول", "يقول", "بثت", "نشرت", "اشارت"}


def _events(doc, text, rid, lx, actors, places, cas, dates, date_fields, clause, span_text):
    events = []
    _sd = {}
    for d in dates:
        if not d.pub and not _since(doc, lx, d):  # 0.4.0: "منذ X" starts a period
            _sd.setdefault(doc.sent_of[d.i], []).append(d)

    def sent_dates_of(si):
        return _sd.get(si, [])
    by_sent_places = {}
    for m in places:
        by_sent_places.setdefault(m["_ps"].sent, []).append(m)
    by_sent_actors = {}
    for a in actors:
        by_sent_actors.setdefault(a["sent"], []).append(a)
    by_sent_cas = {}
    for c in cas:
        by_sent_cas.setdefault(c["_fig"]["sent"], []).append(c)
    prev_trigger = None
    for s in doc.sentences:
        if s.kind != "body":
            continue
        trig = scan(doc, lx.triggers, s.t0, s.t1, lambda k: doc.covered[k] in (None, "actor"))
        sc = by_sent_cas.get(s.i, [])
        if not trig and not sc:
            continue
        if not trig and prev_trigger is None:
            continue
        weapons = scan(doc, lx.weapons, s.t0, s.t1)
        sp = by_sent_places.get(s.i, [])
        sa = by_sent_actors.get(s.i, [])
        strong = [t for t in trig if t[2][2] > 1]
        ev_a, ev_b, ev_text = span_text(s.start, s.end)

        def etype(tok_i):
            cl = clause[tok_i]
            cands = [t for t in trig if clause[t[0]] == cl] or trig
            pool = [t for t in cands if t[2][2] > 1] or cands
            if not pool:
                return prev_trigger, None
            before = [t for t in pool if t[0] <= tok_i]
            t = before[-1] if before else pool[0]
            if t[2][2] == 0 and prev_trigger is not None:
                return prev_trigger, t  # حادثة: an incident of the kind the text is about
            return t[2], t

        def weapons_for(tok_i):
            cl = clause[tok_i]
            w = [x for x in weapons if clause[x[0]] == cl] or weapons
            return w

        # places that carry events: specific ones; a general one only when alone in its clause
        clauses = {}
        for m in sp:
            clauses.setdefault(clause[m["_ps"].i], []).append(m)
        targets = []
        for cl, ms in clauses.items():
            spec = [m for m in ms if not _is_general(m)]
            if spec:
                # a city that contains a named neighbourhood in the same clause adds nothing
                inner = {m.get("_adm4") for m in spec if m.get("place_kind") == "neighbourhood"}
                spec = [m for m in spec if not (m.get("place_kind") == "community" and m.get("place_id") in inner)]
            targets.extend(spec or ms)
        # figures without a place still make an event (place null) so nothing is lost
        # figures without a place, or placed outside this sentence's targets (inherited from the
        # sentence before, or the city of a listed toll), still make an event so nothing is lost
        orphan = [c for c in sc if not c["aggregate"] and (c["_pm"] is None or not any(c["_pm"] is m for m in targets))]
        trig_clauses = {clause[t[0]] for t in trig}
        aggr_zones = []
        for c in sc:
            if c["aggregate"]:
                marks = [a for a, _, _, _ in scan(doc, lx.aggregate, s.t0, c["_fig"]["i"])]
                if marks:
                    aggr_zones.append((marks[0], c["_fig"]["j"]))
        units = []
        for m in targets:
            if any(a <= m["_ps"].i < b for a, b in aggr_zones):
                continue
            cl = clause[m["_ps"].i]
            has_cas = any(c["_pm"] is m and not c["aggregate"] for c in sc)
            if cl not in trig_clauses and not has_cas and trig:
                # a place in a clause without a trigger: only if the sentence has one clause of action
                if len(trig_clauses) > 1:
                    continue
            units.append((m["_ps"].i, m))
        for c in orphan:
            units.append((c["_fig"]["i"], c["_pm"]))
        units = [(tok_i, m, None) for tok_i, m in units]
        if trig:
            units = _spread_dates(units, [d for d in sent_dates_of(s.i)
                                          if d.date and d.precision == "day" and not (d.relative and d.coord)])
        for tok_i, m, own_date in units:
            et, t = etype(tok_i)
            if et is None:
                continue
            event_type, sub_type = et[0], et[1]
            cl = clause[tok_i]
            acts = [a for a in sa if clause[a["i"]] == cl and a["faction"].in_events and not a.get("bystander")] or \
                   [a for a in sa if a["faction"].in_events and not a.get("bystander")]
            acts, actor1, actor2 = _roles(doc, acts, t, clause)
            if sub_type == "TERRITORY" and t is not None and _attempted(doc, lx, t[0], clause):
                sub_type = "Armed clash"  # حاولت التقدم، فشلت في السيطرة: fighting, no ground changed hands
            if sub_type == "TERRITORY":
                side = acts[0]["faction"].side if acts else None
                if side in ("government", "pro-government-militia", "iran-backed", "russia"):
                    sub_type = "Government regains territory"
                elif side in NONSTATE_SIDES:
                    sub_type = "Non-state actor overtakes territory"
                else:
                    sub_type = "Armed clash"
            ws = weapons_for(tok_i)
            if event_type == "Explosions/Remote violence" or (t is not None and et[2] <= 2) or event_type == "Violence against civilians":
                classes = [w[2][1] for w in ws]
                if any(a["air"] for a in acts) and sub_type == "Shelling/artillery/missile attack":
                    sub_type = "Air/drone strike"
                for cls in ("chemical", "air", "cluster", "incendiary", "surface", "ied"):
                    if cls in classes and et[2] <= 2:
                        event_type, sub_type = "Explosions/Remote violence", WEAPON_TYPE[cls]
                        break
                if event_type in ("Battles", "Violence against civilians") and any(a["air"] for a in acts) \
                        and et[2] <= 2:
                    event_type, sub_type = "Explosions/Remote violence", "Air/drone strike"
            if m is not None:
                own = [c for c in sc if c["_pm"] is m and not c["aggregate"]]
                if not any(m is x for x in targets):
                    own = [c for c in own if c["_fig"]["i"] == tok_i]
            else:
                own = [c for c in orphan if c["_fig"]["i"] == tok_i]
            # 0.6.0: two sides' figures for one fight ("قتل عشرات العناصر، بحسب ناشطين، في حين تحدثت
            # مصادر موالية عن مقتل أكثر من مئة") are two claims: one event each, never summed
            for own, cut in _claims(doc, own):
                ev_span = {"start": ev_a, "end": ev_b, "text": ev_text}
                if cut is not None:  # the claim's own words
                    a_ = doc.starts[cut[0]] if cut[0] is not None else s.start
                    b_ = doc.ends[cut[1] - 1] if cut[1] is not None else s.end
                    ca, cb, ct = span_text(a_, b_)
                    ev_span = {"start": ca, "end": cb, "text": ct}
                killed = _sum_ranges([c["killed"] for c in own])
                injured = _sum_ranges([c["injured"] for c in own])
                dte, prec, basis = date_fields(tok_i)
                if own_date is not None:
                    dte, prec, basis = own_date.date.isoformat(), own_date.precision, "sentence"
                conf = 0.45
                if m is not None and m.get("resolved"):
                    conf += 0.2
                if m is None:
                    conf -= 0.15
                if basis == "sentence":
                    conf += 0.1
                elif basis == "published":
                    conf -= 0.1
                if acts:
                    conf += 0.1
                if t is not None and t[2][2] >= 3:
                    conf += 0.1
                events.append({
                    "date": dte, "date_precision": prec, "event_type": event_type, "sub_event_type": sub_type,
                    "actors": list(dict.fromkeys(a["faction"].id for a in acts)),
                    "actor1": actor1, "actor2": actor2,
                    "place": _place_obj(m), "killed": killed, "injured": injured,
                    "weapons": list(dict.fromkeys(w[2][0] for w in ws)),
                    "evidence": ev_span,
                    "confidence": round(max(0.05, min(0.95, conf)), 2),
                    "_key": (m.get("place_id") or m.get("key")) if m else None,
                    "_inh": m is not None and not any(m is x for x in targets),
                })
        if trig:
            prev_trigger = (strong or trig)[-1][2]
    # one event per what happened where: merge repeats of the same place/date/type without figures
    merged = []
    seen = {}
    for ev in events:
        if ev.pop("_inh", False):
            # a toll placed by the sentence before: it belongs to the event already there
            host = next((e for e in merged if e["_key"] == ev["_key"] and e["date"] == ev["date"]
                         and e["killed"] is None and e["injured"] is None), None)
            if host is not None:
                host["killed"], host["injured"] = ev["killed"], ev["injured"]
                host["actors"] = list(dict.fromkeys(host["actors"] + ev["actors"]))
                continue
        k = (ev["_key"], ev["date"], ev["event_type"], ev["sub_event_type"])
        if ev["_key"] is not None and k in seen:
            prev = seen[k]
            if prev["killed"] is None and prev["injured"] is None or ev["killed"] is None and ev["injured"] is None:
                if prev["killed"] is None and prev["injured"] is None:
                    prev["killed"], prev["injured"] = ev["killed"], ev["injured"]
                prev["actors"] = list(dict.fromkeys(prev["actors"] + ev["actors"]))
                prev["actor1"] = prev["actor1"] or ev["actor1"]
                prev["actor2"] = prev["actor2"] or ev["actor2"]
                prev["weapons"] = list(dict.fromkeys(prev["weapons"] + ev["weapons"]))
                prev["confidence"] = round(min(0.95, max(prev["confidence"], ev["confidence"]) + 0.05), 2)
                continue
        seen[k] = ev
        merged.append(ev)
    for n, ev in enumerate(merged, 1):
        ev.pop("_key", None)
        ev["id"] = f"{rid}-e{n}"
    return [{"id": e["id"], **{k: v for k, v in e.items() if k != "id"}} for e in merged]
