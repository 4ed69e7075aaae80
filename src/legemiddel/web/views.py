"""The shell's own pages: start, health check and the job pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.generic import RedirectView

from legemiddel.accounts.access import LOGGED_IN, PUBLIC, access, request_user
from legemiddel.accounts.roles import Role
from legemiddel.core import jobs
from legemiddel.core.downloads import csv_response
from legemiddel.core.forms import JobUploadForm
from legemiddel.core.models import Job
from legemiddel.core.navigation import start_panels
from legemiddel.core.progress import read as read_progress
from legemiddel.core.services import job_start
from legemiddel.organisation.selectors import member_units, user_sees_whole_trust
from legemiddel.web.access import IMPORTERS, get_job_for_user, jobs_for_user


@access(LOGGED_IN)
def start(request: HttpRequest) -> HttpResponse:
    """The start page: the user's roles and units, the panels the apps register for this user
    (what needs attention), and the tools their roles open."""
    user = request_user(request)
    # Panels ordered below 500 come first (what needs attention), the others after the tools.
    panels: list[str] = []
    after_tools: list[str] = []
    for panel in start_panels():
        context = panel.context(user)
        if context is not None:
            html = render_to_string(panel.template, context, request=request)
            (panels if panel.order < 500 else after_tools).append(html)
    context = {
        "roles": [Role(r).label for r in sorted(user.role_values())],
        "units": list(member_units(user)),
        "whole_trust": user_sees_whole_trust(user),
        "panels": panels,
        "after_tools": after_tools,
    }
    return render(request, "web/start.html", context)


class FaviconRedirect(RedirectView):
    """``/favicon.ico`` for pages without our frame: the icon every page links."""

    access_rule = PUBLIC
    permanent = True

    def get_redirect_url(self, *args: Any, **kwargs: Any) -> str:
        # Resolved per request: a manifest storage knows the hashed name only after collectstatic.
        return static("legemiddel/favicon.svg")


@access(PUBLIC)
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database check for load balancers and monitoring (no data revealed)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok"})
    except Exception:
        return JsonResponse({"status": "database unavailable"}, status=503)


@access(IMPORTERS)
def job_list(request: HttpRequest) -> HttpResponse:
    """The upload form (the kinds this user may start) and the jobs of those kinds."""
    user = request_user(request)
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        if any(k.key == kind for k in jobs.all_kinds()) and not jobs.get(kind).allows(user):
            # A kind that exists but is not this user's to start: refused, as the service would.
            raise PermissionDenied
        form = JobUploadForm(request.POST, request.FILES, user=user)
        if form.is_valid():
            job = job_start(
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                actor=request.user,
                options=form.chosen_options(),
            )
            return redirect("web:job", job_id=job.pk)
    else:
        # "Upload again" on a failed job's page opens the form for the same kind.
        form = JobUploadForm(user=user, initial={"kind": request.GET.get("kind", "")})
    jobs_page = jobs_for_user(user)[:50]
    return render(request, "web/jobs.html", {"form": form, "jobs": jobs_page, "kinds": form.kinds})


@access(IMPORTERS)
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_job_for_user(request.user, job_id)
    if job.status == Job.Status.RUNNING and (reported := read_progress(job.pk)):
        job.progress_done, job.progress_total = reported
    template = "web/_job_status.html" if request.htmx else "web/job.html"  # type: ignore[attr-defined]
    context = {
        "job": job,
        "kind_label": jobs.label(job.kind),
        "result_label": jobs.result_label(job.kind),
    }
    return render(request, template, context)


@access(IMPORTERS)
def job_errors_csv(request: HttpRequest, job_id: int) -> HttpResponse:
    """The errors of a refused file as CSV, to fix it in Excel."""
    job = get_job_for_user(request.user, job_id)
    return csv_response(
        f"feil-{job.pk}",
        ["rad", "kolonne", "verdi", "feil"],
        ((e.get("row"), e.get("column"), e.get("value"), e.get("message")) for e in job.errors),
    )
