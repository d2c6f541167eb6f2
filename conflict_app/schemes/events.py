"""What other features may react to in the incentive schemes.

Sent inside the scheme operation's own transaction; schemes know nothing of the receivers
(payments take a withheld or cancelled payment out of a batch not yet exported, and refuse
to cancel one whose payment file has gone to the bank).
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the IncentivePayment; keyword arguments: actor, after ("withheld" or "cancelled"),
# reason. A receiver may raise a DomainError to refuse the change.
incentive_stopped = _signals.signal("incentive-stopped")
