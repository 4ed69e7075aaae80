"""Validators for Norwegian identifiers shared by several apps."""

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# HPR number (Helsepersonellregisteret): 7 to 9 digits.
hpr_validator = RegexValidator(r"^\d{7,9}$", _("An HPR number has 7 to 9 digits."))
