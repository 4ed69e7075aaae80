"""Faults survived: PostgreSQL restarted under a running web server. Pages recover at once,
without restarting the application (persistent connections are checked before reuse:
``CONN_HEALTH_CHECKS`` with ``CONN_MAX_AGE``).

Runs a private PostgreSQL cluster of its own on another port (never the shared server), so it
needs root (to run the cluster as the ``postgres`` user) and the PostgreSQL binaries; it is
skipped without them, except under ``CI=true`` where it must run.
"""

from __future__ import annotations

import glob
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.fault,
    # The private cluster is PostgreSQL whatever the run's database: the PostgreSQL pass runs it.
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="runs in the PostgreSQL pass",
    ),
]

SRC = Path(__file__).resolve().parents[2] / "src"


def _binaries() -> Path | None:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4])
    )
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the PostgreSQL restart test: {reason}")
    pytest.skip(reason)


class Cluster:
    def __init__(self, bindir: Path, root: Path, port: int) -> None:
        self.bindir, self.root, self.port = bindir, root, port
        self.data = root / "data"

    def _run(self, *args: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", str(self.bindir / args[0]), *args[1:]],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=60,
        )

    def init(self) -> None:
        self._run("initdb", "--no-sync", "-D", str(self.data), "-A", "trust", "-U", "postgres")

    def pg_ctl(self, action: str) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        extra = ["-m", "fast"] if action in {"stop", "restart"} else []
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "log"),
            "-w",
            *extra,
            action,
        )

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    bindir = _binaries()
    if bindir is None:
        _skip_or_fail("no PostgreSQL binaries under /usr/lib/postgresql")
    if os.geteuid() != 0 or shutil.which("runuser") is None:
        _skip_or_fail("needs root to run a private cluster as the postgres user")
    root = Path(tempfile.mkdtemp(prefix="legemiddel-pg-"))
    shutil.chown(root, "postgres")
    db = Cluster(bindir, root, _free_port())
    db.init()
    db.pg_ctl("start")
    try:
        yield db
    finally:
        try:
            db.pg_ctl("stop")
        finally:
            shutil.rmtree(root, ignore_errors=True)


def _get(port: int, path: str, cookie: str = "") -> int:
    """The status of one GET (redirects not followed)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        return conn.getresponse().status
    finally:
        conn.close()


def test_pages_recover_after_a_postgresql_restart_without_restarting_the_app(cluster, tmp_path):
    env = {
        **{
            k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "SECRET_KEY"}
        },
        "DATABASE_URL": cluster.url,
        "LEGEMIDDEL_MODE": "demo",
        "LEGEMIDDEL_VAR_DIR": str(tmp_path / "var"),
        "PYTHONPATH": str(SRC),
    }
    legemiddel = [sys.executable, "-m", "legemiddel"]
    subprocess.run([*legemiddel, "migrate", "-v0"], env=env, check=True, timeout=120)
    port = _free_port()
    server = subprocess.Popen(
        [*legemiddel, "serve", "--port", str(port), "--threads", "4"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    # A session cookie makes every page read the session table: a real query through the ORM.
    session = "sessionid=no-such-session"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if _get(port, "/helse/") == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        # Every thread gets a persistent connection before the restart.
        before = [_get(port, "/helse/") for _ in range(8)] + [
            _get(port, "/", session) for _ in range(8)
        ]
        assert set(before) <= {200, 302}, before

        cluster.pg_ctl("restart")

        after = [_get(port, "/helse/") for _ in range(8)]
        pages = [_get(port, "/", session) for _ in range(8)]
        assert after == [200] * 8  # not "database unavailable" from a dead connection
        assert pages == [302] * 8  # to the login page, not a server error
        assert server.poll() is None  # the same process all along
    finally:
        server.terminate()
        server.wait(timeout=30)
