"""The start page's personal view (issue 12, item 6): a unit leader, controller and advisory
pharmacist see their own units' measures against target, worst first, with the change since
last month and a link to act; the core group sees the trust and the departments that need
attention. Only reviewed measures; amounts only with price access; never a provisional month."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from legemiddel.accounts.roles import Role
from legemiddel.agreements.models import TherapeuticArea
from legemiddel.analytics.models import MeasureRefresh, MeasureValue
from legemiddel.organisation.services import membership_add

FEB, MAR, APR, MAY = (dt.date(2026, m, 1) for m in (2, 3, 4, 5))
SHARE = "forstevalg-ddd--X"  # target 80 %
COST = "kostnad--X"  # in NOK: needs price access


@pytest.fixture
def figures(org, users):
    TherapeuticArea.objects.create(code="X", name="Område X")
    # Data up to May: April and May are provisional, so the headline month is March.
    MeasureRefresh.objects.create(latest_month=MAY)
    pol, dag, ms = org["MED-REV-POL"], org["MED-REV-DAG"], org["NEVRO-MS"]
    rows = [
        (SHARE, FEB, pol, 70, 100),
        (SHARE, MAR, pol, 50, 100),
        (SHARE, MAR, dag, 95, 100),
        (SHARE, FEB, ms, 40, 100),
        (SHARE, MAR, ms, 10, 100),
        (SHARE, APR, pol, 2, 2),  # a partial, provisional month: never the headline
        (COST, MAR, pol, 123456, 0),
    ]
    MeasureValue.objects.bulk_create(
        MeasureValue(measure=m, month=month, org_unit=u, numerator=n, denominator=d)
        for m, month, u, n, d in rows
    )
    return org


def _panel(client) -> str:
    html = client.get("/").content.decode()
    match = re.search(r'<section aria-labelledby="personal-h".*?</section>', html, re.S)
    assert match, "the start page has no personal view"
    return match.group(0)


def test_a_unit_leader_sees_their_units_measures_against_target(client_for, figures):
    panel = _panel(client_for(Role.UNIT_LEADER))
    assert "Revmatologisk avdeling" in panel
    # (50 + 95) / 200 in March, against 70 / 100 in February; target 80 %.
    assert "72,5\u00a0%" in panel
    assert "(145/200)" in panel
    assert "+2,5\u00a0pp" in panel
    assert "80,0\u00a0%" in panel
    assert "mars 2026" in panel
    assert f'href="/analyse/{SHARE}/?enhet={figures["MED-REV"].pk}"' in panel
    # Another clinic's unit and the provisional month stay out; no amounts without price access.
    assert "MS-poliklinikken" not in panel
    assert "100,0\u00a0%" not in panel
    assert " kr" not in panel


def test_the_worst_measure_comes_first(client_for, users, figures):
    membership_add(
        user=users[Role.UNIT_LEADER], org_unit=figures["NEVRO-NEV"], role=Role.UNIT_LEADER
    )
    panel = _panel(client_for(Role.UNIT_LEADER))
    # Nevrologisk avdeling (10 %) misses its target by more than Revmatologisk avdeling.
    assert panel.index("Nevrologisk avdeling") < panel.index("Revmatologisk avdeling")
    assert "\u221230,0\u00a0pp" in panel  # 40 % -> 10 %


def test_a_controller_sees_their_clinic(client_for, figures):
    panel = _panel(client_for(Role.CONTROLLER))
    assert "Medisinsk klinikk" in panel
    assert "72,5\u00a0%" in panel


def test_an_advisory_pharmacist_sees_their_unit(client_for, users, figures):
    membership_add(
        user=users[Role.ADVISORY_PHARMACIST],
        org_unit=figures["MED-REV-POL"],
        role=Role.ADVISORY_PHARMACIST,
    )
    panel = _panel(client_for(Role.ADVISORY_PHARMACIST))
    assert "Revmatologisk poliklinikk" in panel
    assert "50,0\u00a0%" in panel
    assert "\u221220,0\u00a0pp" in panel


def test_the_core_group_sees_the_trust_and_the_departments_needing_attention(client_for, figures):
    panel = _panel(client_for(Role.CORE_GROUP))
    assert "Hele foretaket" in panel  # the caption
    # Trust in March: (50 + 95 + 10) / 300.
    assert "51,7\u00a0%" in panel
    attention = panel.split('id="attention-h"')[1]
    assert attention.index("Nevrologisk avdeling") < attention.index("Revmatologisk avdeling")


def test_amounts_show_with_price_access_only(client_for, users, figures):
    from legemiddel.agreements.models import PriceAccessGrant

    client = client_for(Role.UNIT_LEADER)
    assert "123\u00a0456" not in _panel(client)
    PriceAccessGrant.objects.create(
        user=users[Role.UNIT_LEADER], reason="Oppfølging", expires_on=dt.date(2099, 1, 1)
    )
    assert "123\u00a0456" in _panel(client)


def test_roles_without_units_get_no_personal_view(client_for, figures):
    html = client_for(Role.PRESCRIBER).get("/").content.decode()
    assert 'id="personal-h"' not in html
