"""``flask alerts ...``: a country's alert distance and rate limit, and the alert list."""

from __future__ import annotations

import click
from flask import Flask


def register(app: Flask) -> None:
    @app.cli.group("alerts")
    def alerts_group() -> None:
        """Prevention alerts to herders near verified leopard attacks."""

    @alerts_group.command("settings")
    @click.argument("country")
    @click.option("--radius-km", type=click.FloatRange(0.1, 100), required=True,
                  help="Herders of villages this close to a verified attack are told.")
    @click.option("--window-hours", type=click.IntRange(1, 720), default=24, show_default=True,
                  help="A village gets at most one alert in this many hours.")
    def settings(country: str, radius_km: float, window_hours: int) -> None:
        """Set COUNTRY's (e.g. AM) alert distance and rate limit."""
        from conflict_app.alerts import operations
        from conflict_app.extensions import db
        from conflict_app.geo.models import Country

        code = country.upper()
        if db.session.get(Country, code) is None:
            raise click.BadParameter(f"no country {code!r}", param_hint="COUNTRY")
        operations.set_settings(code, radius_km, window_hours)
        click.echo(f"{code}: alerts within {radius_km} km, at most one per village every "
                   f"{window_hours} h")

    @alerts_group.command("effect")
    @click.option("--country", default=None, help="One country (e.g. AM); default all.")
    @click.option("--weeks", type=click.Choice(["2", "4", "8"]), default="4",
                  show_default=True, help="Weeks after an alert that count as alerted.")
    @click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json",
                  show_default=True)
    def effect_command(country: str | None, weeks: str, fmt: str) -> None:
        """Attacks after an alert vs villages not yet alerted (grade C; as on the page)."""
        import csv
        import json
        import sys

        from conflict_app.alerts import effect

        class RangeWide:  # the command runs on the server itself, for the whole range
            jurisdiction_country = jurisdiction_area_id = jurisdiction_level = None

        row = effect.compare(RangeWide(), country.upper() if country else None,
                             int(weeks)).as_dict()
        if fmt == "json":
            click.echo(json.dumps(row, default=str, indent=2))
        else:
            row["caveats"] = ";".join(row["caveats"])
            writer = csv.DictWriter(sys.stdout, fieldnames=list(row))
            writer.writeheader()
            writer.writerow(row)

    @alerts_group.command("list")
    @click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
    def list_alerts(limit: int) -> None:
        """The latest alerts: when, kind, where (village or area), phones, segments."""
        from sqlalchemy import select

        from conflict_app.alerts.models import Alert
        from conflict_app.extensions import db

        for alert in db.session.scalars(select(Alert).order_by(Alert.id.desc()).limit(limit)):
            where = alert.village.name if alert.village else (
                (alert.admin2 or alert.admin1).name if (alert.admin2 or alert.admin1)
                else alert.country_code)
            click.echo(f"{alert.created_at:%Y-%m-%d %H:%M} {alert.kind.value:9} {where}: "
                       f"{alert.phones} phones, {alert.segments} segments")
