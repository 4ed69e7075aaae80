"""The core group's register: who may open it, the filters, the counts and the XLSX export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from legemiddel.accounts.roles import Role
from legemiddel.methods.models import DecisionStatus, MethodType
from tests.methods.conftest import add_method

pytestmark = pytest.mark.django_db
URL = "/metoder/register/"


@pytest.fixture
def methods(db):
    now = timezone.now()
    return {
        "ra": add_method("2023_001", "Revmatoid artritt", "Adalimumab"),
        "ms": add_method(
            "2023_002",
            "Multippel sklerose",
            "Okrelizumab",
            short="Ikke innført",
            full="Okrelizumab innføres ikke.",
            status=DecisionStatus.NOT_INTRODUCED,
            status_confirmed_at=now,
            changed_at=now - dt.timedelta(days=40),
        ),
        "mel": add_method(
            "2021_110 A",
            "Ømfintlig MELANOM",
            "Nivolumab",
            full="Nivolumab kan innføres. Det forutsetter at prisen er lik eller lavere enn i dag.",
            substance_pick_needed=True,
            changed_at=now - dt.timedelta(days=2),
        ),
        "device": add_method(
            "2022_050",
            "Robotkirurgi",
            "",
            short="",
            full="Metoden er under vurdering.",
            method_type=MethodType.DEVICE,
            changed_at=now - dt.timedelta(days=100),
        ),
    }


def _ids(response) -> list[str]:
    return [m.method_id for m in response.context["methods"]]


@pytest.mark.parametrize("role", [Role.CORE_GROUP, Role.ADMINISTRATOR, Role.DRUG_COMMITTEE])
def test_it_opens_for_the_core_group_the_administrator_and_the_drug_committee(client_for, role):
    assert client_for(role).get(URL).status_code == 200


@pytest.mark.parametrize("role", [Role.PRESCRIBER, Role.CONTROLLER, Role.UNIT_LEADER, Role.AUDITOR])
def test_it_is_refused_for_other_roles(client_for, role):
    assert client_for(role).get(URL).status_code == 403
    assert client_for(role).get(URL + "xlsx/").status_code == 403


def test_it_lists_every_method_with_counts(client_for, methods):
    response = client_for(Role.CORE_GROUP).get(URL)
    assert _ids(response) == ["ID2021_110A", "ID2022_050", "ID2023_001", "ID2023_002"]
    counts = response.context["counts"]
    assert counts.total == 4
    assert counts.by_status[DecisionStatus.NOT_INTRODUCED] == 1
    assert counts.by_status[DecisionStatus.CONDITIONS] == 1
    assert counts.by_status[DecisionStatus.ASSESSMENT] == 1
    assert counts.unconfirmed == 3
    assert counts.pick_needed == 1
    text = response.content.decode()
    assert "Metoderegister" in text
    assert "må velges" in text
    assert "ikke bekreftet" in text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"type": "device"}, ["ID2022_050"]),
        ({"status": "not_introduced"}, ["ID2023_002"]),
        ({"status": "conditions"}, ["ID2021_110A"]),
        ({"ubekreftet": "1"}, ["ID2021_110A", "ID2022_050", "ID2023_001"]),
        ({"maa_velges": "1"}, ["ID2021_110A"]),
        ({"q": "2021_110a"}, ["ID2021_110A"]),
        ({"q": "ID2023_002"}, ["ID2023_002"]),
        ({"q": "ømfintlig nivo"}, ["ID2021_110A"]),
        ({"q": "ØMFINTLIG"}, ["ID2021_110A"]),
        ({"q": "adalimumab psoriasis"}, []),
        (
            {"type": "ukjent", "status": "<script>"},
            ["ID2021_110A", "ID2022_050", "ID2023_001", "ID2023_002"],
        ),
    ],
)
def test_the_filters(client_for, methods, query, expected):
    assert _ids(client_for(Role.CORE_GROUP).get(URL, query)) == expected


def test_changed_since(client_for, methods):
    since = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    response = client_for(Role.CORE_GROUP).get(URL, {"endret_siden": since})
    assert _ids(response) == ["ID2021_110A", "ID2023_001"]
    assert _ids(client_for(Role.CORE_GROUP).get(URL, {"endret_siden": "31.02.2024"})) == _ids(
        client_for(Role.CORE_GROUP).get(URL)
    )


def test_a_method_confirmed_before_its_decision_changed_is_unconfirmed(client_for, methods):
    ms = methods["ms"]
    ms.changed_at = timezone.now()
    ms.save()
    response = client_for(Role.CORE_GROUP).get(URL, {"ubekreftet": "1"})
    assert "ID2023_002" in _ids(response)
    assert "endret siden bekreftet" in response.content.decode()


def test_an_empty_register_says_what_to_do(client_for):
    response = client_for(Role.CORE_GROUP).get(URL)
    assert "Ingen metoder ennå" in response.content.decode()


def test_the_drug_committee_sees_no_add_button(client_for, methods):
    assert (
        reverse("methods:method_new")
        not in client_for(Role.DRUG_COMMITTEE).get(URL).content.decode()
    )
    assert reverse("methods:method_new") in client_for(Role.CORE_GROUP).get(URL).content.decode()


def test_the_export_is_the_filtered_list_as_xlsx(client_for, methods):
    from python_calamine import CalamineWorkbook

    methods["mel"].decision_full = '=HYPERLINK("http://x")'
    methods["mel"].save()
    response = client_for(Role.DRUG_COMMITTEE).get(URL + "xlsx/", {"maa_velges": "1"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "nye-metoder-register.xlsx" in response["Content-Disposition"]
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[0][0] == "ID"
    assert [r[0] for r in rows[1:]] == ["ID2021_110A"]
    assert rows[1][-1] == '=HYPERLINK("http://x")'  # a string cell, never a formula


def test_the_register_is_in_the_core_groups_menu(client_for, methods):
    assert URL in client_for(Role.CORE_GROUP).get("/").content.decode()
    assert URL not in client_for(Role.PRESCRIBER).get("/").content.decode()


def test_pages_beyond_the_end_are_empty_not_errors(client_for, methods):
    for page in ("2", "0", "x", "99999999"):
        assert client_for(Role.CORE_GROUP).get(URL, {"side": page}).status_code == 200


def test_the_start_page_tells_the_core_group_how_many_wait(client_for, methods):
    page = client_for(Role.CORE_GROUP).get("/").content.decode()
    assert "3 beslutninger venter på bekreftelse." in page
    assert URL + "?ubekreftet=1" in page
    assert "venter på bekreftelse" not in client_for(Role.DRUG_COMMITTEE).get("/").content.decode()


def test_no_panel_when_nothing_waits(client_for, db):
    assert "venter på bekreftelse" not in client_for(Role.CORE_GROUP).get("/").content.decode()
