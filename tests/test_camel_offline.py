"""camel-tools runs offline from the project's own data directory (data/camel/).

camel_tools.data reads $CAMELTOOLS_DATA/catalogue.json at import and would try to download it
when it is missing; the project ships a catalogue so that never happens. These tests run in a
fresh interpreter so the environment variable is seen at import time.
"""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CAMEL_DATA = ROOT / "data" / "camel"


def run(code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CAMELTOOLS_DATA": str(CAMEL_DATA),
           # any attempt to reach the network fails at once instead of hanging
           "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)


def test_catalogue_is_shipped():
    assert (CAMEL_DATA / "catalogue.json").is_file()


def test_data_dependent_code_path_works_offline():
    result = run(
        "from camel_tools.morphology.database import MorphologyDB\n"
        "from camel_tools.morphology.analyzer import Analyzer\n"
        "from camel_tools.utils.dediac import dediac_ar\n"
        "db = MorphologyDB.builtin_db('camel-morph-msa-safiyr')\n"
        "analyses = Analyzer(db).analyze('السفير')\n"
        "print(len(analyses), dediac_ar(analyses[0]['lex']))\n"
    )
    assert result.returncode == 0, result.stderr
    count, lemma = result.stdout.split()
    assert int(count) > 0 and lemma == "سفير"


def test_extraction_never_imports_camel_tools_data():
    result = run(
        "import sys\n"
        "from extraction import extract_text\n"
        "extract_text('قصف على حي الجلوم أمس', published='2016-12-06')\n"
        "print(any(m.startswith('camel_tools.data') for m in sys.modules))\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
