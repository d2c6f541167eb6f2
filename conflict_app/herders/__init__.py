"""Herders' households and their herd census (the exposure for analytics)."""
