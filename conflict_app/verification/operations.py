"""Filing the field verification report, with its photos."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import or_, select, update

from conflict_app.auth.models import User
from conflict_app.claims import operations as claim_ops
from conflict_app.claims.events import claim_flagged
from conflict_app.claims.evidence import StoredFile, discard, store_photo
from conflict_app.claims.models import Claim, DuplicateFlag, Evidence, Incident
from conflict_app.claims.workflow import Action
from conflict_app.core import clock
from conflict_app.core.errors import N_, InvalidInput, PermissionDenied
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db
from conflict_app.geo import timezones
from conflict_app.verification.checklist import Confidence, Predator, Signs, suggest
from conflict_app.verification.models import VerificationLine, VerificationReport


@dataclass
class VerificationInput:
    visited_on: date
    signs: Signs
    predator: Predator
    confidence: Confidence
    # loss_line_id -> (confirmed killed, confirmed injured)
    confirmed: Mapping[int, tuple[int, int]]
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    notes: str | None = None
    photos: Sequence[bytes] = field(default_factory=list)
    external_ref: str | None = None  # field form instance ID: imported once


def file_verification(claim_id: int, actor: User, version: int | None,
                      data: VerificationInput) -> VerificationReport:
    directory = current_app.config["EVIDENCE_DIR"]
    max_bytes = current_app.config["MAX_PHOTO_BYTES"]
    # Photos are checked and written before the transaction; if it fails they are removed,
    # so neither a claim without its photos nor orphan files remain.
    stored: list[StoredFile] = []
    try:
        for raw in data.photos:
            stored.append(store_photo(raw, directory, max_bytes))
        with unit_of_work():
            report = _file(claim_id, actor, version, data, stored)
    except BaseException:
        for item in stored:
            discard(directory, item.storage_key)
        raise
    return report


def _file(claim_id: int, actor: User, version: int | None, data: VerificationInput,
          stored: list[StoredFile]) -> VerificationReport:
    claim = claim_ops.lock_claim(claim_id, version)
    if claim.verifier_id != actor.id:
        raise PermissionDenied(N_("Only the verifier assigned to this claim may file its "
                                  "report."))
    if data.visited_on > timezones.today_for(claim):
        raise InvalidInput(N_("The visit date cannot be in the future."), field="visited_on")
    if data.visited_on < claim.incident.occurred_on:
        raise InvalidInput(N_("The visit cannot be before the incident."), field="visited_on")
    if (data.latitude is None) != (data.longitude is None):
        raise InvalidInput(N_("Give both latitude and longitude, or neither."),
                           field="latitude")
    lines_by_id = {line.id: line for line in claim.incident.lines}
    if set(data.confirmed) != set(lines_by_id):
        raise InvalidInput(N_("Give the confirmed counts for every reported line."),
                           field="lines")
    for line_id, (killed, injured) in data.confirmed.items():
        line = lines_by_id[line_id]
        if killed < 0 or injured < 0:
            raise InvalidInput(N_("Counts cannot be negative."), field="lines")
        if killed > line.killed or injured > line.injured:
            raise InvalidInput(N_("Confirmed counts cannot be higher than the reported ones."),
                               field="lines")
    suggestion = suggest(data.signs)
    report = VerificationReport(
        claim_id=claim.id,
        verifier_id=actor.id,
        visited_on=data.visited_on,
        signs=json.dumps(data.signs.as_dict()),
        predator=data.predator,
        confidence=data.confidence,
        suggested_predator=suggestion.predator,
        suggested_confidence=suggestion.confidence,
        suggestion_reasons=",".join(suggestion.reasons),
        latitude=data.latitude,
        longitude=data.longitude,
        notes=(data.notes or "").strip() or None,
        external_ref=data.external_ref,
        filed_at=clock.now(),
        lines=[
            VerificationLine(loss_line_id=line_id, confirmed_killed=k, confirmed_injured=i)
            for line_id, (k, i) in sorted(data.confirmed.items())
        ],
    )
    db.session.add(report)
    db.session.flush()
    # The incident's verdict is its latest report. The newer of two reports filed at once on
    # claims of one incident wins: the row's lock makes the second update see the first.
    db.session.execute(
        update(Incident).where(Incident.id == claim.incident_id,
                               or_(Incident.verdict_report_id.is_(None),
                                   Incident.verdict_report_id < report.id))
        .values(verdict_report_id=report.id).execution_options(synchronize_session=False))
    for item in stored:
        db.session.add(Evidence(
            claim_id=claim.id, verification_report_id=report.id,
            storage_key=item.storage_key, content_type=item.content_type,
            size_bytes=item.size_bytes, sha256=item.sha256, width=item.width,
            height=item.height, uploaded_by_id=actor.id, uploaded_at=clock.now(),
        ))
        _flag_reused_photo(claim.id, item.sha256)
    claim_ops.fire(
        claim, Action.FILE_VERIFICATION, actor,
        changes={
            "predator": data.predator.value,
            "confidence": data.confidence.value,
            "suggested": f"{suggestion.predator.value}/{suggestion.confidence.value}",
            "photos": len(stored),
        },
    )
    return report


def _flag_reused_photo(claim_id: int, sha256: str) -> None:
    others = db.session.scalars(
        select(Evidence.claim_id).where(Evidence.sha256 == sha256, Evidence.claim_id != claim_id)
        .distinct()
    ).all()
    for other in others:
        exists = db.session.scalar(select(DuplicateFlag.id).where(
            DuplicateFlag.claim_id == claim_id, DuplicateFlag.other_claim_id == other,
            DuplicateFlag.kind == "same_photo"))
        if exists is None:
            db.session.add(DuplicateFlag(claim_id=claim_id, other_claim_id=other,
                                         kind="same_photo"))
            claim_flagged.send(db.session.get(Claim, claim_id), kind="same_photo")
