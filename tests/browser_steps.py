"""Steps the staff journeys in a real browser share: an action on the claim page, its
confirmation, a verification visit, and a payment batch from the payments page to the
confirmation file. Each step drives the pages as the role that does it and checks every page
it lands on (tests/browser_support.py)."""

from __future__ import annotations

import re
from contextlib import contextmanager
from decimal import Decimal

from sqlalchemy import select

from conflict_app.claims.models import Claim
from conflict_app.core.inputs import clean, parse_number
from conflict_app.extensions import db
from tests import browser_support as bs


def state(claim_id: int) -> str:
    """The claim's state as the server left it (read without holding a lock)."""
    value = db.session.scalars(select(Claim.state).where(Claim.id == claim_id)).one()
    db.session.remove()
    return str(getattr(value, "value", value))


def money_shown(text: str, locale: str) -> Decimal:
    """The amount a page shows («AMD 45,000.00», «۴۵٬۰۰۰٫۰۰ AMD»), as a number."""
    digits = re.sub(r"[^\d.,\u066b\u066c\u00a0\u202f-]", "", clean(text)).strip(".,")
    return parse_number(digits, locale)


def act(session: bs.Session, claim_id: int, action: str, fill: dict | None = None) -> None:
    """Fill and send one action form of the claim page."""
    session.goto(f"/claims/{claim_id}")
    form = session.page.locator(f"form[action$='/actions/{action}']")
    for name, value in (fill or {}).items():
        control = form.locator(f"[name$='-{name}']")
        if control.evaluate("el => el.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    with session.page.expect_navigation():
        form.locator("button[type=submit]").click()


def confirm(session: bs.Session, label: str) -> None:
    """The second step of a decision or an assessment: the page says what will happen, and
    its button does it."""
    session.check(f"{label}: what will happen")
    session.submit("form.confirm button[type=submit]")
    session.check(label)


def verify(verifier: bs.Session, claim_id: int, killed: int) -> None:
    """A verification visit that finds a leopard kill of ``killed`` heads per line."""
    verifier.goto(f"/verification/claims/{claim_id}/report")
    file_report(verifier, killed)


def file_report(verifier: bs.Session, killed: int) -> None:
    """Fill in and file the verification report open on the page."""
    page = verifier.page
    page.check("input[name=haemorrhage]")
    for name, value in {"bite_location": "throat_nape", "carcass_handling": "cached",
                        "predator": "leopard", "confidence": "confirmed"}.items():
        page.select_option(f"select[name={name}]", value)
    for control in page.locator("main form select").all():
        if not control.input_value():  # the rest of the checklist: its first real answer
            control.select_option(index=1)
    for box in page.locator("input[name^=killed_]").all():
        box.fill(str(killed))
    verifier.submit("main form input[type=submit][name=submit], "
                    "main form button[name=submit]")
    verifier.check("after verification")


def pay(finance: bs.Session, boxes: list[str], method: str = "cash") -> str:
    """Put the rows ticked by ``boxes`` (selectors on the payments page) in a batch,
    release its payment file, and record every item paid from a confirmation file.
    Returns the payment file as downloaded."""
    finance.goto("/payments")
    for box in boxes:
        finance.page.check(box)
    finance.page.select_option("select[name=method]", method)
    finance.submit("form[action$='/payments/batches'] button[type=submit]")
    finance.check("batch")
    batch_url = finance.page.url.split("?")[0].removeprefix(finance.server.url)
    # Releasing the file is a step of its own: a page says what will be paid, then the
    # warning button releases and downloads it.
    finance.submit("main a[href$='/export']")
    finance.check("release the payment file")
    assert "warning" in finance.page.locator("form.confirm button").get_attribute("class")
    with finance.page.expect_download() as download:
        finance.page.locator("form.confirm button[type=submit]").click()
    exported = download.value.path().read_text(encoding="utf-8-sig")
    finance.goto(batch_url)
    items = [box.get_attribute("id").removeprefix("ref-")
             for box in finance.page.locator("input[id^=ref-]").all()]
    assert items, "the released batch offers no item to record"
    confirmation = finance.visit.outdir / f"confirmations-{len(finance.visit.pages)}.csv"
    confirmation.write_text("item,status,reference,reason\n" + "".join(
        f"{item},paid,BANK-{item},\n" for item in items), encoding="utf-8")
    finance.page.set_input_files("input[type=file][name=file]", str(confirmation))
    finance.submit("form[action$='/confirmations'] button[type=submit]")
    finance.check("confirmed")
    assert finance.page.locator("input[id^=ref-]").count() == 0, "items left unrecorded"
    return exported


@contextmanager
def midday():
    """The clock pinned to midday UTC of today for a journey whose dates are "today": the
    day is then the same in UTC and in every jurisdiction's local time (the live server
    runs in this process and reads the same clock)."""
    from datetime import UTC, datetime

    from conflict_app.core import clock

    clock.freeze(datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0))
    try:
        yield
    finally:
        clock.freeze(None)
