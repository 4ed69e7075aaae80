"""The agreement pages as each role uses them (demo data, no usage)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from legemiddel.accounts.models import User
from legemiddel.agreements.models import Agreement, AgreementLine, PriceAccessGrant
from legemiddel.core.models import AuditEvent
from legemiddel.demo.services import demo_load
from legemiddel.governance.models import Meeting as StartupMeeting
from legemiddel.governance.models import MeetingDecision as Decision
from legemiddel.governance.models import MeetingParticipant as Participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    demo_load(usage=False)


def _as(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_it_lets_everyone_read_the_portal_but_only_the_core_group_and_adviser_the_register(demo):
    for username in ("forskriver", "enhetsleder", "apotek", "revisor"):
        client = _as(username)
        assert client.get(reverse("agreements:portal")).status_code == 200
        assert client.get(reverse("agreements:register")).status_code == 403
        assert client.get(reverse("agreements:grants")).status_code == 403
    for username in ("innkjop", "kjernegruppe"):
        assert _as(username).get(reverse("agreements:register")).status_code == 200


def test_the_portal_shows_todays_first_choice_and_the_coming_change(demo):
    page = _as("forskriver").get(reverse("agreements:portal_area", args=["VEGF"]))
    text = page.content.decode()
    assert "Yesafili" in text  # first choice since 01.04.2026
    assert "Anti-VEGF 2025" in text
    upcoming = _as("forskriver").get(reverse("agreements:portal")).content.decode()
    assert "PD-1/PD-L1" in upcoming  # the agreement starting next month


def test_the_portal_is_free_of_n_plus_one(demo, django_assert_max_num_queries):
    client = _as("forskriver")
    with django_assert_max_num_queries(30):
        assert client.get(reverse("agreements:portal")).status_code == 200


def test_the_portal_export_is_a_workbook_without_prices(demo):
    response = _as("forskriver").get(reverse("agreements:portal_export", args=["xlsx"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    data = rows.to_python()
    assert data[0][0] == "Område"
    assert "LIS-pris" not in data[0]
    assert any("Amgevita" in str(row[7]) for row in data[1:])
    assert _as("forskriver").get("/avtaler/anbefalinger.pdf").status_code == 404


def test_the_api_lists_recommendations_without_prices(demo):
    response = _as("forskriver").get("/api/v1/agreements/recommendations")
    assert response.status_code == 200
    areas = {a["code"]: a for a in response.json()}
    assert areas["TNF-BIO"]["agreement"] == "TNF BIO 2025"
    assert "price" not in response.content.decode().lower()


def test_an_import_with_errors_shows_them_and_changes_nothing(demo):
    agreement = Agreement.objects.get(title="MS 2026")
    before = list(AgreementLine.objects.filter(agreement=agreement).values_list("id", flat=True))
    upload = SimpleUploadedFile(
        "avtale.csv",
        b"indikasjonsgruppe;rang;varenr\nAttakvis MS;1;999999\nAttakvis MS;3;100040\n",
    )
    response = _as("innkjop").post(
        reverse("agreements:import", args=[agreement.pk]), {"file": upload}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "finnes ikke i legemiddelkatalogen (FEST)" in text
    assert "mangler rang 2" in text
    after = list(AgreementLine.objects.filter(agreement=agreement).values_list("id", flat=True))
    assert after == before


def test_the_adviser_grants_and_revokes_price_access_and_it_is_audited(demo):
    client = _as("innkjop")
    farmasoyt = User.objects.get(username="farmasoyt")
    response = client.post(
        reverse("agreements:grants"),
        {
            "user": farmasoyt.pk,
            "reason": "Oppfølging MS",
            "expires_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    grant = PriceAccessGrant.objects.get(user=farmasoyt)
    agreement = Agreement.objects.get(title="MS 2026")
    prices = reverse("agreements:prices", args=[agreement.pk])
    assert _as("farmasoyt").get(prices).status_code == 200
    client.post(reverse("agreements:revoke", args=[grant.pk]), {"reason": "Ferdig"})
    assert _as("farmasoyt").get(prices).status_code == 403
    actions = AuditEvent.objects.filter(action="price_access").values_list("detail", flat=True)
    assert any("farmasoyt" in d and "gitt" in d for d in actions)
    assert any("farmasoyt" in d and "trukket tilbake" in d for d in actions)


def test_nobody_grants_themselves_price_access(demo):
    adviser = User.objects.get(username="innkjop")
    before = PriceAccessGrant.objects.count()
    response = _as("innkjop").post(
        reverse("agreements:grants"),
        {"user": adviser.pk, "reason": "x", "expires_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 200
    assert "deg selv" in response.content.decode()
    assert PriceAccessGrant.objects.count() == before


def test_only_the_procurement_adviser_approves_a_notice(demo):
    notice = Agreement.objects.get(title__startswith="PD-1").notices.get()
    assert (
        _as("kjernegruppe").post(reverse("agreements:notice_send", args=[notice.pk])).status_code
        == 403
    )
    page = _as("kjernegruppe").get(reverse("agreements:notice", args=[notice.pk]))
    assert "notice_send" not in page.content.decode()
    assert f"/avtaler/utsendelser/{notice.pk}/send/" not in page.content.decode()


def test_the_start_page_warns_the_core_group_about_meetings(demo):
    text = _as("kjernegruppe").get("/").content.decode()
    assert "PD-1/PD-L1" in text  # overdue, not scheduled
    assert "MS 2026" in text  # held, minutes missing
    assert "PD-1/PD-L1" not in _as("forskriver").get("/").content.decode()


def test_the_meeting_page_schedules_adds_people_records_minutes_and_decisions(demo):
    meeting = StartupMeeting.objects.get(agreement__title__startswith="PD-1")
    client = _as("innkjop")
    url = reverse("governance:meeting", args=[meeting.pk])
    held = (timezone.localtime() - timezone.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    assert (
        client.post(
            url,
            {
                "action": "schedule",
                "scheduled_at": held,
                "duration_minutes": 90,
                "location": "Teams",
                "agenda": "1. Innføring",
            },
        ).status_code
        == 302
    )
    client.post(
        url,
        {"action": "participant", "role": "key_doctor", "name": "Dr. Nøkkel", "email": "n@x.no"},
    )
    doctor = Participant.objects.get(meeting=meeting, name="Dr. Nøkkel")
    client.post(url, {"action": "minutes", "minutes": "Vi innfører.", "attended": [doctor.pk]})
    client.post(
        url, {"action": "decision", "kind": "stock", "text": "Bygg lager", "owner": "Apotek"}
    )
    meeting.refresh_from_db()
    doctor.refresh_from_db()
    assert meeting.location == "Teams"
    assert meeting.sequence == 1
    assert meeting.minutes == "Vi innfører."
    assert doctor.attended
    assert Decision.objects.filter(meeting=meeting, kind="stock").exists()
    assert meeting.warnings() == []
    ics = client.get(reverse("governance:meeting_ics", args=[meeting.pk]))
    assert ics["Content-Type"].startswith("text/calendar")
    assert b"ATTENDEE" in ics.content
    assert b"SEQUENCE:1" in ics.content
