"""Funds that feed scheme budgets, through the pages: an endowment allocates only its
income, a pooled fund its whole balance; refusals change nothing; the scheme page and the
implementation report say where the budget came from."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from conflict_app.core.audit import AuditEntry
from conflict_app.extensions import db
from conflict_app.schemes import funds, params
from conflict_app.schemes import operations as scheme_ops
from conflict_app.schemes.fund_models import EntryKind, Fund, FundEntry, FundKind
from conflict_app.schemes.models import Scheme
from conflict_app.schemes.params import SchemeKind
from tests import helpers
from tests.test_committee import PDFTOTEXT
from tests.test_documents import _clean
from tests.test_schemes import frozen  # noqa: F401


def _scheme(world, code="AM-COMP", currency="AMD", budget=0, admin1_id=None,
            kind=SchemeKind.COMPENSATION) -> Scheme:
    scheme = scheme_ops.create_scheme(world.manager, scheme_ops.SchemeInput(
        code, f"Scheme {code}", kind, "AM", admin1_id, currency, None, Decimal(budget),
        "refuse", date(2020, 1, 1), None, Decimal(0), None))
    version = scheme_ops.add_version(world.manager, scheme.id, date(2020, 1, 1),
                                     params.defaults(kind))
    scheme_ops.publish_version(world.manager, version.id)
    return scheme


def _fund(world, kind=FundKind.ENDOWMENT, currency="AMD", admin1_id=None) -> Fund:
    return funds.create_fund(world.manager, funds.FundInput(
        f"Syunik {kind.value}", kind, currency, "AM", admin1_id))


def _entry(browser, fund, kind, **data):
    form = {"booked_on": "2026-02-01", **{k: str(v) for k, v in data.items()}}
    return browser.post(f"/schemes/funds/{fund.id}/entries/{kind}", data=form)


def _count() -> int:
    return db.session.scalar(select(func.count(FundEntry.id)))


def _budget(scheme_id) -> Decimal:
    db.session.expire_all()
    return db.session.get(Scheme, scheme_id).budget


def test_an_endowment_allocates_its_income_and_never_its_principal(
        world, browser_for, frozen):  # noqa: F811
    scheme = _scheme(world, budget=100_000)
    manager = browser_for(world.manager)
    created = manager.post("/schemes/funds", data={
        "name": "Syunik conservation endowment", "kind": "endowment", "currency": "AMD",
        "country_code": "AM", "admin1_id": "", "description": "Interest pays the scheme"})
    assert created.status_code == 302
    fund = db.session.scalars(select(Fund)).one()
    assert _entry(manager, fund, "contribution", amount="1 000 000",
                  donor="Example conservation trust").status_code == 302
    assert _entry(manager, fund, "income", amount="45000,50", period_from="2025-01-01",
                  period_to="2025-12-31").status_code == 302
    page = manager.get(f"/schemes/funds/{fund.id}").get_data(as_text=True)
    assert "Example conservation trust" in page
    assert re.search(r"Principal \(kept, never allocated\)</th><td class=\"num\">"
                     r"AMD1,000,000.00", page), page
    assert "Income available to allocate" in page and "45,000.50" in page

    # Beyond the income: refused with the reason, and nothing changes.
    before = _count()
    refused = _entry(manager, fund, "allocation", scheme_id=scheme.id, amount="50000")
    assert refused.status_code == 400
    assert "Only the income of an endowment can be allocated" in refused.get_data(as_text=True)
    assert _count() == before and _budget(scheme.id) == Decimal(100_000)

    done = _entry(manager, fund, "allocation", scheme_id=scheme.id, amount="40000")
    assert done.status_code == 302
    assert _budget(scheme.id) == Decimal(140_000)
    totals = funds.totals(db.session.get(Fund, fund.id))
    assert totals.available.amount == Decimal("5000.50")
    assert totals.principal.amount == Decimal(1_000_000)
    assert totals.balance.amount == Decimal("1005000.50")

    # The scheme says where its budget came from; the fund's ledger names the scheme.
    scheme_page = manager.get(f"/schemes/{scheme.id}").get_data(as_text=True)
    assert "Where the budget came from" in scheme_page
    assert "Syunik conservation endowment" in scheme_page
    assert re.search(r"Set on the scheme itself</th><td class=\"num\">AMD100,000.00",
                     scheme_page)
    assert "AM-COMP" in manager.get(f"/schemes/funds/{fund.id}").get_data(as_text=True)
    actions = set(db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_type.in_(("fund", "scheme")))))
    assert {"create_fund", "fund_contribution", "fund_income", "fund_allocation"} <= actions

    # The budget may not be edited below what funds put in: that goes back as a return.
    edit = manager.post(f"/schemes/{scheme.id}/edit", data={
        "budget": "30000", "over_budget": "refuse", "review_share": "0"})
    assert edit.status_code == 400
    assert "of the budget came from funds" in edit.get_data(as_text=True)
    assert _budget(scheme.id) == Decimal(140_000)


def test_returns_give_back_only_unspent_money_from_that_fund(world, browser_for, frozen):  # noqa: F811
    scheme = _scheme(world)
    fund = _fund(world, FundKind.POOLED)
    manager = browser_for(world.manager)
    _entry(manager, fund, "contribution", amount="50000", donor="A donor")
    # A pooled fund allocates its whole balance.
    assert _entry(manager, fund, "allocation", scheme_id=scheme.id,
                  amount="50000").status_code == 302
    helpers.approved(world, killed=1)  # 45,000 committed under the scheme
    assert scheme_ops.budget(db.session.get(Scheme, scheme.id)).committed.amount == 45_000
    too_much = _entry(manager, fund, "return", scheme_id=scheme.id, amount="60000")
    assert too_much.status_code == 400
    assert "from this fund: no more than that can be returned" in too_much.get_data(
        as_text=True)
    spent = _entry(manager, fund, "return", scheme_id=scheme.id, amount="12000")
    assert spent.status_code == 400
    assert "Only unspent budget can be returned" in spent.get_data(as_text=True)
    assert _entry(manager, fund, "return", scheme_id=scheme.id,
                  amount="5000").status_code == 302
    assert _budget(scheme.id) == Decimal(45_000)
    assert funds.totals(db.session.get(Fund, fund.id)).available.amount == Decimal(5000)


def test_refusals_change_nothing(world, browser_for, frozen):  # noqa: F811
    usd_scheme = _scheme(world, "AM-USD", currency="USD")
    insurance = _scheme(world, "AM-INS", kind=SchemeKind.INSURANCE)
    fund = _fund(world)
    manager = browser_for(world.manager)
    _entry(manager, fund, "contribution", amount="5000", donor="Donor")
    _entry(manager, fund, "income", amount="500", period_from="2025-01-01",
           period_to="2025-12-31")
    before = _count()
    cases = [
        ("contribution", {"amount": "100"}, "Name the donor of the contribution."),
        ("income", {"amount": "100"}, "Give the period the income was earned in."),
        ("income", {"amount": "100", "period_from": "2026-01-01", "period_to": "2026-12-31"},
         "Income is booked after the period it was earned in."),
        ("contribution", {"amount": "100", "donor": "D", "booked_on": "2027-01-01"},
         "The date cannot be in the future."),
        # The form offers only the schemes the fund may feed (the API says why, below).
        ("allocation", {"amount": "100", "scheme_id": usd_scheme.id},
         "Choose one of the options in the list."),
        ("allocation", {"amount": "100", "scheme_id": insurance.id},
         "Choose one of the options in the list."),
        ("adjustment", {"amount": "100", "pot": "income"}, "Give the reason for the adjustment."),
        ("adjustment", {"amount": "100", "note": "typo"}, "corrects the principal or the"),
        ("adjustment", {"amount": "6000", "direction": "out", "pot": "principal",
                        "note": "counted twice"}, "would take more than the"),
    ]
    for kind, data, message in cases:
        response = _entry(manager, fund, kind, **data)
        assert response.status_code == 400, (kind, data)
        assert message in response.get_data(as_text=True).replace("&#39;", "'"), message
    assert _count() == before
    assert _entry(manager, fund, "adjustment", amount="1000", direction="out",
                  pot="principal", note="A pledge counted twice").status_code == 302
    totals = funds.totals(db.session.get(Fund, fund.id))
    assert totals.principal.amount == Decimal(4000)
    assert totals.available.amount == Decimal(500)


def test_roles_and_jurisdictions(world, browser_for, frozen):  # noqa: F811
    """Finance books money received in its own area; only a scheme manager moves money
    into or out of a scheme's budget; others cannot write, outsiders do not see it."""
    scheme = _scheme(world, "AM-SYU", admin1_id=world.syunik.id)
    fund = _fund(world, FundKind.POOLED, admin1_id=world.syunik.id)
    finance = browser_for(world.finance)
    assert _entry(finance, fund, "contribution", amount="900",
                  donor="Village council").status_code == 302
    page = finance.get(f"/schemes/funds/{fund.id}").get_data(as_text=True)
    assert "entry=contribution" in page and "entry=allocation" not in page
    denied = _entry(finance, fund, "allocation", scheme_id=scheme.id, amount="100")
    assert denied.status_code == 403
    assert "not by the office that pays from the budgets" in denied.get_data(as_text=True)
    assert _entry(browser_for(world.clerk), fund, "contribution", amount="1",
                  donor="x").status_code == 403
    outsider = browser_for(world.other_clerk)
    assert outsider.get(f"/schemes/funds/{fund.id}").status_code == 404
    assert "Syunik pooled" not in outsider.get("/schemes/funds").get_data(as_text=True)
    analyst = browser_for(world.analyst)
    assert analyst.get(f"/schemes/funds/{fund.id}").status_code == 200
    assert _budget(scheme.id) == Decimal(0)
    assert _count() == 1


def test_the_ledger_is_append_only(world, frozen):  # noqa: F811
    fund = _fund(world)
    entry = funds.record_entry(world.manager, fund.id, funds.EntryInput(
        EntryKind.CONTRIBUTION, Decimal(10), date(2026, 1, 5), donor="D"))
    entry.amount = Decimal(1_000_000)
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("locale", ["ar", "ru"])
def test_the_fund_page_in_other_languages(world, browser_for, frozen, locale):  # noqa: F811
    fund = _fund(world)
    manager = browser_for(world.manager)
    response = manager.get(f"/schemes/funds/{fund.id}?lang={locale}&entry=income")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'lang="{locale}"' in html
    assert "Income available to allocate" not in html  # translated
    refused = _entry(manager, fund, "allocation", scheme_id=_scheme(world).id, amount="10")
    assert refused.status_code == 400
    assert "Only the income of an endowment" not in refused.get_data(as_text=True)


@pytest.mark.skipif(PDFTOTEXT is None, reason="poppler-utils (pdftotext) is not installed")
def test_the_scheme_report_says_where_the_money_came_from(world, browser_for, frozen):  # noqa: F811
    scheme = _scheme(world, budget=20_000)
    fund = _fund(world)
    for kind, amount, extra in (
            (EntryKind.CONTRIBUTION, 500_000, {"donor": "Trust"}),
            (EntryKind.INCOME, 30_000, {"period_from": date(2025, 1, 1),
                                        "period_to": date(2025, 12, 31)}),
            (EntryKind.ALLOCATION, 25_000, {"scheme_id": scheme.id})):
        funds.record_entry(world.manager, fund.id, funds.EntryInput(
            kind, Decimal(amount), date(2026, 2, 1), **extra))
    pdf = browser_for(world.manager).get(
        f"/documents/schemes/{scheme.id}/report.pdf?start=2026-01-01&end=2026-03-01")
    assert pdf.status_code == 200
    text = _clean(subprocess.run([PDFTOTEXT, "-", "-"], input=pdf.data,  # noqa: S603
                                 capture_output=True, check=True).stdout.decode())
    assert "Where the budget came from" in text
    assert "Syunik endowment" in text and "25,000" in text
    assert "Set on the scheme itself" in text and "20,000" in text
