"""``legemiddel backup``: a verified backup of the database (SQLite or PostgreSQL) with its
manifest; ``--verify FILE`` checks an existing backup. See docs/operations.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from legemiddel.core.backup import BackupError, backup_verify, backup_write
from legemiddel.core.backup.manifest import key_mismatches


class Command(BaseCommand):
    help = (
        "Back up the database to one file (SQLite's online backup or pg_dump -Fc, with a "
        "manifest of row counts and key fingerprints), and verify it. The keys are never in it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help="File to write, or a folder for a dated file (default: var/backups/).",
        )
        parser.add_argument(
            "--verify",
            type=Path,
            metavar="FILE",
            help="Do not back up: check this backup against its manifest.",
        )

    def handle(
        self, *args: Any, output: Path | None = None, verify: Path | None = None, **options: Any
    ) -> None:
        try:
            if verify is not None:
                manifest = backup_verify(path=verify)
                self.stdout.write(
                    f"{verify}: i orden. {manifest.engine}, tatt {manifest.created_at}, "
                    f"versjon {manifest.app_version}, {len(manifest.tables)} tabeller, "
                    f"{manifest.total_rows} rader."
                )
                differ = key_mismatches(manifest)
                self.stdout.write(
                    "Nøklene som er satt her, er ikke de kopien ble tatt med: " + ", ".join(differ)
                    if differ
                    else "Nøklene som er satt her, er de samme som kopien ble tatt med."
                )
                return
            path, manifest = backup_write(output=output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Sikkerhetskopi skrevet og kontrollert: {path} ({len(manifest.tables)} tabeller, "
            f"{manifest.total_rows} rader). Nøklene er ikke med; oppbevar dem atskilt."
        )
