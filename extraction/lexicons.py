"""Lexicons under data/lexicons/ (CSV an analyst can read and extend), loaded once per process.

Every phrase is turned into a tuple of word keys (``arabic.name_key`` per word: folded,
article dropped), so matching is a dict lookup on the folded tokens of a report.
"""
from __future__ import annotations

import csv
import functools
import os
from dataclasses import dataclass, field
from pathlib import Path

from arabic.normalize import fold, name_key

LEXICON_DIR = Path(os.environ.get("FRONTLINE_LEXICONS",
                                  Path(__file__).resolve().parent.parent / "data" / "lexicons"))


def read_csv(name: str) -> list[dict]:
    with open(LEXICON_DIR / name, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    fields = list(rows[0].keys())[:1] if rows else []
    # a row missing its first column is a typo, not an entry: skip it
    return [r for r in rows if all((r.get(f) or "").strip() for f in fields)]


def phrase_key(phrase: str) -> tuple[str, ...]:
    return tuple(name_key(phrase).split())


class PhraseIndex:
    """Phrases as tuples of word keys -> payload; longest match first."""

    def __init__(self):
        self.entries: dict[tuple[str, ...], object] = {}
        self.first: dict[str, int] = {}  # first word key -> longest phrase length starting with it

    def add(self, phrase, payload, overwrite=False):
        key = phrase if isinstance(phrase, tuple) else phrase_key(phrase)
        if not key:
            return
        if key in self.entries and not overwrite:
            return
        self.entries[key] = payload
        if self.first.get(key[0], 0) < len(key):
            self.first[key[0]] = len(key)

    def __contains__(self, key):
        return key in self.entries

    def get(self, key, default=None):
        return self.entries.get(key, default)


def _militia_variants(phrase: str) -> list[str]:
    """مليشيات / ميليشيات / ميلشيات are all in use."""
    out = {phrase}
    f = fold(phrase)
    for a, b in (("مليشي", "ميليشي"), ("ميليشي", "مليشي"), ("ميليشي", "ميلشي")):
        if a in f:
            out.add(f.replace(a, b))
    return sorted(out)


@dataclass
class Faction:
    id: str
    name_en: str
    name_ar: str
    side: str
    actor_type: str
    inter_code: int
    in_events: bool


@dataclass
class Lexicons:
    factions: dict = field(default_factory=dict)
    actors: PhraseIndex = field(default_factory=PhraseIndex)
    actor_extenders: set = field(default_factory=set)
    numbers: dict = field(default_factory=dict)          # word key -> (value, kind)
    vague: PhraseIndex = field(default_factory=PhraseIndex)
    victims: dict = field(default_factory=dict)          # word key -> (victims, count|None)
    casualty: dict = field(default_factory=dict)         # word key -> (type, role)
    aggregate: PhraseIndex = field(default_factory=PhraseIndex)
    modifiers: PhraseIndex = field(default_factory=PhraseIndex)
    months: PhraseIndex = field(default_factory=PhraseIndex)
    date_words: PhraseIndex = field(default_factory=PhraseIndex)
    weekdays: dict = field(default_factory=dict)
    triggers: PhraseIndex = field(default_factory=PhraseIndex)
    weapons: PhraseIndex = field(default_factory=PhraseIndex)
    place_triggers: dict = field(default_factory=dict)   # word key -> (number, kind)
    name_heads: set = field(default_factory=set)
    place_adjectives: set = field(default_factory=set)
    furniture: set = field(default_factory=set)
    place_stop: set = field(default_factory=set)
    organisations: PhraseIndex = field(default_factory=PhraseIndex)  # media, documenters: no party, no place
    publication_cues: PhraseIndex = field(default_factory=PhraseIndex)  # نشر، رفع: the date after dates a post
    not_event_cues: PhraseIndex = field(default_factory=PhraseIndex)  # 0.6.0: ولد، تأسس: a birthday, a founding
    common_words: set = field(default_factory=set)   # 0.3.0: frequent non-place words: a bare one needs a trigger
    place_names_ya: set = field(default_factory=set)  # real names that end like an adverb/pronoun (كفرناها)
    counted_things: set = field(default_factory=set)  # غارة، برميل، أشهر: a figure of these is no toll
    rescue: PhraseIndex = field(default_factory=PhraseIndex)  # على قيد الحياة، إنقاذ: the living, not the dead
    preliminary: PhraseIndex = field(default_factory=PhraseIndex)  # كحصيلة أولية: the toll may rise
    date_word_articles: dict = field(default_factory=dict)  # phrase key -> which words carry ال
    modality: set = field(default_factory=set)  # حاولت، فشلت، لم: an attempt is not ground taken
    negation: dict = field(default_factory=dict)  # 0.4.0: لم، نفى: word key -> near | deny (no toll)


def token_cache(lx: "Lexicons", name: str) -> dict:
    """A per-lexicons memo (token text -> a look-up result): what a token means to a lexicon
    depends on its text only, so it is worked out once per distinct token and process.
    Tied to the Lexicons object, so reloaded lexicons start afresh; bounded."""
    caches = lx.__dict__.setdefault("_token_caches", {})
    c = caches.get(name)
    if c is None or len(c) > 200_000:
        c = caches[name] = {}
    return c


def token_sets(lx: "Lexicons", name: str) -> tuple[set, dict]:
    """A per-lexicons memo of a yes/no test on token texts: (the texts that pass, every text
    tested -> result); see ``Document.where``. Tied to the Lexicons object like ``token_cache``;
    bounded."""
    caches = lx.__dict__.setdefault("_token_sets", {})
    c = caches.get(name)
    if c is None or len(c[1]) > 200_000:
        c = caches[name] = (set(), {})
    return c


@functools.lru_cache(maxsize=1)
def load() -> Lexicons:
    lx = Lexicons()
    for row in read_csv("factions.csv"):
        f = Faction(row["id"], row["name_en"], row["name_ar"], row["side"], row["actor_type"],
                    int(row["inter_code"] or 8), (row.get("in_events") or "yes").strip() != "no")
        lx.factions[f.id] = f
        for phrase in [row["name_ar"]] + [a for a in (row["aliases"] or "").split("|") if a.strip()]:
            for variant in _militia_variants(phrase.strip()):
                lx.actors.add(variant, f.id)
    lx.actor_extenders = {name_key(r["word"]) for r in read_csv("actor_extenders.csv")}
    for r in read_csv("number_words.csv"):
        lx.numbers[fold(r["word"]).strip()] = (int(r["value"]), r["kind"])
    for r in read_csv("vague_quantities.csv"):
        lx.vague.add(r["phrase"], (int(r["low"]) if r["low"] else None,
                                   int(r["high"]) if r["high"] else None))
    for r in read_csv("victim_words.csv"):
        lx.victims[name_key(r["word"])] = (r["victims"], int(r["count"]) if r["count"] else None)
    for r in read_csv("casualty_terms.csv"):
        lx.casualty.setdefault(name_key(r["word"]), (r["type"], r["role"]))
    for r in read_csv("aggregate_markers.csv"):
        lx.aggregate.add(r["phrase"], r["meaning"])
    for r in read_csv("quantity_modifiers.csv"):
        lx.modifiers.add(r["phrase"], r["effect"])
    for r in read_csv("months.csv"):
        lx.months.add(r["name"], int(r["month"]))
    for r in read_csv("date_words.csv"):
        lx.date_words.add(r["phrase"], (r["kind"], int(r["offset_days"]), r["precision"]))
        lx.date_word_articles[phrase_key(r["phrase"])] = tuple(fold(w).startswith("ال") for w in r["phrase"].split())
    for r in read_csv("weekdays.csv"):
        lx.weekdays[name_key(r["name"])] = int(r["weekday"])
    for r in read_csv("event_triggers.csv"):
        if not r.get("event_type") or not r.get("sub_event_type"):
            continue
        lx.triggers.add(r["phrase"], (r["event_type"], r["sub_event_type"], int(r["weight"] or 1)))
    for r in read_csv("weapons.csv"):
        lx.weapons.add(r["phrase"], (r["weapon_en"], r["class"]))
    for r in read_csv("place_triggers.csv"):
        lx.place_triggers[name_key(r["word"])] = (r["number"], r["kind"], name_key(r.get("singular") or r["word"]))
    lx.name_heads = {name_key(r["word"]) for r in read_csv("place_name_heads.csv")}
    lx.place_adjectives = {name_key(r["word"]) for r in read_csv("place_adjectives.csv")}
    lx.furniture = {name_key(r["line"]) for r in read_csv("furniture.csv")}
    lx.place_stop = {name_key(r["word"]) for r in read_csv("place_stopwords.csv")}
    for r in read_csv("organisations.csv"):
        for phrase in [r["name_ar"]] + [a for a in (r.get("aliases") or "").split("|") if a.strip()]:
            lx.organisations.add(phrase.strip(), r.get("kind") or "organisation")
    lx.counted_things = {name_key(r["word"]) for r in read_csv("counted_things.csv")}
    for r in read_csv("common_words.csv"):
        (lx.place_names_ya if (r.get("kind") or "").strip() == "place" else lx.common_words).add(name_key(r["word"]))
    for r in read_csv("rescue_cues.csv"):
        lx.rescue.add(r["phrase"], True)
    for r in read_csv("preliminary_markers.csv"):
        lx.preliminary.add(r["phrase"], True)
    lx.modality = {name_key(r["word"]) for r in read_csv("modality_cues.csv")}
    for r in read_csv("negation_cues.csv"):
        lx.negation[name_key(r["word"])] = (r.get("scope") or "near").strip()
    for r in read_csv("publication_cues.csv"):
        lx.publication_cues.add(r["word"], True)
    for r in read_csv("not_event_date_cues.csv"):
        lx.not_event_cues.add(r["word"], True)
    return lx
