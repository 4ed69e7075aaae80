"""Background tasks (run by ``legemiddel worker``)."""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import task

from legemiddel.core import jobs
from legemiddel.core.models import Job
from legemiddel.lib.tabular import ImportRejected

log = logging.getLogger(__name__)


@task()
def run_job(job_id: int) -> str:
    """Run one uploaded job: read its file, call its kind's importer, store the outcome."""
    job = Job.objects.select_related("created_by").get(pk=job_id)
    job.status = Job.Status.RUNNING
    job.started_at = timezone.now()
    job.save(update_fields=["status", "started_at"])

    def progress(done: int, total: int) -> None:
        Job.objects.filter(pk=job_id).update(progress_done=done, progress_total=total)

    try:
        with job.file.open("rb") as handle:
            data = handle.read()
        summary = jobs.get(job.kind).run(
            data=data, actor=job.created_by, file_name=job.file_name, progress=progress
        )
    except ImportRejected as exc:
        job.status = Job.Status.FAILED
        job.message = str(exc)
        job.errors = [
            {"row": e.row, "column": e.column, "value": e.value, "message": e.message}
            for e in exc.errors
        ]
    except Exception as exc:
        log.exception("Job %s failed", job_id)
        job.status = Job.Status.FAILED
        job.message = f"Uventet feil: {type(exc).__name__}. Kontakt administrator."
    else:
        job.status = Job.Status.SUCCEEDED
        job.message = summary[:1000]
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "message", "errors", "finished_at"])
    return job.status
