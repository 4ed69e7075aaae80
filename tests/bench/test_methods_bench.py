"""The Nye metoder benchmark measures a list in the public layout: 9 headers as the national
list spells them, IDs in the file's form (some with a letter, some with several indications),
Excel serial dates (some 0), all three method types, and realistic searches that find."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

from legemiddel.methods.ids import indication_key, normalise_method_id

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(BENCH))
    try:
        import methods

        yield methods
    finally:
        sys.path.remove(str(BENCH))


def test_the_generated_list_is_in_the_public_layout(bench):
    rows = bench.generate_rows(1000)
    assert rows == bench.generate_rows(1000)  # the same list every run
    assert len(rows) == 1000
    assert bench.HEADERS[2] == "Handelsenavn"
    assert all(len(row) == len(bench.HEADERS) for row in rows)
    ids = [row[0] for row in rows]
    assert all(not i.startswith("ID") for i in ids)
    assert any(i.endswith(" A") for i in ids)
    assert max(Counter(ids).values()) > 1  # an ID with several indications
    identities = {(normalise_method_id(row[0]), indication_key(row[3])) for row in rows}
    assert len(identities) == 1000
    assert {row[4] for row in rows} == {
        "Legemidler",
        "Medisinsk utstyr, diagnostikk og tester",
        "Prosedyrer og organisatoriske tiltak",
    }
    serials = [row[6] for row in rows]
    assert 0 in serials
    assert all(isinstance(s, int) and (s == 0 or 43000 < s < 47000) for s in serials)


@pytest.mark.django_db
def test_the_searches_are_many_and_most_find_something(bench, tmp_path):
    from legemiddel.methods.selectors import method_search

    path = tmp_path / "liste.xlsx"
    bench._write_list(path, 300)
    assert bench._store_directly(path) == 300
    queries = bench.queries(200)
    assert len(queries) >= 200
    assert any(q.startswith("id20") for q in queries)  # "id2019_073", "id2021_110 a"
    found = sum(1 for q in queries[:100] if method_search(q).groups)
    assert found > 70
