"""In a real browser: a job whose worker died says so, and "Last opp på nytt" opens the
upload form for the same kind of file."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from legemiddel.accounts.roles import Role
from legemiddel.core.models import Job
from legemiddel.core.workers import INTERRUPTED, workers_recover
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_sees_the_interrupted_import_and_uploads_again(
    live_server, page, screenshot, users, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    job = Job(
        kind="org",
        created_by=users[Role.ADMINISTRATOR],
        file_name="organisasjon.csv",
        worker_id="a-worker-that-died",
        status=Job.Status.RUNNING,
        started_at=timezone.now(),
    )
    job.file.save("organisasjon.csv", ContentFile(b"type;kode;navn;overordnet\n"), save=False)
    job.save()
    workers_recover()  # the worker left no record: the job is orphaned

    base = live_server.url
    page.goto(f"{base}/logg-inn/")
    page.locator("#id_username").fill(users[Role.ADMINISTRATOR].username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator('form button:has-text("Logg inn")').click()
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/jobber/{job.pk}/")
    assert page.get_by_text(INTERRUPTED).is_visible()
    screenshot("jobb-avbrutt")

    page.get_by_role("link", name="Last opp på nytt").click()
    page.wait_for_url(f"{base}/jobber/?kind=org")
    assert page.locator("#id_kind").input_value() == "org"
