"""What other features may react to in payments: a payment confirmed as paid.

Sent by ``payments.operations`` inside the confirmation's own transaction, for a claim's
interim or final payment and for an incentive, agreement or adoption payment alike.
Payments know nothing of the receivers (webhooks announce it).
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the PaymentItem, now paid; keyword arguments: actor.
payment_recorded = _signals.signal("payment-recorded")
