"""The claim lifecycle through its operations: rules a claims officer would notice."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from conflict_app.claims import appeals, pins
from conflict_app.claims import operations as ops
from conflict_app.claims.models import AgeClass, Claim, DuplicateFlag, Evidence
from conflict_app.claims.workflow import State
from conflict_app.core import audit, clock
from conflict_app.core.errors import (
    IllegalTransition,
    InvalidInput,
    PermissionDenied,
    StaleObject,
)
from conflict_app.core.permissions import Role
from conflict_app.extensions import db
from conflict_app.herders.models import Species
from conflict_app.verification import operations as verification_ops
from conflict_app.verification.checklist import Confidence, Predator
from tests import helpers
from tests.helpers import reload


def test_report_opens_a_claim_with_reference_pin_and_deadline(world):
    claim, pin = helpers.report(world)
    assert claim.reference == f"AM-{clock.now().year}-{claim.id:06d}"
    assert len(pin) == 6 and pin.isdigit()
    assert pins.check_pin(claim.pin_hash, pin) == (True, False) and pin not in claim.pin_hash
    assert claim.state == State.REPORTED
    assert claim.due_at == claim.reported_at + timedelta(hours=24)
    assert claim.currency == "AMD"
    entries = audit.history("claim", claim.id)
    assert [e.action for e in entries] == ["register"]
    assert entries[0].actor_id == world.clerk.id


def test_late_report_is_flagged_and_past_cutoff_needs_a_supervisor(world):
    claim, _ = helpers.report(world, days_ago=5)
    assert claim.late_report
    hh = claim.household
    with pytest.raises(InvalidInput, match="older than 15 days"):
        helpers.report(world, hh=hh, days_ago=20)
    with pytest.raises(InvalidInput, match="give the reason"):
        helpers.report(world, hh=hh, days_ago=20, actor=world.supervisor)
    late, _ = helpers.report(world, hh=hh, days_ago=20, actor=world.supervisor,
                             late_override_reason="Road closed by snow")
    assert late.late_override_reason == "Road closed by snow"


def test_future_incident_and_empty_lines_are_refused(world):
    hh = helpers.household(world)
    before = db.session.scalar(select(func.count(Claim.id)))
    with pytest.raises(InvalidInput, match="future"):
        helpers.report(world, hh=hh, days_ago=-2)
    with pytest.raises(InvalidInput, match="at least one"):
        helpers.report(world, hh=hh, killed=0, injured=0)
    assert db.session.scalar(select(func.count(Claim.id))) == before


def test_staff_cannot_report_outside_their_jurisdiction(world):
    hh = helpers.household(world, village=world.gndevaz)
    with pytest.raises(PermissionDenied):
        helpers.report(world, hh=hh, actor=world.clerk)


def test_duplicate_and_census_checks_flag_for_a_human(world):
    year = clock.today().year
    hh = helpers.household(world, census={(year, Species.SHEEP): 2})
    first, _ = helpers.report(world, hh=hh, killed=1)
    second, _ = helpers.report(world, hh=hh, killed=3, days_ago=2)
    kinds = set(db.session.scalars(
        select(DuplicateFlag.kind).where(DuplicateFlag.claim_id == second.id)))
    assert kinds == {"same_household_nearby", "above_census"}
    flag = db.session.scalars(select(DuplicateFlag).where(
        DuplicateFlag.claim_id == second.id, DuplicateFlag.kind == "same_household_nearby")).one()
    assert flag.other_claim_id == first.id
    assert second.state == State.REPORTED  # flagged, never silently refused


def test_illegal_and_stale_actions_change_nothing(world):
    claim, _ = helpers.report(world)
    version = claim.version
    with pytest.raises(IllegalTransition):
        ops.approve(claim.id, world.approver, version)
    with pytest.raises(PermissionDenied):
        ops.screen(claim.id, world.verifier, version)
    ops.screen(claim.id, world.clerk, version)
    with pytest.raises(StaleObject):
        ops.declare_ineligible(claim.id, world.clerk, version, "late")
    claim = reload(claim)
    assert claim.state == State.SCREENED
    assert [e.action for e in audit.history("claim", claim.id)] == ["register", "screen"]


def test_more_evidence_returns_to_where_it_was(world):
    claim, _ = helpers.report(world)
    ops.screen(claim.id, world.clerk, claim.version)
    with pytest.raises(InvalidInput, match="after today"):
        ops.request_evidence(claim.id, world.clerk, claim.version, "vet note",
                             clock.today())
    ops.request_evidence(claim.id, world.clerk, claim.version, "vet note",
                         clock.today() + timedelta(days=10))
    claim = reload(claim)
    assert claim.state == State.MORE_EVIDENCE_REQUESTED
    assert claim.due_at.date() == clock.today() + timedelta(days=10)
    ops.receive_evidence(claim.id, world.clerk, claim.version)
    assert reload(claim).state == State.SCREENED


def test_verifier_must_work_in_the_area_and_only_they_file(world):
    claim, _ = helpers.report(world)
    ops.screen(claim.id, world.clerk, claim.version)
    outsider = world.user("ranger@vayots.test", {Role.VERIFIER}, "AM", world.vayots.id)
    with pytest.raises(InvalidInput, match="verifier"):
        ops.assign_verifier(claim.id, world.supervisor, claim.version, outsider.id)
    ops.assign_verifier(claim.id, world.supervisor, claim.version, world.verifier.id)
    other = world.user("ranger2@am.test", {Role.VERIFIER}, "AM", world.syunik.id)
    data = verification_ops.VerificationInput(
        visited_on=clock.today(), signs=helpers.signs(), predator=Predator.LEOPARD,
        confidence=Confidence.CONFIRMED, confirmed={ln.id: (9, 0) for ln in claim.incident.lines})
    with pytest.raises(PermissionDenied):
        verification_ops.file_verification(claim.id, other, claim.version, data)
    with pytest.raises(InvalidInput, match="higher than the reported"):
        verification_ops.file_verification(claim.id, world.verifier, claim.version, data)
    assert reload(claim).state == State.VERIFICATION_SCHEDULED


def test_bad_photo_is_refused_and_leaves_no_file(world, app):
    claim, _ = helpers.report(world)
    evidence_dir = Path(app.config["EVIDENCE_DIR"])
    before = {p for p in evidence_dir.rglob("*") if p.is_file()}
    with pytest.raises(InvalidInput, match="not a readable photo"):
        helpers.verified(world, claim=claim, photos=[helpers.photo_bytes(),
                                                     b"MZ\x90\x00 not an image"])
    assert {p for p in evidence_dir.rglob("*") if p.is_file()} == before
    assert reload(claim).state == State.VERIFICATION_SCHEDULED


def test_photo_is_reencoded_and_reuse_is_flagged(world):
    jpeg = helpers.photo_bytes()
    first = helpers.verified(world, photos=[jpeg])
    second = helpers.verified(world, photos=[jpeg], hh=helpers.household(world, name="B"))
    item = db.session.scalars(select(Evidence).where(Evidence.claim_id == first.id)).one()
    assert item.content_type == "image/jpeg" and item.width == 64
    flags = db.session.scalars(select(DuplicateFlag).where(
        DuplicateFlag.claim_id == second.id, DuplicateFlag.kind == "same_photo")).all()
    assert [f.other_claim_id for f in flags] == [first.id]


def test_assessment_is_itemised_from_prices_in_force(world):
    claim = helpers.assessed(world, killed=2, injured=1)
    assessment = ops.latest_assessment(claim.id)
    # 2 × 60000 × 0.75 × 1 + 1 × 60000 × 0.75 × 0.25 × 1
    assert assessment.total == Decimal("101250.00")
    assert [(ln.kind, ln.heads) for ln in assessment.lines] == [("killed", 2), ("injured", 1)]
    assert reload(claim).state == State.ASSESSED


def test_missing_price_is_explained_and_changes_nothing(world):
    claim = helpers.verified(world, species=Species.CAMEL, age=AgeClass.YOUNG, killed=1)
    with pytest.raises(InvalidInput, match="No market price"):
        ops.assess(claim.id, world.clerk, claim.version)
    assert reload(claim).state == State.VERIFIED
    assert ops.latest_assessment(claim.id) is None


def test_two_distinct_approvers_above_the_threshold(world):
    claim = helpers.assessed(world, species=Species.CATTLE, killed=1)  # 337 500 AMD
    ops.approve(claim.id, world.approver, claim.version)
    claim = reload(claim)
    assert claim.state == State.ASSESSED
    with pytest.raises(PermissionDenied, match="already approved"):
        ops.approve(claim.id, world.approver, claim.version)
    ops.approve(claim.id, world.approver2, claim.version)
    claim = reload(claim)
    assert claim.state == State.APPROVED
    assert claim.amount_approved == Decimal("337500.00")


def test_one_approver_below_the_threshold(world):
    claim = helpers.assessed(world, killed=1)
    ops.approve(claim.id, world.approver, claim.version)
    assert reload(claim).state == State.APPROVED


def test_the_verifier_may_not_decide(world):
    world.verifier.set_roles({Role.VERIFIER, Role.APPROVER})
    db.session.flush()
    claim = helpers.assessed(world, killed=1)
    with pytest.raises(PermissionDenied, match="verifier"):
        ops.approve(claim.id, world.verifier, claim.version)
    with pytest.raises(PermissionDenied, match="verifier"):
        ops.reject(claim.id, world.verifier, claim.version, "no")


def test_appeal_within_thirty_days_of_rejection(world):
    claim = helpers.assessed(world, confidence=Confidence.POSSIBLE)
    ops.reject(claim.id, world.approver, claim.version, "Evidence too old")
    appeals.appeal(claim.id, world.clerk, reload(claim).version, "Herder has a vet note")
    claim = reload(claim)
    assert claim.state == State.APPEALED
    appeals.appeal_to_assessment(claim.id, world.supervisor, claim.version)
    assert reload(claim).state == State.VERIFIED

    late = helpers.assessed(world, hh=helpers.household(world, name="C"))
    ops.reject(late.id, world.approver, late.version, "Not leopard")
    clock.freeze(datetime.now(UTC) + timedelta(days=31))
    with pytest.raises(InvalidInput, match="appeal period ended"):
        appeals.appeal(late.id, world.clerk, reload(late).version, "too late")
    assert reload(late).state == State.REJECTED


def test_an_approved_amount_can_be_appealed_until_payment_is_scheduled(world):
    from conflict_app.payments import operations as pay
    from conflict_app.payments.models import PaymentMethod

    claim = helpers.approved(world, killed=2)
    assert appeals.appeal_deadline(reload(claim)) is not None
    appeals.appeal(claim.id, world.clerk, reload(claim).version, "Two more ewes died of wounds")
    claim = reload(claim)
    assert claim.state == State.APPEALED and claim.amount_approved is None
    appeals.appeal_to_assessment(claim.id, world.supervisor, claim.version)
    ops.assess(claim.id, world.clerk, reload(claim).version)
    ops.approve(claim.id, world.approver, reload(claim).version)
    assert reload(claim).state == State.APPROVED and reload(claim).amount_approved
    pay.create_batch(world.finance, [claim.id], PaymentMethod.CASH)
    with pytest.raises(IllegalTransition):
        appeals.appeal(claim.id, world.clerk, reload(claim).version, "too late: scheduled")


def test_a_claim_cannot_stand_approved_or_paid_without_its_amount(world):
    """Payments, the budget and the herder's page read the approved amount of every claim
    in these states: the database itself refuses one without it, whoever writes it."""
    from sqlalchemy import update
    from sqlalchemy.exc import IntegrityError

    claim = helpers.approved(world, killed=2)
    for state in ("approved", "payment_scheduled", "paid", "closed"):
        with pytest.raises(IntegrityError):
            db.session.execute(update(Claim).where(Claim.id == claim.id)
                               .values(state=state, amount_approved=None))
        db.session.rollback()
    # Undecided and refused claims carry none.
    db.session.execute(update(Claim).where(Claim.id == claim.id)
                       .values(state="rejected", amount_approved=None))
    db.session.rollback()
    assert reload(claim).amount_approved


def test_withdraw_and_mark_duplicate(world):
    original, _ = helpers.report(world)
    copy, _ = helpers.report(world, hh=helpers.household(world, name="D"))
    with pytest.raises(InvalidInput, match="No claim with this reference"):
        ops.mark_duplicate(copy.id, world.clerk, copy.version, "same", "AM-1999-000001")
    ops.mark_duplicate(copy.id, world.clerk, copy.version, "same event", original.reference)
    copy = reload(copy)
    assert copy.state == State.DUPLICATE and copy.duplicate_of_id == original.id
    with pytest.raises(InvalidInput, match="Give a reason"):
        ops.withdraw(original.id, world.clerk, original.version, "  ")
    ops.withdraw(original.id, world.clerk, original.version, "Herder withdrew")
    assert reload(original).state == State.WITHDRAWN


def test_audit_chain_detects_tampering(world):
    claim, _ = helpers.report(world)
    ops.screen(claim.id, world.clerk, claim.version)
    assert audit.verify_chain() == []
    db.session.execute(text("UPDATE audit_entry SET reason = 'forged' WHERE action = 'screen'"))
    problems = audit.verify_chain()
    assert any("altered" in p for p in problems)


def test_audit_verify_command_reports_a_deleted_entry(app, world):
    claim, _ = helpers.report(world)
    ops.screen(claim.id, world.clerk, claim.version)
    ops.declare_ineligible(claim.id, world.clerk, reload(claim).version, "Not livestock")
    runner = app.test_cli_runner()
    assert "intact" in runner.invoke(args=["audit", "verify"]).output
    db.session.execute(text("DELETE FROM audit_entry WHERE action = 'screen'"))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0
    assert "previous entry missing or altered" in result.output
