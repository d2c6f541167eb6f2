"""Shared building blocks: column types, money, clock, domain errors, permissions, audit."""
