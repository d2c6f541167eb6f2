"""Staff pages cost the same number of queries however many rows they list: a payment batch
of 500 items, or a claim flagged against many others, is not one query per row."""

from __future__ import annotations

from sqlalchemy import event

from conflict_app.extensions import db
from conflict_app.payments import operations as pay
from conflict_app.payments.models import PaymentMethod
from conflict_app.schemes.params import SchemeKind
from tests import helpers, scheme_data
from tests.conftest import csrf_token


def _statements(client, url: str, data: dict | None = None, repeats: list | None = None) -> int:
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, *args) -> None:  # noqa: ANN001
        seen.append(statement)
        if repeats is not None and not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            repeats.append((statement, repr(parameters)))

    db.session.expire_all()
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.post(url, data=data) if data is not None else client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200, (url, response.status_code)
    return len(seen)


def _paid_claims(world, n: int, start: int) -> list:
    claims = []
    for k in range(start, start + n):
        claim = helpers.approved(world, hh=helpers.household(world, name=f"Payee {k}"))
        helpers.payout(claim.household)
        claims.append(claim)
    return claims


def test_a_batch_of_ten_costs_the_queries_of_a_batch_of_two(world, browser_for):
    small = pay.create_batch(world.finance, [c.id for c in _paid_claims(world, 2, 0)],
                             PaymentMethod.MOBILE_MONEY)
    large = pay.create_batch(world.finance, [c.id for c in _paid_claims(world, 10, 2)],
                             PaymentMethod.MOBILE_MONEY)
    db.session.commit()
    finance = browser_for(world.finance)
    for page in ("/payments/batches/{}", "/payments/batches/{}/export",
                 "/documents/payments/batches/{}/list.pdf",
                 "/documents/payments/batches/{}/vouchers.pdf"):
        two, ten = (_statements(finance, page.format(b.id)) for b in (small, large))
        assert ten == two, (page, two, ten)
    page = finance.get(f"/payments/batches/{large.id}").get_data(as_text=True)
    assert "Payee 11" in page and "Payee 2" in page  # every payee is still listed
    # The payment file itself (the release): the same queries for ten payees as for two.
    finance.token = csrf_token(finance.client, "/queue")  # fetched before counting
    files = []
    for batch in (small, large):
        items = ",".join(str(i.id) for i in batch.live_items())
        files.append(_statements(finance, f"/payments/batches/{batch.id}/export",
                                 {"items": items}))
    assert files[1] == files[0], files


def test_a_claim_flagged_against_five_claims_costs_the_queries_of_one(world, browser_for):
    # Each new report of the same village and day is flagged against the earlier ones.
    claims = [helpers.report(world)[0] for _ in range(6)]
    db.session.commit()
    clerk = browser_for(world.clerk)
    second, sixth = (_statements(clerk, f"/claims/{c.id}") for c in (claims[1], claims[5]))
    assert sixth == second, (second, sixth)
    page = clerk.get(f"/claims/{claims[5].id}").get_data(as_text=True)
    assert all(c.reference in page for c in claims[:5])  # each earlier claim is linked


def test_no_staff_page_reads_the_same_row_twice(world, browser_for):
    """The scheme page converted each budget line to USD with its own read of the same
    rate; the batch page read its maker's roles again; the claim page loaded its household,
    incident and village one by one after the claim."""
    scheme = scheme_data.scheme(world, "AM-COMP", SchemeKind.COMPENSATION)
    claim = helpers.approved(world)
    helpers.payout(claim.household)
    batch = pay.create_batch(world.finance, [claim.id], PaymentMethod.MOBILE_MONEY)
    db.session.commit()
    for user, url in ((world.manager, f"/schemes/{scheme.id}"),
                      (world.finance, f"/payments/batches/{batch.id}"),
                      (world.clerk, f"/claims/{claim.id}")):
        client = browser_for(user)
        client.get(url)  # the session's touch and the form token are not what is counted
        sent: list = []
        _statements(client, url, repeats=sent)
        twice = {s for s in sent if sent.count(s) > 1}
        assert not twice, (url, twice)
    lazily = []
    _statements(browser_for(world.clerk), f"/claims/{claim.id}", repeats=lazily)
    assert not any(sql.startswith("SELECT household.") for sql, _ in lazily)


def test_claims_waiting_for_payment_and_the_api_claim_list_cost_the_same_for_two_or_eight(
        world, browser_for, api):
    """The payments page computed each waiting claim's amount with four queries of its own
    and read each payee apart; the API's claim list read each claim's assessment, loss lines
    and harm record apart (a page of 100 cost about 300 queries)."""
    scheme_data.scheme(world, "AM-COMP", SchemeKind.COMPENSATION, budget="90000000")
    counts = []
    made = []
    for size in (2, 8):
        while len(made) < size:
            made.append(helpers.approved(world, hh=helpers.household(
                world, name=f"Waiting {len(made)}")))
        db.session.commit()
        finance, clerk = browser_for(world.finance), api(world.clerk)
        finance.get("/payments/")
        page = finance.get("/payments/").get_data(as_text=True)
        assert all(f"Waiting {k}" in page for k in range(size))  # every payee is named
        assert page.count("135,000.00") >= size  # and their amount
        listed = clerk.get("/api/v1/claims?limit=100").get_json()["items"]
        assert len(listed) == size and all(c["assessment"]["total"] == "135000.00"
                                           for c in listed)
        assert all(c["lines"] for c in listed)
        counts.append((_statements(finance, "/payments/"),
                       _statements(clerk, "/api/v1/claims?limit=100")))
    assert counts[0] == counts[1], counts


def test_making_a_batch_reads_what_its_claims_are_owed_once_for_all(world):
    """A batch of 500 claims was 13 statements a claim inside one request (the lock, the
    latest assessment, what was paid, the settlement, the approver, each apart); now the
    claims are locked and read together, and what is left per claim is its own change: the
    state, the audit entry, the payment item, the event for webhooks."""
    scheme_data.scheme(world, "AM-COMP", SchemeKind.COMPENSATION, budget="90000000")
    sizes = {}
    for n in (2, 8):
        claims = _paid_claims(world, n, 100 + n)
        db.session.commit()
        seen: list[str] = []

        def record(conn, cursor, statement, *args, seen=seen) -> None:  # noqa: ANN001
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            batch = pay.create_batch(world.finance, [c.id for c in claims],
                                     PaymentMethod.MOBILE_MONEY)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        assert len(batch.live_items()) == n
        assert all(i.amount == 135000 for i in batch.live_items())
        sizes[n] = len(seen)
    per_claim = (sizes[8] - sizes[2]) / 6
    assert per_claim <= 5, sizes


def test_a_confirmation_file_reads_its_items_and_claims_once_for_all(world):
    """Each line of the bank's file locked its item and its claim, looked up the approver
    and the webhook subscriptions apart: 16 statements a line."""
    per_line = {}
    for n in (2, 8):
        claims = _paid_claims(world, n, 200 + n)
        batch = pay.create_batch(world.finance, [c.id for c in claims],
                                 PaymentMethod.MOBILE_MONEY)
        db.session.commit()
        pay.export_batch(world.finance, batch.id)
        text = "item,status,reference\n" + "".join(
            f"{i.id},paid,TX-{i.id}\n" for i in batch.live_items())
        seen: list[str] = []

        def record(conn, cursor, statement, *args, seen=seen) -> None:  # noqa: ANN001
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            counts = pay.import_confirmations(world.finance, batch.id, text)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        assert counts["paid"] == n
        assert all(helpers.reload(c).state.value == "paid" for c in claims)
        per_line[n] = len(seen)
    # What is left per line is its own change: the item, the claim, the audit entry, the
    # herder's text and the webhook message (10 here, against 18 before).
    assert (per_line[8] - per_line[2]) / 6 <= 11, per_line


def test_a_household_with_eight_claims_costs_the_queries_of_one_with_two(world, browser_for):
    """The household page read each claim's incident (for the date of the loss) apart."""
    household = helpers.household(world, name="Many Losses")
    counts = []
    for n in (2, 8):
        while _claims_of(household) < n:
            helpers.report(world, hh=household, days_ago=1 + _claims_of(household))
        db.session.commit()
        clerk = browser_for(world.clerk)
        clerk.get(f"/households/{household.id}")
        counts.append(_statements(clerk, f"/households/{household.id}"))
    assert counts[0] == counts[1], counts


def _claims_of(household) -> int:
    from sqlalchemy import func, select

    from conflict_app.claims.models import Claim

    return db.session.scalar(select(func.count(Claim.id)).where(
        Claim.household_id == household.id))


def test_late_claims_waiting_for_payment_read_their_time_zone_with_them(world, browser_for):
    """Under a scheme with late interest the payments page counts each claim's days late in
    its own zone: read with the claims, not with a statement per claim."""
    from datetime import timedelta
    from decimal import Decimal

    from conflict_app.core import clock

    clock.freeze(scheme_data.START)
    try:
        scheme_data.scheme(world, "AM-COMP", SchemeKind.COMPENSATION, budget="90000000",
                           late_interest=Decimal("0.365"), payment_within_days=1)
        made, counts = [], []
        for size in (2, 8):
            while len(made) < size:
                made.append(helpers.approved(world, hh=helpers.household(
                    world, name=f"Late {len(made)}")))
            db.session.commit()
            clock.freeze(scheme_data.START + timedelta(days=11))  # ten days late
            finance = browser_for(world.finance)
            finance.get("/payments/")
            page = finance.get("/payments/").get_data(as_text=True)
            assert page.count("136,350.00") >= size  # 135,000 with ten days of interest
            counts.append(_statements(finance, "/payments/"))
            clock.freeze(scheme_data.START)
    finally:
        clock.freeze(None)
    assert counts[0] == counts[1], counts
