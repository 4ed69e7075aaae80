"""Faults survived: ``kill -9`` of an import, from the command line or in the worker, at random
points leaves the database as it was (no partial batch, no orphan rows, a cube that matches the
facts, no measures), and running the import again gives exactly what a clean import gives,
measures included."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, Sum

from legemiddel.accounts.roles import Role
from legemiddel.accounts.services import user_create
from legemiddel.agreements.models import Agreement, AgreementLine, TherapeuticArea
from legemiddel.analytics.models import MeasureValue
from legemiddel.core import outbox
from legemiddel.core.models import Job, OutboxEvent
from legemiddel.core.progress import read as read_progress
from legemiddel.core.workers import INTERRUPTED
from legemiddel.usage.models import ImportBatch, MonthlyUsage, SalesLine
from legemiddel.usage.services import usage_import, usage_sweep_stopped_imports

from .files import ENBREL, GAST_POL, HUMIRA, REV_DAG, SLS_HEADER

pytestmark = [pytest.mark.fault, pytest.mark.django_db(transaction=True)]

ROWS = 150_000
SEED = 13
SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture
def agreement(registers):
    """A published agreement ranking the file's packages, so the import has measures to move."""
    area = TherapeuticArea.objects.create(code="TNF", name="TNF-hemmere")
    agreement = Agreement.objects.create(
        area=area,
        title="TNF 2025",
        region="Vest",
        start=dt.date(2025, 1, 1),
        end=dt.date(2025, 12, 31),
        status=Agreement.Status.PUBLISHED,
        version=1,
    )
    for rank, varenr in enumerate((HUMIRA, ENBREL), start=1):
        AgreementLine.objects.create(
            agreement=agreement, package_id=varenr, indication_group="RA", rank=rank
        )
    return agreement


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "var" / "uploads"
    return settings.MEDIA_ROOT


def _sls_file(path: Path) -> Path:
    units, packs = (GAST_POL, REV_DAG), (HUMIRA, ENBREL)
    with path.open("w") as out:
        out.write(";".join(SLS_HEADER) + "\n")
        for i in range(ROWS):
            out.write(
                f"2025-{1 + i % 12:02d};{units[i % 2]};{packs[i % 3 % 2]};{1 + i % 7};{i % 997},50\n"
            )
    return path


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgresql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _spawn(tmp_path: Path, *args: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "legemiddel.config.test_settings",
        "LEGEMIDDEL_VAR_DIR": str(tmp_path / "var"),
        "PYTHONPATH": str(SRC),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "legemiddel", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _state() -> dict[str, object]:
    """What an SLS import writes, without ids and times."""
    return {
        "batches": sorted(
            ImportBatch.objects.values_list(
                "source", "status", "sha256", "rows_read", "rows_accepted"
            )
        ),
        "sales": sorted(
            SalesLine.objects.values_list(
                "month", "org_unit_id", "package_id", "quantity", "amount", "customer"
            )
        ),
        # The dashboards' precomputed measures, brought up to date from the outbox.
        "measures": sorted(
            (
                tuple(round(v, 6) if isinstance(v, float) else v for v in row)
                for row in MeasureValue.objects.values_list(
                    "measure",
                    "month",
                    "org_unit_id",
                    "prescriber",
                    "numerator",
                    "denominator",
                    "subtree",
                )
            ),
            key=repr,
        ),
        "pending": OutboxEvent.objects.filter(processed_at__isnull=True).count(),
        "cube": sorted(
            MonthlyUsage.objects.values_list(
                "month", "source", "org_unit_id", "package_id", "atc", "quantity", "amount", "rows"
            ),
            key=repr,
        ),
    }


def _seen_by_users() -> dict[str, object]:
    """What readers see: on SQLite a killed import's rows wait hidden (an "importing" batch)
    until the next import or worker start sweeps them away; they are never shown."""
    state = _state()
    state["batches"] = [b for b in state["batches"] if b[1] != ImportBatch.Status.LOADING]
    state["sales"] = sorted(
        SalesLine.objects.exclude(
            batch_id__in=ImportBatch.objects.filter(status=ImportBatch.Status.LOADING).values("pk")
        ).values_list("month", "org_unit_id", "package_id", "quantity", "amount", "customer")
    )
    return state


def _assert_consistent() -> None:
    """No fact without its batch, and the cube adds up to the facts."""
    batches = set(ImportBatch.objects.values_list("pk", flat=True))
    assert set(SalesLine.objects.values_list("batch_id", flat=True).distinct()) <= batches
    facts = {
        (r["month"], r["org_unit_id"], r["package_id"]): (r["q"], r["n"])
        for r in SalesLine.objects.values("month", "org_unit_id", "package_id").annotate(
            q=Sum("quantity"), n=Count("id")
        )
    }
    cube = {
        (r["month"], r["org_unit_id"], r["package_id"]): (r["q"], r["n"])
        for r in MonthlyUsage.objects.filter(source="sls")
        .values("month", "org_unit_id", "package_id")
        .annotate(q=Sum("quantity"), n=Sum("rows"))
    }
    assert cube == facts


def _reference(path: Path) -> dict[str, object]:
    """A clean import's result, rolled back so the database is empty again."""
    with transaction.atomic():
        usage_import(source="sls", path=path)
        outbox.process()
        state = _state()
        transaction.set_rollback(True)
    assert not SalesLine.objects.exists()
    assert state["measures"], "the reference should have measures to compare"
    return state


def _kill_after(process: subprocess.Popen, delay: float) -> bool:
    """kill -9 after ``delay`` seconds; False if it had finished by then."""
    try:
        process.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        return True


def test_kill_9_of_the_cli_import_at_random_points_changes_nothing_and_a_rerun_is_clean(
    agreement, tmp_path, media
):
    path = _sls_file(tmp_path / "sls.csv")
    started = time.monotonic()
    reference = _reference(path)
    clean_seconds = time.monotonic() - started
    empty = _state()
    rng = random.Random(SEED)
    killed = 0
    # Start-up, reading, writing and the final step all get hit across the seeded delays.
    for delay in sorted(rng.uniform(0.5, 2.5 + clean_seconds) for _ in range(3)):
        killed += _kill_after(_spawn(tmp_path, "import", "sls", str(path)), delay)
        if not ImportBatch.objects.exclude(status=ImportBatch.Status.LOADING).exists():
            assert _seen_by_users() == empty  # nothing half-written shows
            usage_sweep_stopped_imports()  # what the next import or worker start does
            assert _state() == empty  # and nothing is left behind
        else:  # killed after the commit: the whole file is in, once
            # Killed before its announcement was handled, the refresh waits in the outbox
            # for the next worker; handled now as that worker would.
            outbox.process()
            assert _state() == reference
            break
        _assert_consistent()
    assert killed, "every import finished before it could be killed"

    if not ImportBatch.objects.exclude(status=ImportBatch.Status.LOADING).exists():
        rerun = _spawn(tmp_path, "import", "sls", str(path))
        _, err = rerun.communicate(timeout=120)
        assert rerun.returncode == 0, err.decode()
    assert _state() == reference
    _assert_consistent()


def test_kill_9_of_a_worker_mid_import_fails_the_job_at_the_next_start_and_a_new_upload_is_clean(
    agreement, tmp_path, media, client
):
    path = _sls_file(tmp_path / "sls.csv")
    reference = _reference(path)
    empty = _state()
    client.force_login(user_create(username="admin", password=None, roles=[Role.ADMINISTRATOR]))

    def upload() -> Job:
        client.post(
            "/jobber/", {"kind": "sls", "file": SimpleUploadedFile("sls.csv", path.read_bytes())}
        )
        return Job.objects.latest("pk")

    job = upload()
    upload_path = Path(job.file.path)
    worker = _spawn(tmp_path, "worker")
    try:
        deadline = time.monotonic() + 60
        # Killed once the import is under way (it has reported its size), a little later.
        while time.monotonic() < deadline and read_progress(job.pk) is None:
            assert worker.poll() is None, worker.stderr.read().decode() if worker.stderr else ""
            time.sleep(0.02)
        time.sleep(random.Random(SEED).uniform(0.2, 0.8))
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING, job.message  # killed mid-import
    assert upload_path.exists()
    assert _seen_by_users() == empty

    call_command("worker", "--batch", verbosity=0)  # the next worker start

    job.refresh_from_db()
    assert (job.status, job.message) == (Job.Status.FAILED, INTERRUPTED)
    assert not upload_path.exists()
    assert read_progress(job.pk) is None
    assert _state() == empty
    page = client.get(f"/jobber/{job.pk}/").content.decode()
    assert INTERRUPTED in page
    assert 'href="/jobber/?kind=sls"' in page

    again = upload()
    call_command("worker", "--batch", verbosity=0)
    again.refresh_from_db()
    assert again.status == Job.Status.SUCCEEDED, again.message
    assert _state() == reference
    _assert_consistent()
