"""Working copies of imported files (they may hold fødselsnummer) live in one private folder,
and what a dead process left there is swept when a worker starts and when the CLI imports."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from legemiddel.core import tempfiles


@pytest.fixture
def private_temp(settings, tmp_path):
    settings.TEMP_DIR = tmp_path / "private-tmp"
    return settings.TEMP_DIR


def _orphan(folder) -> os.PathLike:
    """A copy left by a process that has exited."""
    folder.mkdir(parents=True, exist_ok=True)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    path = folder / f"legemiddel-{int(dead.stdout)}-x.csv"
    path.write_text("15076500565;Humira")
    return path


@pytest.mark.django_db(transaction=True)
def test_a_worker_sweeps_the_copies_of_dead_processes_when_it_starts(private_temp):
    orphan = _orphan(private_temp)
    call_command("worker", "--batch", verbosity=0)
    assert not orphan.exists()


@pytest.mark.django_db
def test_the_cli_import_sweeps_them_too(private_temp, tmp_path):
    orphan = _orphan(private_temp)
    bad = tmp_path / "atc.csv"
    bad.write_text("kode;navn\nX;\n")
    with pytest.raises(CommandError):
        call_command("import", "atc", str(bad), stdout=io.StringIO(), stderr=io.StringIO())
    assert not orphan.exists()


def test_a_copy_of_a_living_process_younger_than_a_day_is_kept(private_temp):
    mine = tempfiles.temp_file(".csv")
    assert tempfiles.sweep() == 0
    assert mine.exists()
    mine.unlink()


def test_sweeping_a_folder_that_does_not_exist_yet_is_a_no_op(private_temp):
    assert tempfiles.sweep() == 0
    assert not private_temp.exists()
