"""The agreements register: create, edit, import, publish; prices and price access."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from legemiddel.accounts.access import access, request_user
from legemiddel.agreements import selectors, services
from legemiddel.agreements.access import (
    get_agreement_for_user,
    get_grant_for_user,
    get_line_for_user,
    get_version_for_user,
)
from legemiddel.agreements.changes import ranking_changes
from legemiddel.agreements.forms import (
    AgreementForm,
    CorrectionForm,
    EffectiveForm,
    GrantForm,
    ImportForm,
    LineForm,
    PublishForm,
    RevokeForm,
)
from legemiddel.agreements.impact import agreement_impact
from legemiddel.agreements.meetings import startup_meetings
from legemiddel.agreements.models import (
    Agreement,
    AgreementChange,
    AgreementLine,
    PriceAccessGrant,
)
from legemiddel.agreements.pricing import PRICE_ACCESS, has_price_access, priced_lines
from legemiddel.agreements.views import REGISTER
from legemiddel.core.audit import audit_record
from legemiddel.core.downloads import TABLE_FORMATS, table_response
from legemiddel.lib.formatting import format_date
from legemiddel.lib.tabular import ImportRejected


def _form_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@access(REGISTER)
def register(request: HttpRequest) -> HttpResponse:
    agreements = list(selectors.register_agreements())
    meetings = startup_meetings(a.pk for a in agreements)
    for agreement in agreements:
        agreement.meeting = meetings.get(agreement.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "agreements/register.html",
        {
            "by_area": selectors.grouped_by_area(agreements),
            "today": timezone.localdate(),
            "drafts": list(selectors.notices_awaiting_approval()),
        },
    )


@access(REGISTER)
def agreement_new(request: HttpRequest) -> HttpResponse:
    form = AgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.agreement_create(
                actor=request_user(request),
                **dict(form.cleaned_data.items()),
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The agreement is registered as a draft."))
            return redirect("agreements:detail", agreement_id=agreement.pk)
    return render(request, "agreements/agreement_form.html", {"form": form, "agreement": None})


@access(REGISTER)
def agreement_edit(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = get_agreement_for_user(request.user, agreement_id, write=True)
    form = AgreementForm(request.POST or None, instance=agreement)
    form.fields.pop("area")
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data.items())
        agreement.refresh_from_db()
        try:
            services.agreement_update(agreement=agreement, actor=request_user(request), **fields)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect("agreements:detail", agreement_id=agreement.pk)
    return render(request, "agreements/agreement_form.html", {"form": form, "agreement": agreement})


def _history(agreement_id: int, show_prices: bool) -> list[AgreementChange]:
    """The change log; price entries are masked for readers without price access."""
    changes = list(
        AgreementChange.objects.filter(agreement_id=agreement_id).select_related("by")[:200]
    )
    for change in changes:
        change.changes = [
            entry
            if show_prices or not entry.get("price")
            else {**entry, "old": "", "new": "", "masked": True}
            for entry in change.changes
        ]
    return changes


@access(REGISTER)
def agreement_detail(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = get_agreement_for_user(request.user, agreement_id)
    lines = list(selectors.public_lines(agreement))
    price_access = has_price_access(request.user)
    show_prices = price_access and request.GET.get("priser") == "1"
    history = _history(agreement.pk, show_prices)
    problems = services.agreement_problems(agreement)
    publishable = not problems and (
        agreement.status != Agreement.Status.PUBLISHED or agreement.has_unpublished_changes
    )
    # What publishing would change, shown before the button: the ranking per group, and the
    # figures the layers above compute (only when there is something to publish).
    changes = ranking_changes(agreement) if publishable else []
    impact = agreement_impact(agreement) if publishable and agreement.version else []
    if show_prices:
        audit_record(
            request=request, action="price_view", detail=f"historikk avtale {agreement.pk}"
        )
    return render(
        request,
        "agreements/agreement_detail.html",
        {
            "agreement": agreement,
            "meeting": startup_meetings([agreement.pk]).get(agreement.pk),
            "groups": selectors.rank_groups(lines),
            "problems": problems,
            "changes": changes,
            "impact": impact,
            "history": history,
            "show_prices": show_prices,
            "price_access": price_access,
            "versions": agreement.versions.select_related("published_by"),
            "notices": agreement.notices.all(),
            "publish_form": PublishForm(),
            "import_form": ImportForm(),
        },
    )


@access(REGISTER)
def agreement_import(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = get_agreement_for_user(request.user, agreement_id, write=True)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.agreement_import_lines(
                agreement=agreement,
                data=upload.read(),
                file_name=upload.name,
                actor=request_user(request),
            )
        except ImportRejected as exc:
            errors = exc.errors
        else:
            messages.success(request, result.as_text())
            return redirect("agreements:detail", agreement_id=agreement.pk)
    return render(
        request,
        "agreements/import.html",
        {"agreement": agreement, "form": form, "errors": errors},
    )


@access(REGISTER)
def line_edit(request: HttpRequest, agreement_id: int, line_id: int | None = None) -> HttpResponse:
    agreement = get_agreement_for_user(request.user, agreement_id, write=True)
    line = (
        get_line_for_user(request.user, agreement.pk, line_id, write=True)
        if line_id
        else AgreementLine(agreement=agreement)
    )
    price_visible = has_price_access(request.user)
    effective = services.has_history(agreement)
    form = LineForm(
        request.POST or None, instance=line, price_visible=price_visible, effective=effective
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.line_save(
                line=form.instance,
                actor=request_user(request),
                price_visible=price_visible,
                lis_price=form.cleaned_data.get("lis_price"),
                effective_from=form.cleaned_data.get("effective_from"),
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            if effective:
                messages.success(
                    request,
                    _(
                        "The line is saved. The change applies from %(day)s; publish it to "
                        "reach the portal."
                    )
                    % {"day": format_date(form.cleaned_data["effective_from"])},
                )
            else:
                messages.success(
                    request,
                    _("The line %(what)s is saved.")
                    % {"what": f"{saved.indication_group} {saved.rank} ({saved.package_id})"},
                )
            return redirect("agreements:detail", agreement_id=agreement.pk)
    if price_visible and line.pk:
        audit_record(request=request, action="price_view", detail=f"linje {line.pk}")
    return render(
        request,
        "agreements/line_form.html",
        {
            "agreement": agreement,
            "form": form,
            "line": line,
            "effective": effective,
            "end_form": EffectiveForm(prefix="end"),
        },
    )


@access(REGISTER)
def line_correct(request: HttpRequest, agreement_id: int, line_id: int) -> HttpResponse:
    """Correct an error in a published line back in time: deliberate, with a reason."""
    agreement = get_agreement_for_user(request.user, agreement_id, write=True)
    line = get_line_for_user(request.user, agreement.pk, line_id, write=True)
    price_visible = has_price_access(request.user)
    form = CorrectionForm(request.POST or None, instance=line, price_visible=price_visible)
    if request.method == "POST" and form.is_valid():
        try:
            services.line_correct(
                line=form.instance,
                actor=request_user(request),
                reason=form.cleaned_data["reason"],
                price_visible=price_visible,
                lis_price=form.cleaned_data.get("lis_price"),
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "The error is corrected back in time. Past months' figures change when "
                    "the agreement is published."
                ),
            )
            return redirect("agreements:detail", agreement_id=agreement.pk)
    return render(
        request,
        "agreements/line_correct.html",
        {"agreement": agreement, "form": form, "line": line},
    )


@access(REGISTER)
@require_POST
def line_delete(request: HttpRequest, agreement_id: int, line_id: int) -> HttpResponse:
    line = get_line_for_user(request.user, agreement_id, line_id, write=True)
    form = EffectiveForm(request.POST, prefix="end")
    day = form.cleaned_data["effective_from"] if form.is_valid() else None
    if services.has_history(line.agreement) and day is None:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("agreements:line_edit", agreement_id=agreement_id, line_id=line.pk)
    try:
        services.line_delete(line=line, actor=request_user(request), effective_from=day)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("agreements:line_edit", agreement_id=agreement_id, line_id=line.pk)
    if day is not None:
        messages.success(
            request,
            _("The line ends on %(day)s.") % {"day": format_date(day - dt.timedelta(days=1))},
        )
    else:
        messages.success(request, _("The line is removed."))
    return redirect("agreements:detail", agreement_id=agreement_id)


@access(REGISTER)
@require_POST
def agreement_publish(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = get_agreement_for_user(request.user, agreement_id, write=True)
    form = PublishForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        notice = services.agreement_publish(
            agreement=agreement, actor=request_user(request), note=note
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("agreements:detail", agreement_id=agreement.pk)
    messages.success(
        request,
        _("Published as version %(n)s. The notice waits for approval.") % {"n": agreement.version},
    )
    return redirect("agreements:notice", notice_id=notice.pk)


@access(REGISTER)
def version_detail(request: HttpRequest, agreement_id: int, number: int) -> HttpResponse:
    agreement = get_agreement_for_user(request.user, agreement_id)
    version = get_version_for_user(request.user, agreement, number)
    return render(request, "agreements/version.html", {"agreement": agreement, "version": version})


# --- prices (grant holders only) -----------------------------------------------------------

PRICE_HEADER = [
    "Indikasjonsgruppe",
    "Pasientgruppe",
    "Rang",
    "Varenr",
    "Pakning",
    "Gyldig fra",
    "Gyldig til",
    "LIS-pris",
    "AIP",
    "AUP",
    "Rabatt mot AIP %",
    "Kostnad per",
    "Kostnad (LIS)",
    "Kostnad (AIP)",
]


def _priced(request: HttpRequest, agreement_id: int, what: str) -> tuple[Any, list[Any]]:
    agreement = get_agreement_for_user(request.user, agreement_id)
    lines = list(
        agreement.lines.select_related("package", "package__brand").order_by(
            "indication_group", "patient_group", "rank", "valid_from"
        )
    )
    return agreement, priced_lines(request=request, lines=lines, what=f"{what} {agreement.pk}")


@access(PRICE_ACCESS)
def prices(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement, costs = _priced(request, agreement_id, "priser avtale")
    return render(request, "agreements/prices.html", {"agreement": agreement, "costs": costs})


@access(PRICE_ACCESS)
def prices_export(request: HttpRequest, agreement_id: int, fmt: str) -> HttpResponse:
    if fmt not in TABLE_FORMATS:
        raise Http404
    agreement, costs = _priced(request, agreement_id, f"priser {fmt} avtale")
    rows = [
        [
            c.line.indication_group,
            c.line.get_patient_group_display(),
            c.line.rank,
            c.line.package_id,
            c.line.package.name_form_strength,
            c.line.starts,
            c.line.ends,
            c.lis_price,
            c.aip,
            c.aup,
            c.discount_percent,
            c.line.get_cost_basis_display(),
            c.cost,
            c.public_cost,
        ]
        for c in costs
    ]
    return table_response(fmt, f"lis-priser-avtale-{agreement.pk}", PRICE_HEADER, rows)


# --- price access grants -------------------------------------------------------------------


@access(REGISTER)
def grants(request: HttpRequest) -> HttpResponse:
    actor = request_user(request)
    form = GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.price_access_grant(actor=actor, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Price access granted."))
            return redirect("agreements:grants")
    all_grants = PriceAccessGrant.objects.select_related("user", "granted_by", "revoked_by")
    today = timezone.localdate()
    return render(
        request,
        "agreements/grants.html",
        {
            "form": form,
            "active": [g for g in all_grants if g.is_active(today)],
            "inactive": [g for g in all_grants if not g.is_active(today)][:100],
            "revoke_form": RevokeForm(),
        },
    )


@access(REGISTER)
@require_POST
def grant_revoke(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = get_grant_for_user(request.user, grant_id, write=True)
    form = RevokeForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    services.price_access_revoke(grant=grant, actor=request_user(request), reason=reason)
    messages.success(request, _("Price access revoked."))
    return redirect("agreements:grants")
