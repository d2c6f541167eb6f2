"""Field verification: assigned visits, the signs checklist, reports and evidence photos."""
