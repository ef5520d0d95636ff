"""`python -m extraction extract FILE... [--published]`: JSON Lines, errors per file."""
import io
import json
import contextlib

from extraction.cli import main


def run(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(argv)
    return rc, out.getvalue(), err.getvalue()


def test_jsonl_and_bad_files(tmp_path):
    good = tmp_path / "a.txt"
    good.write_text("قتل 3 مدنيين في غارة على حي الجلوم اليوم.", encoding="utf-8")
    bad = tmp_path / "b.txt"
    bad.write_bytes(b"\xff\xfe\x00bad")
    good2 = tmp_path / "c.txt"
    good2.write_text("اشتباكات في حلب أمس", encoding="utf-8")
    rc, out, err = run([str(good), str(bad), str(tmp_path / "missing.txt"), str(good2), "--published", "2016-12-06"])
    lines = out.strip().split("\n")
    assert len(lines) == 2
    recs = [json.loads(x) for x in lines]
    assert recs[0]["report"]["path"] == str(good) and recs[0]["report"]["published"] == "2016-12-06"
    assert recs[1]["report"]["path"] == str(good2)
    errs = err.strip().split("\n")
    assert len(errs) == 2 and "b.txt" in errs[0] and "UTF-8" in errs[0] and "missing.txt" in errs[1]
    assert rc != 0


def test_all_good_exit_zero(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("\ufeffقصف على حلب", encoding="utf-8")
    rc, out, err = run([str(f)])
    assert rc == 0 and err == "" and json.loads(out)["report"]["published"] is None


def test_bad_published_is_usage_error(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("x", encoding="utf-8")
    rc, out, err = run([str(f), "--published", "06-12-2016"])
    assert rc == 2 and out == ""
