"""Importing usage files: what lands where, period replacement, policies and unknown codes."""

from __future__ import annotations

import datetime as dt

import pytest

from legemiddel.catalogue.models import Package
from legemiddel.lib.tabular import ImportRejected
from legemiddel.organisation.models import OrgUnit
from legemiddel.usage.models import (
    Administration,
    CodeMapping,
    Dispensing,
    EPrescription,
    ImportBatch,
    MonthlyUsage,
    SalesLine,
)
from legemiddel.usage.services import code_map, usage_import

from .files import (
    DDD_PER_PACK,
    DIPS_HEADER,
    DIPSRESEPT_HEADER,
    ENBREL,
    GAST_INF,
    GAST_POL,
    HPR_GAST_POL,
    HPR_REV_POL,
    HRESEPT_HEADER,
    HUMIRA,
    P1,
    P2,
    P3,
    P4,
    REMSIMA,
    REV_DAG,
    REV_DAG_2,
    SLS_HEADER,
    cube,
    pseudonym,
    refused,
    unknown_codes,
    usage_snapshot,
    where,
    write_csv,
    write_xlsx,
)

pytestmark = pytest.mark.usefixtures("registers")

SLS_ROWS = [
    SLS_HEADER,
    ["2026-01", GAST_POL, HUMIRA, "2", "18 100,00"],
    ["2026-01", GAST_INF, REMSIMA, "10", "15900"],
    ["2026-02", REV_DAG, ENBREL, "1", "9480,5"],
    ["2026-02", REV_DAG_2, ENBREL, "3", "28441,50"],
]


def _sls(tmp_path, rows=None, name="sls.csv", **options):
    return write_csv(tmp_path / name, rows or SLS_ROWS, **options)


# --- SLS --------------------------------------------------------------------------------------


def test_sls_lines_are_stored_with_their_unit_package_and_numbers(tmp_path):
    result = usage_import(source="sls", path=_sls(tmp_path))
    lines = {
        (line.month, line.customer): line
        for line in SalesLine.objects.select_related("org_unit", "package")
    }
    assert len(lines) == 4
    humira = lines[(dt.date(2026, 1, 1), GAST_POL)]
    assert humira.org_unit.code == "MED-GAST-POL"
    assert humira.package_id == HUMIRA
    assert (humira.quantity, humira.amount) == (2, 18100.0)
    # Both cost centres of the day unit map to it.
    assert lines[(dt.date(2026, 2, 1), REV_DAG_2)].org_unit.code == "MED-REV-DAG"
    assert lines[(dt.date(2026, 2, 1), REV_DAG)].amount == 9480.5
    batch = result.batch
    assert (batch.rows_read, batch.rows_accepted, batch.rows_rejected) == (4, 4, 0)
    assert (batch.period_start, batch.period_end) == (dt.date(2026, 1, 1), dt.date(2026, 2, 1))
    assert batch.status == ImportBatch.Status.LOADED
    assert "4 av 4 rader importert" in result.as_text()


def test_ddd_comes_from_fest_when_the_file_has_none_and_is_marked_so(tmp_path):
    rows = [
        [*SLS_HEADER, "ddd"],
        ["2026-01", GAST_POL, HUMIRA, "2", "100", ""],
        ["2026-01", GAST_INF, REMSIMA, "10", "100", "12,5"],
    ]
    usage_import(source="sls", path=_sls(tmp_path, rows))
    computed = SalesLine.objects.get(package_id=HUMIRA)
    assert computed.ddd == pytest.approx(2 * DDD_PER_PACK[HUMIRA], abs=1e-3)
    assert computed.ddd_computed
    given = SalesLine.objects.get(package_id=REMSIMA)
    assert (given.ddd, given.ddd_computed) == (12.5, False)


def test_the_cube_sums_a_month_unit_and_package(tmp_path):
    rows = [*SLS_ROWS, ["2026-02", REV_DAG, ENBREL, "2", "100"]]
    usage_import(source="sls", path=_sls(tmp_path, rows))
    enbrel = [r for r in cube("sls") if r[2] == ENBREL]
    # Both cost centres of MED-REV-DAG add up in one cell.
    assert enbrel == [
        (
            dt.date(2026, 2, 1),
            "MED-REV-DAG",
            ENBREL,
            "L04AB01",
            6.0,
            38022.0,
            round(6 * DDD_PER_PACK[ENBREL], 4),
            0,
            3,
        )
    ]


@pytest.mark.parametrize(
    "options",
    [
        {"sep": ",", "encoding": "utf-8"},
        {"sep": ";", "encoding": "cp1252"},
        {"sep": "\t", "encoding": "utf-8", "bom": True},
        {"sep": ";", "encoding": "utf-8", "newline": "\r\n"},
    ],
    ids=["comma-utf8", "semicolon-cp1252", "tab-bom", "crlf"],
)
def test_csv_dialects_and_encodings_give_the_same_rows(tmp_path, options):
    rows = [
        ["Periode", "Kundenr", "Kundenavn", "Varenr", "Antall", "Beløp eks mva"],
        ["01.2026", GAST_POL, "Gastromedisinsk poliklinikk – Haukeland", HUMIRA, "2", "18100"],
    ]
    usage_import(source="sls", path=_sls(tmp_path, rows, **options))
    line = SalesLine.objects.get()
    assert (line.month, line.org_unit.code, line.quantity) == (
        dt.date(2026, 1, 1),
        "MED-GAST-POL",
        2,
    )


def test_an_xlsx_file_gives_the_same_rows_as_the_csv(tmp_path):
    usage_import(source="sls", path=_sls(tmp_path))
    from_csv = cube("sls")
    SalesLine.objects.all().delete()
    MonthlyUsage.objects.all().delete()
    ImportBatch.objects.all().delete()
    # Excel keeps numbers as numbers and may drop a varenr's leading zeros or store a date.
    xlsx_rows = [
        SLS_HEADER,
        [dt.datetime(2026, 1, 1), int(GAST_POL), int(HUMIRA), 2, 18100.0],
        ["2026-01", GAST_INF, REMSIMA, 10, 15900],
        ["2026-02", REV_DAG, ENBREL, 1, 9480.5],
        ["2026-02", REV_DAG_2, ENBREL, 3, 28441.5],
    ]
    usage_import(source="sls", path=write_xlsx(tmp_path / "sls.xlsx", xlsx_rows))
    assert cube("sls") == from_csv


def test_headers_match_aliases_in_any_case_and_spacing_and_extra_columns_are_ignored(tmp_path):
    rows = [
        ["  MÅNED ", "Kostnadssted", "Vnr", "ANTALL PAKNINGER", "Beløp_eks_mva", "Kommentar"],
        ["2026-01", GAST_POL, HUMIRA, "2", "100", "ignored"],
    ]
    usage_import(source="sls", path=_sls(tmp_path, rows))
    assert SalesLine.objects.get().quantity == 2


def test_a_varenr_without_its_leading_zeros_is_padded(tmp_path):
    padded = Package.objects.get(varenr=HUMIRA)
    padded.varenr, padded.ean, padded.fest_id = "012345", "", "ID_TEST_PADDED"
    padded.save(force_insert=True)
    rows = [SLS_HEADER, ["2026-01", GAST_POL, "12345", "1", "100"]]
    usage_import(source="sls", path=_sls(tmp_path, rows))
    assert SalesLine.objects.get().package_id == "012345"


# --- Batches, replacement, duplicates --------------------------------------------------------


def test_the_identical_file_twice_is_refused_and_nothing_changes(tmp_path):
    path = _sls(tmp_path)
    usage_import(source="sls", path=path)
    copy = tmp_path / "kopi.csv"
    copy.write_bytes(path.read_bytes())
    [error] = refused(copy, "sls")
    assert "allerede importert (sls.csv" in error.message
    assert "ingenting er endret" in error.message


def test_a_new_file_for_a_month_replaces_that_months_rows_and_keeps_the_others(tmp_path):
    first = usage_import(source="sls", path=_sls(tmp_path)).batch
    correction = [SLS_HEADER, ["2026-02", REV_DAG, ENBREL, "5", "47000"]]
    second = usage_import(source="sls", path=_sls(tmp_path, correction, "feb.csv")).batch
    assert second.rows_replaced == 2
    february = SalesLine.objects.filter(month=dt.date(2026, 2, 1))
    assert list(february.values_list("quantity", "batch_id")) == [(5.0, second.pk)]
    assert SalesLine.objects.filter(month=dt.date(2026, 1, 1), batch=first).count() == 2
    assert [r[4] for r in cube("sls") if r[0] == dt.date(2026, 2, 1)] == [5.0]
    first.refresh_from_db()
    assert first.status == ImportBatch.Status.LOADED  # January is still its own
    third = usage_import(
        source="sls",
        path=_sls(tmp_path, [SLS_HEADER, ["2026-01", GAST_POL, HUMIRA, "1", "1"]], "jan.csv"),
    ).batch
    first.refresh_from_db()
    assert first.status == ImportBatch.Status.REPLACED
    assert third.rows_replaced == 2


def test_replacing_a_month_of_one_source_leaves_the_other_sources_alone(tmp_path):
    hresept = [HRESEPT_HEADER, ["2026-02-03", P1, HUMIRA, "1", "11634"]]
    usage_import(source="hresept", path=write_csv(tmp_path / "h.csv", hresept))
    usage_import(source="sls", path=_sls(tmp_path))
    assert Dispensing.objects.count() == 1
    assert MonthlyUsage.objects.filter(source="hresept").count() == 1


def test_a_refused_correction_keeps_the_old_rows_of_its_months(tmp_path):
    usage_import(source="sls", path=_sls(tmp_path))
    bad = [SLS_HEADER, ["2026-02", REV_DAG, ENBREL, "fem", "47000"]]
    [error] = refused(_sls(tmp_path, bad, "feb.csv"), "sls")
    assert where([error]) == [(2, "antall", "fem")]
    assert SalesLine.objects.filter(month=dt.date(2026, 2, 1)).count() == 2


# --- Validation -------------------------------------------------------------------------------


def test_every_bad_value_is_reported_with_row_column_and_value_and_nothing_is_imported(tmp_path):
    rows = [
        SLS_HEADER,
        ["2026-01", GAST_POL, HUMIRA, "2", "100"],
        ["2026-13", GAST_POL, HUMIRA, "2", "100"],
        ["2026-01", "", HUMIRA, "2", "100"],
        ["2026-01", GAST_POL, "12AB", "2", "100"],
        ["2026-01", GAST_POL, HUMIRA, "to", "100"],
        ["2026-01", GAST_POL, HUMIRA, "2", ""],
        ["", GAST_POL, HUMIRA, "2", "100"],
    ]
    errors = refused(_sls(tmp_path, rows), "sls")
    assert where(errors) == [
        (3, "periode", "2026-13"),
        (4, "kundenr", ""),
        (5, "varenr", "12AB"),
        (6, "antall", "to"),
        (7, "beløp eks mva", ""),
        (8, "periode", ""),
    ]
    messages = {e.column: e.message for e in errors}
    assert messages["periode"] in {
        "Periode mangler.",
        "Periode skal være en måned (2026-03) eller en dato.",
    }
    assert messages["antall"] == "Antall er ikke et tall."
    assert messages["varenr"] == "Varenr skal være opptil seks sifre."
    assert messages["kundenr"] == "Kundenummer mangler."


def test_accept_valid_loads_the_good_rows_and_keeps_a_rejects_report(tmp_path):
    rows = [*SLS_ROWS, ["2026-02", REV_DAG, ENBREL, "tre", "100"]]
    result = usage_import(source="sls", path=_sls(tmp_path, rows), accept_valid=True)
    batch = result.batch
    assert (batch.rows_read, batch.rows_accepted, batch.rows_rejected) == (5, 4, 1)
    assert batch.status == ImportBatch.Status.PARTLY
    assert batch.rejects == [
        {"row": 6, "column": "antall", "value": "tre", "message": "Antall er ikke et tall."}
    ]
    assert SalesLine.objects.count() == 4
    assert "1 avvist" in result.as_text()


def test_accept_valid_still_refuses_a_file_where_no_row_is_valid(tmp_path):
    rows = [SLS_HEADER, ["2026-02", REV_DAG, ENBREL, "tre", "100"]]
    refused(_sls(tmp_path, rows), "sls", accept_valid=True)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Filen er tom."),
        (b"\n\n", "Filen har ingen overskriftsrad."),
        ("periode;kundenr;varenr;antall;beløp\n".encode(), "Filen har ingen rader."),
        (b"periode;kundenr;antall\n2026-01;30100;1\n", "Mangler kolonne(r): varenr, beløp eks mva"),
        (b"\x81\x8d\x8f\x90\x9d;kundenr\n", "verken UTF-8 eller Windows-1252"),
        (
            b"periode;kundenr;varenr;antall;belop\n2026-01;30100;100001;1;5;6;7\n",
            "kan ikke leses som CSV",
        ),
    ],
    ids=["empty", "no-header", "header-only", "missing-column", "not-text", "ragged"],
)
def test_a_broken_file_is_refused_with_a_clear_message(tmp_path, content, message):
    path = tmp_path / "sls.csv"
    path.write_bytes(content)
    errors = refused(path, "sls")
    assert message in " ".join(e.message for e in errors)


def test_the_missing_column_message_names_what_was_found(tmp_path):
    path = write_csv(tmp_path / "sls.csv", [["Periode", "Kunde", "Vare", "Antall", "Sum"]])
    [error] = refused(path, "sls")
    assert "Mangler kolonne(r): varenr, beløp eks mva" in error.message
    assert "Fant: Periode, Kunde, Vare, Antall, Sum" in error.message


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("sls.pdf", b"%PDF-1.4", "Filtypen .pdf kan ikke leses"),
        ("sls.xlsx", b"PK\x03\x04 not really a workbook", "Regnearket kan ikke leses"),
    ],
)
def test_a_file_of_the_wrong_kind_is_refused(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    [error] = refused(path, "sls")
    assert message in error.message


def test_an_empty_workbook_is_refused(tmp_path):
    [error] = refused(write_xlsx(tmp_path / "tom.xlsx", []), "sls")
    assert "tomt" in error.message or "Mangler kolonne" in error.message


# --- Unknown codes and mapping ---------------------------------------------------------------


def test_unknown_varenr_and_customer_are_reported_and_kept_for_the_mapping_page(tmp_path):
    rows = [
        [*SLS_HEADER, "kundenavn", "varenavn"],
        ["2026-01", GAST_POL, "99001", "1", "100", "Gastro", "Egenprodusert blanding"],
        ["2026-01", "39990", HUMIRA, "1", "100", "Pasienthotellet", "Humira"],
        ["2026-01", "39990", HUMIRA, "1", "100", "Pasienthotellet", "Humira"],
    ]
    errors = refused(_sls(tmp_path, rows), "sls")
    assert where(errors) == [
        (2, "varenr", "99001"),
        (3, "kundenr", "39990"),
        (4, "kundenr", "39990"),
    ]
    assert "Koble det under Forbruk → Koblinger" in errors[0].message
    # Remembered although the file was refused: that is when someone needs to map them.
    assert unknown_codes() == [
        ("sls", "customer", "39990", 2, "Pasienthotellet"),
        ("sls", "varenr", "099001", 1, "Egenprodusert blanding"),
    ]


def test_after_mapping_the_codes_the_same_content_imports(tmp_path):
    rows = [
        SLS_HEADER,
        ["2026-01", GAST_POL, "99001", "1", "100"],
        ["2026-01", "39990", HUMIRA, "1", "100"],
    ]
    refused(_sls(tmp_path, rows), "sls")
    code_map(
        source="sls",
        kind=CodeMapping.Kind.VARENR,
        code="099001",
        actor=None,
        package=Package.objects.get(varenr=ENBREL),
    )
    code_map(
        source="sls",
        kind=CodeMapping.Kind.CUSTOMER,
        code="39990",
        actor=None,
        org_unit=OrgUnit.objects.get(code="MED-REV-POL"),
    )
    assert unknown_codes() == []
    usage_import(source="sls", path=_sls(tmp_path, rows, "igjen.csv", newline="\r\n"))
    assert sorted(SalesLine.objects.values_list("package_id", "org_unit__code")) == [
        (HUMIRA, "MED-REV-POL"),
        (ENBREL, "MED-GAST-POL"),
    ]


def test_a_mapping_must_point_at_exactly_one_target():
    with pytest.raises(ValueError, match="exactly one"):
        code_map(source="sls", kind="varenr", code="1", actor=None)


# --- H-resept ---------------------------------------------------------------------------------


def test_hresept_dispensings_are_stored_under_pseudonyms_with_the_prescribers_unit(tmp_path):
    rows = [
        [*HRESEPT_HEADER, "refusjonskode", "forskriver hpr", "forskrivningsdato", "apotek"],
        [
            "2026-03-02",
            P1,
            HUMIRA,
            "1",
            "11 634,06",
            "M05.8",
            HPR_REV_POL,
            "2026-01-15",
            "Apotek 1",
        ],
        ["02.03.2026", P2, HUMIRA, "3", "34902", "k50", HPR_GAST_POL, "", ""],
        ["20260302", P1, ENBREL, "1", "9480", "", "", "", ""],
    ]
    usage_import(source="hresept", path=write_csv(tmp_path / "h.csv", rows))
    got = sorted(
        Dispensing.objects.values_list(
            "patient", "package_id", "refund_code", "prescriber_hpr", "org_unit__code"
        )
    )
    assert got == sorted(
        [
            (pseudonym(P1), HUMIRA, "M058", HPR_REV_POL, "MED-REV-POL"),
            (pseudonym(P2), HUMIRA, "K50", HPR_GAST_POL, "MED-GAST-POL"),
            (pseudonym(P1), ENBREL, "", "", None),
        ]
    )
    assert set(Dispensing.objects.values_list("dispensed_on", flat=True)) == {dt.date(2026, 3, 2)}
    humira = [r for r in cube("hresept") if r[2] == HUMIRA]
    assert [(r[1], r[4], r[7]) for r in humira] == [("MED-GAST-POL", 3, 1), ("MED-REV-POL", 1, 1)]
    assert humira[0][6] == pytest.approx(3 * DDD_PER_PACK[HUMIRA], abs=1e-3)
    [unplaced] = [r for r in cube("hresept") if r[2] == ENBREL]
    assert unplaced[1] is None  # no prescriber, no unit: still counted for the trust


def test_d_h_and_synthetic_numbers_are_accepted(tmp_path):
    rows = [HRESEPT_HEADER] + [["2026-03-02", p, HUMIRA, "1", "1"] for p in (P2, P3, P4)]
    usage_import(source="hresept", path=write_csv(tmp_path / "h.csv", rows))
    assert Dispensing.objects.values("patient").distinct().count() == 3


def test_hresept_bad_values_are_row_errors(tmp_path):
    rows = [
        [*HRESEPT_HEADER, "refusjonskode", "forskriver hpr", "forskrivningsdato"],
        ["2026-02-30", P1, HUMIRA, "1", "1", "", "", ""],
        ["2026-03-02", P1, HUMIRA, "1", "1", "reuma", "", ""],
        ["2026-03-02", P1, HUMIRA, "1", "1", "", "12", ""],
        ["2026-03-02", P1, HUMIRA, "1", "1", "", "", "i fjor"],
    ]
    errors = refused(write_csv(tmp_path / "h.csv", rows), "hresept")
    assert where(errors) == [
        (2, "utleveringsdato", "2026-02-30"),
        (3, "refusjonskode", "reuma"),
        (4, "forskriver hpr", "12"),
        (5, "forskrivningsdato", "i fjor"),
    ]


# --- DIPS -------------------------------------------------------------------------------------


def test_dips_administrations_keep_the_episode_codes_and_take_atc_from_the_package(tmp_path):
    rows = [
        [*DIPS_HEADER, "prosedyrekoder", "atc-koder", "dose", "doseenhet"],
        ["2026-04-07", P1, "MED-GAST-INF", "", REMSIMA, "EP1", "k50.1", "", "l04ab02", "400", "mg"],
        ["2026-04-07", P3, "MED-GAST-INF", "L04AB02", "", "EP2", "", "", "", "5,5", "mg/kg"],
    ]
    usage_import(source="dips", path=write_csv(tmp_path / "dips.csv", rows))
    got = sorted(
        Administration.objects.values_list(
            "episode", "atc", "package_id", "diagnosis_codes", "atc_codes", "dose", "org_unit__code"
        )
    )
    assert got == [
        ("EP1", "L04AB02", REMSIMA, "K501", "L04AB02", 400.0, "MED-GAST-INF"),
        ("EP2", "L04AB02", None, "", "", 5.5, "MED-GAST-INF"),
    ]
    [cell] = [r for r in cube("dips") if r[2] == REMSIMA]
    assert cell[4] == 1
    assert cell[7] == 1


def test_dips_rows_need_a_unit_we_know_and_an_atc_code_or_a_varenr(tmp_path):
    rows = [
        DIPS_HEADER,
        ["2026-04-07", P1, "UKJENT-ENHET", "L04AB02", "", "EP1", ""],
        ["2026-04-07", P1, "MED-GAST-INF", "", "", "EP2", ""],
        ["2026-04-07", P1, "MED-GAST-INF", "L4AB2", "", "EP3", ""],
        ["2026-04-07", P1, "MED-GAST-INF", "L04AB02", "", "", ""],
    ]
    errors = refused(write_csv(tmp_path / "dips.csv", rows), "dips")
    assert [(e.row, e.column) for e in errors] == [
        (2, "enhet"),
        (3, "atc"),
        (4, "atc"),
        (5, "episode"),
    ]
    assert unknown_codes() == [("dips", "unit", "UKJENT-ENHET", 1, "")]


def test_dips_eprescriptions_need_the_prescribers_hpr_number(tmp_path):
    rows = [
        DIPSRESEPT_HEADER,
        ["2026-05-04", P1, HPR_REV_POL, "MED-REV-POL", HUMIRA, "", "6"],
        ["2026-05-04", P1, "", "MED-REV-POL", HUMIRA, "", "6"],
    ]
    errors = refused(write_csv(tmp_path / "e.csv", rows), "dipsresept")
    assert where(errors) == [(3, "forskriver hpr", "")]
    usage_import(
        source="dipsresept", path=write_csv(tmp_path / "ok.csv", rows[:2]), accept_valid=False
    )
    prescription = EPrescription.objects.get()
    assert (prescription.atc, prescription.org_unit.code, prescription.quantity) == (
        "L04AB04",
        "MED-REV-POL",
        6.0,
    )


def test_an_unknown_source_is_a_programming_error(tmp_path):
    with pytest.raises(ValueError, match="unknown usage source"):
        usage_import(source="excel", path=_sls(tmp_path))


def test_a_file_refused_for_errors_leaves_no_batch(tmp_path):
    before = usage_snapshot()
    with pytest.raises(ImportRejected):
        usage_import(source="sls", path=_sls(tmp_path, [SLS_HEADER, ["x", "", "", "", ""]]))
    assert usage_snapshot() == before
    assert ImportBatch.objects.count() == 0


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_progress_runs_up_to_the_whole_file(tmp_path, kind):
    rows = [SLS_HEADER] + [["2026-01", GAST_POL, HUMIRA, str(i + 1), "100"] for i in range(300)]
    path = (
        write_csv(tmp_path / "sls.csv", rows)
        if kind == "csv"
        else write_xlsx(tmp_path / "sls.xlsx", rows)
    )
    seen: list[tuple[int, int]] = []
    usage_import(source="sls", path=path, progress=lambda done, total: seen.append((done, total)))
    assert seen
    done, total = seen[-1]
    assert total > 0
    assert done == total
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
