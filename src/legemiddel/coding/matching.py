"""Matching administrations to coded episodes, and the findings that follow, in SQL only.

For every administration (DIPS) of a drug a rule lists, in the rule's validity:

1. its episode by episode id when the administration carries one that the episode file has
   (for the same patient); otherwise the patient's episodes that overlap the rule's window
   (``window_before`` days before to ``window_after`` days after the administration) at the
   administration's unit, or at its parent unit when the rule says a parent's episode counts;
2. each candidate episode scored: the drug's ATC code on it (an ATC code, or a særkode mapped
   to it at import) and, where the rule requires one, a procedure code -> coded (3); the drug
   code without the procedure code (2); the episode without the drug code (1); none (0);
   the best candidate wins.

The reverse check: episodes carrying a listed drug code with no administration of that drug
for the patient in the window (or on the episode). The episode file is the truth for what was
reported; the codes DIPS showed on the administration row are compared with it, and a
difference is noted on the finding.
"""

from __future__ import annotations

import time
from typing import Any

from django.db import connection, transaction

from legemiddel.coding.models import Episode, EpisodeCode, Match, Outcome, ReportingYear
from legemiddel.coding.rules import Rule, RuleSet, load_rules
from legemiddel.core.locks import hold
from legemiddel.findings.services import findings_refresh
from legemiddel.lib.db import (
    contains_sql,
    plus_days_sql,
    refresh_statistics,
    text_sql,
    year_sql,
)
from legemiddel.organisation.models import OrgUnit
from legemiddel.usage.models import Administration

KIND = "coding"
CATEGORIES = {
    Outcome.NO_EPISODE: "no_episode",
    Outcome.NO_DRUG_CODE: "no_drug_code",
    Outcome.NO_PROCEDURE: "no_procedure",
}
NO_ADMINISTRATION = "no_administration"
MATCH_COLUMNS = (
    "rule", "administration_id", "patient", "org_unit_id", "administered_on", "month", "atc",
    "reference", "episode_ref", "outcome", "dips_differs", "amount",
)  # fmt: skip


def _quoted(codes: tuple[str, ...]) -> str:
    # Codes are validated against [A-Z0-9] when the rules load: safe as SQL literals.
    return ", ".join(f"'{code}'" for code in codes)


def _validity(rule: Rule, column: str) -> str:
    sql = f"{column} >= '{rule.valid_from.isoformat()}'"
    if rule.valid_to is not None:
        sql += f" AND {column} <= '{rule.valid_to.isoformat()}'"
    return sql


def _amount(rule: Rule) -> str:
    if rule.fixed_amount is not None:
        return repr(float(rule.fixed_amount))
    return f"({float(rule.drg_weight or 0)!r} * y.unit_price * y.isf_share)"


def match_sql(rule: Rule) -> str:
    """The INSERT that writes one rule's matches (no parameters)."""
    adm = Administration._meta.db_table
    episode = Episode._meta.db_table
    code = EpisodeCode._meta.db_table
    unit = OrgUnit._meta.db_table
    year = ReportingYear._meta.db_table
    unit_match = "e.org_unit_id = adm.org_unit_id"
    if rule.parent_unit:
        unit_match = f"({unit_match} OR e.org_unit_id = adm.parent_id)"
    procedure = (
        f"EXISTS (SELECT 1 FROM {code} p WHERE p.episode_ref = s.episode_ref "  # noqa: S608
        f"AND p.code IN ({_quoted(rule.procedure)}))"
        if rule.procedure
        else "1 = 1"
    )
    day = "adm.administered_on"
    # Built from table names and validated rule values only (see _quoted).
    return f"""
WITH adm AS MATERIALIZED (
  SELECT a.id, a.patient, a.org_unit_id, a.administered_on, a.month, a.atc, a.episode,
         a.atc_codes, u.parent_id,
         CASE WHEN a.episode <> '' AND EXISTS (
           SELECT 1 FROM {episode} x WHERE x.episode_ref = a.episode AND x.patient = a.patient
         ) THEN 1 ELSE 0 END AS by_ref
  FROM {adm} a LEFT JOIN {unit} u ON u.id = a.org_unit_id
  WHERE a.atc IN ({_quoted(rule.atc)}) AND {_validity(rule, "a.administered_on")}
),
cand AS (
  SELECT adm.id AS adm_id, adm.atc, e.episode_ref FROM adm
  JOIN {episode} e ON e.episode_ref = adm.episode AND e.patient = adm.patient
  WHERE adm.by_ref = 1
  UNION ALL
  SELECT adm.id, adm.atc, e.episode_ref FROM adm
  JOIN {episode} e ON e.patient = adm.patient
   AND e.start_day <= {plus_days_sql(day, rule.window_after)}
   AND e.end_day >= {plus_days_sql(day, -rule.window_before)}
   AND {unit_match}
  WHERE adm.by_ref = 0
),
scored AS (
  SELECT s.adm_id, s.episode_ref,
    CASE WHEN EXISTS (
      SELECT 1 FROM {code} d WHERE d.episode_ref = s.episode_ref AND d.atc = s.atc
    ) THEN (CASE WHEN {procedure} THEN 3 ELSE 2 END) ELSE 1 END AS score
  FROM cand s
),
best AS (
  SELECT adm_id, episode_ref, score,
    ROW_NUMBER() OVER (PARTITION BY adm_id ORDER BY score DESC, episode_ref) AS rn
  FROM scored
)
INSERT INTO {Match._meta.db_table} ({", ".join(MATCH_COLUMNS)})
SELECT '{rule.key}', adm.id, adm.patient, adm.org_unit_id, adm.administered_on, adm.month,
  adm.atc, adm.episode, COALESCE(b.episode_ref, ''), COALESCE(b.score, 0),
  CASE WHEN adm.atc_codes = '' THEN 0 = 1
       ELSE {contains_sql("adm.atc_codes", "adm.atc")} <> (COALESCE(b.score, 0) >= 2) END,
  {_amount(rule)}
FROM adm LEFT JOIN best b ON b.adm_id = adm.id AND b.rn = 1
LEFT JOIN {year} y ON y.year = {year_sql("adm.administered_on")}
"""  # noqa: S608


def _candidates_sql(rules: RuleSet) -> str:
    """The findings as they stand: every non-coded match, and the reverse check per rule.

    A finding's key is what stays the same when the same data is imported again (rule, DIPS
    episode, day, drug, patient), never a row id: a DIPS file replacing its months gives its
    rows new ids, and the findings must stay as people left them."""
    match = Match._meta.db_table
    adm = Administration._meta.db_table
    episode = Episode._meta.db_table
    code = EpisodeCode._meta.db_table
    year = ReportingYear._meta.db_table
    category = " ".join(f"WHEN {int(o)} THEN '{c}'" for o, c in CATEGORIES.items())
    parts = [
        f"""
SELECT 'a:' || m.rule || ':' || m.reference || ':' || {text_sql("m.administered_on")} || ':'
         || m.atc || ':' || substr(m.patient, 1, 16),
  m.rule, CASE m.outcome {category} END, m.org_unit_id, m.administered_on,
  CASE WHEN m.reference <> '' THEN m.reference
       ELSE 'adm ' || {text_sql("m.administration_id")} END,
  m.atc, m.patient, m.amount, y.correction_deadline,
  CASE WHEN m.dips_differs AND m.outcome < 2 THEN 'DIPS viste legemiddelkoden; NPR-filen har den ikke.'
       WHEN m.dips_differs THEN 'NPR-filen har legemiddelkoden; DIPS viste den ikke.'
       WHEN m.episode_ref <> '' AND m.episode_ref <> m.reference THEN 'Episode i NPR-filen: ' || m.episode_ref
       ELSE '' END
FROM {match} m LEFT JOIN {year} y ON y.year = {year_sql("m.administered_on")}
WHERE m.outcome < {int(Outcome.CODED)}"""  # noqa: S608
    ]
    for rule in rules.rules:
        parts.append(
            f"""
SELECT 'e:' || '{rule.key}' || ':' || e.episode_ref || ':' || c.atc,
  '{rule.key}', '{NO_ADMINISTRATION}', e.org_unit_id, e.start_day, e.episode_ref, c.atc,
  e.patient, NULL, y.correction_deadline, ''
FROM {code} c JOIN {episode} e ON e.episode_ref = c.episode_ref
LEFT JOIN {year} y ON y.year = {year_sql("e.start_day")}
WHERE c.atc IN ({_quoted(rule.atc)}) AND {_validity(rule, "e.start_day")}
AND NOT EXISTS (
  SELECT 1 FROM {adm} a WHERE a.patient = e.patient AND a.atc = c.atc AND (
    a.episode = e.episode_ref OR (
      a.administered_on >= {plus_days_sql("e.start_day", -rule.window_after)}
      AND a.administered_on <= {plus_days_sql("e.end_day", rule.window_before)})))"""  # noqa: S608
        )
    return "\nUNION ALL\n".join(parts)


def coding_refresh(*, rules: RuleSet | None = None) -> dict[str, Any]:
    """Rewrite every match and refresh the income-control findings, in one transaction."""
    rules = rules or load_rules()
    started = time.monotonic()
    with transaction.atomic():
        hold("coding-refresh")
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {Match._meta.db_table}")  # noqa: S608
            for rule in rules.rules:
                cursor.execute(match_sql(rule))
        refresh_statistics(Match._meta.db_table)
        matched = time.monotonic()
        counts = findings_refresh(kind=KIND, select_sql=_candidates_sql(rules), params=[])
    done = time.monotonic()
    return {
        **counts,
        "match_s": round(matched - started, 2),
        "findings_s": round(done - matched, 2),
        "seconds": round(done - started, 2),
    }
