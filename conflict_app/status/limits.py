"""Limits on the herders' pages that do not lock out a village.

Many herders share one mobile carrier address, so a limit per address alone would let a
few people stop everyone behind it. Reports are therefore counted per address and per phone
number, and only reports that were accepted count: a form sent back with errors costs
nothing. Whoever is over a limit is told, in their language, how long to wait.
"""

from __future__ import annotations

import time

from flask import current_app, make_response, render_template, request
from flask_babel import ngettext, refresh

from conflict_app.core import inputs


def accepted(response) -> bool:  # noqa: ANN001
    """Only a report that went through (a redirect to its receipt) counts."""
    return response.status_code == 302


def phone_key() -> str:
    """The phone as typed with digits only, so spaces, dashes and scripts do not make a new
    number (the country code is not known yet: a national and an international form of one
    number end alike, and the last nine digits are compared)."""
    digits = "".join(ch for ch in inputs.clean(request.form.get("phone")) if ch.isdigit())
    return "report-phone:" + (digits[-9:] or "-")


def per_address() -> str:
    return current_app.config["PUBLIC_REPORTS_PER_ADDRESS"]


def per_phone() -> str:
    return current_app.config["PUBLIC_REPORTS_PER_PHONE"]


def _minutes(limit) -> int:  # noqa: ANN001 - flask_limiter's RequestLimit
    # reset_at is a whole second rounded up: a full hour reads 60 minutes, not 61.
    return max(1, round((limit.reset_at - time.time()) / 60))


def _page(message: str, minutes: int):  # noqa: ANN202
    response = make_response(render_template("status/limited.html", message=message,
                                             minutes=minutes), 429)
    response.headers["Retry-After"] = str(minutes * 60)
    return response


def phone_breached(limit):  # noqa: ANN001, ANN201
    refresh()  # the limits are checked before the request's own hooks chose its language
    minutes = _minutes(limit)
    return _page(ngettext("Too many reports for this phone number. Try again in %(num)d "
                          "minute.", "Too many reports for this phone number. Try again in "
                          "%(num)d minutes.", minutes), minutes)


def address_breached(limit):  # noqa: ANN001, ANN201
    refresh()
    minutes = _minutes(limit)
    return _page(ngettext("Too many attempts from this connection. Try again in %(num)d "
                          "minute.", "Too many attempts from this connection. Try again in "
                          "%(num)d minutes.", minutes), minutes)
