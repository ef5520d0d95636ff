"""Rules added in extractor 0.7.0: which place a casualty figure belongs to. Several composed
phrasings per category (written for the test, not taken from any corpus), with negative cases,
read with the real gazetteer."""
from extraction import extract_text, EXTRACTOR_VERSION

PUB = "2016-12-06"
HEAD = "تقرير ميداني\n\n"  # a headline with no place, so that the paragraphs below are body text

ALEPPO = "C1007"
SHAAR, MAADI, SALIHIN, SYRIAN = "N0156", "N0201", "N0211", "N0141"
SHEIKH_MAQSOUD = "N0123"
ATARIB, DARAT_IZZA, KAFRNAHA, ANADAN, HURAYTAN = "C1022", "C1139", "C1034", "C1121", "C1130"
AL_BAB = "C1202"


def run(text, pub=PUB):
    out = extract_text(text, published=pub)
    for m in out["mentions"]:
        assert text[m["start"]:m["end"]] == m["text"], m
    return out


def killed(text, pub=PUB):
    return [((m["killed"] or {}).get("best") or (m["killed"] or {}).get("low"), m["place_id"])
            for m in run(text, pub)["mentions"] if m["kind"] == "casualty" and m["killed"]]


def test_version():
    assert tuple(int(x) for x in EXTRACTOR_VERSION.split(".")) >= (0, 7, 0)


# ---- a source or a new statement after the toll: its places are not the toll's

def test_source_place_after_toll_is_not_the_tolls():
    assert killed(HEAD + "قتل 5 مدنيين في غارة جوية، بحسب ناشطين من مدينة الباب.") == [(5, None)]
    assert killed(HEAD + "قتل 4 مدنيين جراء القصف، وفق ما أفاد مراسلون في بلدة عندان.") == [(4, None)]
    assert killed(HEAD + "أعلن التنظيم مقتل 30 عنصراً، وبثت وكالته صوراً قال إنها من بلدة عندان.") == [(30, None)]


def test_place_of_the_toll_before_the_source_stays():
    assert killed(HEAD + "قتل 5 مدنيين في مدينة الباب، بحسب ناشطين من بلدة عندان.") == [(5, AL_BAB)]
    # the attribution closed by a comma: the place after it is the toll's again
    assert killed(HEAD + "قتل 5 مدنيين، بحسب ناشطين، في غارة على مدينة الباب.") == [(5, AL_BAB)]
    # a verb of saying before the figure changes nothing
    assert killed(HEAD + "وقال ناشطون إن 3 مدنيين قتلوا في بلدة عندان.") == [(3, ANADAN)]


# ---- the origin of fire is not where the toll fell

def test_origin_of_fire_is_not_the_target():
    assert killed(HEAD + "قتل 3 مدنيين بقذائف مصدرها حي الشيخ مقصود سقطت على حي السريان.") == [(3, SYRIAN)]
    assert killed(HEAD + "سقطت قذائف مصدرها حي الشيخ مقصود على حي السريان، ما أدى لمقتل 4 مدنيين.") == [(4, SYRIAN)]
    assert killed(HEAD + "قتل طفلان بصواريخ أطلقت من بلدة حريتان على بلدة عندان.") == [(2, ANADAN)]
    assert killed(HEAD + "هاجم التنظيم انطلاقاً من مدينة الباب بلدة عندان، ما أدى لمقتل 6 عناصر.") == [(6, ANADAN)]


def test_origin_alone_keeps_its_place():
    # no other place in the clause: the only place named stays
    assert killed(HEAD + "قتل 3 مدنيين بقذائف مصدرها حي الشيخ مقصود.") == [(3, SHEIKH_MAQSOUD)]
    assert killed(HEAD + "قتل 3 مدنيين في حي الشيخ مقصود.") == [(3, SHEIKH_MAQSOUD)]


# ---- a toll after a list of places (no region after it): the first named

def test_toll_after_a_list_of_towns_is_the_first():
    assert killed(HEAD + "قصفت الطائرات بلدتي الأتارب ودارة عزة، ما أدى لمقتل 4 مدنيين.") == [(4, ATARIB)]
    assert killed(HEAD + "اشتباكات في محيط بلدة عندان وبلدة حريتان، قتل خلالها 6 عناصر.") == [(6, ANADAN)]
    assert killed(HEAD + "غارات على الأتارب، ودارة عزة، وكفرناها أدت إلى مقتل 7 مدنيين.") == [(7, ATARIB)]


def test_lists_that_keep_their_rules():
    # a list then its region: the region (0.4.0); quarters of one city: the city (0.5.0)
    out = killed(HEAD + "غارات على بلدات الأتارب ودارة عزة وكفرناها في ريف حلب الغربي أدت لمقتل 9 مدنيين.")
    assert out == [(9, "M-rif-halab-west")]
    assert killed(HEAD + "سقطت قذائف على أحياء الشعار والمعادي والصالحين، ما أدى لمقتل 8 مدنيين.") == [(8, ALEPPO)]
    # two places not joined as a list: the nearest before
    assert killed(HEAD + "قصفت الطائرات مدينة الباب. وفي بلدة عندان قتل 3 مدنيين.") == [(3, ANADAN)]


# ---- a clause with no place of its own continues its sentence's place

def test_clause_without_place_takes_the_sentence_place():
    assert killed(HEAD + "صدت الفصائل هجوماً على بلدة عندان، فيما قتل اثنان من مقاتليها.") == [(2, ANADAN)]
    assert killed(HEAD + "تواصل القصف على حي المعادي، كما قتل 3 مدنيين خلال ساعات.") == [(3, MAADI)]


def test_toll_with_its_own_place_in_a_later_clause():
    assert killed(HEAD + "تواصل القصف على حي المعادي، فيما قتل 3 مدنيين في حي الشعار.") == [(3, SHAAR)]


# ---- a toll of "the battles" in the paragraph after the fighting

def test_battle_toll_over_quarters_of_one_city_is_the_city():
    text = HEAD + ("تقدمت الفصائل في حي الشعار وحي المعادي وحي الصالحين.\n\n"
                   "وأسفرت المعارك عن مقتل 20 عنصراً من قوات النظام.\n\n"
                   "وقد قتل من الفصائل 7 مقاتلين.")
    assert killed(text) == [(20, ALEPPO), (7, ALEPPO)]


def test_battle_toll_over_one_place_is_that_place():
    text = HEAD + "هاجمت قوات النظام بلدة عندان من عدة محاور.\n\nوأسفرت الاشتباكات عن مقتل 12 عنصراً."
    assert killed(text) == [(12, ANADAN)]


def test_battle_toll_over_several_towns_has_no_place():
    text = HEAD + ("سيطر التنظيم على بلدة عندان وبلدة حريتان بعد انسحاب الفصائل نحو مدينة مارع.\n\n"
                   "وأسفرت المعارك عن مقتل 40 عنصراً من الطرفين.")
    assert killed(text) == [(40, None)]


def test_battle_toll_with_a_region_is_the_regions():
    text = HEAD + ("شن التنظيم هجوماً في ريف حلب الشمالي وسيطر على عندان وحريتان ومارع.\n\n"
                   "وقالت مصادر إن المعارك أسفرت عن مقتل 25 عنصراً.")
    assert killed(text) == [(25, "M-rif-halab-north")]


def test_no_battle_word_no_carry_over():
    # a claim with no word referring back to the fighting does not take the paragraph before
    text = HEAD + "هاجمت قوات النظام بلدة عندان.\n\nوأعلنت وكالة التنظيم مقتل 50 عنصراً من الفصائل."
    assert killed(text) == [(50, None)]


# ---- place anaphora: "في الحي"، "البلدة"

def test_the_quarter_refers_to_the_last_quarter_named():
    text = HEAD + ("صعدت الفصائل قصفها على حي الشيخ مقصود في مدينة حلب.\n\n"
                   "وأفاد مراسلنا في الحي أن القصف أسفر عن مقتل 6 مدنيين.")
    assert killed(text) == [(6, SHEIKH_MAQSOUD)]


def test_the_town_refers_to_the_last_town_named():
    text = HEAD + ("قصفت المدفعية حي الشعار ثم بلدة حريتان.\n\n"
                   "وقال ناشطون في البلدة إن 4 مدنيين قتلوا.")
    assert killed(text) == [(4, HURAYTAN)]


def test_the_quarter_with_no_quarter_before_gives_no_place():
    text = HEAD + "قصفت الطائرات مدينة الباب.\n\nوأفاد مراسلنا في الحي أن القصف أسفر عن مقتل 5 مدنيين."
    assert killed(text) == [(5, None)]


def test_the_centre_named_after_its_quarter():
    # "فرق مركز الشعار لاستهداف الحي": the centre's own quarter
    text = HEAD + "استجابت فرق مركز حي الصالحين لاستهداف الحي بالبراميل، ما أسفر عن استشهاد 7 مدنيين."
    assert killed(text) == [(7, SALIHIN)]


# ---- the total of a list whose lines include one without deaths

def test_total_after_list_with_a_line_without_deaths():
    text = HEAD + ("الحصيلة:\n\n"
                   "- حي الشعار: 3 شهداء\n"
                   "- حي المعادي: 4 شهداء\n"
                   "- حي الصالحين: 5 جرحى، دون شهداء\n\n"
                   "المجموع: 7 شهداء.")
    out = killed(text)
    assert (3, SHAAR) in out and (4, MAADI) in out
    assert (7, ALEPPO) in out
