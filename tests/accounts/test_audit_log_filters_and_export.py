"""The auditor's audit log: filters on user, event, period and object, and the export of what
is filtered as CSV or XLSX (itself written to the log). No other role reaches either."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from legemiddel.accounts.roles import Role
from legemiddel.core.audit import audit_read, audit_record
from legemiddel.core.models import AuditEvent


def _at(event: AuditEvent, day: dt.date) -> None:
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    AuditEvent.objects.filter(pk=event.pk).update(at=moment)


@pytest.fixture
def trail(users):
    leader = users[Role.UNIT_LEADER]
    _at(
        audit_read(
            request=None,
            user=leader,
            what="enhet:7 forskriver:9100001",
            detail="Indikatorside: tallene til forskriver 9100001",
        ),
        dt.date(2026, 3, 2),
    )
    _at(
        audit_read(
            request=None,
            user=leader,
            what="enhet:7",
            detail="Indikatorside: 2 forskrivere (HPR 9100001, 9100003)",
        ),
        dt.date(2026, 3, 20),
    )
    _at(
        audit_read(
            request=None,
            user=users[Role.CORE_GROUP],
            what="enhet:8",
            detail="Tabell (csv): 1 forskrivere (HPR 9100002)",
        ),
        dt.date(2026, 4, 5),
    )
    _at(audit_record(action="login_failed", username="=cmd|calc"), dt.date(2026, 3, 10))
    return leader


def _text(response) -> str:
    return response.content.decode("utf-8-sig")


def test_the_auditor_filters_on_object_period_user_and_event(trail, client_for):
    client = client_for(Role.AUDITOR)
    page = _text(client.get("/revisjonslogg/", {"objekt": "9100001"}))
    assert "tallene til forskriver 9100001" in page
    assert "HPR 9100001, 9100003" in page  # the unit list that showed the prescriber
    assert "9100002" not in page

    page = _text(client.get("/revisjonslogg/", {"fra": "2026-03-01", "til": "2026-03-15"}))
    assert "tallene til forskriver 9100001" in page
    assert "=cmd|calc" in page
    assert "HPR 9100001, 9100003" not in page
    assert "9100002" not in page

    page = _text(
        client.get("/revisjonslogg/", {"bruker": "core", "hendelse": "personal_data_view"})
    )
    assert "9100002" in page
    assert "9100001" not in page


def test_a_period_that_ends_before_it_starts_is_explained_and_shows_nothing(trail, client_for):
    page = _text(
        client_for(Role.AUDITOR).get("/revisjonslogg/", {"fra": "2026-04-01", "til": "2026-03-01"})
    )
    assert (
        "The period ends before it starts." in page or "Perioden slutter før den begynner." in page
    )
    assert "9100001" not in page


def test_a_malformed_date_is_refused_not_ignored(trail, client_for):
    page = _text(client_for(Role.AUDITOR).get("/revisjonslogg/", {"fra": "31.02.2026"}))
    assert "9100001" not in page
    assert 'role="alert"' in page


def test_the_export_holds_the_filtered_events_and_is_itself_logged(trail, client_for, users):
    client = client_for(Role.AUDITOR)
    response = client.get("/revisjonslogg.csv", {"objekt": "9100001"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="tilgangslogg.csv"')
    lines = _text(response).strip().splitlines()
    assert lines[0] == "Tidspunkt;Bruker;Hendelse;Objekt;Adresse;IP-adresse;Detalj"
    assert len(lines) == 3
    assert "enhet:7 forskriver:9100001" in lines[2]  # oldest last
    export = AuditEvent.objects.filter(target="revisjonslogg").get()
    assert export.user == users[Role.AUDITOR]
    assert "objekt=9100001" in export.detail
    assert "2 av 2" in export.detail


def test_the_export_guards_against_formulas_and_comes_as_xlsx_too(trail, client_for):
    client = client_for(Role.AUDITOR)
    csv_text = _text(client.get("/revisjonslogg.csv", {"hendelse": "login_failed"}))
    assert "'=cmd|calc" in csv_text
    response = client.get("/revisjonslogg.xlsx", {"fra": "2026-03-01", "til": "2026-04-30"})
    assert response.status_code == 200
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["Data"].values)
    assert rows[0][0] == "Tidspunkt"
    assert len(rows) == 5  # header and the four events of March and April
    about = dict(book["Om tallene"].values)
    assert about["Hendelser"] == "4"


def test_an_unknown_export_format_is_not_found(trail, client_for):
    assert client_for(Role.AUDITOR).get("/revisjonslogg.pdf").status_code == 404


@pytest.mark.parametrize("role", [r for r in Role if r not in {Role.AUDITOR, Role.ADMINISTRATOR}])
def test_other_roles_cannot_export_the_log(trail, client_for, role):
    assert client_for(role).get("/revisjonslogg.csv").status_code == 403
    assert not AuditEvent.objects.filter(target="revisjonslogg").exists()
