"""``legemiddel pricereminders``: remind everyone whose price access soon expires, with a link to
ask for renewal (run it daily; each grant is reminded once, a failed e-mail is tried again the
next day)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from legemiddel.agreements.services import REMINDER_DAYS, price_access_reminders_send


class Command(BaseCommand):
    help = "E-mail a reminder to everyone whose price access expires within the coming days."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=REMINDER_DAYS,
            help=f"Remind this many days before expiry (default {REMINDER_DAYS}).",
        )

    def handle(self, *args: Any, days: int = REMINDER_DAYS, **options: Any) -> None:
        sent, failed = price_access_reminders_send(days=days)
        self.stdout.write(f"{sent} påminnelser sendt, {failed} feilet.")
        if failed:
            raise SystemExit(1)
