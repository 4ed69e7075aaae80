"""The four standing fora, and every start-up meeting moved in from agreements.

Each start-up meeting, participant and decision is copied with its id and every field, so links
and audit records keep pointing at the same meeting. The audit events that a start-up meeting's
changes wrote (identified by their detail text) get the meeting as their object
(``møte:<id>``), so its history shows on its new page. Backwards the rows are copied back.
"""

from django.db import migrations

FORA = [
    ("kjernegruppe", "Kjernegruppen", "core_group",
     "Kjernegruppen for legemiddelområdet møtes om lag månedlig."),
    ("samarbeidsforum", "Samarbeidsforum med H-reseptenhetene", "collaboration",
     "Samarbeidsforum med alle enheter som forskriver H-reseptlegemidler, to ganger i året."),
    ("oppstartsmote", "Oppstartsmøter for LIS-avtaler", "startup",
     "Oppstartsmøte før hver ny LIS-avtale: innføring, lagerplanlegging og oppfølging."),
    ("lmk", "Legemiddelkomiteen (LMK)", "drug_committee", "Legemiddelkomiteen i foretaket."),
]
MEETING_FIELDS = [
    "id", "agreement_id", "due_by", "scheduled_at", "duration_minutes", "location", "agenda",
    "minutes", "minutes_recorded_at", "minutes_recorded_by_id", "sequence",
]


def _audit_details(agreement_id):
    return [
        f"oppstartsmøte for avtale {agreement_id} endret",
        f"referat ført for oppstartsmøte, avtale {agreement_id}",
    ]


def _reset_sequences(schema_editor, apps, app, names):
    """After rows were written with their ids, PostgreSQL's sequences must start above them."""
    connection = schema_editor.connection
    models = [apps.get_model(app, n) for n in names]
    statements = connection.ops.sequence_reset_sql(_NoStyle(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


class _NoStyle:
    def __getattr__(self, name):
        return lambda text: text


def forward(apps, schema_editor):
    Forum = apps.get_model("governance", "Forum")
    Meeting = apps.get_model("governance", "Meeting")
    Participant = apps.get_model("governance", "MeetingParticipant")
    Decision = apps.get_model("governance", "MeetingDecision")
    OldMeeting = apps.get_model("agreements", "StartupMeeting")
    OldParticipant = apps.get_model("agreements", "Participant")
    OldDecision = apps.get_model("agreements", "Decision")
    AuditEvent = apps.get_model("core", "AuditEvent")
    User = apps.get_model("accounts", "User")
    fora = {}
    for code, name, kind, description in FORA:
        fora[kind], _ = Forum.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "description": description}
        )
    users = {}
    for pk, email in User.objects.filter(is_active=True).exclude(email="").values_list(
        "pk", "email"
    ):
        users.setdefault(email.casefold(), []).append(pk)
    for old in OldMeeting.objects.select_related("agreement").order_by("id"):
        values = {field: getattr(old, field) for field in MEETING_FIELDS}
        Meeting.objects.create(
            forum=fora["startup"],
            title=f"Oppstartsmøte: {old.agreement.title}"[:200],
            status="held" if old.minutes_recorded_at else "planned",
            **values,
        )
        AuditEvent.objects.filter(
            detail__in=_audit_details(old.agreement_id), target=""
        ).update(target=f"møte:{old.pk}")
    for old in OldParticipant.objects.order_by("id"):
        matches = users.get(old.email.casefold(), []) if old.email else []
        Participant.objects.create(
            id=old.pk,
            meeting_id=old.meeting_id,
            role=old.role,
            name=old.name,
            email=old.email,
            attended=old.attended,
            user_id=matches[0] if len(matches) == 1 else None,
        )
    for old in OldDecision.objects.order_by("id"):
        Decision.objects.create(
            id=old.pk,
            meeting_id=old.meeting_id,
            kind=old.kind,
            text=old.text,
            owner=old.owner,
            due=old.due,
        )
    _reset_sequences(schema_editor, apps, "governance", ["Meeting", "MeetingParticipant", "MeetingDecision"])


def backward(apps, schema_editor):
    Meeting = apps.get_model("governance", "Meeting")
    OldMeeting = apps.get_model("agreements", "StartupMeeting")
    OldParticipant = apps.get_model("agreements", "Participant")
    OldDecision = apps.get_model("agreements", "Decision")
    AuditEvent = apps.get_model("core", "AuditEvent")
    for meeting in Meeting.objects.filter(agreement__isnull=False).order_by("id"):
        OldMeeting.objects.create(**{f: getattr(meeting, f) for f in MEETING_FIELDS})
        AuditEvent.objects.filter(
            detail__in=_audit_details(meeting.agreement_id), target=f"møte:{meeting.pk}"
        ).update(target="")
        for p in meeting.participants.order_by("id"):
            OldParticipant.objects.create(
                id=p.pk,
                meeting_id=meeting.pk,
                role=p.role if p.role != "member" else "other",
                name=p.name,
                email=p.email,
                attended=p.attended,
            )
        for d in meeting.decisions.order_by("id"):
            OldDecision.objects.create(
                id=d.pk, meeting_id=meeting.pk, kind=d.kind, text=d.text, owner=d.owner, due=d.due
            )
    _reset_sequences(schema_editor, apps, "agreements", ["StartupMeeting", "Participant", "Decision"])
    Meeting.objects.all().delete()
    apps.get_model("governance", "Forum").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0001_initial"),
        ("agreements", "0006_price_access_requests"),
        ("core", "0008_worker_heartbeat"),
        ("accounts", "0006_external_identity"),
    ]

    operations = [migrations.RunPython(forward, backward)]
