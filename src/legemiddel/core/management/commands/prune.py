"""``legemiddel prune``: delete log entries older than their retention period (run it daily from
cron or a systemd timer; see docs/operations.md). The pruning is itself audited."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from legemiddel.core.retention import logs_prune
from legemiddel.lib.formatting import format_date


class Command(BaseCommand):
    help = (
        "Delete audit events older than AUDIT_RETENTION_DAYS and login records older than "
        "LOGIN_LOG_RETENTION_DAYS, and record the pruning in the audit log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count what would be deleted."
        )

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        verb = "ville blitt slettet" if dry_run else "slettet"
        for pruned in logs_prune(dry_run=dry_run):
            self.stdout.write(
                f"{pruned.rule.label}: {pruned.rows} {verb} "
                f"(eldre enn {pruned.rule.days} dager, før {format_date(pruned.before)})"
            )
