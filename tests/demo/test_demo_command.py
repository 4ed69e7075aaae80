"""``legemiddel demo`` stops what it started and links to the port it serves on (issue 12)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").exists(), reason="needs /proc to find the worker")
def test_sigterm_stops_the_demo_and_its_worker_and_links_use_the_port(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "LEGEMIDDEL_VAR_DIR": str(tmp_path),
        "PYTHONPATH": str(ROOT / "src"),
        "LEGEMIDDEL_MODE": "demo",
    }
    env.pop("SITE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log = (tmp_path / "demo.log").open("w")
    demo = subprocess.Popen(
        [sys.executable, "-m", "legemiddel", "demo", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 240
        workers: list[int] = []
        while time.monotonic() < deadline and not workers:
            assert demo.poll() is None, (tmp_path / "demo.log").read_text()
            workers = _children(demo.pid)
            time.sleep(0.5)
        assert workers, "the demo started no worker"
        [worker] = workers
        worker_env = Path(f"/proc/{worker}/environ").read_bytes().split(b"\0")
        assert f"SITE_URL=http://127.0.0.1:{port}".encode() in worker_env
        demo.send_signal(signal.SIGTERM)
        demo.wait(timeout=30)
        deadline = time.monotonic() + 15
        while _alive(worker) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(worker), "the worker outlived the demo"
    finally:
        if demo.poll() is None:
            demo.kill()
        log.close()
