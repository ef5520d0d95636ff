"""The committed gazetteer: a deterministic build of the sources, honest manual entries,
loadable without ../shared."""
import csv
import doctest
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

import geo.build
import geo.gazetteer
import geo.names
import geo.regions
from arabic import name_key
from geo import load_gazetteer

REPO = Path(__file__).resolve().parents[1]
GAZ = REPO / "data" / "gazetteer"
SOURCES = REPO.parent / "shared" / "data" / "gazetteer-sources"
needs_sources = pytest.mark.skipif(not (SOURCES / "ocha-codab-syr-v02").is_dir(),
                                   reason="../shared/data/gazetteer-sources is absent; the committed files are tested as they are")


def rows(name: str) -> list[dict]:
    with open(GAZ / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("module", [geo.names, geo.regions, geo.build, geo.gazetteer])
def test_doctests(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


@needs_sources
def test_build_reproduces_the_committed_files_byte_for_byte(tmp_path):
    for name in ("manual_places.csv", "manual_aliases.csv", "common_words.csv"):
        shutil.copy(GAZ / name, tmp_path / name)
    assert geo.build.main(["--sources", str(SOURCES), "--out", str(tmp_path)]) == 0
    for name in ("places.csv", "aliases.csv", "neighbourhoods.geojson", "admin.geojson", "ATTRIBUTION.md"):
        assert (tmp_path / name).read_bytes() == (GAZ / name).read_bytes(), f"{name} differs: rebuild and commit"


def test_counts_by_kind():
    places = rows("places.csv")
    aleppo = Counter(r["kind"] for r in places if r["in_aleppo_gov"] == "true" and r["source"].startswith("ocha"))
    assert aleppo == {"community": 1839, "neighbourhood": 109, "sub-district": 40, "district": 8, "governorate": 1}
    syria = Counter(r["kind"] for r in places if r["source"].startswith("ocha"))
    assert syria["community"] == 7593 and syria["neighbourhood"] == 414 and syria["governorate"] == 14
    assert len({r["id"] for r in places}) == len(places)
    assert [r["id"] for r in places] == sorted(r["id"] for r in places)


def test_every_place_has_a_point_license_and_valid_fields():
    for r in rows("places.csv"):
        assert r["kind"] in ("neighbourhood", "community", "sub-district", "district", "governorate",
                             "landmark", "area", "region"), r
        assert r["geo_precision"] in ("1", "2", "3") and r["license"] and r["source"], r
        assert 32 < float(r["lat"]) < 38 and 35 < float(r["lon"]) < 43, r
        assert (r["pcode"] == r["id"]) != r["id"].startswith("M-"), r


def test_manual_entries_say_where_their_point_comes_from():
    for r in rows("manual_places.csv"):
        assert r["id"].startswith("M-") and len(r["basis"]) > 40, r["id"]
        rule = r["point_rule"].split(":")[0]
        # only a polygon of the landmark itself may claim precision 1
        assert r["geo_precision"] != "1" or rule == "csr", r["id"]
        assert rule not in ("place", "midpoint") or r["geo_precision"] in ("2", "3"), r["id"]
    for r in rows("manual_aliases.csv"):
        assert r["note"], r


def test_alias_keys_are_name_keys_and_point_to_places():
    ids = {r["id"] for r in rows("places.csv")}
    aliases = rows("aliases.csv")
    assert all(r["key"] == name_key(r["alias"]) and r["place_id"] in ids for r in aliases)
    pairs = [(r["key"], r["place_id"]) for r in aliases]
    assert pairs == sorted(set(pairs))


def test_every_neighbourhood_polygon_keeps_its_csr_id_and_most_join_a_pcode():
    feats = json.loads((GAZ / "neighbourhoods.geojson").read_text(encoding="utf-8"))["features"]
    assert len(feats) == 133 and all(f["properties"]["csr_id"] for f in feats)
    joined = {f["properties"]["place_id"] for f in feats if f["properties"]["place_id"].startswith("N")}
    assert len(joined) >= 105          # of 109 OCHA neighbourhoods; the rest have no CSR polygon
    by_csr = {f["properties"]["csr_id"]: f["properties"]["place_id"] for f in feats}
    assert by_csr[84] == "N0194" and by_csr[81] == "N0187" and by_csr[16] == "M-citadel"
    assert by_csr[5] == "N0155" and by_csr[6] == "N0190"   # joined by name although OCHA's points are off


def test_geometry_files_are_small_and_cover_aleppo():
    assert sum((GAZ / n).stat().st_size for n in ("neighbourhoods.geojson", "admin.geojson")) < 2_000_000
    gaz = load_gazetteer()
    admin = gaz.admin_polygons()
    assert sorted(admin[admin.level == 2].id) == ["SY0200", "SY0202", "SY0203", "SY0204", "SY0205",
                                                  "SY0206", "SY0207", "SY0208"]
    assert len(admin[admin.level == 1]) == 14
    from shapely.geometry import Point
    aleppo = admin[admin.id == "SY02"].geometry.iloc[0]
    assert aleppo.contains(Point(gaz.place("C1655").lon, gaz.place("C1655").lat))
    nbhd = gaz.neighbourhood_polygons()
    assert nbhd.crs.to_epsg() == 4326 and "place_id" in nbhd.columns


def test_loads_fast_from_a_copy_without_shared_sources(tmp_path):
    """A fresh process, in another directory, with every read of the sources made to fail."""
    copy = tmp_path / "gazetteer"
    shutil.copytree(GAZ, copy)
    script = (
        "import builtins, io, time\n"
        "real_open = builtins.open\n"
        "def guarded(file, *a, **k):\n"
        "    assert 'gazetteer-sources' not in str(file), file\n"
        "    return real_open(file, *a, **k)\n"
        "builtins.open = guarded; io.open = guarded\n"
        "t = time.perf_counter()\n"
        "from geo import load_gazetteer\n"
        f"gaz = load_gazetteer({str(copy)!r})\n"
        "default = load_gazetteer()\n"
        "print(round(time.perf_counter() - t, 2), gaz.place('N0194').name_ar, len(default), sep='|')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    seconds, name, count = out.stdout.strip().split("|")
    assert name == "كرم ميسر"
    assert int(count) > 8000
    assert float(seconds) < 5      # the target is < 1 s; this only catches a gross regression


def test_load_is_cached_per_process():
    assert load_gazetteer() is load_gazetteer()
    assert load_gazetteer(GAZ) is load_gazetteer()
