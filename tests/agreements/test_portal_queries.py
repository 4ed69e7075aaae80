"""The drug portal reads every area's recommendation in a fixed number of queries."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from legemiddel.accounts.models import User
from legemiddel.agreements import selectors
from legemiddel.agreements.models import Agreement
from legemiddel.demo.services import demo_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    demo_load(usage=False)


def test_the_portal_reads_all_areas_in_three_queries(demo, django_assert_num_queries):
    areas = {a.area.code for a in selectors.portal_areas()}
    assert len(areas) >= 3  # more than one area, or the count would prove nothing
    # Areas, their published agreements, the agreements' lines: not two more per area.
    with django_assert_num_queries(3):
        found = selectors.portal_areas()
        assert all(r.current or r.next_agreement for r in found)
        assert sum(len(g.lines) for r in found for g in r.groups) > 0


def test_the_portal_page_uses_a_fixed_number_of_queries(demo, django_assert_num_queries):
    client = Client()
    client.force_login(User.objects.get(username="forskriver"))
    url = reverse("agreements:portal")
    client.get(url)
    # Session, user, the three portal reads, price access status and the user's roles, and
    # the notes beside the ranks (the Nye metoder status: the methods concerned; which brands
    # they reach is one more query when there are any, see tests/methods/test_portal_status.py).
    with django_assert_num_queries(10):
        page = client.get(url)
    assert page.status_code == 200
    for area in Agreement.objects.filter(status=Agreement.Status.PUBLISHED).values_list(
        "area__name", flat=True
    ):
        assert area in page.content.decode()


def test_an_area_page_reads_its_recommendation_in_two_queries(demo, django_assert_num_queries):
    area = selectors.portal_areas()[0].area
    fresh = type(area).objects.get(pk=area.pk)
    with django_assert_num_queries(2):
        recommendation = selectors.area_recommendation(fresh)
    assert recommendation.area == fresh
    assert recommendation.groups or recommendation.next_groups
