"""The episode import: what NPR was told, one row per code, the same pseudonym as usage data.
Bad input names file, row and column, and stores nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from legemiddel.coding.importing import episodes_import
from legemiddel.coding.matching import coding_refresh
from legemiddel.coding.models import Episode, EpisodeCode, EpisodeImport, Match, Outcome
from legemiddel.findings.models import Finding
from legemiddel.lib.tabular import ImportRejected
from legemiddel.usage.models import CodeMapping
from tests.usage.files import P1, P2, number, pseudonym, write_csv, write_xlsx, wrong_check_digit

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


def october(episode="EP-1", **fields):
    return row(episode=episode, start="2024-10-31 08:30", end="2024-10-31 09:10", **fields)


def november(episode="EP-1", **fields):
    return row(episode=episode, start="2024-11-01 08:30", end="2024-11-01 09:10", **fields)


def codes_of(ref):
    return sorted(EpisodeCode.objects.filter(episode_ref=ref).values_list("code", "month"))


@pytest.mark.django_db
class TestAnEpisodeIsIdentifiedByItsId:
    """The same episode id in two files (a corrected re-report, or an episode in both an
    October and a November file): the newest import's version replaces the older one, wherever
    its months are, so matching by episode id sees one episode."""

    def test_a_later_file_replaces_the_episode_in_another_month(self, org, tmp_path):
        imported(
            tmp_path,
            [october(), october(system="NCSP", code="CKD05"), october(episode="EP-2")],
            name="oktober.csv",
        )
        result = imported(tmp_path, [november(), november(episode="EP-3")], name="november.csv")
        assert sorted(Episode.objects.values_list("episode_ref", "start_day")) == [
            ("EP-1", dt.date(2024, 11, 1)),
            ("EP-2", dt.date(2024, 10, 31)),
            ("EP-3", dt.date(2024, 11, 1)),
        ]
        assert codes_of("EP-1") == [("S01LA05", dt.date(2024, 11, 1))]
        assert codes_of("EP-2") == [("S01LA05", dt.date(2024, 10, 1))]
        assert (result.batch.episodes_replaced, result.batch.episodes_superseded) == (1, 1)
        assert "1 tidligere episoder erstattet (1 av dem med samme episode-id" in result.as_text()
        assert "den sist importerte versjonen gjelder" in result.as_text()

    def test_the_older_file_imported_again_is_the_newest_import(self, org, tmp_path):
        first = [october(), october(system="NCSP", code="CKD05")]
        imported(tmp_path, first, name="oktober.csv")
        imported(tmp_path, [november()], name="november.csv")
        imported(tmp_path, first, name="oktober.csv")
        assert list(Episode.objects.values_list("episode_ref", "start_day")) == [
            ("EP-1", dt.date(2024, 10, 31))
        ]
        assert codes_of("EP-1") == [
            ("CKD05", dt.date(2024, 10, 1)), ("S01LA05", dt.date(2024, 10, 1)),
        ]  # fmt: skip

    def test_the_same_file_twice_replaces_nothing_by_id(self, org, tmp_path):
        imported(tmp_path, [october(), october(episode="EP-2")], name="oktober.csv")
        again = imported(tmp_path, [october(), october(episode="EP-2")], name="oktober.csv")
        assert (again.batch.episodes_replaced, again.batch.episodes_superseded) == (2, 0)
        assert "samme episode-id" not in again.as_text()
        assert Episode.objects.count() == 2
        assert EpisodeCode.objects.count() == 2

    def test_a_rejected_file_leaves_the_earlier_version(self, org, tmp_path):
        imported(tmp_path, [october()], name="oktober.csv")
        with pytest.raises(ImportRejected):
            imported(tmp_path, [november(), november(episode="EP-9", unit="UKJENT")])
        assert list(Episode.objects.values_list("start_day", flat=True)) == [dt.date(2024, 10, 31)]

    def test_an_episode_left_out_with_errors_keeps_its_earlier_version(self, org, tmp_path):
        imported(tmp_path, [october(), october(episode="EP-2")], name="oktober.csv")
        imported(
            tmp_path,
            [november(), november(episode="EP-2", system="XYZ")],
            name="november.csv",
            accept_valid=True,
        )
        assert sorted(Episode.objects.values_list("episode_ref", "start_day")) == [
            ("EP-1", dt.date(2024, 11, 1)),
            ("EP-2", dt.date(2024, 10, 31)),
        ]

    def test_matching_by_id_sees_only_the_newest_version(self, org, tmp_path, data, rules):
        # October's version had the procedure code; the re-report in November does not.
        adm = data.adm(
            dt.date(2024, 10, 31), pseudonym(P1), "MED-REV-POL", "S01LA05", episode="EP-1"
        )
        imported(tmp_path, [october(), october(system="NCSP", code="CKD05")], name="okt.csv")
        coding_refresh(rules=rules)
        assert Match.objects.get(administration_id=adm.pk).outcome == Outcome.CODED
        imported(tmp_path, [november()], name="november.csv")
        coding_refresh(rules=rules)
        match = Match.objects.get(administration_id=adm.pk)
        assert (match.outcome, match.episode_ref) == (Outcome.NO_PROCEDURE, "EP-1")

    def test_findings_stay_as_people_left_them(self, org, tmp_path, data, rules):
        data.adm(dt.date(2024, 10, 31), pseudonym(P1), "MED-REV-POL", "S01LA05", episode="EP-1")
        imported(tmp_path, [october()], name="oktober.csv")
        coding_refresh(rules=rules)
        finding = Finding.objects.get()
        assert (finding.category, finding.reference) == ("no_procedure", "EP-1")
        Finding.objects.update(status=Finding.Status.DISPUTED, reason="Meldt til NPR")
        # Re-reported in November, still without the procedure code: the same finding.
        imported(tmp_path, [november()], name="november.csv")
        counts = coding_refresh(rules=rules)
        assert (counts["new"], counts["corrected"]) == (0, 0)
        finding = Finding.objects.get()
        assert (finding.status, finding.reason) == (Finding.Status.DISPUTED, "Meldt til NPR")
        # Re-reported once more with the code: corrected, confirmed by the data.
        imported(tmp_path, [november(), november(system="NCSP", code="CKD05")], name="ny.csv")
        coding_refresh(rules=rules)
        finding.refresh_from_db()
        assert finding.status == Finding.Status.CORRECTED


@pytest.fixture
def small_chunks(monkeypatch):
    """The file read a few rows at a time, so an episode's rows fall in different chunks."""
    monkeypatch.setattr("legemiddel.usage.reading.CHUNK_BYTES", 160)


@pytest.mark.django_db
class TestReadInChunks:
    """The file is checked chunk by chunk and kept as compact frames; the checks of a whole
    episode still see every row of it, wherever in the file they are."""

    def test_an_episode_split_across_chunks_is_one_episode(self, org, tmp_path, small_chunks):
        codes = [("ICD-10", "H35.3"), ("NCSP", "CKD05"), ("ATC", "S01LA05"), ("S", "1LA05")]
        rows = [row(system=s, code=c) for s, c in codes]
        rows += [row(episode="E2", system=s, code=c) for s, c in codes]
        result = imported(tmp_path, rows)
        assert sorted(Episode.objects.values_list("episode_ref", flat=True)) == ["E1", "E2"]
        assert EpisodeCode.objects.filter(episode_ref="E1").count() == 4
        assert (result.batch.rows_read, result.batch.rows_accepted, result.batch.episodes) == (
            8, 8, 2,
        )  # fmt: skip

    def test_rows_far_apart_that_disagree_are_found(self, org, tmp_path, small_chunks):
        rows = [row(), *[row(episode=f"E{i}") for i in range(2, 12)], row(contact="døgn")]
        errors = rejected(tmp_path, rows)
        assert {(e.row, e.column, e.value) for e in errors} == {
            (2, "episoder.csv: kontakttype", "poliklinikk"),
            (13, "episoder.csv: kontakttype", "døgn"),
        }

    def test_a_second_patient_far_apart_is_found(self, org, tmp_path, small_chunks):
        rows = [row(), *[row(episode=f"E{i}") for i in range(2, 12)], row(patient=P2)]
        errors = rejected(tmp_path, rows)
        assert {(e.row, e.value) for e in errors} == {(2, ""), (13, "")}
        assert all("ulike pasienter" in e.message for e in errors)

    def test_a_number_with_a_leading_zero_keeps_it_in_the_pseudonym(self, org, tmp_path):
        early = number(dt.date(1990, 1, 5), 123)
        assert early.startswith("0")
        imported(tmp_path, [row(patient=early)])
        assert Episode.objects.get().patient == pseudonym(early)

    def test_only_the_first_errors_are_listed_and_every_bad_episode_is_left_out(
        self, org, tmp_path, small_chunks, monkeypatch
    ):
        monkeypatch.setattr("legemiddel.coding.importing.MAX_ERRORS", 3)
        rows = [row(episode=f"BAD{i}", unit="UKJENT") for i in range(8)]
        rows += [row(episode="GOOD"), row(episode="LATE", contact="døgn"), row(episode="LATE")]
        result = imported(tmp_path, rows, accept_valid=True)
        assert list(Episode.objects.values_list("episode_ref", flat=True)) == ["GOOD"]
        assert [e["row"] for e in result.batch.rejects] == [2, 3, 4]
        assert (result.batch.rows_read, result.batch.rows_rejected) == (11, 10)

    def test_without_accept_valid_the_first_errors_name_rows_in_order(
        self, org, tmp_path, small_chunks, monkeypatch
    ):
        monkeypatch.setattr("legemiddel.coding.importing.MAX_ERRORS", 2)
        rows = [row(episode="LATE"), *[row(episode=f"E{i}") for i in range(9)]]
        rows += [row(episode="E3", code="BAD!"), row(episode="LATE", hpr="7654321")]
        errors = rejected(tmp_path, rows)
        assert [(e.row, e.column) for e in errors] == [
            (2, "episoder.csv: ansvarlig hpr"), (12, "episoder.csv: kode"),
        ]  # fmt: skip
