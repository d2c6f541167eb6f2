"""The scheme manager's pages and a paid claim's history in a real browser at phone width,
in English and Persian: the incentive scheme with its presence records, exchange rates
entered and shown as numbers, market prices, and the claim timeline read as words. Every
page: no sideways overflow, axe-core clean, Nu HTML checker clean."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from conflict_app.core import clock
from conflict_app.extensions import db
from conflict_app.payments import operations as pay
from conflict_app.payments.models import PaymentMethod
from conflict_app.schemes import incentives, params
from conflict_app.schemes import operations as scheme_ops
from tests import browser_support as bs
from tests import helpers

pytestmark = [pytest.mark.browser, pytest.mark.committed]


def _data(world) -> tuple[int, int]:
    """A paid claim and an incentive scheme with a presence record, committed."""
    w = world.world
    claim = helpers.approved(w)
    batch = pay.create_batch(w.finance, [claim.id], PaymentMethod.CASH)
    pay.export_batch(w.finance, batch.id)
    pay.record_paid(w.finance, batch.items[0].id, "TX-2026-0042", idempotency_key="k-1")
    scheme = scheme_ops.create_scheme(w.manager, scheme_ops.SchemeInput(
        "AM-INC", "Syunik conservation incentives", params.SchemeKind.INCENTIVE, "AM", None,
        "AMD", "Example fund", Decimal(2_000_000), "refuse", date(2025, 1, 1), None,
        Decimal(0), None))
    version = scheme_ops.add_version(w.manager, scheme.id, date(2025, 1, 1),
                                     params.defaults(params.SchemeKind.INCENTIVE))
    scheme_ops.publish_version(w.manager, version.id)
    incentives.record_presence(w.verifier, scheme.id, w.shvanidzor.id, "reproduction",
                               clock.today(), "Camera trap CT-7: a female with two cubs")
    db.session.commit()
    ids = claim.id, scheme.id
    db.session.remove()
    return ids


@pytest.mark.parametrize("locale", ["en", "fa"])
def test_scheme_pages_and_the_claim_history(live, chromium_browser, world_committed, visit,
                                            locale):
    world = world_committed
    claim_id, scheme_id = _data(world)

    manager = bs.Session(chromium_browser, live, visit, locale)
    manager.login(world.manager)
    manager.goto("/schemes/")
    manager.goto(f"/schemes/{scheme_id}")
    records = manager.page.locator("#presence-h + table tbody tr")
    assert "CT-7" in records.first.inner_text()
    manager.goto("/schemes/rates")
    manager.page.select_option("select[name=currency]", "AMD")
    manager.page.fill("input[name=per_usd]", "390")
    manager.submit("main form button[type=submit]")
    manager.check("rate saved")
    shown = manager.page.locator("main table tbody td.num").first.inner_text()
    assert "E+" not in shown and shown.strip() in ("390", "۳۹۰"), shown
    manager.goto("/prices/?country=AM")
    manager.goto("/schemes/new")

    clerk = bs.Session(chromium_browser, live, visit, locale)
    clerk.login(world.clerk)
    clerk.goto(f"/claims/{claim_id}")
    history = clerk.page.locator("ol.timeline").inner_text()
    for raw in ("False", "None", "idempotency_key", "budget_hold", "sheep/adult_female"):
        assert raw not in history, raw
    assert "TX-2026-0042" in history
    for s in (manager, clerk):
        s.close()
    bs.assert_clean(visit)
