"""Publication: what stops it, and the new version with its drafted notice."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from legemiddel.accounts.models import User
from legemiddel.agreements import importer, selectors
from legemiddel.agreements.changes import ranking_changes
from legemiddel.agreements.events import AGREEMENT_PUBLISHED
from legemiddel.agreements.models import (
    Agreement,
    AgreementChange,
    AgreementLine,
    AgreementVersion,
    Delivery,
    Notice,
)
from legemiddel.agreements.services.agreements import _overlap_errors, _period_errors, _ranked
from legemiddel.core import outbox
from legemiddel.core.audit import audit_record
from legemiddel.core.models import AuditEvent


def agreement_problems(agreement: Agreement) -> list[str]:
    """What stops publication: no products, rank gaps, lines outside the period, overlaps."""
    lines = list(agreement.lines.all())
    problems = [] if lines else ["Avtalen har ingen produkter."]
    problems += _overlap_errors(agreement)
    for error in importer.rank_problems([_ranked(line, agreement) for line in lines]):
        problems.append(error.message)
    for line in lines:
        problems += [
            e.message for e in _period_errors(agreement, 0, line.valid_from, line.valid_to)
        ]
        if line.cost_basis != AgreementLine.CostBasis.DDD and not line.packs_per_period:
            problems.append(
                f"{line.package_id} i «{line.indication_group}»: kostnad per år eller kur "
                "trenger pakninger per periode."
            )
    return problems


@transaction.atomic
def agreement_publish(*, agreement: Agreement, actor: User | None, note: str = "") -> Notice:
    """Publish the agreement (or its changes) to the portal and draft the notice.

    The new version keeps the published recommendation without prices. The notice of a change
    says what changed in the ranking, group by group (before -> after, from which day). It
    goes out only when the procurement adviser approves it (:func:`notice_send`).
    """
    problems = agreement_problems(agreement)
    if problems:
        raise ValidationError(problems)
    if agreement.status == Agreement.Status.PUBLISHED and not agreement.has_unpublished_changes:
        raise ValidationError(["Ingenting er endret siden forrige publisering."])
    first = agreement.version == 0
    # Compared with the version before this one, so computed before the new one is made.
    changes = [change.as_text() for change in ranking_changes(agreement)]
    agreement.version += 1
    agreement.status = Agreement.Status.PUBLISHED
    agreement.has_unpublished_changes = False
    agreement.save(update_fields=["version", "status", "has_unpublished_changes"])
    version = AgreementVersion.objects.create(
        agreement=agreement,
        number=agreement.version,
        published_by=actor,
        note=note,
        snapshot=selectors.public_snapshot(agreement),
    )
    AgreementChange.objects.filter(agreement=agreement, published_in__isnull=True).update(
        published_in=version.number
    )
    subject, body = selectors.notice_text(agreement, version, first=first, changes=changes)
    notice = Notice.objects.create(agreement=agreement, version=version, subject=subject, body=body)
    Delivery.objects.bulk_create(
        Delivery(notice=notice, name=r.name, email=r.email, reason=r.reason)
        for r in selectors.distribution_list(agreement.area)
    )
    audit_record(
        action=AuditEvent.Action.AGREEMENT,
        user=actor,
        detail=f"avtale {agreement.pk} «{agreement.title}» publisert som versjon {version.number}",
    )
    # Measures rank packages by the published agreements. Announced here, in the publication's
    # transaction; the area's figures are recomputed by a background job once it has committed,
    # never inside the web request.
    outbox.announce(
        topic=AGREEMENT_PUBLISHED,
        payload={"area": agreement.area.code, "agreement": agreement.pk, "version": version.number},
    )
    return notice
