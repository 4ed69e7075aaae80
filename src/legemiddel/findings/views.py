"""The work list: findings in the user's units, nearest correction deadline first; one finding
with its status, assignee and comments; the list as XLSX for a correction round.

Findings are patient-level (DIPS references and pseudonyms, never a fødselsnummer): every read
of the list or a finding is written to the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from legemiddel.accounts.access import Rule, access, request_user
from legemiddel.accounts.models import User
from legemiddel.accounts.roles import Role
from legemiddel.core.audit import audit_read
from legemiddel.core.downloads import xlsx_response
from legemiddel.findings.access import get_finding_for_user
from legemiddel.findings.kinds import get_kind, kinds_for_user
from legemiddel.findings.models import Finding
from legemiddel.findings.selectors import WorkListFilter, prescriber_names, worklist
from legemiddel.findings.services import (
    finding_assign,
    finding_comment,
    finding_resolve,
    finding_set_status,
)
from legemiddel.organisation.selectors import org_units_in_scope


@dataclass(frozen=True)
class _Workers(Rule):
    """Logged in and holding a role that works on findings of some kind (each kind names its
    roles: the controllers and the core group income control, unit leaders too the findings of
    Nye metoder). Asked at each request: the kinds register after this module loads."""

    def allows(self, user: Any) -> bool:
        return bool(super().allows(user) and kinds_for_user(user))


WORKERS = _Workers("roles that work on findings: each finding kind's roles")
PAGE = 50


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _filter(request: HttpRequest) -> WorkListFilter:
    status = request.GET.get("status", Finding.Status.OPEN)
    return WorkListFilter(
        kind=request.GET.get("type", ""),
        status=status if status in Finding.Status.values else "",
        unit=_int(request.GET.get("enhet")),
        assignee=_int(request.GET.get("ansvarlig")),
    )


def _without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("side", None)
    return query.urlencode()


@access(WORKERS)
def worklist_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    chosen = _filter(request)
    found = worklist(user, chosen)
    page = _int(request.GET.get("side")) or 1
    # One row more than a page says whether there is a next page: no count over the whole
    # list on every view (the core group's list is the whole trust's).
    rows = list(found[(page - 1) * PAGE : page * PAGE + 1])
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    names = prescriber_names({f.prescriber for f in rows})
    for f in rows:
        f.prescriber_name = names.get(f.prescriber, "")  # type: ignore[attr-defined]
    audit_read(
        request=request,
        what="arbeidsliste",
        detail=f"{len(rows)} funn vist: " + " ".join(str(f.pk) for f in rows),
    )
    context = {
        "findings": rows,
        "chosen": chosen,
        "kinds": kinds_for_user(user),
        "units": org_units_in_scope(user).order_by("path").only("id", "name", "path"),
        "statuses": Finding.Status.choices,
        "amountless": {k.key for k in kinds_for_user(user) if not k.has_amount},
        "page": page,
        "next_page": page + 1 if more else None,
        "previous_page": page - 1 if page > 1 else None,
        "query": request.GET.urlencode(),
        "filters": _without_page(request),
    }
    return render(request, "findings/worklist.html", context)


@access(WORKERS)
def worklist_xlsx(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    found = worklist(user, _filter(request))
    audit_read(request=request, what="arbeidsliste", detail="arbeidsliste som XLSX")
    missing = _("rate missing")
    kinds = {kind.key: kind for kind in kinds_for_user(user)}
    header = [
        _("Finding"),
        _("Unit"),
        _("Date"),
        _("Reference"),
        _("Drug"),
        _("Rule"),
        _("Estimated income at risk (NOK)"),
        _("Correction deadline"),
        _("Status"),
        _("Assignee"),
        _("Note"),
        _("Id"),
        _("Patient (pseudonym)"),
        _("Prescriber (HPR)"),
        _("Resolution"),
        _("Resolution reference"),
    ]
    rows = (
        (
            str(f.category_label),
            f.org_unit.name if f.org_unit else "",
            f.occurred_on,
            f.reference,
            f.subject,
            f.rule,
            f.amount if f.amount is not None else (missing if _has_amount(kinds, f) else ""),
            f.deadline,
            f.get_status_display(),
            f.assignee.get_username() if f.assignee else "",
            f.note,
            f.pk,
            f.patient,
            f.prescriber,
            str(f.resolution_label) if f.resolution else "",
            f.resolution_reference,
        )
        for f in found.iterator(chunk_size=2000)
    )
    return xlsx_response("arbeidsliste", header, rows, sheet=_("Findings"))


def _has_amount(kinds: dict[str, Any], finding: Finding) -> bool:
    kind = kinds.get(finding.kind)
    return kind.has_amount if kind else True


def _assignees() -> QuerySet[User]:
    """Who a finding can be given to: the people who work on findings."""
    return User.objects.filter(
        is_active=True, groups__name__in=[Role.CONTROLLER.value, Role.CORE_GROUP.value]
    ).distinct()


@access(WORKERS)
def finding_page(request: HttpRequest, finding_id: int) -> HttpResponse:
    user = request_user(request)
    finding = get_finding_for_user(user, finding_id)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "status":
                finding_set_status(
                    finding=finding,
                    status=request.POST.get("status", ""),
                    reason=request.POST.get("reason", ""),
                    actor=user,
                    request=request,
                )
            elif action == "resolve":
                finding_resolve(
                    finding=finding,
                    resolution=request.POST.get("resolution", ""),
                    reference=request.POST.get("reference", ""),
                    reason=request.POST.get("reason", ""),
                    actor=user,
                    request=request,
                )
            elif action == "assign":
                chosen = _int(request.POST.get("assignee"))
                assignee = _assignees().filter(pk=chosen).first() if chosen else None
                if chosen and assignee is None:
                    raise ValidationError(_("Choose a controller or a member of the core group."))
                finding_assign(finding=finding, assignee=assignee, actor=user, request=request)
            elif action == "comment":
                finding_comment(
                    finding=finding, text=request.POST.get("text", ""), actor=user, request=request
                )
            messages.success(request, _("Saved."))
            return redirect("findings:finding", finding_id=finding.pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    audit_read(request=request, what=f"funn:{finding.pk}", detail=f"funn {finding.pk}")
    kind = get_kind(finding.kind)
    context = {
        "finding": finding,
        "kind": kind,
        "comments": finding.comments.select_related("author"),
        "statuses": [
            (value, label) for value, label in Finding.Status.choices if value != "resolved"
        ],
        "resolutions": list(kind.resolutions.items()) if kind else [],
        "prescriber_name": prescriber_names({finding.prescriber}).get(finding.prescriber, ""),
        "assignees": _assignees(),
    }
    return render(request, "findings/finding.html", context)
