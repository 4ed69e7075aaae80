"""The roles of the product (DOMAIN.md, "Users").

A role is stored as a Django group whose name is the role's value, so role membership can be
maintained in the admin, by ``legemiddel createuser`` and later by an identity provider's claims.
"""

from __future__ import annotations

import re

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CORE_GROUP = "core_group", _("Core group member")
    DRUG_COMMITTEE = "drug_committee", _("Drug committee (LMK)")
    PROCUREMENT_ADVISER = "procurement_adviser", _("Procurement adviser")
    UNIT_LEADER = "unit_leader", _("Unit leader")
    CONTROLLER = "controller", _("Controller")
    ADVISORY_PHARMACIST = "advisory_pharmacist", _("Advisory pharmacist")
    PRESCRIBER = "prescriber", _("Prescriber")
    PHARMACY = "pharmacy", _("Hospital pharmacy")
    ASSESSMENT_COMMITTEE = "assessment_committee", _("Assessment committee member")
    MEDICAL_DIRECTOR = "medical_director", _("Medical director")
    AUDITOR = "auditor", _("Auditor / privacy officer")
    ADMINISTRATOR = "administrator", _("Administrator")


# Roles whose work is scoped to the units they are members of. Everyone else with a role
# works across the whole trust (the core group sees everything).
UNIT_SCOPED_ROLES = frozenset({Role.UNIT_LEADER, Role.CONTROLLER, Role.ADVISORY_PHARMACIST})


def with_role_labels(text: str) -> str:
    """``text`` with every role code (``core_group``) replaced by the role's name in the
    active language: audit details store codes, people read names."""
    labels = {str(role.value): str(role.label) for role in Role}
    pattern = re.compile(r"\b(" + "|".join(re.escape(code) for code in labels) + r")\b")
    return pattern.sub(lambda match: labels[match.group(1)], text)
