"""Parse an agreement's products from a spreadsheet (docs/formats/lis-avtaler.md).

Pure functions: :func:`parse_lines` checks each row on its own, :func:`rank_problems` and
:func:`overlap_problems` check the lines together. The service adds what needs the database
(unknown varenr, the agreement's period). The columns and their header spellings are in
``profiles/agreement.yaml``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from legemiddel.lib.profiles import load_profile
from legemiddel.lib.tabular import FileFormatError, RowError, file_errors, read_table

PROFILE = Path(__file__).resolve().parent / "profiles" / "agreement.yaml"

# No tender ranks this many products; the cap also keeps the gap check's work small.
MAX_RANK = 99

PATIENT_GROUPS = {
    "": "all",
    "alle": "all",
    "all": "all",
    "nye": "new",
    "nye pasienter": "new",
    "oppstart": "new",
    "new": "new",
    "bytte": "switch",
    "bytte (switch)": "switch",
    "switch": "switch",
    "eksisterende": "switch",
}
COST_BASES = {
    "": "ddd",
    "ddd": "ddd",
    "døgndose": "ddd",
    "år": "year",
    "per år": "year",
    "year": "year",
    "kur": "course",
    "per kur": "course",
    "course": "course",
}


@dataclass(frozen=True)
class LineRecord:
    row: int
    indication_group: str
    patient_group: str
    rank: int
    varenr: str
    lis_price: Decimal | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    cost_basis: str
    packs_per_period: Decimal | None
    dosing: str
    conditions: str
    comment: str


def parse_date(text: str) -> dt.date | None:
    """``dd.mm.yyyy`` (Norwegian), ``yyyy-mm-dd`` (ISO, and what a spreadsheet date becomes)."""
    text = text.strip()
    if not text:
        return None
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def parse_amount(text: str) -> Decimal | None:
    """``4 321,17``, ``4.321,17``, ``4321.17``, ``4,321.17``, ``4 321,17 kr``; ``None`` when
    empty. With both a comma and a point, the last one is the decimal separator."""
    cleaned = re.sub(r"(?i)\s|kr|nok|\u00a0", "", text)
    if not cleaned:
        return None
    if "," in cleaned and cleaned.rfind(".") > cleaned.rfind(","):
        cleaned = cleaned.replace(",", "")
    elif "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    # Plain digits only: Decimal would also take "1e-999999", "NaN" and "1_000", and
    # PostgreSQL cannot store the first.
    if not re.fullmatch(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)", cleaned):
        raise ValueError(text)
    return Decimal(cleaned)


def parse_lines(data: bytes) -> tuple[list[LineRecord], list[RowError]]:
    """Read the rows of an agreement file; each row is checked on its own."""
    try:
        _, rows = read_table(data, load_profile(PROFILE))
    except FileFormatError as exc:
        return [], file_errors(exc)
    records: list[LineRecord] = []
    errors: list[RowError] = []
    for number, row in rows:
        problems: list[RowError] = []

        def fail(
            column: str,
            value: str,
            message: str,
            number: int = number,
            problems: list[RowError] = problems,
        ) -> None:
            problems.append(RowError(number, column, value, message))

        group = row.get("indication_group", "")
        if not group:
            fail("indikasjonsgruppe", "", "indikasjonsgruppe mangler")
        elif len(group) > 200:
            fail("indikasjonsgruppe", group[:50], "kan ha høyst 200 tegn")
        patient_text = row.get("patient_group", "")
        patient_group = PATIENT_GROUPS.get(patient_text.lower(), "")
        if not patient_group:
            fail("pasientgruppe", patient_text, "skriv alle, nye eller bytte")
        rank_text = row.get("rank", "")
        # isdecimal, not isdigit: "²" is a digit that int() refuses.
        # Length first: int() refuses more than 4 300 digits, and no rank has five.
        rank = (
            (MAX_RANK + 1 if len(rank_text) > 4 else int(rank_text)) if rank_text.isdecimal() else 0
        )
        if rank < 1:
            fail("rang", rank_text, "rang er et helt tall fra 1 (1 er førstevalg)")
        elif rank > MAX_RANK:
            fail("rang", rank_text, f"rang kan være høyst {MAX_RANK}")
        varenr = row.get("varenr", "").replace(" ", "")
        if varenr.isdigit() and len(varenr) < 6:
            # Spreadsheets drop the leading zeros of a number column.
            varenr = varenr.zfill(6)
        if not re.fullmatch(r"\d{6}", varenr):
            fail("varenr", row.get("varenr", ""), "varenr har seks sifre")
        price: Decimal | None = None
        try:
            price = parse_amount(row.get("lis_price", ""))
        except ValueError:
            fail("lis-pris", "", "er ikke et beløp; skriv for eksempel 4321,17")
        else:
            if price is not None and (price < 0 or price >= Decimal("1e12")):
                fail("lis-pris", "", "beløpet må være mellom 0 og 999 999 999 999")
        dates: list[dt.date | None] = []
        for key, column in (("valid_from", "gyldig fra"), ("valid_to", "gyldig til")):
            try:
                dates.append(parse_date(row.get(key, "")))
            except ValueError:
                dates.append(None)
                fail(column, row.get(key, ""), "er ikke en dato; skriv dd.mm.åååå")
        valid_from, valid_to = dates
        if valid_from and valid_to and valid_to < valid_from:
            fail("gyldig til", row.get("valid_to", ""), "er før gyldig fra")
        basis_text = row.get("cost_basis", "")
        basis = COST_BASES.get(basis_text.lower(), "")
        if not basis:
            fail("kostnad per", basis_text, "skriv ddd, år eller kur")
        packs: Decimal | None = None
        try:
            packs = parse_amount(row.get("packs_per_period", ""))
        except ValueError:
            fail("pakninger per periode", row.get("packs_per_period", ""), "er ikke et tall")
        else:
            if packs is not None and not (0 < packs < 100_000):
                fail("pakninger per periode", str(packs), "må være større enn 0")
        if basis in {"year", "course"} and packs is None:
            fail(
                "pakninger per periode",
                "",
                "trengs når kostnaden regnes per år eller per kur (fra doseringen)",
            )
        for key, column, limit in (
            ("dosing", "dosering", 200),
            ("conditions", "vilkår", 500),
            ("comment", "kommentar", 500),
        ):
            if len(row.get(key, "")) > limit:
                fail(column, row.get(key, "")[:50], f"kan ha høyst {limit} tegn")
        if problems:
            errors.extend(problems)
            continue
        records.append(
            LineRecord(
                row=number,
                indication_group=group,
                patient_group=patient_group,
                rank=rank,
                varenr=varenr,
                lis_price=price,
                valid_from=valid_from,
                valid_to=valid_to,
                cost_basis=basis,
                packs_per_period=packs,
                dosing=row.get("dosing", ""),
                conditions=row.get("conditions", ""),
                comment=row.get("comment", ""),
            )
        )
    return records, rows.named(errors)


@dataclass(frozen=True)
class Ranked:
    """What the rank checks need of a line, from a file or from the database."""

    row: int  # file row, or 0 for a line already in the register
    indication_group: str
    patient_group: str
    rank: int
    varenr: str
    starts: dt.date
    ends: dt.date


def rank_problems(lines: Sequence[Ranked]) -> list[RowError]:
    """Gaps in the ranks, and one product ranked twice at the same time in the same group.

    With mid-period changes the ranks must be 1, 2, ... without a gap on every day, so the
    check runs on each stretch of days between the lines' start and end dates.
    """
    problems: list[RowError] = []
    groups: dict[tuple[str, str], list[Ranked]] = defaultdict(list)
    for line in lines:
        groups[(line.indication_group.casefold(), line.patient_group)].append(line)
    for members in groups.values():
        days = sorted(
            {m.starts for m in members} | {m.ends + dt.timedelta(days=1) for m in members}
        )
        reported: set[str] = set()
        for day in days:
            valid = [m for m in members if m.starts <= day <= m.ends]
            if not valid:
                continue
            ranks = sorted({m.rank for m in valid})
            missing = sorted(set(range(1, ranks[-1] + 1)) - set(ranks))
            name = members[0].indication_group
            if missing and name + "gap" not in reported:
                reported.add(name + "gap")
                first = min(valid, key=lambda m: m.row or 10**9)
                problems.append(
                    RowError(
                        first.row,
                        "rang",
                        ", ".join(map(str, ranks)),
                        f"«{name}» mangler rang {', '.join(map(str, missing))} "
                        f"fra {day:%d.%m.%Y}; rangene må gå 1, 2, 3 … uten hull",
                    )
                )
            seen: dict[str, Ranked] = {}
            for m in sorted(valid, key=lambda m: m.row):
                if m.varenr in seen and m.varenr + name not in reported:
                    reported.add(m.varenr + name)
                    problems.append(
                        RowError(
                            m.row,
                            "varenr",
                            m.varenr,
                            f"står to ganger i «{name}» på samme tid"
                            + (f" (også rad {seen[m.varenr].row})" if seen[m.varenr].row else ""),
                        )
                    )
                seen[m.varenr] = m
    return problems


def overlaps(a_start: dt.date, a_end: dt.date, b_start: dt.date, b_end: dt.date) -> bool:
    return a_start <= b_end and b_start <= a_end


def normalised_region(region: str) -> str:
    return " ".join(region.casefold().split())


def unknown_varenr(records: Iterable[LineRecord], known: set[str]) -> list[RowError]:
    return [
        RowError(r.row, "varenr", r.varenr, "finnes ikke i legemiddelkatalogen (FEST)")
        for r in records
        if r.varenr not in known
    ]
