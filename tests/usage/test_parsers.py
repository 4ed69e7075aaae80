"""Property-based tests of the parse and validate steps (no database)."""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from legemiddel.lib.pseudonym import fnr_problem
from legemiddel.lib.tabular import FileFormatError
from legemiddel.usage.reading import ROW, open_table
from legemiddel.usage.validation import Lookups, check_sls, day, month, number, varenr

from .files import with_check_digits

amounts = st.decimals(
    min_value=Decimal("-99999999.99"),
    max_value=Decimal("99999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)
dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31))


def _parse(expression_of, values: list[str | None]) -> list[object]:
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    return frame.select(expression_of("v")).to_series().to_list()


def _norwegian(value: Decimal, separator: str) -> str:
    """``-1 234 567,89`` with the given thousands separator."""
    sign = "-" if value < 0 else ""
    whole, _, fraction = f"{abs(value):.2f}".partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return sign + separator.join(groups) + "," + fraction


@given(value=amounts, separator=st.sampled_from(["", " ", "\u00a0", "."]))
def test_numbers_written_the_norwegian_way_parse(value, separator):
    [parsed] = _parse(number, [_norwegian(value, separator)])
    assert parsed == pytest.approx(float(value), abs=1e-6)


@given(value=amounts, padding=st.sampled_from(["", " ", "  "]))
def test_numbers_with_a_decimal_point_parse(value, padding):
    [parsed] = _parse(number, [f"{padding}{value:.2f}{padding}"])
    assert parsed == pytest.approx(float(value), abs=1e-6)


@given(text=st.text(alphabet="abcæøåXYZ-/%", min_size=1, max_size=8))
def test_text_that_is_not_a_number_gives_no_number(text):
    assert _parse(number, [text]) == [None]


@given(when=dates, form=st.sampled_from(["%Y-%m-%d", "%d.%m.%Y", "%Y%m%d", "%Y-%m-%d 00:00:00"]))
def test_dates_in_every_accepted_form_parse(when, form):
    assert _parse(day, [when.strftime(form)]) == [when]


@given(when=dates, form=st.sampled_from(["%Y-%m", "%m.%Y", "%Y%m", "%Y-%m-%d", "%d.%m.%Y"]))
def test_a_month_is_the_first_day_of_any_form_of_it(when, form):
    assert _parse(month, [when.strftime(form)]) == [when.replace(day=1)]


@given(day_=st.integers(32, 99), month_=st.integers(13, 99), year=st.integers(1900, 2099))
def test_impossible_dates_give_no_date(day_, month_, year):
    assert _parse(day, [f"{year}-{month_:02d}-{day_:02d}", f"{day_:02d}.{month_:02d}.{year}"]) == [
        None,
        None,
    ]


@given(code=st.integers(0, 999_999), pad=st.booleans())
def test_a_varenr_is_six_digits_with_its_leading_zeros_back(code, pad):
    text = f"{code:06d}" if pad else str(code)
    assert _parse(varenr, [text]) == [f"{code:06d}"]


@given(text=st.text(min_size=1, max_size=10).filter(lambda t: not t.strip().isdigit()))
def test_a_varenr_that_is_not_digits_gives_none(text):
    assert _parse(varenr, [text]) == [None]


@given(code=st.integers(1_000_000, 10**12))
def test_a_varenr_longer_than_six_digits_gives_none(code):
    assert _parse(varenr, [str(code)]) == [None]


@st.composite
def fodselsnummer(draw):
    born = draw(dates)
    kind = draw(st.sampled_from(["fnr", "d", "h", "synthetic", "synthetic-d"]))
    day_ = born.day + (40 if kind in {"d", "synthetic-d"} else 0)
    month_ = born.month + {"h": 40, "synthetic": 80, "synthetic-d": 80}.get(kind, 0)
    individual = draw(st.integers(0, 999))
    value = with_check_digits(f"{day_:02d}{month_:02d}{born.year % 100:02d}{individual:03d}")
    if value is None:  # no valid check digit for this base
        return "15076500565"
    return value


@given(value=fodselsnummer())
def test_every_valid_number_passes(value):
    assert fnr_problem(value) is None


@given(value=fodselsnummer(), position=st.integers(0, 10), delta=st.integers(1, 9))
def test_any_single_wrong_digit_is_caught(value, position, delta):
    digit = (int(value[position]) + delta) % 10
    wrong = value[:position] + str(digit) + value[position + 1 :]
    problem = fnr_problem(wrong)
    assert problem is not None
    assert wrong not in problem


# --- Reading and validating whole files ------------------------------------------------------

PACKAGES = {"100001": 27.5862, "100012": 28.5714, "012345": None}
CUSTOMERS = {"30100": 1, "30110": 2, "ÅSANE-1": 3}


def _lookups() -> Lookups:
    return Lookups(
        packages=pl.DataFrame(
            {
                "code": list(PACKAGES),
                "package_id": list(PACKAGES),
                "ddd_per_pack": list(PACKAGES.values()),
                "package_atc": ["L04AB04", "L04AB01", "A01AA01"],
            },
            schema={
                "code": pl.String,
                "package_id": pl.String,
                "ddd_per_pack": pl.Float64,
                "package_atc": pl.String,
            },
        ),
        customers=pl.DataFrame(
            {"code": list(CUSTOMERS), "org_unit_id": list(CUSTOMERS.values())},
            schema={"code": pl.String, "org_unit_id": pl.Int64},
        ),
        units=pl.DataFrame(schema={"code": pl.String, "org_unit_id": pl.Int64}),
        prescribers=pl.DataFrame(schema={"hpr": pl.String, "org_unit_id": pl.Int64}),
    )


sales_rows = st.lists(
    st.tuples(
        dates,
        st.sampled_from(list(CUSTOMERS)),
        st.sampled_from(list(PACKAGES)),
        st.integers(-5, 500),
        amounts,
        st.text(alphabet="abcæøåÆØÅ ,;\"'\t\n-", max_size=12),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=sales_rows,
    separator=st.sampled_from([";", ",", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    newline=st.sampled_from(["\n", "\r\n"]),
    chunk_bytes=st.integers(1, 300),
)
def test_any_valid_sales_file_reads_back_exactly(rows, separator, encoding, newline, chunk_bytes):
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator=newline)
    writer.writerow(["Periode", "Kundenr", "Varenr", "Antall", "Beløp eks mva", "Kundenavn"])
    for when, customer, code, quantity, amount, name in rows:
        written_amount = _norwegian(amount, " ") if separator != "," else f"{amount:.2f}"
        writer.writerow([f"{when:%Y-%m}", customer, code, quantity, written_amount, name])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sls.csv"
        path.write_bytes(buffer.getvalue().encode(encoding))
        # Tiny blocks: every record boundary, quoted line break and quote is a place to cut.
        table = open_table(path, "sls", chunk_bytes=chunk_bytes)
        try:
            checked = [check_sls(chunk, _lookups()) for chunk in table.chunks]
        finally:
            table.close()
    assert all(c.errors.height == 0 for c in checked)
    got = pl.concat([c.rows for c in checked]).sort(ROW)
    assert got.get_column(ROW).to_list() == list(range(2, len(rows) + 2))
    assert got.get_column("month").to_list() == [r[0].replace(day=1) for r in rows]
    assert got.get_column("org_unit_id").to_list() == [CUSTOMERS[r[1]] for r in rows]
    assert got.get_column("package_id").to_list() == [r[2] for r in rows]
    assert got.get_column("quantity").to_list() == [float(r[3]) for r in rows]
    assert got.get_column("amount").to_list() == pytest.approx([float(r[4]) for r in rows])
    expected_ddd = [
        r[3] * PACKAGES[r[2]] if PACKAGES[r[2]] is not None else None  # type: ignore[operator]
        for r in rows
    ]
    assert got.get_column("ddd").to_list() == pytest.approx(expected_ddd)


@settings(max_examples=40, deadline=None)
@given(
    header=st.lists(
        st.sampled_from(["periode", "kundenr", "varenr", "antall", "beløp", "notat", "x"]),
        min_size=1,
        max_size=7,
    )
)
def test_a_header_without_the_required_columns_is_refused_naming_what_is_missing(header):
    required = {"periode", "kundenr", "varenr", "antall", "beløp"}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sls.csv"
        path.write_text(";".join(header) + "\n" + ";".join("1" for _ in header) + "\n")
        if required <= set(header):
            open_table(path, "sls").close()
            return
        with pytest.raises(FileFormatError) as refused:
            open_table(path, "sls")
    message = str(refused.value)
    assert message.startswith("Mangler kolonne(r): ")
    assert "Fant: " in message


def test_errors_land_on_their_own_rows_in_a_large_chunk():
    """The checks keep a mask of bad rows while joins add columns: a join that reordered rows
    would blame the wrong lines. Scattered bad rows in 200 000 lines must come back exactly."""
    n = 200_000
    bad_quantity = set(range(7, n, 9_973))
    unknown_customer = set(range(11, n, 12_347)) - bad_quantity
    frame = pl.DataFrame(
        {
            "period": [f"2026-{(i % 12) + 1:02d}" for i in range(n)],
            "customer": ["39990" if i in unknown_customer else "30100" for i in range(n)],
            "varenr": ["100001" if i % 2 else "100012" for i in range(n)],
            "quantity": ["x" if i in bad_quantity else str(i % 50) for i in range(n)],
            "amount": ["10,5"] * n,
        }
    ).with_row_index(ROW, offset=2)
    checked = check_sls(frame, _lookups())
    errors = checked.errors
    assert set(errors.filter(pl.col("column") == "quantity").get_column("row")) == {
        i + 2 for i in bad_quantity
    }
    assert set(errors.filter(pl.col("column") == "customer").get_column("row")) == {
        i + 2 for i in unknown_customer
    }
    good = checked.rows.sort(ROW)
    assert good.height == n - len(bad_quantity) - len(unknown_customer)
    # Every accepted row still carries its own values.
    assert good.get_column("quantity").cast(pl.Int64).to_list() == [
        (r - 2) % 50 for r in good.get_column(ROW).to_list()
    ]
