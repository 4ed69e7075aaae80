"""Which background jobs a user may open: one check per object type.

A user sees the jobs of the kinds they may start (``JobKind.roles``): the administrator the
registers, the core group and controllers the usage imports. ``Http404`` stands for "not there".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from legemiddel.accounts.access import Rule
from legemiddel.core import jobs
from legemiddel.core.models import Job


@dataclass(frozen=True)
class _Importers(Rule):
    """Logged in and allowed to start at least one job kind."""

    def allows(self, user: Any) -> bool:
        return bool(super().allows(user) and jobs.any_allowed(user))


IMPORTERS = _Importers("users who may start an import (job kinds' roles)")


def jobs_for_user(user: Any) -> QuerySet[Job]:
    kinds = [kind.key for kind in jobs.kinds_for(user)]
    return Job.objects.select_related("created_by").filter(kind__in=kinds)


def get_job_for_user(user: Any, job_id: int) -> Job:
    found = jobs_for_user(user).filter(pk=job_id).first()
    if found is None:
        raise Http404
    return found
