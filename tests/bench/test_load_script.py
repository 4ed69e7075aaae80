"""The load benchmark sends load only to this machine: any other host is refused before
anything starts (no database, no server, no request)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.own_database

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "load.py"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("host", ["10.0.0.1", "192.168.1.20", "example.org", "0.0.0.0", ""])  # noqa: S104
def test_it_refuses_any_host_but_the_loopback_interface(host):
    proc = run("--host", host, "--minutes", "0.01")
    assert proc.returncode == 2
    assert "loopback" in proc.stderr or "not an address" in proc.stderr
    assert proc.stdout == ""


def test_it_accepts_the_loopback_addresses():
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        from load import loopback_host
    finally:
        sys.path.remove(str(SCRIPT.parent))
    assert loopback_host("127.0.0.1") == "127.0.0.1"
    assert loopback_host("::1") == "::1"
    assert loopback_host("[::1]") == "::1"
    assert loopback_host("localhost") == "localhost"
