"""Test fixtures: one schema per run (built by the migrations), each test in a transaction
that is rolled back, and a small world of places, users and prices.

Set TEST_DATABASE_URL=postgresql://... to run the same suite on PostgreSQL.
"""

from __future__ import annotations

import os
import re
from datetime import date
from decimal import Decimal

import flask_migrate
import pyotp
import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FSASession
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from config import TestConfig
from conflict_app import create_app
from conflict_app.auth.models import User
from conflict_app.core import clock
from conflict_app.core.permissions import Role
from conflict_app.extensions import db, limiter
from conflict_app.geo.models import AdminArea, Country, Village
from conflict_app.schemes.models import MarketPrice

PASSWORD = "correct horse battery staple"


def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


def reset_schema(engine) -> None:
    """Start from an empty database so the migrations build everything."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))


class RequestClient(FlaskClient):
    """Each request gets its own app context, as in production, even while the test holds
    one open for its own database work (otherwise ``g`` and the signed-in user would leak
    from one request, or one test client, to the next)."""

    def open(self, *args, **kwargs):
        # Streamed bodies are read while the request's own context is current.
        kwargs.setdefault("buffered", True)
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)


def compile_catalogues() -> None:
    """The .mo files are built, not kept in git: build them once per run."""
    from conflict_app.i18n import catalogues

    if any(catalogues.TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")):
        catalogues.compile_all(quiet=True)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    compile_catalogues()
    url = database_url(tmp_path_factory)
    evidence = tmp_path_factory.mktemp("evidence")

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        EVIDENCE_DIR = str(evidence)

    application = create_app(Config)
    application.test_client_class = RequestClient
    with application.app_context():
        reset_schema(db.engine)
        flask_migrate.upgrade()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _transaction(request, app):
    """Run each test inside an outer transaction that is rolled back afterwards.

    Tests marked ``committed`` (threads need to see each other's commits) run for real and
    empty the tables afterwards instead.
    """
    clock.freeze(None)
    limiter.reset()  # rate-limit counters are per test, not per run
    if request.node.get_closest_marker("committed"):
        with app.app_context():
            yield
            db.session.remove()
            _truncate_all()
        return
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {"bind": connection, "class_": _BoundSession,
             "join_transaction_mode": "create_savepoint"}
        )
        try:
            yield
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()
            clock.freeze(None)


class _BoundSession(FSASession):
    """Flask-SQLAlchemy's session picks the engine itself; tests need the open connection."""

    def get_bind(self, *args, **kwargs):
        return self.bind


def _truncate_all() -> None:
    # The data's version stays and goes up: emptied tables are a change like any other, and
    # a version seen before them must not be seen again with other data.
    tables = [t.name for t in reversed(db.metadata.sorted_tables) if t.name != "data_version"]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            quoted = ", ".join(f'"{t}"' for t in tables)
            conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))
        conn.execute(text("UPDATE data_version SET version = version + 1"))  # if there is one


class World:
    """Two countries, two provinces of Armenia with a district each, villages, staff."""

    def __init__(self) -> None:
        am = Country(code="AM", name="Armenia", currency="AMD", default_locale="hy")
        ge = Country(code="GE", name="Georgia", currency="GEL", default_locale="ka")
        db.session.add_all([am, ge])
        self.syunik = AdminArea(country_code="AM", level=1, name="Syunik", region="caucasus")
        self.vayots = AdminArea(country_code="AM", level=1, name="Vayots Dzor",
                                region="caucasus")
        self.kakheti = AdminArea(country_code="GE", level=1, name="Kakheti", region="caucasus")
        db.session.add_all([self.syunik, self.vayots, self.kakheti])
        db.session.flush()
        self.meghri = AdminArea(country_code="AM", level=2, name="Meghri", parent=self.syunik)
        self.kapan = AdminArea(country_code="AM", level=2, name="Kapan", parent=self.syunik)
        db.session.add_all([self.meghri, self.kapan])
        db.session.flush()
        self.shvanidzor = Village(country_code="AM", admin1_id=self.syunik.id,
                                  admin2_id=self.meghri.id, name="Shvanidzor",
                                  latitude=Decimal("38.9480"), longitude=Decimal("46.3420"))
        self.shikahogh = Village(country_code="AM", admin1_id=self.syunik.id,
                                 admin2_id=self.kapan.id, name="Shikahogh",
                                 latitude=Decimal("39.1000"), longitude=Decimal("46.4800"),
                                 protected_area="Shikahogh State Reserve")
        self.gndevaz = Village(country_code="AM", admin1_id=self.vayots.id, name="Gndevaz",
                               latitude=Decimal("39.7580"), longitude=Decimal("45.6120"))
        self.samreklo = Village(country_code="GE", admin1_id=self.kakheti.id, name="Samreklo",
                                latitude=Decimal("41.3700"), longitude=Decimal("46.1300"))
        db.session.add_all([self.shvanidzor, self.shikahogh, self.gndevaz, self.samreklo])
        db.session.flush()
        s = self.syunik.id
        self.clerk = self.user("clerk@am.test", {Role.CLERK}, "AM", s)
        self.supervisor = self.user("supervisor@am.test", {Role.SUPERVISOR}, "AM", s)
        self.verifier = self.user("verifier@am.test", {Role.VERIFIER}, "AM", s)
        self.approver = self.user("approver@am.test", {Role.APPROVER}, "AM", s)
        self.approver2 = self.user("approver2@am.test", {Role.APPROVER}, "AM", s)
        self.finance = self.user("finance@am.test", {Role.FINANCE}, "AM", s)
        self.manager = self.user("manager@am.test", {Role.SCHEME_MANAGER}, "AM")
        self.analyst = self.user("analyst@am.test", {Role.ANALYST}, "AM")
        self.admin = self.user("admin@pardus.test", {Role.ADMIN}, None)
        self.other_clerk = self.user("clerk@vayots.test", {Role.CLERK, Role.SUPERVISOR},
                                     "AM", self.vayots.id)
        self.ge_clerk = self.user("clerk@ge.test", {Role.CLERK}, "GE")
        for species, age, amount in (
            ("sheep", "adult_female", "60000"), ("sheep", "adult_male", "70000"),
            ("sheep", "young", "30000"), ("goat", "adult_female", "50000"),
            ("goat", "young", "25000"), ("cattle", "adult_female", "450000"),
            ("cattle", "young", "200000"), ("horse", "adult_male", "600000"),
        ):
            db.session.add(MarketPrice(country_code="AM", species=species, age_class=age,
                                       amount=Decimal(amount), currency="AMD",
                                       valid_from=date(2020, 1, 1)))
        db.session.flush()

    def user(self, email, roles, country=None, area_id=None) -> User:
        user = User(email=email, name=email.split("@")[0].title(), locale="en",
                    jurisdiction_country=country, jurisdiction_area_id=area_id)
        user.set_password(PASSWORD, method=TestConfig.PASSWORD_HASH_METHOD)
        user.set_roles(set(roles))
        if user.needs_two_factor:
            user.totp_secret = pyotp.random_base32()
            user.totp_confirmed_at = clock.now()
        db.session.add(user)
        db.session.flush()
        return user


@pytest.fixture
def world(app) -> World:
    return World()


@pytest.fixture
def scratch_app(tmp_path):
    """An app on a database of its own, empty, so migrations start from nothing."""
    base = os.environ.get("TEST_DATABASE_URL")
    if base and base.startswith("postgres"):
        url = make_url(base.replace("postgresql://", "postgresql+psycopg://", 1)
                       if base.startswith("postgresql://") else base)
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        name = f"pardus_scratch_{os.getpid()}"
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


_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, page: str = "/login") -> str:
    html = client.get(page).get_data(as_text=True)
    match = _TOKEN.search(html)
    assert match, f"no CSRF token on {page}"
    return match.group(1)


def totp_code(user, own_connection: bool = False) -> str:
    """The code the user's authenticator app shows, as a person would enter it: a code is
    accepted once, so after one was used this waits for the next time step (as a person
    waits for the app to show a new code)."""
    import time

    from sqlalchemy import select

    query = select(User.totp_secret, User.totp_last_step).where(User.id == user.id)
    if own_connection:  # a live server's test: hold no lock once read
        with db.engine.connect() as conn:
            secret, last = conn.execute(query).one()
    else:
        secret, last = db.session.execute(query).one()
    totp = pyotp.TOTP(secret)
    while True:
        now = int(time.time()) // totp.interval
        # The current step, else the next one (accepted as clock drift).
        for step in (now, now + 1):
            if last is None or step > last:
                return totp.generate_otp(step)
        time.sleep(max(0.05, (now + 1) * totp.interval - time.time() + 0.05))


class Browser:
    """A test client that signs in and sends the CSRF token like a browser would."""

    def __init__(self, client) -> None:
        self.client = client
        self.token: str | None = None

    def login(self, user: User, password: str = PASSWORD):
        token = csrf_token(self.client, "/login")
        response = self.client.post(
            "/login", data={"email": user.email, "password": password, "csrf_token": token}
        )
        if response.status_code == 302 and response.headers["Location"].endswith("/login/code"):
            # The second factor, as the user's authenticator app would give it.
            response = self.client.post("/login/code", data={
                "code": totp_code(user),
                "csrf_token": csrf_token(self.client, "/login/code")})
        self.token = None
        return response

    def get(self, url: str, **kw):
        return self.client.get(url, **kw)

    def post(self, url: str, data: dict | None = None, **kw):
        if self.token is None:
            self.token = csrf_token(self.client, "/queue")
        payload = dict(data or {})
        payload.setdefault("csrf_token", self.token)
        return self.client.post(url, data=payload, **kw)


@pytest.fixture
def browser(app):
    return Browser(app.test_client())


@pytest.fixture
def browser_for(app):
    def make(user: User) -> Browser:
        b = Browser(app.test_client())
        response = b.login(user)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return b

    return make


# -- Browser tests (tests/browser_support.py) ------------------------------------------------


@pytest.fixture(scope="session")
def chromium_browser():
    from tests import browser_support as bs

    bs.require_tools()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = bs.chromium(p)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def live(app, chromium_browser):
    from tests import browser_support as bs

    server = bs.LiveServer(app)
    yield server
    server.stop()


@pytest.fixture
def world_committed(app):
    """The test world, committed for a live server to see (tests marked ``committed``)."""
    from tests import browser_support as bs

    world = World()
    db.session.commit()
    snap = bs.snapshot(world)
    db.session.remove()
    return snap


@pytest.fixture
def visit(tmp_path):
    from tests import browser_support as bs

    return bs.Visit(outdir=tmp_path)


# The scheme world of tests/scheme_data.py (compensation, insurance and incentive schemes with
# claims at every payment step) and an API client for it, shared by the scheme, payment,
# batch, document and export API tests; a module may define its own ``api`` instead.
@pytest.fixture
def built(world):
    from conflict_app.core import clock
    from tests import scheme_data

    try:
        yield scheme_data.build(world)
    finally:
        clock.freeze(None)


@pytest.fixture
def api(app):
    from tests import scheme_data

    return lambda user, scopes=None: scheme_data.client(app, user, scopes)
