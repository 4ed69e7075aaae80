"""Draft measures are for the core group, who review them: marked as drafts on their pages,
hidden from everyone else, never in the monthly e-mail. Statuses read in Norwegian."""

from __future__ import annotations

import dataclasses
import importlib

import pytest
from django.urls import reverse

from legemiddel.accounts.roles import Role
from legemiddel.analytics import definitions as definitions_module
from legemiddel.analytics.engine import measures_refresh

DRAFT = "forstevalg-ddd--X"


@pytest.fixture
def draft(dataset, monkeypatch):
    """The first-choice share as a draft (the product's definitions are all reviewed)."""
    chosen = tuple(
        dataclasses.replace(d, status="draft") if d.id == "forstevalg-ddd" else d
        for d in definitions_module.definitions()
    )
    monkeypatch.setattr(
        importlib.import_module("legemiddel.analytics.engine.measures"),
        "definitions",
        lambda: chosen,
    )
    measures_refresh()
    return dataset


def test_the_core_group_sees_a_draft_marked_as_such(draft, client_for):
    client = client_for(Role.CORE_GROUP)
    overview = client.get(reverse("analytics:index")).content.decode()
    row = overview[overview.index("Andel DDD på førstevalg – Område X") :].split("</tr>")[0]
    assert '<span class="badge">Utkast</span>' in row
    page = client.get(reverse("analytics:measure", args=[DRAFT]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Indikatoren er et utkast som ikke er gjennomgått" in text
    assert "<dd>Utkast</dd>" in text


@pytest.mark.parametrize("role", [Role.UNIT_LEADER, Role.CONTROLLER, Role.DRUG_COMMITTEE])
def test_others_do_not_see_drafts(draft, client_for, role):
    client = client_for(role)
    assert "Andel DDD på førstevalg" not in client.get(reverse("analytics:index")).content.decode()
    assert client.get(reverse("analytics:measure", args=[DRAFT])).status_code == 404
    table = client.get(reverse("analytics:index_table", args=["csv"])).content.decode()
    assert "Andel DDD på førstevalg" not in table
    assert client.get(reverse("analytics:measure_table", args=[DRAFT, "csv"])).status_code == 404


def test_drafts_are_never_emailed(draft, users):
    from django.core import mail

    from legemiddel.analytics.alerts import alert_for, alerts_send

    leader = users[Role.UNIT_LEADER]  # MED-REV is below target on the draft in February
    leader.email = "leder@example.org"
    leader.save()
    mail.outbox.clear()
    alerts_send()
    assert "Andel DDD på førstevalg" not in mail.outbox[0].body
    # Nor in the preview the core group reads.
    preview = alert_for(leader, reader=users[Role.CORE_GROUP])
    assert preview is not None
    assert all(f.measure.key != DRAFT for f in preview.below_target)


def test_a_reviewed_measure_says_so_in_norwegian(dataset, client_for):
    measures_refresh()
    page = client_for(Role.UNIT_LEADER).get(reverse("analytics:measure", args=[DRAFT]))
    text = page.content.decode()
    assert "<dd>Gjennomgått</dd>" in text
    assert "reviewed" not in text
