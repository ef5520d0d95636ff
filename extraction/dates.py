"""Dates: numeric (21-11-2016, 15/9/2014, "24 5 2015"), day + month name (Levantine and
Egyptian, often both: "آب أغسطس 2016"), month + year, years, relative expressions
(اليوم، أمس، الليلة الماضية، صباح اليوم، يوم أمس الاثنين) resolved against the
publication date with the weekday checked, and bare weekdays (ليلة الخميس).
"""
from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass

from extraction.lexicons import load, token_sets

NUMERIC_RE = re.compile(
    r"(?<![\d/.\-])(\d{1,2})\s*([-/.])\s*(\d{1,2})\s*\2\s*((?:19|20)\d{2})(?![\d/.\-])"
    r"|(?<![\d/.\-])((?:19|20)\d{2})-(\d{1,2})-(\d{1,2})(?![\d/.\-])"
    r"|(?<![\d/.\-,])(\d{1,2}) (\d{1,2}) ((?:19|20)\d{2})(?![\d/.\-])")
YEAR_WORDS = {"عام", "سنه", "العام", "لعام", "بعام", "السنه"}
DAY_LEAD = {"يوم", "ليله", "صباح", "مساء", "فجر", "ظهر", "ظهيره", "عصر", "منتصف", "ليل"}
MONTH_WORD = {"شهر", "الشهر", "بشهر", "لشهر"}
NEXT_DAY = {"التالي"}
ARTICLE_REQUIRED = {"يوم", "ليله"}
THIS_MONTH = {"الشهر", "للشهر", "بالشهر"}   # 26 الشهر: day 26 of the month being narrated
_LEADS = frozenset(YEAR_WORDS | DAY_LEAD)  # reading keys that open a year or a weekday rule
PUB_WINDOW = 8  # a publication verb up to this many words before a date makes it a publication date

# 0.6.0: ordinal days of the month ("في الثالث من الشهر"، "الخامس عشر من آذار"، "في التاسع والعشرين")
ORD_UNITS = {"الاول": 1, "الحادي": 1, "الثاني": 2, "الثالث": 3, "الرابع": 4, "الخامس": 5, "السادس": 6,
             "السابع": 7, "الثامن": 8, "التاسع": 9, "العاشر": 10, "العشرين": 20, "الثلاثين": 30}
ORD_TENS = {"والعشرين": 20, "والثلاثين": 30}
ORD_BARE_LEADS = {"في", "وفي", "يوم", "ويوم", "ليله", "صباح", "مساء", "فجر", "حتي", "بتاريخ"}
CUR_MONTH = {"الجاري", "الحالي"}
PAST_MONTH = {"الماضي", "المنصرم", "الفائت", "الفايت", "السابق"}
# 0.6.0: "منذ ثلاثة أيام"، "قبل 4 أيام": days (weeks) before publication
AGO_LEADS = {"منذ", "ومنذ", "قبل", "وقبل"}
AGO_UNITS = {"ايام": 1, "يوما": 1, "يوم": 1, "اسابيع": 7, "اسبوع": 7, "اسبوعا": 7}
AGO_COUNTS = {"ثلاثه": 3, "ثلاث": 3, "تلات": 3, "تلاته": 3, "اربعه": 4, "اربع": 4, "خمسه": 5, "خمس": 5,
              "سته": 6, "ست": 6, "سبعه": 7, "سبع": 7, "ثمانيه": 8, "ثماني": 8, "تمن": 8, "تسعه": 9, "تسع": 9,
              "عشره": 10, "عشر": 10}
FUTURE = {"القادم", "المقبل", "القادمه", "المقبله", "الجاي", "الجايه"}
DAY_HEAD_SEPS = ":-–—|"


def _ord_key(tok: str) -> bool:
    """A token that may start an ordinal day (الثالث، والعشرين stays with the one before)."""
    return tok in ORD_UNITS or (tok[:1] in "وب" and tok[1:] in ORD_UNITS)


def _number_or_year_word(tok: str) -> bool:
    """A token a date rule may start at without a lexicon reading: a number, الشهر, عام."""
    return tok[0].isdigit() or tok in THIS_MONTH or tok in YEAR_WORDS



@dataclass
class DateSpan:
    i: int
    j: int
    fstart: int
    fend: int
    date: dt.date | None
    precision: str
    relative: bool = False
    weekday_ok: bool | None = None
    basis: str = ""
    coord: bool = False  # second of a coordinated pair (صباح اليوم والليلة الماضية)
    pub: bool = False    # a publication date (نُشر على يوتيوب في 9 يوليو): not an event date
    future: bool = False  # 0.6.0: "يوم الخميس القادم": a date to come dates no event
    para: int = -1


_DIGIT_RUN_RE = re.compile(r"\d+")


def _numeric_dates(f: str):
    """``NUMERIC_RE.finditer(f)``, tried only where a run of digits begins: every form starts
    with a digit that follows no digit, and trying the pattern (it opens with a look-behind)
    at every character of a long report costs more than finding the digit runs.

    >>> [m.group() for m in _numeric_dates("في 21-11-2016 و 2016-11-22")]
    ['21-11-2016', '2016-11-22']
    """
    end = 0
    match = NUMERIC_RE.match
    for run in _DIGIT_RUN_RE.finditer(f):
        a = run.start()
        if a < end:
            continue  # inside the date found before
        m = match(f, a)  # (the look-behind still sees the text before a)
        if m:
            end = m.end()
            yield m


def _mk(y, m, d):
    try:
        return dt.date(int(y), int(m), int(d))
    except (ValueError, TypeError):
        return None


def _weekday_at(doc, k, end):
    """Weekday number if token k names one (الاثنين، الخميس ...)."""
    if k >= end:
        return None
    for p, key in doc.var[k]:
        raw = doc.tokens[k][p:]
        if raw.startswith("ال") and key in load().weekdays:
            return load().weekdays[key]
    return None


def find_dates(doc, published: dt.date | None) -> list[DateSpan]:
    lx = load()
    out: list[DateSpan] = []
    f = doc.folded
    n = len(doc.tokens)
    taken = [c == "org" for c in doc.covered]  # قناة روسيا اليوم is a channel, not "today"
    last_month = {}  # paragraph -> (year, month) of the last explicit month named in it

    def claim(i, j):
        for x in range(i, j):
            taken[x] = True
            doc.covered[x] = "date"

    # 1. numeric dates (one regex pass over the folded text)
    for m in _numeric_dates(f):
        if m.group(1):
            d = _mk(m.group(4), m.group(3), m.group(1))
        elif m.group(5):
            d = _mk(m.group(5), m.group(6), m.group(7))
        else:
            d = _mk(m.group(10), m.group(9), m.group(8))
        if d is None:
            continue
        i = doc.tok_index_at(m.start())
        j = doc.tok_index_at(m.end())
        if i >= j or not doc.active[i]:
            continue
        out.append(DateSpan(i, j, m.start(), m.end(), d, "day", basis="numeric"))
        claim(i, j)

    context_year = None
    # only tokens whose readings start a month name / a relative expression can match one
    month_pos, month_at = doc.positions(lx.months.first)
    rel_pos, rel_at = doc.positions(lx.date_words.first)
    # the tokens any rule below can start at (the others only move i on): visited in order
    may = sorted(set(month_pos).union(rel_pos, doc.positions(_LEADS)[0],
                                      doc.positions(lx.weekdays)[0],  # "الخميس الماضي" with no lead word
                                      doc.where("date_number_words", token_sets(lx, "date_number_word"),
                                                _number_or_year_word),
                                      doc.where("date_ordinals", token_sets(lx, "date_ordinal"),
                                                lambda t: _ord_key(t) or t in AGO_LEADS)))
    ord_paras = set()   # 0.6.0: paragraphs where an ordinal day of a month was read
    doc_month = None    # 0.6.0: the last month named in the report (not after منذ), for "الشهر"/"منه"
    n_may = len(may)
    m_i = 0  # may[m_i] is the first candidate at or after i
    i = 0
    while i < n:
        while m_i < n_may and may[m_i] < i:
            m_i += 1
        if m_i == n_may:
            break
        i = may[m_i]
        if taken[i] or not doc.active[i]:
            if taken[i] and out:
                pass
            i += 1
            continue
        tok = doc.tokens[i]
        sent = doc.sentences[doc.sent_of[i]] if doc.sentences else None
        end = sent.t1 if sent else n
        # year alone: عام 2016
        if doc.is_num[i] and len(tok) == 4 and tok[:2] in ("19", "20"):
            context_year = int(tok)
        # month names (guarded: a day before, a year after, شهر before, or a second month name)
        hit = _month_at(doc, i, end) if i in month_at else None
        if hit:
            month, j, followed = hit
            a = i
            day = None
            if i > 0 and doc.is_num[i - 1] and doc.link[i - 1] and not taken[i - 1] and doc.tokens[i - 1].isdigit() \
                    and 1 <= int(doc.tokens[i - 1]) <= 31:
                day = int(doc.tokens[i - 1])
                a = i - 1
            elif i > 1 and doc.tokens[i - 1] == "من" and doc.link[i - 1] and doc.link[i - 2] and doc.is_num[i - 2] \
                    and not taken[i - 2] and doc.tokens[i - 2].isdigit() and 1 <= int(doc.tokens[i - 2]) <= 31:
                day = int(doc.tokens[i - 2])  # 4 من تشرين الثاني
                a = i - 2
            year = None
            b = j
            if b < end and doc.link[b - 1] and doc.tokens[b] in YEAR_WORDS:
                b += 1
            if b < end and doc.is_num[b] and len(doc.tokens[b]) == 4 and doc.tokens[b][:2] in ("19", "20"):
                year = int(doc.tokens[b])
                j = b + 1
            lead = i > 0 and (doc.tokens[i - 1] in MONTH_WORD or doc.keys[i - 1] in MONTH_WORD)
            if day is None and year is None and not lead and not followed:
                i += 1
                continue
            basis = "explicit"
            if year is None:
                # a year written later in the sentence, else the last one seen, else the publication year
                for x in range(j, min(end, j + 8)):
                    if doc.is_num[x] and len(doc.tokens[x]) == 4 and doc.tokens[x][:2] in ("19", "20"):
                        year = int(doc.tokens[x])
                        break
                if year is None:
                    year = context_year or (published.year if published else None)
                    basis = "year inferred"
                    if year and published and context_year is None:
                        cand = _mk(year, month, day or 1)
                        if cand and cand > published + dt.timedelta(days=1):
                            year -= 1
            else:
                context_year = year
            if lead and i > 0:
                a = min(a, i - 1)
            d = _mk(year, month, day or 1) if year else None
            out.append(DateSpan(a, j, doc.starts[a], doc.ends[j - 1], d, "day" if day else "month", basis=basis))
            if d and sent is not None:
                last_month[sent.para] = (d.year, d.month)
            if d and not (a > 0 and doc.keys[a - 1] in AGO_LEADS) and not (published and d > published):
                doc_month = (d.year, d.month)
            claim(a, j)
            i = j
            continue
        # 0.6.0: an ordinal day of a month ("في الثالث من الشهر"، "السادس منه"، "الخامس عشر من آذار")
        if _ord_key(tok):
            hit = _ordinal_at(doc, i, end)
            if hit:
                day, k = hit
                ym = None
                basis = "month from context"
                j = k
                ctx = last_month.get(sent.para) if sent else None
                ctx = ctx or doc_month or ((published.year, published.month) if published else None)
                if k + 1 < end and doc.tokens[k] == "من" and doc.link[k]:
                    if doc.tokens[k + 1] in THIS_MONTH:
                        j = k + 2
                        nxt = doc.tokens[j] if j < end and doc.link[j - 1] else ""
                        if nxt in CUR_MONTH:
                            ym = (published.year, published.month) if published else None
                            basis = "relative to publication"
                            j += 1
                        elif nxt in PAST_MONTH:
                            if published:
                                ym = (published.year - (published.month == 1), (published.month - 2) % 12 + 1)
                            basis = "relative to publication"
                            j += 1
                        elif nxt in FUTURE:
                            ym = None
                            j += 1
                        else:
                            ym = ctx
                    else:
                        mh = _month_at(doc, k + 1, end)
                        if mh:
                            month, j, _ = mh
                            b = j
                            if b < end and doc.link[b - 1] and doc.tokens[b] in YEAR_WORDS:
                                b += 1
                            year = None
                            basis = "explicit"
                            if b < end and doc.is_num[b] and len(doc.tokens[b]) == 4 and doc.tokens[b][:2] in ("19", "20"):
                                year = int(doc.tokens[b])
                                j = b + 1
                                context_year = year
                            else:
                                year = context_year or (published.year if published else None)
                                basis = "year inferred"
                                if year and published and context_year is None:
                                    cand = _mk(year, month, day)
                                    if cand and cand > published + dt.timedelta(days=1):
                                        year -= 1
                            ym = (year, month) if year else None
                        else:
                            j = -1
                elif k < end and doc.tokens[k] == "منه" and doc.link[k - 1]:
                    j = k + 1
                    ym = ctx
                elif sent is not None and sent.para in ord_paras and i > 0 and doc.tokens[i - 1] in ORD_BARE_LEADS:
                    ym = ctx  # "... في الثالث من الشهر، و9 ... في العاشر": the same month
                else:
                    j = -1
                if j > i:
                    a = i
                    if i > 0 and doc.link[i - 1] and not taken[i - 1] and doc.keys[i - 1] in ("يوم", "ليله", "فجر", "صباح", "مساء"):
                        a = i - 1  # "يوم العاشر من الشهر الجاري"
                    d = _mk(ym[0], ym[1], day) if ym else None
                    out.append(DateSpan(a, j, doc.starts[a], doc.ends[j - 1], d, "day", basis=basis))
                    if sent is not None:
                        ord_paras.add(sent.para)
                    claim(a, j)
                    i = j
                    continue
        # 0.6.0: "منذ ثلاثة أيام"، "قبل 4 أيام": that many days before publication
        if tok in AGO_LEADS and i + 2 < end and doc.link[i] and doc.link[i + 1]:
            nt = doc.tokens[i + 1]
            cnt = int(nt) if nt.isdigit() and len(nt) <= 2 else AGO_COUNTS.get(nt)
            unit = AGO_UNITS.get(doc.tokens[i + 2])
            if cnt and unit and not taken[i + 1]:
                d = published - dt.timedelta(days=cnt * unit) if published else None
                out.append(DateSpan(i, i + 3, doc.starts[i], doc.ends[i + 2], d, "day" if unit == 1 else "week",
                                    relative=True, basis="relative to publication"))
                claim(i, i + 3)
                i += 3
                continue
        # 26 الشهر: a day of the month the paragraph is about (else the publication month)
        if tok in THIS_MONTH and i > 0 and doc.is_num[i - 1] and doc.link[i - 1] and not taken[i - 1] \
                and doc.tokens[i - 1].isdigit() and 1 <= int(doc.tokens[i - 1]) <= 31 and \
                not (i + 1 < end and doc.link[i] and doc.keys[i + 1] in ("ماضي", "فايت", "جاري", "قادم", "مقبل")):
            ym = last_month.get(sent.para) if sent else None
            if ym is None and published:
                ym = (published.year, published.month)
            if ym:
                d = _mk(ym[0], ym[1], int(doc.tokens[i - 1]))
                out.append(DateSpan(i - 1, i + 1, doc.starts[i - 1], doc.ends[i], d, "day",
                                    basis="month from context"))
                claim(i - 1, i + 1)
                i += 1
                continue
        # year alone after عام / سنة
        if tok in YEAR_WORDS or doc.keys[i] in YEAR_WORDS:
            if i + 1 < end and doc.link[i] and doc.is_num[i + 1] and len(doc.tokens[i + 1]) == 4 \
                    and doc.tokens[i + 1][:2] in ("19", "20"):
                y = int(doc.tokens[i + 1])
                context_year = y
                out.append(DateSpan(i, i + 2, doc.starts[i], doc.ends[i + 1], dt.date(y, 1, 1), "year", basis="explicit"))
                claim(i, i + 2)
                i += 2
                continue
        # relative expressions
        rel = _relative_at(doc, i, end) if i in rel_at else None
        if rel:
            (kind, off, prec), j = rel
            prev_tok = doc.tokens[i - 1] if i > 0 else ""
            if j < end and doc.tokens[j] in NEXT_DAY:
                # في اليوم التالي: the day after the last date mentioned before it
                prior = [x for x in out if x.i < i and x.date and x.precision == "day"]
                last = max(prior, key=lambda x: x.i).date if prior else None
                d = last + dt.timedelta(days=1) if last else None
                out.append(DateSpan(i, j + 1, doc.starts[i], doc.ends[j], d, "day", relative=True, basis="day after previous date"))
                claim(i, j + 1)
                i = j + 1
                continue
            d = None
            basis = "relative to publication"
            if kind == "relative_month" and off == 0 and sent is not None and sent.para in last_month:
                # هذا الشهر after the paragraph named its month: that month, not the publication's
                y, mo = last_month[sent.para]
                d = dt.date(y, mo, 1)
                basis = "month from context"
            elif published:
                if kind == "relative":
                    d = published + dt.timedelta(days=off)
                elif kind == "relative_month":
                    mm = published.month + off
                    yy = published.year + (mm - 1) // 12
                    d = dt.date(yy, (mm - 1) % 12 + 1, 1)
                elif kind == "relative_year":
                    d = dt.date(published.year + off, 1, 1)
            wk = _weekday_at(doc, j, end) if j < end and doc.link[j - 1] else None
            ok = None
            if wk is not None:
                ok = (d.weekday() == wk) if d else None
                j += 1
            out.append(DateSpan(i, j, doc.starts[i], doc.ends[j - 1], d, prec, relative=True, weekday_ok=ok,
                                basis=basis))
            claim(i, j)
            i = j
            continue
        # bare weekday after يوم / ليلة / صباح ...: the last such day on or before publication
        if doc.keys[i] in DAY_LEAD or doc.var[i][-1][1] in DAY_LEAD:
            k = i + 1
            if k < end and doc.tokens[k] in ("ليله", "يوم") and doc.link[i]:
                k += 1
            wk = _weekday_at(doc, k, end) if k < end and doc.link[k - 1] else None
            if wk is not None:
                j = k + 1
                past = j < end and doc.keys[j] in ("ماضي", "ماضيه", "فايت", "فايته") and doc.link[j - 1]
                future = j < end and doc.tokens[j] in FUTURE and doc.link[j - 1]
                if past or future:
                    j += 1
                d = None
                if published:
                    back = (published.weekday() - wk) % 7
                    if past and back == 0:
                        back = 7  # "الأحد الماضي" written on a Sunday: a week before
                    d = published - dt.timedelta(days=back)
                    if future:  # 0.6.0: "يوم الخميس القادم": the next such day, no event yet
                        d = published + dt.timedelta(days=(wk - published.weekday()) % 7 or 7)
                out.append(DateSpan(i, j, doc.starts[i], doc.ends[j - 1], d, "day", relative=True, weekday_ok=True,
                                    basis="weekday after publication" if future else "weekday before publication",
                                    future=future))
                claim(i, j)
                i = j
                continue
        # 0.6.0: a day-by-day line "الأحد: ..." (a weekday heading its line): the last such day
        if doc.keys[i] in lx.weekdays and doc.tokens[i].startswith("ال") and _line_head(doc, i):
            wk = lx.weekdays[doc.keys[i]]
            d = published - dt.timedelta(days=(published.weekday() - wk) % 7) if published else None
            out.append(DateSpan(i, i + 1, doc.starts[i], doc.ends[i], d, "day", relative=True,
                                weekday_ok=True, basis="weekday before publication"))
            claim(i, i + 1)
            i += 1
            continue
        # "الخميس الماضي" with no يوم before it: the last such weekday before publication
        if i + 1 < end and doc.link[i] and doc.keys[i + 1] in ("ماضي", "ماضيه", "فايت", "فايته") and doc.tokens[i + 1].startswith("ال"):
            wk = _weekday_at(doc, i, end)
            if wk is not None:
                d = None
                if published:
                    back = (published.weekday() - wk) % 7 or 7
                    d = published - dt.timedelta(days=back)
                out.append(DateSpan(i, i + 2, doc.starts[i], doc.ends[i + 1], d, "day", relative=True,
                                    weekday_ok=True, basis="weekday before publication"))
                claim(i, i + 2)
                i += 2
                continue
        i += 1
    out.sort(key=lambda s: s.i)
    for a, b in zip(out, out[1:]):
        if b.i == a.j and doc.tokens[b.i].startswith("و") and doc.link[a.j - 1]:
            b.coord = True
        # "يوم الثلاثاء 12/5/2015", "في اليوم التالي 26 أيلول": the written date says which day
        if a.relative and not b.relative and b.precision == "day" and b.date and b.i - a.j <= 2 and \
                doc.sent_of[b.i] == doc.sent_of[a.j - 1] and a.precision == "day":
            if a.date and (a.weekday_ok is not None or a.basis.startswith("weekday")):
                a.weekday_ok = b.date.weekday() == a.date.weekday()  # the weekday named agrees with the date
            a.date, a.basis = b.date, "explicit date follows"
    lx_pub = lx.publication_cues
    ends = sorted(x.j for x in out)
    for d in out:
        if doc.sentences:
            d.para = doc.sentences[doc.sent_of[d.i]].para
            s0 = doc.sentences[doc.sent_of[d.i]].t0
            lo = max(s0, d.i - PUB_WINDOW)
            # the window starts after the last date that ends in it
            e = bisect.bisect_right(ends, d.i)
            if e and ends[e - 1] > lo:
                lo = ends[e - 1]
            for k in range(d.i - 1, lo - 1, -1):
                if doc.tokens[k] in ("كما", "فيما", "بينما", "حيث"):
                    break
                if any(lx_pub.first.get(key) for _, key in doc.var[k]):
                    d.pub = True
                    break
                if k >= d.i - 4 and any(lx.not_event_cues.first.get(key) for _, key in doc.var[k]):
                    d.pub = True  # 0.6.0: "ولد في 5 آذار 1990"، "تأسس في ...": no event date
                    break
    return out


def _ordinal_at(doc, i, end):
    """(day, next token) of an ordinal day written at token i: الثالث، الخامس عشر، الحادي عشر،
    التاسع والعشرين، العشرين (a و or ب before the first word allowed)."""
    t = doc.tokens[i]
    u = ORD_UNITS.get(t)
    if u is None:
        u = ORD_UNITS.get(t[1:])
        if u is None:
            return None
    k = i + 1
    nxt = doc.tokens[k] if k < end and doc.link[i] else ""
    if u < 10 and nxt == "عشر":
        return 10 + u, k + 1
    if u < 10 and nxt in ORD_TENS:
        return ORD_TENS[nxt] + u, k + 1
    if t.endswith("الحادي"):
        return None
    return u, k


def _line_head(doc, i) -> bool:
    """Token i opens its line (bullets/spaces before it) and a colon or dash follows it: "الأحد: ..."."""
    f = doc.folded
    a = doc.starts[i]
    b = f.rfind("\n", 0, a) + 1
    if f[b:a].strip(" \t-•*▪·◾◽\u200f\u200e"):
        return False
    rest = f[doc.ends[i]:doc.ends[i] + 3].lstrip(" ")
    return rest[:1] in DAY_HEAD_SEPS and rest[:1] != ""


def _phrases_at(doc, i, end, table):
    """Phrases of a lexicon ``table`` starting at token ``i`` (before ``end``), longest first
    for each clitic reading of the token: ``(prefix_length, key tuple, n_tokens, entry)``."""
    for p, key in doc.var[i]:
        L = table.first.get(key)
        if not L:
            continue
        for n in range(min(L, end - i), 0, -1):
            if n > 1 and not all(doc.link[i + x] for x in range(n - 1)):
                continue
            k = (key,) + tuple(doc.keys[i + x] for x in range(1, n))
            hit = table.get(k)
            if hit:
                yield p, k, n, hit


def _month_at(doc, i, end):
    """(month, end, followed) of a month name at token i, or None. A second name of the same
    month linked to it (آب أغسطس: the Levantine and the Egyptian name side by side) is part of
    it; ``followed``: a month name, the same or not, follows linked."""
    months = load().months
    for _, _, n, hit in _phrases_at(doc, i, end, months):
        j, followed = i + n, False
        if j < end and doc.link[j - 1]:
            for _, _, n2, hit2 in _phrases_at(doc, j, end, months):
                followed = True
                if hit2 == hit:
                    j += n2
                break
        return hit, j, followed
    return None


def _relative_at(doc, i, end):
    lx = load()
    for p, k, n, hit in _phrases_at(doc, i, end, lx.date_words):
        if n == 1 and k[0] in ARTICLE_REQUIRED and not doc.tokens[i][p:].startswith("ال"):
            continue  # يوم / ليلة without the article are not "today" / "tonight"
        arts = lx.date_word_articles.get(k, ())
        if any(x < len(arts) and arts[x] and k[x] in ARTICLE_REQUIRED and
               not (doc.tokens[i + x][p:] if x == 0 else doc.tokens[i + x]).startswith("ال")
               for x in range(n)):
            continue  # "مساء يوم الأربعاء" is not "مساء اليوم"
        return hit, i + n
    return None
