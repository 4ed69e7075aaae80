"""The start page for the core group (the heaviest: the trust and every department) in a fixed
number of queries, and reading only the months its trend shows."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from legemiddel.accounts.roles import Role
from legemiddel.agreements.models import TherapeuticArea
from legemiddel.analytics.models import MeasureValue
from tests.web.test_personal_view import SHARE
from tests.web.test_personal_view import figures as figures  # the fixture

# 15 before the work-list panel (issue 14), which counts the open findings in one query; was 16
# before that: the areas were read twice. 17 with the Nye metoder panel (issue 15), which counts
# the decisions waiting to be confirmed in one query. 18 with the panel of the user's open
# actions from meetings (issue 17: one query); the meetings to act on moved from the
# agreements' panel to governance's and still take one.
PINNED = 18


def test_the_core_groups_start_page_uses_a_fixed_number_of_queries(
    client_for,
    figures,
    django_assert_num_queries,
):
    client = client_for(Role.CORE_GROUP)
    client.get("/")
    with CaptureQueriesContext(connection) as first:
        assert client.get("/").status_code == 200
    assert len(first.captured_queries) == PINNED, [q["sql"][:80] for q in first.captured_queries]
    TherapeuticArea.objects.create(code="Y", name="Område Y")
    TherapeuticArea.objects.create(code="Z", name="Område Z")
    with django_assert_num_queries(len(first.captured_queries)):
        client.get("/")
    areas = [
        q["sql"] for q in first.captured_queries if 'FROM "agreements_therapeuticarea"' in q["sql"]
    ]
    assert len(areas) == 1, "the measures (and so the areas) are read once per page"


def test_the_start_page_reads_only_the_months_its_trend_shows(client_for, figures):
    # A value years before the headline month (March 2026) is never on the start page.
    MeasureValue.objects.create(
        measure=SHARE,
        month=dt.date(2020, 1, 1),
        org_unit=figures["MED-REV-POL"],
        numerator=1,
        denominator=1,
    )
    client = client_for(Role.CORE_GROUP)
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/").content.decode()
    assert "100,0\u00a0%" not in html
    values = [q["sql"] for q in queries.captured_queries if "analytics_measurevalue" in q["sql"]]
    assert values
    assert all("2025-10-01" in sql for sql in values), values
