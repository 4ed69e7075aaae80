"""Fixtures of the methods tests: a small FEST catalogue (substances, brands, packages with
ATC codes), a LIS area with a published agreement ranking them, methods as an import would
leave them (register), and decision lists in the public layout, written as the import tests
need them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import xlsxwriter
from django.utils import timezone

from legemiddel.agreements.models import Agreement, AgreementLine, TherapeuticArea
from legemiddel.catalogue.models import AtcCode, Brand, BrandSubstance, Package, Substance
from legemiddel.lib.text import fold
from legemiddel.methods.decisions import understand
from legemiddel.methods.ids import indication_key, normalise_method_id
from legemiddel.methods.importing import methods_import
from legemiddel.methods.models import Method, MethodType


def add_substance(fest_id: str, name: str, name_en: str = "", active: bool = True) -> Substance:
    return Substance.objects.create(
        fest_id=fest_id,
        name=name,
        name_en=name_en,
        active=active,
        content_hash="0" * 32,
        search_key=fold(f"{name} {name_en}")[:700],
    )


def add_atc(code: str) -> AtcCode:
    atc, _ = AtcCode.objects.get_or_create(code=code, defaults={"level": 5, "name": code})
    return atc


def add_brand(fest_id: str, trade_name: str, atc: str, *substances: Substance) -> Brand:
    brand = Brand.objects.create(
        fest_id=fest_id,
        trade_name=trade_name,
        name_form_strength=f"{trade_name} inj",
        atc=add_atc(atc),
        content_hash="0" * 32,
    )
    for order, substance in enumerate(substances):
        BrandSubstance.objects.create(brand=brand, substance=substance, sort_order=order)
    return brand


def add_package(varenr: str, brand: Brand) -> Package:
    return Package.objects.create(
        varenr=varenr,
        fest_id=f"P_{varenr}",
        name_form_strength=brand.name_form_strength,
        atc=brand.atc,
        brand=brand,
        content_hash="0" * 32,
    )


def add_method(
    method_id: str = "2023_001",
    indication: str = "Revmatoid artritt",
    substance_text: str = "Adalimumab",
    short: str = "Innført",
    full: str = "Adalimumab kan innføres til behandling av revmatoid artritt.",
    method_type: str = MethodType.DRUG,
    **extra,
) -> Method:
    """A method as the import leaves it: the decision understood, nothing confirmed."""
    seen = understand(short, full)
    values = {
        "method_id": normalise_method_id(method_id),
        "indication": indication,
        "indication_key": indication_key(indication),
        "substance_text": substance_text,
        "method_type": method_type,
        "decision_short": short,
        "decision_full": full,
        "decision_date": dt.date(2025, 6, 1),
        "suggested_status": seen.status,
        "conditions": seen.conditions,
        "price_condition": seen.price_condition,
        "effective_from": seen.effective_from,
        "effective_note": seen.effective_note,
        "changed_at": timezone.now(),
    }
    values.update(extra)
    return Method.objects.create(**values)


@pytest.fixture
def catalogue(db) -> dict[str, object]:
    """Adalimumab (two brands), tofacitinib as a salt, two «Interferon beta-1a»-like entries
    that make a name ambiguous, nivolumab + ipilimumab and their combination."""
    s = {
        "adalimumab": add_substance("S_ADA", "Adalimumab", "Adalimumab"),
        "tofa": add_substance("S_TOFA", "Tofacitinibsitrat", "Tofacitinib citrate"),
        "interferon_a": add_substance("S_IFN1", "Interferon beta", "Interferon beta-1a"),
        "interferon_b": add_substance("S_IFN2", "Interferon beta", "Interferon beta-1b"),
        "infliksimab": add_substance("S_INF", "Infliksimab", "Infliximab"),
        "nivolumab": add_substance("S_NIVO", "Nivolumab", "Nivolumab"),
        "ipilimumab": add_substance("S_IPI", "Ipilimumab", "Ipilimumab"),
        "old": add_substance("S_OLD", "Gammelstoff", "", active=False),
    }
    humira = add_brand("B_HUM", "Humira", "L04AB04", s["adalimumab"])
    hyrimoz = add_brand("B_HYR", "Hyrimoz", "L04AB04", s["adalimumab"])
    xeljanz = add_brand("B_XEL", "Xeljanz", "L04AF01", s["tofa"])
    remsima = add_brand("B_REM", "Remsima", "L04AB02", s["infliksimab"])
    opdivo = add_brand("B_OPD", "Opdivo", "L01FF01", s["nivolumab"])
    yervoy = add_brand("B_YER", "Yervoy", "L01FX04", s["ipilimumab"])
    combo = add_brand(
        "B_CMB", "Opdualag", "L01FY02", s["nivolumab"], add_substance("S_REL", "Relatlimab")
    )
    packages = {
        "100001": add_package("100001", humira),
        "100002": add_package("100002", hyrimoz),
        "100003": add_package("100003", xeljanz),
        "100004": add_package("100004", remsima),
        "100005": add_package("100005", opdivo),
        "100006": add_package("100006", yervoy),
        "100007": add_package("100007", combo),
    }
    return {"substances": s, "packages": packages}


@pytest.fixture
def tnf_area(catalogue) -> TherapeuticArea:
    """TNF BIO: a published agreement running now (Hyrimoz first, Humira third), a draft, and
    a published agreement starting next year."""
    area = TherapeuticArea.objects.create(code="TNF-BIO", name="TNF BIO")
    today = timezone.localdate()
    current = Agreement.objects.create(
        area=area, title="TNF 2025", region="Helse Vest", status=Agreement.Status.PUBLISHED,
        start=today - dt.timedelta(days=300), end=today + dt.timedelta(days=60),
    )  # fmt: skip
    coming = Agreement.objects.create(
        area=area, title="TNF 2027", region="Helse Vest", status=Agreement.Status.PUBLISHED,
        start=today + dt.timedelta(days=61), end=today + dt.timedelta(days=800),
    )  # fmt: skip
    packages = catalogue["packages"]
    AgreementLine.objects.create(
        agreement=current, package=packages["100002"], indication_group="RA", rank=1
    )
    AgreementLine.objects.create(
        agreement=current, package=packages["100001"], indication_group="RA", rank=3
    )
    AgreementLine.objects.create(
        agreement=current, package=packages["100004"], indication_group="RA", rank=2
    )
    AgreementLine.objects.create(
        agreement=coming, package=packages["100001"], indication_group="RA", rank=1
    )
    return area


@pytest.fixture
def jak_area(catalogue) -> TherapeuticArea:
    area = TherapeuticArea.objects.create(code="JAK", name="JAK-hemmere")
    agreement = Agreement.objects.create(
        area=area, title="JAK 2026", region="Helse Vest", status=Agreement.Status.PUBLISHED,
        start=dt.date(2026, 2, 1), end=dt.date(2028, 1, 31),
    )  # fmt: skip
    AgreementLine.objects.create(
        agreement=agreement, package=catalogue["packages"]["100003"], indication_group="RA", rank=1
    )
    return area


# --- Decision lists in the public layout (the import's tests) ---

HEADER = [
    "ID-nr",
    "Virkestoff",
    "Handelsenavn",
    "Bruksområde (indikasjon)",
    "Metodetype",
    "Fagområde",
    "Dato siste beslutning",
    "Gjeldende beslutning Kortversjon",
    "Gjeldende beslutning (Hele)",
]
EPOCH = dt.date(1899, 12, 30)


def serial(day: dt.date) -> int:
    """A date as Excel's serial number."""
    return (day - EPOCH).days


def row(
    method_id: str = "2019_073",
    substance: str = "Dupilumab",
    trade: str = "Dupixent",
    indication: str = "Atopisk dermatitt",
    kind: str = "Legemidler",
    specialty: str = "Hudsykdommer",
    day: object = 43787,
    short: str = "Dupilumab (Dupixent) kan innføres til behandling av atopisk dermatitt.",
    full: str = "1. Dupilumab (Dupixent) kan innføres til behandling av atopisk dermatitt.",
) -> list[object]:
    return [method_id, substance, trade, indication, kind, specialty, day, short, full]


def write_xlsx(path: Path, rows: list[list[object]], header: list[str] | None = None) -> Path:
    """An XLSX as the list is published: numbers as number cells (the dates are serials)."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, header or HEADER)
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values):
            if isinstance(value, int | float):
                sheet.write_number(r, c, value)
            elif isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()),
                                     book.add_format({"num_format": "dd.mm.yyyy"}))  # fmt: skip
            else:
                sheet.write_string(r, c, str(value))
    book.close()
    return path


def write_csv(
    path: Path, rows: list[list[object]], header: list[str] | None = None, sep: str = ";",
    encoding: str = "utf-8",
) -> Path:  # fmt: skip
    def field(value: object) -> str:
        text = str(value)
        return (
            '"' + text.replace('"', '""') + '"'
            if any(c in text for c in (sep, '"', "\n"))
            else text
        )

    lines = [sep.join(field(h) for h in (header or HEADER))]
    lines += [sep.join(field(v) for v in values) for values in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


@pytest.fixture
def import_list(tmp_path, db):
    """``import_list(rows, name="liste.xlsx", actor=None)`` writes and imports a list."""
    counter = iter(range(1000))

    def run(rows: list[list[object]], name: str = "liste.xlsx", actor=None, **kwargs):
        path = tmp_path / f"{next(counter)}-{name}"
        if name.endswith(".csv"):
            write_csv(path, rows, **kwargs)
        else:
            write_xlsx(path, rows, **kwargs)
        return methods_import(path=path, actor=actor, file_name=name)

    return run
