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

    import extraction.dates as dates
    import extraction.document as document

    def all_positions(self, first):
        every = list(range(len(self.tokens)))
        return every, frozenset(every)

    def everywhere(self, name, memo, fn):
        return list(range(len(self.tokens)))

    def plain_sentence_ends(f, ls, le):
        return [m.end() for m in document.SENT_END_RE.finditer(f, ls, le)]
    stack = ExitStack()
    stack.enter_context(mock.patch.object(Document, "positions", all_positions))
    stack.enter_context(mock.patch.object(Document, "where", everywhere))  # quantity starts, cues...
    stack.enter_context(mock.patch.object(dates, "_numeric_dates", lambda f: dates.NUMERIC_RE.finditer(f)))
    stack.enter_context(mock.patch.object(document, "_sentence_ends", plain_sentence_ends))
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


# ---- 0.3.0 speed-ups (issue 4): each against the plain definition it replaces

LONG_TEXTS = st.lists(PIECES, min_size=80, max_size=300).map("".join)  # past fold_text's short-text cut-off


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LONG_TEXTS)
def test_long_text_fold_and_map_are_arabics(text):
    from arabic.normalize import fold
    from extraction.document import fold_text
    doc = Document(text)
    plain_folded, plain_index = plain_fold_with_map(text)
    assert fold_text(text) == fold(text) == doc.folded == plain_folded
    assert list(doc.index) == plain_index and fold_with_map(text) == (plain_folded, plain_index)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS | LONG_TEXTS)
def test_regex_shortcuts_match_the_plain_passes(text):
    import extraction.dates as dates
    from extraction.document import SENT_END_RE, _sentence_ends
    f = Document(text).folded
    assert [m.span() for m in dates._numeric_dates(f)] == [m.span() for m in dates.NUMERIC_RE.finditer(f)]
    pos = 0
    for line in f.split("\n"):
        le = pos + len(line)
        assert _sentence_ends(f, pos, le) == [m.end() for m in SENT_END_RE.finditer(f, pos, le)]
        pos = le + 1


def test_per_document_memos_do_not_leak_between_texts():
    """The token memos are per document; the process caches only say what a token text is."""
    from extraction.numbers import start_positions
    a = Document("قتل 5 مدنيين في حي الميسر")
    b = Document("أصيب ثلاثة أطفال وامرأتان اليوم")
    assert start_positions(a) == [1, 2] and start_positions(b) == [1, 3]  # (مدنيين: a dual in -ين?)
    assert start_positions(a) == [1, 2]   # a's answer is still a's
    fresh = (set(), {})
    assert a.where("t", fresh, lambda t: t == "حي") == [4]
    assert b.where("t", fresh, lambda t: t == "حي") == []   # same name, other document: its own answer
    assert a.per_token("n", {}, len) == [len(t) for t in a.tokens]
    assert b.per_token("n", {}, len) == [len(t) for t in b.tokens]
