"""Registry of conflict-mitigation measures (corrals, guarding dogs, fences, collars, ...)."""
