"""What other features may react to in imports: a bundle uploaded on the web finished.

Sent by the import job in the transaction that records the outcome on the import's row.
Bundles know nothing of the receivers (webhooks announce it).
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the BundleImport, done or failed (its created/unchanged/problems are set).
import_finished = _signals.signal("import-finished")
