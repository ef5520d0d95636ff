"""Character-level folding of Arabic text, with a map back to the original.

Matching (gazetteer aliases, lexicons, number words) runs on *folded* text so
that hamza/alef forms, ta marbuta, alef maksura, diacritics, tatweel and
Arabic-Indic digits do not matter. Every folded character remembers which
original character it came from, so a match in folded text maps back to exact
character offsets in the report as decoded from the file.

The character classes come from camel-tools (``AR_DIAC_CHARSET``, copied below, and the
alef/ta-marbuta/alef-maksura rules of ``camel_tools.utils.normalize``); the
folding is done per character so the offset map stays one-to-one.
"""
from __future__ import annotations

import re

# camel-tools' AR_DIAC_CHARSET (camel_tools.utils.charsets), copied: importing that module
# walks all 1.1 million code points to build its Unicode sets (~0.3 s in every process that
# folds text: each CLI run, the dashboard's first text filter). tests/test_arabic.py checks
# that the copy still equals camel-tools' set.
AR_DIAC_CHARSET = frozenset("\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670")

# Characters dropped: camel-tools' diacritics, tatweel, zero-width marks, bidi controls.
_DROP = set(AR_DIAC_CHARSET) | {
    "\u0640",  # tatweel
    "\u200c", "\u200d", "\u200e", "\u200f", "\u061c", "\ufeff",
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
    "\u0653", "\u0654", "\u0655",  # combining madda/hamza above/below
}

_MAP = {
    # alef forms -> bare alef (camel_tools.utils.normalize.normalize_alef_ar)
    "\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627",
    # alef maksura -> ya (normalize_alef_maksura_ar), ta marbuta -> ha (normalize_teh_marbuta_ar)
    "\u0649": "\u064a", "\u0629": "\u0647",
    # hamza on carriers: spelling varies between sources (مئة/مائة, مسؤول/مسئول)
    "\u0624": "\u0648", "\u0626": "\u064a",
    # Persian/Urdu look-alikes that appear in copied text
    "\u06cc": "\u064a", "\u06a9": "\u0643", "\u06c1": "\u0647",
    # Arabic comma/semicolon -> Latin, so punctuation rules are written once
    "\u060c": ",", "\u061b": ";", "\u061f": "?",
}
# Arabic-Indic and Eastern Arabic-Indic digits -> ASCII digits
for _i in range(10):
    _MAP[chr(0x0660 + _i)] = str(_i)
    _MAP[chr(0x06F0 + _i)] = str(_i)

_TABLE = {ord(c): None for c in _DROP}
_TABLE.update({ord(k): v for k, v in _MAP.items()})

PROCLITICS = ("و", "ف", "ب", "ل", "ك")


def fold(text: str) -> str:
    """Fold Arabic text for matching.

    >>> fold("الإذاعةُ")
    'الاذاعه'
    >>> fold("مستشفى ١٥")
    'مستشفي 15'
    """
    return text.translate(_TABLE)


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """Fold ``text`` and return ``(folded, index)``.

    ``index[i]`` is the offset in ``text`` of folded character ``i``;
    ``index[len(folded)] == len(text)`` so an end offset maps too.

    >>> folded, index = fold_with_map("حيّ الميسّر")
    >>> folded
    'حي الميسر'
    >>> start = folded.index("الميسر"); end = start + len("الميسر")
    >>> "حيّ الميسّر"[index[start]:index[end - 1] + 1]
    'الميسّر'
    """
    out: list[str] = []
    index: list[int] = []
    get = _TABLE.get
    for i, ch in enumerate(text):
        repl = get(ord(ch), ch)
        if repl is None:
            continue
        out.append(repl)
        index.append(i)
    index.append(len(text))
    return "".join(out), index


def span_to_original(index: list[int], start: int, end: int) -> tuple[int, int]:
    """Map a ``[start, end)`` span of folded text to the original text.

    The end maps to just after the last folded character's source, so trailing
    diacritics of the last letter are not included (they are dropped on purpose:
    the span is the word, not its vowels).
    """
    if end <= start:
        return index[start], index[start]
    return index[start], index[end - 1] + 1


_ARTICLE_RE = re.compile(r"^ال(?=..)")


def strip_article(word: str) -> str:
    """Drop a leading definite article from a folded word.

    >>> strip_article("البوابيه")
    'بوابيه'
    >>> strip_article("ال")
    'ال'
    """
    return _ARTICLE_RE.sub("", word)


_SPACES_RE = re.compile(r"\s+")
_NONWORD_RE = re.compile(r"[^\w\s]", re.UNICODE)


def name_key(name: str) -> str:
    """The lookup key of a place or lexicon name: folded, punctuation dropped,
    spaces collapsed, and the article removed from every word.

    >>> name_key("حيّ  كرم الميسّر")
    'حي كرم ميسر'
    >>> name_key("الأتارب") == name_key("اتارب")
    True
    """
    text = _NONWORD_RE.sub(" ", fold(name)).replace("_", " ")
    words = [strip_article(w) for w in _SPACES_RE.split(text.strip()) if w]
    return " ".join(words)
