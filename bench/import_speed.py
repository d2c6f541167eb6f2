"""`flask import-bundle` speed and memory, against a raw bulk load of the same rows measured
in the same run (the machine is shared: read the ratios, not the times).

    .venv/bin/python bench/import_speed.py postgresql://postgres@127.0.0.1:5432/pardus_import \\
        [--rows 100000] [--large 400000]

For each of two bundle sizes it writes a bundle (households, herds, measures, incidents with
one to three species each), empties the data tables, runs `flask import-bundle` as an
operator would (a separate process, production settings) and reads its peak memory; then it
empties the tables again and loads the very same rows with PostgreSQL COPY (ids assigned up
front, no validation): the raw baseline. Prints rows/s of both, their ratio, and the peak
memory of the import at both sizes.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TABLES = ("loss_line", "incident", "measure", "herd_census", "household")
SPECIES = ("sheep", "goat", "cattle", "horse", "donkey")
PLACES = (("Syunik", "Meghri"), ("Syunik", "Kapan"), ("Syunik", "Goris"),
          ("Vayots Dzor", "Vayk"))


def write_bundle(folder: Path, rows: int, seed: int = 1) -> int:
    """A bundle of about ``rows`` data rows, written as a stream; returns the exact count."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    households = max(rows // 8, 1)
    written = 0
    with (folder / "households.csv").open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["household_ref", "country", "admin1", "admin2", "village", "latitude",
                      "longitude", "head_name", "phone", "language"])
        for n in range(households):
            province, district = PLACES[n % len(PLACES)]
            out.writerow([f"H{n}", "AM", province, district, f"Village {n % 40}",
                          f"{38.8 + rng.random():.4f}", f"{45.5 + rng.random():.4f}",
                          f"Herder {n}", f"+3749{n:07d}", "hy"])
            written += 1
    with (folder / "herds.csv").open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["household_ref", "year", "species", "head_count"])
        for n in range(households):
            for year in (2023, 2024):
                out.writerow([f"H{n}", year, "sheep", rng.randint(10, 400)])
                written += 1
    with (folder / "measures.csv").open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["measure_ref", "household_ref", "measure", "installed_on", "cost",
                      "currency"])
        for n in range(0, households, 4):
            out.writerow([f"M{n}", f"H{n}", "corral", "2023-05-01", "1200.00", "USD"])
            written += 1
    start = date(2020, 1, 1)
    with (folder / "incidents.csv").open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["incident_ref", "household_ref", "occurred_on", "setting", "species",
                      "killed", "injured", "predator", "confidence"])
        n = 0
        while written < rows:
            household = rng.randrange(households)
            day = (start + timedelta(days=rng.randrange(2000))).isoformat()
            for kind in rng.sample(SPECIES, rng.randint(1, 3)):
                out.writerow([f"I{n}", f"H{household}", day, "pasture", kind,
                              rng.randint(1, 5), rng.randint(0, 2), "leopard", "probable"])
                written += 1
            n += 1
    return written


def empty(url: str) -> None:
    import psycopg

    with psycopg.connect(url) as conn:
        conn.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
        conn.execute("DELETE FROM village WHERE name LIKE 'Village %'")


def run_import(url: str, bundle: Path) -> tuple[float, float, str]:
    """Seconds, peak MiB and output of `flask import-bundle` in its own process."""
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-secret-" + "s" * 30,
           "PIN_KEY": "bench-pin-key-" + "k" * 30, "AUDIT_KEY": "b2" * 32,
           "LOG_LEVEL": "WARNING"}
    env.pop("FLASK_DEBUG", None)
    probe = ("import resource, sys\n"
             "from flask.cli import main\n"
             f"sys.argv = ['flask', '--app', 'conflict_app', 'import-bundle', {str(bundle)!r}]\n"
             "try:\n    main()\nfinally:\n"
             "    print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,"
             " file=sys.stderr)\n")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", probe], env=env, cwd=ROOT,  # noqa: S603
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(done.stdout + done.stderr)
    peak = next(int(line.split()[1]) for line in done.stderr.splitlines()
                if line.startswith("PEAK"))
    return seconds, peak / 1024, done.stdout.strip()


def raw_copy(url: str, bundle: Path) -> float:
    """The same rows loaded with COPY, ids assigned here: no checks, no lookups."""
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        areas = {name: area_id for area_id, name in conn.execute(
            "SELECT id, name FROM admin_area WHERE country_code = 'AM'")}
        village_ids: dict[tuple, int] = {}
        households: dict[str, int] = {}
        with (bundle / "households.csv").open(newline="") as fh:
            rows = list(csv.DictReader(fh))
        for row in rows:
            key = (areas[row["admin1"]], areas[row["admin2"]], row["village"])
            if key not in village_ids:
                village_ids[key] = conn.execute(
                    "INSERT INTO village (country_code, admin1_id, admin2_id, name) "
                    "VALUES ('AM', %s, %s, %s) RETURNING id", key).fetchone()[0]
        with conn.cursor().copy(
                "COPY household (id, external_ref, head_name, phone, village_id, country_code,"
                " admin1_id, admin2_id, language, latitude, longitude, created_at, "
                "provisional) FROM STDIN") as copy:
            for n, row in enumerate(rows, start=1):
                key = (areas[row["admin1"]], areas[row["admin2"]], row["village"])
                households[row["household_ref"]] = n
                copy.write_row((n, row["household_ref"], row["head_name"], row["phone"],
                                village_ids[key], "AM", key[0], key[1], row["language"],
                                row["latitude"], row["longitude"], "2026-01-01", False))
        with conn.cursor().copy("COPY herd_census (household_id, year, species, head_count)"
                                " FROM STDIN") as copy, \
                (bundle / "herds.csv").open(newline="") as fh:
            for row in csv.DictReader(fh):
                copy.write_row((households[row["household_ref"]], row["year"], row["species"],
                                row["head_count"]))
        with conn.cursor().copy(
                "COPY measure (external_ref, household_id, village_id, country_code, "
                "admin1_id, measure, installed_on, cost, currency) FROM STDIN") as copy, \
                (bundle / "measures.csv").open(newline="") as fh:
            for row in csv.DictReader(fh):
                copy.write_row((row["measure_ref"], households[row["household_ref"]], 1, "AM",
                                1, row["measure"], row["installed_on"], row["cost"],
                                row["currency"]))
        incidents: dict[str, int] = {}
        with conn.cursor().copy(
                "COPY incident (id, external_ref, household_id, occurred_on, village_id, "
                "country_code, admin1_id, setting, in_protected_area, guard_present, "
                "dog_present, measure_present, recorded_predator, recorded_confidence) "
                "FROM STDIN") as copy, (bundle / "incidents.csv").open(newline="") as fh:
            for row in csv.DictReader(fh):
                if row["incident_ref"] not in incidents:
                    incidents[row["incident_ref"]] = len(incidents) + 1
                    copy.write_row((len(incidents), row["incident_ref"],
                                    households[row["household_ref"]], row["occurred_on"], 1,
                                    "AM", 1, row["setting"], False, False, False, False,
                                    row["predator"], row["confidence"]))
        with conn.cursor().copy("COPY loss_line (incident_id, species, age_class, killed, "
                                "injured) FROM STDIN") as copy, \
                (bundle / "incidents.csv").open(newline="") as fh:
            for row in csv.DictReader(fh):
                copy.write_row((incidents[row["incident_ref"]], row["species"], "unknown",
                                row["killed"], row["injured"]))
        conn.execute("SELECT setval('incident_id_seq', (SELECT max(id) FROM incident))")
        conn.execute("SELECT setval('household_id_seq', (SELECT max(id) FROM household))")
    return time.perf_counter() - started


def prepare(url: str) -> None:
    """Migrate and load the reference geography (the provinces the bundle names)."""
    import flask_migrate

    from config import TestConfig
    from conflict_app import create_app
    from conflict_app.extensions import db
    from conflict_app.geo.reference import load_reference_geography

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(Config)
    with app.app_context():
        flask_migrate.upgrade()
        load_reference_geography()
        db.session.commit()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--large", type=int, default=400_000)
    args = parser.parse_args()
    prepare(args.url)
    tmp = Path(tempfile.mkdtemp())
    peaks = {}
    for size in (args.rows, args.large):
        bundle = tmp / f"bundle_{size}"
        rows = write_bundle(bundle, size)
        megabytes = sum(f.stat().st_size for f in bundle.iterdir()) / 2**20
        empty(args.url)
        seconds, peak, output = run_import(args.url, bundle)
        empty(args.url)
        raw = raw_copy(args.url, bundle)
        empty(args.url)
        peaks[size] = peak
        inside = float(output.rsplit(" rows in ", 1)[1].split(" s ", 1)[0])
        print(f"{rows:,} rows ({megabytes:.1f} MiB): import-bundle {rows / inside:,.0f} rows/s "
              f"({inside:.1f} s; {rows / seconds:,.0f} rows/s for the whole command with "
              f"start-up, {seconds:.1f} s), raw COPY {rows / raw:,.0f} rows/s ({raw:.1f} s); "
              f"import/raw = {raw / inside:.2f}x (whole command {raw / seconds:.2f}x); "
              f"peak memory {peak:.0f} MiB", flush=True)
        print("  " + output.replace("\n", "\n  "), flush=True)
    small, large = peaks[args.rows], peaks[args.large]
    print(f"peak memory {large:.0f} MiB at {args.large:,} rows vs {small:.0f} MiB at "
          f"{args.rows:,} rows: {large / small:.2f}x for {args.large / args.rows:.0f}x the rows")


if __name__ == "__main__":
    main()
