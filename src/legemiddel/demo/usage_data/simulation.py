"""Simulating the trust's patients over the period: H-resept dispensings, DIPS administrations
and e-prescriptions per patient, and the SLS sales that follow from them."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from stdnum.no import fodselsnummer

from legemiddel.demo.usage_data.reference import (
    END,
    INFUSION_UNIT,
    PHARMACIES,
    POOR_FOLLOWERS,
    START,
    USAGE_GROUP,
    read_doctors,
    read_drugs,
    read_units,
)
from legemiddel.demo.usage_data.treatments import (
    INDICATIONS,
    REGIMENS,
    WARD_STOCK,
    WARDS,
    Indication,
    Regimen,
    preferred,
)


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


class Simulation:
    """Three years of the trust's patients, seeded: the same seed gives the same events."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.numbers = _Numbers(self.rng)
        self.drugs = read_drugs()
        self.units = read_units()
        self.doctors = read_doctors()
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
                decimal_comma(regimen.packs * 4),
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
                decimal_comma(packs),
                decimal_comma(round(drug.aup * packs, 2)),
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
                decimal_comma(round(drug.amount * regimen.packs, 1)),
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


def decimal_comma(value: float) -> str:
    """Decimal comma, no thousands separator, as Norwegian exports write numbers."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")
