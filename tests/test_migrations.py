"""Migrations: one head, the schema they build equals the models, and every revision goes
down and up again, on the database the suite runs on (SQLite or PostgreSQL)."""

from __future__ import annotations

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from conflict_app import ROOT
from conflict_app.extensions import db


def test_there_is_one_head():
    config = flask_migrate.Config(str(ROOT / "migrations" / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_upgrade_builds_the_models_and_downgrade_reverses_it(scratch_app):
    with scratch_app.app_context():
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={
                    "compare_type": True,
                    "render_item": None,
                }),
                db.metadata,
            )
        assert diff == [], diff
        flask_migrate.downgrade(revision="base")
        leftover = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert leftover == set()
        flask_migrate.upgrade()
        assert "claim" in inspect(db.engine).get_table_names()
