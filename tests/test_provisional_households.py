"""An anonymous report never joins an existing household by itself: it opens a provisional
household that a clerk checks and links (audited)."""

from __future__ import annotations

from sqlalchemy import select

from conflict_app.claims.models import Claim
from conflict_app.core.audit import AuditEntry
from conflict_app.extensions import db
from conflict_app.herders.models import Household
from tests import helpers
from tests.test_status import public_report


def test_an_anonymous_report_with_a_known_phone_waits_for_a_clerk_to_link_it(
        app, world, browser_for):
    known = helpers.household(world)  # +374 91 234567 in Shvanidzor, registered by a clerk
    response = public_report(app.test_client(), world, phone="+374 91 234567",
                             name="Someone else")
    assert response.status_code == 302
    claim = db.session.scalars(select(Claim).order_by(Claim.id.desc())).first()
    assert claim.household_id != known.id
    provisional = db.session.get(Household, claim.household_id)
    provisional_id = provisional.id
    assert provisional.provisional and provisional.head_name == "Someone else"
    db.session.refresh(known)
    assert known.head_name == "Armen Petrosyan"
    assert db.session.scalars(select(Claim).where(Claim.household_id == known.id)).all() == []
    clerk = browser_for(world.clerk)
    page = clerk.get(f"/households/{provisional.id}").get_data(as_text=True)
    assert "public form" in page and "Armen Petrosyan" in page  # the candidate to link
    linked = clerk.post(f"/households/{provisional.id}/link",
                        data={"target_id": str(known.id)})
    assert linked.status_code == 302
    assert helpers.reload(claim).household_id == known.id
    db.session.expire_all()
    assert db.session.scalar(select(Household.id).where(Household.id == provisional_id)) is None
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "link_household")).one()
    assert entry.object_id == claim.id and entry.actor_id == world.clerk.id
