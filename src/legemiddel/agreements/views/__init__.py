"""Pages of the agreements app: the drug portal (everyone), the register, prices, price
access, distribution and start-up meetings (the procurement adviser and the core group)."""

from legemiddel.accounts.access import Roles
from legemiddel.accounts.roles import Role

REGISTER = Roles(Role.PROCUREMENT_ADVISER, Role.CORE_GROUP)
APPROVERS = Roles(Role.PROCUREMENT_ADVISER)
