"""Duplicate and fraud signals (PRODUCT.md §2). Pure rules: flagged for a human, never
applied silently."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

EARTH_RADIUS_KM = 6371.0088


def distance_km(lat1: Decimal, lon1: Decimal, lat2: Decimal, lon2: Decimal) -> float:
    """Great-circle distance (haversine); accurate to well under 1 % at these scales."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp = p2 - p1
    dl = math.radians(float(lon2) - float(lon1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


@dataclass(frozen=True)
class Place:
    occurred_on: date
    village_id: int
    latitude: Decimal | None
    longitude: Decimal | None


def same_event(a: Place, b: Place, window_days: int, max_km: float) -> bool:
    """Same household is implied; close in time, and close in space where both have a fix
    (otherwise the same village stands in for the place)."""
    if abs((a.occurred_on - b.occurred_on).days) > window_days:
        return False
    if None not in (a.latitude, a.longitude, b.latitude, b.longitude):
        return distance_km(a.latitude, a.longitude, b.latitude, b.longitude) <= max_km
    return a.village_id == b.village_id


def above_census(claimed: dict[str, int], census: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Species whose claimed heads exceed the census: {species: (claimed, held)}."""
    return {
        species: (heads, census[species])
        for species, heads in claimed.items()
        if species in census and heads > census[species]
    }
