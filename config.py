"""Configuration, read from environment variables.

Every value that differs between machines comes from the environment; nothing secret has a
default. ``create_app`` refuses to start outside debug/testing without ``SECRET_KEY`` and
``DATABASE_URL`` (see ``conflict_app.create_app``).
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from decimal import Decimal


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # None means "SQLite under instance/", decided in create_app once instance_path is known.
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    # hide_parameters: a database error in the log never shows names or phones.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}

    # Uploads: a photo larger than this is refused before it is read into memory.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 12 * 1024 * 1024))
    MAX_PHOTO_BYTES = int(os.environ.get("MAX_PHOTO_BYTES", 8 * 1024 * 1024))
    # A data bundle, uncompressed, per file and in total (zip bombs stop here).
    BUNDLE_MAX_BYTES = int(os.environ.get("BUNDLE_MAX_BYTES", 1 << 30))
    # Evidence lives outside the web root; None means instance/evidence.
    EVIDENCE_DIR = os.environ.get("EVIDENCE_DIR")

    BABEL_DEFAULT_LOCALE = os.environ.get("DEFAULT_LOCALE", "en")
    BABEL_DEFAULT_TIMEZONE = os.environ.get("DEFAULT_TIMEZONE", "UTC")
    # "native": Arabic-script locales show their own digits; "latin": 0-9 everywhere.
    DIGITS = os.environ.get("DIGITS", "latin")

    # The audit chain's HMAC key, kept outside the database (AUDIT_KEY, or a file named by
    # AUDIT_KEY_FILE). Someone who can write to the database but lacks it cannot rewrite
    # or forge audit entries unnoticed. Production refuses to start without it.
    AUDIT_KEY = os.environ.get("AUDIT_KEY")
    AUDIT_KEY_FILE = os.environ.get("AUDIT_KEY_FILE")
    # Backups are encrypted with this key (BACKUP_KEY, or the file BACKUP_KEY_FILE names),
    # kept with the server's secrets and never beside the backups.
    BACKUP_KEY = os.environ.get("BACKUP_KEY")
    BACKUP_KEY_FILE = os.environ.get("BACKUP_KEY_FILE")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=int(os.environ.get("SESSION_HOURS", 8)))

    # Claim rules that are configuration, not code (PRODUCT.md §2 defaults).
    REPORT_WITHIN_HOURS = int(os.environ.get("REPORT_WITHIN_HOURS", 72))
    REPORT_CUTOFF_DAYS = int(os.environ.get("REPORT_CUTOFF_DAYS", 15))
    SCREENING_WITHIN_HOURS = int(os.environ.get("SCREENING_WITHIN_HOURS", 24))
    VERIFICATION_WITHIN_HOURS = int(os.environ.get("VERIFICATION_WITHIN_HOURS", 48))
    DECISION_WITHIN_DAYS = int(os.environ.get("DECISION_WITHIN_DAYS", 30))
    APPEAL_WITHIN_DAYS = int(os.environ.get("APPEAL_WITHIN_DAYS", 30))
    # A paid claim closes by itself this many days after its appeal period ends (a daily
    # job); empty: paid claims are closed by hand only.
    _close_after = os.environ.get("CLOSE_PAID_AFTER_APPEAL_DAYS", "0").strip()
    CLOSE_PAID_AFTER_APPEAL_DAYS = int(_close_after) if _close_after else None
    # Staff digests of unread notices by e-mail: the SMTP relay and sender (empty: e-mail
    # digests are not sent; SMS digests use the SMS gateway).
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 25))
    MAIL_FROM = os.environ.get("MAIL_FROM", "")
    DUPLICATE_WINDOW_DAYS = int(os.environ.get("DUPLICATE_WINDOW_DAYS", 2))
    DUPLICATE_DISTANCE_KM = float(os.environ.get("DUPLICATE_DISTANCE_KM", 3))
    # Exchange with EarthRanger and SMART (docs/interop.md). Exports carry exact coordinates
    # only to the systems named here ("earthranger", "smart"); every other export puts an
    # attack at the centre of its 0.1 degree cell.
    INTEROP_TRUSTED_TARGETS = frozenset(
        t.strip().lower() for t in os.environ.get("INTEROP_TRUSTED_TARGETS", "").split(",")
        if t.strip())
    INTEROP_EARTHRANGER_EVENT_TYPE = os.environ.get("INTEROP_EARTHRANGER_EVENT_TYPE", "hwc_rep")
    # The receiving Conservation Area's data model keys (category, attributes), when they
    # differ from SMART's default model; see interop/smart.py DEFAULT_KEYS.
    INTEROP_SMART_KEYS: dict[str, str] = {}
    # An imported sighting counts for the nearest village of the scheme within this distance.
    INTEROP_VILLAGE_RADIUS_KM = float(os.environ.get("INTEROP_VILLAGE_RADIUS_KM", 15))
    INTEROP_MAX_BYTES = int(os.environ.get("INTEROP_MAX_BYTES", 5 * 1024 * 1024))
    # Above this amount (claim currency) two distinct approvers are needed. Values are in
    # the national currency, roughly 500 USD each; an unlisted currency uses "default".
    SECOND_APPROVAL_ABOVE = {
        "default": Decimal("500"),
        "USD": Decimal("500"),
        "EUR": Decimal("500"),
        "AMD": Decimal("200000"),
        "AZN": Decimal("850"),
        "GEL": Decimal("1400"),
        "IRR": Decimal("300000000"),
        "TRY": Decimal("20000"),
        "KZT": Decimal("250000"),
        "AFN": Decimal("35000"),
        "PKR": Decimal("140000"),
        "TMT": Decimal("1750"),
        "RUB": Decimal("45000"),
        "IQD": Decimal("650000"),
        "UZS": Decimal("6300000"),
        "TJS": Decimal("5400"),
    }
    # Core valuation defaults (the scheme engine replaces them per scheme).
    SHARE_OF_VALUE = Decimal(os.environ.get("SHARE_OF_VALUE", "0.75"))
    INJURED_SHARE = Decimal(os.environ.get("INJURED_SHARE", "0.25"))
    RATE_BY_CONFIDENCE = {
        "confirmed": Decimal("1.00"),
        "probable": Decimal("0.75"),
        "possible": Decimal("0"),
        "not_leopard": Decimal("0"),
        "unknown": Decimal("0"),
    }
    ELIGIBLE_PREDATORS = ("leopard",)

    PAGE_SIZE = 25

    # SMS: "console" writes each text to SMS_OUTBOX_FILE (default instance/sms-outbox.jsonl);
    # "http" posts to a provider. Inbound texts must carry SMS_INBOUND_SECRET.
    SMS_GATEWAY = os.environ.get("SMS_GATEWAY", "console")
    SMS_OUTBOX_FILE = os.environ.get("SMS_OUTBOX_FILE")
    SMS_HTTP_URL = os.environ.get("SMS_HTTP_URL")
    SMS_HTTP_TOKEN = os.environ.get("SMS_HTTP_TOKEN")
    SMS_INBOUND_SECRET = os.environ.get("SMS_INBOUND_SECRET")
    # Background jobs: RQ on this Redis when set; without it jobs run in-process after the
    # commit that queued them (the embedded default).
    REDIS_URL = os.environ.get("REDIS_URL")
    # A batch with more vouchers than this has them prepared by a job (about 5 ms of CPU
    # each); fewer download at once.
    VOUCHERS_IN_REQUEST = int(os.environ.get("VOUCHERS_IN_REQUEST", 60))
    # A confirmation file with more lines than this is recorded by a job (about 10 ms a
    # line); shorter ones at once.
    CONFIRMATIONS_IN_REQUEST = int(os.environ.get("CONFIRMATIONS_IN_REQUEST", 100))
    # A claims or payments export of more rows than this is written by a job (a spreadsheet
    # takes about 0.25 ms a row, a CSV 0.03 ms); smaller ones download at once.
    EXPORT_ROWS_IN_REQUEST = int(os.environ.get("EXPORT_ROWS_IN_REQUEST", 10_000))
    # A dry run values every claim of its period again in the request (a few statements
    # each): a longer period is refused with the count, and the manager chooses a shorter one.
    DRY_RUN_MOST_CLAIMS = int(os.environ.get("DRY_RUN_MOST_CLAIMS", 1_000))
    # Webhooks: seconds to wait for a receiver (each connect and read), attempts per message.
    WEBHOOK_TIMEOUT = float(os.environ.get("WEBHOOK_TIMEOUT", "10"))
    WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "5"))
    # Field form sync: the key that encrypts the servers' passwords and tokens (else one
    # derived from SECRET_KEY), and seconds to wait for ODK Central or KoboToolbox.
    FIELD_SYNC_KEY = os.environ.get("FIELD_SYNC_KEY")
    FIELD_SYNC_KEY_FILE = os.environ.get("FIELD_SYNC_KEY_FILE")
    FIELD_SYNC_TIMEOUT = float(os.environ.get("FIELD_SYNC_TIMEOUT", "30"))
    # Logs: "json" (default outside debug) or "text"; /metrics asks for this bearer token
    # when set (else restrict it at the proxy).
    LOG_FORMAT = os.environ.get("LOG_FORMAT")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN")
    # Rate limits (Flask-Limiter): Redis (redis://host:6379/0) when RATELIMIT_STORAGE_URI says
    # so, else in memory, which is refused outside debug when more than one worker runs.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # How many reverse proxies (nginx, a load balancer) stand in front of the app and set
    # X-Forwarded-For; 0 trusts no such header (a client could forge it).
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", 0))
    # No X-RateLimit-* headers: reading the window back costs two Redis round trips on every
    # limited request, and the remaining count only helps whoever guesses PINs. A 429 page
    # still says how long to wait, in words and in Retry-After (status/limits.py).
    RATELIMIT_HEADERS_ENABLED = False
    STATUS_LOOKUP_LIMIT = os.environ.get("STATUS_LOOKUP_LIMIT", "10 per minute;60 per hour")
    # Views of the public statistics (page, CSV files, feeds) per address: generous for a
    # newsroom behind one address, a stop for a scraper looping over every filter.
    PUBLIC_STATISTICS_LIMIT = os.environ.get("PUBLIC_STATISTICS_LIMIT",
                                             "60 per minute;600 per hour")
    # Accepted public reports (form errors do not count) per address and per phone number.
    PUBLIC_REPORTS_PER_ADDRESS = os.environ.get("PUBLIC_REPORTS_PER_ADDRESS", "60 per hour")
    PUBLIC_REPORTS_PER_PHONE = os.environ.get("PUBLIC_REPORTS_PER_PHONE", "5 per hour")
    # Key of the status PINs' keyed hash (SECURITY.md): kept outside the database.
    PIN_KEY = os.environ.get("PIN_KEY")
    PIN_KEY_FILE = os.environ.get("PIN_KEY_FILE")
    PIN_FAILURES_BEFORE_LOCK = int(os.environ.get("PIN_FAILURES_BEFORE_LOCK", 5))
    PIN_LOCK_MINUTES = int(os.environ.get("PIN_LOCK_MINUTES", 30))
    # API answers kept for repeated Idempotency-Keys (without PINs), then purged daily.
    IDEMPOTENCY_HOURS = int(os.environ.get("IDEMPOTENCY_HOURS", 24))
    # Personal data of settled households is erased (pseudonymised) after this many years
    # (`flask privacy purge`).
    RETENTION_YEARS = int(os.environ.get("RETENTION_YEARS", 10))
    # Who herders contact, shown on their receipt and status pages.
    OFFICE_CONTACT = os.environ.get("OFFICE_CONTACT", "")
    # The privacy notice: who runs the service in each country, and whom to ask. JSON, e.g.
    # {"AM": {"name": "Ministry of Environment", "contact": "+374 10 000000"}}; countries
    # not listed show PRIVACY_OPERATOR / PRIVACY_CONTACT.
    PRIVACY_OPERATORS = json.loads(os.environ.get("PRIVACY_OPERATORS", "{}"))
    PRIVACY_OPERATOR = os.environ.get("PRIVACY_OPERATOR", "")
    PRIVACY_CONTACT = os.environ.get("PRIVACY_CONTACT", "")
    # A short address of the notice for texts (else the app's own /privacy/<country>).
    PRIVACY_URL = os.environ.get("PRIVACY_URL")
    # The receipt page's signed link works this long (reload, print, PDF).
    RECEIPT_LINK_MINUTES = int(os.environ.get("RECEIPT_LINK_MINUTES", 60))
    # Texts an anonymous visitor can have sent to one phone per day (receipts, new PINs),
    # and new PINs per claim per day.
    PUBLIC_TEXTS_PER_PHONE = int(os.environ.get("PUBLIC_TEXTS_PER_PHONE", 3))
    PIN_RESENDS_PER_CLAIM = int(os.environ.get("PIN_RESENDS_PER_CLAIM", 3))
    # Prevention alerts: herders within this distance of a verified leopard attack are told,
    # and a village gets at most one alert in this many hours (a country may set its own).
    ALERT_RADIUS_KM = float(os.environ.get("ALERT_RADIUS_KM", 10))
    ALERT_WINDOW_HOURS = int(os.environ.get("ALERT_WINDOW_HOURS", 24))


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-not-for-production"  # noqa: S105 - test only
    AUDIT_KEY = None  # derived from SECRET_KEY (tests and debug only)
    BACKUP_KEY = "test-backup-key-not-for-production-0123456789"  # noqa: S105 - test only
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    # Cheap hashing keeps the suite fast; production uses scrypt defaults.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 - a method name, not a secret
