"""The manage page of a method: the full decision beside the suggestion; confirm or correct
the status, conditions and date; edit links and ICD-10 codes; pick and remove substances; add
a method by hand. Every change is audited and announced; the drug committee only reads."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from legemiddel.accounts.roles import Role
from legemiddel.core.models import AuditEvent, OutboxEvent
from legemiddel.methods.events import METHODS_CHANGED
from legemiddel.methods.models import DecisionStatus, Method, MethodSubstance
from tests.methods.conftest import add_method

pytestmark = pytest.mark.django_db

FULL = (
    "Adalimumab kan innføres til behandling av revmatoid artritt. Det forutsetter at prisen er "
    "lik eller lavere enn prisen som ligger til grunn for beslutningen."
)


@pytest.fixture
def method(catalogue):
    return add_method("2019_120", "Revmatoid artritt", "Adalimumab", full=FULL)


def _url(method) -> str:
    return reverse("methods:manage", args=[method.pk])


def _announced(method) -> bool:
    return any(
        method.pk in e.payload.get("methods", [])
        for e in OutboxEvent.objects.filter(topic=METHODS_CHANGED)
    )


def test_the_url_is_the_one_the_brief_names(method):
    assert _url(method) == f"/metoder/{method.pk}/behandle/"


def test_it_shows_the_full_decision_beside_the_suggestion(client_for, method):
    response = client_for(Role.CORE_GROUP).get(_url(method))
    text = response.content.decode()
    assert response.status_code == 200
    assert "lik eller lavere enn prisen som ligger til grunn" in text
    assert "Innført med vilkår" in text
    assert "Bekreft statusen" in text


def test_the_drug_committee_reads_but_cannot_change(client_for, method):
    client = client_for(Role.DRUG_COMMITTEE)
    page = client.get(_url(method))
    assert page.status_code == 200
    assert "Bekreft statusen" not in page.content.decode()
    response = client.post(_url(method), {"action": "confirm", "status": "introduced"})
    assert response.status_code == 403
    method.refresh_from_db()
    assert method.status == ""


@pytest.mark.parametrize("role", [Role.PRESCRIBER, Role.CONTROLLER, Role.PHARMACY])
def test_other_roles_are_refused(client_for, method, role):
    assert client_for(role).get(_url(method)).status_code == 403


def test_a_missing_method_is_not_found(client_for, db):
    assert client_for(Role.CORE_GROUP).get("/metoder/999999/behandle/").status_code == 404


def test_the_core_group_confirms_the_suggestion(client_for, users, method):
    response = client_for(Role.CORE_GROUP).post(
        _url(method),
        {
            "action": "confirm",
            "status": "conditions",
            "conditions": method.conditions,
            "price_condition": "on",
            "effective_from": "2025-03-01",
            "effective_note": "",
        },
    )
    assert response.status_code == 302
    method.refresh_from_db()
    assert method.status == DecisionStatus.CONDITIONS
    assert method.status_confirmed_by == users[Role.CORE_GROUP]
    assert method.status_confirmed_at is not None
    assert method.effective_from == dt.date(2025, 3, 1)
    event = AuditEvent.objects.get(action="method_confirm")
    assert event.target == f"metode:{method.pk}"
    assert "ID2019_120" in event.detail
    assert _announced(method)


def test_the_administrator_corrects_the_status(client_for, method):
    client_for(Role.ADMINISTRATOR).post(
        _url(method), {"action": "confirm", "status": "not_introduced", "conditions": ""}
    )
    method.refresh_from_db()
    assert method.status == DecisionStatus.NOT_INTRODUCED
    assert method.conditions == ""
    assert "forslag conditions" in AuditEvent.objects.get(action="method_confirm").detail


@pytest.mark.parametrize(
    "data",
    [
        {"status": "conditions", "conditions": "  "},
        {"status": "bogus"},
        {"status": "introduced", "effective_from": "31.02.2024"},
        {"status": "introduced", "effective_note": "to\nlinjer"},
    ],
)
def test_bad_confirmations_change_nothing(client_for, method, data):
    response = client_for(Role.CORE_GROUP).post(_url(method), {"action": "confirm", **data})
    assert response.status_code == 200
    assert response.context["confirm_form"].errors
    method.refresh_from_db()
    assert method.status == ""
    assert not AuditEvent.objects.filter(action="method_confirm").exists()
    assert not _announced(method)


def test_links_edited_by_hand(client_for, method, tnf_area):
    response = client_for(Role.CORE_GROUP).post(
        _url(method),
        {
            "action": "links",
            "atc_codes": "l04ab04, L04AB02",
            "area": tnf_area.pk,
            "icd10": "m05 - m06",
        },
    )
    assert response.status_code == 302
    method.refresh_from_db()
    assert (method.atc_codes, method.area, method.icd10) == ("L04AB04 L04AB02", tnf_area, "M05-M06")
    assert method.links_by_hand
    assert method.icd10_by_hand
    assert AuditEvent.objects.filter(action="method_links").exists()
    assert _announced(method)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"atc_codes": "L04AB04 XYZ", "icd10": ""}, "atc_codes"),
        ({"atc_codes": "", "icd10": "C5"}, "icd10"),
        ({"atc_codes": "", "icd10": "A00-Z99.99"}, "icd10"),
        ({"atc_codes": "", "icd10": "", "area": "999999"}, "area"),
    ],
)
def test_bad_links_name_the_field_and_change_nothing(client_for, method, data, field):
    response = client_for(Role.CORE_GROUP).post(_url(method), {"action": "links", **data})
    assert response.status_code == 200
    assert field in response.context["links_form"].errors
    method.refresh_from_db()
    assert not method.links_by_hand
    assert not method.icd10_by_hand
    assert not _announced(method)


def test_picking_a_substance_makes_the_links_a_persons(client_for, catalogue):
    method = add_method("2023_005", "MS", "Interferon beta", substance_pick_needed=True)
    client = client_for(Role.CORE_GROUP)
    page = client.get(_url(method))
    assert "må velges" in page.content.decode()
    client.post(_url(method), {"action": "pick", "substance": "S_IFN1"})
    method.refresh_from_db()
    assert dict(method.substance_links.values_list("substance_id", "source")) == {
        "S_IFN1": MethodSubstance.Source.MANUAL
    }
    assert method.substances_by_hand
    assert not method.substance_pick_needed
    assert AuditEvent.objects.filter(action="method_substance_pick").exists()
    assert _announced(method)


def test_removing_a_substance_found_by_name_keeps_it_removed(client_for, method):
    from legemiddel.methods.linking import link_method

    link_method(method)
    assert method.substance_links.filter(substance_id="S_ADA").exists()
    client_for(Role.CORE_GROUP).post(_url(method), {"action": "unpick", "substance": "S_ADA"})
    method.refresh_from_db()
    link_method(method)
    assert not method.substance_links.exists()
    assert AuditEvent.objects.filter(action="method_substance_unpick").exists()


def test_a_bad_pick_is_refused_with_a_message(client_for, method):
    client = client_for(Role.CORE_GROUP)
    for data in ({"action": "pick", "substance": "S_OLD"}, {"action": "pick", "substance": "x"},
                 {"action": "unpick", "substance": "S_NIVO"}, {"action": "nonsense"}):  # fmt: skip
        response = client.post(_url(method), data, follow=True)
        assert response.status_code == 200
    assert not method.substance_links.exists()
    assert not _announced(method)


def test_the_substance_search_fragment(client_for, method):
    response = client_for(Role.CORE_GROUP).get(
        _url(method), {"sok": "nivo"}, headers={"HX-Request": "true"}
    )
    text = response.content.decode()
    assert "Nivolumab" in text
    assert "<html" not in text


def test_reset_gives_the_links_back_to_linking(client_for, method, tnf_area):
    client = client_for(Role.CORE_GROUP)
    client.post(_url(method), {"action": "links", "atc_codes": "L04AB02", "icd10": "C50"})
    client.post(_url(method), {"action": "reset"})
    method.refresh_from_db()
    assert (method.atc_codes, method.area, method.icd10) == ("L04AB04", tnf_area, "M05-M06")
    assert not method.links_by_hand


# --- A method added by hand ---

NEW = "/metoder/register/ny/"


def test_a_method_added_by_hand(client_for, catalogue):
    response = client_for(Role.CORE_GROUP).post(
        NEW,
        {
            "method_id": "id2024_200 b",
            "indication": "Psoriasisartritt",
            "substance_text": "Tofacitinib",
            "method_type": "drug",
            "decision_short": "Innført",
            "decision_full": "Tofacitinib innføres. Kan tas i bruk fra 1. mars 2025.",
            "decision_date": "2025-01-20",
        },
    )
    method = Method.objects.get(method_id="ID2024_200B")
    assert response.status_code == 302
    assert response["Location"] == _url(method)
    assert method.manual
    assert not method.listed
    assert method.suggested_status == DecisionStatus.INTRODUCED
    assert method.status == ""
    assert method.effective_from == dt.date(2025, 3, 1)
    assert method.substance_links.get().substance_id == "S_TOFA"
    assert method.method_type_text == "Legemidler"
    assert AuditEvent.objects.filter(action="method_create").exists()
    assert _announced(method)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"method_id": "2024-xx"}, "method_id"),
        ({"indication": " "}, "indication"),
        ({"decision_short": ""}, "decision_short"),
        ({"method_type": "other"}, "method_type"),
        ({"method_id": "2019_120", "indication": "REVMATOID  artritt"}, "indication"),
        ({"substance_text": "A\x00B"}, "substance_text"),
    ],
)
def test_a_bad_method_names_the_field_and_stores_nothing(client_for, method, data, field):
    before = Method.objects.count()
    good = {
        "method_id": "2024_300",
        "indication": "Noe",
        "method_type": "drug",
        "decision_short": "Innført",
    }
    response = client_for(Role.CORE_GROUP).post(NEW, {**good, **data})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Method.objects.count() == before


def test_only_editors_add_methods(client_for, db):
    assert client_for(Role.DRUG_COMMITTEE).get(NEW).status_code == 403
    assert client_for(Role.CORE_GROUP).get(NEW).status_code == 200
