"""``flask interop ...``: verified attacks out to EarthRanger and SMART, leopard observations
in from them as presence records."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import Flask


def _user(email: str):  # noqa: ANN202
    from sqlalchemy import select

    from conflict_app.auth.models import User
    from conflict_app.extensions import db

    user = db.session.scalars(select(User).where(User.email == email.lower())).first()
    if user is None or not user.active:
        raise click.ClickException(f"no active user {email}")
    return user


def _attacks(target: str, since: date | None, until: date | None):  # noqa: ANN202
    from conflict_app.interop.attacks import trusted, verified_attacks

    # The command runs on the server for the whole range; the configuration alone decides
    # whether this receiving system may have exact points.
    return verified_attacks(exact=trusted(target), occurred_from=since, occurred_to=until)


def _dates(function):  # noqa: ANN001, ANN202
    function = click.option("--from", "since", type=click.DateTime(["%Y-%m-%d"]),
                            default=None, help="Attacks on or after this day.")(function)
    return click.option("--to", "until", type=click.DateTime(["%Y-%m-%d"]), default=None,
                        help="Attacks on or before this day.")(function)


def _day(value):  # noqa: ANN001, ANN202
    return value.date() if value else None


def register(app: Flask) -> None:
    @app.cli.group("interop")
    def interop_group() -> None:
        """Exchange with EarthRanger and SMART (docs/interop.md)."""

    @interop_group.command("export-earthranger")
    @click.argument("path", type=click.Path(dir_okay=False, allow_dash=True))
    @_dates
    def export_earthranger(path: str, since, until) -> None:  # noqa: ANN001
        """Write verified leopard attacks as a JSON array of EarthRanger event bodies (one
        POST /api/v1.0/activity/events each) to PATH ('-': standard output)."""
        from conflict_app.interop import earthranger

        with click.open_file(path, "w", encoding="utf-8") as out:
            count = earthranger.write_events(
                _attacks("earthranger", _day(since), _day(until)), out)
        click.echo(f"{count} event(s)", err=True)

    @interop_group.command("export-smart")
    @click.argument("path", type=click.Path(allow_dash=True))
    @click.option("--format", "fmt", type=click.Choice(["xml", "csv"]), default="xml",
                  show_default=True,
                  help="xml: one independent-incident file per attack in the folder PATH; "
                       "csv: one observation table.")
    @_dates
    def export_smart(path: str, fmt: str, since, until) -> None:  # noqa: ANN001
        """Write verified leopard attacks for SMART desktop or SMART Connect."""
        from conflict_app.interop import smart

        attacks = _attacks("smart", _day(since), _day(until))
        if fmt == "csv":
            with click.open_file(path, "w", encoding="utf-8") as out:
                written, left_out = smart.write_csv(attacks, out)
        else:
            folder = Path(path)
            folder.mkdir(parents=True, exist_ok=True)
            written = left_out = 0
            for attack in attacks:
                if attack.latitude is None:
                    left_out += 1
                    continue
                safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in attack.ref)
                (folder / f"{safe}.xml").write_bytes(smart.waypoint(attack))
                written += 1
        click.echo(f"{written} observation(s); {left_out} without any place left out",
                   err=True)

    def _import(path: str, email: str, scheme_id: int, kind: str, source: str,
                fmt: str) -> None:
        from conflict_app.core.errors import DomainError
        from conflict_app.interop.imports import import_sightings, max_bytes

        file = Path(path)
        if file.stat().st_size > max_bytes():
            raise click.ClickException(
                f"{path}: larger than {max_bytes() // (1024 * 1024)} MB; split it")
        try:
            report = import_sightings(_user(email), scheme_id, source, fmt,
                                      file.read_bytes(), kind)
        except DomainError as err:
            raise click.ClickException(err.translated()) from err
        for rejection in report.rejected:
            label = f"{rejection.source_id}: " if rejection.source_id else ""
            click.echo(f"{path}:{rejection.line}: {label}{rejection.reason}", err=True)
        click.echo(f"imported {len(report.imported)}, already imported {report.already}, "
                   f"rejected {len(report.rejected)}")
        if report.rejected:
            raise SystemExit(1)

    def _import_options(function):  # noqa: ANN001, ANN202
        function = click.argument("path", type=click.Path(exists=True, dir_okay=False))(
            function)
        function = click.option("--user", "email", required=True,
                                help="The verifier or scheme manager the records are "
                                     "filed as.")(function)
        function = click.option("--scheme", "scheme_id", type=int, required=True,
                                help="The incentive scheme's id.")(function)
        return click.option("--kind", type=click.Choice(["occasional", "regular",
                                                         "reproduction"]),
                            default="occasional", show_default=True,
                            help="What the observations show.")(function)

    @interop_group.command("import-earthranger")
    @_import_options
    def import_earthranger(path: str, email: str, scheme_id: int, kind: str) -> None:
        """Import EarthRanger events or observations (JSON) that name a leopard as presence
        records; each source id once; every rejected row explained."""
        _import(path, email, scheme_id, kind, "earthranger", "json")

    @interop_group.command("import-smart")
    @_import_options
    @click.option("--format", "fmt", type=click.Choice(["xml", "csv"]), default=None,
                  help="Default: from the file name.")
    def import_smart(path: str, email: str, scheme_id: int, kind: str,
                     fmt: str | None) -> None:
        """Import SMART observations (XML or CSV) that name a leopard as presence records."""
        fmt = fmt or ("csv" if path.lower().endswith(".csv") else "xml")
        _import(path, email, scheme_id, kind, "smart", fmt)
