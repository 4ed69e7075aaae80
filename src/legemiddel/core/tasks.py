"""Background tasks (run by ``legemiddel worker``)."""

from __future__ import annotations

import logging
from pathlib import Path

from django.utils import timezone
from django_tasks import TaskContext, task

from legemiddel.core import jobs
from legemiddel.core.models import Job
from legemiddel.core.progress import ProgressFile
from legemiddel.core.progress import read as read_progress
from legemiddel.core.workers import job_interrupt
from legemiddel.lib.tabular import ImportRejected

log = logging.getLogger(__name__)


@task(takes_context=True)
def run_job(context: TaskContext, job_id: int) -> str:
    """Run one uploaded job: read its file, call its kind's importer, store the outcome.

    The job records the worker running it, so that if the worker dies the job is failed and
    its upload deleted (:mod:`legemiddel.core.workers`)."""
    job = Job.objects.select_related("created_by").get(pk=job_id)
    if job.status != Job.Status.QUEUED:
        # Already run, or failed because its worker died: its upload is gone.
        return job.status
    worker_ids = context.task_result.worker_ids
    job.status = Job.Status.RUNNING
    job.started_at = timezone.now()
    job.worker_id = (worker_ids[-1] if worker_ids else "")[:64]
    job.save(update_fields=["status", "started_at", "worker_id"])

    progress = ProgressFile(job_id)
    try:
        summary = jobs.get(job.kind).run(
            path=Path(job.file.path),
            actor=job.created_by,
            file_name=job.file_name,
            progress=progress,
            **job.options,
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
    except BaseException:
        # Stopped from outside (a second Ctrl+C or SIGTERM to the worker): the import's
        # transaction was rolled back, so the user is told to upload again.
        job_interrupt(job=job)
        raise
    else:
        job.status = Job.Status.SUCCEEDED
        if isinstance(summary, jobs.JobResult):
            job.result_url = summary.url[:300]
            summary = summary.summary
        job.message = summary[:1000]
    job.finished_at = timezone.now()
    last = read_progress(job_id)
    if last:
        job.progress_done, job.progress_total = last
    # The uploaded file goes once it has been read, whatever the outcome: a patient file holds
    # clear fødselsnummer, and what was imported is in the database (with the file's SHA-256).
    job.file.delete(save=False)
    job.save(
        update_fields=[
            "status",
            "message",
            "result_url",
            "errors",
            "finished_at",
            "progress_done",
            "progress_total",
            "file",
        ]
    )
    progress.remove()
    return job.status
