"""Which background jobs a user may open: one check per object type.

Jobs are the administrators' (the views' rule); views get them here, and ``Http404`` stands for
"not there".
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from legemiddel.core.models import Job


def get_job_for_user(user: Any, job_id: int) -> Job:
    found = Job.objects.select_related("created_by").filter(pk=job_id).first()
    if found is None:
        raise Http404
    return found
