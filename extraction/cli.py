"""`python -m extraction extract FILE... [--published YYYY-MM-DD]` -> JSON Lines on stdout.

One JSON object per readable file, in order. A file that cannot be read or decoded gives
one line on stderr (``extract: FILE: reason``); the other files still go out and the exit
status is 1.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import sys


def _date(value: str) -> str:
    try:
        return _dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {value!r}")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m extraction extract",
                                description="Extract places, actors, casualties, dates and events "
                                            "from Arabic reports (JSON Lines on stdout).")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--published", type=_date, default=None,
                   help="publication date YYYY-MM-DD (relative dates resolve against it)")
    p.add_argument("--title", default=None, help="report title (default: first line)")
    return p


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help / bad usage
        return int(exc.code or 0)
    from extraction import extract_text

    status = 0
    out = sys.stdout
    for path in args.files:
        try:
            with open(path, "rb") as fh:
                raw = fh.read()
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            print(f"extract: {path}: not UTF-8 text ({exc.reason} at byte {exc.start})", file=sys.stderr)
            status = 1
            continue
        except OSError as exc:
            print(f"extract: {path}: {exc.strerror or exc}", file=sys.stderr)
            status = 1
            continue
        try:
            result = extract_text(text, published=args.published, title=args.title, path=path)
        except Exception as exc:  # never lose the other files
            print(f"extract: {path}: extraction failed ({type(exc).__name__}: {exc})", file=sys.stderr)
            status = 1
            continue
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
    out.flush()
    return status


if __name__ == "__main__":
    sys.exit(main())
