"""Jobs survive dead workers: a worker that stops beating (or whose process is gone) has its
running jobs failed with a message the user understands, and their uploads deleted."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from legemiddel.accounts.roles import Role
from legemiddel.core.models import Job, WorkerProcess
from legemiddel.core.progress import ProgressFile
from legemiddel.core.progress import read as read_progress
from legemiddel.core.tasks import run_job
from legemiddel.core.workers import (
    INTERRUPTED,
    Heartbeat,
    process_started,
    this_host,
    worker_register,
    workers_recover,
)
from legemiddel.organisation.models import OrgUnit

GOOD = "type;kode;navn;overordnet\nklinikk;KIR;Kirurgisk klinikk;\n"
worker_db = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _dead_pid() -> int:
    """The pid of a process that has exited."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _worker(worker_id: str, *, host: str, pid: int, beat_seconds_ago: float) -> WorkerProcess:
    return WorkerProcess.objects.create(
        worker_id=worker_id,
        host=host,
        pid=pid,
        pid_started=process_started(pid),
        last_beat=timezone.now() - dt.timedelta(seconds=beat_seconds_ago),
    )


def _running_job(worker_id: str, admin, text: str = GOOD) -> Job:
    job = Job(kind="org", created_by=admin, file_name="org.csv", worker_id=worker_id)
    job.file.save("org.csv", ContentFile(text.encode()), save=False)
    job.status = Job.Status.RUNNING
    job.started_at = timezone.now()
    job.save()
    ProgressFile(job.pk)(1, 3)
    return job


def _assert_interrupted(job: Job) -> None:
    path = job.file.path
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.message == INTERRUPTED
    assert job.finished_at is not None
    assert not job.file
    assert not os.path.exists(path)  # the upload (maybe clear fødselsnummer) is gone
    assert read_progress(job.pk) is None


def test_a_worker_on_another_host_with_a_stale_heartbeat_has_its_job_failed_and_upload_deleted(
    users, settings
):
    settings.WORKER_DEAD_AFTER_SECONDS = 60
    _worker("gone", host="other-host", pid=4242, beat_seconds_ago=61)
    job = _running_job("gone", users[Role.ADMINISTRATOR])
    assert os.path.exists(job.file.path)

    assert workers_recover() == 1

    _assert_interrupted(job)
    assert not WorkerProcess.objects.filter(worker_id="gone").exists()


def test_a_worker_on_another_host_that_beats_in_time_keeps_its_job(users, settings):
    settings.WORKER_DEAD_AFTER_SECONDS = 60
    _worker("alive", host="other-host", pid=4242, beat_seconds_ago=59)
    job = _running_job("alive", users[Role.ADMINISTRATOR])

    assert workers_recover() == 0

    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING
    assert os.path.exists(job.file.path)
    assert WorkerProcess.objects.filter(worker_id="alive").exists()


def test_a_worker_on_this_host_whose_process_is_gone_is_dead_at_once(users):
    _worker("killed", host=this_host(), pid=_dead_pid(), beat_seconds_ago=0)
    job = _running_job("killed", users[Role.ADMINISTRATOR])

    assert workers_recover() == 1

    _assert_interrupted(job)


def test_a_live_worker_on_this_host_is_not_dead_for_a_late_beat(users, settings):
    # On SQLite a worker's beat waits while its import holds the write lock.
    settings.WORKER_DEAD_AFTER_SECONDS = 60
    _worker("busy", host=this_host(), pid=os.getppid(), beat_seconds_ago=3600)
    job = _running_job("busy", users[Role.ADMINISTRATOR])

    assert workers_recover() == 0

    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING


def test_a_running_job_whose_worker_left_no_record_is_failed(users):
    job = _running_job("never-registered", users[Role.ADMINISTRATOR])

    assert workers_recover() == 1

    _assert_interrupted(job)


def test_finished_and_queued_jobs_are_left_alone(users):
    _worker("gone", host=this_host(), pid=_dead_pid(), beat_seconds_ago=600)
    admin = users[Role.ADMINISTRATOR]
    done = Job.objects.create(
        kind="org", created_by=admin, status=Job.Status.SUCCEEDED, worker_id="gone"
    )
    queued = Job.objects.create(kind="org", created_by=admin)

    workers_recover()

    done.refresh_from_db()
    queued.refresh_from_db()
    assert (done.status, queued.status) == (Job.Status.SUCCEEDED, Job.Status.QUEUED)


def test_the_job_page_says_what_happened_and_leads_to_the_upload_form_for_the_same_kind(
    users, client_for
):
    _worker("killed", host=this_host(), pid=_dead_pid(), beat_seconds_ago=0)
    job = _running_job("killed", users[Role.ADMINISTRATOR])
    workers_recover()
    client = client_for(Role.ADMINISTRATOR)

    page = client.get(f"/jobber/{job.pk}/").content.decode()

    assert INTERRUPTED in page
    assert 'href="/jobber/?kind=org"' in page
    assert "Last opp på nytt" in page
    form = client.get("/jobber/?kind=org").content.decode()
    assert '<option value="org" selected>' in form


def test_the_upload_form_ignores_a_kind_the_user_may_not_start(client_for):
    form = client_for(Role.CORE_GROUP).get("/jobber/?kind=org").content.decode()
    assert 'value="org"' not in form


@worker_db
def test_a_job_claimed_but_not_started_by_a_dead_worker_is_run_by_the_next_worker(users):
    admin = users[Role.ADMINISTRATOR]
    job = Job(kind="org", created_by=admin, file_name="org.csv")
    job.file.save("org.csv", ContentFile(GOOD.encode()), save=False)
    job.save()
    result = run_job.enqueue(job.pk)
    # The dead worker had claimed the task, but died before the job began.
    DBTaskResult.objects.filter(pk=result.id).update(status="RUNNING", worker_ids=["killed"])
    _worker("killed", host=this_host(), pid=_dead_pid(), beat_seconds_ago=0)

    call_command("worker", "--batch", verbosity=0)

    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert OrgUnit.objects.filter(code="KIR").exists()
    assert DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL"
    assert not WorkerProcess.objects.exists()  # the dead one removed, the batch worker left


@worker_db
def test_a_worker_marks_a_dead_workers_job_failed_when_it_starts(users):
    _worker("killed", host=this_host(), pid=_dead_pid(), beat_seconds_ago=0)
    job = _running_job("killed", users[Role.ADMINISTRATOR])
    result = run_job.enqueue(job.pk)
    DBTaskResult.objects.filter(pk=result.id).update(status="RUNNING", worker_ids=["killed"])

    call_command("worker", "--batch", verbosity=0)

    _assert_interrupted(job)
    task = DBTaskResult.objects.get(pk=result.id)
    assert task.status == "FAILED"
    assert task.exception_class_path.endswith("WorkerDied")


@worker_db
def test_a_job_run_records_its_worker_and_a_finished_job_is_not_run_again(users):
    admin = users[Role.ADMINISTRATOR]
    job = Job(kind="org", created_by=admin, file_name="org.csv")
    job.file.save("org.csv", ContentFile(GOOD.encode()), save=False)
    job.save()
    first = run_job.enqueue(job.pk)
    call_command("worker", "--batch", verbosity=0)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.worker_id == DBTaskResult.objects.get(pk=first.id).worker_ids[-1]

    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, message="x")
    run_job.enqueue(job.pk)
    call_command("worker", "--batch", verbosity=0)
    job.refresh_from_db()
    assert (job.status, job.message) == (Job.Status.FAILED, "x")


def test_the_heartbeat_records_that_the_worker_is_alive(db):
    worker = worker_register(worker_id="me")
    WorkerProcess.objects.filter(pk=worker.pk).update(
        last_beat=timezone.now() - dt.timedelta(hours=1)
    )
    Heartbeat("me", interval=1).beat()
    worker.refresh_from_db()
    assert timezone.now() - worker.last_beat < dt.timedelta(seconds=5)
    assert (worker.host, worker.pid) == (this_host(), os.getpid())


@worker_db
def test_a_worker_starts_even_when_the_recovery_must_wait_for_a_locked_database(users, monkeypatch):
    from django.db import OperationalError

    from legemiddel.core.management.commands import worker as worker_command

    def locked():
        raise OperationalError("database is locked")

    monkeypatch.setattr(worker_command, "workers_recover", locked)
    admin = users[Role.ADMINISTRATOR]
    job = Job(kind="org", created_by=admin, file_name="org.csv")
    job.file.save("org.csv", ContentFile(GOOD.encode()), save=False)
    job.save()
    run_job.enqueue(job.pk)

    call_command("worker", "--batch", verbosity=0)

    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message
