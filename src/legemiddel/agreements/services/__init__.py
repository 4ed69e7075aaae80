"""Writes for LIS agreements: the register, its history, publication, price access,
and distribution of notices. Every write records who did it.

One module per part of the work, as the views are split; the services are re-exported here so
callers import them from ``legemiddel.agreements.services``.
"""

from legemiddel.agreements.services.agreements import (
    AGREEMENT_FIELDS,
    LINE_FIELDS,
    ImportResult,
    agreement_create,
    agreement_import_lines,
    agreement_update,
    first_of_next_month,
    has_history,
    line_correct,
    line_delete,
    line_save,
    period_years,
)
from legemiddel.agreements.services.grants import (
    MAX_GRANT_DAYS,
    price_access_grant,
    price_access_revoke,
)
from legemiddel.agreements.services.notices import delivery_resend, notice_discard, notice_send
from legemiddel.agreements.services.publish import agreement_problems, agreement_publish
from legemiddel.agreements.services.requests import (
    REMINDER_DAYS,
    price_access_reminders_send,
    price_access_request,
    price_access_request_decline,
    price_access_request_grant,
)

__all__ = [
    "AGREEMENT_FIELDS",
    "LINE_FIELDS",
    "MAX_GRANT_DAYS",
    "REMINDER_DAYS",
    "ImportResult",
    "agreement_create",
    "agreement_import_lines",
    "agreement_problems",
    "agreement_publish",
    "agreement_update",
    "delivery_resend",
    "first_of_next_month",
    "has_history",
    "line_correct",
    "line_delete",
    "line_save",
    "notice_discard",
    "notice_send",
    "period_years",
    "price_access_grant",
    "price_access_reminders_send",
    "price_access_request",
    "price_access_request_decline",
    "price_access_request_grant",
    "price_access_revoke",
]
