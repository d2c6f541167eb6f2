"""Property-based: arbitrary values sent to every form endpoint never produce a 500."""

from __future__ import annotations

import importlib
import pkgutil

from flask import url_for
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import conflict_app
from conflict_app.claims.workflow import Action
from tests.test_every_route import _values


def _field_names() -> list[str]:
    names: set[str] = set()
    for module in pkgutil.walk_packages(conflict_app.__path__, "conflict_app."):
        if module.name.endswith(".forms"):
            mod = importlib.import_module(module.name)
            for obj in vars(mod).values():
                if isinstance(obj, type) and issubclass(obj, FlaskForm):
                    names.update(n for n in dir(obj) if not n.startswith("_")
                                 and hasattr(getattr(obj, n), "field_class"))
    for action in Action:
        names.update(f"{action.value}-{n}" for n in ("version", "reason", "deadline",
                                                       "verifier_id", "original_reference"))
    names.update(f"lines-{i}-{n}" for i in range(3)
                 for n in ("species", "age_class", "killed", "injured"))
    from conflict_app.schemes.params import SPECS

    names.update(p.name for specs in SPECS.values() for p in specs)  # rule-version form
    return sorted(names - {"csrf_token", "meta"})


FIELDS = _field_names()
VALUES = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-10**12, max_value=10**12).map(str),
    st.sampled_from(["", "0", "-1", "1e309", "NaN", "2026-02-30", "9999-99-99", "00:99",
                     "None", "true", "sheep", "leopard", "confirmed", "AM-2026-000001",
                     "\u202e", "' OR 1=1 --", "<script>", "x" * 5000]),
)
FORMS = st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=12)


def test_no_form_answers_500(app, world, browser_for):
    values = _values(world)
    staff = {
        "clerk": browser_for(world.clerk), "supervisor": browser_for(world.supervisor),
        "verifier": browser_for(world.verifier), "approver": browser_for(world.approver),
        "finance": browser_for(world.finance), "admin": browser_for(world.admin),
        "manager": browser_for(world.manager),
    }
    targets = []
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and rule.endpoint not in {"auth.logout", "status.sms_inbound"}:
            with app.test_request_context():
                url = url_for(rule.endpoint, **{a: values.get(a, 1) for a in rule.arguments})
            targets.append(url)
    for action in ("screen", "assign_verifier", "request_evidence", "mark_duplicate"):
        targets.append(f"/claims/{values['claim_id']}/actions/{action}")

    @settings(max_examples=300, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow,
                                     HealthCheck.function_scoped_fixture])
    @given(form=FORMS, who=st.sampled_from(sorted(staff)), target=st.sampled_from(targets))
    def check(form, who, target):
        browser = staff[who]
        response = browser.post(target, data=form)
        response.close()
        assert response.status_code < 500, (who, target, form)

    check()


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=10,
)


def test_json_and_webhook_endpoints_never_answer_500(app, world, browser_for):
    app.config["SMS_INBOUND_SECRET"] = "s3cret"
    analyst = browser_for(world.analyst)
    client = app.test_client()

    @settings(max_examples=150, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow,
                                     HealthCheck.function_scoped_fixture])
    @given(body=JSONISH, sender=st.text(max_size=30), text=st.text(max_size=200),
           query=st.dictionaries(st.sampled_from(["country", "filter", "lang"]),
                                 st.text(max_size=10), max_size=3))
    def check(body, sender, text, query):
        response = client.post("/sms/inbound", data={"from": sender, "text": text},
                               headers={"X-Pardus-Secret": "s3cret"})
        assert response.status_code < 500, (sender, text)
        response = client.post("/sms/inbound", json=body,
                               headers={"X-Pardus-Secret": "s3cret"})
        assert response.status_code < 500, body
        response = analyst.get("/analytics/effectiveness.json", query_string=query)
        assert response.status_code < 500, query

    try:
        check()
    finally:
        app.config["SMS_INBOUND_SECRET"] = None


def test_impossible_ids_and_cursors_are_not_found_not_500(world, browser_for):
    clerk = browser_for(world.clerk)
    huge = str(2**70)
    for url in (f"/claims/{huge}", f"/households/{huge}", f"/claims?after={huge}",
                f"/households/?after={huge}",
                f"/queue?role=clerk&after_due=2026-01-01T00:00:00%2B00:00&after_id={huge}",
                "/queue?role=clerk&after_due=2026-01-01T00:00:00&after_id=1"):
        response = clerk.get(url)
        assert response.status_code in {200, 404}, url
