"""Rules added in extractor 0.5.0 (figure + place linking, places by category, counts), several
composed phrasings per category (written for the test, not taken from any corpus), with negative
cases, read with the real gazetteer."""
from extraction import extract_text, EXTRACTOR_VERSION

PUB = "2016-12-06"


def run(text, pub=PUB):
    return extract_text(text, published=pub)


def places(text):
    out = run(text)
    for m in out["mentions"]:
        assert text[m["start"]:m["end"]] == m["text"]
    return [(m["text"], m["place_id"]) for m in out["mentions"] if m["kind"] == "place"]


def figs(text):
    out = run(text)
    return [m for m in out["mentions"] if m["kind"] == "casualty"]


def killed_at(text):
    return [((m["killed"] or {}).get("best") or (m["killed"] or {}).get("low"), m["place_id"])
            for m in figs(text) if m["killed"]]


def test_version():
    assert tuple(int(x) for x in EXTRACTOR_VERSION.split(".")) >= (0, 5, 0)


# ---- places: prisons, roads, rivers, numbered bases are kept whole, never the town they are named after
def test_prison_is_not_the_city():
    for t in ("اشتباكات عنيفة في محيط سجن حلب المركزي منذ الصباح.",
              "تقدمت الفصائل نحو سجن حلب المركزي.",
              "قتل 4 عناصر قرب سجن حلب المركزي."):
        ps = places(t)
        assert ("سجن حلب المركزي", None) in ps, ps
        assert not any(pid == "C1007" for _, pid in ps)


def test_road_named_after_a_place_is_not_the_place():
    ps = places("وصلت القافلة عبر طريق الراموسة إلى المدينة.")
    assert ("طريق الراموسة", None) in ps and not any(pid == "N0226" for _, pid in ps)
    ps = places("سيطرت القوات على طريق خناصر.")
    assert ("طريق خناصر", None) in ps
    # a known road stays resolved; "عن طريق" (by way of) is no road
    assert any(pid == "M-castello-road" for _, pid in places("اقتربت القوات من طريق الكاستيلو."))
    assert places("تم نقلهم عن طريق التهريب.") == []
    assert places("وصل الوقود عن طريق حلب.") in ([], [("حلب", "C1007")])


def test_river_in_a_quarter_gives_the_quarter_the_toll():
    assert killed_at("انتشلت 12 جثة من نهر قويق في حي بستان القصر.") == [(12, "N0204")]
    assert ("نهر قويق", None) in places("فاض نهر قويق بعد الأمطار.")


def test_numbered_base_and_housing_project():
    assert ("الفوج 46", None) in places("استهدفت غارة مقراً قرب الفوج 46 غرب المدينة.")
    assert ("مشروع 3000 شقة", None) in places("تقدم المقاتلون في مشروع 3000 شقة.")
    assert ("الفوج 111", None) in places("اشتباكات على أطراف الفوج 111.")


def test_whole_name_with_trigger():
    ps = places("سيطر الثوار على ضاحية الأسد غرب حلب.")
    assert ("ضاحية الأسد", "M-dahiyat-asad") in ps and not any(t == "الأسد" for t, _ in ps)


def test_kunya_is_a_person_not_a_place():
    for t in ("وقال القائد أبو بكر الأنصاري إن الهجوم فشل.",
              "أفاد الناشط أبو محمد الصاخوري بمقتل شخصين.",
              "صرح أبو عمر الشعار لمراسلنا."):
        assert places(t) == [], t
    # the places named right after are still places
    assert ("الأنصاري", "N0195") in places("قصف الطيران حي الأنصاري.")


def test_indefinite_word_after_trigger_is_no_name():
    assert places("استهدفت غارة سوق شعبي في حي الصالحين.") == [("الصالحين", "N0211")]
    assert places("قتل 3 أشخاص في سوق شعبي.") == []
    # a name head (تل) stays a name
    assert any(t == "تل رفعت" for t, _ in places("سيطرت القوات على مدينة تل رفعت."))


def test_second_trigger_is_no_name():
    ps = places("غارات على بلدات وقرى ريف حلب الغربي.")
    assert ps == [("ريف حلب الغربي", "M-rif-halab-west")]
    ps = places("قصف مدن وبلدات ريف حلب الشمالي.")
    assert not any(t.startswith("و") for t, _ in ps)


def test_countryside_of_a_town_is_an_area():
    for t in ("نقل الجرحى إلى ريف إدلب.", "قصف الطيران ريف إدلب الجنوبي."):
        ps = places(t)
        assert any(t2.startswith("ريف إدلب") and pid is None for t2, pid in ps), ps
    assert ("ريف حلب الغربي", "M-rif-halab-west") in places("قصف ريف حلب الغربي.")


# ---- figure + place
def test_governorate_toll_has_no_point():
    for t in ("وبذلك يرتفع إلى 36 عدد الشهداء في محافظة حلب.",
              "قتل 40 مدنياً اليوم في محافظة حلب."):
        (c,) = [m for m in figs(t) if m["killed"]]
        assert c["place_id"] is None and "حلب" in c["place_text"]
    # the city keeps its point
    assert killed_at("قتل 7 مدنيين في مدينة حلب.") == [(7, "C1007")]


def test_hayth_refers_to_the_place_before():
    assert killed_at("قصف الطيران مساء أمس حي المعادي، حيث قتل خمسة أشخاص.") == [(5, "N0201")]
    assert killed_at("سقطت قذائف على حي السريان، حيث قتل 3 مدنيين.") == [(3, "N0141")]
    # a place in the حيث clause itself wins
    assert killed_at("قصف الطيران حي المعادي، حيث قتل 4 أشخاص في حي الكلاسة.") == [(4, "N0197")]


def test_prison_takes_the_toll_beside_it():
    assert killed_at("في محيط سجن حلب المركزي، ما أدى لمقتل 4 عناصر.") == [(4, None)]
    (c,) = figs("في محيط سجن حلب المركزي، ما أدى لمقتل 4 عناصر.")
    assert c["place_text"] == "سجن حلب المركزي"


def test_list_total_goes_to_the_city():
    text = ("حصيلة اليوم:\n- حي الفردوس: 3 شهداء\n- حي الشيخ خضر: شهيد واحد\n- حي المعادي: 6 شهداء\n\n"
            "المجموع: 10 شهداء.\n")
    assert sorted(killed_at(text), key=str) == sorted([(3, "N0209"), (1, "N0134"), (6, "N0201"), (10, "C1007")],
                                                      key=str)
    # a total with no list of quarters before it gets no place
    assert killed_at("المجموع: 10 شهداء.\n") == [(10, None)]


# ---- counts
def test_noun_then_one():
    assert killed_at("حي الشيخ خضر: شهيد واحد\nحي الكلاسة: 2 جرحى\n")[0] == (1, "N0134")
    assert killed_at("- بلدة عندان: قتيل واحد\n- بلدة حريتان: 3 شهداء\n")[0] == (1, "C1121")


def test_dual_kin_with_pronoun():
    assert killed_at("قتل رجل وطفلاه في غارة على بلدة الأتارب.") == [(3, "C1022")]
    assert killed_at("استشهدت امرأة وابنتاها في قصف على حي الشعار.") == [(3, "N0156")]
    assert [k for k, _ in killed_at("قتل رجل وزوجته في حي الشعار.")] == [2]


def test_driver_and_nurse():
    assert [k for k, _ in killed_at("أدى القصف إلى استشهاد ممرض وسائق إسعاف.")] == [2]
    assert [k for k, _ in killed_at("قتل سائق شاحنة على الطريق.")] == [1]


def test_coordination_stops_at_another_verb():
    c = figs("قُتلت امرأتان وأصيب سبعة أشخاص جراء سقوط قذائف على حي السريان.")
    k = [m["killed"]["best"] for m in c if m["killed"]]
    i = [m["injured"]["best"] for m in c if m["injured"]]
    assert k == [2] and i == [7]
    # و directly before the count still sums
    assert [m["killed"]["best"] for m in figs("قتل ثلاثة أطفال وامرأتان.") if m["killed"]] == [5]
    assert [m["killed"]["best"] for m in figs("قتل 4 أطفال و3 نساء.") if m["killed"]] == [7]


def test_cases_of_death():
    assert [k for k, _ in killed_at("سجلت المشافي 12 حالة وفاة نتيجة القصف.")] in ([12], [])
    assert killed_at("سجلت المشافي 60 حالة ولادة هذا الأسبوع.") == []
