"""The console script and the settings as an operator meets them (run as real processes)."""

from __future__ import annotations

import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request

import pytest


def _env(tmp_path, **extra):
    env = {
        k: v
        for k, v in os.environ.items()
        # The browser tests allow async-unsafe calls in this process; an operator would not.
        if k
        not in {
            "DJANGO_SETTINGS_MODULE",
            "LEGEMIDDEL_MODE",
            "SECRET_KEY",
            "PSEUDONYM_KEY",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env["LEGEMIDDEL_VAR_DIR"] = str(tmp_path / "var")
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    env.update(extra)
    return env


def _run(args, env, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "legemiddel", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_help_lists_the_product_commands(tmp_path):
    result = _run(["--help"], _env(tmp_path))
    assert result.returncode == 0
    for command in ("demo", "serve", "worker", "migrate", "createuser", "import"):
        assert command in result.stdout


@pytest.mark.parametrize("command", ["demo", "serve", "worker", "createuser", "import", "migrate"])
def test_every_command_has_help(tmp_path, command):
    result = _run([command, "--help"], _env(tmp_path, SECRET_KEY="k" * 50))
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _run(["migrate"], _env(tmp_path, LEGEMIDDEL_MODE="production"))
    assert result.returncode == 2
    assert "SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_secret_key_and_secret_key_file_together_is_an_error(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text("f" * 50)
    result = _run(["check"], _env(tmp_path, SECRET_KEY="k" * 50, SECRET_KEY_FILE=str(key_file)))
    assert result.returncode == 2
    assert "SECRET_KEY_FILE" in result.stderr


def test_check_deploy_passes_with_production_settings(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text(secrets.token_urlsafe(50))
    env = _env(
        tmp_path,
        LEGEMIDDEL_MODE="production",
        SECRET_KEY_FILE=str(key_file),
        PSEUDONYM_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="legemiddel.helse-bergen.example",
    )
    result = _run(["check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_demo_loads_into_database_url_and_serve_serves_it(tmp_path):
    env = _env(tmp_path)
    result = _run(["demo", "--no-serve"], env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "kjernegruppe" in result.stdout
    with sqlite3.connect(tmp_path / "cli.sqlite3") as db:
        assert db.execute("select count(*) from accounts_user").fetchone()[0] == 12
        assert (
            db.execute("select count(*) from organisation_orgunit where level = 3").fetchone()[0]
            >= 36
        )
    # Loading again changes nothing.
    again = _run(["demo", "--no-serve"], env, timeout=300)
    assert again.returncode == 0, again.stderr
    with sqlite3.connect(tmp_path / "cli.sqlite3") as db:
        assert db.execute("select count(*) from accounts_user").fetchone()[0] == 12

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "legemiddel", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        body = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/logg-inn/", timeout=2) as r:
                    body = r.read().decode()
                    break
            except OSError:
                time.sleep(0.2)
        assert "Legemiddel" in body
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/static/legemiddel/css/app.css", timeout=2
        ) as r:
            assert r.status == 200
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_createuser_creates_a_scoped_unit_leader(tmp_path):
    env = _env(tmp_path)
    assert _run(["demo", "--no-serve"], env, timeout=300).returncode == 0
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "legemiddel",
            "createuser",
            "kari",
            "--role",
            "unit_leader",
            "--unit",
            "MED-GAST",
            "--email",
            "kari@example.org",
            "--password-stdin",
        ],
        env={**env, "LEGEMIDDEL_MODE": "demo"},
        input="a-long-enough-password\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "cli.sqlite3") as db:
        row = db.execute(
            "select u.code, m.role from accounts_unitmembership m join accounts_user a on a.id = m.user_id "
            "join organisation_orgunit u on u.id = m.org_unit_id where a.username = 'kari'"
        ).fetchall()
    assert row == [("MED-GAST", "unit_leader")]


def test_createuser_refuses_an_unknown_unit_and_a_weak_password(tmp_path):
    env = {**_env(tmp_path), "LEGEMIDDEL_MODE": "demo"}
    assert _run(["migrate", "-v0"], env).returncode == 0
    unknown = subprocess.run(
        [
            sys.executable,
            "-m",
            "legemiddel",
            "createuser",
            "ola",
            "--role",
            "unit_leader",
            "--unit",
            "NOPE",
            "--password-stdin",
        ],
        env=env,
        input="a-long-enough-password\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert unknown.returncode != 0
    assert "NOPE" in unknown.stderr
    weak = subprocess.run(
        [
            sys.executable,
            "-m",
            "legemiddel",
            "createuser",
            "ola",
            "--role",
            "prescriber",
            "--password-stdin",
        ],
        env=env,
        input="123\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert weak.returncode != 0
    assert "short" in weak.stderr or "kort" in weak.stderr
