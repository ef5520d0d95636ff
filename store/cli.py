"""`python -m extraction COMMAND` for every command except `extract`.

    ingest PATH... [--db FILE] [--published DATE] [--source NAME] [--no-extract] [--workers N] [-q]
    reprocess [--db FILE] [--all] [--errors]
    export --format csv|geojson|acled [-o FILE] [--db FILE] [--from DATE] [--to DATE]
           [--side S]... [--actor ID]... [--event-type T]... [--source NAME]... [--include-false]
    stats [--db FILE] [--json]
    places [--db FILE] [-o FILE]            the analyst's own places (CSV)
    corrections [--db FILE] [-o FILE]       the correction log (CSV)
    reports [--db FILE] [--errors] [--search TEXT]
    seed [--db FILE]                        load data/reports/ into an empty database

Exit status: 0 success; 1 some input failed (the rest was stored) or extraction
errors; 2 usage error; 3 the database cannot be opened.
"""
from __future__ import annotations

import argparse
import json
import sys

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_DB = 0, 1, 2, 3


def _date(value: str):
    from store.decode import InputError
    from store.ingest import parse_published
    try:
        return parse_published(value)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc))


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m extraction",
                                description="Aleppo Frontline Map: reports store, ingestion and exports.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    db_help = "database file or SQLAlchemy URL (default: $FRONTLINE_DB, else data/frontline.db)"

    def add(name, help_):
        sp = sub.add_parser(name, help=help_, description=help_)
        sp.add_argument("--db", help=db_help)
        return sp

    sp = add("ingest", "add report files and folders to the store")
    sp.add_argument("paths", nargs="+", metavar="PATH")
    sp.add_argument("--published", type=_date, help="publication date for files that do not give one (YYYY-MM-DD)")
    sp.add_argument("--source", help="source name for files that do not give one")
    sp.add_argument("--no-extract", action="store_true", help="store only; extract later with reprocess")
    sp.add_argument("--workers", type=int, default=None, metavar="N",
                    help="extract in N processes (writes stay in one); default: one process")
    sp.add_argument("-q", "--quiet", action="store_true", help="no progress bar")

    sp = add("reprocess", "re-extract reports whose extractor version is older (corrections survive)")
    sp.add_argument("--all", action="store_true", help="re-extract every report")
    sp.add_argument("--errors", action="store_true", help="also retry reports whose extraction failed")
    sp.add_argument("-q", "--quiet", action="store_true")

    sp = add("export", "export events (corrected; false events left out)")
    sp.add_argument("--format", required=True, choices=["csv", "geojson", "acled"])
    sp.add_argument("-o", "--output", help="output file (default: standard output)")
    sp.add_argument("--from", dest="date_from", type=_date)
    sp.add_argument("--to", dest="date_to", type=_date)
    sp.add_argument("--side", action="append", dest="sides")
    sp.add_argument("--actor", action="append", dest="actor_ids")
    sp.add_argument("--event-type", action="append", dest="event_types")
    sp.add_argument("--source", action="append", dest="sources")
    sp.add_argument("--include-false", action="store_true", help="include events marked false")

    sp = add("stats", "counts, extractor versions, errors, orphaned corrections")
    sp.add_argument("--json", action="store_true")

    sp = add("places", "export the analyst's own places (CSV)")
    sp.add_argument("-o", "--output")

    sp = add("corrections", "export the correction log (CSV)")
    sp.add_argument("-o", "--output")

    sp = add("reports", "list reports")
    sp.add_argument("--errors", action="store_true", help="only reports whose extraction failed")
    sp.add_argument("--search")
    sp.add_argument("--limit", type=int, default=100)

    add("seed", "load the shipped demo reports into an empty database")
    return p


def _err(msg: str) -> None:
    print(f"error: {msg}", file=sys.stderr)


def _write(text: str, output: str | None) -> None:
    if output and output != "-":
        with open(output, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    if not argv:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_OK if exc.code == 0 else EXIT_USAGE
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE

    from store import StoreError, open_store
    try:
        st = open_store(args.db)
    except StoreError as exc:
        _err(str(exc))
        return EXIT_DB
    try:
        return _run(args, st)
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        _err("interrupted (every report stored so far is complete; run the same command again to finish)")
        return 130
    finally:
        st.dispose()


def _run(args, st) -> int:
    from store import queries
    if args.command == "ingest":
        from store.ingest import ingest_paths
        s = ingest_paths(st, args.paths, published=args.published, source=args.source,
                         progress=not args.quiet, extract=not args.no_extract, workers=args.workers)
        for line in s.errors:
            print(f"error: {line}", file=sys.stderr)
        for line in s.extraction_errors:
            print(f"extraction error: {line}", file=sys.stderr)
        print(s.line(), file=sys.stderr)
        return EXIT_OK if s.ok else EXIT_FAILED

    if args.command == "reprocess":
        from store.reprocess import reprocess
        s = reprocess(st, all_reports=args.all, errors=args.errors, progress=not args.quiet)
        for line in s.errors:
            print(f"error: {line}", file=sys.stderr)
        print(s.line(), file=sys.stderr)
        return EXIT_OK if s.failed == 0 else EXIT_FAILED

    if args.command == "export":
        from store.export import export_text
        f = queries.Filters(date_from=args.date_from, date_to=args.date_to, sides=args.sides,
                            actor_ids=args.actor_ids, event_types=args.event_types, sources=args.sources,
                            include_false=args.include_false)
        text, n = export_text(st, args.format, f)
        _write(text, args.output)
        print(f"exported {n} events ({args.format})" + (f" to {args.output}" if args.output else ""),
              file=sys.stderr)
        return EXIT_OK

    if args.command == "stats":
        s = queries.stats(st)
        if args.json:
            print(json.dumps(s, ensure_ascii=False, indent=1, default=str))
            return EXIT_OK
        print(f"database      {st.url}  ({s['db_bytes'] / 1e6:.1f} MB)")
        print(f"reports       {s['reports']}  " + ", ".join(f"{k} {v}" for k, v in sorted(s["reports_by_status"].items())))
        print(f"sources       {s['sources']}")
        print("extractor     " + ", ".join(f"{k}: {v}" for k, v in s["extractor_versions"].items()))
        print(f"mentions      {s['mentions']}  (unresolved places awaiting review: {s['unresolved_places']})")
        print(f"events        {s['events']}  (corrected {s['events_corrected']}, marked false {s['events_false']})")
        print(f"corrections   {s['corrections']}  (orphaned: {s['corrections_orphaned']})")
        print(f"analyst places {s['analyst_places']}")
        for e in s["errors"]:
            print(f"error: {e}")
        return EXIT_OK

    if args.command == "places":
        from store.export import analyst_places_csv
        _write(analyst_places_csv(st), args.output)
        return EXIT_OK

    if args.command == "corrections":
        df = queries.corrections(st)
        for c in ("old_value", "new_value"):
            if len(df):
                df[c] = df[c].map(lambda v: json.dumps(v, ensure_ascii=False))
        _write(df.to_csv(index=False, lineterminator="\n"), args.output)
        return EXIT_OK

    if args.command == "reports":
        df = queries.list_reports(st, search=args.search, status="error" if args.errors else None,
                                  limit=args.limit)
        cols = ["report_id", "published", "status", "events", "source", "title"] + (["error"] if args.errors else [])
        if df.empty:
            print("no reports", file=sys.stderr)
        else:
            df["published"] = df["published"].dt.date
            print(df[cols].to_string(index=False, max_colwidth=60))
        return EXIT_OK

    if args.command == "seed":
        from store import seed_if_empty
        s = seed_if_empty(st, progress=True)
        if s is None:
            print("the database already holds reports: nothing to do", file=sys.stderr)
            return EXIT_OK
        for line in s.errors + s.extraction_errors:
            print(f"error: {line}", file=sys.stderr)
        print(s.line(), file=sys.stderr)
        return EXIT_OK if s.ok else EXIT_FAILED
    _err(f"unknown command {args.command!r}")
    return EXIT_USAGE
