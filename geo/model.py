"""The geo API's value types (docs/ARCHITECTURE.md, "geo API")."""
from __future__ import annotations

from dataclasses import dataclass, field

KINDS = ("neighbourhood", "community", "sub-district", "district", "governorate",
         "landmark", "area", "region")


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry. ``id`` is the OCHA P-code, or ``M-...`` for a hand-kept entry."""
    id: str
    pcode: str | None
    name_ar: str
    name_en: str
    kind: str
    adm1_pcode: str | None
    adm2_pcode: str | None
    adm3_pcode: str | None
    adm4_pcode: str | None
    lat: float | None
    lon: float | None
    geo_precision: int          # 1 exact point, 2 near / part of an area, 3 region only
    in_aleppo_gov: bool
    source: str
    license: str
    note: str = ""              # where the coordinate comes from, data-quality remarks
    label_ar: str = ""          # OCHA's display name with its qualifier, e.g. "الزهراء - نبل"


@dataclass(frozen=True, slots=True)
class MentionQuery:
    """A place mention to resolve: ``key`` is ``arabic.name_key`` of the name without
    trigger or clitic; ``trigger`` the folded word before it (``حي``, ``بلده``, ``ريف``...)."""
    surface: str
    key: str
    trigger: str | None = None
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True, slots=True)
class Candidate:
    place: Place
    score: float
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Resolution:
    place: Place | None
    candidates: list[Candidate] = field(default_factory=list)
    reason: str = ""
