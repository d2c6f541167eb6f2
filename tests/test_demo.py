"""The demo builds claims in every state through the real operations."""

from decimal import Decimal

from sqlalchemy import select

from conflict_app.auth.models import User
from conflict_app.claims.models import Claim
from conflict_app.claims.workflow import State
from conflict_app.core.permissions import Role
from conflict_app.demo import build
from conflict_app.extensions import db


def test_demo_has_every_state_and_role_and_runs_once(app):
    lines = list(build())
    assert any("DEMO ONLY" in line for line in lines)
    states = set(db.session.scalars(select(Claim.state)))
    assert states == set(State)
    roles = {r for u in db.session.scalars(select(User)) for r in u.roles}
    assert roles == set(Role)
    # A verified leopard attack texted its neighbours, and the alert names a village only.
    from conflict_app.alerts.models import Alert

    alert = db.session.scalars(select(Alert).where(Alert.phones > 0)).first()
    assert alert is not None and alert.claim_id is not None and alert.village is not None
    assert any(line.startswith("Prevention alerts: ") for line in lines)
    # Golestan's example scheme asks its village committee: every assessed claim there
    # carries a quorate meeting that confirmed the leopard.
    from conflict_app.verification.committee_models import CommitteeMeeting

    meetings = db.session.scalars(select(CommitteeMeeting)).all()
    assert meetings and all(m.tally.confirmed for m in meetings)
    assert {db.session.get(Claim, m.claim_id).scheme.code for m in meetings} == {
        "EXAMPLE-IR-CMTE"}
    before = db.session.scalar(select(Claim.id).order_by(Claim.id.desc()))
    assert list(build()) == ["Demo data already present: nothing changed."]
    assert db.session.scalar(select(Claim.id).order_by(Claim.id.desc())) == before


def test_demo_has_a_missing_animals_claim_and_a_vet_invoice(app):
    from conflict_app.schemes.models import AssessmentLine

    lines = list(build())
    assert any("missing sheep valued at herd level" in line for line in lines)
    kinds = {(k, h) for k, h in db.session.execute(
        select(AssessmentLine.kind, AssessmentLine.heads))}
    # 240 − 226 − 3 = 11 missing, less 2 % of 240 (4.8) = 6 whole heads; 2 treated heads.
    assert ("missing", 6) in kinds and ("vet", 2) in kinds


def test_demo_has_an_injury_a_death_and_a_crop_damage_claim(app):
    from conflict_app.schemes.harm_models import ClaimHarm
    from conflict_app.schemes.models import Assessment

    lines = list(build())
    assert any("injury to a herder" in line and "potato field" in line
               and "a herder's death" in line for line in lines)
    totals = {kind: total for kind, total in db.session.execute(
        select(ClaimHarm.kind, Assessment.total).join(
            Assessment, Assessment.claim_id == ClaimHarm.claim_id))}
    # Minor injury 150 000 + medical costs 85 000 (under the 200 000 cap); 0.35 ha of
    # potatoes × 400 000 = 140 000; the death's fixed ex-gratia amount, 3 000 000.
    assert totals == {"human_injury": Decimal("235000.00"),
                      "human_death": Decimal("3000000.00"),
                      "crop_damage": Decimal("140000.00")}


def test_the_demo_builds_in_the_evening_when_the_range_is_already_on_tomorrow(app):
    """At 21:30 UTC it is already the next day in Tbilisi and Tehran: the demo's insurance
    cover starts on the local today, which is not in the past there."""
    from datetime import UTC, datetime

    from conflict_app.core import clock

    clock.freeze(datetime.now(UTC).replace(hour=21, minute=30, second=0, microsecond=0))
    try:
        lines = list(build())
    finally:
        clock.freeze(None)
    assert any("EXAMPLE-GE-INS: 2 households enrolled" in line for line in lines)


def test_demo_has_an_endowment_feeding_the_armenian_scheme(app):
    from conflict_app.schemes import funds
    from conflict_app.schemes.fund_models import Fund
    from conflict_app.schemes.models import Scheme

    list(build())
    fund = db.session.scalars(select(Fund)).one()
    totals = funds.totals(fund)
    assert totals.principal.amount == Decimal(50_000_000)
    assert totals.available.amount == Decimal(400_000)
    scheme = db.session.scalars(select(Scheme).where(Scheme.code == "EXAMPLE-AM-COMP")).one()
    sources = funds.sources(scheme)
    assert sources.from_funds.amount == Decimal(2_000_000)
    assert sources.direct.amount == Decimal(20_000_000)
