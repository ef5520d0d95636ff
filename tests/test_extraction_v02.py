"""Rules added in extractor 0.2.0, each on phrasings composed for the test (not corpus sentences),
with a small in-test gazetteer: dates that take their month from context, publication dates,
several dates in one sentence, casualty places inherited or summed to the city, figures that
count things or the living, bare one-word names that need evidence, actor roles, attempts."""
import pytest

from arabic import name_key
from extraction.pipeline import extract
from extraction.document import Document
from extraction.dates import find_dates

import datetime as dt


class P:
    def __init__(self, id, name_ar, kind="community", adm4=None, pcode=None):
        self.id, self.name_ar, self.kind, self.adm4_pcode = id, name_ar, kind, adm4
        self.pcode = pcode if pcode is not None else (None if id.startswith("M-") else id)
        self.name_en, self.lat, self.lon, self.geo_precision = name_ar, 36.2, 37.1, 1


class R:
    def __init__(self, place):
        self.place, self.candidates, self.reason = place, [], "fake"


class Gaz:
    """Knows a few places; common words resolve only with a trigger or a listed neighbour (as geo)."""
    max_alias_words = 3
    COMMON = {"مشهد", "معادي"}

    def __init__(self):
        ps = [P("C1007", "حلب"), P("N0189", "الجلوم", "neighbourhood", "C1007"),
              P("N0139", "الصاخور", "neighbourhood", "C1007"), P("N0218", "المشهد", "neighbourhood", "C1007"),
              P("N0201", "المعادي", "neighbourhood", "C1007"), P("N0177", "القاطرجي", "neighbourhood", "C1007"),
              P("N0208", "الزبدية", "neighbourhood", "C1007"), P("C1121", "عندان"), P("C1022", "الأتارب"),
              P("C1134", "كفر حمرة"), P("C1691", "طوال"), P("C7466", "الأزرق")]
        self.idx = {}
        self.by_id = {}
        for p in ps:
            self.idx.setdefault(name_key(p.name_ar), []).append(p)
            self.by_id[p.id] = p

    def alias_keys(self):
        return frozenset(self.idx)

    def candidates(self, key):
        return self.idx.get(key, [])

    def place(self, pid):
        return self.by_id[pid]

    def is_common_word(self, key):
        return key in self.COMMON

    def resolve_all(self, qs):
        out = []
        for q in qs:
            c = self.idx.get(q.key) or []
            if q.key in self.COMMON and q.trigger in (None, "#") and not any(
                    o is not q and abs((o.start or 0) - (q.start or 0)) < 40 and o.key not in self.COMMON for o in qs):
                c = []
            out.append(R(c[0] if c else None))
        return out


GAZ = Gaz()
PUB = "2016-12-01"


def run(text, published=PUB):
    out = extract(text, published=published, gazetteer=GAZ)
    for m in out["mentions"]:
        assert text[m["start"]:m["end"]] == m["text"]
    return out


def kinds(out, kind):
    return [m for m in out["mentions"] if m["kind"] == kind]


def dates_of(text, published=PUB):
    d = Document(text)
    return [(d.text[slice(*d.orig_span(x.fstart, x.fend))], x.date, x.precision, x.pub)
            for x in find_dates(d, dt.date.fromisoformat(published))]


def event_dates(out):
    return sorted({e["date"] for e in out["events"] if e["date"]})


# ---------------------------------------------------------------- dates
def test_day_of_month_with_min():
    assert dates_of("وقع القصف في 3 من تشرين الأول 2016")[0][1] == dt.date(2016, 10, 3)


def test_day_of_the_month_being_narrated():
    text = "شهد شهر آذار 2015 تصعيدا كبيرا، وفي 26 الشهر قصفت الطائرات بلدة عندان."
    got = {d[1] for d in dates_of(text)}
    assert dt.date(2015, 3, 26) in got


def test_this_month_after_a_named_month_is_that_month():
    text = "تمكن الفريق من توثيق ست غارات في شهر أيار 2016، وآخر غارات هذا الشهر كانت في 30 أيار."
    got = [d for d in dates_of(text) if d[0] == "هذا الشهر"]
    assert got and got[0][1] == dt.date(2016, 5, 1)


def test_weekday_then_numeric_date_on_the_next_line():
    text = "مجزرة بالبراميل\n\nألقت المروحيات براميل متفجرة على حي الجلوم في مدينة حلب مساء يوم الأربعاء\n" \
           "7/9/2016 ما أدى لمقتل 4 مدنيين"
    out = run(text)
    assert kinds(out, "casualty")[0]["date"] == "2016-09-07"
    wk = [m for m in kinds(out, "date") if "الأربعاء" in m["text"]][0]
    assert wk["date"] == "2016-09-07" and wk["weekday_ok"] is True


def test_next_day_with_its_own_date():
    text = "قصفت الطائرات عندان في 11 آب 2016، وفي اليوم التالي 12 آب قصفت الأتارب."
    assert event_dates(run(text)) == ["2016-08-11", "2016-08-12"]


def test_publication_dates_are_not_event_dates():
    text = "قصفت الطائرات الحربية بلدة عندان يوم أمس. ونشر ناشطون صورا للقصف على يوتيوب في 3 أيار 2016."
    out = run(text)
    assert "2016-05-03" not in event_dates(out)
    pub = [d for d in dates_of(text) if d[1] == dt.date(2016, 5, 3)]
    assert pub and pub[0][3] is True


def test_a_period_is_not_an_event_day():
    out = run("قُتل 12 مدنيا في بلدة عندان خلال شهر أيار 2016 بحسب التقرير.")
    c = kinds(out, "casualty")[0]
    assert c["date"] is None and c["date_precision"] == "month"


def test_tv_channel_is_neither_today_nor_russia():
    out = run("بثت قناة روسيا اليوم صورا من مطار حميميم.")
    assert not kinds(out, "date")
    assert not [a for a in kinds(out, "actor") if a["actor_id"] == "russian-forces"]


# ---------------------------------------------------------------- events
def test_two_days_one_place():
    out = run("سُجلت حادثتان في 4 آب و 9 آب، وكلتاهما في بلدة عندان، استُخدمت فيهما قنابل عنقودية.")
    evs = {(e["date"], (e["place"] or {}).get("place_id")) for e in out["events"]}
    assert {("2016-08-04", "C1121"), ("2016-08-09", "C1121")} <= evs


def test_dates_and_places_in_order():
    out = run("رُصدت هجمات في 2 أيلول و5 أيلول على حيي الصاخور والجلوم على التوالي.")
    evs = {((e["place"] or {}).get("place_id"), e["date"]) for e in out["events"]}
    assert ("N0139", "2016-09-02") in evs and ("N0189", "2016-09-05") in evs
    assert ("N0139", "2016-09-05") not in evs


def test_attempted_advance_is_a_clash():
    out = run("حاولت قوات النظام التقدم والسيطرة على حي الزبدية صباح اليوم لكنها فشلت.")
    subs = {e["sub_event_type"] for e in out["events"]}
    assert "Government regains territory" not in subs


def test_negated_capture_is_a_clash():
    out = run("لم تتمكن فصائل المعارضة من استعادة حي الزبدية رغم المعارك العنيفة.")
    assert all(e["sub_event_type"] != "Non-state actor overtakes territory" for e in out["events"])


def test_attacker_and_target():
    out = run("قصفت الطائرات الروسية مواقع فصائل المعارضة في بلدة الأتارب صباح اليوم.")
    ev = [e for e in out["events"] if (e["place"] or {}).get("place_id") == "C1022"][0]
    assert ev["actor1"] == "russian-forces" and ev["actor2"] == "opposition-factions"
    assert ev["actors"][0] == "russian-forces"


def test_target_of_a_verbal_noun():
    out = run("وقامت فصائل المعارضة بقصف قوات النظام في حي الزبدية.")
    ev = out["events"][0]
    assert ev["actor1"] == "opposition-factions" and ev["actor2"] == "syrian-government-forces"


# ---------------------------------------------------------------- casualty places
def test_figure_inherits_the_place_of_the_sentence_before():
    out = run("سقطت قذائف صاروخية على حي الجلوم صباح اليوم. وأدى القصف إلى مقتل ثلاثة مدنيين.")
    assert kinds(out, "casualty")[0]["place_id"] == "N0189"


def test_inherited_toll_joins_the_event_of_the_sentence_before():
    out = run("سقطت قذائف صاروخية على حي الجلوم صباح اليوم. وأدى القصف إلى مقتل ثلاثة مدنيين.")
    evs = [e for e in out["events"] if (e["place"] or {}).get("place_id") == "N0189"]
    assert len(evs) == 1 and evs[0]["killed"]["best"] == 3


def test_not_across_paragraphs():
    out = run("حصاد اليوم\n\nسقطت قذائف صاروخية على حي الجلوم صباح اليوم.\n\nوفي سياق آخر أعلن عن مقتل ثلاثة مدنيين.")
    assert kinds(out, "casualty")[0]["place_id"] is None


def test_toll_for_a_list_of_neighbourhoods_goes_to_the_city():
    out = run("استهدف الطيران أحياء الصاخور والجلوم والمشهد ما أدى لاستشهاد 12 مدنيا.")
    assert kinds(out, "casualty")[0]["place_id"] == "C1007"


def test_toll_for_a_list_of_towns_goes_to_their_region():
    out = run("قصفت الطائرات بلدات عندان والأتارب وكفر حمرة في ريف حلب الغربي ما أدى لمقتل 6 مدنيين.")
    c = kinds(out, "casualty")[0]
    assert c["place_text"] == "ريف حلب الغربي"


def test_accusative_vague_figure():
    c = kinds(run("تصدت الفصائل للهجوم وقتلت عددا من عناصر قوات النظام."), "casualty")
    assert c and c[0]["killed"]["low"] == 2 and c[0]["killed"]["best"] is None


def test_civil_defence_centre_is_not_where_it_happened():
    out = run("قصفت قوات النظام حي الجلوم ما أدى لمقتل 4 مدنيين وإصابة مدير مركز عندان.")
    assert kinds(out, "casualty")[0]["place_id"] == "N0189"


def test_area_then_its_town():
    out = run("سقط برميل متفجر في منطقة المزارع كفر حمرة وأدى إلى مقتل 5 مدنيين.")
    c = kinds(out, "casualty")[0]
    assert c["place_text"] == "المزارع" and c["place_id"] is None


def test_city_named_with_its_neighbourhood():
    out = run("قُتل طفلان في حي الصاخور في حلب.")
    assert kinds(out, "casualty")[0]["place_id"] == "N0139"


# ---------------------------------------------------------------- figures
@pytest.mark.parametrize("text,killed", [
    ("أصيب المسعف بشظايا أدت لاستشهاده بعد ساعات في حي الجلوم.", 1),
    ("أعلنت عائلتها مقتلها بقصف على حي الصاخور.", 1),
])
def test_a_pronoun_on_the_noun_is_one_person(text, killed):
    c = kinds(run(text), "casualty")
    assert c and c[0]["killed"]["best"] == killed


@pytest.mark.parametrize("text", [
    "شنت الطائرات أكثر من30غارة على حي الجلوم أودت بحياة مدنيين.",
    "تعرضت عدة أحياء لقصف عنيف أودى بالكهرباء.",
    "تمكنت الفرق من إنقاذ 4 أطفال من تحت الأنقاض.",
    "انتشلت فرق الإنقاذ 3من الأطفال على قيد الحياة.",
    "رضيع يبلغ من العمر 5 أشهر أصيب بجروح.",
    "تنص المادة 25 على حماية الجرحى والقتلى.",
])
def test_not_a_toll(text):
    for c in kinds(run(text), "casualty"):
        assert not (c["killed"] and c["killed"]["best"] in (30, 4, 3, 5, 25)), c["text"]


def test_glued_digits_are_read():
    c = kinds(run("ارتقى أكثر من12شهيدا في حي الجلوم."), "casualty")
    assert c[0]["killed"]["low"] == 13


def test_preliminary_toll_is_flagged():
    c = kinds(run("ارتقى 9 مدنيين كحصيلة أولية في حي الصاخور."), "casualty")[0]
    assert c["preliminary"] is True and c["killed"]["best"] == 9


@pytest.mark.parametrize("text,low", [("انتُشلت أكثر من سبع جثث من تحت الركام.", 8),
                                      ("استشهد أكثر من 30 مدنيا في الغارات.", 31)])
def test_more_than(text, low):
    assert kinds(run(text), "casualty")[0]["killed"]["low"] == low


# ---------------------------------------------------------------- places
def test_bare_common_adjective_is_not_a_place():
    out = run("استمر عمل الفرق ساعات طوال، وظهرت المباني بالأزرق في الصور.")
    assert not kinds(out, "place")


def test_bare_short_name_after_a_preposition_is_a_place():
    out = run("وصلت التعزيزات إلى طوال مساء أمس.")
    assert [m["place_id"] for m in kinds(out, "place")] == ["C1691"]


@pytest.mark.parametrize("text", ["تعرضت عندان لقصف مدفعي عنيف.", "قصفت الطائرات عندان مساء أمس.",
                                  "شهدت عندان اشتباكات عنيفة.", "عندان: غارات جوية متواصلة"])
def test_bare_name_as_subject_or_object_of_an_attack(text):
    assert [m["place_id"] for m in kinds(run(text), "place")] == ["C1121"]


def test_hyphen_list_keeps_a_common_word_between_places():
    out = run("استهدفت الغارات الأحياء التالية: الجلوم -المشهد-القاطرجي ظهر اليوم.")
    assert {m["place_id"] for m in kinds(out, "place")} >= {"N0189", "N0218", "N0177"}


def test_hashtag_list_with_bidi_marks():
    out = run("استهدف القصف الأحياء: \u202b#\u200fالمعادي\u202c، \u202b#\u200fالقاطرجي\u202c، \u202b#\u200fالصاخور\u202c")
    assert {m["place_id"] for m in kinds(out, "place")} >= {"N0201", "N0177", "N0139"}


def test_common_word_alone_is_not_a_place():
    out = run("عرض المشهد كاملا في الفيديو.")
    assert not kinds(out, "place")


def test_organisation_hashtag_and_media_names_are_not_places():
    out = run("#الدفاع_المدني_مدينة_حلب\nنشر مركز حلب الإعلامي صورا من الموقع.")
    assert not [m for m in kinds(out, "place") if m["place_id"] == "C1007"]
    assert not [a for a in kinds(out, "actor") if "media" in a["actor_id"]]


def test_dateline_name():
    out = run("حلب - قصف بالبراميل على حي الجلوم\n\nتفاصيل الخبر.")
    assert "C1007" in {m["place_id"] for m in kinds(out, "place")}


# ---------------------------------------------------------------- actors
@pytest.mark.parametrize("text,actor,side", [
    ("ألقت المروحية برميلا على حي الجلوم.", "syrian-air-force", "government"),
    ("شن الطيران الحربي غارات على حي الصاخور.", "warplanes-unattributed", "other"),
    ("قامت فرق الدفاع المدني بإخماد الحريق.", "civil-defence", "civilians"),
    ("استخدمت قوات الحكومة السورية غاز الكلور.", "syrian-government-forces", "government"),
    ("نفذت القوات الجوية الروسية غارات على الأتارب.", "russian-forces", "russia"),
])
def test_actor_conventions(text, actor, side):
    hits = [a for a in kinds(run(text), "actor") if a["actor_id"] == actor]
    assert hits and hits[0]["side"] == side
