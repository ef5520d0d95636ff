"""Rules added in extractor 0.8.0 (from the categories of the spent third held-out set): where the
wounded were taken is not where a toll fell; a building geo does not place gives way to the quarter
named with it; a news feed's #عاجل is no place. Composed phrasings (not taken from any corpus), with
negative cases, read with the real gazetteer."""
from extraction import EXTRACTOR_VERSION
from tests.test_extraction_v07 import killed, run  # the same checks of exact offsets

PUB = "2016-12-06"
HEAD = "تقرير ميداني\n\n"  # a headline with no place
SHAAR, SUKKARI, MAADI = "N0156", "N0219", "N0201"



def places(text):
    return [m for m in run(text)["mentions"] if m["kind"] == "place"]


def test_version():
    assert tuple(int(x) for x in EXTRACTOR_VERSION.split(".")) >= (0, 8, 0)


# ---- where the wounded were taken is not the toll's place

def test_transfer_destination_is_not_the_toll_place():
    assert killed(HEAD + "وفي حي السكري، قتل 4 مدنيين جراء القصف وأصيب آخرون نُقلوا إلى مشفى ميداني في حي الشعار.") \
        == [(4, SUKKARI)]
    assert killed(HEAD + "وفي حي المعادي، استشهد 3 أشخاص بغارة جوية، ونقل الجرحى إلى مستشفى في حي الشعار.") \
        == [(3, MAADI)]
    assert killed(HEAD + "في حي السكري، قتل طفلان بقذيفة هاون، وتم إسعاف المصابين إلى حي الشعار.") \
        == [(2, SUKKARI)]


def test_place_without_transfer_stays():
    # negative: no transfer verb, the quarter after the toll is its place
    assert killed(HEAD + "قتل 4 مدنيين جراء القصف على حي الشعار.") == [(4, SHAAR)]
    # negative: إلى with no transfer verb ("أدى إلى مقتل") changes nothing
    assert killed(HEAD + "سقطت قذائف على حي المعادي، ما أدى إلى مقتل 3 مدنيين.") == [(3, MAADI)]


# ---- a building geo does not place is in the quarter named with it

def test_unplaced_building_gives_way_to_the_quarter():
    assert killed(HEAD + "وفي حي السكري، استهدفت غارة جوية محيط مستشفى القدس مساء أمس، ما أدى إلى مقتل 2 من المدنيين.") \
        == [(2, SUKKARI)]
    assert killed(HEAD + "في حي المعادي، سقط برميل متفجر قرب مسجد الرحمن، ما أسفر عن مقتل 5 أشخاص.") == [(5, MAADI)]
    assert killed(HEAD + "سقطت قذيفة على مدرسة النور في حي الشعار، ما أدى إلى استشهاد 3 أطفال.") == [(3, SHAAR)]


def test_building_alone_keeps_its_toll():
    # negative: with no place geo knows beside it, the building stays the toll's place (unresolved)
    out = killed(HEAD + "استهدفت غارة جوية محيط مستشفى القدس، ما أدى إلى مقتل 2 من المدنيين.")
    assert out == [(2, None)]
    ms = [m for m in run(HEAD + "استهدفت غارة جوية محيط مستشفى القدس، ما أدى إلى مقتل 2 من المدنيين.")["mentions"]
          if m["kind"] == "casualty"]
    assert ms[0]["place_text"] and "القدس" in ms[0]["place_text"]


# ---- a news feed's "urgent" tag is no place

def test_urgent_tag_is_no_place():
    for t in ("⭕️ 12:20 | #عاجل | غارات على حي الشعار.", "عاجل: قصف مدفعي على حي المعادي.",
              "#عاجل مقتل 3 مدنيين في حي السكري."):
        ps = places(t)
        assert not any("عاجل" in m["text"] for m in ps), ps
        assert ps  # the quarter is still read
