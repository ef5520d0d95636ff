"""Score the extractor against the hand-annotated gold set (``tests/gold``).

``python -m extraction.evaluate GOLD_DIR [--texts DIR ...] [--json]``

Each ``GOLD_DIR/*.expected.json`` names its report (``doc``) and publication date
(``published``). The report text is read from the ``--texts`` directories (default:
``<repo>/../shared/dev-corpus`` and ``<repo>/../shared/samples``), run through
``extraction.extract_text(text, published=...)``, and compared with the gold.

Six figures, each as precision / recall / F1, micro-averaged over the documents
(true positives, false positives and misses are summed, then divided):

``places``
    Distinct places of the report. A gold place with a P-code matches a predicted place
    mention with that P-code (or one of the gold ``pcode_alternatives``). A gold place
    with ``pcode: null`` (an area, a landmark, a name in no gazetteer) matches a
    predicted place *without* a P-code whose name agrees: ``name_ar`` or the mention
    text, keyed with :func:`place_name_key` (folded, no article, no trigger word such as
    حي/منطقة/مدينة, hashtag underscores read as spaces), equal to the gold ``name_ar``,
    ``surface`` or one of its ``variants``; names of six letters or more may differ by
    one edit (جب الجلبي / جبل الجلبي).
``actors``
    Distinct actors: gold entries grouped by (side, canonical), predicted actor
    mentions grouped by ``actor_id``. A pair matches when the sides are equal and
    either a gold surface and a predicted mention text are the same words (clitics and
    articles aside, or one inside the other), or the names are alike (rapidfuzz
    token-set ratio >= 80 between the gold canonical and the predicted ``name_en`` /
    ``actor_id``). Canonical spellings differ between annotators and lexicons; the
    Arabic surface is the robust anchor.
``actor_sides``
    The set of sides present in the report (``government``, ``russia`` ...).
``casualty_figures``
    Distinct killed figures: a figure with a best value is identified by it (7); one
    without (vague or "more than") by its low and high bounds (10-99, >=41). Predicted
    figures come from casualty mentions and from events' ``killed``.
``casualty_places``
    A killed figure together with the P-code it is attached to (gold ``place_pcode`` or
    one of ``place_pcode_alternatives``; a gold figure with no P-code must be predicted
    with none).
``event_dates``
    Distinct dates (YYYY-MM-DD) of events and casualties: gold ``casualties[].event_date``
    and ``event_dates[].date``; predicted ``events[].date`` and casualty mentions' ``date``.
    Date mentions that are not events (a photo's date, a UN report's month) do not count.

Within one document identical items count once on both sides (a repeated paragraph
or an event echoing its casualty mention is not a second hit, nor a false positive).
Matching is one-to-one (maximum bipartite matching). When nothing is predicted and
nothing is expected, precision, recall and F1 are 1.0; with nothing predicted,
precision is 0.0.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from arabic import fold, name_key

METRICS = ("places", "actors", "actor_sides", "casualty_figures", "casualty_places", "event_dates")

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TEXT_DIRS = (REPO_ROOT.parent / "shared" / "dev-corpus", REPO_ROOT.parent / "shared" / "samples")

# Folded trigger words dropped from the front of a place name before comparing names.
PLACE_TRIGGERS = frozenset(
    name_key(w) for w in (
        "حي", "احياء", "حيي", "منطقة", "مناطق", "مدينة", "بلدة", "بلدات", "بلدتي", "قرية", "قرى",
        "محور", "جبهة", "دوار", "ساحة", "مخيم", "بلده",
    )
)
_CLITIC_ARTICLE_RE = re.compile(r"^(?:[وف]?[بلك]?ال|[وف]?لل)(?=..)")


# --------------------------------------------------------------------------- scores
@dataclass
class Score:
    """Counts for one metric on one document (or summed over documents)."""
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list = field(default_factory=list)
    false_positives: list = field(default_factory=list)

    @property
    def precision(self) -> float:
        return precision_recall_f1(self.tp, self.fp, self.fn)[0]

    @property
    def recall(self) -> float:
        return precision_recall_f1(self.tp, self.fp, self.fn)[1]

    @property
    def f1(self) -> float:
        return precision_recall_f1(self.tp, self.fp, self.fn)[2]

    def add(self, other: "Score") -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def as_dict(self, details: bool = True) -> dict:
        d = {"tp": self.tp, "fp": self.fp, "fn": self.fn, "gold": self.tp + self.fn,
             "predicted": self.tp + self.fp, "precision": round(self.precision, 4),
             "recall": round(self.recall, 4), "f1": round(self.f1, 4)}
        if details:
            d["misses"] = list(self.misses)
            d["false_positives"] = list(self.false_positives)
        return d


def precision_recall_f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1 from counts.

    >>> precision_recall_f1(3, 1, 1)
    (0.75, 0.75, 0.75)
    >>> precision_recall_f1(0, 0, 4)        # nothing predicted
    (0.0, 0.0, 0.0)
    >>> precision_recall_f1(0, 0, 0)        # nothing expected, nothing predicted
    (1.0, 1.0, 1.0)
    """
    p = tp / (tp + fp) if tp + fp else (1.0 if fn == 0 else 0.0)
    r = tp / (tp + fn) if tp + fn else (1.0 if fp == 0 else 0.0)
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def match(gold: list, pred: list, compatible: Callable[[object, object], bool]) -> tuple[list, list, list]:
    """One-to-one maximum matching of ``gold`` and ``pred`` items.

    Returns ``(pairs, missed_gold, unmatched_pred)``.

    >>> pairs, missed, extra = match([1, 2, 3], [2, 3, 4], lambda g, p: g == p)
    >>> len(pairs), missed, extra
    (2, [1], [4])
    >>> match(["a"], ["a", "a"], lambda g, p: g == p)[2]   # a second copy is left over
    ['a']
    """
    adj = [[j for j, p in enumerate(pred) if compatible(g, p)] for g in gold]
    owner: dict[int, int] = {}

    def augment(i: int, seen: set) -> bool:
        for j in adj[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(len(gold)):
        augment(i, set())
    by_gold = {i: j for j, i in owner.items()}
    pairs = [(gold[i], pred[j]) for i, j in sorted(by_gold.items())]
    missed = [g for i, g in enumerate(gold) if i not in by_gold]
    extra = [p for j, p in enumerate(pred) if j not in owner]
    return pairs, missed, extra


def score_items(gold: list, pred: list, compatible: Callable[[object, object], bool],
                label: Callable[[object], str] = str) -> Score:
    """Score one metric on one document: duplicates (equal ``identity``) count once.

    >>> s = score_items([Item("a"), Item("b")], [Item("a"), Item("a"), Item("c")], Item.same)
    >>> (s.tp, s.fp, s.fn, s.misses, s.false_positives)
    (1, 1, 1, ['b'], ['c'])
    """
    gold = _dedupe(gold)
    pred = _dedupe(pred)
    pairs, missed, extra = match(gold, pred, compatible)
    return Score(tp=len(pairs), fp=len(extra), fn=len(missed),
                 misses=[label(g) for g in missed], false_positives=[label(p) for p in extra])


@dataclass(frozen=True)
class Item:
    """One thing to find: ``identity`` decides duplicates; ``data`` is what matching reads."""
    identity: object
    data: tuple = ()
    text: str = ""

    def __str__(self) -> str:
        return self.text or str(self.identity)

    @staticmethod
    def same(a: "Item", b: "Item") -> bool:
        return a.identity == b.identity


def _dedupe(items: Iterable[Item]) -> list[Item]:
    seen: dict = {}
    for it in items:
        seen.setdefault(it.identity, it)
    return list(seen.values())


# --------------------------------------------------------------------------- keys
def place_name_key(name: str | None) -> str:
    """Compare key of a place name: folded, articles and clitics off, leading trigger words off.

    >>> place_name_key("حيّ الميسّر") == place_name_key("الميسر")
    True
    >>> place_name_key("#حلب_القديمة")
    'حلب قديمه'
    >>> place_name_key("بريف حلب الغربي")
    'ريف حلب غربي'
    """
    if not name:
        return ""
    words = [_strip_clitics(w) for w in fold(name).replace("_", " ").split()]
    key = name_key(" ".join(words))
    parts = key.split()
    while len(parts) > 1 and parts[0] in PLACE_TRIGGERS:
        parts = parts[1:]
    return " ".join(parts)


def _strip_clitics(word: str) -> str:
    """Drop proclitics before an article or a trigger word; a bare ``ب``/``و`` is kept
    otherwise (``بستان`` must stay).

    >>> [_strip_clitics(w) for w in ("وبالحي", "للطيران", "وبحي", "بريف", "بستان")]
    ['حي', 'طيران', 'حي', 'ريف', 'بستان']
    """
    m = _CLITIC_ARTICLE_RE.match(word)
    if m:
        return word[m.end():]
    for k in (1, 2):  # وحي، بحي، وبحي، بريف، وبلدة
        rest = word[k:]
        if all(c in "وفبل" for c in word[:k]) and (rest in PLACE_TRIGGERS or rest.startswith("ريف")):
            return rest
    return word


def actor_text_key(text: str | None) -> str:
    """Compare key of an actor's Arabic words.

    >>> actor_text_key("للطيران الحربي") == actor_text_key("الطيران الحربي")
    True
    """
    if not text:
        return ""
    return name_key(" ".join(_strip_clitics(w) for w in fold(text).replace("_", " ").split()))


def names_agree(a: str, b: str) -> bool:
    """Equal keys, or one edit apart when both have six letters or more.

    >>> names_agree(place_name_key("جب الجلبي"), place_name_key("جبل الجلبي"))
    True
    >>> names_agree("نبل", "نبلا")
    False
    """
    if not a or not b:
        return False
    if a == b:
        return True
    if min(len(a.replace(" ", "")), len(b.replace(" ", ""))) < 6:
        return False
    from rapidfuzz.distance import Levenshtein
    return Levenshtein.distance(a, b, score_cutoff=1) <= 1


def figure_key(killed_best=None, killed_low=None, killed_high=None):
    """Identity of a killed figure: its best value, else its bounds; None when empty.

    >>> figure_key(7, 7, 7)
    ('best', 7)
    >>> figure_key(None, 10, 99)
    ('range', 10, 99)
    >>> figure_key(None, 41, None)
    ('range', 41, None)
    >>> figure_key() is None
    True
    """
    best, low, high = (_int(killed_best), _int(killed_low), _int(killed_high))
    if best is not None:
        return ("best", best)
    if low is None and high is None:
        return None
    return ("range", low, high)


def figure_label(key) -> str:
    """Readable form of a :func:`figure_key`.

    >>> figure_label(("range", 41, None))
    'killed >=41'
    """
    if key is None:
        return "killed ?"
    if key[0] == "best":
        return f"killed {key[1]}"
    low, high = key[1], key[2]
    if high is None:
        return f"killed >={low}"
    if low is None:
        return f"killed <={high}"
    return f"killed {low}-{high}"


def _int(v):
    if v is None or isinstance(v, bool):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return int(f) if f == int(f) else f


def _date(v) -> str | None:
    if v is None or v == "":
        return None
    if isinstance(v, dict):  # tolerate {"date": ..., "precision": ...}
        v = v.get("date") or v.get("value")
        if not v:
            return None
    return str(v)[:10]


def _is_pcode(place_id) -> bool:
    return isinstance(place_id, str) and bool(place_id) and not place_id.startswith("M-")


# --------------------------------------------------------------------------- gold → items
def gold_items(gold: dict) -> dict[str, list[Item]]:
    """The items of one gold document, per metric."""
    out: dict[str, list[Item]] = {m: [] for m in METRICS}
    for p in gold.get("places") or []:
        pcodes = [p["pcode"]] + list(p.get("pcode_alternatives") or []) if p.get("pcode") else []
        names = {place_name_key(n) for n in [p.get("name_ar"), p.get("surface"), *(p.get("variants") or [])]}
        names.discard("")
        label = f"{p.get('pcode') or 'no-pcode'} {p.get('name_ar') or p.get('surface')}"
        ident = ("P", p["pcode"]) if p.get("pcode") else ("N", place_name_key(p.get("name_ar") or p.get("surface")))
        out["places"].append(Item(ident, (frozenset(pcodes), frozenset(names)), label))

    groups: dict = {}
    for a in gold.get("actors") or []:
        side, canonical = a.get("side"), a.get("canonical") or a.get("surface")
        g = groups.setdefault((side, canonical), set())
        g.add(actor_text_key(a.get("surface")))
    for (side, canonical), surfaces in groups.items():
        surfaces.discard("")
        out["actors"].append(Item(("A", side, canonical), (side, frozenset([canonical]), frozenset(surfaces)),
                                  f"{side}: {canonical}"))
        out["actor_sides"].append(Item(side, (), str(side)))

    for c in gold.get("casualties") or []:
        fk = figure_key(c.get("killed_best"), c.get("killed_low"), c.get("killed_high"))
        if fk is not None:
            out["casualty_figures"].append(Item(fk, (), figure_label(fk)))
            places = [c.get("place_pcode")] + list(c.get("place_pcode_alternatives") or []) \
                if c.get("place_pcode") else [None]
            where = c.get("place_pcode") or f"no-pcode ({c.get('place_surface') or 'no place'})"
            out["casualty_places"].append(Item((fk, tuple(places)), (fk, frozenset(places)),
                                               f"{figure_label(fk)} @ {where}"))
        d = _date(c.get("event_date"))
        if d:
            out["event_dates"].append(Item(d, (), d))
    for e in gold.get("event_dates") or []:
        d = _date(e.get("date"))
        if d:
            out["event_dates"].append(Item(d, (), d))
    return out


# --------------------------------------------------------------------------- prediction → items
def pred_items(result: dict | None) -> dict[str, list[Item]]:
    """The items of one extractor output (``extract_text``'s dict), per metric.

    Tolerant of partial output: missing keys and empty lists give no items.

    >>> {m: len(v) for m, v in pred_items({"mentions": [], "events": []}).items()}["places"]
    0
    """
    out: dict[str, list[Item]] = {m: [] for m in METRICS}
    result = result or {}
    mentions = [m for m in (result.get("mentions") or []) if isinstance(m, dict)]
    events = [e for e in (result.get("events") or []) if isinstance(e, dict)]

    pcode_of: dict = {}
    for m in mentions:
        if m.get("kind") != "place":
            continue
        pcode = m.get("pcode") or None
        if m.get("place_id") is not None:
            pcode_of.setdefault(m["place_id"], pcode)
        names = {place_name_key(m.get("name_ar")), place_name_key(m.get("text"))}
        names.discard("")
        if pcode:
            ident, label = ("P", pcode), f"{pcode} {m.get('name_ar') or m.get('text')}"
        else:
            key = place_name_key(m.get("name_ar") or m.get("text"))
            ident, label = ("N", key), f"no-pcode {m.get('name_ar') or m.get('text')}"
        out["places"].append(Item(ident, (pcode, frozenset(names)), label))

    actors: dict = {}
    for m in mentions:
        if m.get("kind") != "actor":
            continue
        aid = m.get("actor_id") or m.get("name_en") or m.get("text")
        side = m.get("side")
        entry = actors.setdefault((aid, side), {"names": set(), "texts": set()})
        for n in (m.get("actor_id"), m.get("name_en")):
            if n:
                entry["names"].add(str(n))
        entry["texts"].add(actor_text_key(m.get("text")))
    for (aid, side), entry in actors.items():
        entry["texts"].discard("")
        out["actors"].append(Item(("A", side, aid), (side, frozenset(entry["names"]), frozenset(entry["texts"])),
                                  f"{side}: {aid}"))
        out["actor_sides"].append(Item(side, (), str(side)))

    def place_pcode(place_id):
        if place_id in pcode_of:
            return pcode_of[place_id]
        return place_id if _is_pcode(place_id) else None

    def add_figure(killed, pcode):
        if not isinstance(killed, dict):
            return
        fk = figure_key(killed.get("best"), killed.get("low"), killed.get("high"))
        if fk is None:
            return
        out["casualty_figures"].append(Item(fk, (), figure_label(fk)))
        out["casualty_places"].append(Item((fk, pcode), (fk, pcode),
                                           f"{figure_label(fk)} @ {pcode or 'no-pcode'}"))

    for m in mentions:
        if m.get("kind") != "casualty":
            continue
        add_figure(m.get("killed"), place_pcode(m.get("place_id")))
        d = _date(m.get("date"))
        if d:
            out["event_dates"].append(Item(d, (), d))
    for e in events:
        place = e.get("place") if isinstance(e.get("place"), dict) else {}
        pcode = place.get("pcode") or place_pcode(place.get("place_id"))
        add_figure(e.get("killed"), pcode)
        d = _date(e.get("date"))
        if d:
            out["event_dates"].append(Item(d, (), d))
    return out


# --------------------------------------------------------------------------- compatibility rules
def _place_ok(g: Item, p: Item) -> bool:
    gold_pcodes, gold_names = g.data
    pcode, names = p.data
    if gold_pcodes:
        return pcode in gold_pcodes
    return pcode is None and any(names_agree(a, b) for a in gold_names for b in names)


def _actor_ok(g: Item, p: Item) -> bool:
    gside, gnames, gsurf = g.data
    pside, pnames, ptexts = p.data
    if gside != pside:
        return False
    for a in gsurf:
        for b in ptexts:
            if a == b or f" {a} " in f" {b} " or f" {b} " in f" {a} ":
                return True
    from rapidfuzz import fuzz
    for a in gnames:
        for b in pnames:
            if fuzz.token_set_ratio(_latin(a), _latin(b)) >= 80:
                return True
    return False


def _latin(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(s).lower()).strip()


def _attach_ok(g: Item, p: Item) -> bool:
    gfig, gplaces = g.data
    pfig, ppcode = p.data
    return gfig == pfig and ppcode in gplaces


RULES = {
    "places": _place_ok,
    "actors": _actor_ok,
    "actor_sides": Item.same,
    "casualty_figures": Item.same,
    "casualty_places": _attach_ok,
    "event_dates": Item.same,
}


def score_document(gold: dict, result: dict | None) -> dict[str, Score]:
    """Score one extractor output against one gold document.

    >>> gold = {"places": [{"surface": "حي الجلوم", "name_ar": "الجلوم", "pcode": "N0189"}],
    ...         "casualties": [{"killed_best": 15, "killed_low": 15, "killed_high": 15,
    ...                         "place_pcode": "N0189", "event_date": "2016-12-05"}]}
    >>> pred = {"mentions": [{"kind": "place", "text": "الجلوم", "place_id": "N0189", "pcode": "N0189"},
    ...                      {"kind": "casualty", "killed": {"low": 15, "best": 15, "high": 15},
    ...                       "place_id": "N0189", "date": "2016-12-05"}], "events": []}
    >>> s = score_document(gold, pred)
    >>> [s[m].f1 for m in ("places", "casualty_figures", "casualty_places", "event_dates")]
    [1.0, 1.0, 1.0, 1.0]
    """
    g, p = gold_items(gold), pred_items(result)
    return {m: score_items(g[m], p[m], RULES[m]) for m in METRICS}


# --------------------------------------------------------------------------- running over a gold dir
def find_text(doc: str, text_dirs: Iterable[Path]) -> Path | None:
    for d in text_dirs:
        path = Path(d) / doc
        if path.is_file():
            return path
    return None


def evaluate(gold_dir, text_dirs: Iterable = DEFAULT_TEXT_DIRS, extract: Callable | None = None) -> dict:
    """Run the extractor on every gold document and score it.

    Returns a JSON-ready dict: ``micro`` (per metric), ``documents`` (per document, with
    misses and false positives), ``skipped`` (gold files whose text was not found or
    could not be read) and ``errors`` (documents where the extractor raised; scored as
    if it had returned nothing).
    """
    if extract is None:
        from extraction import extract_text as extract
    text_dirs = [Path(d) for d in text_dirs]
    try:
        from extraction import EXTRACTOR_VERSION as version
    except Exception:  # pragma: no cover - the package without a version
        version = None
    micro = {m: Score() for m in METRICS}
    documents: dict = {}
    skipped: list = []
    errors: list = []
    for gold_path in sorted(Path(gold_dir).glob("*.expected.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        doc = gold.get("doc") or gold_path.name.replace(".expected.json", ".txt")
        text_path = find_text(doc, text_dirs)
        if text_path is None:
            skipped.append({"gold": gold_path.name, "doc": doc,
                            "reason": "text not found in " + ", ".join(str(d) for d in text_dirs)})
            continue
        try:
            text = text_path.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            skipped.append({"gold": gold_path.name, "doc": doc, "reason": f"unreadable: {exc}"})
            continue
        try:
            result = extract(text, published=gold.get("published"))
        except Exception as exc:  # score as empty, report it
            errors.append({"doc": doc, "error": f"{type(exc).__name__}: {exc}"})
            result = None
        scores = score_document(gold, result)
        for m in METRICS:
            micro[m].add(scores[m])
        documents[doc] = {m: scores[m].as_dict() for m in METRICS}
    return {
        "gold_dir": str(gold_dir),
        "extractor_version": version,
        "n_documents": len(documents),
        "micro": {m: micro[m].as_dict(details=False) for m in METRICS},
        "documents": documents,
        "skipped": skipped,
        "errors": errors,
    }


# --------------------------------------------------------------------------- printing
_SHORT = {"places": "places", "actors": "actors", "actor_sides": "sides",
          "casualty_figures": "killed", "casualty_places": "killed@place", "event_dates": "dates"}


def format_report(report: dict) -> str:
    """The human-readable table: micro averages, per-document F1 with counts, then the misses
    and false positives of every document."""
    lines = [f"Evaluation of extractor {report.get('extractor_version')} on {report['n_documents']} "
             f"gold documents ({report['gold_dir']})", "",
             "Micro-averaged (tp/fp/fn summed over documents)",
             f"{'metric':<18}{'gold':>6}{'pred':>6}{'tp':>6}{'fp':>6}{'fn':>6}"
             f"{'precision':>11}{'recall':>8}{'F1':>7}"]
    for m in METRICS:
        s = report["micro"][m]
        lines.append(f"{m:<18}{s['gold']:>6}{s['predicted']:>6}{s['tp']:>6}{s['fp']:>6}{s['fn']:>6}"
                     f"{s['precision']:>11.3f}{s['recall']:>8.3f}{s['f1']:>7.3f}")
    lines += ["", "Per document: F1 (tp/fp/fn)"]
    width = max([len(d) for d in report["documents"]] + [8])
    width = min(width, 44)
    lines.append(f"{'document':<{width}}" + "".join(f"{_SHORT[m]:>17}" for m in METRICS))
    for doc, scores in report["documents"].items():
        name = doc if len(doc) <= width else doc[: width - 1] + "…"
        cells = "".join(f"{scores[m]['f1']:>5.2f} ({scores[m]['tp']}/{scores[m]['fp']}/{scores[m]['fn']})".rjust(17)
                        for m in METRICS)
        lines.append(f"{name:<{width}}{cells}")
    lines += ["", "Misses (in the gold, not found) and false positives (found, not in the gold)"]
    for doc, scores in report["documents"].items():
        doc_lines = []
        for m in METRICS:
            if scores[m]["misses"]:
                doc_lines.append(f"  {m:<17} miss: " + "; ".join(scores[m]["misses"]))
            if scores[m]["false_positives"]:
                doc_lines.append(f"  {m:<17} FP:   " + "; ".join(scores[m]["false_positives"]))
        if doc_lines:
            lines.append(doc)
            lines += doc_lines
    for s in report["skipped"]:
        lines.append(f"skipped {s['gold']}: {s['reason']}")
    for e in report["errors"]:
        lines.append(f"extractor error on {e['doc']} (scored as empty output): {e['error']}")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m extraction.evaluate",
                                 description="Precision, recall and F1 of the extractor against a hand-annotated gold set.")
    ap.add_argument("gold_dir", metavar="GOLD_DIR", help="directory of *.expected.json files (tests/gold)")
    ap.add_argument("--texts", nargs="+", metavar="DIR", default=None,
                    help="directories holding the report texts (default: ../shared/dev-corpus and ../shared/samples "
                         "beside the repository)")
    ap.add_argument("--json", action="store_true", help="print the full report as JSON")
    args = ap.parse_args(argv)
    gold_dir = Path(args.gold_dir)
    if not gold_dir.is_dir() or not any(gold_dir.glob("*.expected.json")):
        print(f"evaluate: no *.expected.json files in {gold_dir}", file=sys.stderr)
        return 2
    text_dirs = [Path(d) for d in args.texts] if args.texts else list(DEFAULT_TEXT_DIRS)
    report = evaluate(gold_dir, text_dirs)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(format_report(report))
    if report["n_documents"] == 0:
        print("evaluate: no gold document could be scored (are the report texts in "
              + " or ".join(str(d) for d in text_dirs) + "?)", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
