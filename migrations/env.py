"""Alembic environment, run through Flask-Migrate (`flask --app conflict_app db ...`)."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from conflict_app.core.types import UTCDateTime

config = context.config
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db
config.set_main_option(
    "sqlalchemy.url",
    target_db.engine.url.render_as_string(hide_password=False).replace("%", "%%"),
)


def render_item(type_, obj, autogen_context):
    """Migrations hold frozen, plain types: UTCDateTime is a DateTime in the database."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def compare_type(context, inspected_column, metadata_column, inspected_type, metadata_type):
    if isinstance(metadata_type, UTCDateTime):
        return not type(inspected_type).__name__.upper().startswith(("DATETIME", "TIMESTAMP"))
    return None  # default comparison


def _options():
    opts = dict(current_app.extensions["migrate"].configure_args)
    opts.setdefault("render_item", render_item)
    opts.setdefault("compare_type", compare_type)
    return opts


def run_migrations_offline():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_db.metadata,
        literal_binds=True,
        **_options(),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    opts = _options()
    opts.setdefault("process_revision_directives", process_revision_directives)
    with target_db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite's batch migrations copy a table and drop the old one; with foreign keys
            # enforced the drop fails as soon as other rows point to the table (a real
            # database with villages and households could not be upgraded). Alembic's
            # advice: switch them off for the migration and check them afterwards.
            _pragma(connection, "PRAGMA foreign_keys=OFF")
        try:
            context.configure(connection=connection, target_metadata=target_db.metadata,
                              **opts)
            with context.begin_transaction():
                context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                connection.commit()
                if broken:
                    raise RuntimeError(f"rows point to missing rows after migrating: {broken}")
        finally:
            if sqlite:
                _pragma(connection, "PRAGMA foreign_keys=ON")


def _pragma(connection, statement):
    """A pragma outside any transaction (inside one SQLite ignores foreign_keys): sent on
    the driver's connection, which the app runs in autocommit between transactions."""
    if connection.in_transaction():
        connection.commit()
    connection.connection.driver_connection.execute(statement)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
