"""Agreement endpoints of the REST API (mounted under /api/v1/agreements/).

The drug portal as data: the recommendations in force, without prices. Confidential LIS
prices are never served by the API; they stay on the logged price pages.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema

from legemiddel.agreements import selectors
from legemiddel.core.api import errors

router = Router(tags=["agreements"])


class RankedProduct(Schema):
    rank: int = Field(description="1 is first choice.")
    varenr: str
    name: str
    valid_from: dt.date
    valid_to: dt.date
    dosing: str
    conditions: str


class RecommendationGroup(Schema):
    indication_group: str
    patient_group: str = Field(description="all, new (new patients) or switch (switching).")
    products: list[RankedProduct]


class AreaOut(Schema):
    code: str
    name: str
    agreement: str | None = Field(description="The agreement in force today, if any.")
    region: str | None
    start: dt.date | None
    end: dt.date | None = Field(description="End, including any extension.")
    version: int | None
    groups: list[RecommendationGroup]
    next_agreement: str | None
    next_start: dt.date | None


@router.get(
    "/recommendations", response={200: list[AreaOut], **errors()}, url_name="recommendations"
)
def recommendations(request: HttpRequest) -> list[AreaOut]:
    """Every therapeutic area's ranking in force today, and the next agreement if one is
    published. No prices."""
    found = []
    for r in selectors.portal_areas():
        current = r.current
        found.append(
            AreaOut(
                code=r.area.code,
                name=r.area.name,
                agreement=current.title if current else None,
                region=current.region if current else None,
                start=current.start if current else None,
                end=current.effective_end if current else None,
                version=current.version if current else None,
                groups=[
                    RecommendationGroup(
                        indication_group=g.indication_group,
                        patient_group=g.patient_group,
                        products=[
                            RankedProduct(
                                rank=line.rank,
                                varenr=line.package_id,
                                name=line.package.name_form_strength,
                                valid_from=line.starts,
                                valid_to=line.ends,
                                dosing=line.dosing,
                                conditions=line.conditions,
                            )
                            for line in g.lines
                        ],
                    )
                    for g in r.groups
                ],
                next_agreement=r.next_agreement.title if r.next_agreement else None,
                next_start=r.next_agreement.start if r.next_agreement else None,
            )
        )
    return found
