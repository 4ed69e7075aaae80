"""The core group's register of Nye metoder: every method with filters and counts, the list
as XLSX, the manage page of a method (confirm or correct the status, conditions and date of
use; edit links; pick substances) and a method added by hand. The drug committee reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from legemiddel.accounts.access import Roles, access, request_user
from legemiddel.catalogue.models import Substance
from legemiddel.core.downloads import xlsx_response
from legemiddel.methods import register_selectors as selectors
from legemiddel.methods import services
from legemiddel.methods.access import (
    EDITOR_ROLES,
    REGISTER_ROLES,
    can_edit_methods,
    get_method_for_user,
)
from legemiddel.methods.forms import ConfirmForm, LinksForm, MethodForm
from legemiddel.methods.icd10 import IndicationFile, IndicationFileError, load_indications
from legemiddel.methods.linking import lis_rank
from legemiddel.methods.models import DecisionStatus, Method, MethodType

REGISTER = Roles(*REGISTER_ROLES)
EDITORS = Roles(*EDITOR_ROLES)
PAGE = 100


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _filter(request: HttpRequest) -> selectors.RegisterFilter:
    get = request.GET
    return selectors.RegisterFilter(
        method_type=get.get("type", "") if get.get("type") in MethodType.values else "",
        status=get.get("status", "") if get.get("status") in DecisionStatus.values else "",
        unconfirmed=get.get("ubekreftet") == "1",
        changed_since=_date(get.get("endret_siden")),
        pick_needed=get.get("maa_velges") == "1",
        q=get.get("q", "")[:200],
    )


def _page(request: HttpRequest) -> int:
    value = request.GET.get("side", "")
    return int(value) if value.isdigit() and 0 < int(value) < 10_000 else 1


def _without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("side", None)
    return query.urlencode()


@access(REGISTER)
def register(request: HttpRequest) -> HttpResponse:
    chosen = _filter(request)
    rows = selectors.register_methods(chosen)
    page = _page(request)
    shown = rows[(page - 1) * PAGE : page * PAGE]
    try:
        indications: IndicationFile | None = load_indications()
        indications_error = ""
    except IndicationFileError as exc:
        indications, indications_error = None, str(exc)
    context = {
        "methods": shown,
        "found": len(rows),
        "chosen": chosen,
        "counts": selectors.register_counts(),
        "statuses": DecisionStatus.choices,
        "types": MethodType.choices,
        "page": page,
        "next_page": page + 1 if len(rows) > page * PAGE else None,
        "previous_page": page - 1 if page > 1 else None,
        "filters": _without_page(request),
        "query": request.GET.urlencode(),
        "can_edit": can_edit_methods(request.user),
        "indications": indications,
        "indications_error": indications_error,
        "indications_need_review": bool(
            indications and indications.needs_review(timezone.localdate())
        ),
    }
    return render(request, "methods/register.html", context)


@access(REGISTER)
def register_xlsx(request: HttpRequest) -> HttpResponse:
    chosen = _filter(request)
    header = [
        _("ID"),
        _("Substance"),
        _("Trade name"),
        _("Indication"),
        _("Method type"),
        _("Specialty"),
        _("Date of latest decision"),
        _("Suggested status"),
        _("Status"),
        _("Confirmed"),
        _("Conditions"),
        _("On condition of the price"),
        _("May be used from"),
        _("May be used from (text)"),
        _("ATC codes"),
        _("LIS area"),
        _("ICD-10 codes of the indication"),
        _("Substance must be picked"),
        _("In the latest list"),
        _("Added by hand"),
        _("Current decision, short version"),
        _("Current decision (full)"),
    ]
    rows = (
        (
            m.method_id,
            m.substance_text,
            m.trade_names,
            m.indication,
            m.get_method_type_display(),
            m.specialty,
            m.decision_date,
            m.get_suggested_status_display(),
            m.get_status_display(),
            m.status_confirmed_at.date() if m.status_confirmed_at else None,
            m.conditions,
            m.price_condition,
            m.effective_from,
            m.effective_note,
            m.atc_codes,
            m.area.name if m.area else "",
            m.icd10,
            m.substance_pick_needed,
            m.listed,
            m.manual,
            m.decision_short,
            m.decision_full,
        )
        for m in selectors.register_methods(chosen)
    )
    about = [
        (_("What"), _("The core group's register of decisions in Nye metoder")),
        (_("Filter"), _without_page(request) or _("none")),
        (_("Made"), timezone.localdate()),
    ]
    return xlsx_response("nye-metoder-register", header, rows, sheet=_("Methods"), about=about)


def _form_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _confirm_initial(method: Method) -> dict[str, Any]:
    # While unconfirmed (or changed since), offer what the text says now.
    status = (
        method.suggested_status or method.status
        if selectors.is_unconfirmed(method)
        else method.status
    )
    return {
        "status": status or DecisionStatus.OTHER,
        "conditions": method.conditions,
        "price_condition": method.price_condition,
        "effective_from": method.effective_from,
        "effective_note": method.effective_note,
    }


def _links_initial(method: Method) -> dict[str, Any]:
    return {"atc_codes": method.atc_codes, "area": method.area, "icd10": method.icd10}


def _post(request: HttpRequest, method: Method, forms: dict[str, Any]) -> HttpResponse | None:
    """Run one action of the manage page; a redirect when it succeeded, else ``None`` (the
    page shows the form with its errors)."""
    user = request_user(request)
    action = request.POST.get("action", "")
    if action == "confirm":
        form = forms["confirm"] = ConfirmForm(request.POST)
        if form.is_valid():
            try:
                services.method_confirm(
                    method=method, actor=user, request=request, **form.cleaned_data
                )
            except ValidationError as exc:
                _form_errors(form, exc)
                return None
            messages.success(request, _("The status is confirmed."))
            return redirect("methods:manage", pk=method.pk)
        return None
    if action == "links":
        links = forms["links"] = LinksForm(request.POST)
        if links.is_valid():
            try:
                services.method_links_save(
                    method=method, actor=user, request=request, **links.cleaned_data
                )
            except ValidationError as exc:
                _form_errors(links, exc)
                return None
            messages.success(request, _("The links are saved."))
            return redirect("methods:manage", pk=method.pk)
        return None
    try:
        if action == "pick":
            substance = Substance.objects.filter(
                pk=request.POST.get("substance", ""), active=True
            ).first()
            if substance is None:
                raise ValidationError(_("Choose a substance from the catalogue."))
            services.method_substance_pick(
                method=method, substance=substance, actor=user, request=request
            )
            messages.success(request, _("The substance is linked."))
        elif action == "unpick":
            services.method_substance_unpick(
                method=method,
                substance_id=request.POST.get("substance", ""),
                actor=user,
                request=request,
            )
            messages.success(request, _("The substance is removed."))
        elif action == "reset":
            services.method_links_reset(method=method, actor=user, request=request)
            messages.success(request, _("The links are set automatically again."))
        else:
            messages.error(request, _("Unknown action."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("methods:manage", pk=method.pk)


@access(REGISTER)
def manage(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    write = request.method == "POST"
    method = get_method_for_user(user, pk, write=write)
    forms: dict[str, Any] = {}
    if write:
        done = _post(request, method, forms)
        if done is not None:
            return done
        method.refresh_from_db()
    q = request.GET.get("sok", "")[:100]
    candidates = selectors.substance_candidates(q)
    if request.headers.get("HX-Request") and "sok" in request.GET:
        return render(
            request,
            "methods/_substance_candidates.html",
            {
                "method": method,
                "candidates": candidates,
                "q": q,
                "can_edit": can_edit_methods(user),
            },
        )
    links = selectors.substance_links(method)
    linked = {link.substance_id for link in links}
    context = {
        "method": method,
        "can_edit": can_edit_methods(user),
        "unconfirmed": selectors.is_unconfirmed(method),
        "confirm_form": forms.get("confirm") or ConfirmForm(initial=_confirm_initial(method)),
        "links_form": forms.get("links") or LinksForm(initial=_links_initial(method)),
        "links": links,
        "name_matches": selectors.name_matches(method),
        "linked": linked,
        "candidates": candidates,
        "q": q,
        "rank": lis_rank(method),
        "is_drug": method.method_type == MethodType.DRUG,
    }
    return render(request, "methods/manage.html", context)


@access(EDITORS)
def method_new(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not can_edit_methods(user):
        raise PermissionDenied
    form = MethodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            method = services.method_create(actor=user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The method is added. Confirm its status."))
            return redirect("methods:manage", pk=method.pk)
    return render(request, "methods/method_form.html", {"form": form})
