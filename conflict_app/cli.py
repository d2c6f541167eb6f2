"""Flask commands: demo data and maintenance."""

from __future__ import annotations

import click
from flask import Flask


def register(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo() -> None:
        """Fill the database with demo places, users and claims in every state."""
        from conflict_app.demo import build

        for line in build():
            click.echo(line)

    @app.cli.command("load-geography")
    def load_geography() -> None:
        """Create the range states, their provinces, districts and reference villages."""
        from conflict_app.extensions import db
        from conflict_app.geo.reference import load_reference_geography

        created = load_reference_geography()
        db.session.commit()
        click.echo(", ".join(f"{k} {v}" for k, v in created.items()) + " created")

    @app.cli.command("import-aggregate")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--source", required=True, help="Name of the instance it comes from.")
    def import_aggregate_command(path: str, source: str) -> None:
        """Load another instance's aggregate CSV into the regional view."""
        from pathlib import Path

        from conflict_app.exports.aggregate import import_aggregate

        count, errors = import_aggregate(Path(path).read_text(encoding="utf-8"), source)
        for line in errors:
            click.echo(line, err=True)
        if errors:
            raise click.ClickException(f"{len(errors)} error(s): nothing was imported")
        click.echo(f"{count} aggregate rows from {source}")

    @app.cli.group("documents")
    def documents_group() -> None:
        """PDF documents: receipts, decision letters, vouchers, batch lists."""

    @documents_group.command("samples")
    @click.argument("outdir", type=click.Path(file_okay=False, writable=True))
    def documents_samples(outdir: str) -> None:
        """Render every document kind in every locale from synthetic data into OUTDIR."""
        from conflict_app.documents.fonts import MissingFont
        from conflict_app.documents.samples import samples

        try:
            written = samples(outdir)
        except MissingFont as err:
            raise click.ClickException(str(err)) from err
        click.echo(f"{len(written)} documents written to {outdir}")

    @app.cli.group("translate")
    def translate() -> None:
        """Catalogues for translators: extract, update, compile, check."""

    @translate.command("extract")
    def translate_extract() -> None:
        """Collect every marked string into translations/messages.pot."""
        from conflict_app.i18n import catalogues

        catalogues.extract()

    @translate.command("update")
    def translate_update() -> None:
        """Extract, then merge new strings into every language's catalogue."""
        from conflict_app.i18n import catalogues

        catalogues.extract()
        catalogues.update()

    @translate.command("compile")
    def translate_compile() -> None:
        """Build the .mo files the app reads (they are not kept in git)."""
        from conflict_app.i18n import catalogues

        catalogues.compile_all()

    @translate.command("check")
    def translate_check() -> None:
        """Fail when any catalogue is incomplete, fuzzy, has mismatched placeholders, or
        reads wrong: copied, wrong script, English left, RTL punctuation, dennis errors."""
        from conflict_app.i18n import catalogues, quality

        found = [p for code in catalogues.catalogue_codes() for p in catalogues.problems(code)]
        found += quality.problems(lint=quality.dennis_available())
        for line in found:
            click.echo(line)
        if found:
            raise click.ClickException(f"{len(found)} problem(s) in the catalogues")
        click.echo("All catalogues complete.")

    @app.cli.group("sms")
    def sms() -> None:
        """Text messages to herders."""

    @sms.command("dispatch")
    def sms_dispatch() -> None:
        """Send queued texts that are due (run from cron to retry failures)."""
        from conflict_app.status.notify import dispatch_due

        sent, failed = dispatch_due(limit=500)
        click.echo(f"sent {sent}, failed attempts {failed}")

    @app.cli.group("audit")
    def audit_group() -> None:
        """The append-only audit log."""

    @audit_group.command("verify")
    @click.option("--checkpoint", "checkpoint_file", type=click.Path(exists=True, dir_okay=False),
                  help="A file written by `audit checkpoint`: also find deleted newest "
                       "entries and a rebuilt chain.")
    def audit_verify(checkpoint_file: str | None) -> None:
        """Walk the hash chain; fail if any entry was altered, deleted or forged."""
        from pathlib import Path

        from conflict_app.core.audit import CheckpointError, read_checkpoints, verify_chain

        checkpoints = None
        if checkpoint_file:
            try:
                checkpoints = read_checkpoints(Path(checkpoint_file).read_text(encoding="utf-8"))
            except (CheckpointError, UnicodeDecodeError) as exc:
                raise click.ClickException(f"{checkpoint_file}: {exc}") from exc
        problems = verify_chain(checkpoints=checkpoints)
        for line in problems:
            click.echo(line)
        if problems:
            raise click.ClickException(f"audit log broken: {len(problems)} problem(s)")
        click.echo("Audit log intact.")

    @audit_group.command("reconcile")
    def audit_reconcile() -> None:
        """Find claims changed in the database directly: a state or an approved amount
        their audit history does not give them, or no history at all."""
        from conflict_app.claims.reconcile import disagreements

        found = 0
        for line in disagreements():
            click.echo(line)
            found += 1
        if found:
            raise click.ClickException(f"{found} claim(s) disagree with the audit log")
        click.echo("Audit log and claims agree: every claim is in the state its audit "
                   "history gives it, with its approved amount.")

    @audit_group.command("checkpoint")
    @click.argument("path", type=click.Path(dir_okay=False, writable=True))
    def audit_checkpoint(path: str) -> None:
        """Append the chain head's position and hash, signed, to PATH (keep it off the
        database server: another machine, write-once storage, or mail it)."""
        import json
        import os

        from conflict_app.core.audit import checkpoint

        point = checkpoint()
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as out:
            out.write(json.dumps(point, sort_keys=True) + "\n")
        click.echo(f"checkpoint at entry {point['seq']} written to {path}")

    @app.cli.group("backup")
    def backup_group() -> None:
        """Portable backups (SQLite and PostgreSQL alike)."""

    @backup_group.command("create")
    @click.argument("path", type=click.Path(dir_okay=False, writable=True))
    def backup_create(path: str) -> None:
        """Write every table and evidence photo to PATH, encrypted with BACKUP_KEY."""
        from pathlib import Path

        from conflict_app.core.backup import create
        from conflict_app.core.backup_crypto import KeyProblem

        try:
            counts = create(Path(path))
        except KeyProblem as exc:
            raise click.ClickException(str(exc)) from exc
        photos, missing = counts.pop("photos"), counts.pop("photos_missing")
        click.echo(f"{sum(counts.values())} rows in {len(counts)} tables and {photos} photos "
                   f"written to {path} (encrypted, readable by its owner only)")
        if missing:
            click.echo(f"warning: {missing} photos named in the database are missing from "
                       "EVIDENCE_DIR", err=True)

    @backup_group.command("restore")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    def backup_restore(path: str) -> None:
        """Load PATH into this empty database (a new one is migrated first)."""
        from pathlib import Path

        from sqlalchemy.exc import DBAPIError

        from conflict_app.core.backup import BackupError, restore
        from conflict_app.core.backup_crypto import KeyProblem

        try:
            counts = restore(Path(path))
        except (BackupError, KeyProblem) as exc:
            raise click.ClickException(str(exc)) from exc
        except DBAPIError as exc:
            raise click.ClickException(
                f"the database refused the restore ({type(exc.orig).__name__}); nothing "
                "was loaded") from exc
        photos = counts.pop("photos")
        click.echo(f"{sum(counts.values())} rows restored into {len(counts)} tables, "
                   f"{photos} photos")

    @app.cli.command("import-bundle")
    @click.argument("path", type=click.Path(exists=True))
    def import_bundle_command(path: str) -> None:
        """Validate a data bundle (folder or .zip) and import it, all or nothing."""
        import sys
        from pathlib import Path

        from flask_babel import gettext

        from conflict_app.bundles.importer import BundleInvalid, bundle_size, import_bundle
        from conflict_app.bundles.schema import M

        bundle = Path(path)
        with click.progressbar(length=max(bundle_size(bundle), 1), label="Importing",
                               file=sys.stderr if sys.stderr.isatty() else None) as bar:
            try:
                report = import_bundle(
                    bundle, progress=lambda done, total: bar.update(done - bar.pos))
            except BundleInvalid as exc:
                errors = exc
            else:
                errors = None
        if errors is not None:
            for problem in errors.errors:
                click.echo(str(problem), err=True)
            if errors.hidden:
                click.echo(gettext(M.MORE, count=errors.hidden), err=True)
            raise click.ClickException(
                f"{errors.total} error(s): nothing was imported")
        created = ", ".join(f"{k} {v}" for k, v in sorted(report.created.items())) or "nothing"
        unchanged = ", ".join(f"{k} {v}" for k, v in sorted(report.unchanged.items()))
        click.echo(f"created: {created}" + (f"; unchanged: {unchanged}" if unchanged else ""))
        rate = report.rows / report.seconds if report.seconds else 0
        click.echo(f"{report.rows} rows in {report.seconds:.1f} s ({rate:,.0f} rows/s)")

    @app.cli.command("import-odk")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--user", "email", required=True,
                  help="The staff account the submissions are filed as (clerk or verifier).")
    @click.option("--form", type=click.Choice(["report", "verification"]), default=None,
                  help="Which field form the export is from (default: recognised).")
    @click.option("--media", type=click.Path(exists=True, file_okay=False), default=None,
                  help="Folder of the export's photos (default: media/ beside the file).")
    def import_odk_command(path: str, email: str, form: str | None, media: str | None) -> None:
        """Import an ODK Central or KoboToolbox export (CSV or JSON) of a Pardus field form.
        Submissions already imported are skipped; each rejected one is explained."""
        from sqlalchemy import select

        from conflict_app.auth.models import User
        from conflict_app.extensions import db
        from conflict_app.fieldforms.odk import Rejected, import_file

        user = db.session.scalars(select(User).where(User.email == email.lower())).first()
        if user is None or not user.active:
            raise click.ClickException(f"no active user {email}")
        try:
            outcome = import_file(path, user, form, media)
        except (Rejected, ValueError) as exc:
            raise click.ClickException(str(exc)) from exc
        for line, iid, reason in outcome.rejected:
            column = outcome.columns.get(line, 1)
            click.echo(f"{path}:{line}:{column}: {iid}: {reason}", err=True)
        click.echo(f"imported {len(outcome.imported)}, already imported {outcome.skipped}, "
                   f"rejected {len(outcome.rejected)}")
        if outcome.rejected:
            raise SystemExit(1)

    @app.cli.group("schemes")
    def schemes_group() -> None:
        """Scheme maintenance."""

    @schemes_group.command("release-withholdings")
    def release_withholdings_command() -> None:
        """Release the withheld incentive payments whose cycle has ended (run daily)."""
        from conflict_app.schemes.incentives import release_due

        click.echo(f"released {release_due()} withholding(s)")

    @app.cli.group("forms")
    def forms_group() -> None:
        """Field forms for ODK Collect and KoboToolbox."""

    @forms_group.command("xlsform")
    @click.argument("outdir", type=click.Path(file_okay=False))
    def xlsform_command(outdir: str) -> None:
        """Write the XLSForm files (incident report, verification visit) in every language."""
        from conflict_app.fieldforms import xlsform

        for path in xlsform.build_all(outdir):
            click.echo(str(path))

    @app.cli.command("export-bundle")
    @click.argument("path", type=click.Path(file_okay=False))
    @click.option("--deidentified", is_flag=True,
                  help="Drop names, phones and IDs; coarsen coordinates to the grid.")
    def export_bundle_command(path: str, deidentified: bool) -> None:
        """Write the data as a bundle folder."""
        from pathlib import Path

        from conflict_app.bundles.exporter import export_bundle

        counts = export_bundle(Path(path), deidentified=deidentified)
        click.echo(", ".join(f"{name} {n} rows" for name, n in counts.items()))

    @app.cli.group("analytics")
    def analytics_group() -> None:
        """De-identified analytics."""

    @analytics_group.command("effectiveness")
    @click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json")
    @click.option("--country", default=None, help="ISO code; default: the whole range.")
    @click.option("--filter", "verification",
                  type=click.Choice(["confirmed_probable", "confirmed",
                                     "confirmed_probable_possible"]),
                  default="confirmed_probable")
    def analytics_effectiveness(fmt: str, country: str | None, verification: str) -> None:
        """The effectiveness table: one row per measure and design."""
        import csv
        import json
        import sys

        from conflict_app.analytics.service import COLUMNS, effectiveness_table

        table = effectiveness_table(_RangeWide(), country, verification)
        if fmt == "json":
            click.echo(json.dumps(table, indent=2, ensure_ascii=False))
            return
        writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for row in table:
            writer.writerow({**row, "caveats": ";".join(row["caveats"])})

    @analytics_group.command("landscape")
    @click.argument("path", type=click.Path(file_okay=False), required=False)
    @click.option("--remove", is_flag=True,
                  help="Delete every generated landscape (the synthetic provinces and all "
                       "in them) instead of writing one.")
    @click.option("--country", default="AM", show_default=True,
                  help="Range state whose synthetic province holds the landscape.")
    @click.option("--seed", default=1, show_default=True)
    @click.option("--villages", default=6, show_default=True)
    @click.option("--design", type=click.Choice(["self_selected", "random"]),
                  default="self_selected", show_default=True,
                  help="random: a randomised roll-out; self_selected: households adopt "
                       "measures after a bad year.")
    @click.option("--unit", type=click.Choice(["household", "village"]), default="household",
                  show_default=True, help="What a randomised roll-out assigns.")
    @click.option("--measures", "effects", default="corral=0.3,guard_dog=0.6,light=1.0",
                  show_default=True, help="Measures and their true IRRs (1.0: no effect).")
    @click.option("--years", default=4, show_default=True)
    @click.option("--removal", default=0.1, show_default=True,
                  help="Share of measures removed 6–24 months after installation.")
    @click.option("--trend", default=0.0, show_default=True,
                  help="Yearly change in leopard numbers (0.1 = 10 % more attacks a year).")
    def analytics_landscape(path: str | None, remove: bool, country: str, seed: int,
                            villages: int, design: str, unit: str, effects: str, years: int,
                            removal: float, trend: float) -> None:
        """Write a synthetic landscape with known effects as a data bundle.

        Its households live in the country's synthetic province (created here, never
        offered to the public); import the bundle with import-bundle, and delete every
        landscape with --remove.
        """
        from pathlib import Path

        from conflict_app.analytics import synthetic
        from conflict_app.extensions import db

        if remove:
            try:
                removed = synthetic.remove_all()
            except synthetic.InUse as err:
                db.session.rollback()
                raise click.ClickException(
                    "real records (claims, schemes or staff jurisdictions) refer to the "
                    "synthetic provinces; nothing was removed") from err
            db.session.commit()
            click.echo(", ".join(f"{name} {n} rows" for name, n in removed.items())
                       if removed else "no synthetic landscapes")
            return
        if not path:
            raise click.UsageError("give the folder to write the bundle to, or --remove")
        from conflict_app.analytics.landscape import generate
        from conflict_app.bundles.writer import write_rows

        try:
            measures = {name.strip(): float(irr) for name, irr in
                        (part.split("=") for part in effects.split(",") if part.strip())}
        except ValueError as err:
            raise click.BadParameter("write measure=IRR pairs, e.g. corral=0.3,light=1.0",
                                     param_hint="--measures") from err
        from conflict_app.analytics.panel import STRATUM

        if not measures or any(m not in STRATUM or irr <= 0 for m, irr in measures.items()):
            raise click.BadParameter(f"measures are {', '.join(sorted(STRATUM))}, each with "
                                     "an IRR above 0", param_hint="--measures")
        try:
            area = synthetic.ensure_area(country.upper())
        except ValueError as err:
            raise click.BadParameter(str(err), param_hint="--country") from err
        db.session.commit()
        land = generate(seed, villages=villages, design=design, unit=unit, measures=measures,
                        years=years, removal=removal, trend=trend, country=area.country_code,
                        admin1=area.name)
        counts = write_rows(Path(path), households=land.households, herds=land.herds,
                            measures=land.measures, incidents=land.incidents)
        click.echo(", ".join(f"{name} {n} rows" for name, n in counts.items())
                   + f"; true IRRs: {land.true_irr}; province: {area.name} "
                   f"({area.country_code})")

    @app.cli.group("privacy")
    def privacy_group() -> None:
        """Personal data of herders."""

    @privacy_group.command("purge")
    def privacy_purge() -> None:
        """Erase households whose claims were all settled before the retention period."""
        from conflict_app.herders.privacy import purge_expired

        click.echo(f"{purge_expired()} household(s) erased")


class _RangeWide:
    """The command line acts for the whole range (it runs on the server itself)."""

    jurisdiction_country = None
    jurisdiction_area_id = None
    jurisdiction_level = None
