"""Logging filters for the web shell."""

from __future__ import annotations

import logging


class ForbiddenOneLine(logging.Filter):
    """A refused request (403) is an expected event, already in the audit trail: log one line
    with the user, the path and the access rule instead of a full stack trace."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) != 403:
            return True
        request = getattr(record, "request", None)
        user = getattr(request, "user", None)
        username = getattr(user, "username", "") or "anonym"
        path = getattr(request, "path", "")
        rule = getattr(request, "access_denied_rule", "") or "object access check"
        record.msg = "Forbidden: user=%s path=%s rule=%s"
        record.args = (username, path, rule)
        record.exc_info = None
        record.exc_text = None
        return True
