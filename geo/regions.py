"""Distances and the four countryside sectors of Aleppo governorate.

"ريف حلب الشمالي/الشرقي/الجنوبي/الغربي" in reports means the governorate's
countryside north/east/south/west of the city. The gazetteer models each as the
places outside the city (farther than ``CITY_RADIUS_KM`` from C1007) whose
bearing from C1007 falls in a 90-degree sector. That is a convention, stated in
docs/gazetteer.md, not an administrative boundary.
"""
from __future__ import annotations

import math

ALEPPO_CITY = "C1007"
CITY_LAT, CITY_LON = 36.20612, 37.15253      # OCHA v02 point of C1007 حلب
CITY_RADIUS_KM = 8.0
# sector -> (from, to) bearing in degrees, clockwise from north
SECTORS = {"north": (315, 45), "east": (45, 135), "south": (135, 225), "west": (225, 315)}
REGION_IDS = {"north": "M-rif-halab-north", "east": "M-rif-halab-east",
              "south": "M-rif-halab-south", "west": "M-rif-halab-west"}


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km.

    >>> round(haversine_km(36.37512, 36.99652, 36.35992, 37.01233), 1)  # Nubl - al-Zahraa
    2.2
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, a)))


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial bearing from point 1 to point 2, degrees clockwise from north.

    >>> round(bearing_deg(36.0, 37.0, 37.0, 37.0))
    0
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    x = math.sin(dl) * math.cos(p2)
    y = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return math.degrees(math.atan2(x, y)) % 360


def sector_of(lat: float, lon: float) -> str | None:
    """The countryside sector of a point, or None inside the city radius.

    >>> sector_of(36.37512, 36.99652)   # Nubl
    'north'
    >>> sector_of(36.13788, 36.82849)   # al-Atareb
    'west'
    >>> sector_of(36.1907, 37.1271) is None   # Saif al-Dawla, in the city
    True
    """
    if haversine_km(CITY_LAT, CITY_LON, lat, lon) <= CITY_RADIUS_KM:
        return None
    b = bearing_deg(CITY_LAT, CITY_LON, lat, lon)
    for name, (lo, hi) in SECTORS.items():
        if (lo <= b < hi) if lo < hi else (b >= lo or b < hi):
            return name
    return None  # unreachable: the sectors cover the circle
