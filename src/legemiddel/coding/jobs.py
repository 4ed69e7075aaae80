"""The episode import as a job kind: the web upload, the worker and ``legemiddel import
episoder FILE`` share it."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from legemiddel.accounts.roles import Role
from legemiddel.coding.importing import PROFILE, episodes_import
from legemiddel.core.jobs import JobKind, JobOption, JobResult, register

ACCEPT_VALID = JobOption(
    "accept_valid",
    _("Accept the valid rows"),
    _("Rows with errors are left out and kept in a rejects report instead of stopping the file."),
)


def _run(**kwargs: Any) -> JobResult:
    result = episodes_import(**kwargs)
    return JobResult(result.as_text(), reverse("findings:worklist"))


def register_kinds() -> None:
    register(
        JobKind(
            "episoder",
            _("Episodes reported to NPR"),
            _run,
            _(
                "One row per episode code, as reported to NPR (pseudonymised at import). "
                "Replaces the months it covers, and earlier versions of its episodes."
            ),
            extensions=(".csv", ".txt", ".xlsx"),
            max_bytes=2 * 1024**3,
            options=(ACCEPT_VALID,),
            roles=(Role.ADMINISTRATOR.value, Role.CORE_GROUP.value, Role.CONTROLLER.value),
            profile=PROFILE,
            example=(
                ("episode", "EP-100234"),
                ("patient", "01010012345"),
                ("unit", "OYE-POL"),
                ("contact_type", "poliklinikk"),
                ("start", "2026-10-15 08:30"),
                ("end", "2026-10-15 09:10"),
                ("hpr", "1234567"),
                ("code_system", "ATC"),
                ("code", "S01LA05"),
                ("main", "B"),
            ),
            format_doc="docs/formats/episoder.md",
            result_label=_("Open the work list"),
        )
    )
