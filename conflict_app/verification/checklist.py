"""The field signs checklist and the confidence level it suggests (PRODUCT.md §3).

Levels follow the European SCALP criteria so data stays comparable across the range. The
checklist only suggests; the verifier decides, and a difference is recorded with the report.
Pure rules: no Flask, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Predator(StrEnum):
    LEOPARD = "leopard"
    WOLF = "wolf"
    BEAR = "bear"
    LYNX = "lynx"
    JACKAL = "jackal"
    DOG = "dog"
    NON_PREDATION = "non_predation"
    UNKNOWN = "unknown"


class Confidence(StrEnum):
    CONFIRMED = "confirmed"  # SCALP C1/C2: bites plus a leopard-specific sign
    PROBABLE = "probable"  # felid bite pattern, no specific sign
    POSSIBLE = "possible"  # SCALP C3: credible, nothing contradicts, evidence too old
    NOT_LEOPARD = "not_leopard"  # another cause shown
    UNKNOWN = "unknown"  # not inspected


class BiteLocation(StrEnum):
    THROAT_NAPE = "throat_nape"  # felid
    HINDQUARTERS_FLANKS = "hindquarters_flanks"  # wolf
    RANDOM = "random"  # dogs
    BACK_WITHERS = "back_withers"  # bear
    NOT_FOUND = "not_found"


class CarcassHandling(StrEnum):
    NONE = "none"
    DRAGGED = "dragged"
    CACHED = "cached"
    HOISTED = "hoisted"


class Tracks(StrEnum):
    NONE = "none"
    LEOPARD = "leopard"  # four toes, no claw marks, three-lobed heel pad
    CANID = "canid"
    BEAR = "bear"
    UNCLEAR = "unclear"


class CameraTrap(StrEnum):
    NONE = "none"
    LEOPARD = "leopard"
    OTHER_PREDATOR = "other_predator"


# Canine puncture spacing in centimetres.
LEOPARD_SPACING = (Decimal("3.5"), Decimal("5.5"))
JACKAL_SPACING = (Decimal("2.2"), Decimal("2.8"))
# More heads than this in one event points to wolves or dogs first.
SURPLUS_KILL_HEADS = 10
# After this many hours carcass signs have decayed too far to confirm anything.
EVIDENCE_DECAY_HOURS = 72


@dataclass(frozen=True)
class Signs:
    haemorrhage: bool
    bite_location: BiteLocation
    canine_spacing_cm: Decimal | None
    claw_rakes: bool
    carcass_handling: CarcassHandling
    feeding_pattern: str | None
    heads_killed: int
    tracks: Tracks
    scat_hair_dna: bool
    camera_trap: CameraTrap
    hours_since_attack: int | None

    def as_dict(self) -> dict[str, object]:
        return {
            "haemorrhage": self.haemorrhage,
            "bite_location": self.bite_location.value,
            "canine_spacing_cm": (
                str(self.canine_spacing_cm) if self.canine_spacing_cm is not None else None
            ),
            "claw_rakes": self.claw_rakes,
            "carcass_handling": self.carcass_handling.value,
            "feeding_pattern": self.feeding_pattern,
            "heads_killed": self.heads_killed,
            "tracks": self.tracks.value,
            "scat_hair_dna": self.scat_hair_dna,
            "camera_trap": self.camera_trap.value,
            "hours_since_attack": self.hours_since_attack,
        }


@dataclass(frozen=True)
class Suggestion:
    predator: Predator
    confidence: Confidence
    reasons: tuple[str, ...]  # codes, translated at display


def _within(value: Decimal | None, bounds: tuple[Decimal, Decimal]) -> bool:
    return value is not None and bounds[0] <= value <= bounds[1]


def suggest(signs: Signs) -> Suggestion:
    """Suggest the predator and the confidence level from the recorded signs."""
    if not signs.haemorrhage:
        # Without bleeding under the bites the animal was scavenged or died otherwise.
        return Suggestion(Predator.NON_PREDATION, Confidence.NOT_LEOPARD, ("no_haemorrhage",))

    leopard_specific: list[str] = []
    if signs.carcass_handling in {CarcassHandling.CACHED, CarcassHandling.HOISTED}:
        leopard_specific.append("carcass_cached_or_hoisted")
    if signs.tracks == Tracks.LEOPARD:
        leopard_specific.append("leopard_tracks")
    if signs.camera_trap == CameraTrap.LEOPARD:
        leopard_specific.append("camera_trap_leopard")
    if _within(signs.canine_spacing_cm, LEOPARD_SPACING):
        leopard_specific.append("leopard_canine_spacing")

    other: list[tuple[Predator, str]] = []
    if signs.bite_location == BiteLocation.HINDQUARTERS_FLANKS:
        other.append((Predator.WOLF, "wolf_bite_pattern"))
    if signs.bite_location == BiteLocation.RANDOM:
        other.append((Predator.DOG, "dog_bite_pattern"))
    if signs.bite_location == BiteLocation.BACK_WITHERS:
        other.append((Predator.BEAR, "bear_bite_pattern"))
    if _within(signs.canine_spacing_cm, JACKAL_SPACING):
        other.append((Predator.JACKAL, "jackal_canine_spacing"))
    if signs.tracks == Tracks.CANID:
        other.append((Predator.WOLF, "canid_tracks"))
    if signs.tracks == Tracks.BEAR:
        other.append((Predator.BEAR, "bear_tracks"))
    if signs.camera_trap == CameraTrap.OTHER_PREDATOR:
        other.append((Predator.UNKNOWN, "camera_trap_other"))
    if signs.heads_killed > SURPLUS_KILL_HEADS:
        other.append((Predator.WOLF, "surplus_killing"))

    felid_bites = signs.bite_location == BiteLocation.THROAT_NAPE
    if other and not leopard_specific:
        return Suggestion(other[0][0], Confidence.NOT_LEOPARD, tuple(code for _, code in other))
    if felid_bites and leopard_specific and not other:
        reasons = ("felid_bites", *leopard_specific)
        return Suggestion(Predator.LEOPARD, Confidence.CONFIRMED, reasons)
    if leopard_specific and not other:
        return Suggestion(Predator.LEOPARD, Confidence.CONFIRMED, tuple(leopard_specific))
    too_old = (
        signs.hours_since_attack is not None and signs.hours_since_attack > EVIDENCE_DECAY_HOURS
    )
    if felid_bites and not other and not too_old:
        return Suggestion(Predator.LEOPARD, Confidence.PROBABLE, ("felid_bites",))
    reasons = ("evidence_too_old",) if too_old else ("signs_inconclusive",)
    if other:
        reasons = reasons + tuple(code for _, code in other) + tuple(leopard_specific)
    return Suggestion(Predator.LEOPARD, Confidence.POSSIBLE, reasons)
