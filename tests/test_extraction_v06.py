"""Rules added in extractor 0.6.0 (event dates, dialect noise, running totals, rival claims),
several composed phrasings per category (written for the test, not taken from any corpus), with
negative cases, read with the real gazetteer."""
import datetime as dt

from arabic import fold, fold_with_map
from extraction import extract_text, EXTRACTOR_VERSION

PUB = "2016-12-06"  # a Tuesday


def run(text, pub=PUB):
    out = extract_text(text, published=pub)
    for m in out["mentions"]:
        assert text[m["start"]:m["end"]] == m["text"], m
    for e in out["events"]:
        ev = e["evidence"]
        assert text[ev["start"]:ev["end"]] == ev["text"]
    return out


def dates(text, pub=PUB):
    return [(m["text"], m["date"], m["precision"]) for m in run(text, pub)["mentions"] if m["kind"] == "date"]


def event_dates(text, pub=PUB):
    """The dates the evaluator reads as event dates: events' and casualties' dates."""
    out = run(text, pub)
    ds = {e["date"] for e in out["events"]} | {m["date"] for m in out["mentions"] if m["kind"] == "casualty"}
    return ds - {None}


def figs(text, pub=PUB):
    return [m for m in run(text, pub)["mentions"] if m["kind"] == "casualty"]


def killed(text, pub=PUB):
    return [((m["killed"] or {}).get("best") or (m["killed"] or {}).get("low"), m["place_id"], m["aggregate"])
            for m in figs(text, pub) if m["killed"]]


def event_killed(text, pub=PUB):
    return [e["killed"] for e in run(text, pub)["events"] if e["killed"]]


def test_version():
    assert tuple(int(x) for x in EXTRACTOR_VERSION.split(".")) >= (0, 6, 0)


# ---- 1. event dates: ordinal days of a month
def test_ordinal_day_of_this_month():
    assert ("الثالث من الشهر", "2016-12-03", "day") in dates("قتل 4 مدنيين في حي الشعار في الثالث من الشهر.")
    assert ("يوم العاشر من الشهر الجاري", "2016-12-10", "day") in dates(
        "وقعت اشتباكات في حي صلاح الدين يوم العاشر من الشهر الجاري.", "2016-12-20")
    assert ("الحادي عشر من الشهر الماضي", "2016-11-11", "day") in dates(
        "قصف الطيران حي الصاخور في الحادي عشر من الشهر الماضي.")


def test_ordinal_day_of_a_named_month():
    assert ("الخامس عشر من آذار", "2016-03-15", "day") in dates("قتل 5 مدنيين في الخامس عشر من آذار في حي المشهد.")
    assert ("الأول من تشرين الثاني 2015", "2015-11-01", "day") in dates(
        "سيطرت القوات على البلدة في الأول من تشرين الثاني 2015.")
    assert ("الحادي والعشرين من أيلول", "2016-09-21", "day") in dates("استهدفت غارة القافلة في الحادي والعشرين من أيلول.")


def test_ordinal_month_from_the_report_and_منه():
    text = ("حصاد شهر آب 2014 في حلب.\n\n"
            "قتل 6 أشخاص في حي الشعار في الرابع من الشهر، و3 في حي الصاخور في السادس منه، "
            "و8 في حي المعادي في التاسع والعشرين.")
    ds = dates(text, "2014-09-02")
    assert ("الرابع من الشهر", "2014-08-04", "day") in ds
    assert ("السادس منه", "2014-08-06", "day") in ds
    assert ("التاسع والعشرين", "2014-08-29", "day") in ds
    assert {"2014-08-04", "2014-08-06", "2014-08-29"} <= event_dates(text, "2014-09-02")


def test_bare_ordinal_is_no_date():
    # "the third" with no month near and no ordinal date before it: no date
    assert dates("جاء الفوج الثالث من المقاتلين إلى الجبهة.") == []
    assert dates("سقطت القذيفة في الطابق الثالث من المبنى.") == []
    assert dates("هذه هي المرة الثانية التي يقصف فيها السوق.") == []


# ---- weekdays, alone or with a period
def test_weekday_with_a_period_is_the_last_such_day():
    # published Tuesday 2016-12-06
    assert ("يوم الجمعة", "2016-12-02", "day") in dates("قتل 3 مدنيين في حي الشعار يوم الجمعة.")
    assert ("ليلة السبت", "2016-12-03", "day") in dates("تعرض حي الصاخور لقصف عنيف ليلة السبت.")
    assert ("فجر الأحد", "2016-12-04", "day") in dates("استهدفت غارات حي المعادي فجر الأحد.")
    assert ("يوم الثلاثاء", "2016-12-06", "day") in dates("قتل طفلان في حي الكلاسة يوم الثلاثاء.")


def test_future_weekday_dates_no_event():
    text = "أعلنت الفصائل أنها ستشن هجوماً على حي الحمدانية يوم الخميس القادم."
    ds = dates(text)
    assert ("يوم الخميس القادم", "2016-12-08", "day") in ds
    assert "2016-12-08" not in event_dates(text) and "2016-12-01" not in event_dates(text)
    text = "قتل 4 مدنيين بقصف على حي الشعار، ومن المقرر عقد اجتماع يوم الأحد المقبل."
    assert "2016-12-11" not in event_dates(text) and "2016-12-04" not in event_dates(text)


def test_day_by_day_lines():
    text = ("حصاد الأسبوع في حلب\n\n"
            "السبت: قتل 5 مدنيين بغارة على حي الشعار.\n"
            "الأحد: قصف مدفعي على حي الصاخور دون ضحايا.\n"
            "- الاثنين – قتل 3 مدنيين في حي المعادي.\n")
    ds = dates(text)
    assert ("السبت", "2016-12-03", "day") in ds and ("الأحد", "2016-12-04", "day") in ds
    assert ("الاثنين", "2016-12-05", "day") in ds
    assert {"2016-12-03", "2016-12-04", "2016-12-05"} <= event_dates(text)
    # a weekday inside a sentence, with no lead word and no colon, is not read as a heading
    assert dates("خرجت مظاهرات بعد صلاة الجمعة في حي الشعار.") == []


def test_days_ago():
    assert ("منذ ثلاثة أيام", "2016-12-03", "day") in dates("تتواصل منذ ثلاثة أيام اشتباكات في حي الشيخ سعيد.")
    assert ("قبل 4 أيام", "2016-12-02", "day") in dates("قتل مدني في حي الشعار قبل 4 أيام.")
    assert ("قبل يومين", "2016-12-04", "day") in dates("قتل مدني في حي الشعار قبل يومين.")
    assert ("منذ يومين", "2016-12-04", "day") in dates("تتعرض بلدة حريتان للقصف منذ يومين.")
    assert ("أول أمس", "2016-12-04", "day") in dates("قتل 3 مدنيين في حي المعادي أول أمس.")
    assert ("امبارح", "2016-12-05", "day") in dates("انقتل 3 بالصاخور امبارح.")
    assert ("قبل أسبوعين", "2016-11-22", "week") in dates("قصفت الطائرات البلدة قبل أسبوعين.")


def test_dateline_heads_the_lines_below():
    text = ("الدفاع المدني - حلب\n\n"
            "05-12-2016 | #الشعار\n"
            "غارة على حي الشعار أدت لاستشهاد 4 مدنيين.\n\n"
            "06-12-2016 | #الصاخور #المعادي\n"
            "برميل متفجر على حي الصاخور أدى لاستشهاد طفلين.\n")
    out = run(text)
    cas = {(m["killed"]["best"], m["date"]) for m in out["mentions"] if m["kind"] == "casualty"}
    assert (4, "2016-12-05") in cas and (2, "2016-12-06") in cas


def test_not_event_dates():
    # a birthday, a founding, a start of a period: mentions, never an event's date
    text = "قتل الناشط محمد، المولود في 5 آذار 1990، بقصف على حي الشعار."
    assert "1990-03-05" not in event_dates(text)
    text = "قصفت الطائرات مقر الفصيل الذي تأسس في 12 آب 2013 في حي الصاخور."
    assert "2013-08-12" not in event_dates(text)
    text = "قتل 5 مدنيين في حي الشعار، في أعنف قصف منذ عام 2011."
    assert "2011-01-01" not in event_dates(text)
    assert "2016-12-06" in event_dates(text)


# ---- 2. dialect and noise
def test_elongated_letters_match_their_words():
    assert killed("مجزره بحي الشعار 7 شهدااااء بينهن 3 اطفال.") == [(7, "N0156", False)]
    assert killed("قتلووو 5 بالسوق بحي الصاخور.")[0][0] == 5
    assert killed("ارتقى 4 شهداااء في حي المعادي.")[0][:2] == (4, "N0201")
    # a word that has no run of three letters is untouched, and digits are never collapsed
    assert killed("قتل 1000 شخص في حلب خلال الشهر.")[0][0] == 1000


def test_elongation_keeps_offsets_and_fold_one_to_one():
    text = "سقط 7 شهدااااء."
    f, index = fold_with_map(text)
    assert f == fold(text) and len(f) == len(text)  # the fold map stays one-to-one
    m = figs(text)[0]
    assert text[m["start"]:m["end"]] == m["text"] and "شهدااااء" in m["text"]


def test_dialect_to_in_running_totals():
    assert [k[0] for k in killed("ارتفع عدد الشهدا ل 9 بعد ما طلعو عيلة من تحت الانقاض.")] == [9]
    assert [k[0] for k in killed("ارتفع عدد القتلى ل 12 بالمعادي.")] == [12]
    # "ل" before a number with no running total is no toll
    assert killed("وصلت ل 9 سيارات إسعاف إلى الحي.") == []


# ---- 3. running totals far from عدد
def test_running_total_far_from_its_noun():
    t = "ارتفع عدد القتلى في مدينة حلب خلال الأيام الثلاثة الأخيرة إلى نحو مئة، غالبيتهم من المدنيين."
    assert [k[0] for k in killed(t)] == [100]
    t = "بلغ عدد القتلى الموثقين في محافظة حلب خلال الشهر نحو 900 شخص، بينهم أكثر من 150 طفلاً."
    assert [k[0] for k in killed(t)] == [900]
    t = "وصل عدد الشهداء في الأحياء الشرقية منذ بدء الحملة إلى 250 شهيداً."
    assert [k[0] for k in killed(t)] == [250]


def test_final_figure_wins_over_the_partial():
    t = "قتل 5 مدنيين في حي الشعار صباح اليوم، ليرتفع العدد إلى 12."
    assert [(k[0], k[1]) for k in killed(t)] == [(12, "N0156")]
    t = "استشهد 3 أطفال بقصف على حي الصاخور، ثم ارتفع عدد الشهداء إلى 7."
    assert [(k[0], k[1]) for k in killed(t)] == [(7, "N0139")]
    assert [e["best"] for e in event_killed(t)] == [7]


def test_partial_tolls_of_other_places_stay():
    t = "قتل 5 مدنيين في حي الشعار و3 في حي الصاخور، ليرتفع عدد القتلى اليوم إلى 20."
    ks = killed(t)
    assert (5, "N0156", False) in ks and (3, "N0139", False) in ks and any(k[0] == 20 for k in ks)
    # the "بلغ عدد" reading needs the figure right after its noun phrase: no earlier number in between
    assert all(k[0] != 3 for k in killed("بلغ عدد الغارات 3 على حي الشعار."))


# ---- 4. conflicting claims
def test_rival_claims_stay_two_figures():
    t = ("اشتباكات عنيفة في محيط قرية الشيخ نجار، قتل خلالها عشرات العناصر من الطرفين بحسب ناشطين، "
         "في حين تحدثت مصادر موالية عن مقتل أكثر من مئة إرهابي.")
    ek = event_killed(t)
    assert {"low": 10, "best": None, "high": 99} in ek and {"low": 101, "best": None, "high": None} in ek
    assert not any(k["low"] == 111 for k in ek)


def test_rival_claims_other_phrasings():
    t = ("قالت الفصائل إنها قتلت 30 عنصراً في هجوم على بلدة خان طومان، بينما أعلن الإعلام الرسمي "
         "مقتل 5 عناصر فقط في البلدة.")
    ek = [k["best"] for k in event_killed(t)]
    assert 30 in ek and 5 in ek and 35 not in ek


def test_one_claim_still_sums():
    # figures of one report joined without a rival source are still one event's toll
    t = "قتل 5 أطفال و3 نساء في غارة على حي الشعار."
    assert [k["best"] for k in event_killed(t)] == [8]
