"""Community livestock insurance in a real browser at phone width, in English and Persian:
the clerk enrols a household, finance records its premium, the household's loss is assessed
under the insurance (insured value, not market price), approved, settled against the pool,
and paid through a batch with its file and confirmation. Every page: no sideways overflow,
axe-core clean, Nu HTML checker clean."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from conflict_app.claims.models import Claim
from conflict_app.core import clock
from conflict_app.extensions import db
from conflict_app.schemes import operations as scheme_ops
from conflict_app.schemes import params
from tests import browser_steps as steps
from tests import browser_support as bs
from tests import helpers

pytestmark = [pytest.mark.browser, pytest.mark.committed]


def _scheme(world) -> SimpleNamespace:
    """Committed: a province's insurance whose cover starts the day the premium is paid,
    and a household to enrol."""
    w = world.world
    scheme = scheme_ops.create_scheme(w.manager, scheme_ops.SchemeInput(
        "AM-INS", "Syunik livestock insurance", params.SchemeKind.INSURANCE, "AM",
        w.syunik.id, "AMD", "Example fund", Decimal(0), "refuse", date(2025, 1, 1), None,
        Decimal(0), None))
    version = scheme_ops.add_version(w.manager, scheme.id, date(2025, 1, 1),
                                     params.defaults(params.SchemeKind.INSURANCE)
                                     | {"waiting_days": "0"})
    scheme_ops.publish_version(w.manager, version.id)
    household = helpers.household(w, name="Hasmik Sargsyan")
    db.session.commit()
    ids = SimpleNamespace(scheme=scheme.id, household=household.id)
    db.session.remove()
    return ids


def _loss(world, household_id: int) -> tuple[int, int]:
    """The enrolled household's loss of one sheep today, reported and verified."""
    from conflict_app.herders.models import Household

    w = world.world
    claim = helpers.verified(w, hh=db.session.get(Household, household_id), killed=1,
                             days_ago=0)
    db.session.commit()
    ids = claim.id, claim.scheme_id
    db.session.remove()
    return ids


@pytest.mark.parametrize("locale", ["en", "fa"])
def test_an_insured_loss_from_enrolment_to_paid(live, chromium_browser, world_committed,
                                                visit, locale):
    world = world_committed
    with steps.midday():
        ids = _scheme(world)
        today = clock.today().isoformat()

        def person(user):
            s = bs.Session(chromium_browser, live, visit, locale)
            s.login(user)
            return s

        clerk = person(world.clerk)
        clerk.goto(f"/schemes/{ids.scheme}")
        clerk.submit(f"main a[href$='/schemes/{ids.scheme}/enrol']")
        clerk.check("enrol a household")
        page = clerk.page
        page.select_option("select[name=household]", str(ids.household))
        page.fill("input[name=heads_sheep]", "50")
        page.fill("input[name=value_sheep]", "60000")
        page.check("input[name=agreement_signed]")
        clerk.submit("main form button[type=submit]")
        clerk.check("enrolled")

        finance = person(world.finance)
        finance.goto(f"/schemes/{ids.scheme}")
        finance.page.fill("form[action*='/premium'] input[name=on]", today)
        finance.submit("form[action*='/premium'] button[type=submit]")
        finance.check("premium recorded")

        claim_id, scheme_id = _loss(world, ids.household)
        assert scheme_id == ids.scheme  # covered on the day of the loss: the insurance pays
        steps.act(clerk, claim_id, "assess")
        steps.confirm(clerk, "assessed under the insurance")
        approver = person(world.approver)
        steps.act(approver, claim_id, "approve")
        steps.confirm(approver, "approved")
        assert steps.state(claim_id) == "approved"
        approved = db.session.scalar(select(Claim.amount_approved).where(Claim.id == claim_id))
        db.session.remove()
        assert approved == Decimal("48000.00")  # 80 % of the insured 60,000

        # The pool pays once its period is settled; until then the claim and the payments page
        # say so.
        finance.goto(f"/claims/{claim_id}")
        if locale == "en":
            assert "settles the insurance period" in finance.page.inner_text("#next-h + p")
        finance.goto("/payments")
        row = finance.page.locator(f"tr:has(a[href$='/claims/{claim_id}'])")
        assert row.locator("td.num .hint").count() == 1
        assert row.locator("input[name=claim_ids]").count() == 0  # nothing to tick yet
        finance.goto(f"/schemes/{ids.scheme}")
        finance.page.fill("form[action$='/settle'] input[name=start]", today)
        finance.page.fill("form[action$='/settle'] input[name=end]", today)
        finance.submit("form[action$='/settle'] button[type=submit]")
        finance.check("settled")
        exported = steps.pay(finance, [f"input[name=claim_ids][value='{claim_id}']"])
        assert "48000.00" in exported
        assert steps.state(claim_id) == "paid"
        for s in (clerk, finance, approver):
            s.close()
        bs.assert_clean(visit)
