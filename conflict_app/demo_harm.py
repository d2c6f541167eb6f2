"""Demo examples of claims beside livestock (PRODUCT.md §4, schemes.harm): an injury to a
herder and a potato field trampled when a leopard chased the herd through it, both under
EXAMPLE-AM-COMP (which enables them) and driven through the same operations as the pages."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from PIL import Image, ImageDraw
from sqlalchemy import select

from conflict_app.claims import harm_records, intake
from conflict_app.claims import operations as ops
from conflict_app.claims.models import Claim, Setting
from conflict_app.core import clock
from conflict_app.core.permissions import Role
from conflict_app.extensions import db
from conflict_app.geo.models import Village
from conflict_app.herders import operations as household_ops
from conflict_app.herders.models import Species
from conflict_app.schemes.harm import HarmKind, Severity
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

# The amounts of the example rule version (demo.py), in AMD.
RULES = {"human_injury_allowed": "1", "injury_minor": "150000", "injury_serious": "600000",
         "injury_permanent": "1500000", "injury_medical_cap": "200000",
         "crop_damage_allowed": "1", "crop_rate_wheat": "250000",
         "crop_rate_potato": "400000", "crop_rate_fodder": "120000"}


def _document() -> bytes:
    """A plain picture standing for the photographed medical report."""
    image = Image.new("RGB", (480, 640), (250, 250, 245))
    ImageDraw.Draw(image).text((30, 30), "EXAMPLE medical report", fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, format="JPEG")
    return out.getvalue()


def _verified(staff: dict, household, kind: HarmKind, setting: Setting,  # noqa: ANN001
              reported: datetime) -> Claim:
    clerk, verifier = staff[("syunik", Role.CLERK)], staff[("syunik", Role.VERIFIER)]
    clock.freeze(reported)
    claim, _pin = intake.register_report(clerk, household, intake.ReportInput(
        occurred_on=(reported - timedelta(hours=10)).date(), setting=setting, lines=[],
        harm_kind=kind, description="Demo report"))
    ops.screen(claim.id, clerk, claim.version)
    ops.assign_verifier(claim.id, staff[("syunik", Role.SUPERVISOR)], claim.version,
                        verifier.id)
    clock.freeze(reported + timedelta(hours=20))
    verification_ops.file_verification(claim.id, verifier, claim.version,
                                       verification_ops.VerificationInput(
        visited_on=clock.today(), predator=Predator.LEOPARD, confidence=Confidence.CONFIRMED,
        signs=Signs(haemorrhage=True, bite_location=BiteLocation.THROAT_NAPE,
                    canine_spacing_cm=None, claw_rakes=True,
                    carcass_handling=CarcassHandling.NONE, feeding_pattern=None,
                    heads_killed=0, tracks=Tracks.LEOPARD, scat_hair_dna=False,
                    camera_trap=CameraTrap.NONE, hours_since_attack=None),
        confirmed={}, notes="Demo verification"))
    return claim


def examples(staff: dict) -> str:
    """One injury claim and one crop damage claim, both assessed."""
    clerk, verifier = staff[("syunik", Role.CLERK)], staff[("syunik", Role.VERIFIER)]
    _country, province = staff["places"]["syunik"]
    village = db.session.scalars(select(Village).where(Village.admin1_id == province.id)
                                 .order_by(Village.id)).first()
    now = datetime.now(UTC)
    clock.freeze(now - timedelta(days=30))
    household = household_ops.register_household(clerk, household_ops.HouseholdInput(
        head_name="Example: Gohar Hakobyan", phone="+37493100318", village_id=village.id,
        language="hy", census={(now.year, Species.GOAT): 60}))
    injury = _verified(staff, household, HarmKind.HUMAN_INJURY, Setting.PASTURE,
                       now - timedelta(days=5))
    harm_records.record(injury.id, verifier, None, harm_records.HarmInput(
        severity=Severity.MINOR, medical_costs=Decimal("85000"),
        medical_details="Example: bite wounds on the forearm, treated at the district "
                        "hospital"), _document())
    ops.assess(injury.id, clerk, None)
    crops = _verified(staff, household, HarmKind.CROP_DAMAGE, Setting.VILLAGE,
                      now - timedelta(days=2))
    harm_records.record(crops.id, verifier, None, harm_records.HarmInput(
        crop="potato", area_ha=Decimal("0.35"), measured_on=clock.today()))
    ops.assess(crops.id, clerk, None)
    totals = [ops.latest_assessment(c.id).total for c in (injury, crops)]
    return (f"{injury.reference}: injury to a herder, fixed amount and medical costs "
            f"({totals[0]} AMD); {crops.reference}: potato field trampled, 0.35 ha "
            f"({totals[1]} AMD)")
