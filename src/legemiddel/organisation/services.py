"""Writes to the organisation: keeping unit paths right, and the CSV imports."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from legemiddel.accounts.models import User
from legemiddel.accounts.roles import UNIT_SCOPED_ROLES, Role
from legemiddel.core.audit import audit_record
from legemiddel.core.models import AuditEvent
from legemiddel.lib.tabular import ImportRejected, RowError
from legemiddel.lib.text import fold
from legemiddel.organisation.importers import (
    check_organisation,
    parse_organisation,
    parse_personnel,
)
from legemiddel.organisation.models import (
    Affiliation,
    CostCentre,
    ExternalSite,
    HealthPersonnel,
    HealthTrust,
    OrgUnit,
    UnitMembership,
)

logger = logging.getLogger(__name__)


@dataclass
class ImportSummary:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, created: bool) -> None:
        target = self.created if created else self.updated
        target[kind] = target.get(kind, 0) + 1

    def as_text(self) -> str:
        parts = [f"{k}: {v} nye" for k, v in sorted(self.created.items())]
        parts += [f"{k}: {v} oppdatert" for k, v in sorted(self.updated.items())]
        return "; ".join(parts) or "ingen endringer"


def personnel_save(*, person: HealthPersonnel) -> HealthPersonnel:
    """Validate and save health personnel, keeping the search key in step with the name."""
    person.search_key = fold(f"{person.name} {person.hpr_number}")
    person.full_clean(exclude=["user"])
    person.save()
    return person


@transaction.atomic
def org_unit_save(*, unit: OrgUnit) -> OrgUnit:
    """Validate and save an org unit, then re-derive the paths of everything under it."""
    unit.full_clean(exclude=["path"])
    old_path = unit.path
    unit.path = unit.compute_path()
    unit.save()
    if old_path and old_path != unit.path:
        for child in unit.children.all():
            org_unit_save(unit=child)
    return unit


def _only_trust() -> HealthTrust | None:
    trusts = list(HealthTrust.objects.all()[:2])
    return trusts[0] if len(trusts) == 1 else None


@transaction.atomic
def organisation_import_csv(
    *, data: bytes, actor: Any = None, file_name: str = ""
) -> ImportSummary:
    """Import (create or update by code) the organisation CSV. All or nothing.

    Rows that are not in the file are left as they are: a partial file updates part of the
    organisation. Raises :class:`ImportRejected` with every error found.
    """
    records, errors = parse_organisation(data)
    trust_records = [r for r in records if r.group == "trust"]
    trust: HealthTrust | None
    if trust_records:
        trust = HealthTrust.objects.filter(code=trust_records[0].code).first()
    else:
        trust = _only_trust()
        if trust is None and not errors:
            errors.append(
                RowError(
                    0,
                    "type",
                    "",
                    "filen har ingen rad av typen foretak, og det er "
                    "ikke entydig hvilket foretak radene hører til",
                )
            )
    existing_units = (
        dict(OrgUnit.objects.filter(trust=trust).values_list("code", "level")) if trust else {}
    )
    existing_municipalities = (
        set(
            ExternalSite.objects.filter(
                trust=trust, kind=ExternalSite.Kind.MUNICIPALITY
            ).values_list("code", flat=True)
        )
        if trust
        else set()
    )
    errors += check_organisation(records, existing_units, existing_municipalities)
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: (e.row, e.column)))

    summary = ImportSummary()
    if trust_records:
        rec = trust_records[0]
        trust, created = HealthTrust.objects.update_or_create(
            code=rec.code,
            defaults={"name": rec.name, "org_number": rec.org_number, "region": rec.region},
        )
        summary.count("foretak", created)
    assert trust is not None
    units = {u.code: u for u in OrgUnit.objects.filter(trust=trust)}
    for rec in sorted((r for r in records if r.group == "unit"), key=lambda r: r.kind):
        unit = units.get(rec.code)
        created = unit is None
        if unit is None:
            unit = OrgUnit(trust=trust, code=rec.code)
        unit.level = int(rec.kind)
        unit.name = rec.name
        unit.short_name = rec.short_name
        unit.parent = units[rec.parent] if rec.parent else None
        try:
            org_unit_save(unit=unit)
        except ValidationError as exc:
            # Rules that depend on what is already stored (such as sub-units that would end
            # up on the wrong level) surface here; report them like any other row error.
            raise ImportRejected(
                [RowError(rec.row, "type", rec.code, "; ".join(str(m) for m in exc.messages))]
            ) from exc
        units[rec.code] = unit
        summary.count("organisasjonsenheter", created)
        for cc in rec.cost_centres:
            _, cc_created = CostCentre.objects.update_or_create(
                trust=trust, code=cc, defaults={"org_unit": unit}
            )
            summary.count("kostnadssteder", cc_created)
    sites = {s.code: s for s in ExternalSite.objects.filter(trust=trust)}
    # Municipalities first so other sites can point at them.
    for rec in sorted(
        (r for r in records if r.group == "site"), key=lambda r: r.kind != "municipality"
    ):
        site, created = ExternalSite.objects.update_or_create(
            trust=trust,
            code=rec.code,
            defaults={
                "kind": rec.kind,
                "name": rec.name,
                "org_number": rec.org_number,
                "municipality_number": rec.municipality_number,
                "municipality": sites[rec.parent] if rec.parent else None,
            },
        )
        site.full_clean()
        sites[rec.code] = site
        summary.count("eksterne steder", created)
    audit_record(
        action=AuditEvent.Action.IMPORT,
        user=actor,
        detail=f"organisasjon {file_name}: {summary.as_text()}"[:1000],
    )
    return summary


@transaction.atomic
def personnel_import_csv(*, data: bytes, actor: Any = None, file_name: str = "") -> ImportSummary:
    """Import health personnel by HPR number with their workplaces. All or nothing.

    A listed person's affiliations are replaced by the workplaces in the file.
    """
    records, errors = parse_personnel(data)
    unit_ids = dict(OrgUnit.objects.values_list("code", "id"))
    site_ids = dict(ExternalSite.objects.values_list("code", "id"))
    for rec in records:
        for code in rec.workplaces:
            if code not in unit_ids and code not in site_ids:
                errors.append(
                    RowError(
                        rec.row, "arbeidssted", code, "finnes ikke som enhet eller eksternt sted"
                    )
                )
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: (e.row, e.column)))
    summary = ImportSummary()
    for rec in records:
        person = HealthPersonnel.objects.filter(hpr_number=rec.hpr_number).first()
        created = person is None
        if person is None:
            person = HealthPersonnel(hpr_number=rec.hpr_number)
        person.name, person.category, person.is_specialist, person.email = (
            rec.name,
            rec.category,
            rec.is_specialist,
            rec.email,
        )
        personnel_save(person=person)
        summary.count("helsepersonell", created)
        person.affiliations.all().delete()
        Affiliation.objects.bulk_create(
            Affiliation(
                person=person,
                org_unit_id=unit_ids.get(code),
                site_id=None if code in unit_ids else site_ids[code],
            )
            for code in rec.workplaces
        )
    audit_record(
        action=AuditEvent.Action.IMPORT,
        user=actor,
        detail=f"helsepersonell {file_name}: {summary.as_text()}"[:1000],
    )
    return summary


@transaction.atomic
def membership_add(
    *,
    user: User,
    org_unit: Any,
    role: Role | str,
    valid_from: dt.date | None = None,
    actor: User | None = None,
) -> UnitMembership:
    """Scope ``user`` to ``org_unit`` (and its sub-units) for ``role``."""
    membership, created = UnitMembership.objects.get_or_create(
        user=user, org_unit=org_unit, role=str(Role(role)), defaults={"valid_from": valid_from}
    )
    if not created:
        return membership
    audit_record(
        action=AuditEvent.Action.MEMBERSHIP_CHANGED,
        user=actor,
        detail=f"{user.get_username()} + {org_unit.code} ({role})",
    )
    return membership


@transaction.atomic
def membership_sync(
    *, user: User, unit_codes: list[str], roles: Iterable[Role | str], actor: User | None = None
) -> None:
    """Make ``user``'s unit memberships exactly the listed units for each of ``roles`` that is
    scoped to units (as an identity provider's claims say at login). Unknown unit codes are
    ignored and logged; memberships no longer claimed are removed and recorded."""
    scoped = sorted(str(Role(r)) for r in roles if Role(r) in UNIT_SCOPED_ROLES)
    units = list(OrgUnit.objects.filter(code__in=unit_codes))
    unknown = sorted(set(unit_codes) - {u.code for u in units})
    if unknown:
        logger.warning("Unit codes %s from the identity provider are not known; ignored", unknown)
    wanted = {(unit.pk, role) for unit in units for role in scoped}
    for membership in UnitMembership.objects.filter(user=user).select_related("org_unit"):
        if (membership.org_unit_id, membership.role) not in wanted:
            membership.delete()
            audit_record(
                action=AuditEvent.Action.MEMBERSHIP_CHANGED,
                user=actor,
                detail=f"{user.get_username()} - {membership.org_unit.code} ({membership.role})",
            )
    for unit in units:
        for role in scoped:
            membership_add(user=user, org_unit=unit, role=role, actor=actor)
