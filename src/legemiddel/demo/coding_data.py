"""Demo episodes for income control: what the trust reported to NPR for the demo's DIPS
administrations of the drugs the coding rules list, with realistic gaps.

- most administrations have an episode with the drug code and the procedure code;
- one unit (the cancer outpatient clinic) is much worse: the drug code is often missing;
- eye injections often lack the procedure code CKD05;
- a few administrations have no episode at all, and older eye injections are coded with the
  særkode instead of the ATC code;
- some gaps were corrected late: the first months were imported again with the codes added,
  so their findings show as corrected.

Episodes are written straight from the administrations (which hold pseudonyms only), as the
episode import would have stored them.
"""

from __future__ import annotations

import datetime as dt
import random

import polars as pl
from django.db import transaction

from legemiddel.coding.matching import coding_refresh
from legemiddel.coding.models import Episode, EpisodeCode, EpisodeImport, ReportingYear
from legemiddel.coding.rules import load_rules
from legemiddel.usage.models import Administration
from legemiddel.usage.services.bulk import insert_frame

WORSE_UNIT = "KREFT-POL"
SAERKODE_UNTIL = dt.date(2024, 6, 30)
DIAGNOSES = {"S01": "H353", "L01": "C349", "L04": "M059"}


def _codes(
    rng: random.Random, atc: str, day: dt.date, worse: bool, procedure: str
) -> list[tuple[str, str, bool, str]]:
    codes = [("ICD10", DIAGNOSES.get(atc[:3], "Z511"), True, "")]
    missing_drug = rng.random() < (0.45 if worse else 0.04)
    if not missing_drug:
        saerkode = {"S01LA05": "1LA05", "S01LA04": "1LA04"}.get(atc)
        if saerkode and day <= SAERKODE_UNTIL:
            codes.append(("S", saerkode, False, atc))
        else:
            codes.append(("ATC", atc, False, atc))
    if procedure and rng.random() >= (0.2 if procedure == "CKD05" else 0.05):
        codes.append(("NCSP" if procedure == "CKD05" else "NCMP", procedure, False, ""))
    return codes


@transaction.atomic
def demo_episodes_load(seed: int = 2026, worse_unit: str = WORSE_UNIT) -> None:
    """Write the demo episodes (once), match, then correct some of the early gaps late."""
    if Episode.objects.exists():
        return
    rules = load_rules()
    procedure_of = {
        atc: (r.procedure[0] if r.procedure else "") for r in rules.rules for atc in r.atc
    }
    rows = list(
        Administration.objects.filter(atc__in=list(procedure_of), org_unit__isnull=False)
        .order_by("id")
        .values_list(
            "id", "patient", "org_unit_id", "unit_code", "administered_on", "atc", "episode"
        )
    )
    if not rows:
        return
    rng = random.Random(seed)
    batch = EpisodeImport.objects.create(
        file_name="demo-episoder.csv",
        sha256="demo",
        period_start=min(r[4] for r in rows).replace(day=1),
        period_end=max(r[4] for r in rows),
    )
    episodes: list[dict[str, object]] = []
    codes: list[dict[str, object]] = []
    late: list[dict[str, object]] = []
    seen: set[str] = set()
    for adm_id, patient, unit_id, unit_code, day, atc, episode in rows:
        if rng.random() < 0.02:
            continue  # no episode at all
        ref = episode or f"DEMO-{adm_id}"
        if ref in seen:
            continue
        seen.add(ref)
        month = day.replace(day=1)
        start = dt.datetime.combine(day, dt.time(8, 0))
        episodes.append(
            {
                "batch_id": batch.pk, "episode_ref": ref, "patient": patient,
                "unit_code": unit_code, "org_unit_id": unit_id, "contact_type": "outpatient",
                "start_at": start, "end_at": start + dt.timedelta(hours=3), "start_day": day,
                "end_day": day, "month": month, "hpr": "",
            }
        )  # fmt: skip
        procedure = procedure_of[atc]
        given = _codes(rng, atc, day, unit_code == worse_unit, procedure)
        for system, code, main, mapped in given:
            codes.append(
                {
                    "episode_ref": ref,
                    "month": month,
                    "system": system,
                    "code": code,
                    "main": main,
                    "atc": mapped,
                }
            )
        # Late corrections: some gaps in the first half year were reported again with the code.
        has_drug = any(c[3] == atc for c in given)
        has_procedure = not procedure or any(c[1] == procedure for c in given)
        if day < dt.date(2024, 5, 1) and not (has_drug and has_procedure) and rng.random() < 0.5:
            if not has_drug:
                late.append(
                    {
                        "episode_ref": ref,
                        "month": month,
                        "system": "ATC",
                        "code": atc,
                        "main": False,
                        "atc": atc,
                    }
                )
            if not has_procedure:
                late.append(
                    {
                        "episode_ref": ref,
                        "month": month,
                        "system": "NCSP",
                        "code": procedure,
                        "main": False,
                        "atc": "",
                    }
                )
    insert_frame(Episode, pl.DataFrame(episodes))
    insert_frame(EpisodeCode, pl.DataFrame(codes))
    for year in range(2023, 2027):
        figures, _ = ReportingYear.objects.get_or_create(year=year)
        if figures.correction_deadline is None:
            figures.correction_deadline = dt.date(year + 1, 3, 1)
            figures.save(update_fields=["correction_deadline"])
    coding_refresh(rules=rules)
    if late:
        insert_frame(EpisodeCode, pl.DataFrame(late))
        coding_refresh(rules=rules)
