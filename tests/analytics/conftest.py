"""The shared dataset's fixtures (defined in dataset.py)."""

import pytest

from tests.analytics.dataset import dataset, priced  # noqa: F401  (the fixtures)


@pytest.fixture(autouse=True)
def no_provisional_months(settings):
    """The shared dataset has two months of data, January and February: with the product's
    rule (the newest two months provisional) nothing would be left to read. Tests of the
    provisional rule set ``ANALYTICS_PROVISIONAL_MONTHS`` themselves."""
    settings.ANALYTICS_PROVISIONAL_MONTHS = 0
