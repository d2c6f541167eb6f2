"""A scheme's report reads its claims in grouped queries: a province's year is tens of
thousands of claims, and one statement per claim (its incident, its loss lines, its
payments) held a web worker for minutes."""

from __future__ import annotations

from datetime import timedelta

from conflict_app.core import clock
from conflict_app.extensions import db
from conflict_app.payments import operations as pay
from conflict_app.payments.models import PaymentMethod
from conflict_app.schemes.params import SchemeKind
from tests import helpers, scheme_data
from tests.test_api import api  # noqa: F401
from tests.test_page_queries import _statements


def test_the_scheme_report_costs_the_same_for_eight_claims_as_for_two(world, browser_for):
    clock.freeze(scheme_data.START)
    try:
        scheme = scheme_data.scheme(world, "AM-REP", SchemeKind.COMPENSATION,
                                    admin1_id=world.syunik.id)
        manager = browser_for(world.manager)
        url = (f"/documents/schemes/{scheme.id}/report.pdf"
               f"?start=2026-01-01&end={(scheme_data.START + timedelta(days=1)).date()}")
        counts = []
        made = 0
        for size in (2, 8):
            while made < size:
                household = helpers.household(world, name=f"Reported Herder {made}")
                helpers.payout(household)
                claim = helpers.approved(world, hh=household, killed=1 + made % 3)
                assert claim.scheme_id == scheme.id
                if made % 2:
                    batch = pay.create_batch(world.finance, [claim.id],
                                             PaymentMethod.MOBILE_MONEY)
                    pay.export_batch(world.finance, batch.id)
                    pay.record_paid(world.finance, batch.live_items()[-1].id, f"R-{made}")
                made += 1
            db.session.commit()
            manager.get(url)
            counts.append(_statements(manager, url))
    finally:
        clock.freeze(None)
    assert counts[0] == counts[1], counts


def test_the_report_s_figures_are_those_of_its_claims(world):
    """Decisions after 1, 2, 3 and 10 days: median 2.5, 90th percentile 7.9 (linear, as
    ``statistics`` inclusive), all within the 30 days; two paid, after 4 and 6 days."""
    from datetime import date
    from decimal import Decimal

    from conflict_app.documents.report import TimeRow, report_data

    clock.freeze(scheme_data.START)
    try:
        scheme = scheme_data.scheme(world, "AM-REP", SchemeKind.COMPENSATION,
                                    admin1_id=world.syunik.id)
        claims = []
        for k in range(4):
            household = helpers.household(world, name=f"Counted Herder {k}")
            helpers.payout(household)
            claims.append(helpers.report(world, hh=household, killed=k + 1)[0])
        for claim, days in zip(claims, (1, 2, 3, 10), strict=True):
            clock.freeze(scheme_data.START + timedelta(days=days))
            helpers.approved(world, claim=claim)
        for claim, days in ((claims[0], 5), (claims[1], 8)):
            clock.freeze(scheme_data.START + timedelta(days=days))
            batch = pay.create_batch(world.finance, [claim.id], PaymentMethod.MOBILE_MONEY)
            pay.export_batch(world.finance, batch.id)
            pay.record_paid(world.finance, batch.live_items()[-1].id, f"P-{days}")
        db.session.commit()
        data = report_data(scheme, date(2026, 1, 1), date(2026, 3, 31))
    finally:
        clock.freeze(None)
    decision, payment = data.times
    assert decision == TimeRow("decision", 4, Decimal("2.5"), Decimal("7.9"), 30, Decimal(1))
    assert (payment.claims, payment.median_days, payment.p90_days) == (2, Decimal("5.0"),
                                                                       Decimal("5.8"))
    assert data.by_species == [("sheep", 4, 10, 0)]
    assert [(name, n, heads) for name, n, heads, _amount in data.by_area] == [
        ("Meghri", 4, 10)]
    assert dict(data.states) == {"paid": 2, "approved": 2}
    assert data.kpis[0][2] == 4 and data.households["all"][None] == 4
    assert data.paid.amount == sum(helpers.reload(c).amount_approved for c in claims[:2])
    assert data.by_month[:3] == [("2026-01", 0), ("2026-02", 0), ("2026-03", 4)]


def test_a_dry_run_of_more_claims_than_a_request_values_asks_for_a_shorter_period(
        app, world, browser_for, api):  # noqa: F811
    """Each claim is valued again (a few statements each): a year of a range-wide scheme
    took minutes and ended in the worker's timeout. Above the limit the period is refused
    with a message naming both numbers, on the page and in the API."""
    from conflict_app.schemes.models import RuleVersion

    app.config["DRY_RUN_MOST_CLAIMS"] = 2
    clock.freeze(scheme_data.START)
    try:
        scheme = scheme_data.scheme(world, "AM-DRY", SchemeKind.COMPENSATION,
                                    admin1_id=world.syunik.id)
        for k in range(3):
            helpers.assessed(world, hh=helpers.household(world, name=f"Tried Herder {k}"))
        db.session.commit()
        version = db.session.scalars(db.select(RuleVersion).where(
            RuleVersion.scheme_id == scheme.id)).first()
        manager = browser_for(world.manager)
        url = f"/schemes/versions/{version.id}/dry-run?start=2026-01-01&end=2026-12-31"
        page = manager.get(url)
        assert page.status_code == 400
        assert "The period holds 3 claims of this scheme" in page.get_data(as_text=True)
        assert "at most 2" in page.get_data(as_text=True)
        russian = manager.get(url + "&lang=ru").get_data(as_text=True)
        assert "The period holds" not in russian
        answer = api(world.manager).get(f"/api/v1/rule-versions/{version.id}/dry-run"
                                        "?start=2026-01-01&end=2026-12-31")
        assert answer.status_code == 400
        assert answer.get_json()["errors"][0]["field"] == "start"
        narrow = manager.get(f"/schemes/versions/{version.id}/dry-run"
                             f"?start={scheme_data.START.date()}&end={scheme_data.START.date()}")
        assert narrow.status_code == 200
    finally:
        clock.freeze(None)


def test_the_attacks_export_costs_the_same_for_eight_attacks_as_for_two(app, world):
    """The SMART table and the EarthRanger events read each attack's time zone with the
    attack: one statement per attack made a range-wide export 100,000 statements longer."""
    from sqlalchemy import event

    from tests.test_interop_exports import _api

    analyst = _api(app, world.analyst)
    counts, made = [], 0
    for size in (2, 8):
        while made < size:
            helpers.verified(world, hh=helpers.household(world, name=f"Attacked Herder {made}"))
            made += 1
        db.session.commit()
        for url in ("/api/v1/interop/smart/observations.csv",
                    "/api/v1/interop/earthranger/events"):
            analyst(url).get_data()  # the token's first use is not what is counted
            seen = []

            def record(*_args, seen=seen) -> None:  # noqa: ANN002
                seen.append(1)

            db.session.expire_all()
            event.listen(db.engine, "before_cursor_execute", record)
            try:
                response = analyst(url)
                assert response.status_code == 200
                response.get_data()
            finally:
                event.remove(db.engine, "before_cursor_execute", record)
            counts.append((size, url, len(seen)))
    assert counts[0][2] == counts[2][2] and counts[1][2] == counts[3][2], counts
