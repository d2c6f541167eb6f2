"""The daily digest: each staff member who asked for one gets a short summary of their
unread notices by e-mail or SMS, in their language, once per notice."""

from __future__ import annotations

import logging
import smtplib
from collections import Counter
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import select

from conflict_app.auth.models import User
from conflict_app.core import clock
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db
from conflict_app.notices.models import Notice

log = logging.getLogger(__name__)


def _url() -> str:
    from flask import has_request_context, url_for

    if has_request_context():
        return url_for("notices.index", _external=True)
    with current_app.test_request_context():
        return url_for("notices.index", _external=True)


def text_for(user: User, counts: Counter) -> str:
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        return gettext("Pardus: %(total)s items wait for you (%(reports)s new reports, "
                       "%(flags)s flags, %(overdue)s overdue). %(url)s",
                       total=sum(counts.values()), reports=counts["new_report"],
                       flags=counts["flag"], overdue=counts["overdue"], url=_url())


def _email(user: User, body: str) -> bool:
    cfg = current_app.config
    if not cfg.get("MAIL_SERVER") or not cfg.get("MAIL_FROM"):
        log.warning("digest for user %s not e-mailed: MAIL_SERVER is not set", user.id)
        return False
    message = EmailMessage()
    message["From"], message["To"] = cfg["MAIL_FROM"], user.email
    with force_locale(user.locale or cfg["BABEL_DEFAULT_LOCALE"]):
        message["Subject"] = gettext("Pardus: your notices")
    message.set_content(body)
    with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=30) as smtp:
        smtp.send_message(message)
    return True


def send_digests() -> int:
    """Send every due digest; returns how many people got one."""
    from conflict_app.status import notify

    sent = 0
    users = db.session.scalars(select(User).where(User.digest.in_(("email", "sms")),
                                                  User.active.is_(True))).all()
    for user in users:
        with unit_of_work():
            notices = db.session.scalars(select(Notice).where(
                Notice.user_id == user.id, Notice.read_at.is_(None),
                Notice.digested_at.is_(None)).with_for_update(of=Notice)).all()
            if not notices:
                continue
            body = text_for(user, Counter(n.kind for n in notices))
            if user.digest == "sms":
                if not user.phone:
                    continue
                notify.queue(user.phone, user.locale, "staff_digest", body)
            elif not _email(user, body):
                continue
            now = clock.now()
            for notice in notices:
                notice.digested_at = now
            sent += 1
    return sent
