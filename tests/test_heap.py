"""Bulk work (imports, walks of every claim, jobs) sets the app's own objects aside from the
garbage collector while it runs, and always gives them back: a worker left frozen would never
free them again."""

from __future__ import annotations

import gc

import pytest
from sqlalchemy import text

from conflict_app import jobs
from conflict_app.claims.reconcile import disagreements
from conflict_app.extensions import db
from tests import helpers


def test_a_walk_left_half_way_gives_the_objects_back(app, world):
    claims = [helpers.assessed(world, hh=helpers.household(world, name=f"Herder {n}"))
              for n in range(3)]
    db.session.execute(text("UPDATE claim SET state = 'paid', amount_approved = 1 "
                            "WHERE id IN (:a, :b)"), {"a": claims[0].id, "b": claims[2].id})
    walk = disagreements(batch=1)
    assert next(walk).startswith(f"claim {claims[0].reference}: state paid")
    assert gc.get_freeze_count() > 0  # walking
    walk.close()  # e.g. the reader stopped after the first line
    assert gc.get_freeze_count() == 0
    # And a full walk still finds both (each paid without a recorded state or amount).
    assert len(list(disagreements(batch=1))) == 4
    assert gc.get_freeze_count() == 0


def _watch_freeze() -> int:
    return gc.get_freeze_count()


def _fail() -> None:
    raise RuntimeError("the job failed")


def test_jobs_run_set_aside_and_give_the_objects_back_when_they_fail(app, monkeypatch):
    monkeypatch.setitem(jobs.TASKS, "test.watch", f"{__name__}:_watch_freeze")
    monkeypatch.setitem(jobs.TASKS, "test.fail", f"{__name__}:_fail")
    assert jobs.run_now("test.watch", ()) > 0
    with pytest.raises(RuntimeError):
        jobs.run_now("test.fail", ())
    assert gc.get_freeze_count() == 0


def test_figures_computed_on_a_view_are_computed_set_aside(app):
    from conflict_app.analytics import store

    key = ("test-heap", None, None, None, None, "")
    assert store.remembered(key, ("v1",), _watch_freeze, key) > 0
    with pytest.raises(RuntimeError):
        store.remembered(key, ("v2",), _fail, key)
    assert gc.get_freeze_count() == 0


def test_bulk_work_in_a_web_worker_leaves_the_masters_freeze_in_place(app):
    """The web server's master freezes the app before forking (gunicorn.conf.py): bulk work
    in a worker (an analytics view, a job run in process) must not give those objects back
    to the collector, or every full collection for the rest of the worker's life walks the
    whole app again."""
    from conflict_app.core.heap import settled

    gc.freeze()  # what the master did
    try:
        # Frozen objects that die leave the count: "still frozen" is nearly all of them.
        frozen = gc.get_freeze_count()
        with settled(), settled():  # nested, as a job's import inside a job
            pass
        assert gc.get_freeze_count() > frozen * 0.9
        key = ("test-heap-master", None, None, None, None, "")
        from conflict_app.analytics import store

        store.remembered(key, ("v1",), _watch_freeze, key)
        assert gc.get_freeze_count() > frozen * 0.9
    finally:
        gc.unfreeze()
