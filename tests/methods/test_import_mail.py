"""The e-mail about changed decisions: the core group hears of everything, the leaders of the
units mapped to a method's specialty of that method; once per version, after commit."""

from __future__ import annotations

import pytest
from django.core import mail

from legemiddel.accounts.roles import Role
from legemiddel.accounts.services import user_create
from legemiddel.core.models import MailDelivery
from legemiddel.methods.models import MethodImport, Specialty
from legemiddel.methods.notify import methods_mail_changes
from legemiddel.organisation.services import membership_add
from tests.methods.conftest import row

pytestmark = pytest.mark.django_db

FIRST = [
    row("2019_073", indication="Revmatoid artritt", specialty="Revmatologi", short="Kan innføres."),
    row("2019_074", indication="MS", specialty="Nevrologi", short="Under vurdering."),
    row("2019_075", indication="Astma", specialty="Lungesykdommer", short="Kan innføres."),
]
SECOND = [
    row(
        "2019_073", indication="Revmatoid artritt", specialty="Revmatologi", short="Innføres ikke."
    ),
    row("2019_074", indication="MS", specialty="Nevrologi", short="Kan innføres."),
    row("2019_075", indication="Astma", specialty="Lungesykdommer", short="Kan innføres."),
    row("2019_076", indication="Psoriasisartritt", specialty="Revmatologi; Hud", short="Ja."),
]


@pytest.fixture
def people(users, org):
    for role in (Role.CORE_GROUP, Role.UNIT_LEADER, Role.PRESCRIBER):
        users[role].email = f"{role.value}@example.org"
        users[role].save()
    # A leader of the MS clinic, whose specialty is not mapped, and one without an address.
    nevro = user_create(username="nevroleder", password=None, roles=[Role.UNIT_LEADER],
                        email="nevro@example.org")  # fmt: skip
    membership_add(user=nevro, org_unit=org["NEVRO-MS"], role=Role.UNIT_LEADER)
    silent = user_create(username="stille", password=None, roles=[Role.UNIT_LEADER])
    membership_add(user=silent, org_unit=org["MED-REV-POL"], role=Role.UNIT_LEADER)
    return users


def _two_versions(import_list, django_capture_on_commit_callbacks, org):
    with django_capture_on_commit_callbacks(execute=True):
        import_list(FIRST, name="v1.xlsx")
    # Revmatologi is mapped to the outpatient clinic: the department's leader hears of it.
    Specialty.objects.get(name="Revmatologi").units.set([org["MED-REV-POL"]])
    with django_capture_on_commit_callbacks(execute=True):
        return import_list(SECOND, name="v2.xlsx").batch


def test_the_first_version_is_not_mailed(import_list, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        import_list(FIRST)
    assert mail.outbox == []


def test_one_message_per_person_listing_what_concerns_them(
    import_list, people, org, django_capture_on_commit_callbacks
):
    batch = _two_versions(import_list, django_capture_on_commit_callbacks, org)
    by_person = {m.to[0]: m for m in mail.outbox}
    assert set(by_person) == {"core_group@example.org", "unit_leader@example.org"}
    core = by_person["core_group@example.org"]
    assert "2 endrede beslutninger og 1 nye metoder" in core.subject
    for text in ("ID2019_073", "ID2019_074", "ID2019_076", "Innføres ikke.", "Under vurdering."):
        assert text in core.body
    assert "ID2019_075" not in core.body  # unchanged
    assert f"/metoder/versjoner/{batch.pk}/" in core.body
    leader = by_person["unit_leader@example.org"]
    assert "ID2019_073" in leader.body
    assert "ID2019_076" in leader.body
    assert "ID2019_074" not in leader.body  # Nevrologi: not mapped to the leader's units
    assert f"/metoder/versjoner/{batch.pk}/" in leader.body
    html = leader.alternatives[0][0]
    assert "Se hele endringen" in html
    assert (
        MailDelivery.objects.filter(kind="methods", ref=f"methods_import:{batch.pk}").count() == 2
    )


def test_it_is_sent_once_per_version(import_list, people, org, django_capture_on_commit_callbacks):
    batch = _two_versions(import_list, django_capture_on_commit_callbacks, org)
    sent = len(mail.outbox)
    assert methods_mail_changes(batch_id=batch.pk) == []
    assert len(mail.outbox) == sent


def test_nothing_is_sent_for_a_version_without_new_or_changed_decisions(
    import_list, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        import_list(FIRST)
        import_list(FIRST[:2])  # only a removed row
    assert MethodImport.objects.count() == 2
    assert mail.outbox == []


def test_nothing_is_sent_when_the_import_is_rejected(import_list, people, org,
                                                     django_capture_on_commit_callbacks):  # fmt: skip
    from legemiddel.lib.tabular import ImportRejected

    with django_capture_on_commit_callbacks(execute=True):
        import_list(FIRST)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ImportRejected):
        import_list([*SECOND, row("bad")])
    assert mail.outbox == []
