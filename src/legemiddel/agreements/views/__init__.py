"""Pages of the agreements app: the drug portal (everyone), the register, prices, price
access and distribution (the procurement adviser and the core group)."""

from legemiddel.accounts.access import Roles
from legemiddel.agreements.access import APPROVER_ROLES, REGISTER_ROLES

REGISTER = Roles(*REGISTER_ROLES)
APPROVERS = Roles(*APPROVER_ROLES)
