"""Pure functions that turn a source name into lookup aliases, and a token into keys.

All keys are ``arabic.name_key`` strings: folded (hamza/alef, ta marbuta, alef
maksura, diacritics) with the article dropped from every word, so "with and
without the article" needs no alias of its own.
"""
from __future__ import annotations

import re

from arabic import fold, name_key

# Words that may precede a name in a source string or in text; the alias without
# them is added (OCHA writes every city neighbourhood as "حي X").
TRIGGER_PREFIXES = ("حي", "احياء", "بلده", "قريه", "مدينه", "بلدات", "قري", "ناحيه", "منطقه", "محافظه")
_PREFIXES_IN_NAMES = ("حي", "بلده", "قريه", "مدينه")

_QUALIFIER_RE = re.compile(r"\s+-\s+|\s*\(")   # "الزهراء - نبل", "المنصورة (تادف)"
_SPLIT_RE = re.compile(r"\s*[_/]\s*")           # "الصياح_صياح ظاهرية", "بيت محب/ جديدة"


def clean_source_name(name: str) -> str:
    """Collapse the whitespace and newlines a source cell may hold.

    >>> clean_source_name("حي الدلالين\\nالدلالين")
    'حي الدلالين'
    """
    first_line = (name or "").strip().splitlines()[0] if (name or "").strip() else ""
    return " ".join(first_line.split())


def drop_qualifier(name: str) -> str:
    """The name before an OCHA disambiguating qualifier.

    >>> drop_qualifier("الزهراء - نبل")
    'الزهراء'
    >>> drop_qualifier("المنصورة (تادف)")
    'المنصورة'
    """
    return _QUALIFIER_RE.split(name, maxsplit=1)[0].strip()


def drop_prefix(name: str) -> str:
    """Drop leading حي/بلدة/قرية/مدينة words (repeated: OCHA has "حي حي السريان").

    >>> drop_prefix("حي حي السريان")
    'السريان'
    >>> drop_prefix("حي")
    'حي'
    """
    words = name.split()
    while len(words) > 1 and fold(words[0]) in _PREFIXES_IN_NAMES:
        words = words[1:]
    return " ".join(words)


def name_variants(raw: str) -> list[tuple[str, str]]:
    """``(alias, rule)`` pairs for one source name: the name as written, without
    the qualifier, each part of an ``A_B`` / ``A/ B`` double name, and each of
    those without a leading حي/بلدة/قرية/مدينة. Rule ``""`` marks the name itself.

    >>> name_variants("حي الزهراء - حلب")
    [('حي الزهراء - حلب', ''), ('حي الزهراء', 'rule:qualifier'), ('الزهراء - حلب', 'rule:prefix'), ('الزهراء', 'rule:prefix')]
    >>> [a for a, _ in name_variants("الصياح_صياح ظاهرية")]
    ['الصياح_صياح ظاهرية', 'الصياح', 'صياح ظاهرية']
    """
    name = clean_source_name(raw)
    if not name:
        return []
    out: list[tuple[str, str]] = [(name, "")]
    base = drop_qualifier(name)
    if base and base != name:
        out.append((base, "rule:qualifier"))
    parts = [p for p in _SPLIT_RE.split(base) if p]
    if len(parts) > 1:
        out.extend((p, "rule:split") for p in parts)
    for alias, _ in list(out):
        short = drop_prefix(alias)
        if short != alias:
            out.append((short, "rule:prefix"))
    seen: set[str] = set()
    return [(a, r) for a, r in out if not (a in seen or seen.add(a))]


def karm_remainder(name: str) -> str | None:
    """``كرم X`` → ``X`` (news writes الميسر for كرم ميسر), or None.

    >>> karm_remainder("كرم ميسر")
    'ميسر'
    >>> karm_remainder("الكرمة") is None
    True
    """
    words = name.split()
    if len(words) >= 2 and fold(words[0]) == "كرم":
        return " ".join(words[1:])
    return None


def keys_for_token(folded_word: str) -> list[str]:
    """Lookup keys for one folded word that may carry proclitics, most literal first:
    the word itself, then without و/ف, then without ب/ل/ك (``لل`` → ``ال``).
    The extractor strips clitics before lookup; this is the fallback for callers
    that do not. Every key is ``name_key`` of the variant.

    >>> keys_for_token("والزهراء")
    ['والزهراء', 'زهراء']
    >>> keys_for_token("للمدينه")
    ['للمدينه', 'مدينه']
    >>> keys_for_token("بحلب")
    ['بحلب', 'حلب']
    """
    variants = [folded_word]
    stem = folded_word
    if stem[:1] in ("و", "ف") and len(stem) > 3:
        stem = stem[1:]
        variants.append(stem)
    if stem.startswith("لل") and len(stem) > 4:
        variants.append("ال" + stem[2:])
    elif stem[:1] in ("ب", "ل", "ك") and len(stem) > 3:
        variants.append(stem[1:])
    keys: list[str] = []
    for variant in variants:
        key = name_key(variant)
        if key and key not in keys:
            keys.append(key)
    return keys


def strip_trigger(key: str) -> tuple[str | None, str]:
    """Split a leading trigger word off a key: ``("حي", "ميسر")`` or ``(None, key)``.

    >>> strip_trigger("حي ميسر")
    ('حي', 'ميسر')
    >>> strip_trigger("ميسر")
    (None, 'ميسر')
    """
    words = key.split(" ", 1)
    if len(words) == 2 and words[0] in TRIGGER_PREFIXES:
        return words[0], words[1]
    return None, key
