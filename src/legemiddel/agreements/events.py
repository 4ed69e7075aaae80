"""What agreements announce through the outbox (``core.outbox``), for the apps above to hear.

``agreement.published``: a version of an agreement was published; payload ``area`` (the
therapeutic area's code), ``agreement`` (its id) and ``version`` (the version number).

``agreement.rescheduled``: an agreement's start changed; payload ``agreement`` (its id) and
``start`` (the new start, ISO date).
"""

AGREEMENT_PUBLISHED = "agreement.published"
AGREEMENT_RESCHEDULED = "agreement.rescheduled"
