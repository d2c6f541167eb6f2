"""Scheme rules, market price tables and the valuation of verified losses."""
