from __future__ import annotations

import logging
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import OperationalError
from django.utils.crypto import get_random_string

from legemiddel.core import tempfiles
from legemiddel.core.workers import Heartbeat, worker_register, worker_unregister, workers_recover

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run queued background jobs (file imports). Stop with Ctrl+C; safe to run several."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")
        parser.add_argument(
            "--batch", action="store_true", help="Run what is queued now, then exit (for cron)."
        )

    def handle(self, *args: Any, interval: float, batch: bool, **options: Any) -> None:
        # Working copies left by a worker that died mid-import (they may hold fødselsnummer).
        tempfiles.sweep()
        worker_id = get_random_string(32)
        # Jobs left running by a worker that died (this host's dead processes, other hosts'
        # stale heartbeats) are failed and their uploads deleted before anything new runs.
        try:
            failed = workers_recover()
        except OperationalError as exc:
            # SQLite: another worker's import holds the write lock; the heartbeat tries again.
            log.warning("Recovery of dead workers' jobs postponed: %s", exc)
            failed = 0
        if failed and options.get("verbosity", 1):
            self.stderr.write(f"{failed} avbrutt(e) jobb(er) fra en død arbeider er merket feilet.")
        worker_register(worker_id=worker_id)
        heartbeat = Heartbeat(worker_id)
        heartbeat.start()
        extra = ["--batch"] if batch else []
        try:
            call_command(
                "db_worker",
                "--interval",
                str(interval),
                "--no-reload",
                "--no-startup-delay",
                "--worker-id",
                worker_id,
                *extra,
                verbosity=options.get("verbosity", 1),
            )
        finally:
            heartbeat.stop()
            worker_unregister(worker_id=worker_id)
