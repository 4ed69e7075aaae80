"""The database a backup is taken from or restored into, as plain connection facts.

Backup and restore talk to the database outside Django's connection (SQLite's backup API,
``pg_dump``/``pg_restore`` and a separate connection for counting), so the same code serves
the configured database and, in the tests, databases made for the purpose.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from typing import Any

from legemiddel.core.backup.manifest import BackupError

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
_ENGINES = {
    "django.db.backends.sqlite3": SQLITE,
    "django.db.backends.postgresql": POSTGRESQL,
}


@dataclass(frozen=True)
class Database:
    engine: str
    name: str
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = field(default="", repr=False)
    sslmode: str = ""

    @classmethod
    def from_settings(cls, config: Mapping[str, Any]) -> Database:
        """From a ``DATABASES`` entry (``DATABASE_URL`` parsed)."""
        engine = _ENGINES.get(config.get("ENGINE", ""))
        if engine is None:
            raise BackupError(f"Backups support SQLite and PostgreSQL, not {config.get('ENGINE')}.")
        return cls(
            engine=engine,
            name=str(config.get("NAME") or ""),
            host=str(config.get("HOST") or ""),
            port=str(config.get("PORT") or ""),
            user=str(config.get("USER") or ""),
            password=str(config.get("PASSWORD") or ""),
            sslmode=str((config.get("OPTIONS") or {}).get("sslmode", "")),
        )

    def __str__(self) -> str:
        if self.engine == SQLITE:
            return f"SQLite {self.name}"
        where = f"{self.host or 'localhost'}:{self.port or 5432}"
        return f"PostgreSQL {self.user + '@' if self.user else ''}{where}/{self.name}"

    def pg_env(self) -> dict[str, str]:
        """libpq's variables for the client programs: the password never on a command line."""
        values = {
            "PGHOST": self.host,
            "PGPORT": self.port,
            "PGUSER": self.user,
            "PGPASSWORD": self.password,
            "PGDATABASE": self.name,
            "PGSSLMODE": self.sslmode,
        }
        return {k: v for k, v in values.items() if v}

    @contextmanager
    def cursor(self) -> Iterator[Any]:
        """A cursor on a connection of its own, closed afterwards."""
        if self.engine == SQLITE:
            with closing(sqlite3.connect(self.name)) as conn, closing(conn.cursor()) as cur:
                yield cur
            return
        with self.pg_connect(autocommit=True) as conn, conn.cursor() as cur:
            yield cur

    def pg_connect(self, *, autocommit: bool) -> Any:
        import psycopg

        params = {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password,
            "dbname": self.name,
            "sslmode": self.sslmode,
        }
        conninfo = psycopg.conninfo.make_conninfo(**{k: v for k, v in params.items() if v})
        return psycopg.connect(conninfo, autocommit=autocommit)


def table_names(cur: Any, engine: str) -> list[str]:
    """The product's tables (all user tables; SQLite's own bookkeeping tables aside)."""
    if engine == SQLITE:
        cur.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    else:
        cur.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        )
    return [row[0] for row in cur.fetchall()]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def row_counts(cur: Any, engine: str) -> dict[str, int]:
    """Rows per table, read on ``cur`` (so within its transaction's snapshot)."""
    counts: dict[str, int] = {}
    for table in table_names(cur, engine):
        cur.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608 (names from the catalogue)
        counts[table] = int(cur.fetchone()[0])
    return counts


def applied_migrations(cur: Any, engine: str) -> list[tuple[str, str]]:
    if "django_migrations" not in table_names(cur, engine):
        return []
    cur.execute("SELECT app, name FROM django_migrations")
    return [(str(app), str(name)) for app, name in cur.fetchall()]


def table_digests(database: Database) -> dict[str, tuple[int, str]]:
    """(rows, SHA-256 of the contents in primary-key order) per table: two databases with the
    same digests hold the same data. Used to prove a restore gave back what was backed up."""
    result: dict[str, tuple[int, str]] = {}
    with database.cursor() as cur:
        for table in table_names(cur, database.engine):
            cur.execute(f"SELECT * FROM {_quote(table)} LIMIT 0")  # noqa: S608
            columns = len(cur.description)
            order = ", ".join(str(i) for i in range(1, columns + 1))
            cur.execute(f"SELECT * FROM {_quote(table)} ORDER BY {order}")  # noqa: S608
            digest = hashlib.sha256()
            rows = 0
            for row in cur:
                digest.update(repr(tuple(row)).encode())
                rows += 1
            result[table] = (rows, digest.hexdigest())
    return result
