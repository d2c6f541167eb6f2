"""Migrations: one head, the schema they build equals the models, and every revision goes
down and up again, on the database the suite runs on (SQLite or PostgreSQL)."""

from __future__ import annotations

import os

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from config import TestConfig
from conflict_app import ROOT, create_app
from conflict_app.extensions import db


@pytest.fixture
def scratch_app(tmp_path):
    """An app on a database of its own, empty, so migrations start from nothing."""
    base = os.environ.get("TEST_DATABASE_URL")
    if base and base.startswith("postgres"):
        url = make_url(base.replace("postgresql://", "postgresql+psycopg://", 1)
                       if base.startswith("postgresql://") else base)
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        name = "pardus_migration_check"
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        target = url.set(database=name).render_as_string(hide_password=False)
    else:
        target = f"sqlite:///{tmp_path / 'migrations.sqlite'}"

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = target

    application = create_app(Config)
    yield application
    with application.app_context():
        db.engine.dispose()


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
