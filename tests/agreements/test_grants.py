"""Access to confidential prices: granted for a service need, until a date, and revoked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.utils import timezone

from legemiddel.accounts.models import User
from legemiddel.accounts.roles import Role
from legemiddel.accounts.services import user_create
from legemiddel.agreements import pricing, services
from legemiddel.agreements.models import PriceAccessGrant
from legemiddel.core.models import AuditEvent
from tests.agreements.builders import counts


def test_it_grants_price_access_for_a_service_need_and_audits_it(users, adviser):
    controller = users[Role.CONTROLLER]
    expires = timezone.localdate() + dt.timedelta(days=90)
    assert pricing.has_price_access(controller) is False

    grant = services.price_access_grant(
        user=controller, reason="  Budsjett 2027  ", expires_on=expires, actor=adviser
    )

    assert pricing.has_price_access(controller) is True
    assert pricing.has_price_access(User.objects.get(pk=controller.pk)) is True
    assert PriceAccessGrant.objects.get() == grant
    assert (grant.user, grant.granted_by, grant.reason, grant.expires_on) == (
        controller,
        adviser,
        "Budsjett 2027",
        expires,
    )
    assert list(AuditEvent.objects.filter(action="price_access").values_list("user", "detail")) == [
        (
            adviser.pk,
            f"pristilgang gitt til controller til {expires:%d.%m.%Y}: Budsjett 2027",
        )
    ]


@pytest.mark.parametrize(
    ("whom", "reason", "days", "field"),
    [
        ("self", "Budsjett", 30, "user"),
        ("controller", "", 30, "reason"),
        ("controller", "   ", 30, "reason"),
        ("controller", "Budsjett", -1, "expires_on"),
        ("controller", "Budsjett", 367, "expires_on"),
        ("inactive", "Budsjett", 30, "user"),
    ],
)
def test_it_refuses_a_grant_that_breaks_the_rules(users, adviser, whom, reason, days, field):
    user = {"self": adviser, "controller": users[Role.CONTROLLER], "inactive": users[Role.AUDITOR]}[
        whom
    ]
    if whom == "inactive":
        user.is_active = False
        user.save()
    before = counts()

    with pytest.raises(ValidationError) as caught:
        services.price_access_grant(
            user=user,
            reason=reason,
            expires_on=timezone.localdate() + dt.timedelta(days=days),
            actor=adviser,
        )

    assert list(caught.value.message_dict) == [field]
    assert counts() == before
    assert pricing.has_price_access(User.objects.get(pk=user.pk)) is False


@pytest.mark.parametrize("days", [0, 366])
def test_it_grants_from_today_up_to_a_year_ahead(users, adviser, days):
    expires = timezone.localdate() + dt.timedelta(days=days)

    services.price_access_grant(
        user=users[Role.CONTROLLER], reason="Budsjett", expires_on=expires, actor=adviser
    )

    assert PriceAccessGrant.objects.get().expires_on == expires
    assert pricing.has_price_access(User.objects.get(pk=users[Role.CONTROLLER].pk)) is True


def test_it_revokes_price_access_once_and_audits_it(users, adviser):
    controller = users[Role.CONTROLLER]
    grant = services.price_access_grant(
        user=controller,
        reason="Budsjett",
        expires_on=timezone.localdate() + dt.timedelta(days=30),
        actor=adviser,
    )

    services.price_access_revoke(grant=grant, actor=adviser, reason="  Sluttet  ")
    services.price_access_revoke(grant=grant, actor=users[Role.CORE_GROUP], reason="Igjen")

    grant.refresh_from_db()
    assert grant.revoked_at is not None
    assert (grant.revoked_by, grant.revoke_reason) == (adviser, "Sluttet")
    assert grant.is_active() is False
    assert pricing.has_price_access(User.objects.get(pk=controller.pk)) is False
    assert list(
        AuditEvent.objects.filter(action="price_access").values_list("detail", flat=True)
    ) == [
        "pristilgang trukket tilbake for controller: Sluttet",
        f"pristilgang gitt til controller til {grant.expires_on:%d.%m.%Y}: Budsjett",
    ]


def test_it_gives_price_access_only_with_an_active_unrevoked_unexpired_grant(users, adviser):
    today = timezone.localdate()
    people = {
        name: user_create(username=name, password=None, roles=[Role.CONTROLLER])
        for name in ("none", "expired", "today", "revoked", "inactive", "active")
    }
    for name, expires in (
        ("expired", today - dt.timedelta(days=1)),
        ("today", today),
        ("revoked", today + dt.timedelta(days=30)),
        ("inactive", today + dt.timedelta(days=30)),
        ("active", today + dt.timedelta(days=30)),
    ):
        PriceAccessGrant.objects.create(
            user=people[name], reason="Budsjett", expires_on=expires, granted_by=adviser
        )
    PriceAccessGrant.objects.filter(user=people["revoked"]).update(revoked_at=timezone.now())
    User.objects.filter(pk=people["inactive"].pk).update(is_active=False)

    access = {
        name: pricing.has_price_access(User.objects.get(pk=user.pk))
        for name, user in people.items()
    }

    assert access == {
        "none": False,
        "expired": False,
        "today": True,
        "revoked": False,
        "inactive": False,
        "active": True,
    }


def test_it_gives_no_price_access_to_an_anonymous_visitor(db):
    assert pricing.has_price_access(AnonymousUser()) is False
