"""Who may see and change what in the methods app: one check per object type.

The decision list is public and trust-wide: whoever a view's rule lets in may read any method.
Changing what the core group understands and links (status, conditions, dates, substances,
ATC codes, area, ICD-10 codes) and adding a method by hand is for the core group and the
administrator; the drug committee reads the register.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from legemiddel.accounts.roles import Role
from legemiddel.methods.models import Method

EDITOR_ROLES = (Role.CORE_GROUP, Role.ADMINISTRATOR)
REGISTER_ROLES = (*EDITOR_ROLES, Role.DRUG_COMMITTEE)


def can_edit_methods(user: Any) -> bool:
    """Confirm or correct decisions, edit links and add methods by hand."""
    return bool(user.is_authenticated and user.has_role(*EDITOR_ROLES))


def get_method_for_user(user: Any, pk: int, write: bool = False) -> Method:
    """A method (``Http404`` when there is none; ``PermissionDenied`` for a write by a reader)."""
    if write and not can_edit_methods(user):
        raise PermissionDenied
    found = (
        Method.objects.select_related("area", "status_confirmed_by", "last_import")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found
