"""The decision list import as a job kind: the web upload, the worker and ``legemiddel import
metoder FILE`` share it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from legemiddel.accounts.roles import Role
from legemiddel.core.jobs import JobKind, JobResult, register
from legemiddel.lib.formatting import format_datetime
from legemiddel.lib.tabular import file_sha256
from legemiddel.methods.importing import PROFILE, methods_import
from legemiddel.methods.models import MethodImport


def _run(**kwargs: Any) -> JobResult:
    result = methods_import(**kwargs)
    return JobResult(result.as_text(), reverse("methods:diff", args=[result.batch.pk]))


def _imported(path: Path) -> JobResult | None:
    """For a job whose worker died: the version the file became, if it was committed."""
    if not path.is_file():
        return None
    batch = MethodImport.objects.filter(sha256=file_sha256(path)).order_by("-id").first()
    if batch is None:
        return None
    return JobResult(
        f"Beslutningslisten ble importert som versjonen fra {format_datetime(batch.created_at)}.",
        reverse("methods:diff", args=[batch.pk]),
    )


def register_kinds() -> None:
    register(
        JobKind(
            "metoder",
            _("Decisions in Nye metoder"),
            _run,
            _(
                "The public list of methods and decisions (XLSX, or CSV of the same columns). "
                "Each import is kept as a version; decisions that changed must be confirmed "
                "again."
            ),
            extensions=(".xlsx", ".csv", ".txt"),
            max_bytes=50 * 1024 * 1024,
            roles=(Role.CORE_GROUP.value, Role.ADMINISTRATOR.value),
            profile=PROFILE,
            example=(
                ("method_id", "2019_073"),
                ("substance", "Dupilumab"),
                ("trade_names", "Dupixent"),
                ("indication", "Moderat til alvorlig atopisk dermatitt hos voksne"),
                ("method_type", "Legemidler"),
                ("specialty", "Hudsykdommer"),
                ("decision_date", "43787"),
                ("decision_short", "Dupilumab (Dupixent) innføres til behandling av ..."),
                (
                    "decision_full",
                    "1. Dupilumab (Dupixent) innføres til behandling av ... 2. Det forutsetter "
                    "at prisen er lik eller lavere enn ...",
                ),
            ),
            format_doc="docs/formats/metoder.md",
            result_label=_("See what the list changed"),
            imported=_imported,
        )
    )
