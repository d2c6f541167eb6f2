"""Incidents, claims, the claim workflow, intake, duplicate checks and work queues."""
