"""Conservation incentives in a real browser at phone width, in English and Persian: the
verifier records a female with cubs, the scheme manager computes the year's performance
payment of the community, and finance pays it through a batch with its file and
confirmation, like any claim. Every page: no sideways overflow, axe-core clean, Nu HTML
checker clean."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from conflict_app.core import clock
from conflict_app.extensions import db
from conflict_app.schemes import operations as scheme_ops
from conflict_app.schemes import params
from conflict_app.schemes.models import IncentivePayment
from tests import browser_steps as steps
from tests import browser_support as bs

pytestmark = [pytest.mark.browser, pytest.mark.committed]


def _scheme(world) -> int:
    """Committed: a province's incentive scheme with the documented default values."""
    w = world.world
    scheme = scheme_ops.create_scheme(w.manager, scheme_ops.SchemeInput(
        "AM-INC", "Syunik conservation incentives", params.SchemeKind.INCENTIVE, "AM",
        w.syunik.id, "AMD", "Example fund", Decimal(2_000_000), "refuse", date(2025, 1, 1),
        None, Decimal(0), None))
    version = scheme_ops.add_version(w.manager, scheme.id, date(2025, 1, 1),
                                     params.defaults(params.SchemeKind.INCENTIVE))
    scheme_ops.publish_version(w.manager, version.id)
    db.session.commit()
    scheme_id = scheme.id
    db.session.remove()
    return scheme_id


def _payments(scheme_id: int) -> list[tuple[int, str, Decimal, str]]:
    rows = [(p.id, p.reference, p.amount, p.state) for p in db.session.scalars(
        select(IncentivePayment).where(IncentivePayment.scheme_id == scheme_id))]
    db.session.remove()
    return rows


@pytest.mark.parametrize("locale", ["en", "fa"])
def test_a_performance_payment_from_presence_to_paid(live, chromium_browser,
                                                     world_committed, visit, locale):
    world = world_committed
    with steps.midday():
        scheme_id = _scheme(world)
        today = clock.today()

        def person(user):
            s = bs.Session(chromium_browser, live, visit, locale)
            s.login(user)
            return s

        verifier = person(world.verifier)
        verifier.goto(f"/schemes/{scheme_id}")
        form = verifier.page.locator("form[action$='/presence']")
        form.locator("select[name=village]").select_option(str(world.shvanidzor_id))
        form.locator("select[name=kind]").select_option("reproduction")
        form.locator("input[name=observed_on]").fill(today.isoformat())
        form.locator("[name=evidence]").fill("Camera trap CT-7: a female with two cubs")
        verifier.submit("form[action$='/presence'] button[type=submit]")
        verifier.check("presence recorded")
        assert "CT-7" in verifier.page.locator("#presence-h + table tbody").inner_text()

        manager = person(world.manager)
        manager.goto(f"/schemes/{scheme_id}")
        manager.page.fill("form[action$='/performance'] input[name=period]", str(today.year))
        manager.submit("form[action$='/performance'] button[type=submit]")
        manager.check("performance computed")
        [(payment_id, reference, amount, state)] = _payments(scheme_id)
        # One family group: 20 occasional presences of 100 AMD.
        assert (amount, state) == (Decimal("2000.00"), "approved")

        finance = person(world.finance)
        finance.goto(f"/schemes/{scheme_id}")
        finance.submit("main a[href$='/payments/']")
        finance.check("payments, from the scheme")
        exported = steps.pay(finance, [f"input[name=incentive_ids][value='{payment_id}']"])
        assert reference in exported and "2000.00" in exported
        assert _payments(scheme_id)[0][3] == "paid"
        manager.goto(f"/schemes/{scheme_id}")
        for s in (verifier, manager, finance):
            s.close()
        bs.assert_clean(visit)
