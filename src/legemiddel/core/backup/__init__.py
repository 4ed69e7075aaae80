"""Backup and restore of the whole database, with a manifest and a verify step.

A backup is one tar file holding ``manifest.json`` and the database: a SQLite copy made with
SQLite's online backup API, or a ``pg_dump -Fc`` dump. The manifest (see :mod:`.manifest`)
carries the row count of every table, the migrations applied and the fingerprints of the keys,
never the keys. :func:`backup_verify` reads a backup back (checksum, integrity check or the
dump's table of contents, every table's rows counted against the manifest);
:func:`backup_restore` verifies first, refuses a key mismatch, a backup from a newer version and
a non-empty target, restores, and counts again in the restored database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections

from legemiddel.core.audit import audit_record
from legemiddel.core.backup import postgres, sqlite
from legemiddel.core.backup.db import (
    POSTGRESQL,
    SQLITE,
    Database,
    row_counts,
    table_digests,
    table_names,
)
from legemiddel.core.backup.manifest import (
    MANIFEST_NAME,
    BackupError,
    Manifest,
    configured_fingerprints,
    consequence,
    key_mismatches,
    migration_state,
    unknown_migrations,
)
from legemiddel.core.models import AuditEvent

__all__ = [
    "BackupError",
    "Database",
    "Manifest",
    "RestoreOutcome",
    "backup_restore",
    "backup_verify",
    "backup_write",
    "table_digests",
]

_MEMBER = {SQLITE: "database.sqlite3", POSTGRESQL: "database.pgdump"}


def configured_database() -> Database:
    return Database.from_settings(settings.DATABASES["default"])


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _target_file(output: Path | None, engine: str) -> Path:
    name = f"legemiddel-{engine}-{dt.datetime.now():%Y%m%d-%H%M%S}.tar"
    if output is None:
        folder = Path(settings.VAR_DIR) / "backups"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / name
    if output.is_dir() or str(output).endswith(os.sep):
        output.mkdir(parents=True, exist_ok=True)
        return output / name
    if not output.parent.is_dir():
        raise BackupError(f"The folder {output.parent} does not exist.")
    return output


def backup_write(
    *, output: Path | None = None, database: Database | None = None
) -> tuple[Path, Manifest]:
    """Write a backup of ``database`` (the configured one by default) to ``output`` (a file, or
    a folder to put a dated file in; ``var/backups/`` by default), verify it, and return its
    path and manifest. The file is readable by its owner only and appears only when complete."""
    database = database or configured_database()
    target = _target_file(output, database.engine)
    member = _MEMBER[database.engine]
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".backup-") as tmp:
        dump = Path(tmp) / member
        server_version = ""
        if database.engine == SQLITE:
            counts, applied = sqlite.dump(database, dump)
        else:
            counts, applied, server_version = postgres.dump(database, dump)
        manifest = Manifest(
            engine=database.engine,
            database_file=member,
            database_sha256=_sha256(dump),
            tables=counts,
            migrations=migration_state(applied),
            key_fingerprints=configured_fingerprints(),
            server_version=server_version,
        )
        (Path(tmp) / MANIFEST_NAME).write_bytes(manifest.to_json())
        partial = Path(tmp) / "backup.tar"
        with tarfile.open(partial, "w") as tar:
            tar.add(Path(tmp) / MANIFEST_NAME, arcname=MANIFEST_NAME)
            tar.add(dump, arcname=member)
        partial.chmod(0o600)
        os.replace(partial, target)
    try:
        backup_verify(path=target)
    except BackupError:
        target.unlink(missing_ok=True)
        raise
    if database == configured_database():
        audit_record(
            action=AuditEvent.Action.BACKUP,
            detail=f"Sikkerhetskopi skrevet til {target} ({manifest.total_rows} rader, "
            f"{len(manifest.tables)} tabeller)",
        )
    return target, manifest


def _unpack(path: Path, into: Path) -> Manifest:
    if not path.is_file():
        raise BackupError(f"{path} does not exist.")
    try:
        with tarfile.open(path, "r:*") as tar:
            names = tar.getnames()
            manifest_file = tar.extractfile(MANIFEST_NAME) if MANIFEST_NAME in names else None
            if manifest_file is None:
                raise BackupError(f"{path} is not a Legemiddel backup (no manifest in it).")
            manifest = Manifest.from_json(manifest_file.read())
            if (
                manifest.database_file not in names
                or manifest.database_file not in _MEMBER.values()
            ):
                raise BackupError(f"{path} lacks its database ({manifest.database_file}).")
            tar.extract(manifest.database_file, into, filter="data")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{path} is damaged or not a backup: {exc}") from exc
    return manifest


def _verify_unpacked(folder: Path, manifest: Manifest) -> None:
    dump = folder / manifest.database_file
    if _sha256(dump) != manifest.database_sha256:
        raise BackupError(
            "The database in the backup has changed since it was written (checksum differs "
            "from the manifest): the file is damaged. Use another backup."
        )
    counts = sqlite.check(dump) if manifest.engine == SQLITE else postgres.check(dump)
    _compare_counts(manifest.tables, counts, "in the backup")


def _compare_counts(expected: dict[str, int], found: dict[str, int], where: str) -> None:
    problems = [
        f"{table}: {expected.get(table, 'no table')} in the manifest, "
        f"{found.get(table, 'no table')} {where}"
        for table in sorted(set(expected) | set(found))
        if expected.get(table) != found.get(table)
    ]
    if problems:
        raise BackupError(
            f"Row counts differ from the manifest ({len(problems)} tables): "
            + "; ".join(problems[:10])
        )


def backup_verify(*, path: Path) -> Manifest:
    """Read a backup back completely and check it against its manifest; raise
    :class:`BackupError` saying what is wrong."""
    with tempfile.TemporaryDirectory(prefix="legemiddel-verify-") as tmp:
        manifest = _unpack(path, Path(tmp))
        _verify_unpacked(Path(tmp), manifest)
    return manifest


@dataclass(frozen=True)
class RestoreOutcome:
    manifest: Manifest
    database: Database
    forced_keys: list[str]
    pending_migrations: bool


def key_mismatch_message(names: list[str]) -> str:
    lines = [
        "The keys configured here are not those the backup was taken with "
        f"({', '.join(names)}). Restoring anyway means:"
    ]
    lines += [f"  - {name}: {consequence(name)}." for name in names]
    lines.append(
        "Configure the keys from the secret store that belong to this backup, or give "
        "--force-key-mismatch if you accept the consequences."
    )
    return "\n".join(lines)


def backup_restore(
    *,
    path: Path,
    database: Database | None = None,
    replace: bool = False,
    force_key_mismatch: bool = False,
) -> RestoreOutcome:
    """Restore a backup into ``database`` (the configured one by default), which must be empty
    unless ``replace``. Refuses a damaged backup, one from a newer version of the product, one
    from the other database engine and, unless ``force_key_mismatch``, one taken under other
    keys. Counts every table afterwards against the manifest."""
    database = database or configured_database()
    with tempfile.TemporaryDirectory(prefix="legemiddel-restore-") as tmp:
        manifest = _unpack(path, Path(tmp))
        if manifest.engine != database.engine:
            raise BackupError(
                f"The backup is of a {manifest.engine} database; the target is {database}. "
                "Restore into the same kind of database it was taken from."
            )
        _verify_unpacked(Path(tmp), manifest)
        mismatched = key_mismatches(manifest)
        if mismatched and not force_key_mismatch:
            raise BackupError(key_mismatch_message(mismatched))
        newer = unknown_migrations(manifest.migrations)
        if newer:
            raise BackupError(
                f"The backup is from a newer version of Legemiddel ({manifest.app_version}; "
                f"migrations unknown here: {', '.join(newer[:5])}). Install that version first."
            )
        if database == configured_database():
            connections.close_all()
        with database.cursor() as cur:
            existing = table_names(cur, database.engine)
        if existing and not replace:
            raise BackupError(
                f"The target database ({database}) is not empty: it has {len(existing)} tables. "
                "Restore into a new, empty database, or give --replace to overwrite it "
                "(everything in it now is lost)."
            )
        dump = Path(tmp) / manifest.database_file
        if database.engine == SQLITE:
            sqlite.load(dump, database)
        else:
            postgres.load(dump, database, replace=replace)
    with database.cursor() as cur:
        _compare_counts(manifest.tables, row_counts(cur, database.engine), "after the restore")
    if database == configured_database():
        forced = f"; ulike nøkler godtatt: {', '.join(mismatched)}" if mismatched else ""
        audit_record(
            action=AuditEvent.Action.BACKUP,
            detail=f"Gjenopprettet fra {path.name}, tatt {manifest.created_at} "
            f"({manifest.total_rows} rader){forced}",
        )
    known_total = sum(len(v) for v in manifest.migrations.values())
    from django.db.migrations.loader import MigrationLoader

    on_disk = len(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return RestoreOutcome(
        manifest=manifest,
        database=database,
        forced_keys=mismatched,
        pending_migrations=known_total < on_disk,
    )
