"""Exports for authorised staff (claims, payments) and de-identified ones (GeoJSON grid,
range-wide aggregates that another Pardus instance can import)."""
