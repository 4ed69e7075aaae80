"""The monthly e-mail to unit leaders and its preview page."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from legemiddel.accounts.roles import Role
from legemiddel.analytics.engine import measures_refresh


def test_the_monthly_email_lists_units_below_target_once_per_month(dataset, org, users):
    from django.core import mail

    from legemiddel.analytics.alerts import alerts_send
    from legemiddel.analytics.models import AlertDelivery, AlertPreference

    measures_refresh()
    leader = users[Role.UNIT_LEADER]  # leads MED-REV
    leader.email = "leder@example.org"
    leader.save()
    mail.outbox.clear()
    assert alerts_send() == (1, 0)
    (message,) = mail.outbox
    assert message.to == ["leder@example.org"]
    # February at MED-REV: 10 of 40 DDD on first choice, target 80 %.
    assert "Revmatologisk avdeling: Andel DDD på førstevalg – Område X: 25,0" in message.body
    assert "gevinst" not in message.body.lower()  # no price access
    assert " kr" not in message.body
    assert "/analyse/" in message.body
    # Running the schedule again in the same month sends nothing more.
    assert alerts_send() == (0, 0)
    assert AlertDelivery.objects.get(user=leader).mail.status == "sent"
    # Opted out: nothing next month either.
    AlertPreference.objects.create(user=leader, opted_out=True)
    AlertDelivery.objects.all().delete()
    assert alerts_send() == (0, 0)


def test_leaders_with_price_access_also_get_the_savings_potential(priced, org, users):
    from django.core import mail

    from legemiddel.agreements.services import price_access_grant
    from legemiddel.analytics.alerts import alerts_send

    measures_refresh()
    leader = users[Role.UNIT_LEADER]
    leader.email = "leder@example.org"
    leader.save()
    price_access_grant(
        user=leader,
        reason="Oppfølging",
        expires_on=timezone.localdate(),
        actor=users[Role.PROCUREMENT_ADVISER],
    )
    mail.outbox.clear()
    alerts_send()
    body = mail.outbox[0].body
    # Potential in the last 12 months at MED-REV: 100 + 400 (January) + 150 (February).
    assert "Revmatologisk avdeling: Område X: 650\u00a0kr" in body
    # A core group member without price access previewing this leader's e-mail sees no amount.
    from django.test import Client

    core = Client()
    core.force_login(users[Role.CORE_GROUP])
    preview = core.get(reverse("analytics:alert"), {"bruker": "unit_leader"}).content.decode()
    assert "Under mål:" in preview
    assert "650" not in preview
    assert " kr" not in preview


def test_the_preview_page_shows_the_email_and_lets_the_leader_opt_out(dataset, client_for):
    from legemiddel.analytics.models import AlertPreference

    measures_refresh()
    client = client_for(Role.UNIT_LEADER)
    page = client.get(reverse("analytics:alert")).content.decode()
    assert "Under mål:" in page
    client.post(reverse("analytics:alert"), {"opted_out": "1"})
    assert AlertPreference.objects.get().opted_out
    core = client_for(Role.CORE_GROUP)
    assert (
        "Under mål:"
        in core.get(reverse("analytics:alert"), {"bruker": "unit_leader"}).content.decode()
    )
    assert client_for(Role.PRESCRIBER).get(reverse("analytics:alert")).status_code == 403
