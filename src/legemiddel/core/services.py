"""Writes for background jobs."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from legemiddel.core import jobs
from legemiddel.core.models import Job


def job_start(
    *, kind: str, upload: UploadedFile, actor: Any, options: dict[str, bool] | None = None
) -> Job:
    """Store the uploaded file and queue the job once the row is committed.

    Refuses (``PermissionDenied``) an actor whose roles the kind does not allow, so the web
    views and any other caller share one rule."""
    from legemiddel.core.tasks import run_job

    job_kind = jobs.get(kind)  # unknown kinds fail here, before anything is stored
    if not job_kind.allows(actor):
        raise PermissionDenied(f"{actor} may not start {kind} jobs")
    allowed = {o.key for o in job_kind.options}
    chosen = {k: True for k, v in (options or {}).items() if v and k in allowed}
    with transaction.atomic():
        job = Job(kind=kind, created_by=actor, file_name=(upload.name or "")[:255], options=chosen)
        job.file.save(upload.name or "upload.csv", upload, save=False)
        job.save()
        transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job
