"""Broadcasts race for the same area: on PostgreSQL, parallel sends (two supervisors, a
double click, a retried API call) text each phone once; the area's window holds."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from conflict_app.alerts import operations
from conflict_app.alerts.models import Alert
from conflict_app.auth.models import User
from conflict_app.core.errors import DomainError
from conflict_app.extensions import db
from conflict_app.herders import operations as household_ops
from conflict_app.status.models import SmsMessage
from tests import helpers
from tests.conftest import World


@pytest.mark.committed
@pytest.mark.postgres
def test_parallel_broadcasts_to_one_area_text_each_phone_once(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    world = World()
    for n, language in enumerate(("hy", "fa", "ru")):
        household_ops.register_household(world.clerk, household_ops.HouseholdInput(
            head_name=f"Herder {n}", village_id=world.shvanidzor.id, language=language,
            phone=f"+3749100010{n}", latitude=Decimal("38.95"), longitude=Decimal("46.34")))
    db.session.commit()
    supervisor_id, area_id = world.supervisor.id, world.meghri.id
    db.session.remove()
    sent, raised = helpers.at_once(app, 4, lambda: operations.send_broadcast(
        db.session.get(User, supervisor_id), area_id))
    errors = [e for e in raised if not isinstance(e, DomainError)]
    refused = [e for e in raised if isinstance(e, DomainError)]
    assert errors == []
    assert (len(sent), len(refused)) == (1, 3)
    assert db.session.scalar(select(func.count(Alert.id))) == 1
    texts = db.session.execute(select(SmsMessage.phone, func.count()).where(
        SmsMessage.kind == "broadcast").group_by(SmsMessage.phone)).all()
    assert texts and all(n == 1 for _phone, n in texts)
