"""Focused tests of the language rules on phrasings of the front (composed, not the sample),
with a tiny in-test gazetteer so they do not depend on geo/'s data."""
import datetime as dt

import pytest

from arabic import name_key
from extraction.pipeline import extract
from extraction.document import Document
from extraction.numbers import find_in_sentence
from extraction.dates import find_dates


# ---------------------------------------------------------------- a tiny gazetteer
class P:
    def __init__(self, id, name_ar, kind="community", pcode=None, lat=36.2, lon=37.1, prec=1, adm4=None):
        self.id, self.name_ar, self.kind, self.pcode = id, name_ar, kind, pcode if pcode is not None else id
        self.name_en, self.lat, self.lon, self.geo_precision, self.adm4_pcode = name_ar, lat, lon, prec, adm4


class R:
    def __init__(self, place):
        self.place, self.candidates, self.reason = place, [], "fake"


class FakeGaz:
    max_alias_words = 3

    def __init__(self):
        ps = [P("C1007", "حلب"), P("N0189", "الجلوم", "neighbourhood", adm4="C1007"),
              P("N0207", "الصاخور", "neighbourhood", adm4="C1007"), P("N0150", "المشهد", "neighbourhood"),
              P("N0101", "جسر الحج", "neighbourhood"), P("N0102", "السكري", "neighbourhood"),
              P("N0103", "قاضي عسكر", "neighbourhood"), P("N0104", "باب النيرب", "neighbourhood"),
              P("C1121", "عندان"), P("C1200", "حريتان"), P("C1134", "كفر حمرة"), P("C1022", "الأتارب"),
              P("C1021", "بابكة"), P("N0208", "الزبدية", "neighbourhood"),
              P("M-rif-halab-west", "ريف حلب الغربي", "region", pcode=None, prec=3)]
        self.idx = {}
        for p in ps:
            self.idx.setdefault(name_key(p.name_ar), []).append(p)

    def candidates(self, key):
        return self.idx.get(key, [])

    def is_common_word(self, key):
        return key in {"تقدم"}

    def resolve_all(self, qs):
        self.calls = getattr(self, "calls", 0) + 1
        out = []
        for q in qs:
            c = self.idx.get(q.key) or self.idx.get(f"{q.trigger} {q.key}") or []
            out.append(R(c[0] if c else None))
        return out


GAZ = FakeGaz()
PUB = "2016-07-20"  # a Wednesday


def run(text, published=PUB):
    return extract(text, published=published, gazetteer=GAZ)


def kinds(out, kind):
    return [m for m in out["mentions"] if m["kind"] == kind]


def cas(text, published=PUB):
    out = run(text, published)
    for m in out["mentions"]:
        assert text[m["start"]:m["end"]] == m["text"]
    return kinds(out, "casualty")


# ---------------------------------------------------------------- numbers
def qty(text):
    d = Document(text)
    return [(q.low, q.best, q.high) for s in d.sentences for q in find_in_sentence(d, s)]


@pytest.mark.parametrize("text,expected", [
    ("سبعة", (7, 7, 7)), ("خمسة عشر", (15, 15, 15)), ("ثلاث وأربعين", (43, 43, 43)),
    ("مئة ألف", (100000, 100000, 100000)), ("مئتا ألف", (200000, 200000, 200000)),
    ("مائة وخمسون", (150, 150, 150)), ("ثلاثة آلاف", (3000, 3000, 3000)), ("إحدى عشرة", (11, 11, 11)),
    ("١٥", (15, 15, 15)), ("۲۳", (23, 23, 23)), ("1,748", (1748, 1748, 1748)), ("25 ألف", (25000, 25000, 25000)),
    ("العشرات", (10, None, 99)), ("عشرات", (10, None, 99)), ("المئات", (100, None, 999)),
    ("عدد من", (2, None, None)), ("آخرون", (1, None, None)),
    ("أكثر من 25", (26, None, None)), ("ما لا يقل عن 12", (12, 12, None)), ("نحو 30", (None, 30, None)),
    ("امرأتان", (2, 2, 2)), ("رجلين", (2, 2, 2)), ("طفلين", (2, 2, 2)),
])
def test_quantities(text, expected):
    assert qty(text)[0] == expected


def test_days_are_not_numbers():
    assert qty("يوم الأحد الماضي") == []


# ---------------------------------------------------------------- dates
def dates(text, published=dt.date(2016, 12, 6)):
    d = Document(text)
    return [(s.date.isoformat() if s.date else None, s.precision) for s in find_dates(d, published)]


@pytest.mark.parametrize("text,expected", [
    ("قصف اليوم", ("2016-12-06", "day")), ("قصف أمس", ("2016-12-05", "day")),
    ("الليلة الماضية", ("2016-12-05", "day")), ("صباح اليوم", ("2016-12-06", "day")),
    ("يوم أمس الاثنين", ("2016-12-05", "day")), ("21-11-2016", ("2016-11-21", "day")),
    ("15/9/2014", ("2014-09-15", "day")), ("السكري 24 5 2015", ("2015-05-24", "day")),
    ("في 22 أيلول 2016", ("2016-09-22", "day")), ("في 3 تشرين الثاني 2016", ("2016-11-03", "day")),
    ("في 7 نوفمبر", ("2016-11-07", "day")), ("في شهر آب أغسطس 2016", ("2016-08-01", "month")),
    ("منذ عام 2013", ("2013-01-01", "year")), ("الأسبوع الماضي", ("2016-11-29", "week")),
    ("ليلة الخميس", ("2016-12-01", "day")), ("في 20 ديسمبر", ("2015-12-20", "day")),
])
def test_dates(text, expected):
    assert dates(text)[0] == expected


def test_weekday_checked():
    d = Document("قصف يوم أمس الأحد")
    (s,) = find_dates(d, dt.date(2016, 12, 6))
    assert s.weekday_ok is False
    d = Document("قصف يوم أمس الاثنين")
    (s,) = find_dates(d, dt.date(2016, 12, 6))
    assert s.weekday_ok is True


def test_month_names_need_a_day_or_year():
    assert dates("قال الأب إن مارس الضغط") == []


# ---------------------------------------------------------------- casualties
def one(text, **kw):
    cs = cas(text, **kw)
    assert len(cs) == 1, [c["text"] for c in cs]
    return cs[0]


def r(c, key="killed"):
    v = c[key]
    return (v["low"], v["best"], v["high"]) if v else None


def test_killed_word_number_civilians():
    c = one("قتل خمسة عشر مدنيا بغارة على حي الجلوم.")
    assert r(c) == (15, 15, 15) and c["victims"] == "civilians" and c["place_id"] == "N0189"


def test_martyrs_counted_noun_after_figure():
    c = one("سقط ١٢ شهيدا في قصف على حي الصاخور اليوم.")
    assert r(c) == (12, 12, 12) and c["place_id"] == "N0207"


def test_more_than_with_injured_vague():
    c = one("أدى القصف إلى استشهاد أكثر من 25 مدني وإصابة العشرات في جسر الحج.")
    assert r(c) == (26, None, None)
    assert r(c, "injured") == (10, None, 99)


def test_injured_only():
    c = one("أصيب 8 أشخاص بجروح جراء قذيفة هاون على المشهد.")
    assert c["killed"] is None and r(c, "injured") == (8, 8, 8)


def test_dual_victims():
    c = one("مقتل طفلين بقصف مدفعي على عندان.")
    assert r(c) == (2, 2, 2) and c["victims"] == "civilians"


def test_combatants_after_verb():
    c = one("عشرات من عناصر قوات النظام قتلوا في الاشتباكات.")
    assert r(c) == (10, None, 99) and c["victims"] == "combatants"


def test_breakdown_not_added():
    c = one("استشهد تسعة مدنيين بينهم أربعة أطفال وامرأتان في غارة على حريتان.")
    assert r(c) == (9, 9, 9)
    assert [b["count"] for b in c["breakdown"]] == [4, 2]


def test_parenthesised_breakdown_not_added():
    c = one("ارتقى ستة مدنيين (طفلان وثلاث نساء ورجل) في بابكة.")
    assert r(c) == (6, 6, 6)


def test_majority_qualifier_makes_civilians():
    c = one("أودت الغارات بحياة 8 اشخاص أغلبهم من الاطفال في المشهد.")
    assert r(c) == (8, 8, 8) and c["victims"] == "civilians"


def test_aggregate_toll_marked():
    cs = cas("قتل 5 مدنيين في عندان، كما قتل 4 في حريتان، ليرتفع عدد الضحايا اليوم إلى تسعة قتلى.")
    assert [r(c) for c in cs] == [(5, 5, 5), (4, 4, 4), (9, 9, 9)]
    assert [c["aggregate"] for c in cs] == [False, False, True]


def test_displaced_and_besieged_are_not_casualties():
    assert cas("نزح أكثر من ثلاثين ألف مدني من الأحياء الشرقية، فيما يعاني مئتا ألف آخرون من الحصار.") == []


def test_figures_without_cue_are_not_casualties():
    assert cas("وثق الأرشيف 43 حادثة و1,748 مقطع فيديو في حلب.") == []


def test_captured():
    c = one("أسر الثوار 12 عنصرا من قوات النظام على جبهة الراموسة.")
    assert r(c, "captured") == (12, 12, 12)


# ---------------------------------------------------------------- places
def places(text):
    return [(m["text"], m["pcode"], m["resolved"]) for m in kinds(run(text), "place")]


def test_list_after_plural_trigger():
    ps = places("قصف الطيران أحياء الزبدية والإذاعة وجبل الجلبي.")
    assert [p[0] for p in ps] == ["الزبدية", "الإذاعة", "جبل الجلبي"]
    assert ps[0][1] == "N0208" and ps[1][2] is False and ps[2][2] is False


def test_juxtaposed_list_and_clitics():
    ps = places("استهدفت الغارات بلدات بابكة الأتارب وكفر حمرة بريف حلب الغربي.")
    assert [p[1] for p in ps[:3]] == ["C1021", "C1022", "C1134"]
    assert ps[3][0] == "ريف حلب الغربي"


def test_unknown_place_after_trigger_kept_for_review():
    ps = places("دارت اشتباكات على محور الملاح وفي قرية تل مصيبين.")
    assert ("الملاح", None, False) in ps
    assert ("تل مصيبين", None, False) in ps


def test_hashtags():
    ps = places("غارات على #جسر_الحج و #السكري و #باب_النيرب")
    assert [p[1] for p in ps] == ["N0101", "N0102", "N0104"]


def test_common_word_is_not_a_place():
    assert places("حاولت القوات التقدم نحو المنطقة.") == []


def test_actor_names_are_not_places():
    assert places("أعلن جيش حلب التعبئة.") == []


def test_resolve_all_called_once_per_report():
    GAZ.calls = 0
    run("قصف على الجلوم وعندان وحريتان.")
    assert GAZ.calls == 1


# ---------------------------------------------------------------- actors
@pytest.mark.parametrize("text,actor_id,side", [
    ("قوات النظام", "syrian-government-forces", "government"),
    ("جيش الأسد", "syrian-government-forces", "government"),
    ("الطيران المروحي", "syrian-air-force", "government"),
    ("الطائرات الروسية", "russian-forces", "russia"),
    ("الطيران الحربي", "warplanes-unattributed", "other"),
    ("جبهة النصرة", "nusra", "jihadist"), ("جبهة فتح الشام", "nusra", "jihadist"),
    ("أحرار الشام", "ahrar-al-sham", "jihadist"), ("الجيش الحر", "fsa", "opposition"),
    ("حزب الله", "hezbollah", "iran-backed"), ("لواء القدس", "liwa-al-quds", "pro-government-militia"),
    ("وحدات حماية الشعب", "ypg", "kurdish"), ("قوات سوريا الديمقراطية", "sdf", "kurdish"),
    ("تنظيم الدولة", "isis", "isis"), ("داعش", "isis", "isis"), ("التحالف الدولي", "coalition", "coalition"),
    ("الميليشيات الموالية", "pro-government-militias", "pro-government-militia"),
    ("ميليشيات إيرانية", "iran-backed-militias", "iran-backed"), ("نور الدين زنكي", "nour-al-din-al-zenki", "opposition"),
])
def test_actors(text, actor_id, side):
    (m,) = kinds(run("هاجمت " + text + " المنطقة."), "actor")
    assert (m["actor_id"], m["side"]) == (actor_id, side)


def test_coordinated_nationalities_one_actor():
    (m,) = kinds(run("الميليشيات العراقية والأفغانية تتقدم."), "actor")
    assert m["text"] == "الميليشيات العراقية والأفغانية"


# ---------------------------------------------------------------- events
def test_events_one_per_place_with_types():
    out = run("ألقى الطيران المروحي براميل متفجرة على حي الصاخور والمشهد صباح اليوم، ما أدى لمقتل 4 مدنيين في المشهد.")
    evs = {e["place"]["pcode"]: e for e in out["events"]}
    assert set(evs) == {"N0207", "N0150"}
    assert evs["N0150"]["killed"]["best"] == 4 and evs["N0207"]["killed"] is None
    assert all(e["sub_event_type"] == "Air/drone strike" and e["date"] == PUB for e in evs.values())
    assert "barrel bombs" in evs["N0150"]["weapons"]
    assert evs["N0150"]["actors"] == ["syrian-air-force"]


def test_territory_by_side():
    out = run("استعادت قوات النظام السيطرة على حي الصاخور أمس.")
    (e,) = out["events"]
    assert e["sub_event_type"] == "Government regains territory" and e["date"] == "2016-07-19"
    out = run("سيطرت فصائل المعارضة على حريتان.")
    assert out["events"][0]["sub_event_type"] == "Non-state actor overtakes territory"


def test_shelling_and_clash():
    out = run("قصفت قوات النظام بقذائف الهاون بلدة عندان. ودارت اشتباكات عنيفة على جبهة الراموسة.")
    types = [(e["place"]["text"], e["sub_event_type"]) for e in out["events"]]
    assert ("عندان", "Shelling/artillery/missile attack") in types
    assert ("الراموسة", "Armed clash") in types


def test_repeated_paragraph_read_once():
    body = "قتل 6 مدنيين في غارة على حي الجلوم اليوم، وأصيب آخرون."
    text = "عنوان الخبر\n\n" + body[:30] + "...\n\n" + body + "\n\n" + body + "\n\nأخبار متعلقة\n"
    out = run(text)
    assert len([c for c in kinds(out, "casualty") if c["killed"]]) == 1
    assert sum(e["killed"]["best"] for e in out["events"] if e["killed"]) == 6


def test_no_published_date_gives_null_relative_dates():
    out = extract("قتل 3 مدنيين في عندان اليوم.", gazetteer=GAZ)
    (c,) = kinds(out, "casualty")
    assert c["date"] is None and out["report"]["published"] is None
