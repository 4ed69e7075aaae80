"""The drug portal shows each product's and area's Nye metoder status beside its LIS rank,
linked to the method's page, in a fixed number of queries however many lines there are."""

from __future__ import annotations

import pytest
from django.urls import reverse

from legemiddel.accounts.roles import Role
from legemiddel.agreements.models import TherapeuticArea
from legemiddel.agreements.portal_notes import portal_notes
from legemiddel.methods.models import DecisionStatus, MethodType
from tests.methods.lookup_builders import add_product, add_substance, link, make_method, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal(db):
    area = TherapeuticArea.objects.create(code="TNF-BIO", name="TNF BIO")
    adalimumab = add_substance("S1", "Adalimumab")
    etanercept = add_substance("S2", "Etanercept")
    amgevita = add_product("100001", "Amgevita", adalimumab, atc="L04AB04")
    benepali = add_product("100002", "Benepali", etanercept, atc="L04AB01")
    other = add_product("100003", "Cimzia", None, atc="L04AB05")
    publish(area, [("Revmatoid artritt", 1, amgevita), ("Revmatoid artritt", 2, benepali),
                   ("Psoriasis", 1, other)])  # fmt: skip
    ada = make_method("ID2019_073", "Revmatoid artritt", status=DecisionStatus.INTRODUCED)
    link(ada, adalimumab)
    eta = make_method("ID2020_100", "Psoriasis hos barn", substance="Etanercept", status="",
                      suggested=DecisionStatus.NOT_INTRODUCED, atc_codes="L04AB01")  # fmt: skip
    certo = make_method("ID2021_200", "Aksial spondyloartritt", substance="Sertolizumab",
                        status=DecisionStatus.ASSESSMENT, atc_codes="l04ab05")  # fmt: skip
    area_method = make_method("ID2022_300", "Bytte mellom TNF-hemmere", substance="TNF-hemmere",
                              status=DecisionStatus.CONDITIONS, area=area)  # fmt: skip
    device = make_method("ID2022_400", "Måling av adalimumab", substance="",
                         method_type=MethodType.DEVICE)  # fmt: skip
    link(device, adalimumab)
    return {"area": area, "ada": ada, "eta": eta, "certo": certo, "area_method": area_method,
            "device": device, "packages": [amgevita, benepali, other]}  # fmt: skip


def test_each_product_gets_its_methods_status_by_substance_or_atc(portal):
    notes = portal_notes([portal["area"]], portal["packages"])
    by = {v: [(n.label, n.tone, n.url) for n in ns] for v, ns in notes.by_package.items()}
    assert by["100001"] == [
        ("Nye metoder: Innført", "ok", reverse("methods:detail", args=[portal["ada"].pk]))
    ]
    assert by["100002"] == [
        ("Nye metoder: Ikke innført (foreslått)", "bad",
         reverse("methods:detail", args=[portal["eta"].pk]))
    ]  # fmt: skip
    assert by["100003"] == [
        ("Nye metoder: Under vurdering", "warn",
         reverse("methods:detail", args=[portal["certo"].pk]))
    ]  # fmt: skip
    assert [n.label for n in notes.by_area[portal["area"].pk]] == [
        "Nye metoder: Innført med vilkår"
    ]


def test_devices_and_procedures_are_not_linked_to_products(portal):
    notes = portal_notes([portal["area"]], portal["packages"])
    urls = [n.url for ns in notes.by_package.values() for n in ns]
    assert reverse("methods:detail", args=[portal["device"].pk]) not in urls


def test_many_indications_are_counted_per_status_and_link_to_the_look_up(portal):
    adalimumab = portal["packages"][0].brand.substance_links.get().substance
    for n in range(5):
        link(make_method("ID2019_073", f"Indikasjon {n}", status=DecisionStatus.NOT_INTRODUCED),
             adalimumab)  # fmt: skip
    notes = portal_notes([portal["area"]], portal["packages"]).by_package["100001"]
    assert [n.label for n in notes] == [
        "Nye metoder: Innført (1)",
        "Nye metoder: Ikke innført (5)",
    ]
    assert notes[0].url == "/metoder/?q=Adalimumab"


def test_the_portal_pages_show_the_status_beside_the_rank(client_for, portal):
    client = client_for(Role.PRESCRIBER)
    detail = reverse("methods:detail", args=[portal["ada"].pk])
    overview = client.get(reverse("agreements:portal")).content.decode()
    assert detail in overview
    assert "Nye metoder: Innført med vilkår" in overview  # the area's own method
    area_page = client.get(reverse("agreements:portal_area", args=["TNF-BIO"])).content.decode()
    assert detail in area_page
    assert reverse("methods:detail", args=[portal["eta"].pk]) in area_page


def test_the_notes_take_a_fixed_number_of_queries(portal, django_assert_num_queries):
    packages = portal["packages"]
    for varenr in range(100010, 100030):
        substance = add_substance(f"X{varenr}", f"Stoff {varenr}")
        packages.append(add_product(str(varenr), f"Merke {varenr}", substance, atc="L01FF02"))
        link(make_method(f"ID2023_{varenr % 1000:03d}", "Kreft", substance=f"Stoff {varenr}"),
             substance)  # fmt: skip
    # The methods concerned, and which brands they reach through their substances.
    with django_assert_num_queries(2):
        notes = portal_notes([portal["area"]], packages)
    assert len(notes.by_package) == 23


def test_no_methods_no_notes(db):
    area = TherapeuticArea.objects.create(code="MS", name="MS")
    package = add_product("100001", "Tysabri", add_substance("S1", "Natalizumab"))
    notes = portal_notes([area], [package])
    assert notes.by_area == {}
    assert notes.by_package == {}


def test_a_note_the_products_carry_is_not_repeated_for_the_area(client_for, portal):
    portal["ada"].area = portal["area"]
    portal["ada"].save()
    client = client_for(Role.PRESCRIBER)
    page = client.get(reverse("agreements:portal_area", args=["TNF-BIO"])).content.decode()
    detail = reverse("methods:detail", args=[portal["ada"].pk])
    assert page.count(f'href="{detail}"') == 1
    assert reverse("methods:detail", args=[portal["area_method"].pk]) in page
