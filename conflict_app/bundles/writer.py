"""Write plain rows as bundle CSV files (used for synthetic landscapes and exports)."""

from __future__ import annotations

import csv
from pathlib import Path

from conflict_app.bundles.schema import FILES


def write_rows(path: Path, **tables: list[dict]) -> dict[str, int]:
    path.mkdir(parents=True, exist_ok=True)
    counts = {}
    for key, rows in tables.items():
        name = f"{key}.csv"
        columns = [c.name for c in FILES[name].columns]
        with (path / name).open("w", encoding="utf-8", newline="") as handle:
            out = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
            out.writeheader()
            for row in rows:
                out.writerow({k: ("" if v is None else v) for k, v in row.items()})
        counts[name] = len(rows)
    return counts
