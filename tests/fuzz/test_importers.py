"""Every importer takes hostile files calmly: it imports them or refuses them with messages,
never with a traceback, and a refused file leaves every table as it was.

The importers come from ``tests/fuzz/importers.py`` (one entry each); the properties are in
``tests/fuzz/harness.py``. ``bench/fuzz.py`` runs the same with ten thousand files each.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from tests.fuzz import importers  # noqa: F401  (registers every importer)
from tests.fuzz.harness import REGISTRY, FuzzFile, Outcome, check, fuzz_file

pytestmark = pytest.mark.django_db


def run_files(key: str, tmp_path, hostile: bool) -> list[Outcome]:
    importer = REGISTRY[key]
    importer.seed()
    outcomes: list[Outcome] = []

    @settings(settings.get_profile("fuzz-ci"), max_examples=30 if hostile else 10)
    @given(file=fuzz_file(importer, hostile))
    def one(file: FuzzFile) -> None:
        outcome = check(importer, file, tmp_path)
        outcomes.append(outcome)
        if outcome.kind == "failure" and not outcome.expected_failure:
            raise AssertionError(f"{outcome.detail}\nfile: {file.describe()}")

    one()
    known = {o.expected_failure for o in outcomes if o.expected_failure}
    if known:
        pytest.xfail("; ".join(sorted(known)))
    return outcomes


@pytest.mark.parametrize("key", sorted(REGISTRY))
def test_a_hostile_file_is_imported_or_refused_cleanly_and_a_refusal_stores_nothing(key, tmp_path):
    outcomes = run_files(key, tmp_path, hostile=True)

    assert {o.kind for o in outcomes} <= {"accepted", "rejected"}
    assert any(o.kind == "rejected" for o in outcomes), "the run tried no hostile file"


@pytest.mark.parametrize("key", sorted(REGISTRY))
def test_a_file_of_valid_rows_is_accepted_however_it_is_written(key, tmp_path):
    outcomes = run_files(key, tmp_path, hostile=False)

    assert [o.kind for o in outcomes] == ["accepted"] * len(outcomes)
