"""``legemiddel meetingreminders``: remind the participants of the meetings in the coming days
(run it daily; each person is reminded once per meeting, a failed e-mail is tried again the
next day)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from legemiddel.governance.services import meeting_reminders_send


class Command(BaseCommand):
    help = "E-mail a reminder to the participants of the meetings in the coming days."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Remind this many days before the meeting (default MEETING_REMINDER_DAYS).",
        )

    def handle(self, *args: Any, days: int | None = None, **options: Any) -> None:
        ahead = settings.MEETING_REMINDER_DAYS if days is None else days
        if ahead < 0:
            self.stderr.write("--days kan ikke være negativ.")
            raise SystemExit(2)
        result = meeting_reminders_send(days=ahead)
        self.stdout.write(f"{result.sent} påminnelser sendt, {result.failed} feilet.")
        if result.without_email:
            self.stdout.write(
                "Ikke sendt (mangler e-postadresse): " + ", ".join(result.without_email)
            )
        if result.failed:
            raise SystemExit(1)
