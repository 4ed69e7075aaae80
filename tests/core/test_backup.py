"""Backup and restore: a demo database backed up, restored into an empty database and compared
table by table, on SQLite always and on PostgreSQL when its client programs are installed (in CI
always). Restore refuses other keys, a non-empty database and a damaged backup."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import threading
from pathlib import Path

import pytest
from django.conf import settings

from legemiddel.core.backup import (
    BackupError,
    Database,
    backup_restore,
    backup_verify,
    backup_write,
    table_digests,
)
from legemiddel.core.backup import postgres as pg
from legemiddel.core.backup.db import table_names
from legemiddel.core.backup.manifest import fingerprint

SRC = Path(__file__).resolve().parents[2] / "src"
_DATABASE_URL = os.environ.get("DATABASE_URL", "")
# The PostgreSQL server of the test run (or the local one); the databases are our own, one pair
# per parallel test worker.
PG_URL = (
    _DATABASE_URL.rsplit("/", 1)[0]
    if _DATABASE_URL.startswith("postgres")
    else os.environ.get("BACKUP_TEST_PG", "postgresql://postgres@127.0.0.1:5432")
)
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
PG_SRC = "legemiddel_backup_src" + (f"_{_WORKER}" if _WORKER else "")
PG_DST = "legemiddel_backup_dst" + (f"_{_WORKER}" if _WORKER else "")
IN_CI = os.environ.get("CI") == "true"
HAS_PG_CLIENT = shutil.which("pg_dump") is not None and shutil.which("pg_restore") is not None
# Each pass of the suite backs up and restores its own kind of database (the SQLite pass SQLite,
# the PostgreSQL pass PostgreSQL), so CI covers both without running each twice.
ENGINES = [
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(
            not HAS_PG_CLIENT and not IN_CI,
            reason="pg_dump/pg_restore not installed (CI runs this)",
        ),
    )
    if _DATABASE_URL.startswith("postgres")
    else "sqlite"
]


def legemiddel(*args: str, database_url: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the ``legemiddel`` command as an operator would, against ``database_url``."""
    environ = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    environ.update(PYTHONPATH=str(SRC), LEGEMIDDEL_MODE="demo", DATABASE_URL=database_url, **env)
    return subprocess.run(
        [sys.executable, "-m", "legemiddel", *args],
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )


def _pg(name: str) -> Database:
    return Database.from_settings(
        {"ENGINE": "django.db.backends.postgresql", "NAME": name, **_pg_parts()}
    )


def _pg_parts() -> dict[str, str]:
    import dj_database_url

    parsed = dj_database_url.parse(PG_URL + "/x")
    return {k: str(parsed.get(k) or "") for k in ("HOST", "PORT", "USER", "PASSWORD")}


def _pg_recreate(name: str) -> Database:
    admin = _pg("postgres")
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    return _pg(name)


class Engine:
    """A demo database of one kind to back up, and empty databases of the same kind."""

    def __init__(self, kind: str, folder: Path) -> None:
        self.kind = kind
        self.folder = folder
        if kind == "sqlite":
            self.source = Database(engine="sqlite", name=str(folder / "source.sqlite3"))
            self.url = f"sqlite:///{self.source.name}"
        else:
            try:
                self.source = _pg_recreate(PG_SRC)
            except Exception as exc:
                if IN_CI:
                    raise
                pytest.skip(f"no PostgreSQL server at {PG_URL}: {exc}")
            self.url = f"{PG_URL}/{PG_SRC}"
        done = legemiddel("demo", "--no-serve", database_url=self.url)
        assert done.returncode == 0, done.stderr

    def empty(self, name: str = "target") -> tuple[Database, str]:
        if self.kind == "sqlite":
            path = self.folder / f"{name}.sqlite3"
            path.unlink(missing_ok=True)
            return Database(engine="sqlite", name=str(path)), f"sqlite:///{path}"
        return _pg_recreate(PG_DST), f"{PG_URL}/{PG_DST}"


@pytest.fixture(scope="module", params=ENGINES)
def engine(request, tmp_path_factory):
    made = Engine(request.param, tmp_path_factory.mktemp(f"backup-{request.param}"))
    yield made
    if made.kind == "postgresql":
        with _pg("postgres").cursor() as cur:
            for name in (PG_SRC, PG_DST):
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def backup_file(engine, tmp_path) -> Path:
    path, _manifest = backup_write(output=tmp_path, database=engine.source)
    return path


def test_a_restored_backup_holds_every_table_exactly_as_it_was(engine, tmp_path):
    before = table_digests(engine.source)
    path, manifest = backup_write(output=tmp_path, database=engine.source)
    target, _url = engine.empty()

    outcome = backup_restore(path=path, database=target)

    after = table_digests(target)
    assert after == before  # every table: row count and a hash of its contents
    assert manifest.tables == {table: rows for table, (rows, _digest) in before.items()}
    assert sum(1 for rows, _d in before.values() if rows) > 30  # the demo really is in it
    assert outcome.forced_keys == []
    assert manifest.migrations["core"][0] == "0001_initial"
    assert manifest.engine == engine.kind
    assert path.stat().st_mode & 0o077 == 0  # only its owner can read it


def test_the_backup_holds_no_key_only_fingerprints(engine, backup_file):
    with tarfile.open(backup_file) as tar:
        member = next(m for m in tar.getnames() if m.startswith("database."))
        contents = tar.extractfile(member).read()  # type: ignore[union-attr]
        manifest = tar.extractfile("manifest.json").read()  # type: ignore[union-attr]
    if engine.kind == "postgresql":  # the dump is compressed: read it as SQL
        contents = subprocess.run(
            ["pg_restore", "-f", "-"], input=contents, capture_output=True, check=True
        ).stdout
    for key in (settings.PSEUDONYM_KEY, settings.SECRET_KEY):
        for blob in (contents, manifest):
            assert key.encode() not in blob
            assert hashlib.sha256(key.encode()).hexdigest().encode() not in blob
    assert fingerprint(settings.PSEUDONYM_KEY).encode() in manifest


def test_restore_refuses_other_keys_and_explains_what_forcing_means(engine, backup_file):
    _target, url = engine.empty()

    refused = legemiddel("restore", str(backup_file), database_url=url, PSEUDONYM_KEY="another")

    assert refused.returncode != 0
    assert "PSEUDONYM_KEY" in refused.stderr
    assert "pseudonyms" in refused.stderr
    assert "--force-key-mismatch" in refused.stderr
    assert "SECRET_KEY" not in refused.stderr.split("means:")[1]  # only the key that differs
    target, url = engine.empty()
    with target.cursor() as cur:
        assert table_names(cur, target.engine) == []  # nothing written

    forced = legemiddel(
        "restore",
        str(backup_file),
        "--force-key-mismatch",
        database_url=url,
        PSEUDONYM_KEY="another",
    )
    assert forced.returncode == 0, forced.stderr
    assert "PSEUDONYM_KEY" in forced.stderr  # the warning stays visible


def test_restore_refuses_a_database_that_is_not_empty_unless_replace(engine, backup_file):
    target, url = engine.empty()
    assert legemiddel("restore", str(backup_file), database_url=url).returncode == 0

    again = legemiddel("restore", str(backup_file), database_url=url)
    assert again.returncode != 0
    assert "not empty" in again.stderr
    assert "--replace" in again.stderr

    replaced = legemiddel("restore", str(backup_file), "--replace", database_url=url)
    assert replaced.returncode == 0, replaced.stderr
    # The restore is audited in the restored database (one event, from the last restore).
    with target.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM accounts_auditevent WHERE action = 'backup'")
        assert cur.fetchone()[0] == 1


def test_the_command_backs_up_and_verifies(engine, tmp_path):
    done = legemiddel("backup", "--output", str(tmp_path), database_url=engine.url)
    assert done.returncode == 0, done.stderr
    [written] = list(tmp_path.glob(f"legemiddel-{engine.kind}-*.tar"))
    with engine.source.cursor() as cur:  # a copy of everything is itself in the audit trail
        cur.execute(
            "SELECT detail FROM accounts_auditevent WHERE action = 'backup' ORDER BY id DESC"
        )
        assert str(written) in cur.fetchone()[0]
    checked = legemiddel("backup", "--verify", str(written), database_url=engine.url)
    assert checked.returncode == 0
    assert "i orden" in checked.stdout
    assert "de samme som kopien" in checked.stdout
    other_keys = legemiddel(
        "backup", "--verify", str(written), database_url=engine.url, PSEUDONYM_KEY="another"
    )
    assert other_keys.returncode == 0  # the backup is sound; the keys are reported
    assert "ikke de kopien ble tatt med: PSEUDONYM_KEY" in other_keys.stdout


def _rewrite(path: Path, change) -> None:
    """Rewrite a backup with ``change(name, data) -> data`` applied to each member."""
    with tarfile.open(path) as tar:
        members = [(m.name, tar.extractfile(m).read()) for m in tar.getmembers()]  # type: ignore[union-attr]
    with tarfile.open(path, "w") as tar:
        for name, data in members:
            data = change(name, data)
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def _damage(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes(b ^ 0xFF for b in data[middle : middle + 64]) + data[middle + 64 :]


def test_verify_refuses_a_damaged_backup(engine, backup_file):
    _rewrite(backup_file, lambda name, data: _damage(data) if name.startswith("database") else data)
    with pytest.raises(BackupError, match="damaged"):
        backup_verify(path=backup_file)
    _target, url = engine.empty()
    refused = legemiddel("restore", str(backup_file), database_url=url)
    assert refused.returncode != 0
    assert "damaged" in refused.stderr


def test_verify_reads_the_data_itself_not_only_the_checksum(engine, backup_file):
    """A damaged database whose checksum was updated still fails: the integrity check or the
    dump's reader, or the row counts, catch it."""

    with tarfile.open(backup_file) as tar:
        member = next(m for m in tar.getnames() if m.startswith("database."))
        data = tar.extractfile(member).read()  # type: ignore[union-attr]
    damaged = _damage(data)

    def reseal(name: str, blob: bytes) -> bytes:
        if name == member:
            return damaged
        if name == "manifest.json":
            manifest = json.loads(blob)
            manifest["database_sha256"] = hashlib.sha256(damaged).hexdigest()
            return json.dumps(manifest).encode()
        return blob

    _rewrite(backup_file, reseal)
    with pytest.raises(BackupError):
        backup_verify(path=backup_file)


def test_verify_compares_every_table_with_the_manifest(backup_file):
    def miscount(name: str, blob: bytes) -> bytes:
        if name != "manifest.json":
            return blob
        manifest = json.loads(blob)
        manifest["tables"]["accounts_user"] += 1
        return json.dumps(manifest).encode()

    _rewrite(backup_file, miscount)
    with pytest.raises(BackupError, match="accounts_user"):
        backup_verify(path=backup_file)


def test_verify_refuses_files_that_are_not_backups(tmp_path):
    truncated = tmp_path / "half.tar"
    truncated.write_bytes(b"\x00" * 100)
    with pytest.raises(BackupError):
        backup_verify(path=truncated)
    other = tmp_path / "other.tar"
    with tarfile.open(other, "w") as tar:
        info = tarfile.TarInfo("notes.txt")
        tar.addfile(info, io.BytesIO(b""))
    with pytest.raises(BackupError, match="not a Legemiddel backup"):
        backup_verify(path=other)
    with pytest.raises(BackupError, match="does not exist"):
        backup_verify(path=tmp_path / "missing.tar")


def test_a_backup_from_a_newer_version_is_refused(engine, backup_file):
    def newer(name: str, blob: bytes) -> bytes:
        if name != "manifest.json":
            return blob
        manifest = json.loads(blob)
        manifest["migrations"]["core"].append("9999_from_the_future")
        return json.dumps(manifest).encode()

    _rewrite(backup_file, newer)
    target, _url = engine.empty()
    with pytest.raises(BackupError, match=r"newer version.*9999_from_the_future"):
        backup_restore(path=backup_file, database=target)


def test_missing_postgresql_client_programs_are_named(monkeypatch):
    monkeypatch.setattr(pg.shutil, "which", lambda program: None)
    with pytest.raises(BackupError, match=r"pg_dump was not found.*postgresql-client"):
        pg.client_major("pg_dump")


@pytest.mark.skipif(not HAS_PG_CLIENT and not IN_CI, reason="no pg client")
def test_postgresql_clients_older_than_the_server_are_refused(monkeypatch):
    monkeypatch.setattr(pg, "client_major", lambda program: 9)
    with pytest.raises(BackupError, match=r"pg_dump is version 9 .*postgresql-client-\d+"):
        pg.check_clients(_pg("postgres"), "pg_dump")


def test_fingerprints_do_not_reveal_the_key():
    short = "1234"
    assert fingerprint(short) != hashlib.sha256(short.encode()).hexdigest()[:32]
    assert fingerprint(short) == fingerprint(short)
    assert fingerprint(short) != fingerprint("1235")
    assert short not in fingerprint(short)


def test_a_backup_taken_while_the_application_writes_is_consistent(engine, tmp_path):
    """The web server and the worker go on writing during a backup: the copy is one snapshot,
    and its manifest counts exactly what is in it."""
    stop = threading.Event()
    written = 0

    def write() -> None:
        nonlocal written
        with engine.source.cursor() as cur:
            while not stop.is_set():
                cur.execute(
                    "INSERT INTO accounts_auditevent (at, username, action, path, detail, target) "
                    "VALUES (CURRENT_TIMESTAMP, 'writer', 'login', '', '', '')"
                )
                if engine.kind == "sqlite":
                    cur.connection.commit()
                written += 1

    writer = threading.Thread(target=write)
    writer.start()
    try:
        path, manifest = backup_write(output=tmp_path, database=engine.source)
    finally:
        stop.set()
        writer.join()
    assert written > 0
    target, _url = engine.empty()
    backup_restore(path=path, database=target)  # counts again after the restore
    with target.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM accounts_auditevent")
        assert cur.fetchone()[0] == manifest.tables["accounts_auditevent"]
