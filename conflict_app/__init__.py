"""Pardus: case management for human–leopard conflict compensation."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import shlex
import sys
from pathlib import Path

import click
import flask_babel
from flask import Flask, g, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from conflict_app.core import data_version, sqlite
from conflict_app.core.web import has_nul_byte, is_api_request
from conflict_app.extensions import babel, csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent
sqlite.listen()  # before any engine connects, as the app's own or a script's
data_version.listen()  # every write to the figures' tables raises the data's version


def create_app(config: object | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_relative_config=True,
    )
    _configure(app, config)
    from conflict_app.core.cookies import RememberingSessionInterface

    app.session_interface = RememberingSessionInterface()
    if app.config.get("TRUSTED_PROXIES"):
        # Behind N proxies, the client is the address the Nth proxy saw; without this every
        # herder would share the proxy's address (and its rate limits).
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    # Order matters: the database first, then what builds on it (migrations, users),
    # then request-level machinery (locale, CSRF).
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    from conflict_app.i18n import select_locale, select_timezone

    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    csrf.init_app(app)
    limiter.init_app(app)

    # First among the request hooks: every request gets its id and timer, even one that a
    # later hook answers early (a redirect to sign in).
    from conflict_app.observability import logs, views

    logs.configure(app)
    views.register(app)
    _import_models()
    _connect_reactions()
    _register_blueprints(app)
    _register_request_hooks(app)
    from conflict_app.core import error_pages

    error_pages.register(app)
    _register_templates(app)
    from conflict_app.cli import register as register_cli

    register_cli(app)
    from conflict_app.jobs.cli import register as register_jobs_cli

    register_jobs_cli(app)
    from conflict_app.alerts.cli import register as register_alerts_cli

    register_alerts_cli(app)
    from conflict_app.interop.cli import register as register_interop_cli

    register_interop_cli(app)
    from conflict_app.fieldforms.cli import register as register_fieldforms_cli

    register_fieldforms_cli(app)
    if app.config.get("PARDUS_CONFIG_PROBLEM"):
        _refuse_until_configured(app, app.config["PARDUS_CONFIG_PROBLEM"])
    return app


def _refuse_until_configured(app: Flask, problem: str) -> None:
    """Commands and requests fail with the configuration problem; help still works."""

    def guard(command: click.Command) -> None:
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                if name != "translate":  # catalogues need neither database nor secrets
                    guard(sub)
        elif command.callback is not None:
            callback = command.callback

            def refused(*args: object, **kwargs: object) -> None:
                raise click.ClickException(problem)

            refused.__wrapped__ = callback  # type: ignore[attr-defined]
            command.callback = refused

    guard(app.cli)

    @app.before_request
    def not_configured():  # noqa: ANN202
        return problem, 503


def _configure(app: Flask, config: object | None) -> None:
    from config import Config

    app.config.from_object(config or Config)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(ROOT / "translations")
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    relaxed = app.debug or app.testing
    missing = [name for name, key in (("DATABASE_URL", "SQLALCHEMY_DATABASE_URI"),
                                      ("SECRET_KEY", "SECRET_KEY"))
               if not app.config.get(key)]
    if not app.config.get("PIN_KEY") and not app.config.get("PIN_KEY_FILE") and not relaxed:
        missing.append("PIN_KEY")
    if not app.config.get("AUDIT_KEY") and not app.config.get("AUDIT_KEY_FILE") and not relaxed:
        missing.append("AUDIT_KEY")
    if missing and not relaxed:
        names = ", ".join(missing[:-1]) + " and " + missing[-1] if len(missing) > 1 else missing[0]
        problem = f"{names} must be set outside debug mode"
        if click.get_current_context(silent=True) is None:
            raise RuntimeError(problem)
        # Loaded by the `flask` command: `flask --help` lists every command; each command
        # (and any request) refuses to run until the environment is configured.
        app.config["PARDUS_CONFIG_PROBLEM"] = problem
        app.config.setdefault("SQLALCHEMY_DATABASE_URI", None)
        app.config["SQLALCHEMY_DATABASE_URI"] = (app.config["SQLALCHEMY_DATABASE_URI"]
                                                 or "sqlite://")
        app.config["SECRET_KEY"] = app.config.get("SECRET_KEY") or secrets.token_hex(32)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        db_path = Path(app.instance_path) / "pardus.sqlite"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_path}"
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            # The psycopg (3) driver is the one installed; plain URLs would ask for psycopg2.
            app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + url[len(prefix):]
    if not app.config.get("SECRET_KEY"):
        # Development only: a random key kept in instance/ so sessions survive restarts.
        key_file = Path(app.instance_path) / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        app.config["SECRET_KEY"] = key_file.read_text().strip()
    from conflict_app.claims import pins

    pin_problem = pins.configure(app, relaxed)
    if pin_problem and not app.config.get("PARDUS_CONFIG_PROBLEM"):
        if click.get_current_context(silent=True) is None:
            raise RuntimeError(pin_problem)
        app.config["PARDUS_CONFIG_PROBLEM"] = pin_problem
    audit_problem = _configure_audit_key(app, relaxed)
    if audit_problem and not app.config.get("PARDUS_CONFIG_PROBLEM"):
        if click.get_current_context(silent=True) is None:
            raise RuntimeError(audit_problem)
        app.config["PARDUS_CONFIG_PROBLEM"] = audit_problem
    _check_shared_limits(app, relaxed)
    if app.debug and not app.testing:
        app.config["SESSION_COOKIE_SECURE"] = False
        app.config["REMEMBER_COOKIE_SECURE"] = False
    if not app.config.get("SMS_OUTBOX_FILE"):
        app.config["SMS_OUTBOX_FILE"] = str(Path(app.instance_path) / "sms-outbox.jsonl")
    if not app.config.get("EVIDENCE_DIR"):
        app.config["EVIDENCE_DIR"] = str(Path(app.instance_path) / "evidence")
    default = app.config["BABEL_DEFAULT_LOCALE"]
    if default != "en" and not (ROOT / "translations" / default).is_dir():
        raise RuntimeError(f"no catalogue for the default locale {default!r}")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # SQLite in a web server: wait for a writer instead of failing at once.
        opts = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        opts.setdefault("connect_args", {"timeout": 15})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = opts
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        **(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}), "hide_parameters": True}


def _configure_audit_key(app: Flask, relaxed: bool) -> str | None:
    """The audit chain's key: AUDIT_KEY, else the file AUDIT_KEY_FILE names; debug and tests
    derive one from SECRET_KEY. Returns a problem to report, if any."""
    if not app.config.get("AUDIT_KEY") and app.config.get("AUDIT_KEY_FILE"):
        try:
            app.config["AUDIT_KEY"] = Path(app.config["AUDIT_KEY_FILE"]).read_text().strip()
        except OSError:
            return f"AUDIT_KEY_FILE {app.config['AUDIT_KEY_FILE']} cannot be read"
    if not app.config.get("AUDIT_KEY"):
        if not relaxed:
            # Only reached by a `flask` command, already refused for the missing key.
            app.config["AUDIT_KEY"] = secrets.token_hex(32)
            return "AUDIT_KEY (or AUDIT_KEY_FILE) must be set outside debug mode"
        app.config["AUDIT_KEY"] = hmac.new(app.config["SECRET_KEY"].encode(),
                                           b"pardus-audit-chain", hashlib.sha256).hexdigest()
    if len(app.config["AUDIT_KEY"]) < 32:
        return "AUDIT_KEY must be at least 32 characters (e.g. 64 hex digits)"
    return None


def worker_count(environ: dict[str, str] | None = None, argv: list[str] | None = None) -> int:
    """How many server processes serve this app, as far as can be told at start-up: the
    number gunicorn.conf.py hands its workers (PARDUS_WEB_WORKERS), else WEB_CONCURRENCY
    (gunicorn's default), then -w/--workers in GUNICORN_CMD_ARGS or on the gunicorn command
    line this process was started from."""
    environ = os.environ if environ is None else environ
    argv = sys.argv if argv is None else argv
    if environ.get("PARDUS_WEB_WORKERS", "").strip().isdigit():
        return int(environ["PARDUS_WEB_WORKERS"])
    found = 1
    if environ.get("WEB_CONCURRENCY", "").strip().isdigit():
        found = int(environ["WEB_CONCURRENCY"])
    words = shlex.split(environ.get("GUNICORN_CMD_ARGS", ""))
    if argv and "gunicorn" in Path(argv[0]).name:
        words += list(argv[1:])
    for n, word in enumerate(words):
        value = None
        if word in {"-w", "--workers"} and n + 1 < len(words):
            value = words[n + 1]
        elif word.startswith("--workers="):
            value = word.split("=", 1)[1]
        elif word.startswith("-w") and word[2:].isdigit():
            value = word[2:]
        if value and value.isdigit():
            found = int(value)
    return found


def _check_shared_limits(app: Flask, relaxed: bool) -> None:
    """Rate-limit counters in one process's memory would let every extra worker multiply
    the limits: refuse that outside debug and tests."""
    uri = app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
    if relaxed or not uri.startswith("memory://") or click.get_current_context(silent=True):
        return  # a `flask` command serves no requests
    workers = worker_count()
    if workers > 1:
        raise RuntimeError(
            f"RATELIMIT_STORAGE_URI is memory:// but {workers} worker processes are "
            "configured: each would keep its own rate-limit counts. Set "
            "RATELIMIT_STORAGE_URI=redis://host:6379/0 (shared), or run one worker.")


def _import_models() -> None:
    """Import every model module so metadata (and Alembic) sees all tables."""
    import conflict_app.alerts.models
    import conflict_app.api.models
    import conflict_app.auth.models
    import conflict_app.auth.sessions
    import conflict_app.auth.throttle
    import conflict_app.bundles.models
    import conflict_app.claims.models
    import conflict_app.core.audit
    import conflict_app.documents.models
    import conflict_app.exports.models
    import conflict_app.fieldforms.models
    import conflict_app.geo.models
    import conflict_app.herders.models
    import conflict_app.interop.models
    import conflict_app.mitigation.models
    import conflict_app.notices.models
    import conflict_app.payments.models
    import conflict_app.schemes.agreement_models
    import conflict_app.schemes.fund_models
    import conflict_app.schemes.harm_models
    import conflict_app.schemes.herd_models
    import conflict_app.schemes.models
    import conflict_app.status.models
    import conflict_app.verification.committee_models
    import conflict_app.verification.models
    import conflict_app.webhooks.models  # noqa: F401


def _connect_reactions() -> None:
    """Features that react to claim, incentive, payment, import or account changes
    subscribe to ``claims.events``, ``schemes.events``, ``payments.events``,
    ``bundles.events`` and ``auth.events`` here."""
    from conflict_app.alerts import operations as alerts
    from conflict_app.api import tokens
    from conflict_app.notices import operations as notices
    from conflict_app.payments import incentives as incentive_payments
    from conflict_app.payments import reactions
    from conflict_app.webhooks import reactions as webhooks

    reactions.connect()
    incentive_payments.connect()
    notices.connect()
    tokens.connect()
    alerts.connect()
    webhooks.connect()


class _IdConverter(IntegerConverter):
    """``<int:...>`` in URLs: ids fit the database's 32-bit integers, larger ones are 404."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=2**31 - 1,  # noqa: A002, ANN001
                 signed=False) -> None:  # noqa: ANN001
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _register_blueprints(app: Flask) -> None:
    app.url_map.converters["int"] = _IdConverter
    from conflict_app.alerts import api as _alerts_api  # noqa: F401 - its routes join api_bp
    from conflict_app.alerts.views import bp as alerts_bp
    from conflict_app.analytics.views import bp as analytics_bp
    from conflict_app.api import agreement_views as _api_agreements  # noqa: F401 - joins api_bp
    from conflict_app.api import batch_views as _api_batches  # noqa: F401 - joins api_bp
    from conflict_app.api import committee_views as _api_committee  # noqa: F401 - joins api_bp
    from conflict_app.api import confirmation_views as _api_confirmations  # noqa: F401 - joins api_bp
    from conflict_app.api import document_views as _api_documents  # noqa: F401 - joins api_bp
    from conflict_app.api import enrolment_views as _api_enrolments  # noqa: F401 - joins api_bp
    from conflict_app.api import export_run_views as _api_export_runs  # noqa: F401 - joins api_bp
    from conflict_app.api import export_views as _api_exports  # noqa: F401 - joins api_bp
    from conflict_app.api import fund_views as _api_funds  # noqa: F401 - joins api_bp
    from conflict_app.api import harm_views as _api_harm  # noqa: F401 - joins api_bp
    from conflict_app.api import herd_views as api_herd_views  # noqa: F401 - joins api_bp
    from conflict_app.api import household_privacy_views as _api_privacy  # noqa: F401 - joins api_bp
    from conflict_app.api import household_views as _api_households  # noqa: F401 - joins api_bp
    from conflict_app.api import incentive_views as _api_incentives  # noqa: F401 - joins api_bp
    from conflict_app.api import incident_views as _api_incidents  # noqa: F401 - joins api_bp
    from conflict_app.api import interop_views as _api_interop  # noqa: F401 - joins api_bp
    from conflict_app.api import measure_views as _api_measures  # noqa: F401 - joins api_bp
    from conflict_app.api import payment_views as _api_payments  # noqa: F401 - joins api_bp
    from conflict_app.api import presence_views as _api_presence  # noqa: F401 - joins api_bp
    from conflict_app.api import price_views as _api_prices  # noqa: F401 - joins api_bp
    from conflict_app.api import recovery_views as _api_recoveries  # noqa: F401 - joins api_bp
    from conflict_app.api import scheme_edit_views as _api_scheme_edits  # noqa: F401 - joins api_bp
    from conflict_app.api import scheme_views as _api_schemes  # noqa: F401 - joins api_bp
    from conflict_app.api import settlement_views as _api_settlements  # noqa: F401 - joins api_bp
    from conflict_app.api import voucher_views as _api_vouchers  # noqa: F401 - joins api_bp
    from conflict_app.api import withholding_views as _api_withholdings  # noqa: F401 - joins api_bp
    from conflict_app.api.views import bp as api_bp
    from conflict_app.auth import grant_views  # noqa: F401 - its routes join admin_bp
    from conflict_app.auth.admin_views import admin_bp
    from conflict_app.auth.views import auth_bp
    from conflict_app.bundles.views import bp as imports_bp
    from conflict_app.claims import (
        harm_views,  # noqa: F401 - its routes join claims_bp
        herd_views,  # noqa: F401 - its routes join claims_bp
        report_views,  # noqa: F401 - its routes join claims_bp
        village_views,  # noqa: F401 - its routes join claims_bp
    )
    from conflict_app.claims.views import bp as claims_bp
    from conflict_app.documents.views import bp as documents_bp
    from conflict_app.exports.views import bp as exports_bp
    from conflict_app.fieldforms.views import bp as fieldforms_bp
    from conflict_app.herders.views import bp as herders_bp
    from conflict_app.i18n.webfonts import bp as webfonts_bp
    from conflict_app.notices.views import bp as notices_bp
    from conflict_app.payments.views import bp as payments_bp
    from conflict_app.schemes import (
        agreement_views,  # noqa: F401 - joins scheme_bp
        fund_views,  # noqa: F401 - joins scheme_bp
        incentive_views,  # noqa: F401 - joins scheme_bp
        insurance_views,  # noqa: F401 - joins scheme_bp
    )
    from conflict_app.schemes.views import bp as schemes_bp
    from conflict_app.schemes.views import scheme_bp
    from conflict_app.statistics.views import bp as statistics_bp
    from conflict_app.status.views import bp as status_bp
    from conflict_app.verification import committee_views  # noqa: F401 - joins verification_bp
    from conflict_app.verification.views import bp as verification_bp
    from conflict_app.webhooks.views import bp as webhooks_bp

    for blueprint in (status_bp, auth_bp, admin_bp, claims_bp, herders_bp, verification_bp,
                      schemes_bp, scheme_bp, payments_bp, analytics_bp, api_bp, exports_bp,
                      documents_bp, webfonts_bp, notices_bp, imports_bp, alerts_bp,
                      statistics_bp, webhooks_bp, fieldforms_bp):
        app.register_blueprint(blueprint)


def _register_request_hooks(app: Flask) -> None:
    from flask_babel import gettext

    from conflict_app.auth.models import User
    from conflict_app.i18n import remember_calendar

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        if not user_id.isdigit():
            return None
        from conflict_app.auth import sessions

        user = db.session.get(User, int(user_id))
        # Only while the session's row lives (sign-out, a new password, new roles or a
        # switched-off account delete it) and the account is on.
        if user is None or not user.active or not sessions.is_current(user.id):
            return None
        return user

    @app.before_request
    def require_login():  # noqa: ANN202
        """Login by default: only views marked ``@public`` are open to everybody."""
        g.csp_nonce = secrets.token_urlsafe(16)
        # The locale is chosen per request (an app context may outlive one, as in tests).
        flask_babel.refresh()
        remember_calendar()
        if request.endpoint is None:
            return None  # 404/405 are answered by the error handlers
        view = app.view_functions.get(request.endpoint)
        if getattr(view, "is_public", False) or request.endpoint == "static":
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        # Roles that move money or grant rights set up a second factor before anything else.
        if (current_user.needs_two_factor and not current_user.has_two_factor
                and request.endpoint not in {"auth.two_factor_setup", "auth.logout"}):
            return redirect(url_for("auth.two_factor_setup"))
        return None

    @app.before_request
    def refuse_nul_bytes():  # noqa: ANN202
        if not has_nul_byte(request):
            return None
        message = gettext("The input contains a character that is not allowed (a NUL "
                          "byte). Nothing was changed.")
        if is_api_request():
            from conflict_app.api.views import problem

            return problem(400, message)
        return render_template("errors/error.html", code=400, message=message), 400

    fixed_headers = (("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin"),
                     ("X-Frame-Options", "DENY"))

    @app.after_request
    def security_headers(response):  # noqa: ANN001, ANN202
        headers = response.headers
        present = {name.lower() for name, _value in headers.items()}  # one pass, not six
        if "content-security-policy" not in present:
            nonce = g.get("csp_nonce", "")
            headers.add(
                "Content-Security-Policy",
                f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; "
                "img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                "form-action 'self'; frame-ancestors 'none'",
            )
        for name, value in fixed_headers:
            if name.lower() not in present:
                headers.add(name, value)
        if request.endpoint != "static" and "cache-control" not in present:
            # Staff pages show herders' names, phones and places, the receipt a PIN: no
            # shared or back-button cache keeps them (a view may set its own policy).
            headers.add("Cache-Control", "private, no-store")
        if request.is_secure and "strict-transport-security" not in present:
            headers.add("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


def _unread_notices() -> int:
    from flask_login import current_user

    from conflict_app.notices.operations import unread_count

    if not current_user.is_authenticated:
        return 0
    return unread_count(current_user.id)


def _register_templates(app: Flask) -> None:
    from conflict_app.i18n import examples, fixed, template_helpers
    from conflict_app.i18n.labels import label
    from conflict_app.schemes import explain

    app.jinja_env.globals.update(template_helpers())
    app.jinja_env.globals["label"] = label
    app.jinja_env.globals["examples"] = examples
    app.jinja_env.filters["fixed"] = fixed
    app.jinja_env.globals["explain"] = explain.sentences
    app.jinja_env.globals["rule_label"] = explain.rule_label
    app.jinja_env.globals["csp_nonce"] = lambda: g.get("csp_nonce", "")
    app.jinja_env.globals["unread_notices"] = _unread_notices
    app.jinja_env.add_extension("jinja2.ext.do")
