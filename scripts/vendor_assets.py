"""Fetch the JS/CSS the dashboard's map needs into static/vendor/, from npm.

The map (folium through streamlit-folium) would otherwise load Leaflet, jQuery,
Bootstrap, Font Awesome, awesome-markers and MarkerCluster from public CDNs. The
dashboard is offline by default, so these files are vendored once, committed,
and served by Streamlit's static file serving under /app/static/vendor/.

How the files were fetched (re-run to refresh; needs `npm` and the npm registry):

    .venv/bin/python scripts/vendor_assets.py            # fetch and copy
    .venv/bin/python scripts/vendor_assets.py --check    # verify files against MANIFEST.json

For each package: `npm pack NAME@VERSION` into a temporary directory, unpack,
copy only the files listed below (plus the package's license) to
static/vendor/<dir>/, and record name, version, tarball integrity and license
in static/vendor/MANIFEST.json. The versions are exactly the ones folium 0.20
points at (folium/folium.py _default_js/_default_css, folium/plugins/marker_cluster.py),
so the vendored page behaves like folium's CDN page.

Not vendored, on purpose (the dashboard drops them from the page, see
dashboard/assets.py): folium's `glyphicons_css` (Bootstrap 3.0.0's glyphicons,
never published to npm; only needed for `prefix="glyphicon"` icons) and
`awesome_rotate_css` (a folium GitHub file, only needed for rotated
awesome-markers icons). The dashboard uses neither.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "static" / "vendor"

# (npm spec, target dir, files to copy from the package (relative to package/), license text file or None)
PACKAGES = [
    ("leaflet@1.9.3", "leaflet-1.9.3",
     ["dist/leaflet.js", "dist/leaflet.css", "dist/images/layers.png", "dist/images/layers-2x.png",
      "dist/images/marker-icon.png", "dist/images/marker-icon-2x.png", "dist/images/marker-shadow.png"],
     "LICENSE"),
    ("jquery@3.7.1", "jquery-3.7.1", ["dist/jquery.min.js"], "LICENSE.txt"),
    ("bootstrap@5.2.2", "bootstrap-5.2.2",
     ["dist/js/bootstrap.bundle.min.js", "dist/css/bootstrap.min.css"], "LICENSE"),
    ("@fortawesome/fontawesome-free@6.2.0", "fontawesome-free-6.2.0",
     ["css/all.min.css",
      "webfonts/fa-brands-400.woff2", "webfonts/fa-brands-400.ttf",
      "webfonts/fa-regular-400.woff2", "webfonts/fa-regular-400.ttf",
      "webfonts/fa-solid-900.woff2", "webfonts/fa-solid-900.ttf",
      "webfonts/fa-v4compatibility.woff2", "webfonts/fa-v4compatibility.ttf"],
     "LICENSE.txt"),
    # The original Leaflet.awesome-markers 2.0.2 (the version folium loads from cdnjs) is on
    # npm only as this repackaging; same version as the cdnjs files folium uses.
    ("drmonty-leaflet-awesome-markers@2.0.2", "leaflet.awesome-markers-2.0.2",
     ["js/leaflet.awesome-markers.js", "css/leaflet.awesome-markers.css",
      "css/images/markers-soft.png", "css/images/markers-soft@2x.png",
      "css/images/markers-shadow.png", "css/images/markers-shadow@2x.png",
      "css/images/markers-matte.png", "css/images/markers-matte@2x.png",
      "css/images/markers-plain.png"],
     None),  # the package ships no LICENSE file: package.json says MIT; written below
    ("leaflet.markercluster@1.1.0", "leaflet.markercluster-1.1.0",
     ["dist/leaflet.markercluster.js", "dist/MarkerCluster.css", "dist/MarkerCluster.Default.css"],
     "MIT-LICENCE.txt"),
]

AWESOME_MARKERS_LICENSE = """Leaflet.awesome-markers 2.0.2
Copyright (C) 2013 L. Voogdt
https://github.com/lvoogdt/Leaflet.awesome-markers (npm: drmonty-leaflet-awesome-markers@2.0.2)

The npm package ships no license file; its package.json declares the MIT license
(http://github.com/lvoogdt/Leaflet.awesome-markers/blob/2.0/develop/LICENSE), reproduced here:

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of
the Software, and to permit persons to whom the Software is furnished to do so,
subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS
FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR
COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER
IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch() -> dict:
    manifest = {"generated_by": "scripts/vendor_assets.py", "packages": []}
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        for spec, target, files, license_file in PACKAGES:
            out = subprocess.run(["npm", "pack", spec, "--json"], cwd=tmpdir, check=True,
                                 capture_output=True, text=True).stdout
            info = json.loads(out)[0]
            tgz = tmpdir / info["filename"]
            unpack = tmpdir / target
            with tarfile.open(tgz) as tar:
                tar.extractall(unpack, filter="data")
            pkg = unpack / "package"
            dest = VENDOR / target
            if dest.exists():
                shutil.rmtree(dest)
            entries = {}
            for rel in files:
                (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(pkg / rel, dest / rel)
                entries[rel] = _sha256(dest / rel)
            if license_file:
                shutil.copy2(pkg / license_file, dest / license_file)
                lic = license_file
            else:
                lic = "LICENSE.txt"
                (dest / lic).write_text(AWESOME_MARKERS_LICENSE, encoding="utf-8")
            pj = json.loads((pkg / "package.json").read_text(encoding="utf-8"))
            manifest["packages"].append({
                "npm": spec, "name": info["name"], "version": info["version"],
                "integrity": info.get("integrity"), "dir": target, "license_file": lic,
                "license": pj.get("license") or [x.get("type") for x in pj.get("licenses", [])],
                "files": entries,
            })
            print(f"{spec:45s} -> static/vendor/{target} ({len(files)} files)")
    (VENDOR / "MANIFEST.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def check() -> int:
    manifest = json.loads((VENDOR / "MANIFEST.json").read_text(encoding="utf-8"))
    bad = 0
    for pkg in manifest["packages"]:
        for rel, digest in pkg["files"].items():
            path = VENDOR / pkg["dir"] / rel
            if not path.exists() or _sha256(path) != digest:
                print(f"mismatch: {path}")
                bad += 1
        if not (VENDOR / pkg["dir"] / pkg["license_file"]).exists():
            print(f"missing license: {pkg['dir']}/{pkg['license_file']}")
            bad += 1
    print("ok" if not bad else f"{bad} problem(s)")
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="verify vendored files against MANIFEST.json")
    args = ap.parse_args(argv)
    if args.check:
        return check()
    fetch()
    return check()


if __name__ == "__main__":
    sys.exit(main())
