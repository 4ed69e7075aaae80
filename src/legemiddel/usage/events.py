"""What usage data announces through the outbox (``core.outbox``), for the apps above to hear.

``usage.imported``: a file was imported; payload ``source`` (sls, hresept, dips, dipsresept)
and ``months`` (ISO dates of the months the file replaced).
"""

USAGE_IMPORTED = "usage.imported"
