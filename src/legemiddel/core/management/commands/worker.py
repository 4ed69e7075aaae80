from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from legemiddel.core import tempfiles


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
        extra = ["--batch"] if batch else []
        call_command(
            "db_worker",
            "--interval",
            str(interval),
            "--no-reload",
            "--no-startup-delay",
            *extra,
            verbosity=options.get("verbosity", 1),
        )
