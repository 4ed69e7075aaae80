"""The move of the start-up meetings from agreements into governance, with data: every
meeting, participant and decision keeps its id and every field, the audit events of a moved
meeting point at it, the old tables go, and new meetings get fresh ids afterwards."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

OLD = {"agreements": "0006_price_access_requests", "governance": "0001_initial"}


def _leaves() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def _before() -> list[tuple[str, str]]:
    """Every app at its latest migration except the two the move spans."""
    return [(app, OLD.get(app, name)) for app, name in _leaves()]


HELD = dt.datetime(2026, 2, 10, 9, 0, tzinfo=dt.UTC)
RECORDED = dt.datetime(2026, 2, 11, 14, 30, tzinfo=dt.UTC)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.fixture
def old_rows():
    """Two agreements with start-up meetings in the old tables, one held with minutes,
    participants and decisions, and the audit events its changes wrote."""
    apps = _migrate(_before())
    user_model = apps.get_model("accounts", "User")
    area_model = apps.get_model("agreements", "TherapeuticArea")
    agreement_model = apps.get_model("agreements", "Agreement")
    old_meeting = apps.get_model("agreements", "StartupMeeting")
    old_participant = apps.get_model("agreements", "Participant")
    old_decision = apps.get_model("agreements", "Decision")
    audit = apps.get_model("core", "AuditEvent")
    kari = user_model.objects.create(username="kari", email="Kari@Helse-Bergen.no")
    area = area_model.objects.create(code="TNF-BIO", name="TNF BIO")
    first = agreement_model.objects.create(
        area=area,
        title="TNF BIO 2026",
        region="Helse Vest",
        start=dt.date(2026, 3, 1),
        end=dt.date(2027, 2, 28),
        created_by=kari,
    )
    second = agreement_model.objects.create(
        area=area,
        title="TNF BIO 2027",
        region="Helse Nord",
        start=dt.date(2027, 3, 1),
        end=dt.date(2028, 2, 28),
    )
    held = old_meeting.objects.create(
        id=41,
        agreement=first,
        due_by=dt.date(2026, 2, 15),
        scheduled_at=HELD,
        duration_minutes=90,
        location="Rom 4; Teams",
        agenda="1. Lager\n2. Bytte",
        minutes="Vi innfører.",
        minutes_recorded_at=RECORDED,
        minutes_recorded_by=kari,
        sequence=3,
    )
    planned = old_meeting.objects.create(id=57, agreement=second, due_by=dt.date(2027, 2, 15))
    old_participant.objects.create(
        id=301,
        meeting=held,
        role="pharmacy",
        name="Kari",
        email="kari@helse-bergen.no",
        attended=True,
    )
    old_participant.objects.create(
        id=302,
        meeting=held,
        role="key_doctor",
        name="Dr. Uten E-post",
        email="",
        attended=False,
    )
    old_participant.objects.create(id=305, meeting=planned, role="core_group", name="Ola")
    old_decision.objects.create(
        id=71,
        meeting=held,
        kind="stock",
        text="Bygg lager",
        owner="Apoteket",
        due=dt.date(2026, 2, 20),
    )
    old_decision.objects.create(id=72, meeting=held, kind="follow_up", text="Følg opp")
    audit.objects.create(
        action="agreement",
        username="kari",
        detail=f"oppstartsmøte for avtale {first.pk} endret",
    )
    audit.objects.create(
        action="agreement",
        username="kari",
        detail=f"referat ført for oppstartsmøte, avtale {first.pk}",
    )
    audit.objects.create(action="agreement", username="kari", detail=f"avtale {first.pk} endret")
    return {"first": first.pk, "second": second.pk, "kari": kari.pk}


def test_every_meeting_participant_and_decision_moves_with_its_id_and_fields(old_rows):
    apps = _migrate(_leaves())
    meeting_model = apps.get_model("governance", "Meeting")
    participant_model = apps.get_model("governance", "MeetingParticipant")
    decision_model = apps.get_model("governance", "MeetingDecision")

    held = meeting_model.objects.get(pk=41)
    assert held.forum.kind == "startup"
    assert held.title == "Oppstartsmøte: TNF BIO 2026"
    assert held.agreement_id == old_rows["first"]
    assert (held.due_by, held.scheduled_at, held.duration_minutes) == (
        dt.date(2026, 2, 15),
        HELD,
        90,
    )
    assert (held.location, held.agenda, held.minutes) == (
        "Rom 4; Teams",
        "1. Lager\n2. Bytte",
        "Vi innfører.",
    )
    assert (held.minutes_recorded_at, held.minutes_recorded_by_id) == (RECORDED, old_rows["kari"])
    assert (held.sequence, held.status) == (3, "held")
    planned = meeting_model.objects.get(pk=57)
    assert (planned.agreement_id, planned.status, planned.scheduled_at) == (
        old_rows["second"],
        "planned",
        None,
    )
    assert list(
        participant_model.objects.order_by("id").values_list(
            "id", "meeting_id", "role", "name", "email", "attended", "user_id"
        )
    ) == [
        (301, 41, "pharmacy", "Kari", "kari@helse-bergen.no", True, old_rows["kari"]),
        (302, 41, "key_doctor", "Dr. Uten E-post", "", False, None),
        (305, 57, "core_group", "Ola", "", False, None),
    ]
    assert list(
        decision_model.objects.order_by("id").values_list(
            "id", "meeting_id", "kind", "text", "owner", "due"
        )
    ) == [
        (71, 41, "stock", "Bygg lager", "Apoteket", dt.date(2026, 2, 20)),
        (72, 41, "follow_up", "Følg opp", "", None),
    ]
    assert set(apps.get_model("governance", "Forum").objects.values_list("kind", flat=True)) == {
        "core_group",
        "collaboration",
        "startup",
        "drug_committee",
    }


def test_the_moved_meetings_history_points_at_it_and_other_events_are_untouched(old_rows):
    apps = _migrate(_leaves())
    audit = apps.get_model("core", "AuditEvent")

    assert sorted(audit.objects.filter(target="møte:41").values_list("detail", flat=True)) == [
        f"oppstartsmøte for avtale {old_rows['first']} endret",
        f"referat ført for oppstartsmøte, avtale {old_rows['first']}",
    ]
    assert audit.objects.get(detail=f"avtale {old_rows['first']} endret").target == ""
    assert audit.objects.count() == 3


def test_the_old_tables_are_gone_and_new_rows_get_fresh_ids(old_rows):
    apps = _migrate(_leaves())

    tables = connection.introspection.table_names()
    assert "agreements_startupmeeting" not in tables
    assert "agreements_participant" not in tables
    assert "agreements_decision" not in tables
    meeting_model = apps.get_model("governance", "Meeting")
    participant_model = apps.get_model("governance", "MeetingParticipant")
    forum = apps.get_model("governance", "Forum").objects.get(kind="core_group")
    fresh = meeting_model.objects.create(forum=forum, title="Kjernegruppen januar")
    assert fresh.pk > 57
    assert participant_model.objects.create(meeting=fresh, name="Ny").pk > 305


def test_it_moves_back_when_migrated_backwards(old_rows):
    _migrate(_leaves())
    apps = _migrate(_before())

    old_meeting = apps.get_model("agreements", "StartupMeeting")
    assert sorted(old_meeting.objects.values_list("id", "sequence", "minutes")) == [
        (41, 3, "Vi innfører."),
        (57, 0, ""),
    ]
    assert apps.get_model("agreements", "Participant").objects.count() == 3
    assert apps.get_model("agreements", "Decision").objects.count() == 2
    assert not apps.get_model("core", "AuditEvent").objects.filter(target="møte:41").exists()
    _migrate(_leaves())
