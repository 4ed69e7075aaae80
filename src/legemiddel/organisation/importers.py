"""Parse and validate the organisation and personnel CSV files (docs/formats/organisasjon.md).

The columns and their header spellings are in ``profiles/organisation.yaml`` and
``profiles/personnel.yaml``.

Pure functions: no database. :mod:`legemiddel.organisation.services` loads the result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from legemiddel.lib.profiles import Profile, load_profile
from legemiddel.lib.tabular import FileFormatError, RowError, file_errors, read_table

PROFILES = Path(__file__).resolve().parent / "profiles"

# Type names accepted in the file, Norwegian and English, mapped to (group, level/kind).
ORG_TYPES: dict[str, tuple[str, str]] = {
    "foretak": ("trust", ""),
    "trust": ("trust", ""),
    "hf": ("trust", ""),
    "klinikk": ("unit", "1"),
    "sykehus": ("unit", "1"),
    "clinic": ("unit", "1"),
    "hospital": ("unit", "1"),
    "avdeling": ("unit", "2"),
    "department": ("unit", "2"),
    "enhet": ("unit", "3"),
    "seksjon": ("unit", "3"),
    "post": ("unit", "3"),
    "unit": ("unit", "3"),
    "kommune": ("site", "municipality"),
    "municipality": ("site", "municipality"),
    "legekontor": ("site", "gp_office"),
    "fastlegekontor": ("site", "gp_office"),
    "gp_office": ("site", "gp_office"),
    "avtalespesialist": ("site", "specialist_office"),
    "spesialistpraksis": ("site", "specialist_office"),
    "specialist_office": ("site", "specialist_office"),
    "sykehjem": ("site", "nursing_home"),
    "nursing_home": ("site", "nursing_home"),
    "annet": ("site", "other"),
    "other": ("site", "other"),
}

PERSONNEL_CATEGORIES = {
    "sykehuslege": "hospital_doctor",
    "hospital_doctor": "hospital_doctor",
    "fastlege": "gp",
    "gp": "gp",
    "avtalespesialist": "contract_specialist",
    "contract_specialist": "contract_specialist",
    "sykehjemslege": "nursing_home_doctor",
    "nursing_home_doctor": "nursing_home_doctor",
    "farmasøyt": "pharmacist",
    "pharmacist": "pharmacist",
    "sykepleier": "nurse",
    "nurse": "nurse",
    "annet": "other",
    "other": "other",
}

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_YES = {"ja", "j", "yes", "y", "1", "true", "x"}
_NO = {"nei", "n", "no", "0", "false", ""}


@dataclass
class OrgRecord:
    row: int
    group: str  # trust | unit | site
    kind: str  # level "1".."3" for units, site kind for sites
    code: str
    name: str
    parent: str = ""
    short_name: str = ""
    cost_centres: list[str] = field(default_factory=list)
    org_number: str = ""
    municipality_number: str = ""
    region: str = ""


@dataclass
class PersonnelRecord:
    row: int
    hpr_number: str
    name: str
    category: str
    is_specialist: bool
    workplaces: list[str]
    email: str = ""


_EMAIL = re.compile(r"[^@\s;,]+@[^@\s;,]+\.[A-Za-z]{2,}")


def profile(name: str) -> Profile:
    """The header profile of a file (``profiles/<name>.yaml``): organisation or personnel."""
    return load_profile(PROFILES / f"{name}.yaml")


def _split_codes(value: str) -> list[str]:
    return [c for c in re.split(r"[|\s]+", value) if c]


def parse_organisation(data: bytes) -> tuple[list[OrgRecord], list[RowError]]:
    """Parse and check each row on its own; cross-row checks are in :func:`check_organisation`."""
    try:
        _, rows = read_table(data, profile("organisation"))
    except FileFormatError as exc:
        return [], file_errors(exc)
    records: list[OrgRecord] = []
    errors: list[RowError] = []
    for number, row in rows:
        type_value = row.get("type", "")
        mapped = ORG_TYPES.get(type_value.lower())
        if mapped is None:
            errors.append(
                RowError(
                    number,
                    "type",
                    type_value,
                    "ukjent type; bruk foretak, klinikk, avdeling, enhet, kommune, "
                    "legekontor, avtalespesialist, sykehjem eller annet",
                )
            )
            continue
        code = row.get("code", "")
        if not _CODE.match(code):
            errors.append(
                RowError(
                    number,
                    "kode",
                    code,
                    "koden må bestå av bokstaver A-Z, sifre, punktum, bindestrek eller understrek",
                )
            )
            continue
        name = row.get("name", "")
        if not name:
            errors.append(RowError(number, "navn", "", "navn mangler"))
            continue
        # The model limits; without these checks a long value fails inside the import.
        too_long = [
            (column, value, limit)
            for column, value, limit in (
                ("kode", code, 20 if mapped[0] == "trust" else 40),
                ("navn", name, 200),
                ("kortnavn", row.get("short_name", ""), 60),
                ("region", row.get("region", ""), 100),
            )
            if len(value) > limit
        ]
        if too_long:
            column, value, limit = too_long[0]
            errors.append(RowError(number, column, value, f"kan ha høyst {limit} tegn"))
            continue
        org_number = row.get("org_number", "").replace(" ", "")
        if org_number and not re.fullmatch(r"\d{9}", org_number):
            errors.append(RowError(number, "orgnr", org_number, "organisasjonsnummer har 9 sifre"))
            continue
        municipality_number = row.get("municipality_number", "")
        if municipality_number and not re.fullmatch(r"\d{4}", municipality_number):
            errors.append(
                RowError(number, "kommunenr", municipality_number, "kommunenummer har 4 sifre")
            )
            continue
        cost_centres = _split_codes(row.get("cost_centres", ""))
        bad = [c for c in cost_centres if not _CODE.match(c) or len(c) > 20]
        if bad:
            errors.append(RowError(number, "kostnadssteder", " ".join(bad), "ugyldig kostnadssted"))
            continue
        group, kind = mapped
        if cost_centres and (group != "unit"):
            errors.append(
                RowError(
                    number,
                    "kostnadssteder",
                    " ".join(cost_centres),
                    "kostnadssteder kan bare knyttes til klinikk, avdeling eller enhet",
                )
            )
            continue
        records.append(
            OrgRecord(
                row=number,
                group=group,
                kind=kind,
                code=code,
                name=name,
                parent=row.get("parent", ""),
                short_name=row.get("short_name", ""),
                cost_centres=cost_centres,
                org_number=org_number,
                municipality_number=municipality_number,
                region=row.get("region", ""),
            )
        )
    return records, rows.named(errors)


def check_organisation(
    records: list[OrgRecord],
    existing_units: dict[str, int],
    existing_municipalities: set[str],
) -> list[RowError]:
    """Cross-row rules: unique codes, parents exist at the right level, one trust.

    ``existing_units`` maps codes of org units already in the database to their level.
    """
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    trusts = [r for r in records if r.group == "trust"]
    if len(trusts) > 1:
        errors.append(RowError(trusts[1].row, "type", "foretak", "filen kan bare ha ett foretak"))
    unit_levels = dict(existing_units)
    municipalities = set(existing_municipalities)
    cost_centre_rows: dict[str, int] = {}
    for record in records:
        key = f"{record.group}:{record.code}" if record.group != "site" else f"site:{record.code}"
        if key in seen:
            errors.append(
                RowError(
                    record.row, "kode", record.code, f"koden er brukt før i filen (rad {seen[key]})"
                )
            )
        seen[key] = record.row
        if record.group == "unit":
            unit_levels[record.code] = int(record.kind)
        if record.group == "site" and record.kind == "municipality":
            municipalities.add(record.code)
        for cc in record.cost_centres:
            if cc in cost_centre_rows:
                errors.append(
                    RowError(
                        record.row,
                        "kostnadssteder",
                        cc,
                        f"kostnadsstedet er knyttet til en annen enhet på rad {cost_centre_rows[cc]}",
                    )
                )
            cost_centre_rows[cc] = record.row
    for record in records:
        if record.group == "unit":
            level = int(record.kind)
            if level == 1:
                if record.parent:
                    errors.append(
                        RowError(
                            record.row,
                            "overordnet",
                            record.parent,
                            "en klinikk ligger rett under foretaket; la feltet stå tomt",
                        )
                    )
            elif not record.parent:
                errors.append(
                    RowError(
                        record.row, "overordnet", "", "avdeling og enhet må ha overordnet kode"
                    )
                )
            elif record.parent not in unit_levels:
                errors.append(
                    RowError(
                        record.row,
                        "overordnet",
                        record.parent,
                        "finnes ikke i filen eller i organisasjonen",
                    )
                )
            elif unit_levels[record.parent] != level - 1:
                errors.append(
                    RowError(
                        record.row,
                        "overordnet",
                        record.parent,
                        "overordnet må ligge ett nivå over (klinikk > avdeling > enhet)",
                    )
                )
        elif record.group == "site" and record.parent:
            if record.kind == "municipality":
                errors.append(
                    RowError(
                        record.row, "overordnet", record.parent, "en kommune har ingen overordnet"
                    )
                )
            elif record.parent not in municipalities:
                errors.append(
                    RowError(
                        record.row,
                        "overordnet",
                        record.parent,
                        "kommunen finnes ikke i filen eller i organisasjonen",
                    )
                )
    return errors


def parse_personnel(data: bytes) -> tuple[list[PersonnelRecord], list[RowError]]:
    """Parse the personnel file; each row checked on its own."""
    try:
        _, rows = read_table(data, profile("personnel"))
    except FileFormatError as exc:
        return [], file_errors(exc)
    records: list[PersonnelRecord] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for number, row in rows:
        hpr = row.get("hpr_number", "").replace(" ", "")
        if not re.fullmatch(r"\d{7,9}", hpr):
            errors.append(RowError(number, "hpr", hpr, "HPR-nummer har 7 til 9 sifre"))
            continue
        if hpr in seen:
            errors.append(
                RowError(number, "hpr", hpr, f"HPR-nummeret står også på rad {seen[hpr]}")
            )
            continue
        seen[hpr] = number
        name = row.get("name", "")
        if not name:
            errors.append(RowError(number, "navn", "", "navn mangler"))
            continue
        if len(name) > 200:
            errors.append(RowError(number, "navn", name, "kan ha høyst 200 tegn"))
            continue
        category_value = row.get("category", "")
        category = PERSONNEL_CATEGORIES.get(category_value.lower())
        if category is None:
            errors.append(
                RowError(
                    number,
                    "kategori",
                    category_value,
                    "ukjent kategori; bruk sykehuslege, fastlege, avtalespesialist, "
                    "sykehjemslege, farmasøyt, sykepleier eller annet",
                )
            )
            continue
        specialist_value = row.get("is_specialist", "").lower()
        if specialist_value not in _YES | _NO:
            errors.append(RowError(number, "spesialist", specialist_value, "skriv ja eller nei"))
            continue
        email = row.get("email", "")
        if email and not _EMAIL.fullmatch(email):
            errors.append(RowError(number, "e-post", email, "er ikke en e-postadresse"))
            continue
        records.append(
            PersonnelRecord(
                row=number,
                hpr_number=hpr,
                name=name,
                category=category,
                is_specialist=specialist_value in _YES,
                workplaces=_split_codes(row.get("workplaces", "")),
                email=email,
            )
        )
    return records, rows.named(errors)
