"""The episode import: what NPR was told, one row per code, the same pseudonym as usage data.
Bad input names file, row and column, and stores nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from legemiddel.coding.importing import episodes_import
from legemiddel.coding.models import Episode, EpisodeCode, EpisodeImport
from legemiddel.lib.tabular import ImportRejected
from legemiddel.usage.models import CodeMapping
from tests.usage.files import P1, P2, pseudonym, write_csv, write_xlsx, wrong_check_digit

HEADER = ["episode", "fødselsnummer", "enhet", "kontakttype", "start", "slutt", "ansvarlig hpr",
          "kodeverk", "kode", "hoved"]  # fmt: skip


def row(episode="E1", patient=P1, unit="MED-REV-POL", contact="poliklinikk",
        start="2024-03-14 08:30", end="2024-03-14 09:10", hpr="1234567",
        system="ATC", code="S01LA05", main="B"):  # fmt: skip
    return [episode, patient, unit, contact, start, end, hpr, system, code, main]


def imported(tmp_path, rows, name="episoder.csv", **options):
    return episodes_import(path=write_csv(tmp_path / name, [HEADER, *rows]), **options)


def rejected(tmp_path, rows):
    with pytest.raises(ImportRejected) as info:
        imported(tmp_path, rows)
    assert not Episode.objects.exists()
    assert not EpisodeCode.objects.exists()
    assert not EpisodeImport.objects.exists()
    return info.value.errors


@pytest.mark.django_db
class TestGoodFiles:
    def test_one_episode_with_its_codes_pseudonymised_like_usage_data(self, org, tmp_path):
        result = imported(
            tmp_path,
            [
                row(system="ICD-10", code="H35.3", main="H"),
                row(system="NCSP", code="CKD05"),
                row(system="ATC", code="S01LA05"),
            ],
        )
        episode = Episode.objects.get()
        assert episode.episode_ref == "E1"
        assert episode.patient == pseudonym(P1)
        assert episode.org_unit == org["MED-REV-POL"]
        assert episode.contact_type == "outpatient"
        assert (episode.start_day, episode.end_day, episode.month) == (
            dt.date(2024, 3, 14), dt.date(2024, 3, 14), dt.date(2024, 3, 1),
        )  # fmt: skip
        assert episode.start_at.astimezone().hour in {8, 7}  # stored in UTC, local 08:30
        codes = sorted(EpisodeCode.objects.values_list("system", "code", "main", "atc"))
        assert codes == [
            ("ATC", "S01LA05", False, "S01LA05"),
            ("ICD10", "H353", True, ""),
            ("NCSP", "CKD05", False, ""),
        ]
        assert result.batch.episodes == 1
        assert P1 not in str(EpisodeImport.objects.get().rejects)

    def test_a_saerkode_is_stored_with_its_mapped_atc_code(self, org, tmp_path):
        imported(tmp_path, [row(system="S", code="1LA05")])
        assert EpisodeCode.objects.get().atc == "S01LA05"

    def test_an_episode_without_codes_has_one_row_with_the_code_empty(self, org, tmp_path):
        imported(tmp_path, [row(system="", code="")])
        assert Episode.objects.count() == 1
        assert not EpisodeCode.objects.exists()

    def test_a_file_replaces_the_months_it_covers_and_is_idempotent(self, org, tmp_path):
        imported(tmp_path, [row(), row(episode="E2", start="2024-04-02", end="2024-04-02")])
        imported(tmp_path, [row(episode="E3")], name="mars.csv")
        assert sorted(Episode.objects.values_list("episode_ref", flat=True)) == ["E2", "E3"]
        imported(tmp_path, [row(episode="E3")], name="mars.csv")
        assert sorted(Episode.objects.values_list("episode_ref", flat=True)) == ["E2", "E3"]
        assert EpisodeCode.objects.count() == 2

    def test_a_resh_id_mapped_to_a_unit(self, org, tmp_path):
        CodeMapping.objects.create(
            source="dips", kind=CodeMapping.Kind.UNIT, code="4201234", org_unit=org["MED-REV-DAG"]
        )
        imported(tmp_path, [row(unit="4201234")])
        assert Episode.objects.get().org_unit == org["MED-REV-DAG"]

    def test_xlsx(self, org, tmp_path):
        path = write_xlsx(tmp_path / "e.xlsx", [HEADER, row(), row(system="NCSP", code="CKD05")])
        episodes_import(path=path)
        assert EpisodeCode.objects.count() == 2

    def test_accept_valid_leaves_out_whole_episodes_with_errors(self, org, tmp_path):
        result = imported(
            tmp_path,
            [
                row(),
                row(episode="E2", system="NCSP", code="CKD05"),
                row(episode="E2", system="XYZ"),
            ],
            accept_valid=True,
        )
        assert list(Episode.objects.values_list("episode_ref", flat=True)) == ["E1"]
        assert result.batch.rows_rejected == 2
        assert result.batch.rejects[0]["row"] == 4

    def test_the_command_line_import(self, org, tmp_path):
        path = write_csv(tmp_path / "e.csv", [HEADER, row()])
        call_command("import", "episoder", str(path))
        assert Episode.objects.count() == 1


@pytest.mark.django_db
class TestBadInput:
    def test_unknown_unit(self, org, tmp_path):
        [error] = rejected(tmp_path, [row(unit="UKJENT")])
        assert (error.row, error.column, error.value) == (2, "episoder.csv: enhet", "UKJENT")
        assert "Ukjent enhet" in error.message

    def test_unknown_code_system(self, org, tmp_path):
        [error] = rejected(tmp_path, [row(system="SNOMED")])
        assert (error.row, error.column) == (2, "episoder.csv: kodeverk")

    def test_end_before_start(self, org, tmp_path):
        [error] = rejected(tmp_path, [row(start="2024-03-14 10:00", end="2024-03-14 09:00")])
        assert (error.column, error.message) == (
            "episoder.csv: slutt",
            "Episoden slutter før den starter.",
        )

    def test_an_episode_id_twice_with_different_patients(self, org, tmp_path):
        errors = rejected(tmp_path, [row(), row(patient=P2, system="NCSP", code="CKD05")])
        assert {e.row for e in errors} == {2, 3}
        assert all("ulike pasienter" in e.message for e in errors)
        assert all(P1 not in str(e) and P2 not in str(e) for e in errors)

    def test_rows_of_one_episode_that_disagree(self, org, tmp_path):
        errors = rejected(tmp_path, [row(), row(contact="døgn", system="NCSP", code="CKD05")])
        assert {(e.row, e.column) for e in errors} == {
            (2, "episoder.csv: kontakttype"), (3, "episoder.csv: kontakttype"),
        }  # fmt: skip

    def test_a_saerkode_with_no_mapping(self, org, tmp_path):
        [error] = rejected(tmp_path, [row(system="S", code="9ZZ99")])
        assert error.column == "episoder.csv: kode"
        assert "ingen kobling" in error.message

    def test_invalid_fodselsnummer_is_never_repeated(self, org, tmp_path):
        [error] = rejected(tmp_path, [row(patient=wrong_check_digit(P1))])
        assert error.column == "episoder.csv: fødselsnummer"
        assert wrong_check_digit(P1) not in str(error)

    @pytest.mark.parametrize(
        ("field", "value", "column"),
        [
            ("start", "14/3/2024", "start"),
            ("contact", "hjemme", "kontakttype"),
            ("episode", "", "episode"),
            ("code", "L01.FF.0X!", "kode"),
            ("hpr", "12AB", "ansvarlig hpr"),
        ],
    )
    def test_bad_values(self, org, tmp_path, field, value, column):
        errors = rejected(tmp_path, [row(**{field: value})])
        assert (errors[0].row, errors[0].column) == (2, f"episoder.csv: {column}")

    def test_a_missing_column_names_it(self, org, tmp_path):
        path = write_csv(tmp_path / "e.csv", [HEADER[:-3], row()[:-3]])
        with pytest.raises(ImportRejected) as info:
            episodes_import(path=path)
        assert "kodeverk" in str(info.value.errors[0])

    def test_an_empty_file(self, org, tmp_path):
        path = write_csv(tmp_path / "e.csv", [HEADER])
        with pytest.raises(ImportRejected):
            episodes_import(path=path)
