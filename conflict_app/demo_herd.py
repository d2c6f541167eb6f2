"""Demo examples of the two loss rules beside the per-head valuation: a missing-animals claim
valued at herd level and a vet invoice capped per head, both under EXAMPLE-AM-COMP and
driven through the same operations as the pages (PRODUCT.md §4)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from PIL import Image, ImageDraw
from sqlalchemy import select

from conflict_app.claims import herd_evidence, intake
from conflict_app.claims import operations as ops
from conflict_app.claims.models import AgeClass, Claim, Setting
from conflict_app.core import clock
from conflict_app.core.permissions import Role
from conflict_app.extensions import db
from conflict_app.geo.models import Village
from conflict_app.herders import operations as household_ops
from conflict_app.herders.models import Species
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


def _invoice_photo() -> bytes:
    """A plain picture standing for the photographed invoice (the demo has no real one)."""
    image = Image.new("RGB", (480, 640), (250, 250, 245))
    draw = ImageDraw.Draw(image)
    draw.text((30, 30), "EXAMPLE vet invoice", fill=(20, 20, 20))
    draw.text((30, 70), "Wound care, 2 sheep: 64 000 AMD", fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, format="JPEG")
    return out.getvalue()


def _verified(staff: dict, household, killed: int, injured: int,  # noqa: ANN001
              reported: datetime) -> Claim:
    clerk, verifier = staff[("syunik", Role.CLERK)], staff[("syunik", Role.VERIFIER)]
    clock.freeze(reported)
    claim, _pin = intake.register_report(clerk, household, intake.ReportInput(
        occurred_on=(reported - timedelta(hours=10)).date(), setting=Setting.PASTURE,
        lines=[intake.LossInput(Species.SHEEP, AgeClass.ADULT_FEMALE, killed, injured)],
        description="Demo report"))
    ops.screen(claim.id, clerk, claim.version)
    ops.assign_verifier(claim.id, staff[("syunik", Role.SUPERVISOR)], claim.version,
                        verifier.id)
    clock.freeze(reported + timedelta(hours=20))
    verification_ops.file_verification(claim.id, verifier, claim.version,
                                       verification_ops.VerificationInput(
        visited_on=clock.today(), predator=Predator.LEOPARD, confidence=Confidence.CONFIRMED,
        signs=Signs(haemorrhage=injured > 0, bite_location=BiteLocation.THROAT_NAPE,
                    canine_spacing_cm=None, claw_rakes=injured > 0,
                    carcass_handling=CarcassHandling.NONE, feeding_pattern=None,
                    heads_killed=0, tracks=Tracks.LEOPARD, scat_hair_dna=True,
                    camera_trap=CameraTrap.NONE, hours_since_attack=None),
        confirmed={ln.id: (ln.killed, ln.injured) for ln in claim.incident.lines},
        notes="Demo verification"))
    return claim


def examples(staff: dict) -> str:
    """One missing-animals claim and one vet-invoice claim, both assessed."""
    clerk, verifier = staff[("syunik", Role.CLERK)], staff[("syunik", Role.VERIFIER)]
    _country, province = staff["places"]["syunik"]
    village = db.session.scalars(select(Village).where(Village.admin1_id == province.id)
                                 .order_by(Village.id)).first()
    now = datetime.now(UTC)
    clock.freeze(now - timedelta(days=40))
    household = household_ops.register_household(clerk, household_ops.HouseholdInput(
        head_name="Example: Vardan Sargsyan", phone="+37493100209", village_id=village.id,
        language="hy", census={(now.year, Species.SHEEP): 240}))
    # Back from the summer pasture: 240 ewes went up, 226 came down, 3 were sold.
    missing = _verified(staff, household, 11, 0, now - timedelta(days=6))
    line = missing.incident.lines[0]
    season_end = clock.today() - timedelta(days=1)
    herd_evidence.record_counts(missing.id, clerk, None, herd_evidence.CountsInput(
        loss_line_id=line.id, count_before=240, counted_before_on=season_end - timedelta(
            days=120), count_after=226, counted_after_on=season_end, explained=3,
        explanation="3 sold at the July market"))
    herd_evidence.record_signs(missing.id, verifier, None, line.id,
                               season_end - timedelta(days=20),
                               "Leopard tracks and scat on the upper pasture path")
    ops.assess(missing.id, clerk, None)
    # Two ewes bitten at the corral wall and treated by the district vet.
    injured = _verified(staff, household, 0, 2, now - timedelta(days=3))
    herd_evidence.record_vet_invoice(injured.id, clerk, None, injured.incident.lines[0].id,
                                     Decimal("64000"), clock.today(), _invoice_photo())
    ops.assess(injured.id, clerk, None)
    totals = [ops.latest_assessment(c.id).total for c in (missing, injured)]
    return (f"{missing.reference}: missing sheep valued at herd level ({totals[0]} AMD); "
            f"{injured.reference}: vet invoice capped per head ({totals[1]} AMD)")
