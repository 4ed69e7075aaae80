"""``legemiddel alerts``: queue the monthly e-mail to unit leaders for the worker (run it from a
monthly schedule), or send it now with ``--now``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from legemiddel.analytics.alerts import alerts_send, send_monthly_alerts


class Command(BaseCommand):
    help = "Queue (or with --now send) the monthly follow-up e-mail to unit leaders."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="Send now instead of queueing.")

    def handle(self, *args: Any, now: bool = False, **options: Any) -> None:
        if now:
            sent, failed = alerts_send()
            self.stdout.write(f"{sent} sendt, {failed} feilet.")
            if failed:
                raise SystemExit(1)
            return
        result = send_monthly_alerts.enqueue()
        self.stdout.write(f"Lagt i køen ({result.id}); arbeideren sender.")
