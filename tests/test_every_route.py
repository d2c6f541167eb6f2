"""Every route of the URL map, visited anonymously and as every role: never a 500, and
nothing but the public pages without signing in. A new endpoint is covered automatically."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from conflict_app.claims.models import DuplicateFlag, Evidence
from conflict_app.core.permissions import Role
from conflict_app.extensions import db
from tests import helpers

ROLE_USERS = {
    Role.CLERK: "clerk",
    Role.SUPERVISOR: "supervisor",
    Role.VERIFIER: "verifier",
    Role.APPROVER: "approver",
    Role.FINANCE: "finance",
    Role.SCHEME_MANAGER: "manager",
    Role.ANALYST: "analyst",
    Role.ADMIN: "admin",
}


def _scheme(world) -> tuple[int, int]:
    """An incentive scheme with a published and a draft rule version (its pages then have
    real data for every role)."""
    from datetime import date
    from decimal import Decimal

    from conflict_app.schemes import operations as scheme_ops
    from conflict_app.schemes import params

    scheme = scheme_ops.create_scheme(world.manager, scheme_ops.SchemeInput(
        "AM-INC", "Incentives", params.SchemeKind.INCENTIVE, "AM", None, "USD", None,
        Decimal(10_000), "refuse", date(2020, 1, 1), None, Decimal(0), None))
    values = params.defaults(params.SchemeKind.INCENTIVE)
    first = scheme_ops.add_version(world.manager, scheme.id, date(2020, 1, 1), values)
    scheme_ops.publish_version(world.manager, first.id)
    draft = scheme_ops.add_version(world.manager, scheme.id, date(2021, 1, 1), values)
    return scheme.id, draft.id


def _values(world) -> dict[str, object]:
    scheme_id, version_id = _scheme(world)
    claim = helpers.assessed(world, photos=[helpers.photo_bytes()])
    second, _ = helpers.report(world, hh=claim.household, killed=1)
    evidence = db.session.scalars(select(Evidence).where(Evidence.claim_id == claim.id)).first()
    flag = db.session.scalars(select(DuplicateFlag)).first()
    return {
        "claim_id": claim.id,
        "household_id": claim.household_id,
        "evidence_id": evidence.id,
        "flag_id": flag.id if flag else 1,
        "user_id": world.clerk.id,
        "area_id": world.syunik.id,
        "action_name": "screen",
        "filename": "pardus.css",
        "second_claim_id": second.id,
        "scheme_id": scheme_id,
        "version_id": version_id,
    }


def _urls(app, values):
    for rule in app.url_map.iter_rules():
        args = {}
        for name in rule.arguments:
            args[name] = values.get(name, 1)
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **args)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def _is_public(app, endpoint):
    view = app.view_functions[endpoint]
    return endpoint == "static" or getattr(view, "is_public", False)


def test_anonymous_visitors_reach_only_public_pages(app, world):
    values = _values(world)
    client = app.test_client()
    for endpoint, method, url in _urls(app, values):
        response = client.open(url, method=method)
        response.close()
        assert response.status_code < 500, (endpoint, method, url)
        if not _is_public(app, endpoint):
            if method == "GET":
                assert response.status_code == 302, (endpoint, url)
                assert "/login" in response.headers["Location"]
            else:
                # Unsafe requests without a CSRF token are refused before anything else.
                assert response.status_code in {302, 400}, (endpoint, method, url)


@pytest.mark.parametrize("locale", ["en", "ar"])
@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_no_route_answers_500_for_any_role(app, world, browser_for, role, locale):
    """Every page as every role, in English and in a right-to-left language."""
    values = _values(world)
    browser = browser_for(getattr(world, ROLE_USERS[role]))
    page = browser.get(f"/queue?lang={locale}")
    if page.status_code == 200:
        direction = "rtl" if locale == "ar" else "ltr"
        assert f'dir="{direction}"' in page.get_data(as_text=True)
    for endpoint, method, url in _urls(app, values):
        if endpoint in {"auth.logout", "auth.sign_out_everywhere"}:
            continue  # the rest of the routes are tried signed in
        response = browser.get(url) if method == "GET" else browser.post(url, data={})
        response.close()
        if response.mimetype == "text/html":
            title = response.get_data(as_text=True).split("<title>", 1)[-1].split("</title>")[0]
            assert "<" not in title, (endpoint, "markup inside <title>")
        assert response.status_code < 500, (role, endpoint, method, url,
                                            response.get_data(as_text=True)[:300])


def test_staff_of_another_jurisdiction_cannot_see_or_guess_claims(app, world, browser_for):
    values = _values(world)
    outsider = browser_for(world.other_clerk)  # clerk + supervisor of Vayots Dzor
    for name in ("claim_id", "second_claim_id"):
        claim_id = values[name]
        assert outsider.get(f"/claims/{claim_id}").status_code == 404
        response = outsider.post(f"/claims/{claim_id}/actions/screen",
                                 data={"screen-version": "1", "screen-reason": "x"})
        assert response.status_code == 404
    assert outsider.get(f"/households/{values['household_id']}").status_code == 404
    assert outsider.get(
        f"/claims/{values['claim_id']}/evidence/{values['evidence_id']}").status_code == 404
    georgian = browser_for(world.ge_clerk)
    assert georgian.get(f"/claims/{values['claim_id']}").status_code == 404
