"""Who may open what: every endpoint has an access rule, and only the allowed roles get in.

The rule of an endpoint is its ``@roles_required`` declaration, or an entry in ``IMPLICIT``
below for the few that check inside (claim pages load the claim and answer 404 outside the
jurisdiction). An endpoint with neither fails this test, so none can be forgotten.
"""

from __future__ import annotations

import pytest
from flask import url_for

from conflict_app.core.permissions import CASE_ROLES, PHOTO_ROLES, Role
from tests.test_every_route import ROLE_USERS, _values

SIGNED_IN = frozenset(Role)
IMPLICIT = {
    "claims.queue": SIGNED_IN,
    "claims.detail": CASE_ROLES,
    "claims.act": CASE_ROLES,
    "claims.evidence": PHOTO_ROLES,
    "auth.logout": SIGNED_IN,
    "auth.sign_out_everywhere": SIGNED_IN,
    "auth.account": SIGNED_IN,
    "auth.two_factor_setup": SIGNED_IN,
    "auth.reauthenticate": SIGNED_IN,
    "auth.api_tokens": SIGNED_IN,
    "auth.revoke_api_token": SIGNED_IN,
}


def rule_of(app, endpoint: str):
    view = app.view_functions[endpoint]
    if getattr(view, "api_token_required", False):
        return "token"  # tested in test_api.py: bearer token, no session
    if endpoint == "static" or getattr(view, "is_public", False):
        return "public"
    if hasattr(view, "required_roles"):
        return view.required_roles
    return IMPLICIT.get(endpoint)


def test_every_endpoint_has_an_access_rule(app):
    missing = [rule.endpoint for rule in app.url_map.iter_rules()
               if rule_of(app, rule.endpoint) is None]
    assert missing == [], f"endpoints without an access rule: {missing}"


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_only_allowed_roles_open_each_page(app, world, browser_for, role):
    values = _values(world)
    browser = browser_for(getattr(world, ROLE_USERS[role]))
    wrong = []
    for rule in app.url_map.iter_rules():
        allowed = rule_of(app, rule.endpoint)
        if allowed in {"public", "token"} or "GET" not in rule.methods:
            continue
        with app.test_request_context():
            url = url_for(rule.endpoint, **{a: values.get(a, 1) for a in rule.arguments})
        response = browser.get(url)
        response.close()
        refused = response.status_code in {403, 404}
        if role in allowed and response.status_code == 403:
            wrong.append((rule.endpoint, "refused", response.status_code))
        if role not in allowed and not refused:
            wrong.append((rule.endpoint, "let in", response.status_code))
    assert wrong == []


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_forbidden_posts_change_nothing(app, world, browser_for, role):
    from conflict_app.core.audit import AuditEntry
    from conflict_app.extensions import db

    values = _values(world)
    browser = browser_for(getattr(world, ROLE_USERS[role]))
    before = db.session.query(AuditEntry).count()
    for rule in app.url_map.iter_rules():
        allowed = rule_of(app, rule.endpoint)
        if allowed in {"public", "token"} or "POST" not in rule.methods or role in allowed:
            continue
        with app.test_request_context():
            url = url_for(rule.endpoint, **{a: values.get(a, 1) for a in rule.arguments})
        response = browser.post(url, data={"reason": "x"})
        response.close()
        assert response.status_code in {403, 404}, (rule.endpoint, response.status_code)
    db.session.expire_all()
    assert db.session.query(AuditEntry).count() == before
