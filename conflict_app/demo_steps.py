"""Steps the demo's claim examples share (demo_herd, demo_harm): the example village and
household of Syunik, a claim reported, screened and verified by a visit that confirms a
leopard, and a picture standing for a photographed paper (the demo has no real one)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime, timedelta

from PIL import Image, ImageDraw
from sqlalchemy import select

from conflict_app.claims import intake
from conflict_app.claims import operations as ops
from conflict_app.claims.models import Claim, Setting
from conflict_app.core import clock
from conflict_app.core.permissions import Role
from conflict_app.extensions import db
from conflict_app.geo.models import Village
from conflict_app.schemes.harm import HarmKind
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


def paper_photo(*lines: str) -> bytes:
    """A plain picture with ``lines`` written on it, one under the other."""
    image = Image.new("RGB", (480, 640), (250, 250, 245))
    draw = ImageDraw.Draw(image)
    for number, line in enumerate(lines):
        draw.text((30, 30 + 40 * number), line, fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, format="JPEG")
    return out.getvalue()


def syunik_village(staff: dict) -> Village:
    """The first village of Syunik, where the examples' households live."""
    _country, province = staff["places"]["syunik"]
    return db.session.scalars(select(Village).where(Village.admin1_id == province.id)
                              .order_by(Village.id)).first()


def verified(staff: dict, household, reported: datetime, *,  # noqa: ANN001
             setting: Setting, lines: Sequence[intake.LossInput] = (),
             harm_kind: HarmKind | None = None, wounds: bool, dna_taken: bool) -> Claim:
    """A claim reported at ``reported`` and verified 20 hours later: a leopard, confirmed,
    every reported head confirmed; ``wounds``: bleeding bites and claw rakes were seen."""
    clerk, verifier = staff[("syunik", Role.CLERK)], staff[("syunik", Role.VERIFIER)]
    clock.freeze(reported)
    claim, _pin = intake.register_report(clerk, household, intake.ReportInput(
        occurred_on=(reported - timedelta(hours=10)).date(), setting=setting,
        lines=list(lines), harm_kind=harm_kind, description="Demo report"))
    ops.screen(claim.id, clerk, claim.version)
    ops.assign_verifier(claim.id, staff[("syunik", Role.SUPERVISOR)], claim.version,
                        verifier.id)
    clock.freeze(reported + timedelta(hours=20))
    verification_ops.file_verification(claim.id, verifier, claim.version,
                                       verification_ops.VerificationInput(
        visited_on=clock.today(), predator=Predator.LEOPARD, confidence=Confidence.CONFIRMED,
        signs=Signs(haemorrhage=wounds, bite_location=BiteLocation.THROAT_NAPE,
                    canine_spacing_cm=None, claw_rakes=wounds,
                    carcass_handling=CarcassHandling.NONE, feeding_pattern=None,
                    heads_killed=0, tracks=Tracks.LEOPARD, scat_hair_dna=dna_taken,
                    camera_trap=CameraTrap.NONE, hours_since_attack=None),
        confirmed={ln.id: (ln.killed, ln.injured) for ln in claim.incident.lines},
        notes="Demo verification"))
    return claim
