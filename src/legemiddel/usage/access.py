"""Which import batches and unknown codes a user may open: one check per object type.

Batches and codes are trust-wide: whoever a view's rule lets in (the data stewards, the mappers)
may open any of them; views get them here, and ``Http404`` stands for "not there".
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from legemiddel.usage.models import ImportBatch, UnknownCode


def get_batch_for_user(user: Any, batch_id: int) -> ImportBatch:
    found = ImportBatch.objects.select_related("created_by").filter(pk=batch_id).first()
    if found is None:
        raise Http404
    return found


def get_unknown_code_for_user(user: Any, unknown_id: int | str) -> UnknownCode:
    """An unknown code by id (also as posted by the mapping form: not found unless digits)."""
    if isinstance(unknown_id, str) and not unknown_id.isdigit():
        raise Http404
    found = UnknownCode.objects.filter(pk=int(unknown_id)).first()
    if found is None:
        raise Http404
    return found
