"""A production start as an operator meets it (real processes): what is missing is named in one
line, and the first start serves every CSS and JavaScript file the pages ask for."""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.config.test_cli_and_settings import _env, _free_port, _run

pytestmark = pytest.mark.own_database

GENERATE = "python -c 'import secrets; print(secrets.token_urlsafe(50))'"


def _production(tmp_path, **extra):
    return _env(
        tmp_path,
        LEGEMIDDEL_MODE="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        PSEUDONYM_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        # The test talks plain HTTP to the server, as a TLS proxy in front of it would.
        SECURE_SSL_REDIRECT="false",
        **extra,
    )


def _one_line_refusal(result, *names):
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for name in names:
        assert name in lines[0]
    return lines[0]


@pytest.mark.parametrize("command", [["serve", "--port", "1"], ["migrate"], ["check"]])
def test_without_a_pseudonym_key_production_names_it_in_one_line(tmp_path, command):
    env = _production(tmp_path)
    del env["PSEUDONYM_KEY"]

    line = _one_line_refusal(_run(command, env), "PSEUDONYM_KEY")

    assert "PSEUDONYM_KEY_FILE" in line
    assert GENERATE in line
    assert "SECRET_KEY " not in line


def test_without_both_keys_production_names_both_in_one_line(tmp_path):
    env = _production(tmp_path)
    del env["PSEUDONYM_KEY"], env["SECRET_KEY"]

    line = _one_line_refusal(_run(["serve", "--port", "1"], env), "SECRET_KEY", "PSEUDONYM_KEY")

    assert line.startswith("legemiddel: configuration error: SECRET_KEY and PSEUDONYM_KEY")


def test_a_pseudonym_key_file_that_cannot_be_read_is_named(tmp_path):
    env = _production(tmp_path, PSEUDONYM_KEY_FILE=str(tmp_path / "missing"))
    del env["PSEUDONYM_KEY"]

    _one_line_refusal(_run(["migrate"], env), "PSEUDONYM_KEY_FILE", str(tmp_path / "missing"))


def test_serve_without_allowed_hosts_says_so_instead_of_refusing_every_request(tmp_path):
    env = _production(tmp_path)
    del env["ALLOWED_HOSTS"]

    result = _run(["serve", "--port", str(_free_port())], env)

    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr
    assert "Traceback" not in result.stderr


def _get(url: str) -> tuple[int, bytes]:
    try:
        # Always http://127.0.0.1:<port>/... built by this module.
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class _Server:
    """``legemiddel serve`` in a subprocess, stopped on leaving the block."""

    def __init__(self, env):
        self.env = env
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "legemiddel", "serve", "--port", str(self.port)],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(self.process.stderr.read().decode())
            try:
                status, body = _get(self.base + "/logg-inn/")
            except OSError:
                time.sleep(0.3)
                continue
            self.login_page = (status, body.decode())
            return self
        pytest.fail("the server did not answer within 90 seconds")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=20)


def _assets(page: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', page)


def test_the_first_production_start_serves_the_css_and_javascript_the_login_page_names(
    tmp_path,
):
    env = _production(tmp_path)
    assert _run(["migrate", "-v0"], env).returncode == 0
    static_root = tmp_path / "var" / "static"
    assert not static_root.exists()

    with _Server(env) as server:
        status, page = server.login_page
        assert status == 200
        assets = _assets(page)
        assert any(a.endswith(".css") for a in assets)
        assert any(a.endswith(".js") for a in assets)
        for asset in assets:
            code, body = _get(server.base + asset)
            assert code == 200, asset
            assert body
        # Names carry a hash of the content, so an upgrade never leaves an old copy cached.
        assert all(re.search(r"\.[0-9a-f]{12}\.(css|js)$", a) for a in assets), assets


def test_a_file_added_by_an_upgrade_is_served_after_a_restart(tmp_path):
    """An upgrade is simulated by a settings module that adds a folder of static files and a
    stylesheet in it that the first version did not have."""
    extra = tmp_path / "extra" / "legemiddel" / "css"
    extra.mkdir(parents=True)
    (tmp_path / "upgraded_settings.py").write_text(
        "from legemiddel.config.settings import *  # noqa: F403\n"
        f"STATICFILES_DIRS = [{str(tmp_path / 'extra')!r}]\n"
    )
    env = _production(tmp_path)
    env["PYTHONPATH"] = f"{tmp_path}:{env.get('PYTHONPATH', '')}"
    env["DJANGO_SETTINGS_MODULE"] = "upgraded_settings"
    assert _run(["migrate", "-v0"], env).returncode == 0

    with _Server(env) as server:
        assert _get(server.base + "/static/legemiddel/css/upgrade.css")[0] == 404

    (extra / "upgrade.css").write_text(".upgraded { color: #222; }\n")
    with _Server(env) as server:
        status, body = _get(server.base + "/static/legemiddel/css/upgrade.css")
        assert status == 200
        assert b".upgraded" in body
        for asset in _assets(server.login_page[1]):
            assert _get(server.base + asset)[0] == 200, asset


def test_help_needs_no_key_on_a_server_not_yet_configured(tmp_path):
    env = _production(tmp_path)
    del env["PSEUDONYM_KEY"], env["LEGEMIDDEL_MODE"]

    result = _run(["serve", "--help"], env)

    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout
    assert result.stderr == ""


def test_another_wsgi_server_is_told_to_collect_the_static_files_first(tmp_path):
    env = _production(tmp_path)
    load = [sys.executable, "-c", "import legemiddel.config.wsgi"]

    before = subprocess.run(load, env=env, capture_output=True, text=True, timeout=120)
    assert before.returncode != 0
    assert "legemiddel collectstatic --noinput" in before.stderr

    assert _run(["collectstatic", "--noinput", "-v0"], env).returncode == 0
    after = subprocess.run(load, env=env, capture_output=True, text=True, timeout=120)
    assert after.returncode == 0, after.stderr
