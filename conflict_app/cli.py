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
