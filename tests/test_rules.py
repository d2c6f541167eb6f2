"""Pure rule modules: workflow table, checklist suggestion, valuation, duplicates, money."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from conflict_app.claims import duplicates, workflow
from conflict_app.claims.workflow import Action, Role, State
from conflict_app.core.errors import IllegalTransition, InvalidInput, PermissionDenied
from conflict_app.core.money import Money
from conflict_app.schemes import rules
from conflict_app.verification.checklist import (
    BiteLocation,
    CameraTrap,
    CarcassHandling,
    Confidence,
    Predator,
    Signs,
    Tracks,
    suggest,
)


def test_every_state_is_reachable_from_reported():
    seen, frontier = {State.REPORTED}, [State.REPORTED]
    while frontier:
        state = frontier.pop()
        for t in workflow.TRANSITIONS.values():
            if state in t.sources:
                targets = [t.target] if t.target else list(t.sources)
                for target in targets:
                    if target not in seen:
                        seen.add(target)
                        frontier.append(target)
    assert seen == set(State)


def test_illegal_transition_is_refused():
    with pytest.raises(IllegalTransition):
        workflow.check(State.REPORTED, Action.APPROVE, frozenset({Role.APPROVER}))


def test_wrong_role_is_refused():
    with pytest.raises(PermissionDenied):
        workflow.check(State.ASSESSED, Action.APPROVE, frozenset({Role.CLERK}))


def test_final_states_allow_nothing():
    for state in workflow.FINAL:
        assert workflow.available(state, frozenset(Role)) == []


def test_due_dates_follow_the_step():
    d = workflow.Deadlines(timedelta(hours=24), timedelta(hours=48), timedelta(days=30),
                           timedelta(days=30))
    t0 = datetime(2026, 5, 1, 8, tzinfo=UTC)
    assert workflow.due_at(State.REPORTED, reported_at=t0, changed_at=t0, deadlines=d) == (
        t0 + timedelta(hours=24))
    assert workflow.due_at(State.VERIFICATION_SCHEDULED, reported_at=t0, changed_at=t0,
                           deadlines=d) == t0 + timedelta(hours=48)
    assert workflow.due_at(State.ASSESSED, reported_at=t0, changed_at=t0, deadlines=d) == (
        t0 + timedelta(days=30))
    assert workflow.due_at(State.REJECTED, reported_at=t0, changed_at=t0, deadlines=d) is None


def signs(**kw):
    base = dict(haemorrhage=True, bite_location=BiteLocation.THROAT_NAPE, canine_spacing_cm=None,
                claw_rakes=False, carcass_handling=CarcassHandling.NONE, feeding_pattern=None,
                heads_killed=1, tracks=Tracks.NONE, scat_hair_dna=False,
                camera_trap=CameraTrap.NONE, hours_since_attack=12)
    base.update(kw)
    return Signs(**base)


@pytest.mark.parametrize(
    ("kw", "predator", "confidence"),
    [
        ({"haemorrhage": False}, Predator.NON_PREDATION, Confidence.NOT_LEOPARD),
        ({"carcass_handling": CarcassHandling.HOISTED}, Predator.LEOPARD, Confidence.CONFIRMED),
        ({"canine_spacing_cm": Decimal("4.2")}, Predator.LEOPARD, Confidence.CONFIRMED),
        ({}, Predator.LEOPARD, Confidence.PROBABLE),
        ({"hours_since_attack": 120}, Predator.LEOPARD, Confidence.POSSIBLE),
        ({"bite_location": BiteLocation.HINDQUARTERS_FLANKS}, Predator.WOLF,
         Confidence.NOT_LEOPARD),
        ({"heads_killed": 25}, Predator.WOLF, Confidence.NOT_LEOPARD),
        ({"canine_spacing_cm": Decimal("2.5")}, Predator.JACKAL, Confidence.NOT_LEOPARD),
        ({"bite_location": BiteLocation.RANDOM, "tracks": Tracks.LEOPARD}, Predator.LEOPARD,
         Confidence.POSSIBLE),
    ],
)
def test_checklist_suggests_a_level(kw, predator, confidence):
    result = suggest(signs(**kw))
    assert (result.predator, result.confidence) == (predator, confidence)
    assert result.reasons


CORE = {"share_of_value": Decimal("0.75"), "injured_share": Decimal("0.25"),
        "rate_confirmed": Decimal(1), "rate_probable": Decimal("0.75"),
        "rate_possible": Decimal(0), "predators": ("leopard",),
        "corral_modifier": Decimal(1), "normal_loss_adult": Decimal(0),
        "normal_loss_young": Decimal(0)}


def case(confidence="confirmed", predator="leopard", killed=3, injured=1):
    return rules.Facts(
        currency="AMD", predator=predator, confidence=confidence,
        losses=[rules.Loss(1, "sheep", "adult_female", killed, injured)],
        prices={("sheep", "adult_female"): Money(Decimal("60000"), "AMD")},
    )


def test_valuation_is_itemised_price_share_rate():
    result = rules.compensate(CORE, case(), "core")
    killed, injured = result.lines
    assert killed.amount == Money(Decimal("135000"), "AMD")  # 3 × 60000 × 0.75 × 1
    assert injured.amount == Money(Decimal("11250"), "AMD")  # 1 × 60000 × 0.75 × 0.25
    assert result.total == Money(Decimal("146250"), "AMD")


def test_probable_pays_the_probable_rate_and_wolves_pay_nothing():
    assert rules.compensate(CORE, case("probable"), "core").total == Money(
        Decimal("109687.50"), "AMD")
    wolf = rules.compensate(CORE, case(predator="wolf"), "core")
    assert wolf.total == Money(Decimal("0"), "AMD")
    assert wolf.lines[0].note == "predator not covered"


def test_missing_price_is_a_clear_error():
    bad = rules.Facts("AMD", "leopard", "confirmed", [rules.Loss(1, "camel", "young", 1, 0)])
    with pytest.raises(InvalidInput, match="No market price"):
        rules.compensate(CORE, bad, "core")


def test_money_refuses_floats_and_mixed_currencies():
    with pytest.raises(TypeError):
        Money(1.5, "USD")
    with pytest.raises(ValueError, match="cannot mix"):
        Money(Decimal(1), "USD") + Money(Decimal(1), "AMD")
    assert Money(Decimal("10.005"), "USD").rounded().amount == Decimal("10.01")
    assert Money(Decimal("10.5"), "IRR").rounded().amount == Decimal("11")


def test_duplicates_by_time_and_distance():
    a = duplicates.Place(date(2026, 5, 1), 1, Decimal("39.10"), Decimal("46.48"))
    near = duplicates.Place(date(2026, 5, 2), 2, Decimal("39.11"), Decimal("46.49"))
    far = duplicates.Place(date(2026, 5, 2), 1, Decimal("39.30"), Decimal("46.48"))
    late = duplicates.Place(date(2026, 5, 5), 1, Decimal("39.10"), Decimal("46.48"))
    assert duplicates.same_event(a, near, 2, 3.0)
    assert not duplicates.same_event(a, far, 2, 3.0)
    assert not duplicates.same_event(a, late, 2, 3.0)
    no_fix = duplicates.Place(date(2026, 5, 1), 1, None, None)
    assert duplicates.same_event(a, no_fix, 2, 3.0)
    assert 1.3 < duplicates.distance_km(a.latitude, a.longitude, near.latitude,
                                        near.longitude) < 1.5
