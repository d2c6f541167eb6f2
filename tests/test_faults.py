"""Faults in the middle of an operation leave no half-changed claim."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from conflict_app.claims import operations as ops
from conflict_app.claims.models import Claim, Evidence
from conflict_app.claims.workflow import State
from conflict_app.core import audit
from conflict_app.core.errors import DomainError
from conflict_app.extensions import db
from tests import helpers


def test_database_error_mid_transition_changes_nothing(world, monkeypatch):
    claim, _ = helpers.report(world)
    entries = db.session.scalar(select(func.count(audit.AuditEntry.id)))

    def broken(**kwargs):
        raise RuntimeError("database connection lost")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        ops.screen(claim.id, world.clerk, claim.version)
    monkeypatch.undo()
    claim = helpers.reload(claim)
    assert claim.state == State.REPORTED
    assert db.session.scalar(select(func.count(audit.AuditEntry.id))) == entries


def test_database_error_in_a_request_is_a_clear_page_not_a_half_change(
        world, browser_for, monkeypatch):
    claim, _ = helpers.report(world)
    clerk = browser_for(world.clerk)
    from tests.conftest import csrf_token

    token = csrf_token(clerk.client, "/queue")

    def broken(**kwargs):
        raise OperationalError("INSERT INTO audit_entry", {}, Exception("connection lost"))

    monkeypatch.setattr(audit, "record", broken)
    response = clerk.post(f"/claims/{claim.id}/actions/screen", data={
        "screen-version": str(claim.version), "screen-csrf_token": token})
    monkeypatch.undo()
    assert response.status_code == 503
    assert "Nothing was changed" in response.get_data(as_text=True)
    assert helpers.reload(claim).state == State.REPORTED


def test_full_disk_on_upload_keeps_the_claim_as_it_was(world, monkeypatch):
    claim, _ = helpers.report(world)
    original = Path.write_bytes

    def full(self, data):
        if self.suffix == ".tmp":
            raise OSError(errno.ENOSPC, "No space left on device")
        return original(self, data)

    monkeypatch.setattr(Path, "write_bytes", full)
    with pytest.raises(DomainError, match="could not be stored"):
        helpers.verified(world, claim=claim, photos=[helpers.photo_bytes()])
    monkeypatch.undo()
    claim = helpers.reload(claim)
    assert claim.state == State.VERIFICATION_SCHEDULED
    assert db.session.scalar(select(func.count(Evidence.id)).where(
        Evidence.claim_id == claim.id)) == 0
    assert db.session.scalar(select(func.count(Claim.id))) >= 1
