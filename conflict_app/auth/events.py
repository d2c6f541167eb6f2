"""What other features may react to in accounts: an account switched off.

Sent by ``auth.operations`` inside the change's own transaction, so a receiver's changes
commit or roll back with it (the API revokes the account's tokens). Accounts know nothing of
the receivers.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the user switched off; keyword arguments: actor.
account_switched_off = _signals.signal("account-switched-off")
