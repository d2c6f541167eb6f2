"""Committee verification as pure rules: a village or county committee confirms the
predator before a claim is assessed, when the scheme's rule version asks for it.

No Flask, no database: ``schemes.engine`` consults ``problem`` with the rule version's
values and the latest meeting's tally, the same way it consults an insurance's cover, so
claims never import the committee and schemes never import claims' operations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from conflict_app.core.errors import N_


class Vote(StrEnum):
    CONFIRM = "confirm"  # the members say a leopard did it
    NOT_LEOPARD = "not_leopard"
    ABSTAIN = "abstain"


@dataclass(frozen=True)
class Tally:
    present: int
    confirm: int
    not_leopard: int
    abstain: int
    quorum: int
    needed: int

    @property
    def quorate(self) -> bool:
        return self.present >= self.quorum

    @property
    def confirmed(self) -> bool:
        """Quorate, at least the votes the scheme needs, and more confirming than not: a
        split committee does not confirm, whatever the threshold."""
        return (self.quorate and self.confirm >= self.needed
                and self.confirm > self.not_leopard)


def tally(votes: Iterable[Vote], quorum: int, needed: int) -> Tally:
    cast = list(votes)
    return Tally(present=len(cast), confirm=cast.count(Vote.CONFIRM),
                 not_leopard=cast.count(Vote.NOT_LEOPARD), abstain=cast.count(Vote.ABSTAIN),
                 quorum=quorum, needed=needed)


def required(values: Mapping[str, object]) -> tuple[int, int] | None:
    """(quorum, votes needed) when the rule version requires a committee, else None."""
    if not values.get("committee_required"):
        return None
    return int(values.get("committee_quorum") or 0), int(values.get("committee_votes") or 0)


def problem(values: Mapping[str, object], latest: Tally | None
            ) -> tuple[str, dict[str, object]] | None:
    """Why the claim may not be assessed yet (a msgid and its values), or None."""
    rule = required(values)
    if rule is None or (latest is not None and latest.confirmed):
        return None
    quorum, needed = rule
    return (N_("This scheme needs its committee to confirm a leopard before the assessment: "
               "record a meeting with at least %(quorum)s members present and "
               "%(needed)s votes confirming."), {"quorum": quorum, "needed": needed})


# How a vote reads on the claim page and in the minute (translated where shown).
VOTE_TEXT = {
    Vote.CONFIRM: N_("Confirms a leopard"),
    Vote.NOT_LEOPARD: N_("Not a leopard"),
    Vote.ABSTAIN: N_("Abstains"),
}
TALLY_TEXT = N_("%(present)s members present (quorum %(quorum)s): %(confirm)s confirm a "
                "leopard, %(against)s say not a leopard, %(abstain)s abstain.")
CONFIRMED_TEXT = N_("The committee confirmed a leopard.")
NOT_CONFIRMED_TEXT = N_("The committee did not confirm a leopard.")


def tally_params(t: Tally, fmt: Callable[[int], str] = str) -> dict[str, str]:
    """The tally's numbers for TALLY_TEXT, written by ``fmt`` (the locale's digits)."""
    return {"present": fmt(t.present), "quorum": fmt(t.quorum), "confirm": fmt(t.confirm),
            "against": fmt(t.not_leopard), "abstain": fmt(t.abstain)}
