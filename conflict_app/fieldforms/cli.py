"""``flask fieldforms ...``: pull field form submissions from ODK Central or KoboToolbox now,
and list the sources with where each stopped."""

from __future__ import annotations

import click
from flask import Flask


def register(app: Flask) -> None:
    @app.cli.group("fieldforms")
    def fieldforms_group() -> None:
        """Field form submissions pulled from ODK Central and KoboToolbox."""

    @fieldforms_group.command("sync")
    @click.option("--source", "source_id", type=int, default=None,
                  help="Pull only this source (its number on the sources page).")
    def sync_command(source_id: int | None) -> None:
        """Pull new submissions of every active source (or one) now, in this process."""
        from sqlalchemy import select

        from conflict_app.extensions import db
        from conflict_app.fieldforms.models import SyncSource
        from conflict_app.fieldforms.sync import sync_source

        query = select(SyncSource).where(SyncSource.active.is_(True)).order_by(SyncSource.id)
        if source_id is not None:
            query = select(SyncSource).where(SyncSource.id == source_id)
        sources = [(s.id, s.name) for s in db.session.scalars(query)]
        db.session.commit()
        if source_id is not None and not sources:
            raise click.ClickException(f"no source {source_id}")
        failed = False
        for number, name in sources:
            summary = sync_source(number)
            failed = failed or "error" in summary
            click.echo(f"{number} {name}: {summary}")
        if failed:
            raise SystemExit(1)

    @fieldforms_group.command("sources")
    def sources_command() -> None:
        """The sync sources, where each stopped and its last error."""
        from sqlalchemy import select

        from conflict_app.extensions import db
        from conflict_app.fieldforms.models import SyncSource

        for s in db.session.scalars(select(SyncSource).order_by(SyncSource.id)):
            state = "on" if s.active else "off"
            click.echo(f"{s.id} {s.name} [{s.platform.value}, {s.form_kind.value}, {state}] "
                       f"{s.server_url} form {s.form_id} cursor {s.cursor or '-'} "
                       f"last error {s.last_error or '-'}")
