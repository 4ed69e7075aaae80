"""Synthetic usage files for the demo: SLS, H-resept and DIPS as the sources would deliver them.

Three years (November 2023 to October 2026) of a Bergen-like trust. Patients start treatment
courses for an indication at a unit, get their drug on H-resept (self-injected, dispensed at
pharmacies) or in hospital (infusions and eye injections, administered and sold to the unit by
the hospital pharmacy), switch brand when a tender (LIS agreement) changes the preferred product,
and sometimes switch substance or stop. A few units follow the recommendations poorly: they keep
the old brand and start new patients on it, and their DIPS administrations more often lack the
codes the episode should carry. Everything is seeded: the same seed gives byte-identical files.

Patient numbers are synthetic test numbers (month + 80, some D-numbers with day + 40) with valid
check digits, so they pass validation and can never be a real person's number.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from stdnum.no import fodselsnummer

DATA_DIR = Path(__file__).resolve().parent / "data"
START = dt.date(2023, 11, 1)
END = dt.date(2026, 10, 31)
PRESCRIBER_HPR = "9100001"  # the demo user «forskriver» at MED-REV-POL

# Units that follow the drug committee's recommendations poorly (and code less carefully).
POOR_FOLLOWERS = frozenset({"HDS-GAST", "VOSS-MED-POL", "AUGE-POL", "MED-REV-DAG"})
# Where a clinic's outpatients get their infusions.
INFUSION_UNIT = {
    "MED-GAST-POL": "MED-GAST-INF",
    "MED-REV-POL": "MED-REV-DAG",
    "KREFT-POL": "KREFT-DAG",
    "MED-HEM-POL": "MED-HEM-POL",
}
PHARMACIES = (
    ("Sjukehusapoteket i Bergen", 6),
    ("Apotek 1 Lagunen", 3),
    ("Vitusapotek Nordstjernen", 3),
    ("Boots apotek Bergen Storsenter", 2),
    ("Apotek 1 Voss", 1),
    ("Vitusapotek Åsane", 2),
    ("Boots apotek Kleppestø", 1),
)
USAGE_GROUP = {
    "TNF": "Biologiske legemidler",
    "MS": "Biologiske legemidler",
    "IL": "Biologiske legemidler",
    "JAK": "Biologiske legemidler",
    "PD1": "Kreftlegemidler",
    "HER2": "Kreftlegemidler",
    "VEGF": "Øyelegemidler",
    "EPO": "Blod og bloddannende",
    "DOAK": "Antikoagulasjon",
    "ANNET": "Sengepostlager",
}


@dataclass(frozen=True)
class DemoFile:
    """One generated file and how the demo imports it."""

    source: str
    path: Path
    accept_valid: bool = False


@dataclass(frozen=True)
class Drug:
    varenr: str
    area: str
    substance: str
    atc: str
    name: str
    aip: float
    aup: float
    amount: float  # content of one pack, in amount_unit
    amount_unit: str
    ddd_per_pack: float


@dataclass(frozen=True)
class Sale:
    """One SLS line: a month's sales of one package to one customer (cost centre)."""

    month: dt.date
    customer: str
    customer_name: str
    varenr: str
    product: str
    atc: str
    quantity: int
    amount: float
    ddd: float | None
    group: str


@dataclass(frozen=True)
class Regimen:
    """How a substance is given: route, interval and packs per dispensing or administration.

    ``tender`` lists the preferred package from a date (the LIS agreement's first choice); the
    entry before a change is what poor followers keep using.
    """

    route: str  # "H" (H-resept, dispensed at a pharmacy) or "S" (given in hospital)
    interval: int  # days between dispensings or administrations
    packs: float
    tender: tuple[tuple[dt.date, str], ...]
    dosage: str = ""


EARLY = dt.date(2000, 1, 1)
REGIMENS: dict[str, Regimen] = {
    "adalimumab": Regimen(
        "H",
        84,
        3,
        ((EARLY, "100001"), (dt.date(2024, 2, 1), "100006"), (dt.date(2025, 2, 1), "100004")),
        "40 mg subkutant annenhver uke",
    ),
    "etanercept": Regimen(
        "H", 84, 3, ((EARLY, "100012"), (dt.date(2024, 2, 1), "100014")), "50 mg s.c. hver uke"
    ),
    "certolizumab": Regimen("H", 84, 3, ((EARLY, "100022"),), "200 mg s.c. annenhver uke"),
    "golimumab": Regimen("H", 84, 3, ((EARLY, "100024"),), "50 mg s.c. hver måned"),
    "infliximab": Regimen("S", 56, 4, ((EARLY, "100017"), (dt.date(2024, 3, 1), "100018"))),
    "ustekinumab": Regimen(
        "H", 56, 1, ((EARLY, "100084"), (dt.date(2025, 4, 1), "100087")), "90 mg s.c. hver 8. uke"
    ),
    "secukinumab": Regimen("H", 84, 3, ((EARLY, "100080"),), "300 mg s.c. hver måned"),
    "ixekizumab": Regimen("H", 84, 3, ((EARLY, "100081"),), "80 mg s.c. hver 4. uke"),
    "guselkumab": Regimen("H", 56, 1, ((EARLY, "100088"),), "100 mg s.c. hver 8. uke"),
    "risankizumab": Regimen("H", 84, 1, ((EARLY, "100090"),), "150 mg s.c. hver 12. uke"),
    "tofacitinib": Regimen("H", 84, 3, ((EARLY, "100069"),), "5 mg to ganger daglig"),
    "baricitinib": Regimen("H", 84, 3, ((EARLY, "100072"),), "4 mg én gang daglig"),
    "upadacitinib": Regimen("H", 84, 3, ((EARLY, "100074"),), "15 mg én gang daglig"),
    "rituximab": Regimen("S", 182, 1, ((EARLY, "100031"), (dt.date(2024, 1, 1), "100034"))),
    "natalizumab": Regimen("S", 28, 1, ((EARLY, "100026"),)),
    "ocrelizumab": Regimen("S", 182, 2, ((EARLY, "100028"),)),
    "ofatumumab": Regimen("H", 84, 3, ((EARLY, "100030"),), "20 mg s.c. hver måned"),
    "dimethyl fumarate": Regimen(
        "H", 84, 3, ((EARLY, "100035"), (dt.date(2025, 2, 1), "100037")), "240 mg to ganger daglig"
    ),
    "teriflunomide": Regimen(
        "H", 84, 3, ((EARLY, "100038"), (dt.date(2024, 2, 1), "100040")), "14 mg én gang daglig"
    ),
    "fingolimod": Regimen(
        "H", 84, 3, ((EARLY, "100041"), (dt.date(2024, 4, 1), "100043")), "0,5 mg én gang daglig"
    ),
    "cladribine": Regimen("H", 365, 4, ((EARLY, "100044"),), "etter kroppsvekt, to kurer"),
    "pembrolizumab": Regimen("S", 21, 2, ((EARLY, "100051"),)),
    "nivolumab": Regimen("S", 28, 2, ((EARLY, "100050"),)),
    "atezolizumab": Regimen("S", 21, 1, ((EARLY, "100052"),)),
    "durvalumab": Regimen("S", 28, 3, ((EARLY, "100054"),)),
    "cemiplimab": Regimen("S", 21, 1, ((EARLY, "100056"),)),
    "trastuzumab": Regimen("S", 21, 1, ((EARLY, "100093"), (dt.date(2024, 4, 1), "100095"))),
    "pertuzumab": Regimen("S", 21, 1, ((EARLY, "100098"),)),
    "trastuzumab deruxtecan": Regimen("S", 21, 4, ((EARLY, "100099"),)),
    "aflibercept": Regimen("S", 56, 1, ((EARLY, "100058"), (dt.date(2026, 4, 1), "100061"))),
    "ranibizumab": Regimen("S", 35, 1, ((EARLY, "100063"), (dt.date(2025, 6, 1), "100064"))),
    "faricimab": Regimen("S", 70, 1, ((EARLY, "100066"),)),
    "brolucizumab": Regimen("S", 70, 1, ((EARLY, "100068"),)),
    "erenumab": Regimen("H", 84, 3, ((EARLY, "100101"),), "140 mg s.c. hver måned"),
    "galcanezumab": Regimen("H", 84, 3, ((EARLY, "100102"),), "120 mg s.c. hver måned"),
    "fremanezumab": Regimen("H", 84, 1, ((EARLY, "100105"),), "675 mg s.c. hver 3. måned"),
    "omalizumab": Regimen("H", 84, 6, ((EARLY, "100106"),), "300 mg s.c. hver 4. uke"),
    "mepolizumab": Regimen("H", 84, 3, ((EARLY, "100109"),), "100 mg s.c. hver 4. uke"),
    "benralizumab": Regimen("H", 56, 1, ((EARLY, "100111"),), "30 mg s.c. hver 8. uke"),
    "dupilumab": Regimen("H", 84, 3, ((EARLY, "100113"),), "300 mg s.c. annenhver uke"),
    "evolocumab": Regimen("H", 84, 3, ((EARLY, "100115"),), "140 mg s.c. annenhver uke"),
    "alirocumab": Regimen("H", 84, 3, ((EARLY, "100118"),), "150 mg s.c. annenhver uke"),
    "epoetin": Regimen("S", 14, 1 / 6, ((EARLY, "100121"), (dt.date(2024, 9, 1), "100126"))),
}


@dataclass(frozen=True)
class Indication:
    key: str
    icd: tuple[str, ...]  # ICD-10 without the dot, as in H-resept refund codes
    units: tuple[tuple[str, int], ...]  # unit code, weight
    regimens: tuple[tuple[str, int], ...]  # regimen, weight
    patients: int
    mean_days: int  # mean length of a course
    procedure: str = ""  # procedure code on the episode of a hospital administration
    switch: float = 0.35  # chance of a new course with another regimen after one ends


INDICATIONS: tuple[Indication, ...] = (
    Indication(
        "IBD",
        ("K50", "K51"),
        (("MED-GAST-POL", 6), ("HDS-GAST", 3), ("VOSS-MED-POL", 1), ("BUK-POL", 1)),
        (
            ("infliximab", 5),
            ("adalimumab", 4),
            ("ustekinumab", 2),
            ("tofacitinib", 1),
            ("upadacitinib", 1),
            ("risankizumab", 1),
        ),
        380,
        900,
    ),
    Indication(
        "Revmatologi",
        ("M05", "M06", "M45", "L405"),
        (
            ("MED-REV-POL", 6),
            ("MED-REV-DAG", 2),
            ("VOSS-MED-POL", 1),
            ("BUK-REV", 1),
            ("HDS-MED-POL", 1),
        ),
        (
            ("etanercept", 4),
            ("adalimumab", 3),
            ("certolizumab", 1),
            ("golimumab", 1),
            ("infliximab", 1),
            ("rituximab", 1),
            ("tofacitinib", 1),
            ("baricitinib", 1),
            ("upadacitinib", 2),
            ("secukinumab", 1),
            ("ixekizumab", 1),
        ),
        460,
        1000,
    ),
    Indication(
        "Psoriasis",
        ("L40",),
        (("HUD-POL", 5), ("HUD-LYS", 1)),
        (
            ("adalimumab", 2),
            ("ustekinumab", 2),
            ("secukinumab", 2),
            ("ixekizumab", 1),
            ("guselkumab", 2),
            ("risankizumab", 2),
        ),
        180,
        900,
    ),
    Indication("Atopisk eksem", ("L20",), (("HUD-POL", 1),), (("dupilumab", 1),), 70, 700),
    Indication(
        "MS",
        ("G35",),
        (("NEVRO-MS", 6), ("NEVRO-POL", 1)),
        (
            ("rituximab", 6),
            ("ocrelizumab", 2),
            ("natalizumab", 2),
            ("ofatumumab", 2),
            ("dimethyl fumarate", 2),
            ("teriflunomide", 1),
            ("fingolimod", 1),
            ("cladribine", 1),
        ),
        280,
        1500,
    ),
    Indication(
        "Lungekreft",
        ("C34",),
        (("KREFT-LUNG", 5), ("KREFT-POL", 1)),
        (("pembrolizumab", 5), ("nivolumab", 2), ("atezolizumab", 2), ("durvalumab", 2)),
        140,
        260,
        "WBOC05",
        0.15,
    ),
    Indication(
        "Melanom",
        ("C43",),
        (("KREFT-POL", 1),),
        (("nivolumab", 3), ("pembrolizumab", 3)),
        55,
        320,
        "WBOC05",
        0.15,
    ),
    Indication(
        "Plateepitelkarsinom hud",
        ("C44",),
        (("KREFT-POL", 1),),
        (("cemiplimab", 1),),
        14,
        250,
        "WBOC05",
        0.0,
    ),
    Indication(
        "Brystkreft",
        ("C50",),
        (("KREFT-POL", 4), ("KK-GYNONK", 1)),
        (("trastuzumab", 4), ("pertuzumab", 2), ("trastuzumab deruxtecan", 1)),
        90,
        300,
        "WBOC05",
        0.2,
    ),
    Indication(
        "Netthinnesykdom",
        ("H353", "E113"),
        (("AUGE-MAK", 6), ("AUGE-POL", 2)),
        (("aflibercept", 5), ("ranibizumab", 3), ("faricimab", 2), ("brolucizumab", 1)),
        330,
        1200,
        "CKD05",
        0.2,
    ),
    Indication(
        "Migrene",
        ("G43",),
        (("NEVRO-POL", 5), ("VOSS-MED-POL", 1)),
        (("erenumab", 3), ("galcanezumab", 2), ("fremanezumab", 2)),
        170,
        500,
    ),
    Indication(
        "Alvorlig astma",
        ("J45",),
        (("MED-LUN-POL", 5), ("BUK-POL", 1), ("HDS-MED-POL", 1)),
        (("omalizumab", 2), ("mepolizumab", 2), ("benralizumab", 2), ("dupilumab", 1)),
        110,
        1000,
    ),
    Indication(
        "Familiær hyperkolesterolemi",
        ("E780",),
        (("HJERTE-POL", 3), ("MED-END-POL", 2)),
        (("evolocumab", 3), ("alirocumab", 2)),
        130,
        1200,
        "",
        0.1,
    ),
    Indication(
        "Anemi",
        ("D631", "D630"),
        (("MED-HEM-POL", 3), ("KREFT-DAG", 1)),
        (("epoetin", 1),),
        50,
        300,
        "",
        0.0,
    ),
)
# Ward stock sold to the wards every month (no patient data): anticoagulants and common drugs.
WARDS = (
    "MED-GAST-SENG",
    "MED-REV-SENG",
    "MED-LUN-SENG",
    "MED-HEM-SENG",
    "NEVRO-SENG",
    "NEVRO-SLAG",
    "KREFT-SENG",
    "AUGE-SENG",
    "HJERTE-SENG",
    "HJERTE-POL",
    "VOSS-MED-SENG",
    "HDS-SENG",
)
WARD_STOCK: tuple[tuple[tuple[tuple[dt.date, str], ...], float], ...] = (
    # (tender of the product, mean packs per ward and month)
    (((EARLY, "100130"), (dt.date(2024, 6, 1), "100133")), 6),  # apixaban 5 mg: generic wins
    (((EARLY, "100132"), (dt.date(2024, 6, 1), "100134")), 3),  # apixaban 2,5 mg
    (((EARLY, "100135"), (dt.date(2025, 3, 1), "100138")), 3),  # rivaroxaban 20 mg
    (((EARLY, "100142"),), 1),  # edoxaban
    (((EARLY, "100140"),), 1),  # dabigatran
    (((EARLY, "100145"),), 12),  # paracetamol
    (((EARLY, "100146"),), 2),  # metformin
    (((EARLY, "100147"), (dt.date(2024, 1, 1), "100148")), 3),  # atorvastatin
    (((EARLY, "100149"),), 4),  # omeprazole
    (((EARLY, "100150"),), 3),  # amoxicillin
    (((EARLY, "100151"),), 2),  # metoprolol
    (((EARLY, "100152"),), 2),  # prednisolone
    (((EARLY, "100153"),), 1),  # morphine tablets
    (((EARLY, "100154"),), 2),  # morphine injection
)


# --- Reference data ---------------------------------------------------------------------------


def _drugs() -> dict[str, Drug]:
    with (DATA_DIR / "legemidler.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    return {
        r["varenr"]: Drug(
            varenr=r["varenr"],
            area=r["area"],
            substance=r["substance"],
            atc=r["atc"],
            name=f"{r['brand']} {r['strength']}",
            aip=float(r["aip"]),
            aup=float(r["aup"]),
            amount=float(r["amount"]),
            amount_unit=r["amount_unit"],
            ddd_per_pack=round(float(r["amount"]) / float(r["ddd"]), 4),
        )
        for r in rows
    }


def _units() -> dict[str, tuple[str, list[str]]]:
    """Unit code -> (name, cost centres)."""
    with (DATA_DIR / "organisasjon.csv").open(encoding="utf-8", newline="") as handle:
        return {
            r["kode"]: (r["navn"], r["kostnadssteder"].split())
            for r in csv.DictReader(handle, delimiter=";")
            if r["type"] == "enhet"
        }


def _doctors() -> dict[str, list[str]]:
    """Unit code -> HPR numbers of the hospital doctors working there."""
    doctors: dict[str, list[str]] = defaultdict(list)
    with (DATA_DIR / "helsepersonell.csv").open(encoding="utf-8", newline="") as handle:
        for r in csv.DictReader(handle, delimiter=";"):
            if r["kategori"] == "sykehuslege":
                doctors[r["arbeidssted"]].append(r["hpr"])
    doctors["MED-REV-POL"].append(PRESCRIBER_HPR)
    return doctors


def preferred(tender: tuple[tuple[dt.date, str], ...], day: dt.date) -> tuple[str, str | None]:
    """The preferred package on ``day`` and the one it replaced (if any)."""
    current, previous = tender[0][1], None
    for since, varenr in tender[1:]:
        if since <= day:
            current, previous = varenr, current
    return current, previous


# --- Patients and courses ---------------------------------------------------------------------


@dataclass
class Patient:
    fnr: str
    indication: Indication
    unit: str
    prescriber: str
    adherence: float  # 1.0 = on time; > 1 stretches the intervals


class _Numbers:
    """Synthetic test fødselsnummer (month + 80; one in ten a D-number too), each unique."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def new(self, born: dt.date) -> str:
        d_number = self.rng.random() < 0.1
        day = born.day + (40 if d_number else 0)
        month = born.month + 80
        low, high = (500, 999) if born.year >= 2000 else (0, 499)
        while True:
            base = f"{day:02d}{month:02d}{born.year % 100:02d}{self.rng.randint(low, high):03d}"
            k1 = fodselsnummer.calc_check_digit1(base)
            if len(k1) != 1:
                continue
            k2 = fodselsnummer.calc_check_digit2(base + k1)
            number = base + k1 + k2
            if len(k2) == 1 and number not in self.used:
                self.used.add(number)
                return number


def _weighted(rng: random.Random, options: Iterable[tuple[str, float]]) -> str:
    items = list(options)
    return rng.choices([k for k, _ in items], weights=[w for _, w in items])[0]


def _weekday(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=max(0, 7 - day.weekday())) if day.weekday() >= 5 else day


class _Simulation:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.numbers = _Numbers(self.rng)
        self.drugs = _drugs()
        self.units = _units()
        self.doctors = _doctors()
        self.dispensings: list[list[object]] = []
        self.administrations: list[list[object]] = []
        self.prescriptions: list[list[object]] = []
        # (month, unit, varenr) -> packs given in hospital
        self.hospital_packs: dict[tuple[dt.date, str, str], float] = defaultdict(float)
        self.episode = 0

    def run(self) -> None:
        for indication in INDICATIONS:
            for _ in range(indication.patients):
                self._patient(indication)

    def _patient(self, indication: Indication) -> None:
        rng = self.rng
        unit = _weighted(rng, indication.units)
        child = unit.startswith("BUK")
        born = dt.date(rng.randint(2008, 2018) if child else rng.randint(1940, 2002), 1, 1)
        born += dt.timedelta(days=rng.randint(0, 364))
        doctors = self.doctors.get(unit) or self.doctors["MED-REV-POL"]
        patient = Patient(
            fnr=self.numbers.new(born),
            indication=indication,
            unit=unit,
            prescriber=rng.choice(doctors),
            adherence=rng.uniform(1.3, 1.8) if rng.random() < 0.12 else rng.uniform(0.95, 1.05),
        )
        # Two in five were already on treatment when the period starts.
        span = (END - START).days
        if rng.random() < 0.4:
            start = START - dt.timedelta(days=rng.randint(1, 1000))
        else:
            start = START + dt.timedelta(days=rng.randint(0, span - 30))
        regimen = _weighted(rng, indication.regimens)
        tried = {regimen}
        while start <= END:
            length = int(rng.expovariate(1 / indication.mean_days)) + 30
            stop = start + dt.timedelta(days=length)
            self._course(patient, regimen, start, min(stop, END))
            if stop > END or rng.random() >= indication.switch:
                break
            choices = [(r, w) for r, w in indication.regimens if r not in tried]
            if not choices:
                break
            regimen = _weighted(rng, choices)
            tried.add(regimen)
            start = stop + dt.timedelta(days=rng.randint(14, 60))

    def _course(self, patient: Patient, key: str, start: dt.date, stop: dt.date) -> None:
        rng = self.rng
        regimen = REGIMENS[key]
        poor = patient.unit in POOR_FOLLOWERS
        current, previous = preferred(regimen.tender, start)
        varenr = previous if previous and poor and rng.random() < 0.6 else current
        stays = poor and rng.random() < 0.65  # keeps the brand when the tender changes
        delay = rng.randint(0, 90)
        day = start
        last_prescription: dt.date | None = None
        while day <= stop:
            wanted, _ = preferred(regimen.tender, day - dt.timedelta(days=delay))
            if wanted != varenr and not stays:
                varenr = wanted
                last_prescription = None  # a new prescription for the new brand
            if day >= START:
                if regimen.route == "H":
                    if last_prescription is None or (day - last_prescription).days > 365:
                        last_prescription = day
                        self._prescription(patient, regimen, varenr, day)
                    self._dispensing(patient, regimen, varenr, day, last_prescription)
                else:
                    self._administration(patient, regimen, varenr, day)
            elif regimen.route == "H" and (
                last_prescription is None or (day - last_prescription).days > 365
            ):
                last_prescription = day
            step = regimen.interval * (patient.adherence if regimen.route == "H" else 1.0)
            day = _weekday(day + dt.timedelta(days=round(step) + rng.randint(-5, 5)))

    def _prescription(self, p: Patient, regimen: Regimen, varenr: str, day: dt.date) -> None:
        drug = self.drugs[varenr]
        self.prescriptions.append(
            [
                day.isoformat(),
                p.fnr,
                p.prescriber,
                p.unit,
                varenr,
                drug.atc,
                regimen.dosage,
                _num(regimen.packs * 4),
            ]
        )

    def _dispensing(
        self, p: Patient, regimen: Regimen, varenr: str, day: dt.date, prescribed: dt.date | None
    ) -> None:
        drug = self.drugs[varenr]
        packs = regimen.packs
        self.dispensings.append(
            [
                day.isoformat(),
                p.fnr,
                varenr,
                _num(packs),
                _num(round(drug.aup * packs, 2)),
                self.rng.choice(p.indication.icd),
                p.prescriber,
                prescribed.isoformat() if prescribed else "",
                _weighted(self.rng, PHARMACIES),
            ]
        )

    def _administration(self, p: Patient, regimen: Regimen, varenr: str, day: dt.date) -> None:
        rng = self.rng
        drug = self.drugs[varenr]
        unit = INFUSION_UNIT.get(p.unit, p.unit)
        self.episode += 1
        # Episodes missing their codes: more in poor units and before the coding drive of 2025.
        missing = 0.04 + (0.14 if unit in POOR_FOLLOWERS else 0) + (0.03 if day.year < 2025 else 0)
        diagnosis, atc_codes = rng.choice(p.indication.icd), drug.atc
        roll = rng.random()
        if roll < missing * 0.6:
            diagnosis, atc_codes = "", ""
        elif roll < missing:
            atc_codes = ""
        self.administrations.append(
            [
                day.isoformat(),
                p.fnr,
                unit,
                drug.atc,
                varenr,
                _num(round(drug.amount * regimen.packs, 1)),
                drug.amount_unit,
                f"EP{self.episode:08d}",
                diagnosis,
                p.indication.procedure if atc_codes else "",
                atc_codes,
            ]
        )
        self.hospital_packs[(day.replace(day=1), unit, varenr)] += regimen.packs

    # --- SLS --------------------------------------------------------------------------------

    def sales(self) -> list[Sale]:
        """SLS lines: hospital drugs as packs given (rounded up, some waste) plus ward stock."""
        rng = self.rng
        packs: dict[tuple[dt.date, str, str], float] = dict(self.hospital_packs)
        month = START
        while month <= END:
            for ward in WARDS:
                for tender, mean in WARD_STOCK:
                    current, previous = preferred(tender, month)
                    varenr = previous if previous and ward in POOR_FOLLOWERS else current
                    quantity = max(0, round(rng.gauss(mean, mean / 3)))
                    if quantity:
                        packs[(month, ward, varenr)] = (
                            packs.get((month, ward, varenr), 0) + quantity
                        )
            month = (month + dt.timedelta(days=32)).replace(day=1)
        winners = {varenr for r in REGIMENS.values() for _, varenr in r.tender[1:]}
        winners |= {varenr for tender, _ in WARD_STOCK for _, varenr in tender[1:]}
        lines: list[Sale] = []
        for (month, unit, varenr), given in sorted(packs.items()):
            drug = self.drugs[varenr]
            quantity = math.ceil(given * rng.uniform(1.0, 1.06))
            name, cost_centres = self.units[unit]
            customer = cost_centres[0]
            if len(cost_centres) > 1 and rng.random() < 0.2:
                customer = cost_centres[1]
            price = drug.aip * (0.55 if varenr in winners else 0.97)  # LIS price, not AIP
            ddd = None if rng.random() < 0.3 else round(quantity * drug.ddd_per_pack, 2)
            lines.append(
                Sale(
                    month=month,
                    customer=customer,
                    customer_name=name,
                    varenr=varenr,
                    product=drug.name,
                    atc=drug.atc,
                    quantity=quantity,
                    amount=round(quantity * price, 2),
                    ddd=ddd,
                    group=USAGE_GROUP.get(drug.area, "Biologiske legemidler"),
                )
            )
        return lines


def _num(value: float) -> str:
    """Decimal comma, no thousands separator, as Norwegian exports write numbers."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


# --- Files ------------------------------------------------------------------------------------

SLS_HEADER = (
    "Periode",
    "Kundenr",
    "Kundenavn",
    "Varenr",
    "Varenavn",
    "ATC",
    "Antall",
    "Beløp eks mva",
    "DDD",
    "Bruksområde",
)
HRESEPT_HEADER = (
    "Utleveringsdato",
    "Fødselsnummer",
    "Varenr",
    "Antall",
    "Beløp",
    "Refusjonskode",
    "Forskriver HPR",
    "Forskrivningsdato",
    "Apotek",
)
DIPS_HEADER = (
    "Dato",
    "Fødselsnummer",
    "Enhet",
    "ATC",
    "Varenr",
    "Dose",
    "Doseenhet",
    "Episode",
    "Diagnosekoder",
    "Prosedyrekoder",
    "ATC-koder",
)
DIPSRESEPT_HEADER = (
    "Dato",
    "Fødselsnummer",
    "Forskriver HPR",
    "Enhet",
    "Varenr",
    "ATC",
    "Dosering",
    "Antall",
)


def _write(
    path: Path,
    header: tuple[str, ...],
    rows: Iterable[list[object]],
    *,
    delimiter: str = ";",
    encoding: str = "utf-8",
) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _sls_rows(lines: Iterable[Sale], style: str) -> list[list[object]]:
    """Format SLS lines: ``"nb"`` (``03.2025``, decimal comma) or ``"iso"`` (``2025-03``, point)."""
    out: list[list[object]] = []
    for line in lines:
        ddd = "" if line.ddd is None else line.ddd
        if style == "nb":
            period, amount, ddd_text = f"{line.month:%m.%Y}", _num(line.amount), _num_or_blank(ddd)
        else:
            period, amount, ddd_text = f"{line.month:%Y-%m}", f"{line.amount:.2f}", str(ddd)
        out.append(
            [
                period,
                line.customer,
                line.customer_name,
                line.varenr,
                line.product,
                line.atc,
                line.quantity,
                amount,
                ddd_text,
                line.group,
            ]
        )
    return out


def _num_or_blank(value: float | str) -> str:
    return "" if value == "" else _num(float(value))


def _in(rows: list[list[object]], first: dt.date, last: dt.date) -> list[list[object]]:
    return [r for r in rows if first.isoformat() <= str(r[0])[:10] <= last.isoformat()]


def generate_usage_files(out_dir: Path, seed: int = 2026) -> list[DemoFile]:
    """Write the demo's usage files into ``out_dir``; return them in the order to import.

    SLS comes as the pharmacy sends it: a Windows-1252 file for 2023-2024, a file for 2025 that a
    correction of its last quarter replaces later, a comma-separated file for 2026 so far, and
    the latest month on its own with a few lines whose codes we do not know yet (imported with
    «accept the valid rows», so the mapping page has work waiting).
    """
    sim = _Simulation(seed)
    sim.run()
    sales = sim.sales()
    rng = sim.rng
    files: list[DemoFile] = []

    def sls(name: str, lines: Iterable[Sale], style: str = "nb", **options: str) -> DemoFile:
        return DemoFile(
            "sls", _write(out_dir / name, SLS_HEADER, _sls_rows(lines, style), **options)
        )

    def months(first: dt.date, last: dt.date) -> list[Sale]:
        return [line for line in sales if first <= line.month <= last]

    files.append(sls("sls-2023-2024.csv", months(START, dt.date(2024, 12, 1)), encoding="cp1252"))
    files.append(sls("sls-2025.csv", months(dt.date(2025, 1, 1), dt.date(2025, 12, 1))))
    corrected = []
    for line in months(dt.date(2025, 10, 1), dt.date(2025, 12, 1)):
        if rng.random() < 0.08:  # returns credited after the month closed
            quantity = line.quantity - 1
            line = replace(
                line, quantity=quantity, amount=round(line.amount / line.quantity * quantity, 2)
            )
        corrected.append(line)
    files.append(sls("sls-2025-q4-korrigert.csv", corrected))
    latest = END.replace(day=1)
    files.append(
        sls(
            "sls-2026-01-09.csv",
            months(dt.date(2026, 1, 1), latest - dt.timedelta(days=1)),
            "iso",
            delimiter=",",
        )
    )
    unknown = [
        Sale(
            latest,
            "30250",
            "Kreftpoliklinikken",
            "99001",
            "Cytostatika, egenproduksjon",
            "",
            14,
            18230.0,
            None,
            "Kreftlegemidler",
        ),
        Sale(
            latest,
            "39990",
            "Pasienthotellet",
            "100145",
            "Paracet 500 mg",
            "N02BE01",
            6,
            362.4,
            None,
            "Sengepostlager",
        ),
        Sale(
            latest,
            "39990",
            "Pasienthotellet",
            "100149",
            "Omeprazol Actavis 20 mg",
            "A02BC01",
            2,
            75.1,
            None,
            "Sengepostlager",
        ),
    ]
    last_month = months(latest, latest) + unknown
    files.append(replace(sls(f"sls-{latest:%Y-%m}.csv", last_month), accept_valid=True))

    for year in range(START.year, END.year + 1):
        first, last = max(START, dt.date(year, 1, 1)), min(END, dt.date(year, 12, 31))
        files.append(
            DemoFile(
                "hresept",
                _write(
                    out_dir / f"hresept-{year}.csv",
                    HRESEPT_HEADER,
                    sorted(_in(sim.dispensings, first, last), key=_by_day),
                ),
            )
        )
        files.append(
            DemoFile(
                "dips",
                _write(
                    out_dir / f"dips-administrasjoner-{year}.csv",
                    DIPS_HEADER,
                    sorted(_in(sim.administrations, first, last), key=_by_day),
                ),
            )
        )
        files.append(
            DemoFile(
                "dipsresept",
                _write(
                    out_dir / f"dips-eresepter-{year}.csv",
                    DIPSRESEPT_HEADER,
                    sorted(_in(sim.prescriptions, first, last), key=_by_day),
                ),
            )
        )
    return files


def _by_day(row: list[object]) -> tuple[str, str]:
    return str(row[0]), str(row[1])
