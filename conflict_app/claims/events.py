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
