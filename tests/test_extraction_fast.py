"""The speed-ups of 0.2.1 change no output: each fast path against the plain definition it
replaces, on composed and random text (the whole-output comparison on the dev corpus and the
sample is in docs/extraction.md, "Tests and benchmark")."""
import re

from hypothesis import HealthCheck, given, settings, strategies as st

from arabic import fold_with_map as plain_fold_with_map
from extraction.document import Document, fold_with_map, variants
from extraction.lexicons import load
from extraction.matcher import match_at, scan

PIECES = st.sampled_from(["حي", "الميسر", "قتل", "سبعة", "مدنيين", "أمس", "اليوم", "الاثنين", "تشرين", "الثاني",
                          "بلدات", "والزهراء", "نبل", "#جسر_الحج", "(", ")", "...", "\n", "\n\n", "،", "أكثر", "من",
                          "40", "١٥", "1,748", "العشرات", "قوات", "النظام", "الطائرات", "الروسية", "ريف", "حلب",
                          "قناة", "روسيا", "لل", "للطيران", "وبحي", "\u064e", "\u0651", "\u0640", "\u200f", "\u200b",
                          "\u00a0", " ", " ", " ", "_", "-", "\t", "x", "é"])
TEXTS = st.one_of(st.lists(PIECES, max_size=60).map("".join),
                  st.text(st.characters(min_codepoint=0x0600, max_codepoint=0x06FF) | st.characters(), max_size=200))
_LINK_RE = re.compile(r"[ \t\u00a0_\u200b]*\Z")


def plain_scan(doc, index, t0, t1, free=None):
    out, i = [], t0
    while i < t1:
        if not doc.active[i] or (free is not None and not free(i)):
            i += 1
            continue
        m = match_at(doc, i, index, t1, free)
        if m:
            out.append((i, m[1], m[0], m[2]))
            i = m[1]
        else:
            i += 1
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_fold_with_map_is_arabics(text):
    assert fold_with_map(text) == plain_fold_with_map(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_document_fast_paths(text):
    doc = Document(text)
    f, n = doc.folded, len(doc.tokens)
    assert doc.link == [bool(_LINK_RE.match(f, doc.ends[i], doc.starts[i + 1])) for i in range(n - 1)] + [False]
    assert [list(v) for v in doc.var] == [variants(t) for t in doc.tokens]
    lx = load()
    for index in (lx.actors, lx.months, lx.date_words, lx.triggers, lx.organisations):
        pos, pos_set = doc.positions(index.first)
        plain = [i for i in range(n) if any(k in index.first for _, k in variants(doc.tokens[i]))]
        assert pos == plain and pos_set == set(plain)
        for s in doc.sentences:
            assert scan(doc, index, s.t0, s.t1) == plain_scan(doc, index, s.t0, s.t1)
        assert scan(doc, index, 0, n) == plain_scan(doc, index, 0, n)


def _ungated():
    """Every token a candidate everywhere: the output the gates must not change."""
    from contextlib import ExitStack
    from unittest import mock

    import extraction.numbers as numbers

    def all_positions(self, first):
        every = list(range(len(self.tokens)))
        return every, frozenset(every)
    stack = ExitStack()
    stack.enter_context(mock.patch.object(Document, "positions", all_positions))
    stack.enter_context(mock.patch.object(numbers, "start_flags", lambda doc: [True] * len(doc.tokens)))
    return stack


REPORT_WORDS = st.sampled_from(["حي", "الميسر", "قتل", "سبعة", "مدنيين", "أمس", "اليوم", "الاثنين", "غارات", "على",
                                "بلدات", "والزهراء", "نبل", "#جسر_الحج", "(", ")", "...", "\n", "،", "أكثر", "من", "40",
                                "١٥", "العشرات", "قوات", "النظام", "ليتجاوز", "ريف", "حلب", "الغربي", "21-11-2016",
                                "بلدة", "الأتارب", "عندان", "قصفت", "الطائرات", "الروسية", "استشهاده", "4", "تشرين",
                                "الثاني", "عام", "2016", "يوم", "الخميس", "شهيدا", "جرحى", "بينهم", "أطفال", ".", " "])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(REPORT_WORDS, max_size=80).map(" ".join))
def test_gates_change_no_output(text):
    from extraction import extract_text
    fast = extract_text(text, published="2016-12-06")
    with _ungated():
        plain = extract_text(text, published="2016-12-06")
    assert fast == plain


def test_gates_change_no_output_on_the_sample():
    from pathlib import Path

    from extraction import extract_text
    shared = Path(__file__).resolve().parents[2] / "shared"
    files = sorted((shared / "dev-corpus").glob("*.txt")) + sorted((shared / "samples").glob("*.txt"))
    for p in files[:4] + files[-1:]:
        text = p.read_text(encoding="utf-8")
        fast = extract_text(text, published="2016-12-06")
        with _ungated():
            assert extract_text(text, published="2016-12-06") == fast, p.name
