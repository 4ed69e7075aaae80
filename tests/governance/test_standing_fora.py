"""The standing fora exist on every installation: the migration creates them, and
``standing_fora_ensure`` (the demo loader) brings back those missing without doubling any."""

from __future__ import annotations

import pytest

from legemiddel.governance.models import Forum
from legemiddel.governance.services.meetings import standing_fora_ensure

pytestmark = pytest.mark.django_db


def test_missing_standing_fora_are_created_once():
    Forum.objects.filter(kind=Forum.Kind.CORE_GROUP).delete()
    Forum.objects.filter(kind=Forum.Kind.DRUG_COMMITTEE).update(code="komiteen")
    standing_fora_ensure()
    standing_fora_ensure()
    kinds = list(Forum.objects.exclude(kind=Forum.Kind.OTHER).values_list("kind", flat=True))
    assert sorted(kinds) == sorted(
        [
            Forum.Kind.CORE_GROUP,
            Forum.Kind.COLLABORATION,
            Forum.Kind.STARTUP,
            Forum.Kind.DRUG_COMMITTEE,
        ]
    )
    assert Forum.objects.get(kind=Forum.Kind.CORE_GROUP).name == "Kjernegruppen"
    assert Forum.objects.get(kind=Forum.Kind.DRUG_COMMITTEE).code == "komiteen"


def test_after_a_flush_the_demo_loader_brings_the_fora_back():
    Forum.objects.all().delete()
    standing_fora_ensure()
    assert Forum.objects.filter(kind=Forum.Kind.CORE_GROUP, name="Kjernegruppen").exists()
