"""What a backup says about itself: the manifest written inside every backup file.

The manifest names the format and its version, when and from which product version the backup
was taken, the migrations applied, the number of rows in every table and the *fingerprints* of
the keys the data depends on. The keys themselves live outside the database (environment or
secret files) and never go into a backup: a fingerprint is HMAC-SHA256 under the key of a fixed
label, cut to 16 bytes, so it tells whether two keys are the same without revealing either,
even for a short key (a plain hash of a short key could be guessed offline).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings

import legemiddel

FORMAT = "legemiddel-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
_LABEL = b"legemiddel backup key fingerprint v1"

# The keys a restored database depends on, and what happens when a restore goes ahead under a
# different one. More key settings (field encryption keys) are added with BACKUP_KEY_SETTINGS.
KEY_CONSEQUENCES = {
    "PSEUDONYM_KEY": (
        "the pseudonyms in the backup would no longer match those of new imports: the same "
        "patient would get a new pseudonym, so counts of distinct patients, switches and "
        "starts would count one person twice"
    ),
    "SECRET_KEY": (
        "sessions, password-reset links and other signed links made before the restore stop "
        "working (everyone logs in again); no data is lost"
    ),
}
_ENCRYPTION_CONSEQUENCE = "data encrypted under the backup's key could no longer be read"


class BackupError(Exception):
    """A backup cannot be written, verified or restored; the message says why and what to do."""


def key_settings() -> list[str]:
    """Names of the settings holding keys that must match between backup and restore."""
    extra = list(getattr(settings, "BACKUP_KEY_SETTINGS", []) or [])
    return list(dict.fromkeys([*KEY_CONSEQUENCES, *extra]))


def consequence(name: str) -> str:
    return KEY_CONSEQUENCES.get(name, _ENCRYPTION_CONSEQUENCE)


def fingerprint(key: str | bytes) -> str:
    """A fingerprint of ``key`` that reveals nothing about it: HMAC-SHA256(key, label), 32 hex."""
    raw = key.encode() if isinstance(key, str) else key
    return hmac.new(raw, _LABEL, hashlib.sha256).hexdigest()[:32]


def configured_fingerprints() -> dict[str, str | None]:
    """The fingerprint of every configured key (``None`` when the setting is empty). A setting
    holding several keys (old and new, during a rotation) gets one fingerprint per key."""
    result: dict[str, str | None] = {}
    for name in key_settings():
        value = getattr(settings, name, None)
        if not value:
            result[name] = None
        elif isinstance(value, list | tuple):
            result[name] = ",".join(fingerprint(str(v)) for v in value)
        else:
            result[name] = fingerprint(str(value))
    return result


def key_mismatches(manifest: Manifest) -> list[str]:
    """The names of the keys whose configured fingerprint differs from the backup's."""
    current = configured_fingerprints()
    names = sorted(set(current) | set(manifest.key_fingerprints))
    return [n for n in names if current.get(n) != manifest.key_fingerprints.get(n)]


@dataclass
class Manifest:
    engine: str
    database_file: str
    database_sha256: str
    tables: dict[str, int]
    migrations: dict[str, list[str]]
    key_fingerprints: dict[str, str | None]
    created_at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat())
    app_version: str = legemiddel.__version__
    server_version: str = ""
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=2, sort_keys=True).encode()

    @property
    def total_rows(self) -> int:
        return sum(self.tables.values())

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data: Any = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BackupError(f"The backup's manifest is not readable JSON ({exc}).") from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise BackupError("This file is not a Legemiddel backup (its manifest is missing).")
        version = data.get("format_version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise BackupError(
                f"The backup has format version {version}; this version of Legemiddel reads "
                f"up to {FORMAT_VERSION}. Restore it with the version that wrote it "
                f"({data.get('app_version', 'unknown')}) or newer."
            )
        names = set(cls.__dataclass_fields__)
        missing = names - set(data) - {"server_version"}
        if missing:
            raise BackupError(f"The backup's manifest lacks {', '.join(sorted(missing))}.")
        return cls(**{k: v for k, v in data.items() if k in names})


def migration_state(applied: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Applied migrations (``django_migrations`` rows) grouped by app, sorted."""
    state: dict[str, list[str]] = {}
    for app, name in sorted(applied):
        state.setdefault(app, []).append(name)
    return state


def unknown_migrations(state: dict[str, list[str]]) -> list[str]:
    """Migrations the backup has applied that this version of the product does not know: the
    backup is from a newer version, and restoring it under this one would break."""
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [
        f"{app}.{name}"
        for app, names in state.items()
        for name in names
        if (app, name) not in known
    ]
