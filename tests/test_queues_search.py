"""Queues and search that stay cheap at range-wide scale: one index walk per queue state,
capped counts, reference and phone by index, names ranked and capped."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from conflict_app.claims import queries
from conflict_app.core.permissions import Role
from conflict_app.extensions import db
from tests import helpers


def _claims(world, names):
    made = []
    for n, name in enumerate(names):
        hh = helpers.household(world, name=name)
        hh.phone = f"+3749155{n:04d}"
        db.session.commit()
        made.append(helpers.report(world, hh=hh)[0])
    return made


def test_search_by_reference_whole_or_leading_part_phone_and_name(world):
    first, second, third = _claims(world, ["Armen Petrosyan", "Karen Armenakyan", "Anna Sar"])
    clerk = world.clerk
    assert [c.id for c in queries.search(clerk, first.reference.lower(), None, None, 10)] == [
        first.id]
    prefix = first.reference[:-2]
    found = {c.id for c in queries.search(clerk, prefix, None, None, 10)}
    assert first.id in found and found <= {first.id, second.id, third.id}
    assert [c.id for c in queries.search(clerk, "+374 91 55 0001", None, None, 10)] == [
        second.id]
    ranked = [c.id for c in queries.search(clerk, "armen", None, None, 10)]
    assert ranked == [first.id, second.id]  # the better match first
    assert queries.search(clerk, "Zzyzx", None, None, 10) == []
    # Wildcards typed by the user are plain characters.
    assert queries.search(clerk, "%", None, None, 10) == []


def test_ranked_search_pages_through_its_capped_results(world):
    made = _claims(world, [f"Hovhannes {n}" for n in range(5)])
    page_one = queries.search(world.clerk, "Hovhannes", None, None, 3)
    page_two = queries.search(world.clerk, "Hovhannes", None, page_one[-1].id, 3)
    assert {c.id for c in page_one + page_two} == {c.id for c in made}
    assert not {c.id for c in page_one} & {c.id for c in page_two}


def test_search_page_in_the_browser(world, browser_for):
    (claim,) = _claims(world, ["Gayane Hakobyan"])
    page = browser_for(world.clerk).get("/claims?q=gayane").get_data(as_text=True)
    assert claim.reference in page and "Gayane Hakobyan" in page


def test_queue_merges_states_in_due_order_and_pages(world):
    made = _claims(world, [f"Herder {n}" for n in range(4)])
    from conflict_app.claims import operations as ops

    ops.screen(made[0].id, world.clerk, made[0].version)  # leaves the clerk's queue
    rows = queries.queue(world.clerk, Role.CLERK, None, 2)
    assert len(rows) == 2
    due = [(c.due_at, c.id) for c in rows]
    assert due == sorted(due)
    rest = queries.queue(world.clerk, Role.CLERK, due[-1], 10)
    ids = [c.id for c in rows + rest]
    assert made[0].id not in ids and {c.id for c in made[1:]} <= set(ids)


def test_queue_badge_counts_up_to_a_cap(world, browser_for, monkeypatch):
    _claims(world, [f"Herder {n}" for n in range(3)])
    monkeypatch.setattr(queries, "COUNT_CAP", 2)
    page = browser_for(world.clerk).get("/queue").get_data(as_text=True)
    assert "More than 2 claims waiting" in page


def test_queue_page_joins_no_chain_of_tables(world, browser_for):
    _claims(world, [f"Herder {n}" for n in range(3)])
    browser = browser_for(world.clerk)
    statements = []

    def seen(conn, cursor, statement, *args):  # noqa: ANN001, ANN002
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        assert browser.get("/queue").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    claim_reads = [s for s in statements if "FROM claim" in s]
    assert claim_reads and all(s.count(" JOIN ") <= 1 for s in claim_reads)


@pytest.mark.postgres
def test_name_search_finds_near_misses_with_trigrams(world):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    (claim,) = _claims(world, ["Mkrtich Vardanyan"])
    assert [c.id for c in queries.search(world.clerk, "Vardanian", None, None, 10)] == [
        claim.id]


def test_search_by_whole_reference_reads_the_claim_and_what_the_list_shows_at_once(world):
    """A herder on the phone gives the reference: one read brings the claim with its
    household, incident and village (four round trips before)."""
    (claim,) = _claims(world, ["Gevorg Hakobyan"])
    claim_id, reference = claim.id, claim.reference
    db.session.expire_all()
    queries.search(world.clerk, "AM-1999-000001", None, None, 26)  # the clerk read again
    statements = []

    def seen(conn, cursor, statement, *args):  # noqa: ANN001, ANN002
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        (found,) = queries.search(world.clerk, f" {reference} ", None, None, 26)
        shown = (found.household.head_name, found.incident.village_id,
                 found.incident.village and found.incident.village.name)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert found.id == claim_id and shown[0] == "Gevorg Hakobyan"
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
