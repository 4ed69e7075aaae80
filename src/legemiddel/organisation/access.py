"""Which organisational units a user may open: one check per object type.

The organisation tree is open to every logged-in member of staff (the unit page only marks
whether a unit is in the user's scope); ``Http404`` stands for "not there".
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from legemiddel.organisation.models import OrgUnit


def get_unit_for_user(user: Any, unit_id: int) -> OrgUnit:
    found = OrgUnit.objects.select_related("trust", "parent").filter(pk=unit_id).first()
    if found is None:
        raise Http404
    return found
