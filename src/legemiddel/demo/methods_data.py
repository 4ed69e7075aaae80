"""The demo's decision list from Nye metoder, in the public layout (XLSX, Excel serial dates),
in two versions: the list as of autumn 2025 and a later one with a changed decision, a new
method, another trade name and a removed row, so the versions page and its difference have
something to show. Both are imported as the core group would, in order, once.

What the other parts of the demo rely on:

- dupilumab is **not introduced for severe asthma** (ID2023_041, decided 19.05.2025, in the
  middle of the usage period) but introduced for atopic dermatitis (ID2018_120): dispensings
  with refund code J45 after the decision contradict it;
- trastuzumab deruxtecan for HER2-low breast cancer is **under assessment** (ID2022_097);
- faricimab is introduced on a price condition from the start of the anti-VEGF LIS agreement
  (01.06.2025), with a letter-suffixed ID (``2021_110 A`` / ``2021_110 B``);
- pembrolizumab has one ID with two indications (ID2016_036);
- cemiplimab goes from under assessment to introduced in the second version.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from django.db import transaction
from django.utils import timezone

from legemiddel.accounts.models import User
from legemiddel.methods.budget import budget_expectation_save
from legemiddel.methods.importing import methods_import
from legemiddel.methods.models import Method, MethodImport, Specialty
from legemiddel.organisation.models import OrgUnit

HEADER = (
    "ID-nr",
    "Virkestoff",
    "Handelsenavn",
    "Bruksområde (indikasjon)",
    "Metodetype",
    "Fagområde",
    "Dato siste beslutning",
    "Gjeldende beslutning Kortversjon",
    "Gjeldende beslutning (Hele)",
)
FILES = ("Nye metoder beslutninger 2025-10.xlsx", "Nye metoder beslutninger 2026-03.xlsx")
EPOCH = dt.date(1899, 12, 30)
DRUG = "Legemidler"
DEVICE = "Medisinsk utstyr, diagnostikk og tester"
PROCEDURE = "Prosedyrer og organisatoriske tiltak"
# Specialties in the list -> the demo's units whose leaders hear of changes. «Medisinsk
# genetikk» is left unmapped, so the versions page shows what is still to map.
SPECIALTY_UNITS = {
    "Fordøyelsessykdommer": ("MED-GAST", "HDS-GAST"),
    "Hudsykdommer": ("HUD-AVD",),
    "Lungesykdommer": ("MED-LUN",),
    "Øyesykdommer": ("AUGE-AVD",),
    "Nevrologi": ("NEVRO-NEV",),
    "Kreft": ("KREFT-ONK",),
    "Revmatologi": ("MED-REV", "BUK-REV"),
    "Hjerte- og karsykdommer": ("HJERTE-AVD",),
    "Endokrinologi": ("MED-END",),
}

Row = tuple[str, str, str, str, str, str, dt.date | None, str, str]

PRICE = (
    " Det forutsetter at prisen er lik eller lavere enn prisen som ligger til grunn for "
    "beslutningen."
)
ANTI_VEGF = (
    " Det forutsetter at prisen er lik eller lavere enn prisen på aflibercept. Metoden kan tas i "
    "bruk fra den nye LIS-avtalen for anti-VEGF trer i kraft 01.06.2025."
)
NOT_ASTHMA = (
    "2. Dokumentasjonen viser ikke tilstrekkelig tilleggsnytte sammenlignet med dagens "
    "behandling, og prisen er for høy i forhold til nytten.\n"
    "3. Pasienter som allerede har startet behandling, kan fullføre den."
)
# ID, substance, trade name, indication, type, specialty, decision date, outcome, what follows
# the first sentence. Outcome: «inn» introduced, «ikke» not introduced, «vurdering» under
# assessment. Version 2 replaces or adds the rows in CHANGES and drops the IDs in REMOVED.
Spec = tuple[str, str, str, str, str, str, dt.date | None, str, str]
D = dt.date
LIST: tuple[Spec, ...] = (
    ("2016_051", "Adalimumab", "Humira, Amgevita", "Crohns sykdom og ulcerøs kolitt",
     DRUG, "Fordøyelsessykdommer", D(2017, 4, 24), "inn", ""),
    ("2018_120", "Dupilumab", "Dupixent", "Moderat til alvorlig atopisk dermatitt hos voksne",
     DRUG, "Hudsykdommer", D(2019, 11, 18), "inn", PRICE),
    ("ID2023_041", "Dupilumab", "Dupixent",
     "Alvorlig astma med type 2-inflammasjon hos voksne og ungdom fra 12 år",
     DRUG, "Lungesykdommer", D(2025, 5, 19), "ikke", NOT_ASTHMA),
    ("2019_094", "Mepolizumab", "Nucala", "Alvorlig eosinofil astma",
     DRUG, "Lungesykdommer", D(2019, 3, 18), "inn", ""),
    ("2021_110 A", "Faricimab", "Vabysmo", "Neovaskulær (våt) aldersrelatert makuladegenerasjon",
     DRUG, "Øyesykdommer", D(2025, 4, 22), "inn", ANTI_VEGF),
    ("2021_110 B", "Faricimab", "Vabysmo", "Nedsatt syn som følge av diabetisk makulaødem",
     DRUG, "Øyesykdommer", D(2025, 4, 22), "inn", ANTI_VEGF),
    ("2019_121", "Brolucizumab", "Beovu", "Neovaskulær (våt) aldersrelatert makuladegenerasjon",
     DRUG, "Øyesykdommer", D(2020, 9, 21), "inn", PRICE),
    ("2017_017", "Okrelizumab", "Ocrevus", "Tidlig primær progressiv multippel sklerose",
     DRUG, "Nevrologi", D(2019, 10, 21), "inn", PRICE),
    ("2018_007", "Erenumab", "Aimovig", "Forebygging av migrene hos voksne",
     DRUG, "Nevrologi", D(2020, 2, 24), "inn",
     " Behandlingen er forbeholdt pasienter som har prøvd minst tre andre forebyggende "
     "legemidler uten effekt."),
    ("2016_036", "Pembrolizumab", "Keytruda", "Ikke-småcellet lungekreft, førstelinjebehandling",
     DRUG, "Kreft", D(2017, 9, 25), "inn", PRICE),
    ("2016_036", "Pembrolizumab", "Keytruda", "Avansert melanom",
     DRUG, "Kreft", D(2017, 9, 25), "inn", PRICE),
    ("2020_085", "Trastuzumab derukstekan", "Enhertu", "HER2-positiv metastatisk brystkreft",
     DRUG, "Kreft", D(2022, 6, 20), "inn", PRICE),
    ("2022_097", "Trastuzumab derukstekan", "Enhertu", "HER2-lav metastatisk brystkreft",
     DRUG, "Kreft", None, "vurdering", ""),
    ("2024_012", "Cemiplimab", "Libtayo", "Lokalavansert eller metastatisk plateepitelkarsinom i hud",
     DRUG, "Kreft", None, "vurdering", ""),
    ("2019_120", "Upadacitinib", "Rinvoq", "Moderat til alvorlig aktiv revmatoid artritt",
     DRUG, "Revmatologi", D(2020, 5, 25), "inn", PRICE),
    ("2017_045", "Evolokumab", "Repatha", "Familiær hyperkolesterolemi",
     DRUG, "Hjerte- og karsykdommer", D(2018, 6, 11), "inn",
     " Det forutsetter at pasienten ikke når behandlingsmålet med statiner og ezetimib."),
    ("2019_140", "", "", "Kontinuerlig glukosemåling hos barn og unge med diabetes type 1",
     DEVICE, "Endokrinologi", D(2020, 1, 27), "inn", ""),
    ("2021_062", "", "", "Helgenomsekvensering ved mistanke om sjelden arvelig sykdom",
     DEVICE, "Medisinsk genetikk", None, "vurdering", ""),
    ("2018_033", "", "", "Mekanisk trombektomi ved akutt hjerneinfarkt",
     PROCEDURE, "Nevrologi", D(2018, 9, 24), "inn", ""),
    ("2016_090", "", "", "Robotassistert kirurgi ved endetarmskreft",
     PROCEDURE, "Kreft", D(2017, 2, 20), "ikke", ""),
)  # fmt: skip
CHANGES: tuple[Spec, ...] = (
    # Another trade name: an «other change».
    ("2016_051", "Adalimumab", "Humira, Amgevita, Hyrimoz", "Crohns sykdom og ulcerøs kolitt",
     DRUG, "Fordøyelsessykdommer", D(2017, 4, 24), "inn", ""),
    # From under assessment to introduced.
    ("2024_012", "Cemiplimab", "Libtayo", "Lokalavansert eller metastatisk plateepitelkarsinom i hud",
     DRUG, "Kreft", D(2026, 1, 19), "inn", PRICE + " Metoden kan tas i bruk fra 01.02.2026."),
    # A new decision tied to the next LIS agreement.
    ("2019_120", "Upadacitinib", "Rinvoq", "Moderat til alvorlig aktiv revmatoid artritt",
     DRUG, "Revmatologi", D(2026, 2, 23), "inn",
     PRICE + " Metoden kan tas i bruk fra 01.03.2026, når den nye LIS-avtalen for JAK-hemmere "
     "trer i kraft."),
    # A new method.
    ("2025_031", "Lekanemab", "Leqembi", "Tidlig Alzheimers sykdom",
     DRUG, "Nevrologi", D(2026, 2, 23), "ikke",
     "2. Nytten er liten og usikker, og risikoen for alvorlige bivirkninger er betydelig."),
)  # fmt: skip
REMOVED = ("2016_090",)
ASSESSMENT = (
    "Metoden er under vurdering. Den skal ikke tas i bruk før det er fattet en beslutning. "
    "Pasienter som allerede er i behandling, kan fortsette."
)


def _texts(spec: Spec) -> tuple[str, str]:
    """The short and the full decision, as the list words them."""
    _id, substance, brand, indication, _type, _sp, _day, outcome, extra = spec
    if outcome == "vurdering":
        return ASSESSMENT, ASSESSMENT
    if not substance:  # devices and procedures
        first = f"{indication} {'innføres ikke' if outcome == 'ikke' else 'kan innføres'}."
        return first, f"1. {first}"
    what = f"{substance} ({brand.split(',')[0]})"
    use = indication[0].lower() + indication[1:]
    if outcome == "ikke":
        first = f"{what} innføres ikke til behandling av {use}."
        return first, f"1. {first}\n{extra}".strip()
    first = f"{what} kan innføres til behandling av {use}.{extra}"
    full = (
        f"1. {first}\n2. Valg av legemiddel skjer i tråd med gjeldende LIS-anbefaling.\n"
        "3. Behandlingen skal startes og følges opp av spesialist i fagområdet."
    )
    return first, full


def _rows(version: int) -> list[Row]:
    specs = list(LIST)
    if version == 2:
        changes = {(c[0], c[3]): c for c in CHANGES}
        specs = [changes.pop((s[0], s[3]), s) for s in specs if s[0] not in REMOVED]
        specs += list(changes.values())
    return [(*spec[:7], *_texts(spec)) for spec in specs]


def write_decision_list(path: Path, version: int) -> Path:
    """Write the demo decision list (version 1 or 2) as the public XLSX: dates as Excel
    serial numbers, 0 for none."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Beslutninger")
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, HEADER, bold)
    for r, row in enumerate(_rows(version), start=1):
        *texts, day, short, full = row
        sheet.write_row(r, 0, texts)
        sheet.write_number(r, 6, (day - EPOCH).days if day else 0)
        sheet.write_string(r, 7, short)
        sheet.write_string(r, 8, full)
    book.close()
    return path


@transaction.atomic
def demo_methods_load() -> None:
    """Import both versions of the list (once) and map the specialties to the demo's units."""
    if MethodImport.objects.filter(file_name__in=FILES).exists():
        return
    core = User.objects.filter(username="kjernegruppe").first()
    with tempfile.TemporaryDirectory(prefix="legemiddel-demo-") as tmp:
        for version, name in enumerate(FILES, start=1):
            path = write_decision_list(Path(tmp) / name, version)
            methods_import(path=path, actor=core, file_name=name)
            if version == 1:
                _map_specialties()
    _expect_budgets(core)


# What the core group expects of three introductions this year: (method ID, indication word,
# patients, cost in NOK). Faricimab goes over, the others stay within.
EXPECTED = (
    ("ID2021_110A", "makuladegenerasjon", 50, 1_500_000),
    ("ID2019_120", "revmatoid", 70, 8_000_000),
    ("ID2024_012", "plateepitel", 6, 2_000_000),
)


def _expect_budgets(core: Any) -> None:
    year = timezone.localdate().year
    for method_id, word, patients, cost in EXPECTED:
        method = Method.objects.filter(method_id=method_id, indication__icontains=word).first()
        if method is not None and core is not None:
            budget_expectation_save(
                method=method,
                year=year,
                expected_patients=patients,
                expected_cost=Decimal(cost),
                note="Anslag fra kjernegruppens budsjettmøte.",
                cost_given=True,
                actor=core,
            )


def _map_specialties() -> None:
    for name, codes in SPECIALTY_UNITS.items():
        specialty = Specialty.objects.filter(name=name).first()
        if specialty is not None and not specialty.units.exists():
            specialty.units.set(OrgUnit.objects.filter(code__in=codes))
