"""Validators shared by several apps: Norwegian identifiers, one-line text."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from legemiddel.lib.text import has_control_characters

# HPR number (Helsepersonellregisteret): 7 to 9 digits.
hpr_validator = RegexValidator(r"^\d{7,9}$", _("An HPR number has 7 to 9 digits."))


def refuse_control_characters(value: str) -> None:
    """For one-line fields that end up in a header (an e-mail subject, a name in a calendar
    invitation): a line break there would add header lines, so it is refused with a message."""
    if has_control_characters(value):
        raise ValidationError(
            _(
                "Write it on one line: line breaks, tabs and other control characters are not allowed."
            ),
            code="control_characters",
        )
