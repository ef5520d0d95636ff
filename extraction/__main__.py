"""`python -m extraction COMMAND ...`: one CLI for the whole pipeline.

- extract            -> extraction.cli (language only, no database)
- ingest, reprocess, export, ... -> store.cli (persistence)
"""
import sys


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "extract":
        from extraction.cli import main as extract_main
        return extract_main(argv[1:])
    from store.cli import main as store_main
    return store_main(argv)


if __name__ == "__main__":
    sys.exit(main())
