"""Rebuild conflict_app/geo/boundaries.json from Natural Earth (see conflict_app/geo/README.md).

    python scripts/boundaries.py ne_50m_admin_0_countries.json

Needs shapely (not an app dependency: the app only reads the result). Keeps the range states,
cut to the range's frame and simplified, so the file stays small enough to ship.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

CODES = ("AF", "AM", "AZ", "GE", "IQ", "IR", "KZ", "PK", "RU", "TJ", "TM", "TR", "UZ")
FRAME = (25, 23, 80, 50)  # west, south, east, north
TOLERANCE = 0.02
OUT = Path(__file__).resolve().parent.parent / "conflict_app" / "geo" / "boundaries.json"


def main(source: str) -> None:
    from shapely import set_precision
    from shapely.geometry import box, shape

    countries = {}
    for feature in json.loads(Path(source).read_text(encoding="utf-8"))["features"]:
        code = feature["properties"]["ISO_A2"]
        if code not in CODES:
            continue
        geometry = shape(feature["geometry"]).intersection(box(*FRAME))
        geometry = set_precision(geometry.simplify(TOLERANCE, preserve_topology=True), 0.01)
        parts = [geometry] if geometry.geom_type == "Polygon" else list(geometry.geoms)
        countries[code] = [[[round(x, 2), round(y, 2)] for x, y in part.exterior.coords]
                           for part in parts if part.area >= 0.02]
    OUT.write_text(json.dumps({
        "source": "Natural Earth 1:50m admin 0 countries (public domain), via "
                  "martynafford/natural-earth-geojson (CC0); clipped to 25-80E 23-50N, "
                  "simplified", "countries": countries}, separators=(",", ":")),
        encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
