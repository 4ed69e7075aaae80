"""Retention: ``legemiddel prune`` deletes audit events and login records older than their
periods, keeps the rest, and records what it deleted in one audit event."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.management import call_command
from django.utils import timezone

from legemiddel.core.audit import audit_record
from legemiddel.core.models import AuditEvent
from legemiddel.core.retention import logs_prune
from legemiddel.lib.formatting import format_date

# The command prunes relative to the clock; the rows are aged relative to the same moment.
NOW = timezone.now()


def _aged(model, days: int, **fields):
    row = model.objects.create(**fields)
    field = "at" if model is AuditEvent else "attempt_time"
    model.objects.filter(pk=row.pk).update(**{field: NOW - dt.timedelta(days=days)})
    return row


@pytest.fixture
def logs(db, settings):
    settings.AUDIT_RETENTION_DAYS = 3653
    settings.LOGIN_LOG_RETENTION_DAYS = 365
    return {
        "old_event": _aged(AuditEvent, 3700, action="login", username="gammel"),
        "kept_event": _aged(AuditEvent, 3600, action="login", username="nyere"),
        "old_login": _aged(AccessLog, 400, username="gammel", ip_address="10.0.0.1"),
        "kept_login": _aged(AccessLog, 300, username="nyere", ip_address="10.0.0.1"),
        "old_failure": _aged(AccessFailureLog, 366, username="x", ip_address="10.0.0.2"),
        "old_attempt": _aged(
            AccessAttempt, 500, username="x", ip_address="10.0.0.2", failures_since_start=1
        ),
    }


def test_pruning_deletes_only_rows_older_than_their_period(logs):
    logs_prune(now=NOW)

    assert not AuditEvent.objects.filter(pk=logs["old_event"].pk).exists()
    assert AuditEvent.objects.filter(pk=logs["kept_event"].pk).exists()
    assert list(AccessLog.objects.values_list("username", flat=True)) == ["nyere"]
    assert not AccessFailureLog.objects.exists()
    assert not AccessAttempt.objects.exists()


def test_pruning_records_one_event_with_counts_and_periods(logs):
    logs_prune(now=NOW)

    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.RETENTION)
    assert event.username == "system"
    audit_cut = format_date(NOW - dt.timedelta(days=3653))
    login_cut = format_date(NOW - dt.timedelta(days=365))
    assert f"1 revisjonshendelser eldre enn 3653 dager (før {audit_cut})" in event.detail
    assert f"1 innlogginger eldre enn 365 dager (før {login_cut})" in event.detail
    assert "1 mislykkede innlogginger" in event.detail


def test_the_periods_come_from_the_settings(logs, settings):
    settings.AUDIT_RETENTION_DAYS = 10_000
    settings.LOGIN_LOG_RETENTION_DAYS = 250
    logs_prune(now=NOW)
    assert AuditEvent.objects.filter(pk=logs["old_event"].pk).exists()
    assert not AccessLog.objects.exists()


def test_a_period_under_one_day_is_refused_and_nothing_is_deleted(logs, settings):
    settings.LOGIN_LOG_RETENTION_DAYS = 0
    with pytest.raises(ValueError, match="LOGIN_LOG_RETENTION_DAYS"):
        logs_prune(now=NOW)
    assert AuditEvent.objects.filter(pk=logs["old_event"].pk).exists()
    assert AccessLog.objects.count() == 2


def test_a_dry_run_counts_without_deleting_or_recording(logs):
    out = io.StringIO()
    call_command("prune", "--dry-run", stdout=out)
    assert "ville blitt slettet" in out.getvalue()
    assert AccessLog.objects.count() == 2
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.RETENTION).exists()


def test_the_prune_command_reports_each_log(logs):
    audit_record(action="login", username="i dag")
    out = io.StringIO()
    call_command("prune", stdout=out)
    text = out.getvalue()
    assert "revisjonshendelser: 1 slettet" in text
    assert "innlogginger: 1 slettet" in text
    assert AuditEvent.objects.filter(username="i dag").exists()
