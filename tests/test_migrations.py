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


def test_existing_places_and_countries_get_their_own_language(scratch_app):
    """An installation from before: its reference places get their local names, and
    Tajikistan and Uzbekistan (created when only Russian was offered for them) now default
    to Tajik and Uzbek."""
    from sqlalchemy import text

    with scratch_app.app_context():
        flask_migrate.upgrade(revision="0025_conservation_agreements")
        with db.engine.begin() as conn:
            for code, name, currency in (("AM", "Armenia", "AMD"), ("TJ", "Tajikistan", "TJS"),
                                         ("UZ", "Uzbekistan", "UZS")):
                conn.execute(text("INSERT INTO country (code, name, currency, default_locale)"
                                  " VALUES (:c, :n, :cur, :loc)"),
                             {"c": code, "n": name, "cur": currency,
                              "loc": "hy" if code == "AM" else "ru"})
            conn.execute(text("INSERT INTO admin_area (country_code, level, name, synthetic)"
                              " VALUES ('AM', 1, 'Syunik', false)"))
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            locales = dict(conn.execute(text("SELECT code, default_locale FROM country")).all())
            local = conn.execute(text("SELECT local_name FROM admin_area")).scalar_one()
        assert locales == {"AM": "hy", "TJ": "tg", "UZ": "uz"}
        assert local == "Սյունիք"


def test_an_approved_claim_without_its_amount_stops_the_upgrade_by_name(scratch_app, capfd):
    """No amount is made up for a claim written by hand without one: the upgrade names it
    and changes nothing, and goes through once the office has set the amount."""
    import pytest
    from sqlalchemy import text

    from tests import helpers
    from tests.conftest import World, _BoundSession

    with scratch_app.app_context():
        flask_migrate.upgrade(revision="0039_incident_verdict")
        # The suite's session is bound to the main test database: this one writes here.
        connection = db.engine.connect()
        outer = connection.begin()
        suite_session = db.session
        db.session = db._make_scoped_session({"bind": connection, "class_": _BoundSession,
                                              "join_transaction_mode": "create_savepoint"})
        try:
            claim = helpers.approved(World())
            reference = claim.reference
            db.session.execute(text("UPDATE claim SET amount_approved = NULL WHERE id = :i"),
                               {"i": claim.id})
            db.session.commit()
            outer.commit()
        finally:
            db.session.remove()
            db.session = suite_session
            connection.close()

        def version() -> str:
            with db.engine.connect() as conn:
                return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()

        with pytest.raises(SystemExit):  # how the upgrade command ends on an error
            flask_migrate.upgrade()
        assert f"without an approved amount: {reference}" in "".join(capfd.readouterr())
        assert version() == "0039_incident_verdict"
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE claim SET amount_approved = 120000"))
        flask_migrate.upgrade()
        assert version() == "0040_decided_amount"
