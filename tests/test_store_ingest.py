"""Ingestion: formats, encodings, dedup, bad input, extraction failures."""
from __future__ import annotations

import codecs
import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import func, select

from store import open_store, schema as S
from store import decode as D
from store.cli import main as cli_main
from store.decode import InputError, decode_bytes
from store.ingest import ingest_bytes, ingest_paths, ingest_text, parse_published, read_bytes
from tests.test_store_fakes import simple_extract, write_reports

AR = "قصفت الطائرات الروسية حي الميسر في مدينة حلب صباح اليوم، ما أدى إلى مقتل سبعة مدنيين."


@pytest.fixture()
def store(tmp_path):
    st_ = open_store(tmp_path / "t.db", extractor=simple_extract, extractor_version="1.0")
    yield st_
    st_.dispose()


def raws(store):
    """Every report's bytes as received (store.queries.get_raw), in id order."""
    from store import queries
    with store.read() as c:
        ids = [r[0] for r in c.execute(select(S.reports.c.id).order_by(S.reports.c.id))]
    return [queries.get_raw(store, i) for i in ids]


def n_reports(store):
    with store.read() as c:
        return c.execute(select(func.count()).select_from(S.reports)).scalar_one()


def n_sources(store):
    with store.read() as c:
        return c.execute(select(func.count()).select_from(S.report_sources)).scalar_one()


def test_idempotent_reingest(store, tmp_path):
    write_reports(tmp_path / "in", 5)
    s1 = ingest_paths(store, [tmp_path / "in"], progress=False)
    assert (s1.added, s1.duplicates, s1.failed) == (5, 0, 0)
    s2 = ingest_paths(store, [tmp_path / "in"], progress=False, source=None)
    assert (s2.added, s2.duplicates, s2.failed) == (0, 5, 0)
    assert n_reports(store) == 5 and n_sources(store) == 5
    with store.read() as c:
        assert c.execute(select(func.count()).select_from(S.events)).scalar_one() == 5


def test_same_text_two_sources_is_one_report(store, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x.txt").write_text("عنوان\n\n" + AR, encoding="utf-8")
    # same text, other line endings and a BOM: same normalized hash
    (tmp_path / "b" / "y.txt").write_bytes(codecs.BOM_UTF8 + ("عنوان\r\n\r\n" + AR + "\r\n").encode())
    s = ingest_paths(store, [tmp_path / "a"], source="SMART", progress=False)
    s2 = ingest_paths(store, [tmp_path / "b"], source="Aleppo Media Centre", progress=False)
    assert (s.added, s2.added, s2.duplicates) == (1, 0, 1)
    assert n_reports(store) == 1 and n_sources(store) == 2
    with store.read() as c:
        names = c.execute(select(S.reports.c.source_names)).scalar_one()
    [raw] = raws(store)
    assert names == "Aleppo Media Centre; SMART"
    assert raw == (tmp_path / "a" / "x.txt").read_bytes()  # the first copy's bytes, exactly


@pytest.mark.parametrize("enc,bom", [("cp1256", b""), ("utf-16", b""), ("utf-16-le", b""),
                                     ("utf-8", codecs.BOM_UTF8), ("utf-16-be", codecs.BOM_UTF16_BE)])
def test_encodings(store, tmp_path, enc, bom):
    text = "حلب: غارات على البوابية\n\n" + AR * 3
    data = bom + text.encode(enc)
    p = tmp_path / f"r-{enc}.txt"
    p.write_bytes(data)
    s = ingest_paths(store, [p], progress=False)
    assert s.added == 1, s.errors
    with store.read() as c:
        row = c.execute(select(S.reports.c.text, S.reports.c.title, S.reports.c.encoding)).one()
    assert row.text.lstrip("\ufeff") == text
    assert raws(store) == [data]
    assert row.title == "حلب: غارات على البوابية"


def test_cp1256_detected_not_latin():
    text, enc = decode_bytes(AR.encode("cp1256"))
    assert text == AR and enc == "cp1256"


def _errors(store, tmp_path, name, data):
    p = tmp_path / name
    p.write_bytes(data)
    s = ingest_paths(store, [p], progress=False)
    assert s.failed >= 1 and s.added == (1 if name == "bad.jsonl" else 0)
    assert all(str(p) in e or name in e for e in s.errors)
    return s.errors


@pytest.mark.parametrize("name,data,reason", [
    ("empty.txt", b"", "empty file"),
    ("blank.txt", b"  \n\r\n ", "empty file"),
    ("image.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "binary file"),
    ("nul.txt", b"abc\x00\x01\x02\x03def\xff\xfe" * 5, "binary file"),
    ("ctrl.txt", bytes(range(0, 32)) * 20, "binary file"),
    ("bad.jsonl", b'{"text": "' + AR.encode() + b'"}\n{not json\n', "line 2: bad JSON"),
    ("notobj.jsonl", b'[1, 2]\n', "line 1: bad JSON line"),
    ("notext.jsonl", b'{"title": "x"}\n', "line 1: empty text"),
    ("nocol.csv", "title,body\nx,".encode() + AR.encode() + b"\n", "missing text column"),
    ("date.jsonl", json.dumps({"text": AR, "published": "yesterday"}).encode() + b"\n", "line 1: unparseable date"),
    ("date.csv", ("text,published\n" + AR + ",32/13/2016\n").encode(), "line 2: unparseable date"),
    ("doc.pdf", b"%PDF-1.4 ...", "unsupported file type .pdf"),
])
def test_bad_inputs(store, tmp_path, name, data, reason):
    errors = _errors(store, tmp_path, name, data)
    assert any(reason in e for e in errors), errors
    assert all("\n" not in e for e in errors)


def test_file_over_size_limit(store, tmp_path, monkeypatch):
    monkeypatch.setattr(D, "MAX_FILE_BYTES", 1000)
    errors = _errors(store, tmp_path, "big.txt", AR.encode() * 20)
    assert "file too large" in errors[0] and "limit is 1,000" in errors[0]
    s = ingest_bytes(store, "big.txt", AR.encode() * 20)
    assert s.failed == 1 and "file too large" in s.errors[0]


def test_jsonl_line_errors_keep_good_lines(store, tmp_path):
    lines = [json.dumps({"text": AR + " 1", "title": "one", "published": "2016-12-06", "source": "A", "url": "u1"}),
             "{broken",
             json.dumps({"text": AR + " 2", "published": "06-12-2016"}),
             json.dumps({"text": ""}),
             json.dumps({"text": AR + " 1", "source": "B"})]
    p = tmp_path / "batch.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    s = ingest_paths(store, [p], progress=False)
    assert (s.added, s.duplicates, s.failed) == (2, 1, 2)
    assert any(e.startswith(f"{p}: line 2: bad JSON") for e in s.errors), s.errors
    assert any("line 4: empty text" in e for e in s.errors)
    with store.read() as c:
        rows = c.execute(select(S.reports.c.title, S.reports.c.published)
                         .order_by(S.reports.c.id)).all()
    assert rows[0].title == "one" and str(rows[0].published) == "2016-12-06"
    assert str(rows[1].published) == "2016-12-06"
    assert raws(store)[0] == (lines[0] + "\n").encode()


def test_csv_rows_with_multiline_text(store, tmp_path):
    p = tmp_path / "r.csv"
    p.write_text('text,title,published,source,url\n"' + AR + '\nسطر ثان",عنوان,2016-12-05,SMART,http://x\n'
                 + '"' + AR + ' 2",,,,\n', encoding="utf-8")
    s = ingest_paths(store, [p], progress=False)
    assert s.added == 2, s.errors
    with store.read() as c:
        locs = [r[0] for r in c.execute(select(S.report_sources.c.locator).order_by(S.report_sources.c.id))]
    raw = raws(store)[0]
    assert locs == [f"{p.resolve()}:2", f"{p.resolve()}:4"]
    assert raw.decode().startswith('"' + AR) and raw.decode().endswith("http://x\n")


def test_html_main_text(store, tmp_path):
    html = ("<html><head><title>غارات على حلب</title><script>var x = 'سكريبت';</script></head><body>"
            "<nav><a href='/'>الرئيسية</a> | <a href='/news'>أقسام</a></nav>"
            "<article><h1>غارات على حلب</h1><p>" + AR + "</p><p>" + AR.replace("سبعة", "خمسة") +
            "</p></article><footer>جميع الحقوق محفوظة</footer></body></html>")
    p = tmp_path / "page.html"
    p.write_text(html, encoding="utf-8")
    s = ingest_paths(store, [p], progress=False)
    assert s.added == 1, s.errors
    with store.read() as c:
        row = c.execute(select(S.reports.c.text, S.reports.c.title, S.reports.c.format)).one()
    assert AR in row.text and "سكريبت" not in row.text and "var x" not in row.text
    assert row.title == "غارات على حلب" and row.format == "html" and raws(store) == [html.encode()]


def test_sidecar_metadata_and_options(store, tmp_path):
    tmp_path = tmp_path / "in"
    tmp_path.mkdir()
    (tmp_path / "a.txt").write_text("عنوان\n\n" + AR, encoding="utf-8")
    (tmp_path / "a.txt.meta.json").write_text(json.dumps({"published": "2016-12-06", "source": "SA"}))
    (tmp_path / "b.md").write_text("# عنوان آخر\n\n" + AR + " ب", encoding="utf-8")
    (tmp_path / "README.md").write_text("not a report")
    s = ingest_paths(store, [tmp_path], published="2016-01-01", source="opt", progress=False)
    assert s.added == 2 and s.skipped == 2  # README and the sidecar
    with store.read() as c:
        rows = c.execute(select(S.reports.c.title, S.reports.c.published, S.reports.c.source_names)
                         .order_by(S.reports.c.id)).all()
    assert [(r.title, str(r.published), r.source_names) for r in rows] == [
        ("عنوان", "2016-12-06", "SA"), ("عنوان آخر", "2016-01-01", "opt")]


def test_batch_with_one_bad_file(store, tmp_path, capsys):
    write_reports(tmp_path / "in", 4)
    (tmp_path / "in" / "zz-bad.txt").write_bytes(b"\x00\x01\x02\x03" * 10)
    db = tmp_path / "cli.db"
    rc = cli_main(["ingest", str(tmp_path / "in"), "--db", str(db), "-q"])
    err = capsys.readouterr().err
    assert rc == 1
    assert "zz-bad.txt: binary file" in err and "added 4, duplicates 0, failed 1" in err
    rc = cli_main(["ingest", str(tmp_path / "in" / "r0000.txt"), "--db", str(db), "-q"])
    assert rc == 0 and "duplicates 1" in capsys.readouterr().err


def test_extraction_error_is_stored_and_listed(store, tmp_path):
    (tmp_path / "a.txt").write_text("عنوان\n\nRAISE " + AR, encoding="utf-8")
    (tmp_path / "b.txt").write_text("عنوان\n\n" + AR, encoding="utf-8")
    s = ingest_paths(store, [tmp_path], progress=False)
    assert s.added == 2 and s.failed == 0 and not s.ok
    assert len(s.extraction_errors) == 1 and "fake extractor failure" in s.extraction_errors[0]
    with store.read() as c:
        row = c.execute(select(S.reports).where(S.reports.c.status == "error")).one()
    from store import queries
    assert "RuntimeError: fake extractor failure" in row.error
    assert queries.get_raw(store, row.id).startswith("عنوان".encode())


def test_extractor_unavailable_keeps_reports(tmp_path, monkeypatch):
    monkeypatch.setenv("FRONTLINE_EXTRACTOR", "no_such_module_xyz:extract")
    st_ = open_store(tmp_path / "x.db")
    s = ingest_text(st_, AR, title="t", source="s", published="2016-12-06")
    assert s.added == 1 and "extractor unavailable" in s.extraction_errors[0]
    st_.dispose()


def test_ingest_text_and_bytes(store):
    s = ingest_text(store, AR, title="لصق", source="paste", url="http://e.x/1", published="2016-12-06")
    assert s.added == 1 and s.report_ids
    assert ingest_text(store, AR, source="other").duplicates == 1
    assert ingest_text(store, "   ").failed == 1
    assert ingest_text(store, AR, published="غدا").errors[0].startswith("pasted text: unparseable date")
    s = ingest_bytes(store, "up.txt", ("عنوان\n\n" + AR + " آخر").encode("cp1256"), source="upload")
    assert s.added == 1
    s = ingest_bytes(store, "up.csv", b"title\nx\n")
    assert s.failed == 1 and "missing text column" in s.errors[0]


def test_parse_published():
    assert str(parse_published("2017-03-29T00:01:23.055Z")) == "2017-03-29"
    assert str(parse_published("21-11-2016")) == "2016-11-21"
    assert str(parse_published("٢١/١١/٢٠١٦")) == "2016-11-21"
    for bad in ("2016-13-01", "yesterday", "1-2-3"):
        with pytest.raises(InputError):
            parse_published(bad)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(st.binary(max_size=600),
                      st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
                      st.binary(max_size=200).map(lambda b: b'{"text": "' + b + b'"}\n')),
       ext=st.sampled_from([".txt", ".md", ".html", ".jsonl", ".csv", ".bin"]))
def test_readers_never_crash_on_bad_bytes(data, ext):
    try:
        items = list(read_bytes("f" + ext, data))
    except InputError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    for it in items:
        if isinstance(it, InputError):
            assert str(it).startswith("line ")
        else:
            assert it.text.strip() and isinstance(it.raw, bytes)


def test_connections_checkpoint_the_wal_less_often(tmp_path):
    """Grouped ingest writes more than SQLite's default 1,000 WAL pages per commit."""
    from sqlalchemy import text as sql_text

    from store import open_store
    from store.db import WAL_AUTOCHECKPOINT_PAGES

    st = open_store(tmp_path / "wal.db")
    with st.read() as conn:
        assert conn.execute(sql_text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(sql_text("PRAGMA wal_autocheckpoint")).scalar() == WAL_AUTOCHECKPOINT_PAGES > 1000


def test_batch_freezes_the_loaded_objects_only_while_it_runs(store, tmp_path, monkeypatch):
    import gc

    import store.ingest as I
    monkeypatch.setattr(I, "FREEZE_MIN_FILES", 2)
    seen = []
    real = I._freeze_long_lived
    monkeypatch.setattr(I, "_freeze_long_lived", lambda wanted: seen.append(r := real(wanted)) or r)
    write_reports(tmp_path / "in", 3)
    gc.unfreeze()  # as in a fresh CLI process (another test may have frozen this one)
    s = ingest_paths(store, [tmp_path / "in"], progress=False)
    assert (s.added, s.failed) == (3, 0)
    assert seen == [True]
    assert gc.get_freeze_count() == 0  # unfrozen at the end: nothing kept from collection
    write_reports(tmp_path / "one", 1)
    ingest_paths(store, [tmp_path / "one"], progress=False)
    assert seen == [True, False]  # a small batch is not worth it
    gc.freeze()
    ingest_paths(store, [tmp_path / "in"], progress=False)
    assert seen == [True, False, False] and gc.get_freeze_count() > 0  # another's freeze is left alone
    gc.unfreeze()
