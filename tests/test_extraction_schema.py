"""Real output (the sample and the dev corpus) validates against extraction/schema.json."""
import json
from pathlib import Path

import jsonschema
import pytest

from extraction import extract_text, EXTRACTOR_VERSION

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SCHEMA = json.loads((ROOT / "extraction" / "schema.json").read_text(encoding="utf-8"))
FILES = sorted((SHARED / "dev-corpus").glob("*.txt")) + sorted((SHARED / "samples").glob("*.txt"))


def test_schema_is_valid():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert EXTRACTOR_VERSION


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_real_output_validates(path):
    text = path.read_text(encoding="utf-8")
    out = extract_text(text, published="2016-12-06", path=str(path))
    jsonschema.Draft202012Validator(SCHEMA).validate(out)
    for m in out["mentions"]:
        assert text[m["start"]:m["end"]] == m["text"]
