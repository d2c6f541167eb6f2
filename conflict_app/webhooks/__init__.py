"""Webhooks: signed HTTP notifications of claim moves, recorded payments, verified leopard
attacks and finished imports, sent to the subscriptions an administrator keeps.

Webhooks react to other features' events (``claims.events``, ``payments.events``,
``bundles.events``); no feature imports this package. An event writes its message and one
delivery per matching subscription in the event's own transaction (the outbox), so a
rolled-back change sends nothing; a job delivers after the commit and retries with backoff.
"""
