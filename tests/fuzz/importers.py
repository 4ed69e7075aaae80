"""Every importer, joined to the fuzzing harness. See README.md beside this file to add one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from legemiddel.agreements.importer import PROFILE as AGREEMENT_PROFILE
from legemiddel.agreements.models import AgreementLine
from legemiddel.agreements.services import agreement_import_lines
from legemiddel.catalogue.models import AtcCode
from legemiddel.catalogue.services.atc_import import PROFILE as ATC_PROFILE
from legemiddel.core import jobs
from legemiddel.lib.profiles import load_profile
from legemiddel.methods.ids import indication_key, normalise_method_id
from legemiddel.methods.models import Method
from legemiddel.methods.reading import EXCEL_EPOCH, METHOD_TYPES
from legemiddel.methods.reading import PROFILE as METHODS_PROFILE
from legemiddel.organisation import importers as org_importers
from legemiddel.organisation.models import ExternalSite, HealthPersonnel, OrgUnit
from legemiddel.usage.models import Administration, Dispensing, EPrescription, SalesLine
from legemiddel.usage.reading import profile as usage_profile
from tests.fuzz import fest, world
from tests.fuzz.harness import Importer, Keys, Row, register

# Letters a valid free-text value is made of: Norwegian, all in Windows-1252.
NAME = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzæøåABCDEFGHIJKLMNOPQRSTUVWXYZÆØÅ -.'&()/0123456789",
    min_size=1,
    max_size=30,
).filter(lambda s: s.strip() != "")


def job(key: str) -> Callable[..., Any]:
    """Run a file the way the worker does: the job kind's ``run`` from the registry."""

    def run(path: Path, **options: Any) -> Any:
        return jobs.get(key).run(path=path, actor=None, file_name=path.name, **options)

    return run


def _cased(value: str) -> st.SearchStrategy[str]:
    return st.sampled_from((value, value.upper(), value.capitalize()))


# --- Organisation -----------------------------------------------------------------------------


@st.composite
def organisation_rows(draw: st.DrawFn) -> list[Row]:
    """New clinics, departments and units below the world's, with their own cost centres."""
    clinics, departments = list(world.CLINICS), list(world.DEPARTMENTS)
    rows: list[Row] = []
    for i in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(("klinikk", "avdeling", "enhet", "kommune", "legekontor")))
        code = f"FZ-{i}"
        row: Row = {"type": draw(_cased(kind)), "code": code, "name": draw(NAME)}
        if kind == "avdeling":
            row["parent"] = draw(st.sampled_from(clinics))
            departments.append(code)
        elif kind == "enhet":
            row["parent"] = draw(st.sampled_from(departments))
            if draw(st.booleans()):
                row["cost_centres"] = f"5{i:04d}"
        elif kind == "klinikk":
            clinics.append(code)
        elif kind == "kommune":
            row["code"] = f"9{i:03d}"
        rows.append(row)
    return rows


def _org_keys() -> Keys:
    return set(OrgUnit.objects.values_list("code", flat=True)) | {
        f"site:{c}" for c in ExternalSite.objects.values_list("code", flat=True)
    }


def _org_expected(rows: list[Row]) -> Keys:
    return {
        r["code"] if r["type"].lower() in ("klinikk", "avdeling", "enhet") else f"site:{r['code']}"
        for r in rows
    }


register(
    Importer(
        key="org",
        tables=("organisation.OrgUnit", "organisation.CostCentre", "organisation.ExternalSite"),
        profile=lambda: org_importers.profile("organisation"),
        rows=organisation_rows,
        run=job("org"),
        stored=_org_keys,
        keys=_org_expected,
        content=lambda: sorted(OrgUnit.objects.values_list("code", "name", "parent_id", "level")),
        seed=world.seed,
    )
)


# --- Personnel --------------------------------------------------------------------------------


@st.composite
def personnel_rows(draw: st.DrawFn) -> list[Row]:
    rows: list[Row] = []
    for i in range(draw(st.integers(1, 8))):
        row: Row = {
            "hpr_number": f"{2000000 + i}",
            "name": draw(NAME),
            "category": draw(st.sampled_from(sorted(org_importers.PERSONNEL_CATEGORIES))),
        }
        places = draw(st.lists(st.sampled_from(world.UNITS), unique=True, max_size=2))
        if places:
            row["workplaces"] = draw(st.sampled_from((" ", "|"))).join(places)
        if draw(st.booleans()):
            row["is_specialist"] = draw(st.sampled_from(("ja", "nei", "Ja", "")))
        if draw(st.booleans()):
            row["email"] = f"lege{i}@helse-fuzz.no"
        rows.append(row)
    return rows


register(
    Importer(
        key="personnel",
        tables=("organisation.HealthPersonnel", "organisation.Affiliation"),
        profile=lambda: org_importers.profile("personnel"),
        rows=personnel_rows,
        run=job("personnel"),
        stored=lambda: set(HealthPersonnel.objects.values_list("hpr_number", flat=True)),
        keys=lambda rows: {r["hpr_number"] for r in rows},
        content=lambda: sorted(HealthPersonnel.objects.values_list("hpr_number", "name", "email")),
        seed=world.seed,
    )
)


# --- ATC names --------------------------------------------------------------------------------

ATC_CODE = st.builds(
    lambda group, digits, a, b, tail, level: (group + digits + a + b + tail)[:level],
    st.sampled_from("ABCDGHJLMNPRSV"),
    st.integers(1, 99).map(lambda n: f"{n:02d}"),
    st.sampled_from("ABCDEFGHX"),
    st.sampled_from("ABCDEFGHX"),
    st.integers(1, 99).map(lambda n: f"{n:02d}"),
    st.sampled_from((1, 3, 4, 5, 7)),
)


@st.composite
def atc_rows(draw: st.DrawFn) -> list[Row]:
    codes = draw(st.lists(ATC_CODE, min_size=1, max_size=8, unique=True))
    return [{"code": draw(_cased(code)), "name": draw(NAME)} for code in codes]


register(
    Importer(
        key="atc",
        tables=("catalogue.AtcCode",),
        profile=lambda: load_profile(ATC_PROFILE),
        rows=atc_rows,
        run=job("atc"),
        stored=lambda: set(
            AtcCode.objects.filter(name_source=AtcCode.NameSource.FILE).values_list("code", "name")
        ),
        keys=lambda rows: {(r["code"].upper(), r["name"].strip()[:300]) for r in rows},
        content=lambda: sorted(AtcCode.objects.values_list("code", "name", "name_source")),
        seed=world.seed,
    )
)


# --- LIS agreement sheets ---------------------------------------------------------------------


@st.composite
def agreement_rows(draw: st.DrawFn) -> list[Row]:
    """Indication groups with ranks 1, 2, ... of distinct packages of the catalogue."""
    rows: list[Row] = []
    for group in draw(st.lists(NAME, min_size=1, max_size=3, unique_by=str.casefold)):
        patients = draw(st.sampled_from(("alle", "nye", "bytte", "")))
        # One start for the whole group: ranks must run 1, 2, ... on every day.
        starts = ""
        if draw(st.booleans()):
            day = world.AGREEMENT_START + dt.timedelta(days=draw(st.integers(0, 700)))
            starts = day.strftime("%d.%m.%Y")
        packages = draw(
            st.lists(st.sampled_from(world.PACKAGES), min_size=1, max_size=4, unique=True)
        )
        for rank, varenr in enumerate(packages, start=1):
            basis = draw(st.sampled_from(("ddd", "år", "kur", "")))
            row: Row = {
                "indication_group": group.strip(),
                "patient_group": patients,
                "rank": str(rank),
                "varenr": draw(st.sampled_from((varenr, varenr.lstrip("0")))),
                "cost_basis": basis,
            }
            if basis in ("år", "kur") or draw(st.booleans()):
                row["packs_per_period"] = str(draw(st.integers(1, 99)))
            if draw(st.booleans()):
                cents = draw(st.integers(0, 10**9))
                row["lis_price"] = f"{cents // 100},{cents % 100:02d}"
            if starts:
                row["valid_from"] = starts
            if draw(st.booleans()):
                row["dosing"] = draw(NAME)
            rows.append(row)
    return rows


def _agreement_keys() -> Keys:
    return set(
        AgreementLine.objects.filter(agreement=world.agreement()).values_list(
            "indication_group", "rank", "package_id"
        )
    )


register(
    Importer(
        key="agreement",
        tables=("agreements.AgreementLine",),
        profile=lambda: load_profile(AGREEMENT_PROFILE),
        rows=agreement_rows,
        run=lambda path: agreement_import_lines(
            agreement=world.agreement(), data=path.read_bytes(), file_name=path.name, actor=None
        ),
        stored=_agreement_keys,
        keys=lambda rows: {
            (r["indication_group"], int(r["rank"]), r["varenr"].zfill(6)) for r in rows
        },
        content=lambda: sorted(
            AgreementLine.objects.values_list("id", "package_id", "rank", "lis_price")
        ),
        seed=world.seed,
    )
)


# --- Usage: SLS, H-resept, DIPS, DIPS e-resept ------------------------------------------------

DAY = st.dates(dt.date(2024, 1, 1), dt.date(2026, 6, 30))


def _date_text(day: dt.date, style: int) -> str:
    return (day.isoformat(), day.strftime("%d.%m.%Y"), day.strftime("%Y%m%d"))[style]


def _amount(i: int, cents: int) -> str:
    # The row's own number first, so each row's amount is unique: its key.
    return f"{i + 1}{cents:02d},{cents % 100:02d}"


@st.composite
def sls_rows(draw: st.DrawFn) -> list[Row]:
    rows = []
    for i in range(draw(st.integers(1, 8))):
        day = draw(DAY)
        rows.append(
            {
                "period": draw(st.sampled_from((day.strftime("%Y-%m"), day.strftime("%m.%Y")))),
                "customer": draw(st.sampled_from((*world.COST_CENTRES, *world.UNITS))),
                "varenr": draw(st.sampled_from(world.PACKAGES)),
                "quantity": str(draw(st.integers(-5, 500))),
                "amount": _amount(i, draw(st.integers(0, 99))),
            }
        )
    return rows


@st.composite
def hresept_rows(draw: st.DrawFn) -> list[Row]:
    rows = []
    for i in range(draw(st.integers(1, 8))):
        row = {
            "dispensed_on": _date_text(draw(DAY), draw(st.integers(0, 2))),
            "patient": draw(st.sampled_from(world.PATIENTS)),
            "varenr": draw(st.sampled_from(world.PACKAGES)),
            "quantity": str(draw(st.integers(1, 50))),
            "amount": _amount(i, draw(st.integers(0, 99))),
        }
        if draw(st.booleans()):
            row["prescriber_hpr"] = draw(st.sampled_from(world.PRESCRIBERS))
        rows.append(row)
    return rows


@st.composite
def dips_rows(draw: st.DrawFn) -> list[Row]:
    rows = []
    for i in range(draw(st.integers(1, 8))):
        row = {
            "administered_on": _date_text(draw(DAY), draw(st.integers(0, 2))),
            "patient": draw(st.sampled_from(world.PATIENTS)),
            "unit": draw(st.sampled_from(world.UNITS)),
            "varenr": draw(st.sampled_from(world.PACKAGES)),
            "episode": f"EP{i}",
        }
        if draw(st.booleans()):
            row["dose"] = str(draw(st.integers(1, 500)))
            row["dose_unit"] = "mg"
        rows.append(row)
    return rows


@st.composite
def dipsresept_rows(draw: st.DrawFn) -> list[Row]:
    rows = []
    for i in range(draw(st.integers(1, 8))):
        row = {
            "prescribed_on": _date_text(draw(DAY), draw(st.integers(0, 2))),
            "patient": draw(st.sampled_from(world.PATIENTS)),
            "prescriber_hpr": draw(st.sampled_from(world.PRESCRIBERS)),
            "varenr": draw(st.sampled_from(world.PACKAGES)),
            "dosage": f"D{i} 1 x daglig",
        }
        if draw(st.booleans()):
            row["unit"] = draw(st.sampled_from(world.UNITS))
        rows.append(row)
    return rows


def _amount_value(text: str) -> float:
    return round(float(text.replace(",", ".")), 2)


USAGE: dict[str, tuple[Any, Callable[[], Keys], Callable[[list[Row]], Keys]]] = {
    "sls": (
        sls_rows,
        lambda: {round(a, 2) for a in SalesLine.objects.values_list("amount", flat=True)},
        lambda rows: {_amount_value(r["amount"]) for r in rows},
    ),
    "hresept": (
        hresept_rows,
        lambda: {round(a, 2) for a in Dispensing.objects.values_list("amount", flat=True)},
        lambda rows: {_amount_value(r["amount"]) for r in rows},
    ),
    "dips": (
        dips_rows,
        lambda: set(Administration.objects.values_list("episode", flat=True)),
        lambda rows: {r["episode"] for r in rows},
    ),
    "dipsresept": (
        dipsresept_rows,
        lambda: set(EPrescription.objects.values_list("dosage", flat=True)),
        lambda rows: {r["dosage"] for r in rows},
    ),
}


TABLES = {
    "sls": "usage.SalesLine",
    "hresept": "usage.Dispensing",
    "dips": "usage.Administration",
    "dipsresept": "usage.EPrescription",
}


def _usage_run(source: str) -> Callable[..., Any]:
    run = job(source)

    def usage(path: Path, accept_valid: bool = False) -> Any:
        return run(path, accept_valid=accept_valid)

    return usage


for _source, (_rows, _stored, _keys) in USAGE.items():
    register(
        Importer(
            key=_source,
            tables=(TABLES[_source], "usage.MonthlyUsage"),
            profile=lambda source=_source: usage_profile(source),
            rows=_rows,
            run=_usage_run(_source),
            stored=_stored,
            keys=_keys,
            seed=world.seed,
            options=st.fixed_dictionaries({"accept_valid": st.booleans()}),
            # Unknown codes are kept for the mapping page even from a refused file.
            kept_on_rejection=frozenset({"usage.UnknownCode"}),
        )
    )


# --- Decisions in Nye metoder -----------------------------------------------------------------


@st.composite
def method_rows(draw: st.DrawFn) -> list[Row]:
    """Rows of the decision list: distinct ID + indication (an ID may have two indications),
    every ID form, serial and text dates, 0 for none, the three method types."""
    rows: list[Row] = []
    for i in range(draw(st.integers(1, 8))):
        year, number = 2015 + i % 10, 10 + i
        suffix = draw(st.sampled_from(("", " A", "B")))
        form = draw(st.sampled_from(("{y}_{n:03d}{s}", "ID{y}_{n:03d}{s}", "id{y}_{n:03d}{s}")))
        method_id = form.format(y=year, n=number, s=suffix)
        for j in range(draw(st.integers(1, 2))):
            day = draw(st.integers(32874, 73050))  # 1990 to 2100 as Excel serials
            rows.append(
                {
                    "method_id": method_id,
                    "substance": draw(NAME),
                    "trade_names": draw(NAME),
                    "indication": f"{draw(NAME).strip()} {i}-{j}",
                    "method_type": draw(st.sampled_from(sorted(METHOD_TYPES))),
                    "specialty": draw(NAME),
                    "decision_date": draw(
                        st.sampled_from(
                            (
                                str(day),
                                "0",
                                "",
                                (EXCEL_EPOCH + dt.timedelta(days=day)).strftime("%d.%m.%Y"),
                            )
                        )
                    ),
                    "decision_short": draw(NAME),
                    "decision_full": draw(st.one_of(st.just(""), NAME)),
                }
            )
    return rows


register(
    Importer(
        key="metoder",
        tables=(
            "methods.Method",
            "methods.MethodRow",
            "methods.MethodImport",
            "methods.Specialty",
        ),
        profile=lambda: load_profile(METHODS_PROFILE),
        rows=method_rows,
        run=job("metoder"),
        stored=lambda: set(Method.objects.values_list("method_id", "indication_key")),
        keys=lambda rows: {
            (normalise_method_id(r["method_id"]), indication_key(r["indication"])) for r in rows
        },
        content=lambda: sorted(
            Method.objects.values_list("method_id", "indication_key", "decision_short", "listed")
        ),
        seed=world.seed,
    )
)


# --- FEST XML ---------------------------------------------------------------------------------

register(fest.IMPORTER)
