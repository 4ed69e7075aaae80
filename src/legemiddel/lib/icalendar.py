"""iCalendar (RFC 5545) content lines that no value can break out of.

Every property goes through :func:`content_line`: TEXT values are escaped (``\\``, ``;``, ``,``
and line breaks as ``\\n``), parameter values are quoted with their quotes and control
characters removed, other values (addresses, dates) lose their control characters, and every
line is folded at 75 octets. A name typed with a line break in it therefore stays inside its
own property instead of adding lines to the invitation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

# RFC 5545 3.1: lines are at most 75 octets, excluding the line break.
LINE_OCTETS = 75
CRLF = "\r\n"
# CONTROL in RFC 5545 3.1 (all of C0 but HTAB, and DEL), plus C1 and the Unicode line and
# paragraph separators, which some readers treat as line breaks.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
_NEWLINE = re.compile("\r\n|[\r\n\u2028\u2029]")
_NAME = re.compile(r"^[A-Za-z0-9-]+$")


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma escaped, every kind of
    line break written as ``\\n``, other control characters dropped."""
    escaped = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return _CONTROL.sub("", _NEWLINE.sub("\\\\n", escaped))


def param_value(value: str) -> str:
    """A parameter value (RFC 5545 3.2): a word as it is (``REQ-PARTICIPANT``), anything else
    quoted. A quoted string cannot hold a double quote or a control character, so quotes
    become apostrophes and line breaks spaces."""
    single = _CONTROL.sub("", _NEWLINE.sub(" ", value)).replace('"', "'")
    return single if _NAME.match(single) else f'"{single}"'


def plain_value(value: str) -> str:
    """A value that is not TEXT (an address, a date, a URI): control characters dropped."""
    return _CONTROL.sub("", value)


def fold(line: str) -> str:
    """Break a line longer than 75 octets into continuation lines that start with a space
    (RFC 5545 3.1), never inside a UTF-8 character."""
    if len(line.encode()) <= LINE_OCTETS:
        return line
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        width = len(char.encode())
        # A continuation line's leading space counts towards its 75 octets.
        limit = LINE_OCTETS if not parts else LINE_OCTETS - 1
        if size + width > limit:
            parts.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    parts.append("".join(current))
    return (CRLF + " ").join(parts)


def content_line(
    name: str,
    value: str,
    *,
    params: Sequence[tuple[str, str]] = (),
    text: bool = True,
) -> str:
    """One property, folded: ``NAME;PARAM="value":value``. ``text=False`` for values that are
    not TEXT (addresses, URIs, dates), which are not escaped but still lose control characters.
    """
    for key in (name, *(k for k, _ in params)):
        if not _NAME.match(key):
            raise ValueError(f"Not an iCalendar name: {key!r}")
    head = name + "".join(f";{key}={param_value(v)}" for key, v in params)
    body = escape_text(value) if text else plain_value(value)
    return fold(f"{head}:{body}")


def calendar(lines: Iterable[str]) -> str:
    """The object: the content lines joined and ended with CRLF."""
    return CRLF.join(lines) + CRLF
