"""Use cases of field form sync: administrators keep the sources (audited, never with the
sign-in details); clerks accept a held submission after fixing it (filed by the same import
code, as themselves) or dismiss it with a reason."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from conflict_app.auth.models import User
from conflict_app.auth.operations import covers_place, manages
from conflict_app.claims.models import Claim, Incident
from conflict_app.core import audit, clock
from conflict_app.core.errors import N_, InvalidInput, PermissionDenied
from conflict_app.core.permissions import Role, covers
from conflict_app.core.transaction import unit_of_work
from conflict_app.extensions import db
from conflict_app.fieldforms import odk, secrets
from conflict_app.fieldforms.fields import EDITABLE
from conflict_app.fieldforms.models import (
    FormKind,
    HeldState,
    HeldSubmission,
    Platform,
    SyncSource,
)
from conflict_app.herders.models import Household
from conflict_app.jobs import enqueue
from conflict_app.verification.models import VerificationReport
from conflict_app.webhooks import targets
from conflict_app.webhooks.delivery import allow_local

REVIEW_ROLES = (Role.CLERK, Role.SUPERVISOR, Role.VERIFIER)


@dataclass
class SourceInput:
    name: str
    platform: str
    server_url: str
    project: str
    form_id: str
    form_kind: str
    file_as_id: int | None
    username: str = ""
    secret: str = ""  # empty when changing a source: the stored one stays


def _require_admin(actor: User) -> None:
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied(N_("Only administrators may do this."))


def _place(source: SyncSource) -> tuple[str | None, object]:
    user = source.file_as
    return user.jurisdiction_country, user.jurisdiction_area


def visible(actor: User, source: SyncSource) -> bool:
    """Administrators who manage the filing account, and reviewers inside its jurisdiction."""
    if actor.has_role(Role.ADMIN) and manages(actor, source.file_as):
        return True
    return actor.has_role(*REVIEW_ROLES) and covers_place(actor, *_place(source))


def _check(actor: User, data: SourceInput, new: bool) -> dict:
    name = (data.name or "").strip()
    if not name or len(name) > 80:
        raise InvalidInput(N_("Give the source a name (up to 80 characters)."), field="name")
    if data.platform not in {p.value for p in Platform}:
        raise InvalidInput(N_("Choose a server type from the list."), field="platform")
    if data.form_kind not in {k.value for k in FormKind}:
        raise InvalidInput(N_("Choose a form from the list."), field="form_kind")
    url = (data.server_url or "").strip().rstrip("/")
    targets.resolve(url, allow_local())  # the same checks as a webhook's address
    project = (data.project or "").strip()
    platform = Platform(data.platform)
    if platform == Platform.ODK_CENTRAL and not (project.isdigit() and len(project) < 12):
        raise InvalidInput(N_("Enter the ODK Central project's number, as in its address."),
                           field="project")
    form_id = (data.form_id or "").strip()
    if not form_id or len(form_id) > 120 or any(c.isspace() or c in "/?#" for c in form_id):
        raise InvalidInput(N_("Enter the form ID (ODK Central) or the form's asset UID "
                              "(KoboToolbox)."), field="form_id")
    kind = FormKind(data.form_kind)
    user = db.session.get(User, data.file_as_id) if data.file_as_id else None
    needed = (Role.VERIFIER,) if kind == FormKind.VERIFICATION else (Role.CLERK,
                                                                       Role.SUPERVISOR)
    if user is None or not user.active or not manages(actor, user) \
            or not user.has_role(*needed):
        raise InvalidInput(N_("Choose the staff account the submissions are filed as: a "
                              "clerk for loss reports, a verifier for field visits."),
                           field="file_as_id")
    username, secret = (data.username or "").strip(), (data.secret or "").strip()
    if platform == Platform.ODK_CENTRAL and (new or secret) and not username:
        raise InvalidInput(N_("Enter the e-mail address of the ODK Central account."),
                           field="username")
    if new and not secret:
        raise InvalidInput(N_("Enter the password (ODK Central) or the API token "
                              "(KoboToolbox)."), field="secret")
    return {"name": name, "platform": platform, "server_url": url,
            "project": project or None, "form_id": form_id, "form_kind": kind,
            "file_as_id": user.id, "credentials": ({"username": username, "secret": secret}
                                                   if secret else None)}


def _public(values: dict) -> dict:
    """What the audit log keeps of a source: everything but the sign-in details."""
    return {k: (v.value if hasattr(v, "value") else v) for k, v in values.items()
            if k != "credentials"}


def create(actor: User, data: SourceInput) -> SyncSource:
    _require_admin(actor)
    values = _check(actor, data, new=True)
    with unit_of_work():
        now = clock.now()
        source = SyncSource(**{**values, "credentials": secrets.seal(values["credentials"])},
                            active=True, created_by_id=actor.id, created_at=now,
                            updated_at=now)
        db.session.add(source)
        db.session.flush()
        audit.record(actor_id=actor.id, object_type="field_sync_source", object_id=source.id,
                     action="create_field_sync", changes=_public(values))
    return source


def update(actor: User, source: SyncSource, data: SourceInput) -> SyncSource:
    _require_admin(actor)
    values = _check(actor, data, new=False)
    with unit_of_work():
        changes = {}
        for key, value in _public(values).items():
            before = getattr(source, key)
            before = before.value if hasattr(before, "value") else before
            if before != value:
                changes[key] = {"before": before, "after": value}
                setattr(source, key, values[key])
        if values["credentials"]:
            source.credentials = secrets.seal(values["credentials"])
            changes["credentials"] = "replaced"  # never the values
        if {"server_url", "project", "form_id", "platform"} & set(changes):
            source.cursor = None  # another form: start from its first submission
        if not changes:
            return source
        source.updated_at = clock.now()
        audit.record(actor_id=actor.id, object_type="field_sync_source", object_id=source.id,
                     action="change_field_sync", changes=changes)
    return source


def set_active(actor: User, source: SyncSource, active: bool) -> None:
    _require_admin(actor)
    with unit_of_work():
        if source.active == active:
            return
        source.active = active
        source.updated_at = clock.now()
        audit.record(actor_id=actor.id, object_type="field_sync_source", object_id=source.id,
                     action="enable_field_sync" if active else "disable_field_sync")


def sync_now(actor: User, source: SyncSource) -> None:
    """Queue a pull of the source (it runs after this commit, or on a worker)."""
    _require_admin(actor)
    if not source.active:
        raise InvalidInput(N_("Switch the source on before pulling from it."))
    with unit_of_work():
        audit.record(actor_id=actor.id, object_type="field_sync_source", object_id=source.id,
                     action="run_field_sync")
        enqueue("fieldforms.sync_source", source.id, queue="bulk")


def _waiting(actor: User, held: HeldSubmission) -> None:
    if not visible(actor, held.source) or not actor.has_role(*REVIEW_ROLES):
        raise PermissionDenied(N_("This submission is outside your jurisdiction."))
    if held.state != HeldState.WAITING:
        raise InvalidInput(N_("Someone else dealt with this submission already."))


def _reference(instance_id: str) -> str | None:
    ref = f"odk:{instance_id}"
    return db.session.scalar(select(Claim.reference).join(Incident).where(
        Incident.external_ref == ref)) or db.session.scalar(
        select(Claim.reference).join(VerificationReport,
                                     VerificationReport.claim_id == Claim.id)
        .where(VerificationReport.external_ref == ref))


def accept(actor: User, held: HeldSubmission, answers: dict[str, str],
           household_id: int | None = None) -> str:
    """File the corrected submission as ``actor`` (the same intake or verification as the
    import); returns the claim reference. The import's refusal comes back as InvalidInput."""
    _waiting(actor, held)
    kind = held.form_kind.value
    changed = {k: v.strip() for k, v in answers.items()
               if k in EDITABLE[kind] and (v or "").strip() != held.data.get(k, "")}
    row = {**held.data, **changed}
    household = None
    if household_id is not None and kind == FormKind.REPORT.value:
        household = db.session.get(Household, household_id)
        if household is None or not covers(actor, household):
            raise InvalidInput(N_("Choose a household from the list."), field="household_id")
    photos = {p.name: p.content for p in held.photos}
    held_id, instance_id = held.id, held.instance_id
    try:
        reference = odk.import_row(actor, row, kind, photos, household)
    except odk.Rejected as err:
        db.session.rollback()
        raise InvalidInput("%(reason)s", reason=str(err)) from None
    # The claim is committed; a failure before the next commit leaves the submission
    # waiting, and accepting it again finds the claim filed ("" above) and closes it.
    reference = reference or _reference(instance_id) or ""
    with unit_of_work():
        held = db.session.get(HeldSubmission, held_id)
        held.state = HeldState.ACCEPTED
        held.data = row
        held.claim_reference = reference
        held.resolved_at, held.resolved_by_id = clock.now(), actor.id
        audit.record(actor_id=actor.id, object_type="field_submission", object_id=held.id,
                     action="accept_field_submission", from_state="waiting",
                     to_state="accepted",
                     changes={"fields": sorted(changed), "household_id": household_id,
                              "claim": reference})
    return reference


def dismiss(actor: User, held: HeldSubmission, reason: str) -> None:
    _waiting(actor, held)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(N_("Say why the submission is set aside."), field="reason")
    with unit_of_work():
        held.state = HeldState.DISMISSED
        held.resolution = reason[:2000]
        held.resolved_at, held.resolved_by_id = clock.now(), actor.id
        audit.record(actor_id=actor.id, object_type="field_submission", object_id=held.id,
                     action="dismiss_field_submission", from_state="waiting",
                     to_state="dismissed", reason=reason[:2000])
