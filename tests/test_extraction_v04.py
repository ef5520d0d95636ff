"""Rules added in extractor 0.4.0 (casualties on unseen reports), several composed phrasings per
phenomenon (written for the test, not taken from any corpus), read with the real gazetteer:
counts given by nouns and names, dialect spellings, verbs of killing with the subject or a time
between verb and object, negated and denied tolls, running totals, breakdowns that must not
become tolls, per-place lists and bullet lines, and numbers that are not casualties."""
import pytest

from extraction import extract_text, EXTRACTOR_VERSION
from extraction.lexicons import load

PUB = "2016-12-06"  # a Tuesday


def run(text, pub=PUB):
    return extract_text(text, published=pub)


def figs(text, pub=PUB):
    doc = run(text, pub)
    for m in doc["mentions"]:
        assert doc_text(text, m) == m["text"]  # exact offsets
    return [m for m in doc["mentions"] if m["kind"] == "casualty"]


def doc_text(text, m):
    return text[m["start"]:m["end"]]


def killed(text):
    """The killed figures (best, else low) of a text, in order."""
    return [(m["killed"]["best"] if m["killed"]["best"] is not None else m["killed"]["low"])
            for m in figs(text) if m["killed"]]


def killed_at(text):
    return [((m["killed"]["best"] if m["killed"]["best"] is not None else m["killed"]["low"]), m["place_id"])
            for m in figs(text) if m["killed"]]


def test_version():
    assert tuple(int(x) for x in EXTRACTOR_VERSION.split(".")) >= (0, 4, 0)


# 1. counts given by nouns: coordinated victims are added, a dual counts two
@pytest.mark.parametrize("text,n", [
    ("قتل ثلاثة أطفال وامرأة في قصف على حي الشعار.", 4),
    ("استشهد خمسة رجال وامرأتان جراء الغارة على حي الصاخور.", 7),
    ("أسفر القصف عن مقتل 4 أطفال و3 نساء في حي السكري.", 7),
    ("مقتل رجل وزوجته بقذيفة هاون على حي الحمدانية.", 2),
    ("استشهاد طفل وامرأة في غارة على حي الكلاسة.", 2),
    ("استشهد تلات شباب وصبية زغيرة بالبرميل.", 4),
    ("سقط شهيدان في قصف على حي الشعار.", 2),
    ("قصف بالطيران على حي الشعار يوقع شهيدين.", 2),
    ("الغارة أوقعت قتيلين في حي السكري.", 2),
])
def test_counts_by_nouns(text, n):
    assert killed(text) == [n]


def test_civilians_and_fighters_side_by_side_are_two_figures():
    assert killed("مقتل 5 مدنيين و3 عناصر من الجيش الحر في حي الشعار.") == [5, 3]


def test_far_ordinal_adds_one():
    t = ("أدى القصف على حي الشعار لاستشهاد متطوعَين من فريقنا أثناء عملهما في إسعاف الجرحى، "
         "ومدنيٍّ ثالث كان برفقتهما.")
    assert killed(t) == [3]


@pytest.mark.parametrize("text,n", [
    ("تم انتشال الضحايا وهم محمود الحلو وزوجته من تحت الأنقاض في حي السكري.", 2),
    ("وثق الناشطون أسماء الشهداء وهم أحمد العلي، ومحمد الخطيب، وخالد حسن.", 3),
    ("استشهد أخوان في قصف على حي الشعار، والشهيدان هما علي ومحمد.", 2),
])
def test_counted_by_naming(text, n):
    assert n in killed(text)


def test_names_without_a_list_are_no_figure():
    assert killed("وكان الشهداء هم من المدنيين الذين خرجوا للسوق.") == []


# 2. dialect spellings and more verbs
@pytest.mark.parametrize("text,n", [
    ("وبالصاخور شي خمس شهدا من عيلة وحدة.", 5),
    ("الشباب قتلو اكتر من عشرين عسكري من جيش النظام على جبهة الشيخ نجار.", 21),
    ("انقتل تلات شباب بالقصف عحي الشعار.", 3),
    ("فارق 4 مدنيين الحياة متأثرين بجراحهم في حي السكري.", 4),
])
def test_dialect_and_verbs(text, n):
    assert killed(text) == [n]


@pytest.mark.parametrize("text", [
    "وفي دير حافر، أعدم تنظيم داعش صباح اليوم رجلين اثنين في ساحة المدينة.",
    "أعدمت عناصر التنظيم صباح أمس الاثنين رجلين في ساحة دير حافر.",
    "وقتلت قوات النظام فجر اليوم شابين على حاجز في حي الشعار.",
])
def test_verb_subject_time_object(text):
    assert killed(text) == [2]


# 3. negation and denial
@pytest.mark.parametrize("text", [
    "نفت وزارة الدفاع مقتل 5 عناصر في الهجوم على حي الشعار.",
    "ونفى المصدر مقتل 12 مدنيا في القصف.",
    "ولم يسفر القصف عن سقوط 3 قتلى كما أشيع.",
    "تداولت صفحات شائعات عن مقتل 20 مقاتلا في حي الصاخور.",
    "قصف على حي الشعار دون وقوع قتلى.",
    "لا شهداء، 3 إصابات طفيفة في حي المعادي.",
])
def test_negated_or_denied_is_no_toll(text):
    assert killed(text) == []


def test_negation_is_local():
    # "لم" in another clause, or إلا/سوى, keeps the figure
    assert killed("لم تتمكن فرق الإنقاذ من الوصول، فيما قتل 4 مدنيين في حي الشعار.") == [4]
    assert killed("لم يقتل في الغارة إلا 3 مدنيين.") == [3]


# 4. running totals
@pytest.mark.parametrize("text,n", [
    ("ارتفع عدد القتلى جراء القصف على حي الشعار إلى 23.", 23),
    ("وبذلك يرتفع إلى 212 عدد المدنيين الذين قتلوا في مدينة حلب وريفها.", 212),
    ("وارتفعت حصيلة الشهداء في حي السكري إلى 15 شهيدا.", 15),
])
def test_running_total(text, n):
    fs = [m for m in figs(text) if m["killed"]]
    assert [m["killed"]["best"] for m in fs] == [n] and fs[0]["aggregate"]


def test_running_total_for_city_and_countryside_has_no_place():
    fs = figs("وبذلك يرتفع إلى 212 عدد المدنيين الذين قتلوا في مدينة حلب وريفها.")
    assert fs[0]["place_id"] is None


# 5. breakdowns are never tolls of their own
@pytest.mark.parametrize("text,bd", [
    ("قتل 15 مدنيا بينهم طبيب وثلاثة من الكادر الطبي في حي السكري.", 1),
    ("استشهد 9 أشخاص بينهم 4 أطفال وامرأتان في حي الشعار.", 2),
    ("سقط 6 شهداء من بينهم طفلان في حي الكلاسة.", 1),
    ("والحصيلة لهلق 14 شهيد بينن ولاد ونسوان.", 0),
])
def test_breakdown_not_a_toll(text, bd):
    fs = [m for m in figs(text) if m["killed"]]
    assert len(fs) == 1 and len(fs[0]["breakdown"]) >= bd


# 6. tolls laid out place by place
def test_per_place_in_one_sentence():
    got = killed_at("استشهد 3 مدنيين في حي الشعار و5 في حي الصاخور و2 في حي الكلاسة.")
    assert got == [(3, "N0156"), (5, "N0139"), (2, "N0197")]


def test_toll_before_a_later_toll_keeps_its_own_place():
    got = killed_at("الحصيلة اليوم بحلب وريفها تجاوزت الاربعين شهيد، والبارحه كان في 65 شهيد بالشعار والقاطرجي.")
    assert got[0] == (41, None)


def test_toll_over_a_list_of_quarters_is_the_citys():
    got = killed_at("سقط 65 شهيدا بالبراميل في أحياء الشعار والصاخور والكلاسة.")
    assert got == [(65, "C1007")]


@pytest.mark.parametrize("text,expect", [
    ("- حي السكري: 15 مدنياً بينهم طبيب، جراء غارات استهدفت مشفى ميدانياً فجر اليوم.\n"
     "- حي بستان القصر: 6 مدنيين بينهم طفلان، في غارات مماثلة.\n"
     "- حي صلاح الدين: مدنيان اثنان برصاص قناص.\n",
     [(15, "N0219"), (6, "N0204"), (2, "N0214")]),
    ("• حي الشعار – 7 شهداء بينهم امرأتان جراء برميل متفجر على السوق\n"
     "• حي الصاخور – 4 شهداء\n", [(7, "N0156"), (4, "N0139")]),
])
def test_bullet_lines(text, expect):
    assert killed_at(text) == expect


def test_line_head_names_the_place():
    t = ("حلب - صلاح الدين: قصف عنيف على الحي، وسط اشتباكات مع جيش النظام الذي يحاول اقتحام الحي "
         "من جهة دوار الحمدانية، وسقوط 9 شهداء بينهم ثلاثة أطفال.")
    assert killed_at(t) == [(9, "N0214")]


def test_weak_verb_takes_the_type_of_its_noun():
    fs = figs("حلب - الشعار: قصف على محيط المشفى، وسقوط عدد من الجرحى بين المدنيين.")
    assert [m for m in fs if m["killed"]] == [] and fs and fs[0]["injured"]


# 7. numbers that are not casualties
@pytest.mark.parametrize("text", [
    "خرج المشفى عن الخدمة وكان يضم 40 سريرا في حي الشعار.",
    "دخلت قافلة من 31 شاحنة محملة بالمساعدات إلى حي الشعار.",
    "نزحت 300 عائلة من حي الصاخور إلى حي الشعار خلال الأسبوع.",
    "وزعت المنظمة 500 سلة غذائية على الأهالي في حي السكري.",
    "قتل في عام 2016 في حي الشعار.",
    "أصيب منذ 2015 بشظية في حي الشعار.",
    "للتواصل مع الدفاع المدني في حي الشعار: 0944123456.",
    "وصلت 3 دبابات و5 عربات إلى محيط حي الشعار.",
    "تعرض حي الشعار لأكثر من 40 غارة خلال 24 ساعة.",
    "قتل المدنيون في 12-05-2015 بقصف على الحي.",
])
def test_not_casualties(text):
    assert killed(text) == []


def test_age_is_not_a_count():
    assert killed("استشهد طفل في العاشرة من عمره بقصف على حي الشعار.") == [1]
    assert killed("استشهاد طفل عمره 10 سنوات في حي السكري.") == [1]


def test_rescued_alive_are_not_added():
    t = "أسفر القصف عن استشهاد 7 مدنيين وتمكنت الفرق من انتشال 4 أشخاص أحياء من تحت الأنقاض في حي الشعار."
    assert killed(t) == [7]


def test_negation_lexicon_is_data():
    assert load().negation.get("نفت") == "deny" and load().negation.get("لم") == "near"


def test_since_a_day_dates_no_figure():
    fs = figs("وبذلك يرتفع إلى 212 عدد المدنيين الذين قتلوا في حي الشعار منذ الجمعة 2 كانون الأول الجاري.")
    assert fs[0]["killed"]["best"] == 212 and fs[0]["date"] != "2016-12-02"


def test_schema_valid_on_new_phrasings():
    import json
    from pathlib import Path
    import jsonschema
    schema = json.loads((Path(__file__).resolve().parents[1] / "extraction" / "schema.json").read_text("utf-8"))
    for t in ["- حي السكري: 15 مدنياً بينهم طبيب.\n- حي صلاح الدين: مدنيان اثنان.",
              "تم انتشال الضحايا وهم محمود الحلو وزوجته.", "نفت الوزارة مقتل 5 عناصر.",
              "استشهد تلات شباب وصبية زغيرة، والشهيدان هما علي ومحمد."]:
        jsonschema.validate(run(t), schema)
