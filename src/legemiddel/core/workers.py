"""Worker processes: who runs the jobs, whether they are still alive, and what becomes of the
jobs of one that died.

Each ``legemiddel worker`` records itself (:class:`~legemiddel.core.models.WorkerProcess`:
id, host, pid, last beat) and beats every ``WORKER_HEARTBEAT_SECONDS`` from a thread of its
own; a job it runs records the worker's id. A worker is dead when

* it runs on this host and its process is gone (checked at once, whatever its last beat: a
  worker killed with ``kill -9`` or by the OOM killer, a machine that rebooted), or
* it runs on another host and has not beaten for ``WORKER_DEAD_AFTER_SECONDS``.

A live worker on this host is never declared dead for a late beat: on SQLite its beat waits
while an import holds the write lock. Every worker looks for dead ones when it starts and at
each beat (:func:`workers_recover`). A dead worker's running jobs are failed with a message
the user understands, their uploads (which may hold clear fødselsnummer) and progress files
are deleted, and the user uploads the file again. A job that was claimed but had not started
goes back to the queue for the next worker, as do tasks that are safe to run twice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import socket
import threading
from pathlib import Path

from django.conf import settings
from django.db import OperationalError, close_old_connections, connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from legemiddel.core import jobs
from legemiddel.core.jobs import JobResult
from legemiddel.core.models import Job, WorkerProcess
from legemiddel.core.progress import ProgressFile

log = logging.getLogger(__name__)

INTERRUPTED = (
    "Importen stoppet fordi bakgrunnsprosessen ble avbrutt. Ingenting er lagret; "
    "last opp filen på nytt."
)
# Tasks that change nothing when run twice, so one claimed by a dead worker is queued again.
RERUNNABLE = {"legemiddel.core.outbox.process_outbox"}
RUN_JOB = "legemiddel.core.tasks.run_job"


class WorkerDied(Exception):
    """Recorded as a task's failure when the worker running it died."""


def this_host() -> str:
    return socket.gethostname()[:255]


def process_started(pid: int) -> int | None:
    """When process ``pid`` started, in clock ticks since boot (Linux), or None if unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces; field 22 is start time.
    fields = stat.rsplit(")", 1)[-1].split()
    try:
        return int(fields[19])
    except (IndexError, ValueError):
        return None


def process_alive(pid: int, started: int | None) -> bool:
    """Whether process ``pid`` on this host is still the one that started at ``started``."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # someone else's process, but alive
    now_started = process_started(pid)
    return started is None or now_started is None or now_started == started


def worker_register(*, worker_id: str) -> WorkerProcess:
    """Record this process as worker ``worker_id`` (called when ``legemiddel worker`` starts)."""
    pid = os.getpid()
    worker, _ = WorkerProcess.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "host": this_host(),
            "pid": pid,
            "pid_started": process_started(pid),
            "last_beat": timezone.now(),
        },
    )
    return worker


def worker_beat(*, worker_id: str) -> None:
    """Tell the others this worker is alive (recorded again if it had been taken for dead)."""
    updated = WorkerProcess.objects.filter(worker_id=worker_id).update(last_beat=timezone.now())
    if not updated:
        worker_register(worker_id=worker_id)


def worker_unregister(*, worker_id: str) -> None:
    """Remove a worker that stops cleanly (its current task has finished)."""
    WorkerProcess.objects.filter(worker_id=worker_id).delete()


def is_dead(worker: WorkerProcess, *, now: dt.datetime, host: str) -> bool:
    """Whether ``worker`` is dead, seen from ``host`` at ``now`` (rules in the module doc)."""
    if worker.host == host:
        if worker.pid == os.getpid() and worker.pid_started == process_started(worker.pid):
            return False  # this very process
        return not process_alive(worker.pid, worker.pid_started)
    timeout = dt.timedelta(seconds=settings.WORKER_DEAD_AFTER_SECONDS)
    return worker.last_beat < now - timeout


def dead_workers() -> list[WorkerProcess]:
    now, host = timezone.now(), this_host()
    return [w for w in WorkerProcess.objects.all() if is_dead(w, now=now, host=host)]


def workers_recover() -> int:
    """Fail the jobs of dead workers, delete their uploads, requeue what had not started.

    Returns how many jobs were failed. Safe to run from several workers at once."""
    dead = dead_workers()
    gone = {w.worker_id for w in dead}
    live = set(WorkerProcess.objects.values_list("worker_id", flat=True)) - gone
    # A running job whose worker is dead or has no record at all (it stopped without finishing
    # the job) is orphaned.
    orphans = list(
        Job.objects.filter(status=Job.Status.RUNNING)
        .exclude(worker_id="")
        .exclude(worker_id__in=live)
    )
    failed = sum(job_interrupt(job=job) for job in orphans)
    _recover_tasks(live)
    for worker in dead:
        log.warning("Worker %s is dead; its jobs were failed or queued again", worker)
        worker.delete()
    return failed


def job_interrupt(*, job: Job) -> bool:
    """Fail a running job whose worker stopped; delete its upload and progress file.

    Returns False when the job had already finished (another worker got there first), or when
    its file turns out to have been imported after all (the worker died after the import
    committed): the job is then marked done with the import's result."""
    done = _imported(job)
    changes: dict[str, object] = {"status": Job.Status.FAILED, "message": INTERRUPTED}
    if done is not None:
        changes = {
            "status": Job.Status.SUCCEEDED,
            "message": done.summary[:1000],
            "result_url": done.url[:300],
        }
    with transaction.atomic():
        updated = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
            finished_at=timezone.now(), **changes
        )
    if not updated:
        return False
    log.warning("Job %s was interrupted (worker %s stopped)", job.pk, job.worker_id or "?")
    _delete_upload(job)
    return done is None


def _imported(job: Job) -> JobResult | None:
    """The result of the job's import if its file was imported after all (its kind can tell)."""
    kind = jobs.all_registered().get(job.kind)
    if kind is None or kind.imported is None or not job.file:
        return None
    try:
        return kind.imported(Path(job.file.path))
    except Exception:
        log.exception("Could not tell whether job %s's file was imported", job.pk)
        return None


def _delete_upload(job: Job) -> None:
    # The upload may hold clear fødselsnummer: it goes even though the import did not finish.
    if job.file:
        with contextlib.suppress(OSError):
            job.file.delete(save=False)
        Job.objects.filter(pk=job.pk).update(file="")
    ProgressFile(job.pk).remove()


def _recover_tasks(live: set[str]) -> None:
    """Queue tasks claimed by a dead worker again when that is safe; fail the others."""
    for task in DBTaskResult.objects.filter(status="RUNNING"):
        owner = task.worker_ids[-1] if task.worker_ids else ""
        if not owner or owner in live:
            continue
        path = task.task_path
        if path == RUN_JOB:
            job_id = (task.args_kwargs.get("args") or [None])[0]
            requeue = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).exists()
        else:
            requeue = path in RERUNNABLE
        if requeue:
            DBTaskResult.objects.filter(pk=task.pk, status="RUNNING").update(
                status="READY", started_at=None
            )
            log.warning("Task %s (%s) queued again: its worker %s died", task.pk, path, owner)
        else:
            task.set_failed(WorkerDied(f"worker {owner} died while running the task"))


class Heartbeat:
    """Beats for one worker from a daemon thread and looks for dead workers at each beat."""

    def __init__(self, worker_id: str, interval: float | None = None) -> None:
        self.worker_id = worker_id
        self.interval = interval or settings.WORKER_HEARTBEAT_SECONDS
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="worker-heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                close_old_connections()
                self.beat()
        finally:
            connection.close()

    def beat(self) -> None:
        try:
            worker_beat(worker_id=self.worker_id)
            workers_recover()
        except OperationalError as exc:
            # On SQLite a long import holds the write lock; the beat waits for the next turn.
            log.info("Worker heartbeat skipped: %s", exc)
        except Exception:
            log.exception("Worker heartbeat failed")
