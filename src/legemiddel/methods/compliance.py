"""Use that contradicts a decision in Nye metoder, as findings (kind ``methods``), in SQL.

A drug method whose decision for its indication is "not introduced" or "under assessment"
(the confirmed status, else the suggested one) must not be started for new patients after the
decision. For each ATC code of such a method (its own ``atc_codes`` and the ATC codes of the
single-substance brands of its linked FEST substances), every **treatment start** on or after
the decision date is checked:

* a treatment start is a patient's first H-prescription dispensing or DIPS administration of
  the ATC code with none in the ``METHODS_START_LOOK_BACK_DAYS`` before it (ongoing treatment
  is not a breach). Days closer than that to the start of a source's data are not starts:
  what came before them is not in the data;
* the indication: the administration's diagnosis codes, the dispensing's refund code (ICD-10).
  A code in the method's ICD-10 set -> a breach; a code outside it -> another indication, no
  finding. Without a code (or without a code set for the method): a breach where every method
  of the ATC code is not allowed (no diagnosis needed), else "indication unknown".

One finding per start (patient, ATC code, day) and method: where several events of the start
day disagree, a breach wins over "indication unknown", and the finding shows that event (the
same on both databases, so a refresh never flips it). The findings app keeps what people did
with them across refreshes. A method under assessment without a decision date counts from the day it came on the
list (its first import).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min, Q

from legemiddel.catalogue.models import AtcCode, BrandSubstance
from legemiddel.core.locks import hold
from legemiddel.findings.services import findings_refresh
from legemiddel.lib.db import date_param, days_between_sql, refresh_statistics, text_sql
from legemiddel.methods.icd10 import Icd10Error, icd10_prefixes
from legemiddel.methods.models import (
    NOT_ALLOWED,
    ComplianceCode,
    ComplianceRule,
    DecisionStatus,
    Method,
    MethodSubstance,
    MethodType,
)
from legemiddel.usage.models import Administration, Dispensing, ImportBatch
from legemiddel.usage.selectors import visible_facts_sql

log = logging.getLogger(__name__)

KIND = "methods"
BREACH = "breach"
UNKNOWN = "indication_unknown"
RESOLUTIONS = ("approved_exception", "before_decision", "coding_error", "confirmed_breach")
LOCK = "methods-compliance"


def look_back_days() -> int:
    return int(getattr(settings, "METHODS_START_LOOK_BACK_DAYS", 365))


def _in_force(methods: list[Method]) -> list[Method]:
    return [m for m in methods if m.effective_status]


def method_atc_codes(methods: list[Method]) -> dict[int, set[str]]:
    """Each method's ATC codes (level 5): its own, and those of the single-substance brands of
    its linked substances; a group code (``L04AB``) stands for the codes under it."""
    own: dict[int, set[str]] = {m.pk: set(m.atc_codes.upper().split()) for m in methods}
    links = list(
        MethodSubstance.objects.filter(method__in=[m.pk for m in methods]).values_list(
            "method_id", "substance_id"
        )
    )
    substances = {s for _, s in links}
    pairs = list(
        BrandSubstance.objects.filter(substance_id__in=substances, brand__atc__isnull=False)
        .values_list("brand_id", "substance_id", "brand__atc_id")
        .distinct()
    )
    single = set(
        BrandSubstance.objects.filter(brand_id__in={b for b, _, _ in pairs})
        .values("brand_id")
        .annotate(n=Count("substance_id", distinct=True))
        .filter(n=1)
        .values_list("brand_id", flat=True)
    )
    atc_by_substance: dict[str, set[str]] = defaultdict(set)
    for brand, substance, atc in pairs:
        if brand in single:
            atc_by_substance[substance].add(atc)
    for method, substance in links:
        own[method] |= atc_by_substance.get(substance, set())
    groups = {code for codes in own.values() for code in codes if len(code) < 7}
    below: dict[str, set[str]] = defaultdict(set)
    if groups:
        condition = Q()
        for group in groups:
            condition |= Q(code__startswith=group)
        for code in AtcCode.objects.filter(condition, level=5).values_list("code", flat=True):
            for group in groups:
                if code.startswith(group):
                    below[group].add(code)
    result: dict[int, set[str]] = {}
    for method, codes in own.items():
        expanded: set[str] = set()
        for code in codes:
            if len(code) == 7 and code.isalnum():
                expanded.add(code)
            else:
                expanded |= below.get(code, set())
        result[method] = expanded
    return result


def _decided_on(method: Method) -> dt.date | None:
    if method.decision_date is not None:
        return method.decision_date
    if method.first_import is not None:
        return method.first_import.created_at.date()
    return None


# The statuses as the notes on findings say them (the notes are stored text, in Norwegian).
_STATUS_TEXT: dict[str, str] = {
    DecisionStatus.NOT_INTRODUCED: "ikke innført",
    DecisionStatus.ASSESSMENT: "under vurdering",
}


def _decision_text(method: Method, decided: dt.date) -> str:
    status = _STATUS_TEXT.get(method.effective_status, method.effective_status)
    since = "beslutning" if method.decision_date else "på listen fra"
    return f"{status} ({since} {decided:%d.%m.%Y})"


def rules_rebuild() -> int:
    """Write the rules and code prefixes the comparison reads; returns how many rules."""
    methods = _in_force(
        list(
            Method.objects.filter(method_type=MethodType.DRUG)
            .filter(Q(listed=True) | Q(manual=True))
            .select_related("first_import")
        )
    )
    atcs = method_atc_codes(methods)
    by_atc: dict[str, list[Method]] = defaultdict(list)
    for method in methods:
        for atc in atcs[method.pk]:
            by_atc[atc].append(method)
    rules: list[ComplianceRule] = []
    codes: list[ComplianceCode] = []
    for method in methods:
        decided = _decided_on(method)
        if method.effective_status not in NOT_ALLOWED or decided is None:
            continue
        try:
            prefixes = icd10_prefixes(method.icd10)
        except Icd10Error:
            log.warning("Metode %s: ICD-10-kodene kan ikke leses: %s", method.pk, method.icd10)
            prefixes = []
        codes += [ComplianceCode(method=method, prefix=p) for p in prefixes]
        for atc in sorted(atcs[method.pk]):
            rules.append(
                ComplianceRule(
                    method=method,
                    atc=atc,
                    decided_on=decided,
                    all_not_allowed=all(m.effective_status in NOT_ALLOWED for m in by_atc[atc]),
                    has_codes=bool(prefixes),
                    decision_text=_decision_text(method, decided),
                )
            )
    ComplianceRule.objects.all().delete()
    ComplianceCode.objects.all().delete()
    ComplianceRule.objects.bulk_create(rules, batch_size=2000)
    ComplianceCode.objects.bulk_create(codes, batch_size=2000)
    refresh_statistics(ComplianceRule._meta.db_table)
    refresh_statistics(ComplianceCode._meta.db_table)
    return len(rules)


def _data_from(source: str, days: int) -> dt.date:
    """The first day on which a source's event can be known to be a start."""
    first = (
        ImportBatch.objects.filter(source=source)
        .exclude(status=ImportBatch.Status.LOADING)
        .aggregate(first=Min("period_start"))["first"]
    )
    return (first + dt.timedelta(days=days)) if first else dt.date(9999, 12, 31)


def candidates_sql() -> tuple[str, list[Any]]:
    """The findings as they stand (the columns ``findings_refresh`` takes, then the
    prescriber). Table names and fixed words only in the text; values are parameters."""
    days = look_back_days()
    rule = ComplianceRule._meta.db_table
    code = ComplianceCode._meta.db_table
    method = Method._meta.db_table
    dispensing = Dispensing._meta.db_table
    administration = Administration._meta.db_table
    package = "catalogue_package"
    h_visible, h_params = visible_facts_sql("hresept", "d")
    a_visible, a_params = visible_facts_sql("dips", "a")
    # The usage row's codes as one space-separated text (the import stores them upper case
    # without dots; DIPS may separate them with commas or semicolons). "%%" is a literal "%"
    # in a statement with parameters.
    row_codes = "(' ' || REPLACE(REPLACE(s.codes, ',', ' '), ';', ' ') || ' ')"
    sql = f"""
WITH ev AS (
  SELECT 'h' AS src, d.patient, d.dispensed_on AS day, p.atc_id AS atc, d.org_unit_id,
         d.prescriber_hpr AS prescriber, d.refund_code AS codes,
         'H-resept, varenr ' || d.package_id AS reference
  FROM {dispensing} d JOIN {package} p ON p.varenr = d.package_id
  WHERE p.atc_id IN (SELECT atc FROM {rule}) AND {h_visible}
  UNION ALL
  SELECT 'd', a.patient, a.administered_on, a.atc, a.org_unit_id, '', a.diagnosis_codes,
         'DIPS ' || a.episode
  FROM {administration} a
  WHERE a.atc IN (SELECT atc FROM {rule}) AND {a_visible}
),
days AS (
  SELECT patient, atc, day FROM ev GROUP BY patient, atc, day
),
starts AS (
  SELECT patient, atc, day FROM (
    SELECT patient, atc, day,
           LAG(day) OVER (PARTITION BY patient, atc ORDER BY day) AS previous
    FROM days
  ) x
  WHERE previous IS NULL OR {days_between_sql("day", "previous")} > %s
),
start_rows AS (
  SELECT ev.* FROM ev JOIN starts s
    ON s.patient = ev.patient AND s.atc = ev.atc AND s.day = ev.day
  WHERE (ev.src = 'h' AND ev.day >= %s) OR (ev.src = 'd' AND ev.day >= %s)
),
checked AS (
  SELECT s.*, r.method_id AS method_pk, m.method_id AS method_code, r.decision_text,
    CASE
      WHEN TRIM(s.codes) <> '' AND r.has_codes THEN
        CASE WHEN EXISTS (
          SELECT 1 FROM {code} c WHERE c.method_id = r.method_id
            AND {row_codes} LIKE ('%% ' || c.prefix || '%%')
        ) THEN '{BREACH}' END
      WHEN r.all_not_allowed THEN '{BREACH}'
      ELSE '{UNKNOWN}'
    END AS category
  FROM start_rows s JOIN {rule} r ON r.atc = s.atc AND s.day >= r.decided_on
  JOIN {method} m ON m.id = r.method_id
),
ranked AS (
  SELECT checked.*, ROW_NUMBER() OVER (
    PARTITION BY method_pk, patient, atc, day
    ORDER BY CASE category WHEN '{BREACH}' THEN 0 WHEN '{UNKNOWN}' THEN 1 ELSE 2 END,
             src, reference, codes, prescriber, org_unit_id
  ) AS rn
  FROM checked
)
SELECT 'm:' || {text_sql("method_pk")} || ':' || {text_sql("day")} || ':' || atc
         || ':' || substr(patient, 1, 16),
  method_code, category, org_unit_id, day, reference, atc, patient, CAST(NULL AS REAL),
  CAST(NULL AS DATE),
  substr(CASE WHEN TRIM(codes) = '' THEN 'Ingen diagnose på raden'
              WHEN src = 'h' THEN 'Refusjonskode ' || codes
              ELSE 'Diagnosekoder ' || codes END
         || '. Metoden er ' || decision_text, 1, 300),
  prescriber
FROM ranked WHERE rn = 1 AND category IS NOT NULL
"""  # noqa: S608
    params = [
        *h_params,
        *a_params,
        days,
        date_param(_data_from("hresept", days)),
        date_param(_data_from("dips", days)),
    ]
    return sql, params


def compliance_refresh() -> dict[str, Any]:
    """Rewrite the rules from the methods and refresh the findings, in one transaction."""
    started = time.monotonic()
    with transaction.atomic():
        hold(LOCK)
        rules = rules_rebuild()
        sql, params = candidates_sql()
        counts = findings_refresh(kind=KIND, select_sql=sql, params=params, extra=("prescriber",))
    return {**counts, "rules": rules, "seconds": round(time.monotonic() - started, 2)}
