"""Validate step: string columns in, typed rows and row errors out, per source (no database).

Everything is a polars expression over a whole chunk, so a million lines validate in well under
a second. Lookups (packages, units, prescribers, mappings) arrive as small frames in a
:class:`Lookups`; the load step in :mod:`legemiddel.usage.services` writes the result.
Patient numbers are replaced by pseudonyms here and masked in every error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from legemiddel.lib.formatting import format_number
from legemiddel.lib.pseudonym import fnr_problem, pseudonymise
from legemiddel.lib.tabular import CONTROL_CHARACTERS, CONTROL_MESSAGE
from legemiddel.usage.reading import ROW

MASK = "•••••••••••"
ERROR_SCHEMA = {"row": pl.Int64, "column": pl.String, "value": pl.String, "message": pl.String}
UNKNOWN_SCHEMA = {"kind": pl.String, "code": pl.String, "row": pl.Int64, "example": pl.String}


@dataclass
class Lookups:
    """What validation needs to know about our registers, as small frames."""

    # code (varenr, or a mapped code) -> package_id, ddd_per_pack, package_atc
    packages: pl.DataFrame
    # customer number / cost centre / unit code -> org_unit_id
    customers: pl.DataFrame
    # unit code -> org_unit_id (DIPS)
    units: pl.DataFrame
    # HPR number -> org_unit_id of the prescriber's (first) unit
    prescribers: pl.DataFrame
    key: bytes = b""
    pseudonyms: dict[str, str | None] = field(default_factory=dict)  # fnr -> pseudonym
    problems: dict[str, str] = field(default_factory=dict)  # fnr -> reason


@dataclass
class Checked:
    rows: pl.DataFrame  # valid, typed, ready to insert (plus ROW)
    errors: pl.DataFrame  # row, column, value, message
    unknown: pl.DataFrame  # kind, code, row, example: codes to offer on the mapping page


# --- expressions ------------------------------------------------------------------------------


def _text(name: str) -> pl.Expr:
    return pl.col(name).str.strip_chars()


def number(name: str) -> pl.Expr:
    """Numbers as people write them: ``1 234,50``, ``1234.5``, ``-3``. Infinity and NaN
    (``inf``, ``1e309``, ``NaN``) are not numbers here: they come out missing, as text does."""
    s = (
        _text(name)
        .str.replace_all(" ", "", literal=True)
        .str.replace_all("\u00a0", "", literal=True)
    )
    with_comma = s.str.contains(",", literal=True)
    normalised = (
        pl.when(with_comma)
        .then(s.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True))
        .otherwise(s)
    )
    parsed = normalised.cast(pl.Float64, strict=False)
    return pl.when(parsed.is_finite()).then(parsed).otherwise(None)


def day(name: str) -> pl.Expr:
    s = _text(name).str.slice(0, 10)
    return pl.coalesce(
        s.str.to_date("%Y-%m-%d", strict=False),
        s.str.to_date("%d.%m.%Y", strict=False),
        s.str.to_date("%Y%m%d", strict=False),
    )


def month(name: str) -> pl.Expr:
    """A month from ``2026-03``, ``03.2026``, ``202603`` or any day in it."""
    s = _text(name)
    return pl.coalesce(
        day(name),
        (s + "-01").str.to_date("%Y-%m-%d", strict=False),
        ("01." + s).str.to_date("%d.%m.%Y", strict=False),
        (s + "01").str.to_date("%Y%m%d", strict=False),
    ).dt.month_start()


def varenr(name: str) -> pl.Expr:
    """Six digits; spreadsheets drop leading zeros, so shorter numbers are padded."""
    s = _text(name)
    return pl.when(s.str.contains(r"^\d{1,6}$")).then(s.str.zfill(6)).otherwise(None)


def _by_value(frame: pl.DataFrame, column: str, expression: pl.Expr, alias: str) -> pl.DataFrame:
    """Add ``expression`` of ``column`` as ``alias``, computed once per distinct value.

    Periods and dates repeat: a million sales lines span a few dozen months, so parsing the
    distinct values and joining them back is several times faster than parsing every line.
    """
    values = frame.select(pl.col(column).unique()).with_columns(expression.alias(alias))
    return frame.join(values, on=column, how="left", nulls_equal=True, maintain_order="left")


# --- checks -----------------------------------------------------------------------------------


class _Checks:
    """Collects row errors for one chunk and the mask of rows that passed."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame
        self.errors: list[pl.DataFrame] = []
        self.unknown: list[pl.DataFrame] = []
        self.bad = pl.Series("bad", [False] * frame.height)
        # Control characters (NUL ...) in any cell: PostgreSQL cannot store NUL in text, and no
        # typed value holds one. Shown as \ufffd: the error report is stored too.
        text = [n for n in frame.columns if n != ROW and not n.startswith("_ignored_")]
        for name in text:
            self.fail(
                pl.col(name).str.contains(CONTROL_CHARACTERS.pattern),
                name,
                CONTROL_MESSAGE[0].upper() + CONTROL_MESSAGE[1:] + ".",
                masked=name == "patient",
                shown=pl.col(name).str.replace_all(CONTROL_CHARACTERS.pattern, "\ufffd"),
            )
        if self.errors:  # nothing downstream (unknown codes, other errors) sees them either
            self.frame = self.frame.with_columns(
                pl.col(n).str.replace_all(CONTROL_CHARACTERS.pattern, "\ufffd") for n in text
            )

    def fail(
        self,
        condition: pl.Expr,
        column: str,
        message: str | pl.Expr,
        *,
        masked: bool = False,
        shown: pl.Expr | None = None,
    ) -> None:
        """Mark the rows where ``condition`` holds as bad, with ``message`` (text, or an
        expression giving each row its own); ``masked`` shows the value as ``MASK``, ``shown``
        gives the value to show instead of the cell."""
        found = self.frame.select(condition.fill_null(False)).to_series()
        if not found.any():
            return
        self.bad = self.bad | found
        value = pl.lit(MASK) if masked else (shown if shown is not None else pl.col(column))
        value = value.fill_null("")
        self.errors.append(
            self.frame.filter(found).select(
                pl.col(ROW).cast(pl.Int64).alias("row"),
                pl.lit(column).alias("column"),
                value.cast(pl.String).alias("value"),
                (pl.lit(message) if isinstance(message, str) else message).alias("message"),
            )
        )

    def unknown_code(self, condition: pl.Expr, kind: str, column: str, example: pl.Expr) -> None:
        found = self.frame.select(condition.fill_null(False)).to_series()
        if found.any():
            self.unknown.append(
                self.frame.filter(found).select(
                    pl.lit(kind).alias("kind"),
                    pl.col(column).str.strip_chars().alias("code"),
                    pl.col(ROW).cast(pl.Int64).alias("row"),
                    example.cast(pl.String).fill_null("").alias("example"),
                )
            )

    def result(self, columns: list[str]) -> Checked:
        rows = self.frame.filter(~self.bad).select([ROW, *columns])
        errors = (
            pl.concat(self.errors).sort("row") if self.errors else pl.DataFrame(schema=ERROR_SCHEMA)
        )
        unknown = pl.concat(self.unknown) if self.unknown else pl.DataFrame(schema=UNKNOWN_SCHEMA)
        return Checked(rows=rows, errors=errors, unknown=unknown)


def _required(c: _Checks, column: str, label: str) -> None:
    c.fail(
        pl.col(column).is_null() | (_text(column) == ""),
        column,
        f"{label} mangler.",
    )


def _parsed(c: _Checks, raw: str, parsed: str, message: str) -> None:
    """Flag rows where a value was given but could not be converted."""
    c.fail(pl.col(raw).is_not_null() & (_text(raw) != "") & pl.col(parsed).is_null(), raw, message)


# What a number in a usage file may be (docs/formats/forbruk.md): beyond these it is a typing
# or export error, and it would overflow the sums of the cube and the exports.
PACKS = 10_000_000  # packs on one line, either sign (returns are negative)
AMOUNT = 100_000_000_000  # kroner on one line, either sign (credit notes are negative)
DDDS = 1_000_000_000  # defined daily doses on one line, either sign
DOSE = 1_000_000_000  # one administered dose, zero or more


def _number_in(c: _Checks, raw: str, parsed: str, label: str, *, low: float, high: float) -> None:
    """A value that was given must be a number (finite) between ``low`` and ``high``."""
    _parsed(c, raw, parsed, f"{label} er ikke et tall.")
    c.fail(
        (pl.col(parsed) < low) | (pl.col(parsed) > high),
        raw,
        f"{label} må være mellom {format_number(low)} og {format_number(high)}.",
    )


def _with_package(c: _Checks, lookups: Lookups, *, required: bool, source_label: str) -> None:
    c.frame = c.frame.with_columns(varenr("varenr").alias("_varenr")).join(
        lookups.packages, left_on="_varenr", right_on="code", how="left", maintain_order="left"
    )
    if required:
        _required(c, "varenr", "Varenr")
    _parsed(c, "varenr", "_varenr", "Varenr skal være opptil seks sifre.")
    unknown = pl.col("_varenr").is_not_null() & pl.col("package_id").is_null()
    c.fail(
        unknown,
        "varenr",
        f"Ukjent varenr: finnes ikke i legemiddelkatalogen og er ikke koblet. "
        f"Koble det under Forbruk → Koblinger ({source_label}), eller last inn nyere FEST.",
    )
    example = pl.col("product_name") if "product_name" in c.frame.columns else pl.lit("")
    c.unknown_code(unknown, "varenr", "_varenr", example)


def _with_patient(c: _Checks, lookups: Lookups) -> None:
    values = c.frame.get_column("patient").drop_nulls().str.strip_chars().unique().to_list()
    for value in values:
        if value in lookups.pseudonyms or value in lookups.problems:
            continue
        problem = fnr_problem(value)
        if problem:
            lookups.problems[value] = problem
        else:
            lookups.pseudonyms[value] = pseudonymise(value, lookups.key)
    known = pl.DataFrame(
        {
            "_fnr": list(lookups.pseudonyms),
            "_pseudonym": list(lookups.pseudonyms.values()),
        },
        schema={"_fnr": pl.String, "_pseudonym": pl.String},
    )
    bad = pl.DataFrame(
        {"_fnr": list(lookups.problems), "_problem": list(lookups.problems.values())},
        schema={"_fnr": pl.String, "_problem": pl.String},
    )
    c.frame = (
        c.frame.with_columns(_text("patient").alias("_fnr"))
        .join(known, on="_fnr", how="left", maintain_order="left")
        .join(bad, on="_fnr", how="left", maintain_order="left")
        .drop("_fnr")
    )
    c.fail(
        pl.col("patient").is_null() | (_text("patient") == ""), "patient", "Fødselsnummer mangler."
    )
    c.fail(pl.col("_problem").is_not_null(), "patient", pl.col("_problem"), masked=True)
    # The clear number leaves the frame here; only the pseudonym goes on.
    c.frame = c.frame.drop("patient", "_problem").rename({"_pseudonym": "patient"})


def _optional_text(name: str, frame: pl.DataFrame, length: int) -> pl.Expr:
    if name not in frame.columns:
        return pl.lit("")
    return _text(name).fill_null("").str.slice(0, length)


def _hpr(name: str) -> pl.Expr:
    s = _text(name)
    return pl.when(s.str.contains(r"^\d{7,9}$")).then(s).otherwise(None)


# --- sources ----------------------------------------------------------------------------------


def check_sls(frame: pl.DataFrame, lookups: Lookups) -> Checked:
    c = _Checks(frame)
    f = c.frame
    c.frame = _by_value(f, "period", month("period"), "month").with_columns(
        number("quantity").alias("quantity_n"),
        number("amount").alias("amount_n"),
        number("ddd").alias("ddd_n")
        if "ddd" in f.columns
        else pl.lit(None, pl.Float64).alias("ddd_n"),
        _text("customer").alias("customer_code"),
        _optional_text("usage_group", f, 100).alias("usage_group_t"),
    )
    _required(c, "period", "Periode")
    _parsed(c, "period", "month", "Periode skal være en måned (2026-03) eller en dato.")
    _required(c, "customer", "Kundenummer")
    _required(c, "quantity", "Antall")
    _number_in(c, "quantity", "quantity_n", "Antall", low=-PACKS, high=PACKS)
    _required(c, "amount", "Beløp")
    _number_in(c, "amount", "amount_n", "Beløp", low=-AMOUNT, high=AMOUNT)
    if "ddd" in f.columns:
        _number_in(c, "ddd", "ddd_n", "DDD", low=-DDDS, high=DDDS)
    _with_package(c, lookups, required=True, source_label="SLS")
    c.frame = c.frame.join(
        lookups.customers,
        left_on="customer_code",
        right_on="code",
        how="left",
        maintain_order="left",
    )
    unknown = (
        pl.col("customer_code").is_not_null()
        & (pl.col("customer_code") != "")
        & (pl.col("org_unit_id").is_null())
    )
    c.fail(
        unknown,
        "customer",
        "Ukjent kundenummer/kostnadssted: koble det til en enhet under Forbruk → Koblinger.",
    )
    example = pl.col("customer_name") if "customer_name" in c.frame.columns else pl.lit("")
    c.unknown_code(unknown, "customer", "customer_code", example)
    c.frame = c.frame.with_columns(
        pl.col("ddd_n").is_null().alias("ddd_computed"),
        pl.coalesce(pl.col("ddd_n"), pl.col("quantity_n") * pl.col("ddd_per_pack")).alias("ddd_v"),
    )
    out = c.result(
        [
            "month",
            "customer_code",
            "org_unit_id",
            "package_id",
            "quantity_n",
            "amount_n",
            "ddd_v",
            "ddd_computed",
            "usage_group_t",
            "package_atc",
        ]
    )
    out.rows = out.rows.rename(
        {
            "customer_code": "customer",
            "quantity_n": "quantity",
            "amount_n": "amount",
            "ddd_v": "ddd",
            "usage_group_t": "usage_group",
        }
    ).with_columns(pl.col("customer").str.slice(0, 40))
    return out


def check_hresept(frame: pl.DataFrame, lookups: Lookups) -> Checked:
    c = _Checks(frame)
    f = c.frame
    c.frame = f.with_columns(
        day("dispensed_on").alias("dispensed"),
        number("quantity").alias("quantity_n"),
        number("amount").alias("amount_n"),
        (day("prescribed_on") if "prescribed_on" in f.columns else pl.lit(None, pl.Date)).alias(
            "prescribed"
        ),
        (
            _hpr("prescriber_hpr") if "prescriber_hpr" in f.columns else pl.lit(None, pl.String)
        ).alias("hpr"),
        _optional_text("refund_code", f, 10)
        .str.replace_all(".", "", literal=True)
        .str.to_uppercase()
        .alias("refund"),
        _optional_text("pharmacy", f, 200).alias("pharmacy_t"),
    )
    _required(c, "dispensed_on", "Utleveringsdato")
    _parsed(c, "dispensed_on", "dispensed", "Utleveringsdato er ikke en dato (2026-03-15).")
    _required(c, "quantity", "Antall")
    _number_in(c, "quantity", "quantity_n", "Antall", low=-PACKS, high=PACKS)
    _required(c, "amount", "Beløp")
    _number_in(c, "amount", "amount_n", "Beløp", low=-AMOUNT, high=AMOUNT)
    if "prescribed_on" in f.columns:
        _parsed(c, "prescribed_on", "prescribed", "Forskrivningsdato er ikke en dato.")
    if "prescriber_hpr" in f.columns:
        _parsed(c, "prescriber_hpr", "hpr", "HPR-nummeret skal ha 7 til 9 sifre.")
    c.fail(
        pl.col("refund").is_not_null()
        & (pl.col("refund") != "")
        & ~pl.col("refund").str.contains(r"^[A-Z]\d{2,4}$"),
        "refund_code",
        "Refusjonskoden er ikke en ICD-10-kode (f.eks. M05 eller K500).",
    )
    _with_package(c, lookups, required=True, source_label="H-resept")
    _with_patient(c, lookups)
    c.frame = c.frame.join(
        lookups.prescribers, left_on="hpr", right_on="hpr", how="left", maintain_order="left"
    )
    c.frame = c.frame.with_columns(
        pl.col("dispensed").dt.month_start().alias("month"),
        (pl.col("quantity_n") * pl.col("ddd_per_pack")).alias("ddd_v"),
        pl.col("hpr").fill_null(""),
    )
    out = c.result(
        [
            "dispensed",
            "month",
            "patient",
            "package_id",
            "quantity_n",
            "amount_n",
            "refund",
            "hpr",
            "prescribed",
            "pharmacy_t",
            "org_unit_id",
            "ddd_v",
            "package_atc",
        ]
    )
    out.rows = out.rows.rename(
        {
            "dispensed": "dispensed_on",
            "quantity_n": "quantity",
            "amount_n": "amount",
            "refund": "refund_code",
            "hpr": "prescriber_hpr",
            "prescribed": "prescribed_on",
            "pharmacy_t": "pharmacy",
            "ddd_v": "ddd",
        }
    )
    return out


def _atc_text(name: str, frame: pl.DataFrame) -> pl.Expr:
    if name not in frame.columns:
        return pl.lit("")
    return _text(name).fill_null("").str.to_uppercase()


def _units(c: _Checks, lookups: Lookups, *, required: bool) -> None:
    c.frame = c.frame.with_columns(_text("unit").alias("unit_code")).join(
        lookups.units, left_on="unit_code", right_on="code", how="left", maintain_order="left"
    )
    unknown = (
        pl.col("unit_code").is_not_null()
        & (pl.col("unit_code") != "")
        & (pl.col("org_unit_id").is_null())
    )
    if required:
        _required(c, "unit", "Enhet")
    c.fail(unknown, "unit", "Ukjent enhetskode: koble den til en enhet under Forbruk → Koblinger.")
    c.unknown_code(unknown, "unit", "unit_code", pl.lit(""))


def _package_or_atc(c: _Checks, lookups: Lookups, source_label: str) -> None:
    if "varenr" not in c.frame.columns:
        c.frame = c.frame.with_columns(pl.lit(None, pl.String).alias("varenr"))
    _with_package(c, lookups, required=False, source_label=source_label)
    c.frame = c.frame.with_columns(
        pl.when(pl.col("atc_in") != "")
        .then(pl.col("atc_in"))
        .otherwise(pl.col("package_atc"))
        .alias("atc_v")
    )
    c.fail(
        (pl.col("atc_v").is_null() | (pl.col("atc_v") == "")) & pl.col("package_id").is_null(),
        "atc",
        "Raden mangler både ATC-kode og varenr.",
    )
    c.fail(
        (pl.col("atc_in") != "") & ~pl.col("atc_in").str.contains(r"^[A-Z]\d\d[A-Z]{2}\d\d$"),
        "atc",
        "ATC-koden skal ha formen L04AB02.",
    )


def check_dips(frame: pl.DataFrame, lookups: Lookups) -> Checked:
    c = _Checks(frame)
    f = c.frame
    codes = {
        name: _optional_text(name, f, 200).str.to_uppercase().str.replace_all(".", "", literal=True)
        for name in ("diagnosis_codes", "procedure_codes", "atc_codes")
    }
    c.frame = f.with_columns(
        day("administered_on").alias("administered"),
        (number("dose") if "dose" in f.columns else pl.lit(None, pl.Float64)).alias("dose_n"),
        _optional_text("dose_unit", f, 20).alias("dose_unit_t"),
        _text("episode").str.slice(0, 40).alias("episode_t"),
        _atc_text("atc", f).alias("atc_in"),
        *[expr.alias(f"{name}_t") for name, expr in codes.items()],
    )
    _required(c, "administered_on", "Dato")
    _parsed(c, "administered_on", "administered", "Datoen er ikke en dato (2026-03-15).")
    _required(c, "episode", "Episode")
    if "dose" in f.columns:
        _number_in(c, "dose", "dose_n", "Dosen", low=0, high=DOSE)
    _units(c, lookups, required=True)
    _package_or_atc(c, lookups, "DIPS")
    _with_patient(c, lookups)
    c.frame = c.frame.with_columns(pl.col("administered").dt.month_start().alias("month"))
    out = c.result(
        [
            "administered",
            "month",
            "patient",
            "unit_code",
            "org_unit_id",
            "atc_v",
            "package_id",
            "dose_n",
            "dose_unit_t",
            "episode_t",
            "diagnosis_codes_t",
            "procedure_codes_t",
            "atc_codes_t",
        ]
    )
    out.rows = out.rows.rename(
        {
            "administered": "administered_on",
            "atc_v": "atc",
            "dose_n": "dose",
            "dose_unit_t": "dose_unit",
            "episode_t": "episode",
            "diagnosis_codes_t": "diagnosis_codes",
            "procedure_codes_t": "procedure_codes",
            "atc_codes_t": "atc_codes",
        }
    ).with_columns(pl.col("atc").fill_null("").str.slice(0, 7))
    return out


def check_dipsresept(frame: pl.DataFrame, lookups: Lookups) -> Checked:
    c = _Checks(frame)
    f = c.frame
    c.frame = f.with_columns(
        day("prescribed_on").alias("prescribed"),
        _hpr("prescriber_hpr").alias("hpr"),
        (number("quantity") if "quantity" in f.columns else pl.lit(None, pl.Float64)).alias(
            "quantity_n"
        ),
        _optional_text("dosage", f, 200).alias("dosage_t"),
        _atc_text("atc", f).alias("atc_in"),
    )
    if "unit" not in f.columns:
        c.frame = c.frame.with_columns(pl.lit(None, pl.String).alias("unit"))
    _required(c, "prescribed_on", "Dato")
    _parsed(c, "prescribed_on", "prescribed", "Datoen er ikke en dato (2026-03-15).")
    _required(c, "prescriber_hpr", "Forskriverens HPR-nummer")
    _parsed(c, "prescriber_hpr", "hpr", "HPR-nummeret skal ha 7 til 9 sifre.")
    if "quantity" in f.columns:
        _number_in(c, "quantity", "quantity_n", "Antall", low=-PACKS, high=PACKS)
    _units(c, lookups, required=False)
    _package_or_atc(c, lookups, "DIPS e-resept")
    _with_patient(c, lookups)
    c.frame = c.frame.with_columns(
        pl.col("prescribed").dt.month_start().alias("month"),
        pl.col("unit_code").fill_null(""),
    )
    out = c.result(
        [
            "prescribed",
            "month",
            "patient",
            "hpr",
            "unit_code",
            "org_unit_id",
            "atc_v",
            "package_id",
            "dosage_t",
            "quantity_n",
        ]
    )
    out.rows = out.rows.rename(
        {
            "prescribed": "prescribed_on",
            "hpr": "prescriber_hpr",
            "atc_v": "atc",
            "dosage_t": "dosage",
            "quantity_n": "quantity",
        }
    ).with_columns(pl.col("atc").fill_null("").str.slice(0, 7))
    return out


CHECKS: dict[str, Callable[[pl.DataFrame, Lookups], Checked]] = {
    "sls": check_sls,
    "hresept": check_hresept,
    "dips": check_dips,
    "dipsresept": check_dipsresept,
}
