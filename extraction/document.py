"""The Document every pipeline step reads and adds spans to (spaCy-like).

One pass folds the text (``arabic.fold_with_map``'s folding, done with ``str.replace`` per
folded character present and the offset map built from the runs of dropped characters:
identical result, tested), one regex ``split`` tokenizes the folded text (gaps and tokens
alternate; offsets are running sums), one pass over lines finds paragraphs, sentences, page
furniture and repeated paragraphs. Token ``i`` covers ``folded[starts[i]:ends[i]]``;
``doc.orig_span`` maps any folded span back to exact offsets in the text as given.

Speed: a token's readings (``variants``) depend on its text only, so they are computed once
per distinct token for the process (``_VARIANTS``); ``doc.positions(index)`` gives, once per
document and lexicon, the tokens whose readings can start one of the lexicon's phrases, so
scans visit those tokens only; ``doc.where`` / ``doc.per_token`` do the same for any test on a
token's text (a casualty cue, a quantity's first word), answered once per distinct text.
"""
from __future__ import annotations

import bisect
import re
from itertools import accumulate

from arabic.normalize import _TABLE as _FOLD_TABLE, fold_with_map as _fold_with_map_slow, span_to_original

from extraction.lexicons import load

# words: letters (no digits/underscore); numbers: 1,748 / 2.5 / 15
TOKEN_RE = re.compile(r"\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?|[^\W\d_]+")
SENT_END_RE = re.compile(r"(?:[.!?…]+|\?)(?=\s|$)|(?<!\d)\.(?!\d)")
_LINK_CHARS = " \t\u00a0_\u200b"  # a gap of only these keeps two words in one phrase
_TOKEN_SPLIT_RE = re.compile("(" + TOKEN_RE.pattern + ")")  # split: [gap, token, gap, token, ..., gap]
_SENT_PUNCT_RE = re.compile(r"[.!?…]")  # every sentence end starts with one of these


def _sentence_ends(f: str, ls: int, le: int) -> list[int]:
    """Ends of ``SENT_END_RE``'s matches in ``f[ls:le]`` (as ``finditer(f, ls, le)``), tried only
    at the punctuation marks a match must start with: the pattern opens with a look-behind,
    so the regex engine would otherwise try it at every character of the line.

    >>> _sentence_ends("قتل 5. وأصيب 2.5 آخرون? ثم", 0, 27)
    [6, 23]
    """
    out: list[int] = []
    end = ls
    match = SENT_END_RE.match
    for p in _SENT_PUNCT_RE.finditer(f, ls, le):
        a = p.start()
        if a < end:
            continue  # inside the match before
        m = match(f, a, le)
        if m:
            end = m.end()
            out.append(end)
    return out


_LINE_END_RE = re.compile(r"[.!?…:]\s*$")
# characters folding drops (arabic.normalize: diacritics, tatweel, bidi and zero-width marks)
_DROPPED_RUN_RE = re.compile("[" + "".join(re.escape(chr(c)) for c, v in sorted(_FOLD_TABLE.items())
                                           if v is None) + "]+")
_ONE_TO_ONE = all(v is None or len(v) == 1 for v in _FOLD_TABLE.values())
_NONWORD = re.compile(r"[\W_]+")
PROCLITIC1 = "وف"
PROCLITIC2 = "بلك"
SHORT_LINE_TOKENS = 10
# a bulletin/list line: a place (a few words), a separator, then a count and one or two words
# ("حي السكري: 15 مدنيا"، "الشعار – 7 شهداء"، "بستان القصر (3 قتلى)")
_TALLY_RE = re.compile(r"^[\s#*•\-\u200e\u200f\u202a-\u202e]*([^\d\s:–—\-(][^\d\n:–—(]{1,40}?)\s*(?:[:–—(]|\s-)\s*"
                       r"(\d+|[^\s\d()]+)\s+[^\s\d()]+(?:\s+[^\s\d()]+)?\s*\)?\s*[.،,]?\s*$")


# 0.5.0: "حي الشيخ خضر: شهيد واحد": the count is واحد after the noun
_ONE_AFTER_RE = re.compile(r"[:–—(]\s*\S+\s+(?:واحد|واحدة|واحده)\s*\)?\s*[.،,]?\s*$")


# 0.4.0: a bullet line of any length, "- حي السكري: 15 مدنيا بينهم طبيب ... جراء غارات ...": a
# bullet, a place head (no digits, up to 80 characters), a separator, and a count first
_BULLET_RE = re.compile(r"^[\s\u200e\u200f\u202a-\u202e]*[-•*▪·◾◽]\s*([^\d\s:–—\-(][^\d\n:–—(.،]{1,80}?)\s*[:–—]\s*"
                        r"([^\s\d():،,.]+|\d+)")


def _count_word(lx, w: str) -> bool:
    """A bulletin count: digits, a number word (with or without its article), a dual or a vague
    quantity's first word (مدنيان، عشرات)."""
    if w.isdigit() or w in lx.numbers or w[:2] == "ال" and w[2:] in lx.numbers:
        return True
    k = strip_article(w)
    hit = lx.victims.get(k)
    return bool(hit and (hit[1] or 0) >= 2) or bool(lx.vague.first.get(k))


def strip_article(w: str) -> str:
    return w[2:] if len(w) > 3 and w.startswith("ال") else w


# the folding table as (character, replacement) pairs: no replacement is itself folded, so
# replacing one character after the other gives what ``str.translate`` gives in one pass
_FOLD_PAIRS = tuple((chr(c), v or "") for c, v in sorted(_FOLD_TABLE.items()))
_CHAIN_OK = _ONE_TO_ONE and not any(v and ord(v) in _FOLD_TABLE for v in _FOLD_TABLE.values())


def fold_text(text: str) -> str:
    """``text.translate`` with the folding table, faster on a report: ``str.translate`` with a
    dict goes through Python for every character of a non-Latin text, while a ``str.replace``
    per folded character present is a C loop (a 15,000-character report: ~0.7 ms -> ~0.07 ms).

    >>> fold_text("الإذاعةُ ١٥")
    'الاذاعه 15'
    """
    if not _CHAIN_OK or len(text) < 200:
        return text.translate(_FOLD_TABLE)
    for ch, rep in _FOLD_PAIRS:
        if ch in text:
            text = text.replace(ch, rep)
    return text


def _fold_and_index(text: str):
    """(folded, index) as ``fold_with_map``; the index is a ``range`` when nothing was dropped
    (an index into it is the same number, and it costs nothing to build)."""
    if not _ONE_TO_ONE:
        return _fold_with_map_slow(text)
    folded = fold_text(text)
    n = len(text)
    if len(folded) == n:
        return folded, range(n + 1)
    index: list[int] = []
    ext = index.extend
    pos = 0
    for m in _DROPPED_RUN_RE.finditer(text):
        ext(range(pos, m.start()))
        pos = m.end()
    ext(range(pos, n + 1))
    return folded, index


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """``arabic.normalize.fold_with_map`` without a Python loop per character: every
    replacement in the folding table is one character, so the folded text is
    ``fold_text(text)`` and the map skips the runs of dropped characters only."""
    folded, index = _fold_and_index(text)
    return folded, index if isinstance(index, list) else list(index)


def variants(tok: str) -> list[tuple[int, str]]:
    """(prefix length, word key) readings of a folded token, unstripped first.

    ``وبحي`` -> [(0,'وبحي'), (1,'بحي'), (2,'حي')]; ``للطيران`` -> [(0,..), (1,'طيران')].
    """
    out = [(0, strip_article(tok))]
    p = 0
    t = tok
    if len(t) > 2 and t[0] in PROCLITIC1:
        p, t = 1, t[1:]
        out.append((p, strip_article(t)))
    if len(t) > 2 and t[0] in PROCLITIC2:
        if t[0] == "ل" and t.startswith("لل") and len(t) > 3:
            out.append((p + 1, t[2:]))  # لل + X = ل + ال + X
        else:
            out.append((p + 1, strip_article(t[1:])))
    return out


_VARIANTS: dict[str, tuple] = {}   # token -> its readings (pure function of the token's text)
_VARIANTS_MAX = 200_000


_KEYS: dict[str, str] = {}        # token -> its first reading's key (strip_article), with _VARIANTS
# 0.6.0: a run of three or more of one Arabic letter is emphasis ("شهدااااء"): matched as one letter
_ELONG_RE = re.compile(r"([\u0621-\u064a])\1\1+")
_ELONGATED: dict[str, str] = {}   # token with such a run -> the token with each run as one letter


def token_variants(tok: str) -> tuple:
    v = _VARIANTS.get(tok)
    if v is None:
        if len(_VARIANTS) >= _VARIANTS_MAX:
            _VARIANTS.clear()
            _KEYS.clear()
        v = _VARIANTS[tok] = tuple(variants(tok))
        _KEYS[tok] = v[0][1]
    return v


_STARTS_MEMO: dict[int, tuple] = {}  # id(lexicon keys) -> (the keys, (token texts with a reading among them, seen))


def _starts_memo(first) -> tuple[set, dict]:
    m = _STARTS_MEMO.get(id(first))
    if m is None or m[0] is not first or len(m[1][1]) > _VARIANTS_MAX:
        if len(_STARTS_MEMO) > 16:
            _STARTS_MEMO.clear()
        m = _STARTS_MEMO[id(first)] = (first, (set(), {}))
    return m[1]


class Sentence:
    __slots__ = ("i", "t0", "t1", "start", "end", "kind", "para", "block", "tally")

    def __init__(self, i, t0, t1, start, end, kind, para):
        self.i, self.t0, self.t1, self.start, self.end, self.kind, self.para = i, t0, t1, start, end, kind, para
        self.tally = False  # a bulletin line "حي السكري: 15 مدنيا" (place, separator, count of people)
        self.block = para  # paragraph block: lines between blank lines (set by Document._segment)


class Document:
    def __init__(self, text: str):
        self.text = text
        self.folded, self.index = _fold_and_index(text)
        # one C-level split: gaps and tokens alternate; offsets are the running sums of their lengths
        parts = _TOKEN_SPLIT_RE.split(self.folded)
        offs = list(accumulate(map(len, parts)))
        self.tokens: list[str] = parts[1::2]
        self.starts: list[int] = offs[0:-1:2]   # a token starts where the gap before it ends
        self.ends: list[int] = offs[1::2]
        # link[i]: token i and i+1 are separated only by spaces/underscore (one phrase may span them)
        self.link = [g == " " or not g.strip(_LINK_CHARS) for g in parts[2:-1:2]] + [False]
        n = len(self.tokens)
        self._positions: dict[int, tuple] = {}
        self.memo: dict = {}  # per-document results of the steps' cheap pre-tests
        self._tok_pos: dict[str, list[int]] | None = None
        # readings, key (== strip_article(token)) and "is a number" of each token: worked out per
        # distinct token text (for the process), then C-level maps over the tokens
        distinct = self.memo["_distinct"] = set(self.tokens)
        new = distinct.difference(_VARIANTS)
        if new:
            if len(_VARIANTS) + len(new) > _VARIANTS_MAX:
                _VARIANTS.clear()
                _KEYS.clear()
                _ELONGATED.clear()
                new = distinct
            # 0.6.0: letters repeated for emphasis (شهدااااء، قتلووو): the token is matched as
            # its collapsed form; offsets stay those of the text (starts/ends are untouched)
            for t in new:
                if _ELONG_RE.search(t):
                    _ELONGATED[t] = _ELONG_RE.sub(r"\1", t)
        if _ELONGATED and not distinct.isdisjoint(_ELONGATED):
            get = _ELONGATED.get
            self.tokens = [get(t, t) for t in self.tokens]
            distinct = self.memo["_distinct"] = set(self.tokens)
            new = distinct.difference(_VARIANTS)
        if new:
            for t in new:
                v = _VARIANTS[t] = tuple(variants(t))
                _KEYS[t] = v[0][1]
        self.var = list(map(_VARIANTS.__getitem__, self.tokens))
        self.keys = list(map(_KEYS.__getitem__, self.tokens))
        self.is_num = [t[0].isdigit() for t in self.tokens]
        self.active = [True] * n
        self.sent_of = [0] * n
        self.sentences: list[Sentence] = []
        self.covered = [None] * n  # which step claimed the token (actor/place/date/...)
        self.spans: dict[str, list] = {}
        self._segment()

    # ---- offsets
    def orig_span(self, fstart: int, fend: int) -> tuple[int, int]:
        return span_to_original(self.index, fstart, fend)

    def tok_span(self, i: int, j: int) -> tuple[int, int]:
        """Original offsets of tokens i..j-1."""
        return span_to_original(self.index, self.starts[i], self.ends[j - 1])

    def variants(self, i: int):
        """(prefix length, word key) readings of token i (a tuple; see ``variants``)."""
        return self.var[i]

    def token_positions(self) -> dict[str, list[int]]:
        """Every distinct token of the document -> where it stands (built once)."""
        tp = self._tok_pos
        if tp is None:
            tp = self._tok_pos = {}
            get = tp.get
            for i, t in enumerate(self.tokens):
                lst = get(t)
                if lst is None:
                    tp[t] = [i]
                else:
                    lst.append(i)
        return tp

    def positions(self, first) -> tuple[list[int], frozenset]:
        """Sorted tokens (and their set) one of whose readings is a key of ``first`` (a dict or
        set: a PhraseIndex's first words, a lexicon's keys); cached per document and lexicon,
        and whether a token text has such a reading is cached per lexicon for the process."""
        hit = self._positions.get(id(first))
        if hit is None or hit[0] is not first:
            pos = self._select(_starts_memo(first), lambda t: any(k in first for _, k in token_variants(t)))
            hit = self._positions[id(first)] = (first, pos, frozenset(pos))
        return hit[1], hit[2]

    def per_token(self, name: str, cache: dict, fn) -> list:
        """``[fn(t) for t in self.tokens]`` for a pure function ``fn`` of a token's text: worked
        out once per distinct token text for the process (``cache``: a dict text -> result, e.g.
        a ``lexicons.token_cache``) and once per document (``name``), then a C-level map.

        >>> doc = Document("قتل قتل سبعة")
        >>> doc.per_token("len", {}, len)
        [3, 3, 4]
        """
        hit = self.memo.get(name)
        if hit is None:
            for t in self._distinct().difference(cache):
                cache[t] = fn(t)
            hit = self.memo[name] = list(map(cache.__getitem__, self.tokens))
        return hit

    def where(self, name: str, memo: tuple[set, dict], fn) -> list[int]:
        """Sorted positions of the tokens for which ``fn(text)`` is true, ``fn`` a pure function
        of a token's text; ``memo``: (the texts that pass, every text tested -> result) for the
        process (``lexicons.token_sets``), so only new texts are tested. Once per document
        (``name``); a step then visits only those tokens, found by bisection.

        >>> Document("قتل سبعة وقتل").where("qtl", (set(), {}), lambda t: t.endswith("قتل"))
        [0, 2]
        """
        hit = self.memo.get(name)
        if hit is None:
            hit = self.memo[name] = self._select(memo, fn)
        return hit

    def _distinct(self) -> set:
        """The document's distinct token texts (a set, built with the document)."""
        return self.memo["_distinct"]

    def _select(self, memo: tuple[set, dict], fn) -> list[int]:
        """Sorted positions of the tokens whose text passes ``fn``, with the process memo
        (yes, seen): set operations in C walk the document's distinct texts, never the memo."""
        yes, seen = memo
        for t in self._distinct().difference(seen):  # texts not tested before
            r = seen[t] = bool(fn(t))
            if r:
                yes.add(t)
        tp = self.token_positions()
        pos: list[int] = []
        for t in yes.intersection(tp):
            pos.extend(tp[t])
        pos.sort()
        return pos

    def tok_index_at(self, fpos: int) -> int:
        """First token starting at or after folded offset fpos."""
        return bisect.bisect_left(self.starts, fpos)

    # ---- paragraphs, sentences, hygiene
    def _segment(self):
        lx = load()
        f = self.folded
        lines = []
        pos = 0
        for line in f.split("\n"):
            lines.append((pos, pos + len(line), line))
            pos += len(line) + 1
        # the tokens of each line: [t0, t1)
        n = len(self.tokens)
        starts, bisect_left = self.starts, bisect.bisect_left
        spans = []
        ti = 0
        for _, le, _ in lines:
            t0, ti = ti, bisect_left(starts, le, ti, n)
            spans.append((t0, ti))
        # a line's words, single-spaced, punctuation dropped (_NONWORD runs -> one space). Without
        # digits these are exactly the line's tokens (both are the runs of letters), so only lines
        # with a digit ("1,748" is one token, two words here) need the regex
        tokens, is_num = self.tokens, self.is_num
        norms = [_NONWORD.sub(" ", ln).strip() if True in is_num[t0:t1] else " ".join(tokens[t0:t1])
                 for (_, _, ln), (t0, t1) in zip(lines, spans)]
        # words of the longest furniture line (a norm is single-spaced words: _NONWORD takes spaces)
        furniture_words = lx.__dict__.get("_furniture_words")
        if furniture_words is None:
            furniture_words = lx.__dict__["_furniture_words"] = max(
                (len(x.split()) for x in lx.furniture), default=0)
        first_content = next((k for k, nm in enumerate(norms) if nm), None)
        seen = set()
        open_sent = None  # last sentence of the previous line when that line runs on (no final stop)
        sent_of = self.sent_of
        sid = 0
        block = 0
        for k, (ls, le, line) in enumerate(lines):
            t0, t1 = spans[k]
            nm = norms[k]
            if not nm:
                open_sent = None
                block += 1
                continue
            kind = "body"
            stripped = line.rstrip()
            if nm.count(" ") < furniture_words and " ".join(strip_article(w) for w in nm.split()) in lx.furniture:
                kind = "skip"
            elif nm in seen:
                kind = "skip"
            elif (stripped.endswith("...") or stripped.endswith("…")) and len(nm) >= 20 and any(
                    other.startswith(nm) for other in norms[k + 1:] if other != nm):
                kind = "skip"  # teaser: the paragraph is repeated in full below
            has_end = bool(_LINE_END_RE.search(stripped))
            tally = False
            if kind == "body" and (t1 - t0) <= SHORT_LINE_TOKENS and (":" in line or "(" in line or "-" in line
                                                                     or "–" in line or "—" in line):
                m = _TALLY_RE.match(line)
                if m and (_count_word(lx, m.group(2)) or _ONE_AFTER_RE.search(line)):
                    tally = True
                    open_sent = None  # a list line never continues the line before
            if kind == "body" and not tally and t1 - t0 > 3 and line.lstrip(" \u200e\u200f")[:1] in "-•*▪·◾◽" \
                    and (":" in line or "–" in line or "—" in line):
                m = _BULLET_RE.match(line)
                if m and _count_word(lx, m.group(2)):
                    tally = True
                    open_sent = None
            if kind == "body" and not tally:
                if k == first_content and k + 1 < len(lines) and not norms[k + 1]:
                    kind = "title"
                elif (t1 - t0) <= SHORT_LINE_TOKENS and not has_end and open_sent is None:
                    kind = "caption"
            seen.add(nm)
            if kind == "skip":
                self.active[t0:t1] = [False] * (t1 - t0)
                open_sent = None
                continue
            if open_sent is not None and line.lstrip(" \u202a\u202b\u202c\u200f\u200e\u061c").startswith("#"):
                open_sent = None  # a hashtag line starts a new post element
            if open_sent is not None and kind in ("body", "caption"):
                kind = "body"
            else:
                open_sent = None
            # sentences inside the line
            cut = _sentence_ends(f, ls, le)
            s_start = ls
            t = t0
            for c in cut + [le]:
                if c <= s_start:
                    continue
                u = bisect_left(starts, c, t, t1)  # first token at or after the cut
                if u > t:
                    if open_sent is not None:
                        # a line broken inside a sentence (civil-defence posts): the sentence goes on
                        open_sent.t1, open_sent.end = u, self.ends[u - 1]
                        sent_of[t:u] = [open_sent.i] * (u - t)
                        open_sent = None
                    else:
                        self.sentences.append(Sentence(sid, t, u, self.starts[t], self.ends[u - 1], kind, k))
                        self.sentences[-1].block = block
                        self.sentences[-1].tally = tally
                        sent_of[t:u] = [sid] * (u - t)
                        sid += 1
                t = u
                s_start = c
            open_sent = self.sentences[-1] if (kind == "body" and not tally and self.sentences and not has_end
                                               and self.sentences[-1].t1 == t1) else None

    def add(self, kind: str, span):
        self.spans.setdefault(kind, []).append(span)
