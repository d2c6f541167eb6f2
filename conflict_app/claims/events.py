"""What other features may react to: a claim moved from one state to another.

Sent by ``claims.operations.fire`` inside the claim's own transaction, so a receiver's
changes commit or roll back with the move. Claims know nothing of the receivers (payments
cancel interim items, for instance): features react to claims, never the other way round.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the claim; keyword arguments: actor, before (State), after (State), reason.
claim_moved = _signals.signal("claim-moved")

# sender: the claim, just opened (intake, web form, SMS or API); keyword: actor (or None).
claim_reported = _signals.signal("claim-reported")

# sender: the claim; keyword: kind (the flag's kind). Sent when a check flags the claim.
claim_flagged = _signals.signal("claim-flagged")
