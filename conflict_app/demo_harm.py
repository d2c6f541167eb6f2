"""Demo examples of claims beside livestock (PRODUCT.md §4, schemes.harm): an injury to a
herder, a herder's death with the next of kin paid the ex-gratia amount, and a potato field
trampled when a leopard chased the herd through it, all under EXAMPLE-AM-COMP (which enables
them) and driven through the same operations as the pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from conflict_app import demo_steps
from conflict_app.claims import harm_records
from conflict_app.claims import operations as ops
from conflict_app.claims.models import Claim, Setting
from conflict_app.core import clock
from conflict_app.core.permissions import Role
from conflict_app.herders import operations as household_ops
from conflict_app.herders.models import Species
from conflict_app.schemes.harm import HarmKind, Severity

# The amounts of the example rule version (demo.py), in AMD.
RULES = {"human_injury_allowed": "1", "injury_minor": "150000", "injury_serious": "600000",
         "injury_permanent": "1500000", "injury_medical_cap": "200000",
         "human_death_allowed": "1", "death_amount": "3000000",
         "crop_damage_allowed": "1", "crop_rate_wheat": "250000",
         "crop_rate_potato": "400000", "crop_rate_fodder": "120000"}


def _verified(staff: dict, household, kind: HarmKind, setting: Setting,  # noqa: ANN001
              reported: datetime) -> Claim:
    return demo_steps.verified(staff, household, reported, setting=setting, harm_kind=kind,
                               wounds=True, dna_taken=False)


def examples(staff: dict) -> str:
    """One injury claim, one death claim and one crop damage claim, all assessed."""
    clerk, verifier = staff[("syunik", Role.CLERK)], staff[("syunik", Role.VERIFIER)]
    village = demo_steps.syunik_village(staff)
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
                        "hospital"), demo_steps.paper_photo("EXAMPLE medical report"))
    ops.assess(injury.id, clerk, None)
    crops = _verified(staff, household, HarmKind.CROP_DAMAGE, Setting.VILLAGE,
                      now - timedelta(days=2))
    harm_records.record(crops.id, verifier, None, harm_records.HarmInput(
        crop="potato", area_ha=Decimal("0.35"), measured_on=clock.today()))
    ops.assess(crops.id, clerk, None)
    clock.freeze(now - timedelta(days=30))
    family = household_ops.register_household(clerk, household_ops.HouseholdInput(
        head_name="Example: Armine Sargsyan", phone="+37493100319", village_id=village.id,
        language="hy", census={(now.year, Species.SHEEP): 40}))
    death = _verified(staff, family, HarmKind.HUMAN_DEATH, Setting.PASTURE,
                      now - timedelta(days=9))
    harm_records.record(death.id, verifier, None, harm_records.HarmInput(
        next_of_kin="Example: Armine Sargsyan (wife)",
        medical_details="Example: killed at the summer pasture"),
        demo_steps.paper_photo("EXAMPLE death certificate"))
    ops.assess(death.id, clerk, None)
    totals = [ops.latest_assessment(c.id).total for c in (injury, death, crops)]
    return (f"{injury.reference}: injury to a herder, fixed amount and medical costs "
            f"({totals[0]} AMD); {death.reference}: a herder's death, ex-gratia amount to "
            f"the next of kin ({totals[1]} AMD); {crops.reference}: potato field trampled, "
            f"0.35 ha ({totals[2]} AMD)")
