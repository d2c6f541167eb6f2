"""Small builders shared by tests: drive claims through the real operations."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image
from sqlalchemy import select

from conflict_app.claims import intake
from conflict_app.claims import operations as ops
from conflict_app.claims.models import AgeClass, Claim, Setting
from conflict_app.core import clock
from conflict_app.extensions import db
from conflict_app.herders import operations as household_ops
from conflict_app.herders.models import PayoutDetails, Species
from conflict_app.verification import operations as verification_ops
from conflict_app.verification.checklist import (
    BiteLocation,
    CameraTrap,
    CarcassHandling,
    Confidence,
    Predator,
    Signs,
    Tracks,
)


def household(world, village=None, name="Armen Petrosyan", census=None):
    village = village or world.shvanidzor
    year = clock.today().year
    return household_ops.register_household(
        world.clerk if village.admin1_id == world.syunik.id else world.other_clerk,
        household_ops.HouseholdInput(
            head_name=name, village_id=village.id, language="hy", phone="+37491234567",
            census=census if census is not None else {(year, Species.SHEEP): 80,
                                                      (year, Species.CATTLE): 6},
        ),
    )


def payout(household, wallet="+37477123456", account="1570012345678900"):
    """Payout details as a clerk would have entered them (a wallet and an account)."""
    found = db.session.scalar(select(PayoutDetails).where(
        PayoutDetails.household_id == household.id))
    if found is not None:
        return found
    details = PayoutDetails(household_id=household.id, wallet_number=wallet,
                            wallet_provider="Idram" if wallet else None, bank_account=account,
                            bank_name="Ardshinbank" if account else None)
    db.session.add(details)
    db.session.flush()
    return details


def report(world, hh=None, species=Species.SHEEP, age=AgeClass.ADULT_FEMALE, killed=3,
           injured=0, days_ago=1, actor=None, **kw):
    hh = hh or household(world)
    data = intake.ReportInput(
        occurred_on=clock.today() - timedelta(days=days_ago),
        setting=Setting.PASTURE,
        lines=[intake.LossInput(species, age, killed, injured)],
        **kw,
    )
    return intake.register_report(actor or world.clerk, hh, data)


def signs(**kw):
    base = dict(haemorrhage=True, bite_location=BiteLocation.THROAT_NAPE,
                canine_spacing_cm=None, claw_rakes=True,
                carcass_handling=CarcassHandling.CACHED, feeding_pattern=None, heads_killed=3,
                tracks=Tracks.LEOPARD, scat_hair_dna=False, camera_trap=CameraTrap.NONE,
                hours_since_attack=20)
    base.update(kw)
    return Signs(**base)


def photo_bytes(color=(120, 60, 30), size=(64, 48), fmt="JPEG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt)
    return out.getvalue()


def verified(world, claim=None, confidence=Confidence.CONFIRMED, photos=(), confirmed=None,
             **report_kw):
    """Screened, visited and verified; the visit confirms ``confirmed`` heads killed per
    line (all those reported when not given)."""
    if claim is None:
        claim, _pin = report(world, **report_kw)
    ops.screen(claim.id, world.clerk, claim.version)
    ops.assign_verifier(claim.id, world.supervisor, claim.version, world.verifier.id)
    lines = claim.incident.lines
    verification_ops.file_verification(
        claim.id, world.verifier, claim.version,
        verification_ops.VerificationInput(
            visited_on=clock.today(), signs=signs(), predator=Predator.LEOPARD,
            confidence=confidence,
            confirmed={ln.id: (ln.killed if confirmed is None else min(confirmed, ln.killed),
                               ln.injured) for ln in lines},
            photos=list(photos),
        ),
    )
    return claim


def assessed(world, **kw):
    claim = verified(world, **kw)
    ops.assess(claim.id, world.clerk, claim.version)
    return claim


def approved(world, **kw):
    claim = assessed(world, **kw)
    ops.approve(claim.id, world.approver, claim.version)
    if claim.state.value != "approved":
        ops.approve(claim.id, world.approver2, claim.version)
    return claim


def reverified(world, claim, predator=Predator.WOLF, confidence=Confidence.PROBABLE):
    """A verified claim assessed, rejected, appealed and visited again: the second report
    finds ``predator``. Returns that report."""
    from conflict_app.claims import appeals

    claim = reload(claim)
    ops.assess(claim.id, world.clerk, claim.version)
    ops.reject(claim.id, world.approver, reload(claim).version, "Not a leopard")
    appeals.appeal(claim.id, world.clerk, reload(claim).version, "A second look")
    ops.assign_verifier(claim.id, world.supervisor, reload(claim).version, world.verifier.id,
                        appeal=True)
    claim = reload(claim)
    report = verification_ops.file_verification(
        claim.id, world.verifier, claim.version, verification_ops.VerificationInput(
            visited_on=claim.incident.occurred_on, signs=signs(), predator=predator,
            confidence=confidence,
            confirmed={ln.id: (ln.killed, ln.injured) for ln in claim.incident.lines}))
    db.session.commit()
    return report


def reload(claim) -> Claim:
    db.session.expire_all()
    return db.session.scalars(select(Claim).where(Claim.id == claim.id)).one()


def post_action(browser, claim, action, **data):
    """Post a claim page's action form as a person would: a decision (approve, reject) and
    an assessment first show what they will do, and are then confirmed on that page."""
    claim = reload(claim)
    payload = {f"{action}-version": str(claim.version)}
    payload.update({f"{action}-{k}": v for k, v in data.items()})
    response = browser.post(f"/claims/{claim.id}/actions/{action}", data=payload)
    if (action in ("approve", "reject", "assess") and response.status_code == 200
            and "What will happen" in response.get_data(as_text=True)):
        payload[f"{action}-confirmed"] = "1"
        response = browser.post(f"/claims/{claim.id}/actions/{action}", data=payload)
    return response


def at_once(app, n: int, work) -> tuple[list, list]:  # noqa: ANN001
    """Run ``work()`` in ``n`` threads released together, each with its own app context and
    session (as parallel requests in several workers have): the race tests' harness.
    Returns what the calls returned and what they raised."""
    import threading

    results, raised = [], []
    start = threading.Barrier(n)

    def run() -> None:
        start.wait()
        with app.app_context():
            try:
                results.append(work())
            except Exception as exc:  # noqa: BLE001 - the caller looks at them
                raised.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, raised
