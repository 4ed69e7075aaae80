"""Text helpers for search that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Case- and form-insensitive key: ``fold("ØYVIND Ærø")`` == ``fold("øyvind ærø")``.

    SQLite's LIKE and LOWER only fold ASCII, so æ, ø and å would not match across case.
    We store this key in a column and compare keys instead of relying on the database.
    """
    return unicodedata.normalize("NFC", text).casefold().strip()
