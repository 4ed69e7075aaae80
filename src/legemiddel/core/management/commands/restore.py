"""``legemiddel restore FILE``: restore a backup into the configured (empty) database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from legemiddel.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by 'legemiddel backup' into the configured database. Verifies it "
        "first; refuses a non-empty database and keys other than the backup's."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The backup file.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Overwrite a database that already has tables (its contents are lost).",
        )
        parser.add_argument(
            "--force-key-mismatch",
            action="store_true",
            help=(
                "Restore even though PSEUDONYM_KEY or another key differs from the backup's. "
                "Pseudonyms in the restored data then no longer match those of new imports "
                "(the same patient counted twice); a different SECRET_KEY only logs everyone out."
            ),
        )

    def handle(
        self,
        *args: Any,
        file: Path,
        replace: bool = False,
        force_key_mismatch: bool = False,
        **options: Any,
    ) -> None:
        try:
            outcome = backup_restore(
                path=file, replace=replace, force_key_mismatch=force_key_mismatch
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = outcome.manifest
        self.stdout.write(
            f"Gjenopprettet {file} til {outcome.database}: {len(manifest.tables)} tabeller, "
            f"{manifest.total_rows} rader, som i manifestet (tatt {manifest.created_at})."
        )
        if outcome.forced_keys:
            self.stderr.write(
                "Advarsel: gjenopprettet med andre nøkler enn kopien ble tatt med: "
                + ", ".join(outcome.forced_keys)
            )
        if outcome.pending_migrations:
            self.stdout.write("Kopien er fra en eldre versjon: kjør 'legemiddel migrate'.")
