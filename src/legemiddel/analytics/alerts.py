"""The monthly e-mail to unit leaders: their units' measures below target, the biggest savings
potential (only with price access) and a link. Sent by a background task that a monthly
schedule enqueues (``legemiddel alerts``); each leader gets at most one per data month."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import translation
from django_tasks import task

from legemiddel.accounts.models import User
from legemiddel.accounts.roles import Role
from legemiddel.agreements.pricing import has_price_access
from legemiddel.analytics import engine
from legemiddel.analytics.models import AlertDelivery, AlertPreference
from legemiddel.analytics.selectors import (
    headline_month,
    latest_refresh,
    provisional_from,
    unit_series,
)
from legemiddel.core.mail import (
    Outgoing,
    absolute_url,
    mail_queue,
    mail_render,
    mail_send_many,
)
from legemiddel.core.models import MailDelivery
from legemiddel.lib.formatting import format_nok, format_number, format_share
from legemiddel.organisation.selectors import member_units

MAIL_KIND = "alert"
TEMPLATE = "analytics/email/alert"


@dataclass
class Finding:
    measure: engine.Measure
    unit_name: str
    unit_id: int
    text: str
    amount: float = 0.0


@dataclass
class Alert:
    """``month`` is the newest month that is not provisional; ``provisional`` the months after
    it that the data already has (left out: they may still change)."""

    user: User
    month: dt.date
    below_target: list[Finding] = field(default_factory=list)
    savings: list[Finding] = field(default_factory=list)
    provisional: list[dt.date] = field(default_factory=list)

    @property
    def subject(self) -> str:
        return f"Legemiddeloppfølging {self.month:%m.%Y}: {len(self.below_target)} under mål"

    def context(self) -> dict[str, Any]:
        return {
            "alert": self,
            "analytics_url": absolute_url(reverse("analytics:index")),
            "opt_out_url": absolute_url(reverse("analytics:alert")),
        }

    def body(self) -> str:
        """The plain-text part, as the preview shows it."""
        return mail_render(TEMPLATE, self.context())[0]


def _count(value: float | None) -> str:
    return format_number(value, 0)


def alert_for(
    user: User, month: dt.date | None = None, *, reader: User | None = None
) -> Alert | None:
    """What the monthly e-mail tells this unit leader, or None when there is no data.

    ``reader`` is who will see it when that is not the leader (a preview): amounts are then
    included only if both may see prices."""
    refresh = latest_refresh()
    newest = refresh.latest_month if refresh else None
    latest = month or headline_month(newest)
    if latest is None or not user.has_role(Role.UNIT_LEADER):
        return None
    alert = Alert(user=user, month=latest)
    first = provisional_from(newest)
    while first is not None and newest is not None and first <= newest:
        if first > latest:
            alert.provisional.append(first)
        first = (first + dt.timedelta(days=32)).replace(day=1)
    units = list(member_units(user))
    prices = has_price_access(user) and (reader is None or has_price_access(reader))
    # Drafts are not yet reviewed: never e-mailed.
    chosen = [m for m in engine.measures() if m.definition.status != "draft"]
    chosen = [
        m
        for m in chosen
        # Shares with a target, and counts with a target (open findings of Nye metoder).
        if (m.definition.kind in {"share", "total"} and m.definition.target is not None)
        or (prices and m.definition.counts == "savings_potential")
    ]
    series = unit_series(chosen, units)
    with translation.override("nb"):
        for measure in chosen:
            definition = measure.definition
            for unit in units:
                points = [p for p in series.get((measure.key, unit.id), []) if p.month <= latest]
                if not points:
                    continue
                if definition.counts == "savings_potential":
                    since = latest.replace(year=latest.year - 1)
                    total = sum(p.numerator for p in points if p.month > since)
                    if total >= 1:
                        alert.savings.append(
                            Finding(measure, unit.name, unit.id, format_nok(total, 0), total)
                        )
                elif points[-1].month == latest:
                    value = points[-1].value
                    target = definition.target or 0
                    below = value is not None and (
                        value > target if definition.lower_is_better else value < target
                    )
                    if below:
                        shown = format_share if definition.kind == "share" else _count
                        alert.below_target.append(
                            Finding(
                                measure,
                                unit.name,
                                unit.id,
                                f"{shown(value)} (mål {shown(target)})",
                            )
                        )
    alert.savings = sorted(alert.savings, key=lambda f: -f.amount)[:3]
    return alert


def recipients() -> list[User]:
    """Active unit leaders with an address who have not opted out."""
    opted_out = AlertPreference.objects.filter(opted_out=True).values("user_id")
    return list(
        User.objects.filter(is_active=True, groups__name=Role.UNIT_LEADER.value)
        .exclude(email="")
        .exclude(pk__in=opted_out)
        .distinct()
        .order_by("username")
    )


def alerts_send(month: dt.date | None = None) -> tuple[int, int]:
    """Send this month's e-mail to every recipient not yet sent to, in one batch. Returns
    (sent, failed); a failed one is tried again the next time this runs."""
    messages: list[Outgoing] = []
    for user in recipients():
        alert = alert_for(user, month)
        if alert is None:
            continue
        earlier = (
            AlertDelivery.objects.filter(user=user, month=alert.month)
            .select_related("mail")
            .first()
        )
        if earlier is not None and earlier.mail.status == MailDelivery.Status.SENT:
            continue
        message = Outgoing(
            to=user.email,
            name=user.display_name,
            subject=alert.subject,
            template=TEMPLATE,
            context=alert.context(),
            kind=MAIL_KIND,
            ref=f"alert:{alert.month:%Y-%m}",
            entry=earlier.mail if earlier else None,
        )
        if earlier is None:
            # Recorded before sending, so a run stopped half-way does not send again what it sent.
            message.entry = mail_queue(message=message)
            AlertDelivery.objects.create(user=user, month=alert.month, mail=message.entry)
        messages.append(message)
    entries = mail_send_many(messages=messages)
    sent = sum(entry.status == MailDelivery.Status.SENT for entry in entries)
    return sent, len(entries) - sent


@task()
def send_monthly_alerts() -> str:
    """The background job the monthly schedule enqueues."""
    sent, failed = alerts_send()
    return f"{sent} sendt, {failed} feilet"
