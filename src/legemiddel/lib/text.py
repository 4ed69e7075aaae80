"""Text helpers: search keys that behave the same on SQLite and PostgreSQL, and one-line
values for headers."""

from __future__ import annotations

import re
import unicodedata


def fold(text: str) -> str:
    """Case- and form-insensitive key: ``fold("ØYVIND Ærø")`` == ``fold("øyvind ærø")``.

    SQLite's LIKE and LOWER only fold ASCII, so æ, ø and å would not match across case.
    We store this key in a column and compare keys instead of relying on the database.
    """
    return unicodedata.normalize("NFC", text).casefold().strip()


# C0 and C1 control characters (line breaks among them) and the Unicode line and paragraph
# separators: nothing a one-line field such as an e-mail subject or a name may hold.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def has_control_characters(text: str) -> bool:
    """Whether ``text`` holds a line break, a tab or another control character."""
    return bool(_CONTROL.search(text))


def one_line(text: str) -> str:
    """``text`` as one line: every run of control characters and spaces around them becomes
    one space. For values that end up in a header (an e-mail subject, a display name)."""
    return re.sub(r" *(?:[\x00-\x1f\x7f-\x9f\u2028\u2029] *)+", " ", text).strip()
