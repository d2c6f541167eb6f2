"""Demo examples of the two loss rules beside the per-head valuation: a missing-animals claim
valued at herd level and a vet invoice capped per head, both under EXAMPLE-AM-COMP and
driven through the same operations as the pages (PRODUCT.md §4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from conflict_app import demo_steps
from conflict_app.claims import herd_evidence, intake
from conflict_app.claims import operations as ops
from conflict_app.claims.models import AgeClass, Claim, Setting
from conflict_app.core import clock
from conflict_app.core.permissions import Role
from conflict_app.herders import operations as household_ops
from conflict_app.herders.models import Species


def _verified(staff: dict, household, killed: int, injured: int,  # noqa: ANN001
              reported: datetime) -> Claim:
    return demo_steps.verified(
        staff, household, reported, setting=Setting.PASTURE,
        lines=[intake.LossInput(Species.SHEEP, AgeClass.ADULT_FEMALE, killed, injured)],
        wounds=injured > 0, dna_taken=True)


def examples(staff: dict) -> str:
    """One missing-animals claim and one vet-invoice claim, both assessed."""
    clerk, verifier = staff[("syunik", Role.CLERK)], staff[("syunik", Role.VERIFIER)]
    village = demo_steps.syunik_village(staff)
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
                                     Decimal("64000"), clock.today(),
                                     demo_steps.paper_photo(
                                         "EXAMPLE vet invoice",
                                         "Wound care, 2 sheep: 64 000 AMD"))
    ops.assess(injured.id, clerk, None)
    totals = [ops.latest_assessment(c.id).total for c in (missing, injured)]
    return (f"{missing.reference}: missing sheep valued at herd level ({totals[0]} AMD); "
            f"{injured.reference}: vet invoice capped per head ({totals[1]} AMD)")
