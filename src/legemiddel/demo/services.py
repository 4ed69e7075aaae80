"""Deterministic synthetic demo data: a Bergen-like trust, its health community and one
user per role. Loading twice changes nothing."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction

from legemiddel.accounts.models import User
from legemiddel.accounts.roles import Role
from legemiddel.accounts.services import (
    role_groups_ensure,
    user_create,
    user_set_roles,
)
from legemiddel.catalogue.models import FestLoad
from legemiddel.catalogue.services import fest_import
from legemiddel.core import outbox
from legemiddel.demo import DATA_DIR, festgen
from legemiddel.demo.agreements_data import load_agreements
from legemiddel.demo.coding_data import demo_episodes_load
from legemiddel.demo.methods_data import demo_methods_load
from legemiddel.demo.usage_data import PRESCRIBER_HPR, generate_usage_files
from legemiddel.governance.services.meetings import standing_fora_ensure
from legemiddel.lib.tabular import file_sha256
from legemiddel.organisation.models import HealthPersonnel, OrgUnit
from legemiddel.organisation.services import (
    membership_add,
    organisation_import_csv,
    personnel_import_csv,
    personnel_save,
)
from legemiddel.usage.models import ImportBatch
from legemiddel.usage.services import usage_import

DEMO_PASSWORD = "demo"  # noqa: S105 - synthetic demo accounts only


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: Role
    units: tuple[str, ...] = ()
    what: str = ""


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser(
        "kjernegruppe",
        "Ingrid",
        "Haugland",
        Role.CORE_GROUP,
        (),
        "kjernegruppen, ser hele foretaket",
    ),
    DemoUser("lmk", "Per", "Sæbø", Role.DRUG_COMMITTEE, (), "legemiddelkomiteen"),
    DemoUser(
        "innkjop",
        "Hilde",
        "Brekke",
        Role.PROCUREMENT_ADVISER,
        (),
        "spesialrådgiver legemiddelinnkjøp",
    ),
    DemoUser(
        "enhetsleder",
        "Lars",
        "Myklebust",
        Role.UNIT_LEADER,
        ("MED-REV",),
        "leder Revmatologisk avdeling",
    ),
    DemoUser(
        "controller", "Silje", "Tveit", Role.CONTROLLER, ("MED",), "controller Medisinsk klinikk"
    ),
    DemoUser(
        "farmasoyt",
        "Åse",
        "Grønning",
        Role.ADVISORY_PHARMACIST,
        ("NEVRO",),
        "rådgivende farmasøyt Nevroklinikken",
    ),
    DemoUser(
        "forskriver", "Øyvind", "Rønning", Role.PRESCRIBER, (), "lege ved Revmatologisk poliklinikk"
    ),
    DemoUser("apotek", "Marit", "Kvamme", Role.PHARMACY, (), "sykehusapoteket"),
    DemoUser("vurdering", "Knut", "Helland", Role.ASSESSMENT_COMMITTEE, (), "vurderingsutvalget"),
    DemoUser("fagdirektor", "Ragnhild", "Aasen", Role.MEDICAL_DIRECTOR, (), "fagdirektør"),
    DemoUser("revisor", "Nils", "Fjeld", Role.AUDITOR, (), "personvernombud, leser tilgangsloggen"),
    DemoUser("admin", "Tone", "Berge", Role.ADMINISTRATOR, (), "systemadministrator"),
)


@transaction.atomic
def demo_load(progress: Callable[[str], None] = lambda step: None, *, usage: bool = True) -> None:
    """Load the organisation, personnel, catalogue, demo users, LIS agreements and usage data
    (idempotent).

    ``usage=False`` leaves out the three years of usage data (tests that bring their own).
    """
    progress("roller")
    role_groups_ensure()
    progress("organisasjon")
    organisation_import_csv(
        data=(DATA_DIR / "organisasjon.csv").read_bytes(), file_name="demo organisasjon.csv"
    )
    progress("helsepersonell")
    personnel_import_csv(
        data=(DATA_DIR / "helsepersonell.csv").read_bytes(), file_name="demo helsepersonell.csv"
    )
    progress("legemiddelkatalog (FEST)")
    catalogue = festgen.DEMO_FEST
    if not FestLoad.objects.filter(sha256=file_sha256(catalogue)).exists():
        fest_import(path=catalogue, file_name=catalogue.name)
    progress("brukere")
    # Hashing is deliberately slow (about a second each); the demo users share one hash.
    password_hash = make_password(DEMO_PASSWORD)
    for spec in DEMO_USERS:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = user_create(
                username=spec.username,
                password=None,
                first_name=spec.first_name,
                last_name=spec.last_name,
                email=f"{spec.username}@demo.legemiddel.invalid",
                roles=[spec.role],
            )
            user.password = password_hash
            user.save(update_fields=["password"])
        else:
            user_set_roles(user=user, roles=[spec.role])
        for code in spec.units:
            membership_add(user=user, org_unit=OrgUnit.objects.get(code=code), role=spec.role)
    prescriber = User.objects.get(username="forskriver")
    person, _ = HealthPersonnel.objects.get_or_create(
        hpr_number=PRESCRIBER_HPR,
        defaults={
            "name": prescriber.get_full_name(),
            "category": HealthPersonnel.Category.HOSPITAL_DOCTOR,
            "is_specialist": True,
        },
    )
    person.user = prescriber
    personnel_save(person=person)
    if not person.affiliations.exists():
        person.affiliations.create(org_unit=OrgUnit.objects.get(code="MED-REV-POL"))
    if prescriber.hpr_number != PRESCRIBER_HPR:
        prescriber.hpr_number = PRESCRIBER_HPR
        prescriber.save(update_fields=["hpr_number"])
    progress("fora")
    standing_fora_ensure()
    progress("LIS-avtaler")
    load_agreements()
    progress("beslutninger i Nye metoder")
    demo_methods_load()
    if usage:
        progress("forbruksdata (SLS, H-resept, DIPS)")
        _load_usage()
        progress("episoder (inntektskontroll)")
        demo_episodes_load()
    # What the imports and publications announced (the precomputed measures) is done here
    # rather than left for the worker, so the demo opens with its figures.
    progress("indikatorer")
    outbox.process()


def _load_usage() -> None:
    """Generate the demo usage files and import them as an administrator would, in order.

    Files already imported (same SHA-256) are skipped, so loading the demo twice changes nothing.
    The latest SLS month has lines with codes we do not know; it is loaded with «accept the valid
    rows» so the mapping page has codes waiting.
    """
    with tempfile.TemporaryDirectory(prefix="legemiddel-demo-") as tmp:
        for demo_file in generate_usage_files(Path(tmp)):
            sha256 = file_sha256(demo_file.path)
            if ImportBatch.objects.filter(source=demo_file.source, sha256=sha256).exists():
                continue
            usage_import(
                source=demo_file.source,
                path=demo_file.path,
                file_name=demo_file.path.name,
                accept_valid=demo_file.accept_valid,
            )
