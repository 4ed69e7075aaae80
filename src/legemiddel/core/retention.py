"""How long logs are kept, and the pruning that deletes what is older.

Each app registers its logs from ``AppConfig.ready()`` with :func:`register` (the base registers
the audit trail; accounts the login records of django-axes). ``legemiddel prune``, run daily by
cron or a systemd timer, calls :func:`logs_prune`, which deletes every log's rows older than its
period and writes one audit event saying how many rows of which log, and from before when.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from legemiddel.core.audit import audit_record
from legemiddel.core.models import AuditEvent
from legemiddel.lib.formatting import format_date


@dataclass(frozen=True)
class RetentionRule:
    label: str  # in the audit event, Norwegian: "revisjonshendelser"
    model: type[models.Model]
    date_field: str
    days_setting: str  # the setting that holds the period in days

    @property
    def days(self) -> int:
        days = int(getattr(settings, self.days_setting))
        if days < 1:
            raise ValueError(f"{self.days_setting} must be at least 1 day, not {days}.")
        return days


_RULES: dict[str, RetentionRule] = {}


def register(rule: RetentionRule) -> None:
    _RULES[rule.label] = rule


def rules() -> list[RetentionRule]:
    return list(_RULES.values())


@dataclass(frozen=True)
class Pruned:
    rule: RetentionRule
    before: dt.datetime
    rows: int


def logs_prune(*, now: dt.datetime | None = None, dry_run: bool = False) -> list[Pruned]:
    """Delete, for every registered log, the rows older than its retention period, and record
    one audit event (unless ``dry_run``: then only count). All logs or none."""
    now = now or timezone.now()
    result: list[Pruned] = []
    with transaction.atomic():
        for rule in rules():
            before = now - dt.timedelta(days=rule.days)
            old = rule.model._default_manager.filter(**{f"{rule.date_field}__lt": before})
            rows = old.count() if dry_run else old.delete()[0]
            result.append(Pruned(rule, before, rows))
        if not dry_run:
            audit_record(
                action=AuditEvent.Action.RETENTION,
                detail="; ".join(
                    f"{p.rows} {p.rule.label} eldre enn {p.rule.days} dager "
                    f"(før {format_date(p.before)})"
                    for p in result
                ),
            )
    return result
