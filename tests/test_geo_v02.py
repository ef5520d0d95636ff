"""Gazetteer 0.2 additions: the public alias_keys(), real spelling variants of Aleppo names kept
in manual_aliases.csv, منطقة fitting any kind of place, and hand-kept aliases outside Aleppo."""
import pytest

from arabic import name_key
from geo import MentionQuery, load_gazetteer, mention


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer()


def resolve(gaz, surface, trigger=None, start=100):
    key = name_key(surface)
    q = MentionQuery(surface, key, trigger, start, start + len(surface))
    return gaz.resolve_all([q])[0]


def test_alias_keys_is_public_and_complete(gaz):
    keys = gaz.alias_keys()
    assert isinstance(keys, frozenset) and name_key("الأتارب") in keys and name_key("كفر حمرة") in keys
    assert all(k in gaz for k in list(keys)[:50])


@pytest.mark.parametrize("variant,pid", [("بشانتارا", "C1141"), ("أروم الكبرى", "C1029"),
                                         ("كفرناها", "C1034"), ("كفر ناصح", "C1036")])
def test_spelling_variants_resolve(gaz, variant, pid):
    res = resolve(gaz, variant, trigger="منطقه")
    assert res.place is not None and res.place.id == pid, res.reason


def test_manual_alias_outside_aleppo_resolves(gaz):
    res = resolve(gaz, "تيرمنين", trigger="منطقه")
    assert res.place is not None and res.place.id == "C4125", res.reason


@pytest.mark.parametrize("name,pid", [("حريتان", "C1130"), ("الأتارب", "C1022")])
def test_mintaqa_prefers_the_town_to_its_sub_district(gaz, name, pid):
    assert resolve(gaz, name, trigger="منطقه").place.id == pid


def test_mintaqa_fits_a_neighbourhood_named_by_a_common_word(gaz):
    assert resolve(gaz, "الصالحين", trigger="منطقه").place.id == "N0211"


@pytest.mark.parametrize("word", ["المعادي", "المواصلات", "المغاير"])
def test_quarter_names_that_are_common_words_need_context(gaz, word):
    assert gaz.is_common_word(name_key(word))
    assert resolve(gaz, word).place is None


def test_listed_quarter_resolves_with_its_neighbours(gaz):
    text = "#المعادي، #الجزماتي، #القاطرجي"
    qs = [mention(w, start=text.index(w)) for w in ("المعادي", "الجزماتي", "القاطرجي")]
    res = gaz.resolve_all(qs)
    assert res[0].place is not None and res[0].place.id == "N0201", res[0].reason
