"""Prevention alert broadcasts through the API: previewed (phones, villages left out, SMS
segments and each language's text) and sent as previewed with the preview's ETag, by the
roles and in the areas of the broadcast page; once per Idempotency-Key, audited, and never
naming a household."""

from __future__ import annotations

from sqlalchemy import select

from conflict_app.alerts.models import Alert
from conflict_app.api import tokens
from conflict_app.core import audit
from conflict_app.extensions import db
from tests.test_alerts import alert_texts, place  # noqa: F401 - the fixture


def _api(app, user, *scopes):
    _token, secret = tokens.issue(user, "tests", ["read", *scopes])
    return app.test_client(), {"Authorization": f"Bearer {secret}"}


def test_a_broadcast_is_previewed_then_sent_through_the_api(app, place):  # noqa: F811
    api, headers = _api(app, place.supervisor, "alerts")
    url = f"/api/v1/alerts/broadcast-preview?area_id={place.meghri.id}"
    preview = api.get(url, headers=headers)
    assert preview.status_code == 200, preview.get_json()
    plan = preview.get_json()
    assert (plan["phones"], plan["villages"], plan["villages_skipped"]) == (4, 2, [])
    assert {lang["locale"] for lang in plan["languages"]} == {"hy", "fa", "ru", "ps"}
    assert plan["segments"] == sum(lang["segments"] for lang in plan["languages"])
    assert all(lang["text"] for lang in plan["languages"])
    text = preview.get_data(as_text=True)
    assert "Petrosyan" not in text and "+374" not in text and alert_texts("broadcast") == []

    send = {"area_id": place.meghri.id}
    assert api.post("/api/v1/alerts/broadcasts", headers=headers, json=send
                    ).status_code == 428
    stale = api.post("/api/v1/alerts/broadcasts", headers={**headers, "If-Match": '"x"'},
                     json=send)
    assert stale.status_code == 412 and stale.mimetype == "application/problem+json"
    assert alert_texts("broadcast") == []
    sent = api.post("/api/v1/alerts/broadcasts", json=send, headers={
        **headers, "If-Match": preview.headers["ETag"], "Idempotency-Key": "meghri-1"})
    assert sent.status_code == 201, sent.get_json()
    assert sent.get_json()["kind"] == "broadcast" and sent.get_json()["phones"] == 4
    texts = alert_texts("broadcast")
    assert len(texts) == 4 and {t.locale for t in texts} == {"hy", "fa", "ru", "ps"}
    # A retry with the same key sends nothing more.
    again = api.post("/api/v1/alerts/broadcasts", json=send, headers={
        **headers, "If-Match": preview.headers["ETag"], "Idempotency-Key": "meghri-1"})
    assert again.status_code == 201 and len(alert_texts("broadcast")) == 4
    alert = db.session.scalars(select(Alert)).one()
    assert audit.history("alert", alert.id)[0].actor_id == place.supervisor.id
    # The villages had their alert: the old preview is stale, a new one reaches nobody.
    after = api.get(url, headers=headers).get_json()
    assert after["phones"] == 0 and len(after["villages_skipped"]) == 2
    stale = api.post("/api/v1/alerts/broadcasts", json=send,
                     headers={**headers, "If-Match": preview.headers["ETag"]})
    assert stale.status_code == 412
    nobody = api.post("/api/v1/alerts/broadcasts", json=send, headers={
        **headers, "If-Match": api.get(url, headers=headers).headers["ETag"]})
    assert nobody.status_code == 400 and "nothing was sent" in nobody.get_json()["title"]
    assert len(alert_texts("broadcast")) == 4


def test_a_broadcast_outside_the_area_role_or_scope_is_refused(app, place):  # noqa: F811
    api, headers = _api(app, place.supervisor, "alerts")
    outside = api.get(f"/api/v1/alerts/broadcast-preview?area_id={place.vayots.id}",
                      headers={**headers, "Accept-Language": "ru"})
    assert outside.status_code == 403
    assert "jurisdiction" not in outside.get_json()["title"]  # said in Russian
    assert api.get("/api/v1/alerts/broadcast-preview?area_id=x", headers=headers
                   ).status_code == 400
    assert api.get(f"/api/v1/alerts/broadcast-preview?area_id={2**31 - 1}", headers=headers
                   ).status_code == 400
    clerk, clerk_headers = _api(app, place.clerk, "alerts")
    assert clerk.get(f"/api/v1/alerts/broadcast-preview?area_id={place.meghri.id}",
                     headers=clerk_headers).status_code == 403
    etag = api.get(f"/api/v1/alerts/broadcast-preview?area_id={place.meghri.id}",
                   headers=headers).headers["ETag"]
    assert clerk.post("/api/v1/alerts/broadcasts", json={"area_id": place.meghri.id},
                      headers={**clerk_headers, "If-Match": etag}).status_code == 403
    # Without the alerts scope the supervisor's token may preview but not send.
    reader, reader_headers = _api(app, place.supervisor)
    assert reader.post("/api/v1/alerts/broadcasts", json={"area_id": place.meghri.id},
                       headers={**reader_headers, "If-Match": etag}).status_code == 403
    assert alert_texts("broadcast") == []


def test_the_effect_of_alerts_through_the_api(app, place, monkeypatch):  # noqa: F811
    from datetime import date, timedelta

    from conflict_app.alerts import effect

    api, headers = _api(app, place.analyst)
    # Too few attacks: no ratio, the reason and the counts, with the design grade.
    few = api.get("/api/v1/analytics/alerts?weeks=4", headers=headers)
    assert few.status_code == 200, few.get_json()
    body = few.get_json()
    assert body["ratio"] is None and body["suppressed"]
    assert (body["grade"], body["design"]) == ("C", "control_impact")
    assert "higher_risk_where_alerted" in body["caveats"]
    monday = date(2026, 3, 2)
    attacks = [(v, monday + timedelta(days=8 + v % 14)) for v in range(10)] + \
        [(v, monday + timedelta(days=9 + v % 14)) for v in range(10, 40)]
    known = effect.tally({v: monday for v in range(10)}, 60, attacks, 4)
    monkeypatch.setattr(effect, "compare", lambda user, country, weeks: known)
    body = api.get("/api/v1/analytics/alerts", headers=headers).get_json()
    assert body["ratio"] == known.ratio and body["ci_high"] == known.ci_high
    assert body["rate_alerted"] == known.rate_alerted
    assert api.get("/api/v1/analytics/alerts?weeks=3", headers=headers).status_code == 400
    clerk, clerk_headers = _api(app, place.clerk)
    assert clerk.get("/api/v1/analytics/alerts", headers=clerk_headers).status_code == 403
