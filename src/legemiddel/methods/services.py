"""Writes of the core group's register: confirm or correct a decision, edit the links, pick
FEST substances, add a method by hand. Each writes the audit trail and announces
``METHODS_CHANGED`` so the contradiction finder looks again."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from legemiddel.agreements.models import TherapeuticArea
from legemiddel.catalogue.models import Substance
from legemiddel.core import outbox
from legemiddel.core.audit import audit_record
from legemiddel.methods.decisions import understand
from legemiddel.methods.events import METHODS_CHANGED
from legemiddel.methods.icd10 import Icd10Error, icd10_clean, icd10_prefixes
from legemiddel.methods.ids import indication_key, method_id_or_none
from legemiddel.methods.linking import link_method
from legemiddel.methods.models import DecisionStatus, Method, MethodSubstance, MethodType

# The method type as the list writes it (for a method added by hand).
LIST_TYPE_TEXT = {
    MethodType.DRUG: "Legemidler",
    MethodType.DEVICE: "Medisinsk utstyr, diagnostikk og tester",
    MethodType.PROCEDURE: "Prosedyrer og organisatoriske tiltak",
}
ATC = re.compile(r"^[A-Z](?:\d\d(?:[A-Z](?:[A-Z](?:\d\d)?)?)?)?$")


def _announce(method: Method) -> None:
    outbox.announce(topic=METHODS_CHANGED, payload={"methods": [method.pk]})


def _changes(method: Method, values: dict[str, Any]) -> list[str]:
    """Set the values that differ; returns the changed field names."""
    changed = []
    for name, value in values.items():
        if getattr(method, name) != value:
            setattr(method, name, value)
            changed.append(name)
    return changed


def _show(value: object) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, bool):
        return "ja" if value else "nei"
    return str(value)[:80]


def method_confirm(
    *,
    method: Method,
    actor: Any,
    status: str,
    conditions: str = "",
    price_condition: bool = False,
    effective_from: dt.date | None = None,
    effective_note: str = "",
    request: Any = None,
) -> Method:
    """Confirm the suggested status or correct it, with the conditions and the date of use.
    Confirming again after the decision changed counts as a new confirmation."""
    if status not in DecisionStatus.values:
        raise ValidationError({"status": _("Choose a status.")})
    if status == DecisionStatus.CONDITIONS and not conditions.strip():
        raise ValidationError(
            {"conditions": _("Write the conditions of an introduction with conditions.")}
        )
    with transaction.atomic():
        before = {
            name: getattr(method, name)
            for name in ("status", "conditions", "price_condition", "effective_from")
        }
        changed = _changes(
            method,
            {
                "status": status,
                "conditions": conditions.strip(),
                "price_condition": price_condition,
                "effective_from": effective_from,
                "effective_note": effective_note.strip()[:300],
            },
        )
        method.status_confirmed_by = actor
        method.status_confirmed_at = timezone.now()
        method.save(update_fields=[*changed, "status_confirmed_by", "status_confirmed_at"])
        detail = "; ".join(
            f"{name}: {_show(before[name])} -> {_show(getattr(method, name))}"
            for name in before
            if name in changed
        )
        audit_record(
            action="method_confirm",
            user=actor,
            request=request,
            target=f"metode:{method.pk}",
            detail=f"{method.method_id} bekreftet som {status}"
            + (f" (forslag {method.suggested_status})" if method.suggested_status != status else "")
            + (f"; {detail}" if detail else ""),
        )
        _announce(method)
    return method


def method_links_save(
    *,
    method: Method,
    actor: Any,
    atc_codes: str,
    area: TherapeuticArea | None,
    icd10: str,
    request: Any = None,
) -> Method:
    """Set the ATC codes, the LIS area and the ICD-10 codes by hand; linking keeps them."""
    codes = list(dict.fromkeys(atc_codes.upper().replace(",", " ").split()))
    bad = [c for c in codes if not ATC.match(c)]
    if bad:
        raise ValidationError(
            {"atc_codes": _("Not an ATC code: %(codes)s.") % {"codes": ", ".join(bad)}}
        )
    try:
        cleaned_icd10 = icd10_clean(icd10)
        icd10_prefixes(cleaned_icd10)
    except Icd10Error as exc:
        raise ValidationError({"icd10": str(exc)}) from exc
    atc_text = " ".join(codes)
    if len(atc_text) > 300:
        raise ValidationError({"atc_codes": _("Too many ATC codes.")})
    if len(cleaned_icd10) > 500:
        raise ValidationError({"icd10": _("Too many ICD-10 codes.")})
    with transaction.atomic():
        before = (method.atc_codes, method.area, method.icd10)
        values: dict[str, Any] = {}
        if (atc_text, area) != (method.atc_codes, method.area):
            values.update(atc_codes=atc_text, area=area, links_by_hand=True)
        if cleaned_icd10 != method.icd10:
            values.update(icd10=cleaned_icd10, icd10_by_hand=True)
        changed = _changes(method, values)
        if not changed:
            return method
        method.save(update_fields=changed)
        audit_record(
            action="method_links",
            user=actor,
            request=request,
            target=f"metode:{method.pk}",
            detail=f"{method.method_id}: ATC {_show(before[0])} -> {_show(method.atc_codes)}; "
            f"område {_show(before[1])} -> {_show(method.area)}; "
            f"ICD-10 {_show(before[2])} -> {_show(method.icd10)}",
        )
        _announce(method)
    return method


def method_links_reset(*, method: Method, actor: Any, request: Any = None) -> Method:
    """Give the links back to linking: substances by name, ATC codes, area and ICD-10 codes
    from the catalogue, the agreements and the reviewed file."""
    with transaction.atomic():
        method.substance_links.filter(source=MethodSubstance.Source.MANUAL).delete()
        method.substances_by_hand = False
        method.links_by_hand = False
        method.icd10_by_hand = False
        method.save(update_fields=["substances_by_hand", "links_by_hand", "icd10_by_hand"])
        link_method(method)
        audit_record(
            action="method_links_reset",
            user=actor,
            request=request,
            target=f"metode:{method.pk}",
            detail=f"{method.method_id}: koblingene settes automatisk igjen",
        )
        _announce(method)
    return method


def _take_over_substances(method: Method) -> None:
    """A person's pick makes every substance link theirs: linking leaves them from now on."""
    method.substance_links.filter(source=MethodSubstance.Source.NAME).update(
        source=MethodSubstance.Source.MANUAL
    )
    method.substances_by_hand = True
    method.substance_pick_needed = False
    method.save(update_fields=["substances_by_hand", "substance_pick_needed"])


def method_substance_pick(
    *, method: Method, substance: Substance, actor: Any, request: Any = None
) -> Method:
    """Link a FEST substance picked by a person (the ATC codes and area follow unless they
    were set by hand)."""
    if method.method_type != MethodType.DRUG:
        raise ValidationError(_("Only drug methods are linked to substances."))
    with transaction.atomic():
        _take_over_substances(method)
        MethodSubstance.objects.get_or_create(
            method=method, substance=substance, defaults={"source": MethodSubstance.Source.MANUAL}
        )
        link_method(method)
        audit_record(
            action="method_substance_pick",
            user=actor,
            request=request,
            target=f"metode:{method.pk}",
            detail=f"{method.method_id}: virkestoff {substance.name} ({substance.pk}) valgt",
        )
        _announce(method)
    return method


def method_substance_unpick(
    *, method: Method, substance_id: str, actor: Any, request: Any = None
) -> Method:
    """Remove a substance link (found by name or picked); linking will not add it back."""
    with transaction.atomic():
        link = (
            method.substance_links.select_related("substance")
            .filter(substance_id=substance_id)
            .first()
        )
        if link is None:
            raise ValidationError(_("The substance is not linked to this method."))
        _take_over_substances(method)
        link.delete()
        link_method(method)
        audit_record(
            action="method_substance_unpick",
            user=actor,
            request=request,
            target=f"metode:{method.pk}",
            detail=f"{method.method_id}: virkestoff {link.substance.name} ({substance_id}) fjernet",
        )
        _announce(method)
    return method


def method_create(
    *,
    actor: Any,
    method_id: str,
    indication: str,
    decision_short: str,
    decision_full: str = "",
    substance_text: str = "",
    trade_names: str = "",
    method_type: str = MethodType.DRUG,
    specialty: str = "",
    decision_date: dt.date | None = None,
    request: Any = None,
) -> Method:
    """Add a method the list lacks (``manual``): the decision is understood and linked like an
    imported one, and waits for a person to confirm its status."""
    normalised = method_id_or_none(method_id)
    if normalised is None:
        raise ValidationError(
            {"method_id": _("Write the ID as in the list, e.g. 2019_073 or ID2019_073.")}
        )
    if not indication.strip():
        raise ValidationError({"indication": _("Write the indication.")})
    if not decision_short.strip() and not decision_full.strip():
        raise ValidationError({"decision_short": _("Write the decision.")})
    if method_type not in MethodType.values:
        raise ValidationError({"method_type": _("Choose a method type.")})
    key = indication_key(indication)
    with transaction.atomic():
        if Method.objects.filter(method_id=normalised, indication_key=key).exists():
            raise ValidationError(
                {"indication": _("%(id)s already has this indication.") % {"id": normalised}}
            )
        seen = understand(decision_short, decision_full)
        method = Method.objects.create(
            method_id=normalised,
            indication=indication.strip(),
            indication_key=key,
            substance_text=substance_text.strip(),
            trade_names=trade_names.strip(),
            method_type=method_type,
            method_type_text=LIST_TYPE_TEXT[MethodType(method_type)],
            specialty=specialty.strip(),
            decision_date=decision_date,
            decision_short=decision_short.strip(),
            decision_full=decision_full.strip(),
            listed=False,
            manual=True,
            changed_at=timezone.now(),
            suggested_status=seen.status,
            conditions=seen.conditions,
            price_condition=seen.price_condition,
            effective_from=seen.effective_from,
            effective_note=seen.effective_note,
        )
        link_method(method)
        audit_record(
            action="method_create",
            user=actor,
            request=request,
            target=f"metode:{method.pk}",
            detail=f"{normalised} lagt til for hånd: {indication.strip()[:200]}",
        )
        _announce(method)
    return method
