"""UN M49 regions of countries (codes from app/data/m49.csv; names from Babel/CLDR)."""
from __future__ import annotations

import csv
import functools
from dataclasses import dataclass

from app.i18n import DATA_DIR, cldr

# The five M49 regions (continental level).
REGIONS = ("002", "019", "142", "150", "009")


@dataclass(frozen=True)
class CountryInfo:
    alpha2: str
    region: str
    subregion: str
    ldc: bool
    lldc: bool


@functools.cache
def countries_info() -> dict[str, CountryInfo]:
    with open(DATA_DIR / "m49.csv", newline="", encoding="utf-8") as fh:
        return {row["alpha2"]: CountryInfo(row["alpha2"], row["region"], row["subregion"],
                                           row["ldc"] == "1", row["lldc"] == "1")
                for row in csv.DictReader(fh)}


def region_of(country: str | None) -> str | None:
    info = countries_info().get(country or "")
    return info.region if info and info.region else None


def countries_in_region(region: str) -> list[str]:
    return sorted(c.alpha2 for c in countries_info().values()
                  if region in (c.region, c.subregion))


def region_name(code: str | None, lang: str) -> str:
    if not code:
        return ""
    return cldr(lang).territories.get(code, code)


def regions(lang: str) -> list[tuple[str, str]]:
    return [(code, region_name(code, lang)) for code in REGIONS]
