"""Price access on request: asked for from the drug portal with a service need, granted until a
date or declined with a reason by the procurement adviser, reminded before it expires."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from legemiddel.accounts.roles import Role
from legemiddel.agreements import pricing, services
from legemiddel.agreements.models import PriceAccessGrant, PriceAccessRequest
from legemiddel.core.models import AuditEvent, MailDelivery


@pytest.fixture
def people(users):
    """The prescriber who asks and the adviser who decides, with addresses."""
    for role, email in (
        (Role.PRESCRIBER, "lege@helse-bergen.no"),
        (Role.PROCUREMENT_ADVISER, "innkjop@helse-bergen.no"),
    ):
        users[role].email = email
        users[role].save(update_fields=["email"])
    return users[Role.PRESCRIBER], users[Role.PROCUREMENT_ADVISER]


def _audit() -> list[str]:
    return list(
        AuditEvent.objects.filter(action="price_access")
        .order_by("id")
        .values_list("detail", flat=True)
    )


@override_settings(SITE_URL="https://legemiddel.helse-bergen.no")
def test_a_request_from_the_portal_reaches_the_adviser_by_e_mail_and_the_audit_log(people, client):
    prescriber, _adviser = people
    client.force_login(prescriber)
    portal = client.get(reverse("agreements:portal")).content.decode()
    assert reverse("agreements:price_request") in portal
    assert "Be om pristilgang" in portal

    response = client.post(
        reverse("agreements:price_request"), {"need": "  Kostnadsbevisst forskrivning  "}
    )

    assert response.status_code == 302
    asked = PriceAccessRequest.objects.get()
    assert (asked.user, asked.need, asked.status, asked.renewal_of) == (
        prescriber,
        "Kostnadsbevisst forskrivning",
        PriceAccessRequest.Status.OPEN,
        None,
    )
    assert pricing.has_price_access(prescriber) is False
    assert [m.to for m in mail.outbox] == [["innkjop@helse-bergen.no"]]
    message = mail.outbox[0]
    assert "Kostnadsbevisst forskrivning" in message.body
    assert "https://legemiddel.helse-bergen.no/avtaler/pristilgang/foresporsler/" in message.body
    html = message.alternatives[0][0]
    assert 'href="https://legemiddel.helse-bergen.no/avtaler/pristilgang/foresporsler/"' in html
    assert _audit() == [f"ba om pristilgang (forespørsel {asked.pk}): Kostnadsbevisst forskrivning"]
    portal = client.get(reverse("agreements:portal")).content.decode()
    assert "Forespørselen venter på behandling" in portal
    assert "Be om pristilgang</a>" not in portal


def test_a_person_cannot_have_two_open_requests(people, client):
    prescriber, _ = people
    services.price_access_request(user=prescriber, need="Budsjett")
    with pytest.raises(ValidationError) as caught:
        services.price_access_request(user=prescriber, need="Budsjett igjen")
    assert caught.value.messages == ["Du har allerede en forespørsel som venter på behandling."]

    client.force_login(prescriber)
    page = client.get(reverse("agreements:price_request")).content.decode()
    assert 'name="need"' not in page
    response = client.post(reverse("agreements:price_request"), {"need": "Tredje gang"})
    assert response.status_code == 200
    assert PriceAccessRequest.objects.filter(user=prescriber).count() == 1


def test_a_request_needs_a_stated_service_need(people, client):
    prescriber, _ = people
    client.force_login(prescriber)
    response = client.post(reverse("agreements:price_request"), {"need": "   "})
    assert response.status_code == 200
    assert PriceAccessRequest.objects.count() == 0
    assert mail.outbox == []


@override_settings(SITE_URL="https://legemiddel.helse-bergen.no")
def test_the_adviser_grants_a_request_until_a_date_and_the_person_is_told(people, client):
    prescriber, adviser = people
    asked = services.price_access_request(user=prescriber, need="Kostnadsbevisst forskrivning")
    mail.outbox.clear()
    client.force_login(adviser)
    queue = client.get(reverse("agreements:price_requests")).content.decode()
    assert "Kostnadsbevisst forskrivning" in queue
    assert reverse("agreements:price_request_grant", args=[asked.pk]) in queue
    expires = timezone.localdate() + dt.timedelta(days=180)

    response = client.post(
        reverse("agreements:price_request_grant", args=[asked.pk]),
        {"expires_on": expires.isoformat()},
    )

    assert response.status_code == 302
    asked.refresh_from_db()
    grant = PriceAccessGrant.objects.get(user=prescriber)
    assert (asked.status, asked.decided_by, asked.grant) == (
        PriceAccessRequest.Status.GRANTED,
        adviser,
        grant,
    )
    assert (grant.expires_on, grant.reason, grant.granted_by) == (
        expires,
        "Kostnadsbevisst forskrivning",
        adviser,
    )
    assert pricing.has_price_access(prescriber.__class__.objects.get(pk=prescriber.pk))
    assert [m.to for m in mail.outbox] == [["lege@helse-bergen.no"]]
    assert f"{expires:%d.%m.%Y}" in mail.outbox[0].body
    assert "https://legemiddel.helse-bergen.no/avtaler/" in mail.outbox[0].body
    assert _audit()[-2:] == [
        f"pristilgang gitt til prescriber til {expires:%d.%m.%Y}: Kostnadsbevisst forskrivning",
        f"forespørsel {asked.pk} fra prescriber innvilget til {expires:%d.%m.%Y}",
    ]
    # The person now sees until when, not the request button.
    client.force_login(prescriber)
    portal = client.get(reverse("agreements:portal")).content.decode()
    assert f"til og med {expires:%d.%m.%Y}" in portal
    assert reverse("agreements:price_request") + '"' not in portal
    with pytest.raises(ValidationError) as caught:
        services.price_access_request(user=prescriber, need="Mer")
    assert caught.value.messages == [f"Du har pristilgang til {expires:%d.%m.%Y}."]
    # A decided request is not decided again.
    with pytest.raises(ValidationError):
        services.price_access_request_decline(price_request=asked, reason="Nei", actor=adviser)


def test_the_adviser_declines_with_a_reason_the_person_is_told(people, client):
    prescriber, adviser = people
    asked = services.price_access_request(user=prescriber, need="Nysgjerrighet")
    mail.outbox.clear()
    client.force_login(adviser)
    url = reverse("agreements:price_request_decline", args=[asked.pk])

    client.post(url, {"reason": ""})
    asked.refresh_from_db()
    assert asked.status == PriceAccessRequest.Status.OPEN
    client.post(url, {"reason": "Ikke et tjenstlig behov"})

    asked.refresh_from_db()
    assert (asked.status, asked.decline_reason, asked.decided_by) == (
        PriceAccessRequest.Status.DECLINED,
        "Ikke et tjenstlig behov",
        adviser,
    )
    assert PriceAccessGrant.objects.count() == 0
    assert [m.to for m in mail.outbox] == [["lege@helse-bergen.no"]]
    assert "Ikke et tjenstlig behov" in mail.outbox[0].body
    assert _audit()[-1] == (
        f"forespørsel {asked.pk} fra prescriber avslått: Ikke et tjenstlig behov"
    )
    client.force_login(prescriber)
    portal = client.get(reverse("agreements:portal")).content.decode()
    assert "Ikke et tjenstlig behov" in portal
    assert "Be om pristilgang" in portal


@pytest.mark.parametrize("role", [Role.PRESCRIBER, Role.CONTROLLER, Role.UNIT_LEADER])
def test_only_those_who_manage_grants_see_and_decide_the_queue(people, client, users, role):
    asked = services.price_access_request(user=people[0], need="Budsjett")
    client.force_login(users[role])
    assert client.get(reverse("agreements:price_requests")).status_code == 403
    response = client.post(
        reverse("agreements:price_request_grant", args=[asked.pk]),
        {"expires_on": (timezone.localdate() + dt.timedelta(days=30)).isoformat()},
    )
    assert response.status_code == 403
    asked.refresh_from_db()
    assert asked.status == PriceAccessRequest.Status.OPEN
    assert PriceAccessGrant.objects.count() == 0


def test_the_start_page_tells_the_adviser_of_waiting_requests(people, client):
    prescriber, adviser = people
    client.force_login(adviser)
    assert "price-requests-h" not in client.get("/").content.decode()
    services.price_access_request(user=prescriber, need="Budsjett")
    page = client.get("/").content.decode()
    assert "price-requests-h" in page
    assert reverse("agreements:price_requests") in page


@override_settings(SITE_URL="https://legemiddel.helse-bergen.no")
def test_a_reminder_goes_out_once_before_expiry_with_a_way_to_ask_for_renewal(people, client):
    prescriber, adviser = people
    today = timezone.localdate()
    soon = services.price_access_grant(
        user=prescriber, reason="Budsjett", expires_on=today + dt.timedelta(days=10), actor=adviser
    )
    # Not yet due: expires in more than the reminder period.
    adviser_grant = services.price_access_grant(
        user=adviser.__class__.objects.get(username="core_group"),
        reason="Kjernegruppen",
        expires_on=today + dt.timedelta(days=200),
        actor=adviser,
    )
    mail.outbox.clear()

    call_command("pricereminders")

    assert [m.to for m in mail.outbox] == [["lege@helse-bergen.no"]]
    reminder = mail.outbox[0]
    assert f"{soon.expires_on:%d.%m.%Y}" in reminder.subject
    assert "https://legemiddel.helse-bergen.no/avtaler/pristilgang/be-om/" in reminder.body
    soon.refresh_from_db()
    adviser_grant.refresh_from_db()
    assert (soon.reminded_on, adviser_grant.reminded_on) == (today, None)
    assert MailDelivery.objects.filter(kind="price_access", email="lege@helse-bergen.no").exists()
    assert _audit()[-1] == (
        f"påminnelse sendt til prescriber: pristilgangen utløper {soon.expires_on:%d.%m.%Y}"
    )
    # Run again the next day: nobody is reminded twice.
    mail.outbox.clear()
    assert services.price_access_reminders_send(today=today + dt.timedelta(days=1)) == (0, 0)
    assert mail.outbox == []

    # The link leads to a renewal form; the request says what it renews.
    client.force_login(prescriber)
    page = client.get(reverse("agreements:price_request")).content.decode()
    assert 'name="need"' in page
    renewal = services.price_access_request(user=prescriber, need="Budsjett 2028")
    assert renewal.renewal_of == soon
    assert "fornyet" in mail.outbox[-1].subject


def test_no_reminder_for_whoever_already_asked_for_renewal_or_has_a_later_grant(people, users):
    prescriber, adviser = people
    controller = users[Role.CONTROLLER]
    controller.email = "controller@helse-bergen.no"
    controller.save(update_fields=["email"])
    today = timezone.localdate()
    for person in (prescriber, controller):
        services.price_access_grant(
            user=person, reason="Budsjett", expires_on=today + dt.timedelta(days=5), actor=adviser
        )
    services.price_access_request(user=prescriber, need="Budsjett videre")
    services.price_access_grant(
        user=controller,
        reason="Budsjett 2028",
        expires_on=today + dt.timedelta(days=300),
        actor=adviser,
    )
    mail.outbox.clear()

    assert services.price_access_reminders_send() == (0, 0)
    assert mail.outbox == []


def test_nobody_decides_their_own_request_nor_is_mailed_about_it(users):
    adviser = users[Role.PROCUREMENT_ADVISER]
    core = users[Role.CORE_GROUP]
    adviser.email, core.email = "innkjop@helse-bergen.no", "kjerne@helse-bergen.no"
    adviser.save(update_fields=["email"])
    core.save(update_fields=["email"])

    own = services.price_access_request(user=adviser, need="Anskaffelser")

    # No other adviser: the core group is told instead.
    assert [m.to for m in mail.outbox] == [["kjerne@helse-bergen.no"]]
    for decide in (
        lambda: services.price_access_request_grant(
            price_request=own,
            expires_on=timezone.localdate() + dt.timedelta(days=30),
            actor=adviser,
        ),
        lambda: services.price_access_request_decline(
            price_request=own, reason="Nei", actor=adviser
        ),
    ):
        with pytest.raises(ValidationError) as caught:
            decide()
        assert caught.value.messages == ["Du kan ikke behandle din egen forespørsel."]
    own.refresh_from_db()
    assert own.status == PriceAccessRequest.Status.OPEN
    assert PriceAccessGrant.objects.count() == 0

    services.price_access_request_grant(
        price_request=own, expires_on=timezone.localdate() + dt.timedelta(days=30), actor=core
    )
    own.refresh_from_db()
    assert (own.status, own.decided_by) == (PriceAccessRequest.Status.GRANTED, core)


def test_a_grant_given_directly_on_the_grants_page_answers_the_waiting_request(people, client):
    prescriber, adviser = people
    asked = services.price_access_request(user=prescriber, need="Budsjett")
    mail.outbox.clear()
    client.force_login(adviser)
    expires = timezone.localdate() + dt.timedelta(days=60)

    client.post(
        reverse("agreements:grants"),
        {"user": prescriber.pk, "reason": "Budsjett", "expires_on": expires.isoformat()},
    )

    asked.refresh_from_db()
    grant = PriceAccessGrant.objects.get(user=prescriber)
    assert (asked.status, asked.grant, asked.decided_by) == (
        PriceAccessRequest.Status.GRANTED,
        grant,
        adviser,
    )
    assert [m.to for m in mail.outbox] == [["lege@helse-bergen.no"]]
    assert "Du har fått pristilgang" in mail.outbox[0].subject
