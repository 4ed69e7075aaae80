"""Which units a user's unit-level data covers (``org_units_in_scope``) and the tree.

Trust-wide roles see every unit; unit leaders, controllers and advisory pharmacists see the
units they are members of and everything under them; prescribers see no unit data.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from legemiddel.accounts.roles import UNIT_SCOPED_ROLES, Role
from legemiddel.accounts.services import user_create
from legemiddel.organisation.models import HealthTrust, OrgUnit, UnitMembership
from legemiddel.organisation.selectors import (
    TRUST_WIDE_ROLES,
    org_tree,
    org_units_in_scope,
    user_sees_whole_trust,
)
from legemiddel.organisation.services import membership_add, org_unit_save

ALL_CODES = {"MED", "MED-REV", "MED-REV-POL", "MED-REV-DAG", "NEVRO", "NEVRO-NEV", "NEVRO-MS"}


def codes(queryset) -> set[str]:
    return set(queryset.values_list("code", flat=True))


def add_unit(parent: OrgUnit | None, code: str, level: int, trust: HealthTrust | None = None):
    trust = trust or parent.trust
    return org_unit_save(
        unit=OrgUnit(trust=trust, code=code, name=f"Enhet {code}", level=level, parent=parent)
    )


@pytest.fixture
def scoped_user(org):
    """``scoped_user(role, *unit_codes)``: a new user with the role and memberships."""
    counter = iter(range(1000))

    def make(role: Role, *unit_codes: str):
        user = user_create(username=f"scoped{next(counter)}", password=None, roles=[role])
        for code in unit_codes:
            membership_add(user=user, org_unit=org[code], role=role)
        return user

    return make


# --- unit-scoped roles ----------------------------------------------------------------------


def test_a_unit_leader_sees_their_department_and_its_units_only(users):
    scope = codes(org_units_in_scope(users[Role.UNIT_LEADER]))

    assert scope == {"MED-REV", "MED-REV-POL", "MED-REV-DAG"}
    assert "MED" not in scope
    assert "NEVRO-MS" not in scope


def test_a_controller_of_a_clinic_sees_the_whole_clinic_and_nothing_else(users):
    assert codes(org_units_in_scope(users[Role.CONTROLLER])) == {
        "MED",
        "MED-REV",
        "MED-REV-POL",
        "MED-REV-DAG",
    }


def test_an_advisory_pharmacist_sees_the_department_they_follow(scoped_user):
    pharmacist = scoped_user(Role.ADVISORY_PHARMACIST, "NEVRO-NEV")

    assert codes(org_units_in_scope(pharmacist)) == {"NEVRO-NEV", "NEVRO-MS"}


def test_a_member_of_a_single_unit_sees_only_that_unit(scoped_user):
    leader = scoped_user(Role.UNIT_LEADER, "MED-REV-POL")

    assert codes(org_units_in_scope(leader)) == {"MED-REV-POL"}


def test_memberships_of_several_units_add_up(scoped_user):
    leader = scoped_user(Role.UNIT_LEADER, "MED-REV-DAG", "NEVRO-NEV")

    assert codes(org_units_in_scope(leader)) == {"MED-REV-DAG", "NEVRO-NEV", "NEVRO-MS"}


@pytest.mark.parametrize("role", sorted(UNIT_SCOPED_ROLES))
def test_a_unit_scoped_role_without_memberships_sees_nothing(scoped_user, role):
    user = scoped_user(role)

    assert not user_sees_whole_trust(user)
    assert codes(org_units_in_scope(user)) == set()


def test_a_sibling_whose_code_starts_with_the_same_letters_is_not_in_scope(org, users):
    """Path prefix edge case: "MED/MED-REVX" starts with "MED/MED-REV" but is not below it."""
    sibling = add_unit(org["MED"], "MED-REVX", 2)
    add_unit(sibling, "MED-REVX-POL", 3)
    add_unit(org["MED-REV"], "MED-REV-SENG", 3)

    scope = codes(org_units_in_scope(users[Role.UNIT_LEADER]))

    assert scope == {"MED-REV", "MED-REV-POL", "MED-REV-DAG", "MED-REV-SENG"}


def test_a_unit_whose_code_differs_only_in_letter_case_is_not_in_scope(org, users):
    """SQLite's LIKE ignores ASCII case; scope must not, on any database."""
    other = add_unit(org["MED"], "med-rev", 2)
    add_unit(other, "med-rev-pol2", 3)

    assert codes(org_units_in_scope(users[Role.UNIT_LEADER])) == {
        "MED-REV",
        "MED-REV-POL",
        "MED-REV-DAG",
    }


def test_a_unit_with_the_same_path_in_another_trust_is_not_in_scope(org, users):
    other_trust = HealthTrust.objects.create(code="HS", name="Helse Stavanger HF")
    clinic = add_unit(None, "MED", 1, trust=other_trust)
    department = add_unit(clinic, "MED-REV", 2)
    add_unit(department, "MED-REV-POL", 3)

    scope = org_units_in_scope(users[Role.UNIT_LEADER])

    assert set(scope.values_list("trust__code", flat=True)) == {"HB"}
    assert scope.count() == 3


def test_the_scope_follows_a_department_moved_to_another_clinic(org, users):
    department = org["MED-REV"]
    department.parent = org["NEVRO"]
    org_unit_save(unit=department)

    scope = org_units_in_scope(users[Role.UNIT_LEADER])

    assert codes(scope) == {"MED-REV", "MED-REV-POL", "MED-REV-DAG"}
    assert all(path.startswith("NEVRO/MED-REV") for path in scope.values_list("path", flat=True))


def test_an_expired_membership_gives_no_scope(org, users):
    today = timezone.localdate()
    UnitMembership.objects.filter(user=users[Role.UNIT_LEADER]).update(
        valid_from=today - dt.timedelta(days=30), valid_to=today - dt.timedelta(days=1)
    )

    assert codes(org_units_in_scope(users[Role.UNIT_LEADER])) == set()


def test_a_membership_that_has_not_started_gives_no_scope(org, users):
    UnitMembership.objects.filter(user=users[Role.UNIT_LEADER]).update(
        valid_from=timezone.localdate() + dt.timedelta(days=1)
    )

    assert codes(org_units_in_scope(users[Role.UNIT_LEADER])) == set()


def test_a_membership_valid_through_today_still_counts(org, users):
    today = timezone.localdate()
    UnitMembership.objects.filter(user=users[Role.UNIT_LEADER]).update(
        valid_from=today, valid_to=today
    )

    assert "MED-REV" in codes(org_units_in_scope(users[Role.UNIT_LEADER]))


# --- trust-wide roles and the rest ----------------------------------------------------------


def test_the_core_group_sees_every_unit(users):
    assert codes(org_units_in_scope(users[Role.CORE_GROUP])) == ALL_CODES


@pytest.mark.parametrize("role", sorted(TRUST_WIDE_ROLES))
def test_every_trust_wide_role_sees_every_unit_without_memberships(users, role):
    assert user_sees_whole_trust(users[role])
    assert codes(org_units_in_scope(users[role])) == ALL_CODES


def test_the_trust_wide_roles_are_all_roles_except_unit_scoped_ones_and_prescriber():
    assert set(TRUST_WIDE_ROLES) == set(Role) - set(UNIT_SCOPED_ROLES) - {Role.PRESCRIBER}
    assert Role.CORE_GROUP in TRUST_WIDE_ROLES
    assert Role.UNIT_LEADER not in TRUST_WIDE_ROLES


def test_a_prescriber_sees_no_unit(users):
    assert codes(org_units_in_scope(users[Role.PRESCRIBER])) == set()


def test_a_membership_row_alone_grants_a_prescriber_nothing(scoped_user, org):
    user = scoped_user(Role.PRESCRIBER, "NEVRO-MS")
    membership_add(user=user, org_unit=org["MED"], role=Role.UNIT_LEADER)

    assert codes(org_units_in_scope(user)) == set()


def test_only_memberships_for_a_unit_scoped_role_the_user_holds_count(scoped_user, org):
    leader = scoped_user(Role.UNIT_LEADER, "MED-REV-POL")
    membership_add(user=leader, org_unit=org["NEVRO"], role=Role.CONTROLLER)

    assert codes(org_units_in_scope(leader)) == {"MED-REV-POL"}


def test_an_inactive_user_with_a_trust_wide_role_does_not_see_the_whole_trust(users):
    user = users[Role.CORE_GROUP]
    user.is_active = False
    user.save()

    assert not user_sees_whole_trust(user)
    assert codes(org_units_in_scope(user)) == set()


def test_an_anonymous_user_does_not_see_the_whole_trust(org):
    assert not user_sees_whole_trust(AnonymousUser())


# --- org_tree -------------------------------------------------------------------------------


def _flatten(nodes, depth=0):
    for node in nodes:
        yield depth, node
        yield from _flatten(node.children, depth + 1)


def test_the_tree_has_clinics_as_roots_and_children_sorted_by_name(users):
    roots = org_tree(users[Role.CORE_GROUP])

    assert [n.unit.code for n in roots] == ["MED", "NEVRO"]
    med_rev = roots[0].children[0]
    assert med_rev.unit.code == "MED-REV"
    # "Revmatologisk dagbehandling" sorts before "Revmatologisk poliklinikk".
    assert [n.unit.code for n in med_rev.children] == ["MED-REV-DAG", "MED-REV-POL"]
    assert [(d, n.unit.code) for d, n in _flatten(roots)][-3:] == [
        (0, "NEVRO"),
        (1, "NEVRO-NEV"),
        (2, "NEVRO-MS"),
    ]


def test_the_tree_marks_the_units_in_the_users_scope(users):
    marked = {n.unit.code for _, n in _flatten(org_tree(users[Role.UNIT_LEADER])) if n.in_scope}

    assert marked == {"MED-REV", "MED-REV-POL", "MED-REV-DAG"}


def test_the_tree_marks_nothing_for_a_prescriber_and_everything_for_the_core_group(users):
    prescriber_nodes = list(_flatten(org_tree(users[Role.PRESCRIBER])))
    core_nodes = list(_flatten(org_tree(users[Role.CORE_GROUP])))

    assert len(prescriber_nodes) == len(core_nodes) == len(ALL_CODES)
    assert not any(n.in_scope for _, n in prescriber_nodes)
    assert all(n.in_scope for _, n in core_nodes)


def test_the_tree_leaves_out_inactive_units(org, users):
    OrgUnit.objects.filter(code="MED-REV-DAG").update(active=False)

    tree_codes = {n.unit.code for _, n in _flatten(org_tree(users[Role.CORE_GROUP]))}

    assert tree_codes == ALL_CODES - {"MED-REV-DAG"}


def test_building_the_tree_takes_a_constant_number_of_queries(
    org, users, django_assert_max_num_queries
):
    for i in range(10):
        department = add_unit(org["NEVRO"], f"NEVRO-D{i}", 2)
        for j in range(3):
            add_unit(department, f"NEVRO-D{i}-U{j}", 3)
    leader = users[Role.UNIT_LEADER]
    leader.__dict__.pop("_role_cache", None)

    # Units, the user's roles, the membership paths, the ids in scope: 4, however many units.
    with django_assert_max_num_queries(4):
        roots = org_tree(leader)

    assert sum(1 for _ in _flatten(roots)) == len(ALL_CODES) + 40
