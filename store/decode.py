"""Bytes to text: UTF-8 (with or without BOM), UTF-16/32 (BOM, or BOM-less UTF-16
recognised by its zero bytes), Windows-1256 and other legacy encodings detected
with charset-normalizer. Anything else is an ``InputError`` for that file."""
from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata

MAX_FILE_BYTES = 20 * 1024 * 1024   # a file larger than this is refused (documented in docs/store.md)
MAX_REPORT_CHARS = 2_000_000        # one report's text (about 4 MB of Arabic in UTF-8)


class InputError(Exception):
    """A clear, one-line reason why an input (file, line or row) was not ingested."""


_MAGIC = [
    (b"%PDF", "PDF"), (b"\x89PNG", "PNG image"), (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"), (b"PK\x03\x04", "ZIP archive (docx/xlsx?)"), (b"\x1f\x8b", "gzip archive"),
    (b"\xd0\xcf\x11\xe0", "MS Office document"), (b"SQLite format 3", "SQLite database"),
    (b"\x7fELF", "executable"), (b"Rar!", "RAR archive"), (b"7z\xbc\xaf", "7z archive"),
]

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
]

# Encodings we accept from detection: text encodings an Arabic or English report may use.
_ACCEPTED = {
    "utf_8", "ascii", "cp1256", "iso8859_6", "cp720", "cp864", "mac_arabic",
    "cp1252", "latin_1", "iso8859_15", "utf_16", "utf_16_le", "utf_16_be",
}

# Control characters (Unicode category Cc) other than \t \n \v \f \r, surrogates (Cs),
# private-use characters (Co) and U+FFFD, the replacement character.
_BAD_CHARS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff"
                        "\U000f0000-\U000ffffd\U00100000-\U0010fffd\ufffd]")


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    return len(_BAD_CHARS.findall(text)) / len(text)


def _utf16_without_bom(data: bytes) -> str | None:
    """BOM-less UTF-16: zero bytes only at odd (LE) or even (BE) offsets."""
    if len(data) < 4 or len(data) % 2:
        return None
    even_zero = data[0::2].count(0)
    odd_zero = data[1::2].count(0)
    half = len(data) // 2
    for enc, zeros, other in (("utf-16-le", odd_zero, even_zero), ("utf-16-be", even_zero, odd_zero)):
        if other == 0 and zeros >= max(1, half // 20):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if _control_ratio(text) < 0.01 and _plausible_ratio(text) >= 0.9:
                return text
    return None


def _plausible_ratio(text: str) -> float:
    """Share of characters from the scripts a report is written in (ASCII, Latin-1,
    Arabic blocks, general punctuation): guards the BOM-less UTF-16 guess."""
    ok = sum(1 for ch in text if ch < "\u0250" or "\u0600" <= ch <= "\u077f" or "\u2000" <= ch <= "\u206f"
             or "\ufb50" <= ch <= "\ufdff" or "\ufe70" <= ch <= "\ufeff")
    return ok / max(1, len(text))


def decode_bytes(data: bytes, max_bytes: int | None = None) -> tuple[str, str]:
    """Decode ``data`` and return ``(text, encoding)``, or raise ``InputError``."""
    if max_bytes is None:
        max_bytes = MAX_FILE_BYTES
    if len(data) > max_bytes:
        raise InputError(f"file too large ({len(data):,} bytes; the limit is {max_bytes:,})")
    if not data.strip(b" \t\r\n\x00\x0b\x0c"):
        raise InputError("empty file")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError as exc:
                raise InputError(f"undecodable: starts with a {enc} byte-order mark but {exc.reason} at byte {exc.start}")
            if not text.strip():
                raise InputError("empty file")
            if _control_ratio(text) > 0.01:
                raise InputError(f"binary file (control characters after {enc} decoding)")
            return text, enc
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise InputError(f"binary file ({what})")
    if b"\x00" in data:
        text = _utf16_without_bom(data)
        if text is not None:
            return text, "utf-16"
        raise InputError("binary file (contains NUL bytes)")
    try:
        text = data.decode("utf-8")
        enc = "utf-8"
    except UnicodeDecodeError:
        text, enc = _detect(data)
    if _control_ratio(text) > 0.01:
        raise InputError(f"binary file (control characters in {enc} text)")
    return text, enc


def _detect(data: bytes) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    try:
        results = from_bytes(data, cp_isolation=["cp1256", "iso8859_6", "cp1252", "utf_16"])
        best = results.best()
        if best is None or best.encoding is None:
            results = from_bytes(data)
            best = results.best()
    except Exception as exc:  # charset-normalizer should not raise, but never crash on input
        raise InputError(f"undecodable: encoding detection failed ({exc.__class__.__name__})")
    if best is None or best.encoding not in _ACCEPTED:
        found = f" (looks like {best.encoding})" if best is not None and best.encoding else ""
        raise InputError(f"undecodable: not UTF-8, UTF-16 or Windows-1256{found}")
    try:
        text = data.decode(best.encoding)
    except (UnicodeDecodeError, LookupError):
        raise InputError(f"undecodable as {best.encoding}")
    if best.chaos > 0.3:
        raise InputError(f"undecodable: no encoding gives readable text (best guess {best.encoding})")
    return text, best.encoding


# -- normalized content hash -------------------------------------------------------
_INVISIBLE = dict.fromkeys(map(ord, "\u0640\u200b\u200c\u200d\u200e\u200f\u061c\ufeff"
                               "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"), None)
_WS = re.compile(r"\s+")
# the same characters as _INVISIBLE, deleted by one regex scan (str.translate with a dict looks
# every character up: ~4x slower on a report)
_INVISIBLE_RX = re.compile("[" + "".join(map(chr, _INVISIBLE)) + "]")


def normalize_for_hash(text: str) -> str:
    """The dedup form of a text: Unicode NFKC, tatweel, zero-width and bidi marks
    dropped, all whitespace runs (line endings included) collapsed to one space,
    trimmed. Letters, hamza forms and diacritics are kept: a different spelling is
    a different text."""
    text = _INVISIBLE_RX.sub("", unicodedata.normalize("NFKC", text))
    return _WS.sub(" ", text).strip()


def content_hash(text: str) -> str:
    return hashlib.sha256(normalize_for_hash(text).encode("utf-8")).hexdigest()
