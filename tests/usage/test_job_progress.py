"""A long import's progress moves on the job page while the worker runs it."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from legemiddel.accounts.roles import Role
from legemiddel.accounts.services import user_create
from legemiddel.core import progress as progress_module
from legemiddel.core.models import Job
from legemiddel.usage import reading
from legemiddel.usage.models import SalesLine
from legemiddel.usage.services import loading, usage_import

from .files import GAST_POL, HUMIRA, SLS_HEADER

ROWS = 6000


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _big_sls() -> bytes:
    lines = [";".join(SLS_HEADER)]
    lines += [f"2025-{1 + i % 12:02d};{GAST_POL};{HUMIRA};{1 + i % 7};100,50" for i in range(ROWS)]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.django_db(transaction=True)
def test_the_job_page_shows_the_progress_moving_chunk_by_chunk(registers, client, monkeypatch):
    # About 140 kB in 8 kB chunks: some 17 chunks, each written slowly enough to be seen.
    monkeypatch.setattr(reading, "CHUNK_BYTES", 8 * 1024)
    monkeypatch.setattr(progress_module, "MIN_INTERVAL", 0.0)
    take = loading.Loader.take

    def slow_take(self, prepared, *, write):
        take(self, prepared, write=write)
        time.sleep(0.15)

    monkeypatch.setattr(loading.Loader, "take", slow_take)
    client.force_login(user_create(username="admin", password=None, roles=[Role.ADMINISTRATOR]))
    client.post("/jobber/", {"kind": "sls", "file": SimpleUploadedFile("sls.csv", _big_sls())})
    job = Job.objects.get()

    seen: list[int] = []
    stop = threading.Event()

    def watch() -> None:
        # The page as the browser polls it, from another thread while the worker imports.
        try:
            while not stop.is_set():
                page = client.get(f"/jobber/{job.pk}/", headers={"HX-Request": "true"})
                text = page.content.decode()
                if "<progress" in text:
                    seen.append(int(text.split('<progress max="100" value="')[1].split('"')[0]))
                time.sleep(0.05)
        finally:
            connection.close()

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        call_command("worker", "--batch", verbosity=0)
    finally:
        stop.set()
        watcher.join(timeout=30)

    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert SalesLine.objects.count() == ROWS
    between = sorted({p for p in seen if 0 < p < 100})
    assert len(between) >= 5, seen  # it moved, through several chunks
    assert seen == sorted(seen)  # and never went backwards


def test_progress_holds_back_the_last_step_and_counts_only_written_chunks(
    registers, tmp_path, monkeypatch
):
    monkeypatch.setattr(reading, "CHUNK_BYTES", 8 * 1024)
    path = tmp_path / "sls.csv"
    path.write_bytes(_big_sls())
    reports: list[tuple[int, int]] = []
    at_finish: list[tuple[int, int]] = []
    finish = loading.Loader.finish
    take = loading.Loader.take
    written: list[int] = []

    def watched_finish(self, **kwargs):
        at_finish.append(reports[-1])
        return finish(self, **kwargs)

    def watched_take(self, prepared, *, write):
        take(self, prepared, write=write)
        written.append(SalesLine.objects.count())

    monkeypatch.setattr(loading.Loader, "finish", watched_finish)
    monkeypatch.setattr(loading.Loader, "take", watched_take)
    usage_import(
        source="sls", path=path, progress=lambda done, total: reports.append((done, total))
    )

    done, total = reports[-1]
    assert done == total  # 100 % once finished
    assert reports[0] == (0, total)  # the bar appears as soon as the file is open
    [(before_last_step, _)] = at_finish
    # While months are replaced and the cube is written, the bar stands at about 90 %.
    assert 0.85 * total < before_last_step < total
    # Each report during the loop follows a chunk actually written (the reader runs ahead):
    # the share reported never runs ahead of the share of rows written by more than a chunk.
    chunk_share = 8 * 1024 / path.stat().st_size
    for (done, total), rows in zip(reports[1:-1], written, strict=False):
        assert done / total <= rows / ROWS + chunk_share
