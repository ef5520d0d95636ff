"""The folding every matcher relies on: one-to-one offsets, camel-tools agreement."""
import doctest

from hypothesis import given, strategies as st
from camel_tools.utils.dediac import dediac_ar
from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
)

import arabic.normalize
from arabic import fold, fold_with_map, name_key
from arabic.normalize import span_to_original

ARABIC = st.characters(min_codepoint=0x0600, max_codepoint=0x06FF)
ANY_TEXT = st.text(st.one_of(ARABIC, st.characters()), max_size=200)


def test_doctests():
    result = doctest.testmod(arabic.normalize)
    assert result.attempted > 0 and result.failed == 0


@given(ANY_TEXT)
def test_fold_map_points_back_to_source_characters(text):
    folded, index = fold_with_map(text)
    assert folded == fold(text)
    assert len(index) == len(folded) + 1
    assert index[-1] == len(text)
    assert all(a < b for a, b in zip(index, index[1:]))
    for i, ch in enumerate(folded):
        assert fold(text[index[i]]) == ch


@given(ANY_TEXT, st.data())
def test_any_span_maps_inside_the_text(text, data):
    folded, index = fold_with_map(text)
    start = data.draw(st.integers(0, len(folded)))
    end = data.draw(st.integers(start, len(folded)))
    s, e = span_to_original(index, start, end)
    assert 0 <= s <= e <= len(text)
    assert fold(text[s:e]) == folded[start:end]


@given(st.text(ARABIC, max_size=80))
def test_fold_agrees_with_camel_tools_on_arabic_letters(text):
    # camel-tools' own pipeline, restricted to what fold also does
    camel = normalize_teh_marbuta_ar(normalize_alef_maksura_ar(normalize_alef_ar(dediac_ar(text))))
    ours = fold(text)
    # fold additionally maps hamza carriers, digits, tatweel and Arabic punctuation
    extra = str.maketrans({"ؤ": "و", "ئ": "ي", "ـ": None, "،": ",", "؛": ";", "؟": "?",
                           **{chr(0x660 + i): str(i) for i in range(10)},
                           **{chr(0x6F0 + i): str(i) for i in range(10)},
                           "ی": "ي", "ک": "ك", "ہ": "ه", "\u0653": None, "\u0654": None,
                           "\u0655": None, "\u061c": None})
    assert ours == camel.translate(extra)


def test_name_key_variants_meet():
    assert name_key("الأتارب") == name_key("اتارب") == name_key("الاتارب")
    assert name_key("الميسّر") == name_key("ميسر")
    assert name_key("#جسر_الحج") == name_key("جسر الحج")
    assert name_key("مستشفى") == name_key("مستشفي")
    assert name_key("الإذاعة") == name_key("الاذاعه")


def test_diacritics_are_camel_tools_own():
    # arabic.normalize keeps a copy so that folding does not import camel-tools' charsets
    from camel_tools.utils.charsets import AR_DIAC_CHARSET
    assert arabic.normalize.AR_DIAC_CHARSET == AR_DIAC_CHARSET
    assert all(fold("ب" + d) == "ب" for d in AR_DIAC_CHARSET)


def test_folding_does_not_import_camel_tools_charsets():
    import subprocess
    import sys
    code = ("import sys, arabic; arabic.fold('حلب'); "
            "print('camel_tools.utils.charsets' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
