"""The Document every pipeline step reads and adds spans to (spaCy-like).

One pass folds the text (``arabic.fold_with_map``), one regex pass tokenizes the folded
text, one pass over lines finds paragraphs, sentences, page furniture and repeated
paragraphs. Token ``i`` covers ``folded[starts[i]:ends[i]]``; ``doc.orig_span`` maps any
folded span back to exact offsets in the text as given.
"""
from __future__ import annotations

import re

from arabic.normalize import fold_with_map, span_to_original

from extraction.lexicons import load

# words: letters (no digits/underscore); numbers: 1,748 / 2.5 / 15
TOKEN_RE = re.compile(r"\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?|[^\W\d_]+")
SENT_END_RE = re.compile(r"(?:[.!?…]+|\?)(?=\s|$)|(?<!\d)\.(?!\d)")
_LINK_RE = re.compile(r"[ \t\u00a0_\u200b]*\Z")  # gap that keeps two words in one phrase
_NONWORD = re.compile(r"[\W_]+")
PROCLITIC1 = "وف"
PROCLITIC2 = "بلك"
SHORT_LINE_TOKENS = 10


def strip_article(w: str) -> str:
    return w[2:] if len(w) > 3 and w.startswith("ال") else w


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


class Sentence:
    __slots__ = ("i", "t0", "t1", "start", "end", "kind", "para", "block")

    def __init__(self, i, t0, t1, start, end, kind, para):
        self.i, self.t0, self.t1, self.start, self.end, self.kind, self.para = i, t0, t1, start, end, kind, para
        self.block = para  # paragraph block: lines between blank lines (set by Document._segment)


class Document:
    def __init__(self, text: str):
        self.text = text
        self.folded, self.index = fold_with_map(text)
        f = self.folded
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.tokens: list[str] = []
        for m in TOKEN_RE.finditer(f):
            self.starts.append(m.start())
            self.ends.append(m.end())
            self.tokens.append(m.group())
        n = len(self.tokens)
        self.keys = [strip_article(t) for t in self.tokens]
        self._variants: dict[int, list] = {}
        # link[i]: token i and i+1 are separated only by spaces/underscore (one phrase may span them)
        self.link = [bool(_LINK_RE.match(f, self.ends[i], self.starts[i + 1])) for i in range(n - 1)] + [False]
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
        v = self._variants.get(i)
        if v is None:
            v = self._variants[i] = variants(self.tokens[i])
        return v

    def tok_index_at(self, fpos: int) -> int:
        """First token starting at or after folded offset fpos."""
        import bisect
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
        norms = [_NONWORD.sub(" ", ln).strip() for _, _, ln in lines]
        first_content = next((k for k, nm in enumerate(norms) if nm), None)
        seen = set()
        open_sent = None  # last sentence of the previous line when that line runs on (no final stop)
        ti = 0
        n = len(self.tokens)
        sid = 0
        block = 0
        for k, (ls, le, line) in enumerate(lines):
            t0 = ti
            while ti < n and self.starts[ti] < le:
                ti += 1
            t1 = ti
            nm = norms[k]
            if not nm:
                open_sent = None
                block += 1
                continue
            kind = "body"
            stripped = line.rstrip()
            if " ".join(strip_article(w) for w in nm.split()) in lx.furniture:
                kind = "skip"
            elif nm in seen:
                kind = "skip"
            elif (stripped.endswith("...") or stripped.endswith("…")) and len(nm) >= 20 and any(
                    other.startswith(nm) for other in norms[k + 1:] if other != nm):
                kind = "skip"  # teaser: the paragraph is repeated in full below
            has_end = bool(re.search(r"[.!?…:]\s*$", stripped))
            if kind == "body":
                if k == first_content and k + 1 < len(lines) and not norms[k + 1]:
                    kind = "title"
                elif (t1 - t0) <= SHORT_LINE_TOKENS and not has_end and open_sent is None:
                    kind = "caption"
            seen.add(nm)
            if kind == "skip":
                for t in range(t0, t1):
                    self.active[t] = False
                open_sent = None
                continue
            if open_sent is not None and line.lstrip(" \u202a\u202b\u202c\u200f\u200e\u061c").startswith("#"):
                open_sent = None  # a hashtag line starts a new post element
            if open_sent is not None and kind in ("body", "caption"):
                kind = "body"
            else:
                open_sent = None
            # sentences inside the line
            cut = [m.end() for m in SENT_END_RE.finditer(f, ls, le)]
            s_start = ls
            t = t0
            for c in cut + [le]:
                if c <= s_start:
                    continue
                u = t
                while u < t1 and self.starts[u] < c:
                    u += 1
                if u > t:
                    if open_sent is not None:
                        # a line broken inside a sentence (civil-defence posts): the sentence goes on
                        open_sent.t1, open_sent.end = u, self.ends[u - 1]
                        for x in range(t, u):
                            self.sent_of[x] = open_sent.i
                        open_sent = None
                    else:
                        self.sentences.append(Sentence(sid, t, u, self.starts[t], self.ends[u - 1], kind, k))
                        self.sentences[-1].block = block
                        for x in range(t, u):
                            self.sent_of[x] = sid
                        sid += 1
                t = u
                s_start = c
            open_sent = self.sentences[-1] if (kind == "body" and self.sentences and not has_end
                                               and self.sentences[-1].t1 == t1) else None

    def add(self, kind: str, span):
        self.spans.setdefault(kind, []).append(span)
