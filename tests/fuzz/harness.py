"""One fuzzing harness for every importer: hostile files in, only a clean outcome out.

An importer joins with an :class:`Importer` in ``tests/fuzz/importers.py`` (see README.md
beside this file): its header profile, a strategy for rows of valid values, how to run it on a
file, and how to read back what it stored. The harness builds files from valid rows and
hostile values (CSV in UTF-8 or Windows-1252 with ``;`` or ``,``, XLSX, or the importer's own
format), runs the importer and checks the properties every importer owes its users:

* no traceback escapes: the outcome is success or a clear rejection (``ImportRejected`` or
  ``FileFormatError`` with messages), never another exception;
* a rejected file stores nothing: every table holds the same rows as before, and the
  importer's own tables the same content;
* an accepted file stores its valid rows (their keys are there afterwards);
* a file of only valid rows, written any supported way, is accepted.

The same :func:`check` runs in the test suite (a few dozen files per importer) and in
``bench/fuzz.py`` (ten thousand and more).
"""

from __future__ import annotations

import io
import math
import tempfile
import traceback
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from hypothesis import strategies as st

from legemiddel.lib.profiles import Profile
from legemiddel.lib.tabular import FileFormatError, ImportRejected, RowError

Row = dict[str, str]
Keys = set[Hashable]

# --- Hostile values ---------------------------------------------------------------------------

HOSTILE_TEXT: tuple[str, ...] = (
    "",
    " ",
    "\t",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "Infinity",
    "1e309",
    "-1e309",
    "1e-400",
    "9" * 400,
    "-0",
    "0",
    "-1",
    "1 234,50",
    "1.234.567,89",
    "12e3",
    "0x10",
    "1_000",
    "\u0661\u0662\u0663",  # Arabic-Indic digits
    "\u00b2",  # a digit int() refuses
    "31.02.2026",
    "2026-13-01",
    "0000-00-00",
    "9999-12-31",
    "29.02.2025",
    "1.1.1",
    "\x00",
    "a\x00b",
    "\x01\x02\x03",
    "\x1b[31mrød\x1b[0m",
    "\x7f",
    "\u2028",
    "\ufeff",
    "\u202eRTL",
    "e\u0301",
    "\U0001f600",
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    '=HYPERLINK("http://example.invalid","x")',
    '"',
    '""',
    'a"b',
    "'",
    ";",
    ",",
    "a;b",
    "a,b",
    "\n",
    "\r\n",
    "a\nb",
    "'; DROP TABLE usage_salesline; --",
    "x" * 1000,
    "ø" * 300,
)


def hostile_values() -> st.SearchStrategy[str]:
    """Values meant to break a parser, a validator or a column's limits."""
    return st.one_of(
        st.sampled_from(HOSTILE_TEXT),
        st.text(max_size=20),
        st.integers(min_value=-(10**30), max_value=10**30).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
    )


HUGE_FIELD = "A" * 140_000  # over the csv module's field size limit (131 072)


# --- Importers --------------------------------------------------------------------------------


NOT_FINITE = "stored a number that is not finite"
CONTROL = "stored text with a NUL or control character"
UNREADABLE = "stored a value that cannot be read back"
# Defects the fuzzer has found and that are not fixed yet: a failure whose text matches is
# counted as known (and the suite's test is an expected failure) until the fix lands. Empty:
# every defect found so far (non-finite numbers, NUL and control characters, FEST numbers
# beyond their column's digits) is fixed, so any such failure now fails the suite.
KNOWN_DEFECTS: tuple[tuple[Callable[[str], bool], str], ...] = ()


NO_OPTIONS: st.SearchStrategy[dict[str, Any]] = st.just({})


@dataclass(frozen=True)
class Importer:
    """How the harness drives one importer.

    ``rows`` draws a list of rows of valid values (canonical column -> text) that are valid
    together as one file. ``run(path)`` imports the file as the job kind (or service) does.
    ``stored()`` returns the keys of what the importer has stored, ``keys(rows)`` the keys the
    valid rows must leave behind. ``build`` replaces the tabular file builder for an importer
    of another format (FEST XML); ``seed()`` sets up what every file may refer to, once.
    """

    key: str
    rows: Callable[[], st.SearchStrategy[list[Row]]]
    run: Callable[[Path], Any]
    stored: Callable[[], Keys]
    keys: Callable[[list[Row]], Keys]
    profile: Callable[[], Profile] | None = None
    formats: tuple[str, ...] = ("csv", "xlsx")
    build: Callable[[st.DrawFn, list[Row], bool], FuzzFile] | None = None
    seed: Callable[[], None] = lambda: None
    # Options of the job kind, drawn per file (e.g. usage imports' accept_valid).
    options: st.SearchStrategy[dict[str, Any]] = NO_OPTIONS
    # The importer's tables whose content (not only row count) must survive a rejection.
    content: Callable[[], Any] = lambda: None
    # Exceptions besides ImportRejected / FileFormatError that are a documented rejection.
    rejections: tuple[type[BaseException], ...] = ()
    # Tables an importer writes on purpose even when it rejects a file (e.g. unknown codes
    # kept for the mapping page), by model label.
    kept_on_rejection: frozenset[str] = frozenset()
    # The importer's own tables (model labels): what it stores from an accepted file must be
    # sane there (finite numbers, text without NUL and control characters).
    tables: tuple[str, ...] = ()
    # Known defects: a predicate over a failure's text -> the reason (an expected failure).
    known: tuple[tuple[Callable[[str], bool], str], ...] = KNOWN_DEFECTS


REGISTRY: dict[str, Importer] = {}


def register(importer: Importer) -> Importer:
    REGISTRY[importer.key] = importer
    return importer


# --- Files ------------------------------------------------------------------------------------


@dataclass
class FuzzFile:
    """A generated file and what the harness knows about it."""

    name: str
    data: bytes
    valid_rows: list[Row]  # the rows left as generated (their keys must be stored if accepted)
    clean: bool  # nothing hostile at all: must be accepted
    data_rows: int  # lines after the header (an upper bound on what may be stored)
    notes: list[str] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        head = self.data[:300]
        return f"{self.name} ({len(self.data)} bytes; {', '.join(self.notes)}): {head!r}"


def _header_spelling(draw: st.DrawFn, profile: Profile, names: Sequence[str]) -> list[str]:
    by_name = {c.name: c for c in profile.columns}
    out = []
    for name in names:
        spelling = draw(st.sampled_from((name, *by_name[name].aliases)))
        spelling = draw(st.sampled_from((spelling, spelling.upper(), f" {spelling.title()} ")))
        out.append(spelling)
    return out


def _csv_field(value: str, sep: str) -> str:
    if any(c in value for c in (sep, '"', "\n", "\r")):
        return '"' + value.replace('"', '""') + '"'
    return value


@st.composite
def tabular_file(draw: st.DrawFn, importer: Importer, hostile: bool = True) -> FuzzFile:
    """A CSV or XLSX file of the importer's valid rows, made hostile in a few places (or
    none, with ``hostile=False``: then it must be accepted)."""
    assert importer.profile is not None
    profile = importer.profile()
    rows = draw(importer.rows())
    names = [c.name for c in profile.columns if c.required or any(c.name in r for r in rows)]
    header = _header_spelling(draw, profile, names)
    notes: list[str] = []
    clean = True

    # The header: sometimes wrong, missing a column, repeated, or with a stranger.
    header_change = (
        draw(st.sampled_from(("none",) * 6 + ("drop", "duplicate", "unknown", "garbage", "empty")))
        if hostile
        else "none"
    )
    if header_change != "none":
        notes.append(f"header:{header_change}")
        clean = header_change == "unknown"
    keys_in_file = list(names)
    if header_change == "drop":
        index = draw(st.integers(0, len(header) - 1))
        del header[index], keys_in_file[index]
    elif header_change == "duplicate":
        index = draw(st.integers(0, len(header) - 1))
        header.append(header[index])
        keys_in_file.append(keys_in_file[index])
    elif header_change == "unknown":
        header.append("ukjent kolonne")
        keys_in_file.append("")
    elif header_change == "garbage":
        header = [draw(hostile_values()) for _ in header]
    elif header_change == "empty":
        header = []

    # The rows: each kept, or with a field made hostile, cut short or made long.
    lines: list[list[str]] = []
    for row in rows:
        values = [row.get(k, "") for k in keys_in_file]
        change = (
            draw(st.sampled_from(("keep",) * 5 + ("hostile", "short", "long")))
            if hostile
            else "keep"
        )
        if change == "hostile" and values:
            index = draw(st.integers(0, len(values) - 1))
            values[index] = draw(hostile_values())
        elif change == "short" and len(values) > 1:
            values = values[: draw(st.integers(0, len(values) - 1))]
        elif change == "long":
            values = [*values, draw(hostile_values())]
        lines.append(values)
    # Rows that were left alone (a hostile value equal to the old one leaves the row valid).
    valid = [
        row for row, values in zip(rows, lines, strict=True) if _same(row, keys_in_file, values)
    ]
    if len(valid) < len(rows):
        notes.append(f"{len(rows) - len(valid)} hostile rows")
        clean = False
    if hostile and draw(st.integers(0, 19)) == 0:
        index = draw(st.integers(0, len(lines)))
        lines.insert(index, [HUGE_FIELD])
        notes.append("huge field")
        clean = False
    if hostile and draw(st.integers(0, 9)) == 0:
        index = draw(st.integers(0, len(lines)))
        lines.insert(index, [draw(hostile_values()) for _ in keys_in_file])
        notes.append("hostile row")
        clean = False

    fmt = draw(st.sampled_from(importer.formats))
    if fmt == "xlsx":
        data = _xlsx(draw, header, lines, notes)
        name = "fil.xlsx"
    else:
        data, text_clean = _csv(draw, header, lines, notes, hostile)
        if not text_clean:
            # A line in another encoding turns the whole file's letters into others
            # (UTF-8 read as Windows-1252): the valid rows' text is not theirs any more.
            clean = False
            valid = []
        name = draw(st.sampled_from(("fil.csv", "fil.txt")))

    # The whole file: sometimes cut short, or replaced by random bytes.
    damage = (
        draw(st.sampled_from(("none",) * 12 + ("truncate", "random", "empty")))
        if hostile
        else "none"
    )
    if damage == "truncate" and data:
        # A share of the file, not a byte count: an XLSX file's length varies from one
        # writing to the next (its timestamp), and a draw must not depend on it.
        data = data[: len(data) * draw(st.integers(0, 999)) // 1000]
    elif damage == "random":
        data = draw(st.binary(max_size=400))
        if fmt == "xlsx" and draw(st.booleans()):
            data = b"PK\x03\x04" + data
    elif damage == "empty":
        data = b""
    if damage != "none":
        notes.append(damage)
        clean = False
    # The valid rows only count when the file around them is intact.
    if header_change not in ("none", "unknown") or damage != "none":
        valid = []
    return FuzzFile(
        name=name,
        data=data,
        valid_rows=valid,
        clean=clean,
        data_rows=len(lines),
        notes=notes or ["clean"],
        options=draw(importer.options),
    )


def _same(row: Row, keys: Sequence[str], values: Sequence[str]) -> bool:
    expected = [row.get(k, "") for k in keys]
    return len(values) == len(expected) and all(
        a.strip() == b.strip() for a, b in zip(expected, values, strict=True)
    )


def _csv(
    draw: st.DrawFn, header: list[str], lines: list[list[str]], notes: list[str], hostile: bool
) -> tuple[bytes, bool]:
    """CSV bytes; ``False`` when the writing itself is hostile (raw quotes, mixed encodings)."""
    sep = draw(st.sampled_from((";", ",")))
    newline = draw(st.sampled_from(("\n", "\r\n")))
    encoding = draw(st.sampled_from(("utf-8", "cp1252")))
    bom = draw(st.booleans()) and encoding == "utf-8"
    raw_quotes = hostile and draw(st.integers(0, 9)) == 0
    mixed = hostile and draw(st.integers(0, 9)) == 0
    notes.append(f"csv {encoding} {sep!r}" + (" bom" if bom else ""))
    out = io.BytesIO()
    if bom:
        out.write(b"\xef\xbb\xbf")
    for index, values in enumerate([header, *lines]):
        text = sep.join(v if raw_quotes else _csv_field(v, sep) for v in values) + newline
        line_encoding = encoding
        if mixed and index == len(lines) // 2 + 1:
            line_encoding = "cp1252" if encoding == "utf-8" else "utf-8"
        out.write(
            text.encode(
                line_encoding, errors="surrogatepass" if line_encoding == "utf-8" else "replace"
            )
        )
    if raw_quotes:
        notes.append("raw quotes")
    if mixed:
        notes.append("mixed encodings")
    return out.getvalue(), not (raw_quotes or mixed)


def _xlsx(draw: st.DrawFn, header: list[str], lines: list[list[str]], notes: list[str]) -> bytes:
    """An XLSX workbook written by XlsxWriter; hostile numbers and formulas as real cells."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "nan_inf_to_errors": True})
    sheet = book.add_worksheet()
    numbers = draw(st.booleans())  # digits written as number cells, as Excel keeps them
    for r, values in enumerate([header, *lines]):
        for c, value in enumerate(values):
            if (
                r
                and numbers
                and value.isdecimal()
                and len(value) < 15
                and not value.startswith("0")
            ):
                sheet.write_number(r, c, int(value))
            elif r and value in ("NaN", "inf", "-inf", "1e309"):
                sheet.write_number(r, c, float(value if value != "1e309" else "inf"))
            elif r and value.startswith("=") and len(value) < 200:
                sheet.write_formula(r, c, value)
            else:
                sheet.write_string(r, c, value[:32767])
    book.close()
    notes.append("xlsx" + (" numbers" if numbers else ""))
    return out.getvalue()


def fuzz_file(importer: Importer, hostile: bool = True) -> st.SearchStrategy[FuzzFile]:
    """Files for ``importer``: hostile ones, or (``hostile=False``) only valid ones."""
    if importer.build is not None:
        build = importer.build

        @st.composite
        def custom(draw: st.DrawFn) -> FuzzFile:
            return build(draw, draw(importer.rows()), hostile)

        return custom()
    return tabular_file(importer, hostile)


# --- Running and checking ---------------------------------------------------------------------


def table_counts() -> dict[str, int]:
    """Rows in every table of the project, in one query."""
    models = [m for m in apps.get_models() if not m._meta.proxy and m._meta.managed]
    qn = connection.ops.quote_name
    # Table names from the models, quoted: nothing from outside goes into the statement.
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {qn(m._meta.db_table)})" for m in models)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        counts = cursor.fetchone()
    return {m._meta.label: n for m, n in zip(models, counts, strict=True)}


@dataclass
class Outcome:
    kind: str  # accepted | rejected | failure
    detail: str = ""
    expected_failure: str = ""  # the known defect a failure is, if it is one


class Failure(AssertionError):
    pass


def _messages_ok(errors: list[RowError]) -> str:
    """Why a rejection's messages are not fit for a user, or ""."""
    if not errors:
        return "rejected without a single message"
    for error in errors:
        if not isinstance(error.message, str) or not error.message.strip():
            return f"empty message: {error!r}"
        if "Traceback" in error.message or "object at 0x" in error.message:
            return f"a message shows the program's insides: {error.message[:200]!r}"
    return ""


def check(importer: Importer, file: FuzzFile, workdir: Path) -> Outcome:
    """Import ``file`` inside a transaction that is rolled back afterwards; return what
    happened, with a failure's explanation when a property does not hold."""
    path = workdir / file.name
    path.write_bytes(file.data)
    outcome: Outcome
    with transaction.atomic():
        before_counts = table_counts()
        before_content = importer.content()
        before_keys = importer.stored()
        try:
            importer.run(path, **file.options)
        except (ImportRejected, FileFormatError, *importer.rejections) as exc:
            errors = (
                exc.errors if isinstance(exc, ImportRejected) else [RowError(0, "", "", str(exc))]
            )
            problem = _messages_ok(errors)
            after = {
                label: n
                for label, n in table_counts().items()
                if label not in importer.kept_on_rejection
            }
            changed = {
                label: (before_counts[label], n)
                for label, n in after.items()
                if before_counts.get(label) != n
            }
            if problem:
                outcome = Outcome("failure", problem)
            elif changed:
                outcome = Outcome("failure", f"a rejected file stored rows: {changed}")
            elif importer.content() != before_content:
                outcome = Outcome("failure", "a rejected file changed stored content")
            elif file.clean:
                outcome = Outcome(
                    "failure",
                    "a file of valid rows was rejected: " + "; ".join(str(e) for e in errors[:5]),
                )
            else:
                outcome = Outcome("rejected", str(errors[0])[:200])
        except Exception:
            outcome = Outcome("failure", "traceback escaped:\n" + traceback.format_exc(limit=8))
        else:
            after_keys = importer.stored()
            missing = importer.keys(file.valid_rows) - after_keys
            new = after_keys - before_keys
            insane = _insane_values(importer.tables)
            if insane:
                outcome = Outcome("failure", f"accepted, but {insane}")
            elif missing:
                outcome = Outcome(
                    "failure",
                    f"accepted, but valid rows are not stored: {sorted(map(str, missing))[:5]}",
                )
            elif len(new) > max(file.data_rows, 0) + 1 and importer.key != "fest":
                outcome = Outcome("failure", f"accepted {len(new)} keys from {file.data_rows} rows")
            else:
                outcome = Outcome("accepted")
        transaction.set_rollback(True)
    path.unlink(missing_ok=True)
    if outcome.kind == "failure":
        for predicate, reason in importer.known:
            if predicate(outcome.detail):
                outcome.expected_failure = reason
                break
    return outcome


_CONTROL_CHARS = frozenset(chr(c) for c in range(32)) - {"\t", "\n", "\r"} | {"\x7f"}


def _insane_values(tables: Sequence[str]) -> str:
    """What is wrong with a value the importer stored, or ""."""
    for label in tables:
        model = apps.get_model(label)
        names = [f.attname for f in model._meta.concrete_fields]
        try:
            rows = list(model.objects.values_list(*names))
        except (ArithmeticError, ValueError) as exc:  # decimal.InvalidOperation, overflow
            return f"{UNREADABLE}: {label} ({type(exc).__name__})"
        for row in rows:
            for name, value in zip(names, row, strict=True):
                if isinstance(value, float | Decimal) and not math.isfinite(value):
                    return f"{NOT_FINITE}: {label}.{name}={value}"
                if isinstance(value, str) and not _CONTROL_CHARS.isdisjoint(value):
                    return f"{CONTROL}: {label}.{name}={value[:80]!r}"
    return ""


def workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="fuzz-"))
