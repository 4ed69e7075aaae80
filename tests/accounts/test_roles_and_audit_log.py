"""Roles as groups, role changes in the trail, the auditor's log page and 'my access'."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from legemiddel.accounts.roles import Role
from legemiddel.accounts.services import audit_record, user_create, user_set_roles
from legemiddel.core.models import AuditEvent


def test_every_role_has_its_group_after_migration(db):
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


def test_set_roles_replaces_roles_and_leaves_other_groups_alone(users):
    user = users[Role.PRESCRIBER]
    other = Group.objects.create(name="not-a-role")
    user.groups.add(other)
    user_set_roles(
        user=user, roles=[Role.CONTROLLER, Role.PHARMACY], actor=users[Role.ADMINISTRATOR]
    )
    user.refresh_from_db()
    assert user.has_role(Role.CONTROLLER)
    assert not user.has_role(Role.PRESCRIBER)
    assert user.groups.filter(name="not-a-role").exists()
    event = AuditEvent.objects.filter(action="roles_changed").latest("id")
    assert event.username == "administrator"
    assert "prescriber" in event.detail


def test_an_unknown_role_is_refused(users):
    with pytest.raises(ValueError, match="superhero"):
        user_set_roles(user=users[Role.PRESCRIBER], roles=["superhero"])
    assert users[Role.PRESCRIBER].has_role(Role.PRESCRIBER)


def test_administrators_become_staff(db):
    user = user_create(username="newadmin", password="x" * 12, roles=[Role.ADMINISTRATOR])
    assert user.is_staff


def test_other_roles_do_not_become_staff(users):
    assert not users[Role.CORE_GROUP].is_staff


def test_a_deactivated_user_has_no_role(users):
    user = users[Role.CORE_GROUP]
    user.is_active = False
    assert not user.has_role(Role.CORE_GROUP)


def test_the_auditor_reads_the_log_and_filters_it(client_for, users):
    audit_record(action="login_failed", username="mallory")
    audit_record(action="login", user=users[Role.PRESCRIBER])
    client = client_for(Role.AUDITOR)
    page = client.get("/revisjonslogg/?hendelse=login_failed").content.decode()
    assert "mallory" in page
    assert ">prescriber<" not in page
    page = client.get("/revisjonslogg/?bruker=presc").content.decode()
    assert "prescriber" in page
    assert "mallory" not in page


@pytest.mark.parametrize("role", [r for r in Role if r not in {Role.AUDITOR, Role.ADMINISTRATOR}])
def test_only_auditors_and_administrators_read_the_log(client_for, role):
    assert client_for(role).get("/revisjonslogg/").status_code == 403


def test_my_access_shows_roles_and_unit_scope(client_for):
    page = client_for(Role.UNIT_LEADER).get("/min-tilgang/").content.decode()
    assert "Revmatologisk avdeling" in page
    # MED-REV and its two units.
    assert "3" in page


def test_the_audit_trail_cannot_be_edited_in_the_admin(client_for):
    client = client_for(Role.ADMINISTRATOR)
    event = audit_record(action="login_failed", username="x")
    assert client.get(f"/admin/core/auditevent/{event.pk}/delete/").status_code == 403
    assert client.get("/admin/core/auditevent/add/").status_code == 403
