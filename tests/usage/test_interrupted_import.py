"""A worker that died just after a usage import committed (before its job was marked done):
the job is marked done with the import's result, not "nothing was saved"."""

from __future__ import annotations

import os

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from legemiddel.core.models import Job
from legemiddel.core.workers import INTERRUPTED, workers_recover
from legemiddel.usage.models import ImportBatch
from legemiddel.usage.services import usage_import

from .files import ENBREL, GAST_POL, HUMIRA, SLS_HEADER, write_csv


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _orphan(content: bytes) -> Job:
    job = Job(kind="sls", file_name="sls.csv", worker_id="died", status=Job.Status.RUNNING)
    job.started_at = timezone.now()
    job.file.save("sls.csv", ContentFile(content), save=False)
    job.save()
    return job


def test_a_job_whose_file_was_imported_before_the_worker_died_is_marked_done(registers, tmp_path):
    path = write_csv(tmp_path / "sls.csv", [SLS_HEADER, ["2026-01", GAST_POL, HUMIRA, "2", "100"]])
    result = usage_import(source="sls", path=path)  # committed; then the worker died
    job = _orphan(path.read_bytes())
    upload = job.file.path

    assert workers_recover() == 0  # nothing failed

    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.message == result.as_text()
    assert job.result_url == reverse("usage:batch", args=[result.batch.pk])
    assert not os.path.exists(upload)


def test_a_job_whose_file_was_not_imported_is_failed(registers, tmp_path):
    path = write_csv(tmp_path / "sls.csv", [SLS_HEADER, ["2026-01", GAST_POL, HUMIRA, "2", "100"]])
    usage_import(source="sls", path=path)
    other = write_csv(
        tmp_path / "other.csv", [SLS_HEADER, ["2026-02", GAST_POL, ENBREL, "1", "50"]]
    )
    job = _orphan(other.read_bytes())

    assert workers_recover() == 1

    job.refresh_from_db()
    assert (job.status, job.message) == (Job.Status.FAILED, INTERRUPTED)
    assert ImportBatch.objects.count() == 1
