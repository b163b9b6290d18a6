"""Wonde's regional API domains: `https://{domain}/v1.0/`, the domain taken from the school's
`region` object (docs.wonde.com, Regional Domains). The wrong domain returns no data, so an
unknown region is refused rather than guessed, and only Wonde's own domains are ever sent a token.
"""

from __future__ import annotations

API_VERSION = "v1.0"
UK_AND_ROW = "api.wonde.com"  # the UK and the rest of the world
DOMAINS = frozenset({UK_AND_ROW, "api-ap-southeast-2.wonde.com", "api-af-south-1.wonde.com"})
# Region codes seen in the region object (`code`, e.g. "GBR") and the plain names staff type.
# Only GBR is documented as an example; the others are the ISO 3166 codes of the documented regions.
REGIONS = {
    "GBR": UK_AND_ROW, "UK": UK_AND_ROW, "ROW": UK_AND_ROW, "IRL": UK_AND_ROW, "USA": UK_AND_ROW,
    "AUS": "api-ap-southeast-2.wonde.com", "NZL": "api-ap-southeast-2.wonde.com",
    "AU": "api-ap-southeast-2.wonde.com", "NZ": "api-ap-southeast-2.wonde.com",
    "ZAF": "api-af-south-1.wonde.com", "ZA": "api-af-south-1.wonde.com",
}


def domain_for(region: str) -> str:
    """The API domain for a region code or a region object's `domain`. Raises ValueError."""
    value = region.strip()
    if value.lower() in DOMAINS:
        return value.lower()
    found = REGIONS.get(value.upper())
    if found is None:
        raise ValueError(f"unknown Wonde region {region!r}: give the school's region code or its "
                         f"region domain ({', '.join(sorted(DOMAINS))})")
    return found


def base_url(region: str) -> str:
    return f"https://{domain_for(region)}/{API_VERSION}"
