"""Which catalogue entries a user may open: one check per object type.

The catalogue holds only public FEST data, so every logged-in member of staff may read all of
it; views still get entries here, and ``Http404`` stands for "not there".
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from legemiddel.catalogue import selectors
from legemiddel.catalogue.models import AtcCode, Package, Substance


def get_package_for_user(user: Any, varenr: str) -> Package:
    found = selectors.package_detail(varenr)
    if found is None:
        raise Http404
    return found


def get_substance_for_user(user: Any, fest_id: str) -> Substance:
    found = selectors.substance_detail(fest_id)
    if found is None:
        raise Http404
    return found


def get_atc_for_user(user: Any, code: str) -> AtcCode:
    found = selectors.atc_lookup(code)
    if found is None:
        raise Http404
    return found
