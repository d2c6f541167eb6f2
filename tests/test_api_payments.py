"""Payments of every scheme kind through the API, for the finance office as its pages:
claims of compensation and insurance (with the settlement's pro rata share), performance
and agreement instalment payments; filters, cursors, decimal strings with a currency."""

from __future__ import annotations


def test_finance_reads_the_items_of_every_scheme_kind(world, built, api):
    finance = api(world.finance)
    response = finance.get("/api/v1/payment-items")
    assert response.status_code == 200, response.get_json()
    items = response.get_json()["items"]
    assert [i["payable"] for i in items] == ["instalment", "performance", "claim", "claim"]
    assert all(i["currency"] == "AMD" and isinstance(i["amount"], str) for i in items)
    instalment, performance, insured, compensated = items
    assert instalment["agreement"].startswith("AGR-") and instalment["instalment_year"] == 1
    assert instalment["amount"] == "750.25" and instalment["scheme_kind"] == "incentive"
    assert performance["period"] == 2026 and performance["village"] == "Shikahogh"
    assert performance["reference"] == built.performance.reference
    # The insurance claim is paid its settled share: the pool was short.
    assert insured["reference"] == built.insured_claim.reference
    assert insured["scheme"] == "AM-INS" and insured["amount"] == "60000.00"
    assert insured["settlement"]["approved"] == "96000.00"
    assert insured["settlement"]["payable"] == "60000.00"
    assert compensated["scheme_kind"] == "compensation" and compensated["settlement"] is None

    def codes(query):
        page = finance.get(f"/api/v1/payment-items?{query}")
        assert page.status_code == 200, page.get_json()
        return [i["reference"] for i in page.get_json()["items"]]

    assert codes("scheme=am-ins") == [built.insured_claim.reference]
    assert codes("scheme_kind=incentive") == [built.instalment.reference,
                                              built.performance.reference]
    assert codes("payable=instalment") == [built.instalment.reference]
    assert codes(f"batch_id={built.claim_batch.id}") == [built.claim.reference]
    assert codes("state=paid") == [] and codes("scheme=NONE") == []
    one = finance.get(f"/api/v1/payment-items/{insured['id']}")
    assert one.status_code == 200 and one.get_json() == insured


def test_lists_page_with_a_cursor(world, built, api):
    finance = api(world.finance)
    seen, url = [], "/api/v1/payment-items?limit=1"
    while url:
        page = finance.get(url).get_json()
        seen += [i["id"] for i in page["items"]]
        url = (f"/api/v1/payment-items?limit=1&cursor={page['next_cursor']}"
               if page["next_cursor"] else None)
    assert len(seen) == len(set(seen)) == 4
    batches = finance.get("/api/v1/payment-batches?limit=2").get_json()
    assert len(batches["items"]) == 2 and batches["next_cursor"]
    rest = finance.get(f"/api/v1/payment-batches?cursor={batches['next_cursor']}").get_json()
    assert [b["reference"] for b in rest["items"]] == [built.claim_batch.reference]
    assert rest["next_cursor"] is None
    [incentive] = finance.get("/api/v1/payment-batches?scheme=AM-INC").get_json()["items"]
    assert incentive["total"] == f"{built.performance.amount + built.instalment.amount:.2f}"
    assert incentive["items"] == 2 and incentive["state"] == "open"
    assert finance.get("/api/v1/payment-batches?state=closed").get_json()["items"] == []
    # The batch with incentive items reads whole (its items named by their reference).
    read = finance.get(f"/api/v1/payment-batches/{built.incentive_batch.id}").get_json()
    assert {i["claim_reference"] for i in read["items"]} == {built.performance.reference,
                                                            built.instalment.reference}


def test_incentive_payments_in_a_batch_or_not(world, built, api):
    finance = api(world.finance)
    listed = finance.get("/api/v1/incentive-payments").get_json()["items"]
    assert {(p["kind"], p["state"]) for p in listed} == {("performance", "scheduled"),
                                                         ("instalment", "scheduled")}
    [instalment] = finance.get("/api/v1/incentive-payments?kind=instalment").get_json()["items"]
    assert instalment["agreement"].startswith("AGR-") and instalment["amount"] == "750.25"
    assert finance.get("/api/v1/incentive-payments?state=approved").get_json()["items"] == []


def test_only_the_finance_office_of_the_area_reads_payments(world, built, api):
    for user in (world.clerk, world.analyst, world.manager, world.approver):
        for url in ("/api/v1/payment-items", "/api/v1/payment-batches",
                    "/api/v1/incentive-payments"):
            response = api(user).get(url)
            assert response.status_code == 403, (user.email, url)
            assert response.mimetype == "application/problem+json"
    # The payments scope is needed, as for every payment operation.
    assert api(world.finance, ["read"]).get("/api/v1/payment-items").status_code == 403
    finance = api(world.finance)
    for bad in ("state=lost", "payable=gift", "scheme_kind=lottery", "cursor=x",
                "batch_id=0", "limit=many"):
        response = finance.get(f"/api/v1/payment-items?{bad}")
        assert response.status_code == 400, bad
        assert response.mimetype == "application/problem+json"
    assert finance.get("/api/v1/payment-items/999999").status_code == 404


def test_finance_of_another_province_sees_none_of_it(world, built, api):
    from conflict_app.core.permissions import Role

    vayots = api(world.user("finance@vayots.test", {Role.FINANCE}, "AM", world.vayots.id))
    for url in ("/api/v1/payment-items", "/api/v1/payment-batches",
                "/api/v1/incentive-payments"):
        assert vayots.get(url).get_json()["items"] == [], url
    item = built.claim_batch.items[0]
    assert vayots.get(f"/api/v1/payment-items/{item.id}").status_code == 404
    assert vayots.get(f"/api/v1/payment-items/{item.id}/voucher.pdf").status_code == 404


def test_a_page_of_items_costs_the_same_queries_however_long(world, built, api):
    from sqlalchemy import event

    from conflict_app.extensions import db

    finance = api(world.finance)

    def queries(url):
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert finance.get(url).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    db.session.expire_all()
    one = queries("/api/v1/payment-items?limit=1")
    db.session.expire_all()
    assert queries("/api/v1/payment-items?limit=4") <= one + 1
