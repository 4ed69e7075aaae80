"""Reads for LIS agreements. Nothing here returns a confidential price: see ``pricing``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone, translation

from legemiddel.accounts.models import User
from legemiddel.accounts.roles import Role
from legemiddel.agreements.links import portal_area_url
from legemiddel.agreements.models import (
    Agreement,
    AgreementLine,
    AgreementVersion,
    Notice,
    TherapeuticArea,
)
from legemiddel.core.models import MailDelivery
from legemiddel.lib.formatting import format_date
from legemiddel.lib.text import one_line
from legemiddel.organisation.models import Affiliation, HealthPersonnel, OrgUnit, UnitMembership

PATIENT_GROUP_ORDER = {"all": 0, "new": 1, "switch": 2}
# Public line fields: what the portal, notices, versions, API and exports may show.
PUBLIC_LINE_FIELDS = (
    "indication_group",
    "patient_group",
    "rank",
    "package_id",
    "valid_from",
    "valid_to",
    "dosing",
    "conditions",
    "comment",
)


def public_lines(agreement: Agreement) -> QuerySet[AgreementLine]:
    """The agreement's lines without the price column (``defer`` keeps it out of the query)."""
    return (
        agreement.lines.defer("lis_price")
        .select_related("package", "package__brand")
        .order_by("indication_group", "patient_group", "rank", "valid_from", "package_id")
    )


@dataclass
class RankGroup:
    indication_group: str
    patient_group: str
    patient_group_label: str
    lines: list[AgreementLine] = field(default_factory=list)


def rank_groups(lines: Iterable[AgreementLine]) -> list[RankGroup]:
    groups: dict[tuple[str, str], RankGroup] = {}
    for line in lines:
        key = (line.indication_group, line.patient_group)
        if key not in groups:
            groups[key] = RankGroup(
                line.indication_group, line.patient_group, line.get_patient_group_display()
            )
        groups[key].lines.append(line)
    ordered = sorted(
        groups.values(),
        key=lambda g: (g.indication_group.casefold(), PATIENT_GROUP_ORDER[g.patient_group]),
    )
    for group in ordered:
        group.lines.sort(key=lambda line: (line.rank, line.starts))
    return ordered


@dataclass
class AreaRecommendation:
    """What the portal says about one therapeutic area today."""

    area: TherapeuticArea
    current: Agreement | None
    groups: list[RankGroup]  # lines valid today, ranked
    upcoming_lines: list[AgreementLine]  # rank changes later in the current agreement
    next_agreement: Agreement | None
    next_groups: list[RankGroup]


def _published_agreements() -> Prefetch:
    """Each area's published agreements with their lines (no price column), in two queries
    for any number of areas."""
    return Prefetch(
        "agreements",
        queryset=Agreement.objects.filter(status=Agreement.Status.PUBLISHED).prefetch_related(
            Prefetch(
                "lines",
                queryset=AgreementLine.objects.defer("lis_price").select_related(
                    "package", "package__brand"
                ),
            )
        ),
        to_attr="published_agreements",
    )


def area_recommendation(area: TherapeuticArea, today: dt.date | None = None) -> AreaRecommendation:
    day = today or timezone.localdate()
    published: list[Agreement] | None = getattr(area, "published_agreements", None)
    if published is None:
        prefetch_related_objects([area], _published_agreements())
        published = area.published_agreements  # type: ignore[attr-defined]
    current = next((a for a in published if a.start <= day <= a.effective_end), None)
    upcoming = sorted((a for a in published if a.start > day), key=lambda a: a.start)
    next_agreement = upcoming[0] if upcoming else None
    groups: list[RankGroup] = []
    later: list[AgreementLine] = []
    if current is not None:
        lines = list(current.lines.all())
        groups = rank_groups(line for line in lines if line.valid_on(day))
        later = sorted((line for line in lines if line.starts > day), key=lambda x: x.starts)
    next_groups: list[RankGroup] = []
    if next_agreement is not None:
        lines = list(next_agreement.lines.all())
        next_groups = rank_groups(line for line in lines if line.valid_on(next_agreement.start))
    return AreaRecommendation(area, current, groups, later, next_agreement, next_groups)


def portal_areas(today: dt.date | None = None) -> list[AreaRecommendation]:
    """Every area with a published agreement, now or coming (three queries however many
    areas there are)."""
    areas = (
        TherapeuticArea.objects.filter(agreements__status=Agreement.Status.PUBLISHED)
        .distinct()
        .prefetch_related(_published_agreements())
    )
    found = [area_recommendation(area, today) for area in areas.order_by("name")]
    return [r for r in found if r.current or r.next_agreement]


def public_snapshot(agreement: Agreement) -> dict[str, Any]:
    """The recommendation as published: agreement fields and ranked lines, no prices."""
    lines = [
        {key: _json(getattr(line, key)) for key in PUBLIC_LINE_FIELDS}
        | {"name": line.package.name_form_strength}
        for line in public_lines(agreement)
    ]
    return {
        "title": agreement.title,
        "reference": agreement.reference,
        "region": agreement.region,
        "start": agreement.start.isoformat(),
        "end": agreement.end.isoformat(),
        "extended_to": agreement.extended_to.isoformat() if agreement.extended_to else None,
        "conditions": agreement.conditions,
        "comment": agreement.comment,
        "lines": lines,
    }


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def notice_text(
    agreement: Agreement,
    version: AgreementVersion,
    *,
    first: bool,
    changes: list[str] | None = None,
) -> tuple[str, str]:
    """Subject and body of the notice for a publication. Built from public data only, in
    Norwegian whatever language the publisher reads the product in. ``changes`` (ranking
    changes, before -> after) replace the whole ranking in the notice of a change."""
    with translation.override("nb"):
        return _notice_text(agreement, version, first=first, changes=changes or [])


def _notice_text(
    agreement: Agreement, version: AgreementVersion, *, first: bool, changes: list[str]
) -> tuple[str, str]:
    kind = "Ny LIS-anbefaling" if first else "Endret LIS-anbefaling"
    subject = one_line(f"{kind}: {agreement.title}")
    period = f"{format_date(agreement.start)}–{format_date(agreement.effective_end)}"
    lines = [
        f"{kind} for {agreement.area.name} ({agreement.region}), gjelder {period}.",
        "",
    ]
    if version.note:
        lines += ["Hva er endret:", version.note, ""]
    if changes:
        lines += ["Endringer i rangeringen:", *[f"  {change}" for change in changes], ""]
    for group in [] if changes else rank_groups(public_lines(agreement)):
        lines.append(f"{group.indication_group} – {group.patient_group_label.lower()}:")
        for line in group.lines:
            when = ""
            if line.valid_from or line.valid_to:
                when = f" ({format_date(line.starts)}–{format_date(line.ends)})"
            lines.append(f"  {line.rank}. {line.package.name_form_strength}{when}")
        lines.append("")
    if agreement.conditions:
        lines += ["Vilkår: " + agreement.conditions, ""]
    lines += [
        "Anbefalingene står i legemiddelportalen:",
        portal_area_url(agreement.area),
        "",
        "Priser er taushetsbelagt (forvaltningsloven § 13) og står ikke i denne e-posten. "
        "Har du tjenstlig behov for prisene, be spesialrådgiver legemiddelinnkjøp om pristilgang.",
    ]
    return subject[:200], "\n".join(lines)


# --- who a notice or meeting concerns ------------------------------------------------------


def _area_units(area: TherapeuticArea) -> list[OrgUnit]:
    return list(area.units.all())


def _subtree(units: list[OrgUnit]) -> Q:
    condition = Q(pk__in=[])
    for unit in units:
        condition |= Q(trust_id=unit.trust_id) & (
            Q(path=unit.path) | Q(path__startswith=unit.path + "/")
        )
    return condition


def _ancestors_and_subtree(units: list[OrgUnit]) -> QuerySet[OrgUnit]:
    condition = _subtree(units)
    for unit in units:
        parts = unit.path.split("/")
        prefixes = ["/".join(parts[:i]) for i in range(1, len(parts))]
        condition |= Q(trust_id=unit.trust_id, path__in=prefixes)
    return OrgUnit.objects.filter(condition)


def _members(units: list[OrgUnit], role: Role) -> list[tuple[User, OrgUnit]]:
    today = timezone.localdate()
    memberships = (
        UnitMembership.objects.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=today),
            Q(valid_to__isnull=True) | Q(valid_to__gte=today),
            role=role,
            org_unit__in=_ancestors_and_subtree(units),
            user__is_active=True,
            user__groups__name=role.value,
        )
        .select_related("user", "org_unit")
        .order_by("user__last_name", "user__first_name")
    )
    return [(m.user, m.org_unit) for m in memberships]


def _role_users(role: Role) -> list[User]:
    return list(
        User.objects.filter(is_active=True, groups__name=role.value).order_by(
            "last_name", "first_name"
        )
    )


@dataclass
class Recipient:
    name: str
    email: str
    reason: str


def distribution_list(area: TherapeuticArea) -> list[Recipient]:
    """Who gets the notice for an area: leaders of its units, prescribers working there, its
    contract specialists and the pharmacy. One entry per e-mail address, reasons joined;
    people without an address are listed so the gap shows."""
    units = _area_units(area)
    found: list[Recipient] = []
    for user, unit in _members(units, Role.UNIT_LEADER):
        found.append(Recipient(user.display_name, user.email, f"enhetsleder, {unit.name}"))
    today = timezone.localdate()
    # Current affiliations at the area's units: they decide who is included and the reason.
    here = Affiliation.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=today),
        Q(valid_to__isnull=True) | Q(valid_to__gte=today),
        org_unit__in=OrgUnit.objects.filter(_subtree(units)),
    ).select_related("org_unit")
    prescribers = (
        HealthPersonnel.objects.filter(
            category=HealthPersonnel.Category.HOSPITAL_DOCTOR,
            affiliations__in=here,
        )
        .select_related("user")
        .prefetch_related(Prefetch("affiliations", queryset=here, to_attr="area_affiliations"))
        .distinct()
        .order_by("name")
    )
    for doctor in prescribers:
        email = doctor.email or (doctor.user.email if doctor.user else "")
        places = {a.org_unit.name for a in doctor.area_affiliations if a.org_unit is not None}
        found.append(Recipient(doctor.name, email, "forskriver, " + ", ".join(sorted(places))))
    for person in area.specialists.select_related("user").order_by("name"):
        email = person.email or (person.user.email if person.user else "")
        found.append(Recipient(person.name, email, "avtalespesialist"))
    for user in _role_users(Role.PHARMACY):
        found.append(Recipient(user.display_name, user.email, "sykehusapoteket"))
    merged: dict[str, Recipient] = {}
    for recipient in found:
        key = recipient.email.casefold() or "name:" + recipient.name
        if key in merged:
            if recipient.reason not in merged[key].reason:
                merged[key].reason += "; " + recipient.reason
        else:
            merged[key] = recipient
    return list(merged.values())


def meeting_candidates(area: TherapeuticArea) -> list[tuple[str, User]]:
    """(participant role, user) for the people a start-up meeting needs, by their roles: the
    area's unit leaders, controllers and advisory pharmacists, the pharmacy and the core group
    (with the procurement adviser). The participant role is a code the meeting knows
    (``unit_leader``, ``controller``, ``advisory_pharmacist``, ``pharmacy``, ``core_group``)."""
    units = _area_units(area)
    found: list[tuple[str, User]] = []
    for role in (Role.UNIT_LEADER, Role.CONTROLLER, Role.ADVISORY_PHARMACIST):
        found += [(str(role.value), user) for user, _ in _members(units, role)]
    found += [("pharmacy", u) for u in _role_users(Role.PHARMACY)]
    found += [("core_group", u) for u in _role_users(Role.CORE_GROUP)]
    found += [("core_group", u) for u in _role_users(Role.PROCUREMENT_ADVISER)]
    return found


def notices_with_counts() -> QuerySet[Notice]:
    """Notices with how their deliveries went: ``sent``, ``failed``, ``pending`` (approved
    but not handed to the mail server yet), ``no_address`` and ``total``."""
    return (
        Notice.objects.select_related("agreement", "approved_by", "version")
        .annotate(
            sent=Count("deliveries", filter=Q(deliveries__mail__status=MailDelivery.Status.SENT)),
            failed=Count(
                "deliveries", filter=Q(deliveries__mail__status=MailDelivery.Status.FAILED)
            ),
            no_address=Count("deliveries", filter=Q(deliveries__email="")),
            total=Count("deliveries"),
        )
        .annotate(pending=F("total") - F("sent") - F("failed") - F("no_address"))
    )


def notices_awaiting_approval() -> QuerySet[Notice]:
    return Notice.objects.filter(status=Notice.Status.DRAFT).select_related("agreement")


def register_agreements() -> QuerySet[Agreement]:
    return Agreement.objects.select_related("area").order_by("area__name", "-start")


def grouped_by_area(agreements: Iterable[Agreement]) -> dict[TherapeuticArea, list[Agreement]]:
    grouped: dict[TherapeuticArea, list[Agreement]] = defaultdict(list)
    for agreement in agreements:
        grouped[agreement.area].append(agreement)
    return dict(grouped)


def attention_for(user: Any) -> dict[str, Any] | None:
    """The start-page panel of the core group and the procurement adviser: notices waiting
    to be sent (the start-up meetings have their own panel, from governance)."""
    if not user.has_role(Role.CORE_GROUP, Role.PROCUREMENT_ADVISER):
        return None
    return {"drafts": list(notices_awaiting_approval())}
