"""Logging in and out, throttling of failed logins, and their audit trail."""

from __future__ import annotations

import pytest

from legemiddel.accounts.roles import Role
from legemiddel.core.models import AuditEvent
from tests.conftest import PASSWORD


def _login(client, username, password):
    return client.post("/logg-inn/", {"username": username, "password": password})


def test_it_logs_in_and_lands_on_the_start_page(client, users):
    response = _login(client, "prescriber", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200
    assert "Forskriver" in page.content.decode()
    event = AuditEvent.objects.get(action="login")
    assert event.user == users[Role.PRESCRIBER]
    assert event.ip_address == "127.0.0.1"


def test_a_wrong_password_is_refused_with_a_clear_message_and_recorded(client, users):
    response = _login(client, "prescriber", "wrong-password")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "låst" in response.content.decode() or "locked" in response.content.decode()
    event = AuditEvent.objects.get(action="login_failed")
    assert event.username == "prescriber"
    assert "wrong-password" not in event.detail


def test_it_locks_the_user_name_after_five_failures_even_with_the_right_password(client, users):
    for _ in range(5):
        _login(client, "prescriber", "wrong-password")
    response = _login(client, "prescriber", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="login_failed").count() >= 5


def test_the_lock_does_not_stop_other_users(client, users):
    for _ in range(5):
        _login(client, "prescriber", "wrong-password")
    response = _login(client, "auditor", PASSWORD)
    assert response.status_code == 302


def test_logout_needs_post_and_records_it(client, users):
    client.force_login(users[Role.AUDITOR])
    assert client.get("/logg-ut/").status_code == 405
    response = client.post("/logg-ut/")
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="logout", user=users[Role.AUDITOR]).exists()
    assert client.get("/").status_code == 302


def test_an_inactive_account_cannot_log_in(client, users):
    user = users[Role.PRESCRIBER]
    user.is_active = False
    user.save()
    _login(client, "prescriber", PASSWORD)
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/"])
def test_it_refuses_to_redirect_off_site_after_login(client, users, next_url):
    response = client.post(
        "/logg-inn/", {"username": "prescriber", "password": PASSWORD, "next": next_url}
    )
    assert response["Location"] == "/"
