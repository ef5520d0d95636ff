"""Ingestion: files, folders, uploads and pasted text into the store.

One path for the CLI (``python -m extraction ingest``) and the dashboard's uploads.

- Formats: ``.txt``/``.md`` (first non-empty line is the headline; the stored text is
  the whole file), ``.html``/``.htm`` (main text by trafilatura: scripts, navigation
  and boilerplate dropped), ``.jsonl`` and ``.csv`` (one report per line/row; columns
  ``text`` (required), ``title``, ``published``, ``source``, ``url``). Folders are
  walked recursively; files with other extensions, dotfiles, ``*.meta.json`` sidecars
  and README/LICENSE/ATTRIBUTION/NOTICE/SOURCES files are skipped there.
- A sidecar ``FILE.meta.json`` beside a .txt/.md/.html file may give ``title``,
  ``published``, ``source``, ``url``. Metadata in the file (sidecar, jsonl/csv
  columns, HTML metadata) wins over ``--published``/``--source``, which fill the gaps.
- Dedup: by the sha256 of the normalized text (store.decode.normalize_for_hash). A
  known text adds a source record to the existing report (if that source/locator
  is new) and counts as a duplicate.
- Each report is written with its extraction in one transaction. Extraction runs
  before the transaction; if it raises, the report is stored with status ``error``
  and the error, and ``reprocess`` retries it. A bulk ingest (``ingest_paths``) puts
  several reports in one transaction (``_Group``: up to GROUP_REPORTS reports or
  GROUP_SECONDS of work): they land all together or not at all, and a report counts
  as stored once its group commits. Uploads and pasted text (``ingest_bytes``,
  ``ingest_text``) stay one report per transaction.
"""
from __future__ import annotations

import csv
import datetime as dt
import gc
import hashlib
import io
import json
import os
import re
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from store import schema as S
from store import decode as _decode
from store.decode import InputError, content_hash, decode_bytes
from store.records import _driver, bulk_insert, raw_for_storage, utcnow, write_extraction, write_new_extractions

TEXT_EXT = {".txt", ".md", ".markdown"}
HTML_EXT = {".html", ".htm", ".xhtml"}
ROW_EXT = {".jsonl", ".ndjson", ".csv"}
SUPPORTED = TEXT_EXT | HTML_EXT | ROW_EXT
SKIP_NAMES = re.compile(r"^(readme|license|licence|attribution|notice|sources|copying|authors)(\..*)?$", re.I)
COLUMNS = ("text", "title", "published", "source", "url")


@dataclass
class Record:
    """One report to store, decoded, with its metadata."""
    text: str
    raw: bytes
    encoding: str
    format: str
    locator: str
    title: str | None = None
    url: str | None = None
    published: dt.date | None = None
    source: str | None = None
    path: str | None = None
    file_no: int = field(default=-1, repr=False, compare=False)  # ingest_paths: which file (progress)


@dataclass
class IngestSummary:
    added: int = 0
    duplicates: int = 0
    failed: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)             # one line each: "where: reason"
    extraction_errors: list[str] = field(default_factory=list)  # stored, but extraction raised
    report_ids: list[int] = field(default_factory=list)         # every report added or matched

    @property
    def ok(self) -> bool:
        return self.failed == 0 and not self.extraction_errors

    def merge(self, other: "IngestSummary") -> None:
        self.added += other.added
        self.duplicates += other.duplicates
        self.failed += other.failed
        self.skipped += other.skipped
        self.errors += other.errors
        self.extraction_errors += other.extraction_errors
        self.report_ids += other.report_ids

    def line(self) -> str:
        s = f"added {self.added}, duplicates {self.duplicates}, failed {self.failed}"
        if self.extraction_errors:
            s += f", extraction errors {len(self.extraction_errors)} (stored; run reprocess to retry)"
        if self.skipped:
            s += f", skipped {self.skipped} non-report files"
        return s


# -- dates --------------------------------------------------------------------------------
_DATE_FORMATS = [
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$"), "ymd"),
    (re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"), "ymd"),
    (re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$"), "dmy"),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), "ymd"),
]


def parse_published(value) -> dt.date | None:
    """A publication date: YYYY-MM-DD, ISO date-time (2017-03-29T00:01:23Z), YYYY/MM/DD,
    DD-MM-YYYY or DD/MM/YYYY (day first, as written in Syria), YYYYMMDD. Empty → None.
    Anything else raises InputError("unparseable date ...")."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = str(value).strip().translate(str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2))
    if not s:
        return None
    for rx, order in _DATE_FORMATS:
        m = rx.match(s)
        if m:
            a, b, c = (int(x) for x in m.groups())
            y, mo, d = (a, b, c) if order == "ymd" else (c, b, a)
            try:
                date = dt.date(y, mo, d)
            except ValueError:
                break
            if not 1900 <= date.year <= 2100:
                break
            return date
    raise InputError(f"unparseable date {str(value)[:40]!r} (use YYYY-MM-DD)")


_NOT_LETTER = re.compile(r"[\W\d_]+")
_ARABIC_LETTER = re.compile(r"[\u0600-\u06ff\u0750-\u077f]")


def _language(text: str) -> str:
    letters = _NOT_LETTER.sub("", text[:4000])  # the letters (str.isalpha) of the first 4,000 characters
    if not letters:
        return "und"
    arabic = len(_ARABIC_LETTER.findall(letters))
    return "ar" if arabic / len(letters) >= 0.3 else "en" if letters[:500].isascii() else "und"


def _check_text(text: str) -> str:
    if not text or not text.strip():
        raise InputError("empty text")
    if len(text) > _decode.MAX_REPORT_CHARS:
        raise InputError(f"report too long ({len(text):,} characters; the limit is {_decode.MAX_REPORT_CHARS:,})")
    return text


# -- readers ----------------------------------------------------------------------------------
def _headline(text: str, md: bool = False) -> str | None:
    for line in text.splitlines():
        line = line.strip().lstrip("\ufeff")
        if line:
            if md:
                line = line.lstrip("#").strip()
            return line[:500] or None
    return None


def _sidecar(path: Path | None) -> dict:
    if path is None:
        return {}
    side = path.with_name(path.name + ".meta.json")
    if not side.is_file():
        return {}
    try:
        meta = json.loads(side.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise InputError(f"bad sidecar {side.name}: {exc}")
    if not isinstance(meta, dict):
        raise InputError(f"bad sidecar {side.name}: not a JSON object")
    return meta


def _html_text(html: str) -> tuple[str, dict]:
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=True, favor_recall=True,
                               output_format="txt", deduplicate=False)
    if not text or not text.strip():
        from trafilatura import html2txt
        text = html2txt(html) or ""
    meta = {}
    try:
        md = trafilatura.extract_metadata(html)
        if md is not None:
            meta = {"title": md.title, "published": md.date, "url": md.url, "source": md.sitename}
    except Exception:
        meta = {}
    return text, {k: v for k, v in meta.items() if v}


def read_document(name: str, data: bytes, path: Path | None = None,
                  published=None, source: str | None = None) -> list[Record]:
    """One .txt/.md/.html document → one Record (raises InputError)."""
    ext = Path(name).suffix.lower()
    text, enc = decode_bytes(data)
    meta = _sidecar(path)
    if ext in HTML_EXT:
        body, html_meta = _html_text(text)
        for k, v in html_meta.items():
            meta.setdefault(k, v)
        if not body.strip():
            raise InputError("no text found in HTML")
        text, fmt = body, "html"
    else:
        fmt = "md" if ext in (".md", ".markdown") else "txt"
    _check_text(text)
    title = meta.get("title") or _headline(text, md=(fmt == "md"))
    pub = meta.get("published")
    try:
        pub_date = parse_published(pub) if pub else parse_published(published)
    except InputError:
        if fmt == "html" and pub and "published" not in _sidecar(path):
            pub_date = parse_published(published)  # HTML metadata dates are best effort
        else:
            raise
    return [Record(text=text, raw=data, encoding=enc, format=fmt, locator=str(path or name), title=title,
                   url=meta.get("url"), published=pub_date, source=meta.get("source") or source,
                   path=str(path) if path else None)]


def _row_record(obj: dict, raw: bytes, enc: str, fmt: str, where: str, path: Path | None,
                published, source) -> Record:
    text = obj.get("text")
    if text is None or (isinstance(text, str) and not text.strip()):
        raise InputError("empty text")
    if not isinstance(text, str):
        raise InputError(f"text is not a string ({type(text).__name__})")
    _check_text(text)

    def s(key):
        v = obj.get(key)
        return None if v is None or (isinstance(v, str) and not v.strip()) else str(v).strip()

    pub = s("published")
    return Record(text=text, raw=raw, encoding=enc, format=fmt, locator=where, title=s("title"), url=s("url"),
                  published=parse_published(pub) if pub else parse_published(published),
                  source=s("source") or source, path=str(path) if path else None)


def read_rows(name: str, data: bytes, path: Path | None = None, published=None,
              source: str | None = None) -> Iterator[Record | InputError]:
    """A .jsonl or .csv file → Records, or InputError for a bad line/row (the message
    starts with ``line N:``). A file-level problem raises InputError."""
    ext = Path(name).suffix.lower()
    text, enc = decode_bytes(data)
    out_enc = "utf-8" if enc.startswith(("utf-16", "utf-32", "utf-8")) else enc
    label = str(path or name)
    if ext in (".jsonl", ".ndjson"):
        for n, line in enumerate(text.splitlines(keepends=True), 1):
            if not line.strip():
                continue
            raw = line.encode(out_enc, errors="replace")
            where = f"{label}:{n}"
            try:
                obj = json.loads(line)
            except ValueError as exc:
                yield InputError(f"line {n}: bad JSON ({exc.msg} at column {exc.colno})")
                continue
            if not isinstance(obj, dict):
                yield InputError(f"line {n}: bad JSON line (not an object)")
                continue
            try:
                yield _row_record(obj, raw, enc, "jsonl", where, path, published, source)
            except InputError as exc:
                yield InputError(f"line {n}: {exc}")
        return
    # CSV: the header names the columns; the raw bytes of a row are its lines as read.
    lines = text.splitlines(keepends=True)
    buf: list[str] = []
    pos = [0]

    def feed():
        for i, line in enumerate(lines):
            pos[0] = i + 1
            buf.append(line)
            yield line

    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.count("\n") else csv.excel
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(feed(), dialect)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("empty file")
    except csv.Error as exc:
        raise InputError(f"line 1: bad CSV header ({exc})")
    cols = [h.strip().lstrip("\ufeff").lower() for h in header]
    if "text" not in cols:
        raise InputError(f"missing text column (columns: {', '.join(cols)[:120]})")
    buf.clear()
    while True:
        start = pos[0] + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield InputError(f"line {start}: bad CSV row ({exc})")
            buf.clear()
            continue
        raw = "".join(buf).encode(out_enc, errors="replace")
        buf.clear()
        if not any(c.strip() for c in row):
            continue
        if len(row) > len(cols):
            yield InputError(f"line {start}: {len(row)} fields, header has {len(cols)}")
            continue
        obj = dict(zip(cols, row))
        try:
            yield _row_record(obj, raw, enc, "csv", f"{label}:{start}", path, published, source)
        except InputError as exc:
            yield InputError(f"line {start}: {exc}")


def read_bytes(name: str, data: bytes, path: Path | None = None, published=None,
               source: str | None = None) -> Iterator[Record | InputError]:
    """Any supported file → Records / per-line InputErrors; raises InputError for the file."""
    ext = Path(name).suffix.lower()
    if ext not in SUPPORTED:
        raise InputError(f"unsupported file type {ext or '(no extension)'} "
                         f"(supported: {', '.join(sorted(SUPPORTED))})")
    if ext in ROW_EXT:
        yield from read_rows(name, data, path, published, source)
    else:
        yield from read_document(name, data, path, published, source)


# -- storing ----------------------------------------------------------------------------------
def _source_key(rec: Record) -> str:
    return hashlib.sha256(f"{rec.source or ''}\x1f{rec.url or ''}\x1f{rec.locator}".encode()).hexdigest()


def _add_source(conn, report_id: int, rec: Record, new: bool = False) -> bool:
    """Record ``rec`` as a source of the report (unless already known). ``new``: the
    report was inserted from ``rec`` in this transaction (its metadata is ``rec``'s)."""
    if new:
        conn.execute(_INSERT_SOURCE, _source_row(report_id, rec))
        return True
    key = _source_key(rec)
    RSc = S.report_sources.c
    # Already known: the same locator with the same source and url, where a missing
    # source/url on the new copy matches anything (re-ingesting a folder without
    # --source adds nothing).
    conds = [RSc.report_id == report_id, RSc.locator == rec.locator]
    if rec.source is not None:
        conds.append(RSc.source == rec.source)
    if rec.url is not None:
        conds.append(RSc.url == rec.url)
    exists = conn.execute(select(RSc.id).where(*conds).limit(1)).first() or conn.execute(
        select(RSc.id).where(RSc.report_id == report_id, RSc.dedup_key == key)).first()
    if exists:
        return False
    conn.execute(_INSERT_SOURCE, _source_row(report_id, rec))
    if rec.source:
        names = [r[0] for r in conn.execute(select(S.report_sources.c.source).where(
            S.report_sources.c.report_id == report_id, S.report_sources.c.source.is_not(None))
            .distinct().order_by(S.report_sources.c.source))]
        conn.execute(update(S.reports).where(S.reports.c.id == report_id).values(source_names="; ".join(names)))
    # fill metadata the first copy lacked
    row = conn.execute(select(S.reports.c.url, S.reports.c.published, S.reports.c.title)
                       .where(S.reports.c.id == report_id)).first()
    fill = {}
    if row.url is None and rec.url:
        fill["url"] = rec.url
    if row.published is None and rec.published:
        fill["published"] = rec.published
    if row.title is None and rec.title:
        fill["title"] = rec.title
    if fill:
        conn.execute(update(S.reports).where(S.reports.c.id == report_id).values(**fill))
    return True


_INSERT_SOURCE = insert(S.report_sources)
_INSERT_REPORT = insert(S.reports).returning(S.reports.c.id)
_BY_HASH = select(S.reports.c.id).where(S.reports.c.content_hash == bindparam("h"))


def _source_row(report_id: int, rec: Record) -> dict:
    return {"report_id": report_id, "source": rec.source, "url": rec.url, "locator": rec.locator,
            "title": rec.title, "published": rec.published, "added_at": utcnow(), "dedup_key": _source_key(rec)}


def _existing(conn, h: str) -> int | None:
    row = conn.execute(_BY_HASH, {"h": h}).first()
    return row[0] if row else None


def run_extractor(store, text: str, published: dt.date | None, title: str | None,
                  report_id: str | None, path: str | None, layer: tuple | None = None
                  ) -> tuple[dict | None, str | None, str | None]:
    """(result, version, error line). Never raises. The analyst's places and names
    (``analyst_places``) are passed to an extractor that accepts ``gazetteer=``. ``layer``: the
    layer's signature (``_layer_signature``) when the caller has just read it."""
    try:
        fn, version = store.extractor()
    except Exception as exc:
        return None, None, f"extractor unavailable: {exc.__class__.__name__}: {exc}".splitlines()[0][:500]
    gaz = analyst_gazetteer(store, layer) if accepts_gazetteer(fn) else None
    return call_extractor(fn, version, text, published, title, report_id, path, gazetteer=gaz)


def accepts_gazetteer(fn) -> bool:
    """Whether the extractor takes ``gazetteer=`` (the project's does; a swapped-in one may not)."""
    cached = getattr(fn, "__afm_accepts_gazetteer__", None)
    if cached is not None:
        return cached
    import inspect
    try:
        params = inspect.signature(fn).parameters.values()
        ok = any(p.name == "gazetteer" or p.kind is inspect.Parameter.VAR_KEYWORD for p in params)
    except (TypeError, ValueError):
        ok = False
    try:
        fn.__afm_accepts_gazetteer__ = ok
    except (AttributeError, TypeError):
        pass
    return ok


_LAYER_SIGNATURE_SQL = "SELECT count(*), max(created_at) FROM analyst_places"


def _layer_signature(store, conn=None) -> tuple | Exception:
    """(number of analyst places, last created): asked before every extraction, so one plain
    statement (no SQLAlchemy compilation; only compared with the previous answer). On ``conn``
    if given (its error is returned, not raised: the caller's other reads go on)."""
    if conn is not None:
        try:
            n, last = conn.exec_driver_sql(_LAYER_SIGNATURE_SQL).one()
        except Exception as exc:
            return exc
        return int(n or 0), str(last)
    with store.read() as conn:
        n, last = conn.exec_driver_sql(_LAYER_SIGNATURE_SQL).one()
    return int(n or 0), str(last)


def layer_rows(store) -> list[dict]:
    """The analyst's layer as plain dicts (picklable: handed to extraction workers)."""
    with store.read() as conn:
        return [dict(r._mapping) for r in conn.execute(select(S.analyst_places).order_by(S.analyst_places.c.place_id))]


def gazetteer_for_rows(rows: list[dict]):
    """The project's gazetteer with these analyst rows laid over it (None: no rows, the default)."""
    if not rows:
        return None
    import geo
    return geo.load_gazetteer().with_layer(geo.layer_from_rows(rows))


def analyst_gazetteer(store, sig: tuple | Exception | None = None):
    """The gazetteer with the analyst's layer laid over it, or None when the layer is empty
    (the extractor then uses its default). Built once per layer state and kept on the store
    handle: a cheap count/last-added query tells when an analyst added a place or a name
    (``sig``: its answer, when the caller has just asked)."""
    try:
        if sig is None:
            sig = _layer_signature(store)
        if isinstance(sig, Exception):
            raise sig
    except Exception:  # an old schema or a broken table must not stop ingestion
        return None
    if sig[0] == 0:
        return None
    cached = getattr(store, "_analyst_gazetteer", None)
    if cached is not None and cached[0] == sig:
        return cached[1]
    try:
        gaz = gazetteer_for_rows(layer_rows(store))
    except Exception as exc:
        print(f"warning: the analyst's places could not be loaded ({exc.__class__.__name__}: {exc})",
              file=sys.stderr)
        gaz = None
    try:
        store._analyst_gazetteer = (sig, gaz)
    except AttributeError:  # pragma: no cover
        pass
    return gaz


def call_extractor(fn, version: str, text: str, published: dt.date | None, title: str | None,
                   report_id: str | None, path: str | None, gazetteer=None) -> tuple[dict | None, str | None, str | None]:
    try:
        kw = {"gazetteer": gazetteer} if gazetteer is not None else {}
        result = fn(text, published=published.isoformat() if published else None, title=title,
                    report_id=report_id, path=path, **kw)
        if not isinstance(result, dict):
            raise TypeError(f"extractor returned {type(result).__name__}, not a dict")
        return result, version, None
    except Exception as exc:
        tb = traceback.extract_tb(exc.__traceback__)
        where = f" ({Path(tb[-1].filename).name}:{tb[-1].lineno})" if tb else ""
        msg = f"{exc.__class__.__name__}: {exc}".replace("\n", " ")[:400]
        return None, version, msg + where


def _write_record(conn, rec: Record, h: str, extracted, needs_extraction: bool = False
                  ) -> tuple[str, int, str | None]:
    """Write one record inside the caller's write transaction: ("added" | "duplicate", report
    id, extraction error or None). The hash is checked again here: another process, or an
    earlier record of the same group, may have stored the text meanwhile (then only a source
    row is added). ``needs_extraction``: ``extracted`` is None only because the text was
    known (or came earlier in the group) when it was read; if it is not stored after all,
    raise _NotExtracted (the caller extracts it outside the lock)."""
    rid = _existing(conn, h)
    if rid is not None:
        _add_source(conn, rid, rec)
        return "duplicate", rid, None
    if extracted is None and needs_extraction:
        raise _NotExtracted(rec.locator)
    result, version, error = extracted if extracted is not None else (None, None, None)
    rid = conn.execute(_INSERT_REPORT, _report_row(rec, h, result, version, error)).scalar_one()
    _add_source(conn, rid, rec, new=True)
    if result is not None:
        write_extraction(conn, rid, h, result, version, new=True)
    return "added", rid, error


def _report_row(rec: Record, h: str, result, version, error) -> dict:
    """The ``reports`` row of a new report (its id aside): the bytes as received, the text,
    metadata, and the extraction's status."""
    raw, raw_is_text = raw_for_storage(rec.raw, rec.text, rec.encoding)
    now = utcnow()
    return {
        "content_hash": h, "raw": raw, "raw_is_text": raw_is_text, "text": rec.text,
        "encoding": rec.encoding, "format": rec.format, "title": rec.title, "url": rec.url,
        "published": rec.published, "language": _language(rec.text), "source_names": rec.source,
        "ingested_at": now,
        "status": "ok" if result is not None else ("error" if error else "pending"),
        "error": error, "extractor_version": version,
        "extracted_at": now if result is not None else None,
    }


_MAX_REPORT_ID_SQL = "SELECT max(id) FROM reports"


def _write_group(conn, items: list[tuple[Record, str, tuple | None]], needs_extraction: bool
                 ) -> list[tuple[str, int, str | None]] | None:
    """Write a group of new reports inside the caller's write transaction, one statement per
    table for the whole group (SQLite): the same rows as ``_write_record`` one report after the
    other. Only when every report is new (its hash is not stored and comes once in the group)
    and has its extraction; otherwise returns None and writes nothing (the caller then takes
    ``_write_record`` per report). Report ids are given (we hold the write lock: they are those
    SQLite would give)."""
    if conn.dialect.name != "sqlite" or len(items) < 2:
        return None
    hashes = [h for _, h, _ in items]
    if len(set(hashes)) != len(hashes) or (needs_extraction and any(ext is None for _, _, ext in items)):
        return None
    known = _driver(conn, "execute", "SELECT 1 FROM reports WHERE content_hash IN "
                    f"({', '.join('?' * len(hashes))}) LIMIT 1", hashes).fetchone()
    if known is not None:
        return None
    first = (_driver(conn, "execute", _MAX_REPORT_ID_SQL).fetchone()[0] or 0) + 1
    reports, sources, batch, outcomes = [], [], [], []
    for rid, (rec, h, extracted) in enumerate(items, first):
        result, version, error = extracted if extracted is not None else (None, None, None)
        reports.append({"id": rid, **_report_row(rec, h, result, version, error)})
        sources.append(_source_row(rid, rec))
        if result is not None:
            batch.append((rid, h, result, version))
        outcomes.append(("added", rid, error))
    bulk_insert(conn, S.reports, reports)
    bulk_insert(conn, S.report_sources, sources)
    write_new_extractions(conn, batch)
    return outcomes


class _NotExtracted(Exception):
    """A record left unextracted as a duplicate turned out not to be stored (see _write_record)."""


def store_record(store, rec: Record, extract: bool = True, extracted=None,
                 content_hash_: str | None = None) -> tuple[str, int, str | None]:
    """Store one record in its own transaction: ("added" | "duplicate", report id, extraction
    error or None). ``extracted``: the (result, version, error) of an extraction already run
    (a worker process, or a group whose transaction was rolled back), used instead of running
    the extractor here."""
    h = content_hash_ or content_hash(rec.text)
    with store.read() as conn:
        rid = _existing(conn, h)
    if rid is not None:
        with store.write() as conn:
            _add_source(conn, rid, rec)
        return "duplicate", rid, None
    if extracted is None and extract:
        extracted = run_extractor(store, rec.text, rec.published, rec.title, h[:16], rec.path)
    for attempt in range(2):
        try:
            with store.write() as conn:
                return _write_record(conn, rec, h, extracted)
        except IntegrityError:
            if attempt:  # a concurrent writer on a server database won the race twice: give up loudly
                raise
    raise RuntimeError("unreachable")


# Bulk ingest (ingest_paths) writes several reports per transaction: the commit (the WAL
# pages of every index a report touches, the FTS5 flush) is the largest per-report cost.
GROUP_REPORTS = 64       # at most this many reports per transaction
GROUP_SECONDS = 0.25     # or the reports read and extracted in about this long, whichever first


class _Group:
    """Reports of a bulk ingest waiting for their transaction. Each is hashed and extracted
    as it comes (outside any lock: concurrent ingests interleave); the group is written in
    one transaction (``BEGIN IMMEDIATE``) when it holds GROUP_REPORTS reports or its first
    report came GROUP_SECONDS ago, and at the end. All of it commits or none of it. If
    writing it fails (an IntegrityError, or any per-report error), it is rolled back and its
    reports are written again one per transaction, so one bad report costs only itself. The
    summary counts a report when its transaction has committed."""

    def __init__(self, store, summary: IngestSummary, extract: bool,
                 max_reports: int | None = None, max_seconds: float | None = None):
        self.store, self.summary, self.extract = store, summary, extract
        self.max_reports = max(1, GROUP_REPORTS if max_reports is None else max_reports)
        self.max_seconds = GROUP_SECONDS if max_seconds is None else max_seconds
        self.items: list[tuple[Record, str, tuple | None]] = []
        self.hashes: set[str] = set()
        self.t0 = 0.0
        self.transactions = 0   # group transactions committed (tests, benchmark)
        self.fallbacks = 0      # groups rolled back and written one report per transaction

    def add(self, rec: Record, extracted=None, h: str | None = None, pooled: bool = False) -> None:
        """Queue one record. ``extracted``: its extraction, already run (worker pool;
        ``pooled``: the pool left it None because its text was known)."""
        if not self.items:
            self.t0 = time.perf_counter()
        h = h or content_hash(rec.text)
        if extracted is None and self.extract and not pooled and h not in self.hashes:
            with self.store.read() as conn:  # one read for both questions
                known = _existing(conn, h) is not None
                layer = None if known else _layer_signature(self.store, conn)
            if not known:
                extracted = run_extractor(self.store, rec.text, rec.published, rec.title, h[:16], rec.path,
                                          layer=layer)
        self.items.append((rec, h, extracted))
        self.hashes.add(h)
        if len(self.items) >= self.max_reports or time.perf_counter() - self.t0 >= self.max_seconds:
            self.flush()

    def pending_files(self) -> list[int]:
        return [rec.file_no for rec, _, _ in self.items]

    def flush(self) -> None:
        items, self.items, self.hashes = self.items, [], set()
        if not items:
            return
        if len(items) > 1:
            try:
                with self.store.write() as conn:
                    outcomes = _write_group(conn, items, self.extract)
                    if outcomes is None:  # a known text, a repeat or a missing extraction: one by one
                        outcomes = [_write_record(conn, rec, h, ext, needs_extraction=self.extract)
                                    for rec, h, ext in items]
            except Exception:  # rolled back: nothing of the group is stored; one by one below
                self.fallbacks += 1
            else:
                self.transactions += 1
                for (rec, _, _), out in zip(items, outcomes):
                    _count(self.summary, rec, *out)
                return
        for rec, h, ext in items:
            _store_one(self.store, rec, self.summary, self.extract, extracted=ext, h=h)
            self.transactions += 1


def _ingest_records(store, items: Iterable[Record | InputError], summary: IngestSummary, label: str,
                    extract: bool, pool: "_Pool | None" = None, group: "_Group | None" = None) -> None:
    for item in items:
        if isinstance(item, InputError):
            summary.failed += 1
            summary.errors.append(f"{label}: {item}")
            continue
        if pool is not None and extract:
            for done in pool.submit(store, item):
                if group is not None:
                    group.add(done[0], extracted=done[1], h=done[2], pooled=True)
                else:
                    _store_one(store, done[0], summary, extract, extracted=done[1], h=done[2])
            continue
        if group is not None:
            group.add(item)
        else:
            _store_one(store, item, summary, extract)


def _store_one(store, item: Record, summary: IngestSummary, extract: bool, extracted=None,
               h: str | None = None) -> None:
    try:
        status, rid, error = store_record(store, item, extract=extract, extracted=extracted, content_hash_=h)
    except Exception as exc:  # the database itself failed: report it for this record, keep going
        summary.failed += 1
        summary.errors.append(f"{item.locator}: not stored: {exc.__class__.__name__}: {exc}"[:500])
        return
    _count(summary, item, status, rid, error)


def _count(summary: IngestSummary, item: Record, status: str, rid: int, error: str | None) -> None:
    """Count one committed report in the summary."""
    summary.report_ids.append(rid)
    if status == "added":
        summary.added += 1
        if error:
            summary.extraction_errors.append(f"report {rid} ({item.locator}): {error}")
    else:
        summary.duplicates += 1


class _Pool:
    """Extraction in worker processes, writes in this one (``ingest_paths(workers=N)``).
    Records are extracted ahead in a bounded window and stored in input order; a text
    already in the database is not extracted. SQLite has one writer at a time anyway, so
    the parent process writing is no loss; the reports go through ingest_paths' group (several
    per transaction, each landing whole or not at all)."""

    def __init__(self, store, workers: int):
        from concurrent.futures import ProcessPoolExecutor
        import multiprocessing as mp
        self.fn, self.version = store.extractor()
        ctx = mp.get_context("forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn")
        rows = layer_rows(store) if accepts_gazetteer(self.fn) else []
        self.ex = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_worker_init, initargs=(self.fn, rows))
        self.window: list = []
        self.size = 4 * workers

    def submit(self, store, rec: Record):
        h = content_hash(rec.text)
        with store.read() as conn:
            known = _existing(conn, h) is not None
        fut = None if known else self.ex.submit(_worker_extract, self.version, rec.text, rec.published,
                                                 rec.title, h[:16], rec.path)
        self.window.append((rec, fut, h))
        while len(self.window) > self.size:
            yield self._pop()

    def _pop(self):
        rec, fut, h = self.window.pop(0)
        if fut is None:
            return rec, None, h
        try:
            return rec, fut.result(), h
        except Exception as exc:  # the worker died: the report is stored with the error
            return rec, (None, self.version, f"extraction worker failed: {exc.__class__.__name__}: {exc}"[:500]), h

    def drain(self):
        while self.window:
            yield self._pop()

    def close(self):
        self.ex.shutdown(cancel_futures=True)


_WORKER_FN = None
_WORKER_GAZ = None


def _worker_init(fn, layer: list | None = None) -> None:
    """Each worker builds the analyst-layered gazetteer once (the layer as of the run's start)."""
    global _WORKER_FN, _WORKER_GAZ
    _WORKER_FN = fn
    _WORKER_GAZ = gazetteer_for_rows(layer) if layer else None


def _worker_extract(version, text, published, title, report_id, path):
    return call_extractor(_WORKER_FN, version, text, published, title, report_id, path, gazetteer=_WORKER_GAZ)


def ingest_bytes(store, name: str, data: bytes, *, published=None, source: str | None = None,
                 title: str | None = None, url: str | None = None, path: Path | None = None,
                 extract: bool = True, label: str | None = None, _pool: _Pool | None = None,
                 _group: _Group | None = None, _file_no: int = -1) -> IngestSummary:
    """Ingest one file's bytes (an upload: ``name`` gives the format). ``title``/``url``
    apply to a single-document file when the file does not give them. Each report is
    written in its own transaction (``ingest_paths`` passes ``_group``: its reports then join
    the group's transactions and are counted in the group's summary when they commit)."""
    summary = IngestSummary()
    label = label or str(path or name)
    try:
        published = parse_published(published)
        items = list(read_bytes(name, data, path=path, published=published, source=source))
    except InputError as exc:
        summary.failed += 1
        summary.errors.append(f"{label}: {exc}")
        return summary
    except Exception as exc:  # a reader bug must not stop the batch
        summary.failed += 1
        summary.errors.append(f"{label}: unreadable ({exc.__class__.__name__}: {exc})"[:500])
        return summary
    if len(items) == 1 and isinstance(items[0], Record):
        if title:
            items[0].title = title
        items[0].url = items[0].url or url
        if path is None:
            items[0].locator = f"upload:{name}"
    elif path is None:
        for it in items:
            if isinstance(it, Record):
                it.locator = f"upload:{it.locator}"
    for it in items:
        if isinstance(it, Record):
            it.file_no = _file_no
    _ingest_records(store, items, summary, label, extract, _pool, _group)
    return summary


def ingest_text(store, text: str, *, title: str | None = None, source: str | None = None,
                url: str | None = None, published=None, extract: bool = True) -> IngestSummary:
    """Ingest pasted text (the dashboard's form)."""
    summary = IngestSummary()
    try:
        if not isinstance(text, str):
            raise InputError("text is not a string")
        _check_text(text)
        rec = Record(text=text, raw=text.encode("utf-8"), encoding="utf-8", format="text",
                     locator=f"text:{hashlib.sha256(text.encode('utf-8', 'surrogatepass')).hexdigest()[:12]}",
                     title=(title or "").strip() or _headline(text), url=url or None,
                     published=parse_published(published), source=source or None)
    except InputError as exc:
        summary.failed += 1
        summary.errors.append(f"pasted text: {exc}")
        return summary
    _ingest_records(store, [rec], summary, "pasted text", extract)
    return summary


def collect_files(paths: Iterable[str | os.PathLike]) -> tuple[list[Path], list[str], int]:
    """(files to read, errors for missing paths, number of non-report files skipped in folders)."""
    files: list[Path] = []
    errors: list[str] = []
    skipped = 0
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for n in sorted(names):
                    f = Path(root) / n
                    if (n.startswith(".") or n.endswith(".meta.json") or SKIP_NAMES.match(n)
                            or f.suffix.lower() not in SUPPORTED):
                        skipped += 1
                        continue
                    files.append(f)
        elif path.is_file():
            files.append(path)
        elif path.exists():
            errors.append(f"{path}: not a regular file")
        else:
            errors.append(f"{path}: no such file or folder")
    # the same file named twice (overlapping arguments) is read once
    seen, unique = set(), []
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, errors, skipped


def ingest_paths(store, paths: Iterable[str | os.PathLike], published=None, source: str | None = None,
                 progress: bool = True, extract: bool = True, workers: int | None = None,
                 group: int | None = None) -> IngestSummary:
    """Ingest files and folders (recursively). Returns the summary; never raises for bad input.
    ``workers`` > 1: extraction runs in that many processes (the extractor must be importable
    by name: the default one, or a module-level function); writes stay in this process.
    Reports are written in groups of up to ``group`` (default GROUP_REPORTS; 1: one report
    per transaction) or GROUP_SECONDS of reading and extraction, each group in one
    transaction: a report counts as stored (summary, progress bar) once its group commits,
    and a crash loses at most the uncommitted group, which running the same command again
    ingests."""
    summary = IngestSummary()
    try:
        published = parse_published(published)
    except InputError as exc:
        summary.failed += 1
        summary.errors.append(f"--published: {exc}")
        return summary
    files, errors, skipped = collect_files(paths)
    summary.failed += len(errors)
    summary.errors += errors
    summary.skipped += skipped
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=len(files), unit="file", desc="ingest", file=sys.stderr, dynamic_ncols=True,
                   disable=None)
    pool = None
    if extract and workers and workers > 1 and files:
        try:
            pool = _Pool(store, workers)
        except Exception as exc:  # no extractor: the serial path stores reports with the error
            print(f"warning: no worker processes ({exc.__class__.__name__}: {exc}); extracting here",
                  file=sys.stderr)
    grp = _Group(store, summary, extract, max_reports=group)
    frozen = _freeze_long_lived(extract and len(files) >= FREEZE_MIN_FILES)

    def show(files_read: int) -> None:
        # a file is done once every report read from it has committed
        if bar is None:
            return
        waiting = grp.pending_files() + ([rec.file_no for rec, _, _ in pool.window] if pool is not None else [])
        done = min([files_read, *waiting])
        if done > bar.n:
            bar.update(done - bar.n)
        bar.set_postfix(added=summary.added, dup=summary.duplicates, failed=summary.failed, refresh=False)

    try:
        for i, f in enumerate(files):
            path = f.resolve()
            try:
                size = path.stat().st_size
                if size > _decode.MAX_FILE_BYTES:
                    raise InputError(f"file too large ({size:,} bytes; the limit is {_decode.MAX_FILE_BYTES:,})")
                data = path.read_bytes()
            except InputError as exc:
                summary.failed += 1
                summary.errors.append(f"{f}: {exc}")
            except OSError as exc:
                summary.failed += 1
                summary.errors.append(f"{f}: cannot read ({exc.strerror or exc})")
            else:
                summary.merge(ingest_bytes(store, f.name, data, published=published, source=source,
                                           path=path, extract=extract, label=str(f), _pool=pool,
                                           _group=grp, _file_no=i))
            show(i + 1)
        if pool is not None:
            for rec, extracted, h in pool.drain():
                grp.add(rec, extracted=extracted, h=h, pooled=True)
        grp.flush()
        show(len(files))
    finally:
        if frozen:
            gc.unfreeze()
        if pool is not None:
            pool.close()
        if bar is not None:
            bar.close()
    return summary


# A batch of at least this many files freezes what is already loaded (below).
FREEZE_MIN_FILES = 200


def _freeze_long_lived(wanted: bool) -> bool:
    """Load the gazetteer, then move every object alive now out of the garbage collector's
    sight for the batch (``gc.freeze``; ``ingest_paths`` undoes it at the end). Why: the
    gazetteer's hundreds of thousands of dicts and strings never die, yet each full
    collection walks them all; on a 2,000-report batch that was ~9 % of the CPU time and
    collected nothing. Returns whether it froze."""
    if not wanted or gc.get_freeze_count():
        return False  # nothing to gain, or the process froze its own objects (unfreezing would undo that)
    try:
        import geo
        geo.load_gazetteer()
    except Exception:  # no gazetteer: extraction reports the error per report, as before
        return False
    gc.freeze()
    return True
