"""What agreements announce through the outbox (``core.outbox``), for the apps above to hear.

``agreement.published``: a version of an agreement was published; payload ``area`` (the
therapeutic area's code), ``agreement`` (its id) and ``version`` (the version number).
"""

AGREEMENT_PUBLISHED = "agreement.published"
