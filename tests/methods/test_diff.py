"""The versions page and the difference between two versions: new methods, changed decisions
side by side, other changes and removed rows; who may read them."""

from __future__ import annotations

import datetime as dt

import pytest

from legemiddel.accounts.roles import Role
from legemiddel.methods.models import MethodImport, Specialty
from legemiddel.methods.versions import import_diff
from tests.methods.conftest import row, serial

pytestmark = pytest.mark.django_db

FIRST = [
    row("2019_073", indication="Atopisk dermatitt"),
    row(
        "2019_073",
        indication="Alvorlig astma",
        short="Innføres ikke.",
        day=serial(dt.date(2025, 5, 19)),
    ),
    row("2020_001", "Faricimab", "Vabysmo", "Våt AMD", short="Under vurdering.", day=0),
    row("2016_090", "", "", "Robotkirurgi", "Prosedyrer og organisatoriske tiltak", short="Nei."),
]
SECOND = [
    row("2019_073", trade="Dupixent, Ny", indication="Atopisk dermatitt"),
    row("2019_073", indication="Alvorlig astma", short="Innføres ikke.", day=serial(dt.date(2025, 5, 19))),
    row("2020_001", "Faricimab", "Vabysmo", "Våt AMD", short="Kan innføres fra 01.06.2025.",
        full="1. Faricimab kan innføres.", day=serial(dt.date(2025, 4, 22))),
    row("2025_031", "Lekanemab", "Leqembi", "Tidlig Alzheimers sykdom", short="Innføres ikke."),
]  # fmt: skip


@pytest.fixture
def versions(import_list, users):
    first = import_list(FIRST, name="2025-10.xlsx", actor=users[Role.CORE_GROUP]).batch
    second = import_list(SECOND, name="2026-03.xlsx", actor=users[Role.ADMINISTRATOR]).batch
    return first, second


def test_the_difference_against_the_version_before(versions):
    first, second = versions
    diff = import_diff(second)
    assert diff.previous == first
    assert [c.method_id for c in diff.new] == ["ID2025_031"]
    assert [c.method_id for c in diff.removed] == ["ID2016_090"]
    (changed,) = diff.changed
    assert changed.old["decision_short"] == "Under vurdering."
    assert changed.new["decision_short"] == "Kan innføres fra 01.06.2025."
    assert changed.columns == ("decision_date", "decision_short", "decision_full")
    (updated,) = diff.updated
    assert updated.columns == ("trade_names",)
    assert updated.other_columns[0]["old"] == "Dupixent"
    assert updated.other_columns[0]["new"] == "Dupixent, Ny"
    assert (second.methods_new, second.methods_changed, second.methods_removed) == (1, 1, 1)


def test_the_first_version_is_all_new(versions):
    first, _ = versions
    diff = import_diff(first)
    assert diff.previous is None
    assert len(diff.new) == 4
    assert diff.changed == []
    assert diff.updated == []
    assert diff.removed == []


def test_the_difference_page_shows_old_and_new_side_by_side(versions, client_for):
    _, second = versions
    page = client_for(Role.CORE_GROUP).get(f"/metoder/versjoner/{second.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Under vurdering." in html
    assert "Kan innføres fra 01.06.2025." in html
    assert "22.04.2025" in html
    assert "Lekanemab" in html
    assert "Robotkirurgi" in html
    assert "Dupixent, Ny" in html
    assert "2025-10.xlsx" in html  # the version it is compared with


def test_the_versions_page_lists_who_when_and_the_counts(versions, client_for):
    page = client_for(Role.DRUG_COMMITTEE).get("/metoder/versjoner/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "2025-10.xlsx" in html
    assert "2026-03.xlsx" in html
    assert "Core Group" in html
    assert "Administrator" in html
    _, second = versions
    assert f'href="/metoder/versjoner/{second.pk}/"' in html


def test_unmapped_specialties_are_pointed_out(versions, client_for):
    assert Specialty.objects.filter(units__isnull=True).exists()
    core = client_for(Role.CORE_GROUP).get("/metoder/versjoner/").content.decode()
    assert 'href="/metoder/fagomrader/"' in core
    assert "er ikke koblet til våre enheter" in core
    assert 'href="/jobber/?kind=metoder"' in core
    leader = client_for(Role.UNIT_LEADER).get("/metoder/versjoner/").content.decode()
    assert 'href="/metoder/fagomrader/"' not in leader
    assert 'href="/jobber/?kind=metoder"' not in leader


@pytest.mark.parametrize(
    "role", [Role.CORE_GROUP, Role.ADMINISTRATOR, Role.DRUG_COMMITTEE, Role.UNIT_LEADER]
)
def test_who_may_read_the_versions(versions, client_for, role):
    _, second = versions
    client = client_for(role)
    assert client.get("/metoder/versjoner/").status_code == 200
    assert client.get(f"/metoder/versjoner/{second.pk}/").status_code == 200


@pytest.mark.parametrize("role", [Role.PRESCRIBER, Role.CONTROLLER, Role.PHARMACY, Role.AUDITOR])
def test_others_may_not(versions, client_for, role):
    _, second = versions
    client = client_for(role)
    assert client.get("/metoder/versjoner/").status_code == 403
    assert client.get(f"/metoder/versjoner/{second.pk}/").status_code == 403


def test_an_unknown_version_is_not_found(client_for, db):
    assert not MethodImport.objects.exists()
    assert client_for(Role.CORE_GROUP).get("/metoder/versjoner/999/").status_code == 404


def test_the_page_is_in_norwegian(versions, client_for):
    _, second = versions
    html = client_for(Role.CORE_GROUP).get(f"/metoder/versjoner/{second.pk}/").content.decode()
    for english in ("Changed decisions", "New methods", "Removed rows", "Before", "Compared with"):
        assert english not in html
    assert "Endrede beslutninger" in html
