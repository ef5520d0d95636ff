"""The evaluation command: the scorer on hand-made gold/prediction pairs, the integrity of
the gold set (tests/gold) against its sources, and a run over it with the real extractor."""
import csv
import doctest
import json
from pathlib import Path

import pytest

import extraction.evaluate as ev
from extraction.evaluate import METRICS, evaluate, main, score_document

GOLD_DIR = Path(__file__).resolve().parent / "gold"
SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
TEXT_DIRS = [SHARED / "dev-corpus", SHARED / "samples"]
OCHA_CSV = SHARED / "data" / "gazetteer-sources" / "ocha-codab-syr-v02" / "syr_populatedplaces.csv"
needs_shared = pytest.mark.skipif(
    not (SHARED / "dev-corpus").is_dir(),
    reason=f"the report texts are not here: {SHARED} (../shared beside the repository) is absent",
)
SIDES = {"government", "pro-government-militia", "russia", "iran-backed", "opposition", "jihadist",
         "kurdish", "isis", "coalition", "turkey", "civilians", "other"}


# --------------------------------------------------------------------------- hand-made pairs
GOLD = {
    "places": [
        {"surface": "حي الجلوم", "name_ar": "الجلوم", "pcode": "N0189"},
        {"surface": "البوابية", "name_ar": "البوابية", "pcode": "C1169"},
        {"surface": "جب الجلبي", "name_ar": "جب الجلبي", "pcode": None},
    ],
    "actors": [
        {"surface": "قوات النظام", "canonical": "Syrian government forces", "side": "government"},
        {"surface": "جنود النظام", "canonical": "Syrian government forces", "side": "government"},
        {"surface": "الطائرات الروسية", "canonical": "Russian air force", "side": "russia"},
    ],
    "casualties": [
        {"killed_best": 7, "killed_low": 7, "killed_high": 7, "place_pcode": "C1169", "event_date": "2016-12-06"},
        {"killed_best": None, "killed_low": 10, "killed_high": 99, "place_pcode": None, "event_date": "2016-12-05"},
    ],
}


def place(text, pcode, name_ar=None):
    return {"kind": "place", "text": text, "place_id": pcode, "pcode": pcode, "name_ar": name_ar or text}


def actor(text, actor_id, side, name_en=None):
    return {"kind": "actor", "text": text, "actor_id": actor_id, "side": side, "name_en": name_en or actor_id}


def casualty(low, best, high, place_id, date):
    return {"kind": "casualty", "killed": {"low": low, "best": best, "high": high}, "place_id": place_id,
            "date": date}


def perfect():
    return {"mentions": [
        place("الجلوم", "N0189"), place("البوابية", "C1169"),
        {"kind": "place", "text": "جبل الجلبي", "place_id": "M-001", "pcode": None, "name_ar": "جبل الجلبي"},
        actor("قوات النظام", "syrian_army", "government", "Syrian Arab Army"),
        actor("وجنود النظام", "syrian_army", "government", "Syrian Arab Army"),
        actor("الطائرات الروسية", "russian_air_force", "russia", "Russian Air Force"),
        casualty(7, 7, 7, "C1169", "2016-12-06"),
        casualty(10, None, 99, None, "2016-12-05"),
    ], "events": []}


def test_doctests():
    result = doctest.testmod(ev)
    assert result.attempted > 10 and result.failed == 0


def test_perfect_prediction_scores_one_everywhere():
    scores = score_document(GOLD, perfect())
    for m in METRICS:
        assert (scores[m].precision, scores[m].recall, scores[m].f1) == (1.0, 1.0, 1.0), m
        assert scores[m].fp == scores[m].fn == 0, m
    assert scores["places"].tp == 3
    assert scores["actors"].tp == 2  # قوات النظام and جنود النظام are one actor


def test_missing_place_lowers_recall_only():
    pred = perfect()
    pred["mentions"] = [m for m in pred["mentions"] if m.get("text") != "البوابية"]
    s = score_document(GOLD, pred)["places"]
    assert s.precision == 1.0
    assert s.recall == pytest.approx(2 / 3)
    assert s.misses == ["C1169 البوابية"]


def test_wrong_pcode_lowers_precision_and_recall():
    pred = perfect()
    pred["mentions"][0] = place("الجلوم", "N0999")
    s = score_document(GOLD, pred)["places"]
    assert (s.tp, s.fp, s.fn) == (2, 1, 1)
    assert s.precision == pytest.approx(2 / 3) and s.recall == pytest.approx(2 / 3)


def test_duplicates_are_not_double_counted():
    pred = perfect()
    pred["mentions"] += [place("حي الجلوم", "N0189"), place("الجلوم", "N0189"),
                         casualty(7, 7, 7, "C1169", "2016-12-06")]
    # the same casualty again as an event (an event echoes its casualty mention)
    pred["events"] = [{"date": "2016-12-06", "place": {"place_id": "C1169", "pcode": "C1169"},
                       "killed": {"low": 7, "best": 7, "high": 7}}]
    gold = json.loads(json.dumps(GOLD))
    gold["places"].append({"surface": "الجلوم", "name_ar": "الجلوم", "pcode": "N0189"})
    scores = score_document(gold, pred)
    for m in METRICS:
        assert scores[m].f1 == 1.0, m
    assert scores["places"].tp == 3
    assert scores["casualty_figures"].tp == 2


def test_empty_both_sides_and_empty_prediction():
    for result in ({"mentions": [], "events": []}, {}, None):
        scores = score_document({"places": [], "actors": [], "casualties": []}, result)
        assert all(scores[m].f1 == 1.0 and scores[m].tp == 0 for m in METRICS)
        scores = score_document(GOLD, result)
        assert all(scores[m].f1 == 0.0 and scores[m].fp == 0 for m in METRICS)
        assert scores["places"].fn == 3


def test_prediction_without_gold_is_all_false_positives():
    s = score_document({"places": []}, {"mentions": [place("نبل", "C1655")]})["places"]
    assert (s.tp, s.fp, s.fn, s.precision, s.recall, s.f1) == (0, 1, 0, 0.0, 0.0, 0.0)


def test_unresolved_gold_place_matches_by_name_not_by_a_pcode():
    gold = {"places": [{"surface": "الإذاعة", "name_ar": "الإذاعة", "pcode": None},
                       {"surface": "حلب القديمة", "name_ar": "حلب القديمة", "pcode": None}]}
    pred = {"mentions": [{"kind": "place", "text": "وحي الاذاعة", "resolved": False},
                         {"kind": "place", "text": "#حلب_القديمة", "place_id": "M-7", "pcode": None,
                          "name_ar": "حلب القديمة"}]}
    assert score_document(gold, pred)["places"].f1 == 1.0
    # a P-code given to a place the gold keeps unresolved is a miss and a false positive
    pred = {"mentions": [place("الإذاعة", "N0120"), pred["mentions"][1]]}
    s = score_document(gold, pred)["places"]
    assert (s.tp, s.fp, s.fn) == (1, 1, 1)
    # names that differ by one letter in a short name do not match
    assert score_document({"places": [{"surface": "نبل", "name_ar": "نبل", "pcode": None}]},
                          {"mentions": [{"kind": "place", "text": "نبلا", "resolved": False}]})["places"].tp == 0


def test_pcode_alternatives_are_accepted():
    gold = {"places": [{"surface": "كفر ناصح", "name_ar": "كفر ناصح", "pcode": "C1036",
                        "pcode_alternatives": ["C1628"]}],
            "casualties": [{"killed_best": 8, "killed_low": 8, "killed_high": 8, "place_pcode": "C1007",
                            "place_pcode_alternatives": ["N0218"], "event_date": "2016-04-16"}]}
    pred = {"mentions": [place("كفر ناصح", "C1628"), casualty(8, 8, 8, "N0218", "2016-04-16")]}
    scores = score_document(gold, pred)
    assert scores["places"].f1 == 1.0 and scores["casualty_places"].f1 == 1.0


def test_actors_match_by_side_and_surface_or_name():
    # different canonical spellings, same Arabic words
    pred = {"mentions": [actor("للطيران الحربي", "warplanes", "other", "Unidentified aircraft")]}
    gold = {"actors": [{"surface": "الطيران الحربي", "canonical": "warplanes (unattributed)", "side": "other"}]}
    assert score_document(gold, pred)["actors"].f1 == 1.0
    # different words, alike names
    pred = {"mentions": [actor("الروس", "russian_air_force", "russia", "Russian Air Force")]}
    assert score_document(GOLD, pred)["actors"].tp == 1
    # right words, wrong side: an actor miss and a false positive, and a side miss
    pred = {"mentions": [actor("الطائرات الروسية", "syrian_air_force", "government", "Syrian Air Force")]}
    s = score_document(GOLD, pred)
    assert (s["actors"].tp, s["actors"].fp) == (0, 1)
    assert s["actor_sides"].tp == 1 and s["actor_sides"].fn == 1  # government found, russia missed


def test_casualty_figure_and_attachment_are_separate():
    pred = perfect()
    pred["mentions"][-2] = casualty(7, 7, 7, "N0189", "2016-12-06")  # right figure, wrong place
    s = score_document(GOLD, pred)
    assert s["casualty_figures"].f1 == 1.0
    assert (s["casualty_places"].tp, s["casualty_places"].fp, s["casualty_places"].fn) == (1, 1, 1)


def test_vague_and_lower_bound_figures_match_by_bounds():
    gold = {"casualties": [{"killed_best": None, "killed_low": 41, "killed_high": None, "place_pcode": None}]}
    assert score_document(gold, {"mentions": [casualty(41, None, None, None, None)]})["casualty_figures"].tp == 1
    # "more than 40" is not 40, and an invented best figure is not the range
    assert score_document(gold, {"mentions": [casualty(40, None, None, None, None)]})["casualty_figures"].tp == 0
    gold = {"casualties": [GOLD["casualties"][1]]}
    assert score_document(gold, {"mentions": [casualty(10, 50, 99, None, None)]})["casualty_figures"].tp == 0


def test_event_dates_come_from_events_and_casualties_not_date_mentions():
    gold = {"casualties": [], "event_dates": [{"date": "2016-07-09"}]}
    pred = {"mentions": [{"kind": "date", "date": "2013-10-17", "precision": "day"}],
            "events": [{"date": "2016-07-09", "date_precision": "day"}]}
    s = score_document(gold, pred)["event_dates"]
    assert (s.tp, s.fp, s.fn) == (1, 0, 0)


def test_evaluate_over_a_directory_with_a_fake_extractor(tmp_path):
    (tmp_path / "texts").mkdir()
    (tmp_path / "gold").mkdir()
    (tmp_path / "texts" / "r1.txt").write_text("قتل 7 في البوابية", encoding="utf-8")
    gold = dict(GOLD, doc="r1.txt", published="2016-12-06")
    (tmp_path / "gold" / "r1.expected.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "gold" / "r2.expected.json").write_text(json.dumps({"doc": "missing.txt"}), encoding="utf-8")
    seen = []

    def fake(text, published=None):
        seen.append(published)
        return perfect()

    report = evaluate(tmp_path / "gold", [tmp_path / "texts"], extract=fake)
    assert seen == ["2016-12-06"]
    assert report["n_documents"] == 1
    assert [s["doc"] for s in report["skipped"]] == ["missing.txt"]
    assert all(report["micro"][m]["f1"] == 1.0 for m in METRICS)

    def broken(text, published=None):
        raise RuntimeError("boom")

    report = evaluate(tmp_path / "gold", [tmp_path / "texts"], extract=broken)
    assert report["errors"] and report["micro"]["places"]["fn"] == 3
    assert "boom" in ev.format_report(report)


# --------------------------------------------------------------------------- the gold set itself
def gold_files():
    return sorted(GOLD_DIR.glob("*.expected.json"))


def test_gold_set_is_complete_and_well_formed():
    files = gold_files()
    assert len(files) == 13
    for path in files:
        gold = json.loads(path.read_text(encoding="utf-8"))
        assert gold["doc"] == path.name.replace(".expected.json", ".txt")
        assert len(gold["published"]) == 10
        for p in gold["places"]:
            assert {"surface", "name_ar", "kind", "pcode", "lat", "lon", "coord_source", "in_aleppo_gov",
                    "note"} <= set(p), (path.name, p)
        for a in gold["actors"]:
            assert a["side"] in SIDES, (path.name, a)
        for c in gold["casualties"]:
            assert {"evidence", "place_surface", "place_pcode", "killed_best", "killed_low", "killed_high",
                    "injured_best", "victims", "event_date", "is_aggregate"} <= set(c), (path.name, c)
            assert c["victims"] in {"civilians", "combatants", "unknown"}


@needs_shared
def test_gold_matches_its_texts_and_the_gazetteer():
    ocha = {r["pcode"]: r for r in csv.DictReader(OCHA_CSV.open(encoding="utf-8-sig"))}
    for path in gold_files():
        gold = json.loads(path.read_text(encoding="utf-8"))
        text_path = ev.find_text(gold["doc"], TEXT_DIRS)
        assert text_path is not None, gold["doc"]
        text = text_path.read_text(encoding="utf-8")
        for p in gold["places"]:
            assert p["surface"] in text, (path.name, p["surface"])
            if p["pcode"]:
                row = ocha[p["pcode"]]
                assert p["lat"] == pytest.approx(float(row["point_y"]), abs=1e-4), (path.name, p)
                assert p["lon"] == pytest.approx(float(row["point_x"]), abs=1e-4), (path.name, p)
                assert p["in_aleppo_gov"] == (row["adm1_pcode"] == "SY02"), (path.name, p)
            for alt in p.get("pcode_alternatives") or []:
                assert alt in ocha
        for a in gold["actors"]:
            assert a["surface"] in text, (path.name, a["surface"])
        for c in gold["casualties"]:
            assert c["evidence"] in text, (path.name, c["evidence"])


# --------------------------------------------------------------------------- the real extractor
@needs_shared
def test_evaluator_runs_over_the_gold_with_the_real_extractor(capsys):
    report = evaluate(GOLD_DIR, TEXT_DIRS)
    assert report["n_documents"] == 13 and not report["skipped"]
    assert report["errors"] == [], report["errors"]
    assert set(report["micro"]) == set(METRICS)
    for m in METRICS:
        s = report["micro"][m]
        assert 0.0 <= s["precision"] <= 1.0 and 0.0 <= s["recall"] <= 1.0 and 0.0 <= s["f1"] <= 1.0
        assert s["gold"] == s["tp"] + s["fn"] > 0
    sample = report["documents"]["aleppo-frontline-2016-12-06.txt"]
    assert sample["places"]["gold"] == 22 and sample["casualty_figures"]["gold"] == 4

    assert main([str(GOLD_DIR), "--texts", *map(str, TEXT_DIRS)]) == 0
    out = capsys.readouterr().out
    assert "Micro-averaged" in out and "Per document" in out and "scd09_civildefence" in out
    assert main([str(GOLD_DIR), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n_documents"] == 13


def test_cli_refuses_an_empty_gold_dir(tmp_path, capsys):
    assert main([str(tmp_path)]) == 2
    assert "no *.expected.json" in capsys.readouterr().err
