"""The demo's committee: Golestan's example scheme asks a village committee to confirm the
leopard before each assessment, and its claims carry the meeting's minute."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from conflict_app.auth.models import User
from conflict_app.claims.models import Claim
from conflict_app.core import clock
from conflict_app.extensions import db
from conflict_app.geo.models import AdminArea
from conflict_app.schemes import operations as scheme_ops
from conflict_app.schemes import params
from conflict_app.schemes.params import SchemeKind
from conflict_app.verification import committee_ops
from conflict_app.verification.committee import Vote

MEMBERS = [("حسن احمدی", "دهیار", Vote.CONFIRM),
           ("مریم کریمی", "دامپزشک", Vote.CONFIRM),
           ("علی رضایی", "محیط‌بان", Vote.CONFIRM),
           ("زهرا موسوی", "نماینده دامداران", Vote.ABSTAIN)]
MINUTE = ("کمیته روستا گزارش بازدید و عکس‌ها را بررسی کرد. جای دندان در گلو و لاشه پنهان‌شده "
          "نشان پلنگ است.")


def example_scheme(manager: User, province: AdminArea) -> str:
    scheme = scheme_ops.create_scheme(manager, scheme_ops.SchemeInput(
        code="EXAMPLE-IR-CMTE", name="Example: Golestan compensation with a village committee",
        kind=SchemeKind.COMPENSATION, country_code="IR", admin1_id=province.id,
        currency="IRR", funders="Example: provincial environment office",
        budget=Decimal(100_000_000_000), over_budget="queue", valid_from=date(2025, 1, 1),
        valid_to=None, review_share=Decimal(0), review_above=None, example=True))
    values = params.defaults(SchemeKind.COMPENSATION) | {
        "committee_required": "1", "committee_quorum": "3", "committee_votes": "2"}
    version = scheme_ops.add_version(manager, scheme.id, date(2025, 1, 1), values,
                                     "A village committee of at least three confirms")
    scheme_ops.publish_version(manager, version.id)
    return scheme.code


def meet(claim_id: int, supervisor: User) -> None:
    """A quorate meeting that confirms, when the claim's scheme asks for one."""
    claim = db.session.get(Claim, claim_id)
    if committee_ops.rule_for(claim) is None:
        return
    committee_ops.record_meeting(claim_id, supervisor, committee_ops.MeetingInput(
        held_on=clock.today(), minute=MINUTE, members=list(MEMBERS)))
