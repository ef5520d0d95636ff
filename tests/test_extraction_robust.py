"""No crash and valid offsets on any input: Unicode, empty, 5 MB, mixed Arabic/English, HTML."""
import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings, HealthCheck, strategies as st

from extraction import extract_text

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "extraction" / "schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
ARABIC = st.characters(min_codepoint=0x0600, max_codepoint=0x06FF)
WORDS = st.sampled_from(["حي", "الميسر", "قتل", "سبعة", "مدنيين", "أمس", "اليوم", "الاثنين", "غارات", "على",
                         "بلدات", "والزهراء", "نبل", "#جسر_الحج", "(", ")", "...", "\n", "،", "أكثر", "من", "40",
                         "١٥", "العشرات", "قوات", "النظام", "ليتجاوز", "ريف", "حلب", "الغربي", "21-11-2016",
                         "<p>", "</div>", "&nbsp;", "killed", "Aleppo", "\u064e", "\u0640", "\u200f", " "])


def check(text, published=None):
    out = extract_text(text, published=published)
    for m in out["mentions"]:
        assert 0 <= m["start"] <= m["end"] <= len(text)
        assert text[m["start"]:m["end"]] == m["text"]
    for e in out["events"]:
        ev = e["evidence"]
        assert text[ev["start"]:ev["end"]] == ev["text"]
    errors = list(VALIDATOR.iter_errors(out))
    assert not errors, errors[0].message
    json.dumps(out, ensure_ascii=False)
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(st.one_of(ARABIC, st.characters()), max_size=300))
def test_any_unicode(text):
    check(text, "2016-12-06")


@settings(max_examples=150, deadline=None)
@given(st.lists(WORDS, max_size=60).map(" ".join))
def test_front_vocabulary_soup(text):
    check(text, "2016-12-06")


def test_empty_and_blank():
    for t in ("", " ", "\n\n", "...", "أقسام\nأخبار"):
        out = check(t)
        assert out["mentions"] == [] and out["events"] == []


def test_mixed_arabic_english_and_html():
    t = ("<div class='post'><p>Syrian Civil Defence: قتل 5 مدنيين في غارة على حي الجلوم اليوم</p>"
         "<a href='x'>Read more</a> &nbsp; killed 5 civilians in Aleppo</div>")
    out = check(t, "2016-12-06")
    assert any(m["kind"] == "casualty" for m in out["mentions"])


def test_report_id_stable():
    a = extract_text("قصف على حلب", published="2016-01-01")["report"]["id"]
    b = extract_text("قصف  على\nحلب")["report"]["id"]
    assert a == b and a != extract_text("قصف على إدلب")["report"]["id"]


@pytest.mark.slow
def test_five_megabytes():
    sample = Path(__file__).resolve().parents[2] / "shared" / "samples" / "aleppo-frontline-2016-12-06.txt"
    base = sample.read_text(encoding="utf-8") if sample.exists() else "قتل 5 مدنيين في حي الجلوم اليوم. "
    # vary the paragraphs so the repeat filter does not drop them all
    parts, size, n = [], 0, 0
    while size < 5_000_000:
        chunk = base.replace("حلب", "حلب" + "ـ" * (n % 7)) + f"\n\nفقرة {n}\n\n"
        parts.append(chunk)
        size += len(chunk.encode("utf-8"))
        n += 1
    text = "".join(parts)
    out = check(text, "2016-12-06")
    assert out["events"]
